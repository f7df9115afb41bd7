package store

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"policebooth/server/app"
)

// SetPin stores a staff member's tablet PIN hash.
func (s *Store) SetPin(ctx context.Context, userID int64, hash string, now time.Time) error {
	res := s.db.WithContext(ctx).Model(&app.User{}).Where("id = ? AND role IN ?", userID, []app.Role{app.RoleOfficer, app.RoleHead}).
		Updates(map[string]any{"pin_hash": hash, "updated_at": dbTime(now)})
	if res.Error != nil {
		return fmt.Errorf("store: set pin: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return app.ErrNotFound
	}
	return nil
}

// SwitchSession ends the session on a shared tablet and starts one for
// the officer who takes it over, with an audit entry
// naming both.
func (s *Store) SwitchSession(ctx context.Context, from app.Claims, to *app.User, ip string, now time.Time) (*app.SessionGrant, error) {
	if err := s.RevokeSession(ctx, from.UserID, from.SessionID); err != nil {
		return nil, err
	}
	grant, err := s.CreateSession(ctx, to.ID, now)
	if err != nil {
		return nil, err
	}
	err = audit(s.db.WithContext(ctx), &app.AuditEntry{StationID: to.StationID, ActorID: &to.ID, Action: "shift.switch",
		Target: "user:" + strconv.FormatInt(to.ID, 10), Detail: "from user:" + strconv.FormatInt(from.UserID, 10), IP: ip, CreatedAt: dbTime(now)})
	if err != nil {
		return nil, err
	}
	return grant, nil
}
