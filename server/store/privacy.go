package store

import (
	"context"
	"fmt"
	"time"

	"policebooth/server/app"
)

var _ app.PrivacyService = (*Store)(nil)

// AcceptPrivacy records that a user accepted the policy version in force.
func (s *Store) AcceptPrivacy(ctx context.Context, userID int64, version string, now time.Time) error {
	if err := app.CheckPrivacyVersion(version); err != nil {
		return err
	}
	res := s.db.WithContext(ctx).Model(&app.User{}).Where("id = ?", userID).
		Updates(map[string]any{"privacy_version": version, "privacy_accepted_at": dbTime(now), "updated_at": dbTime(now)})
	if res.Error != nil {
		return fmt.Errorf("store: accept privacy policy: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return app.ErrNotFound
	}
	return nil
}
