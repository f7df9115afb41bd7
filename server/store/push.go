package store

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"policebooth/server/app"
)

var _ app.PushService = (*Store)(nil)

// maxPushErrorLen is how much of a failure a subscription keeps.
const maxPushErrorLen = 500

// SavePushSubscription stores a browser's subscription for its user, or
// moves a known endpoint to that user with the new keys.
func (s *Store) SavePushSubscription(ctx context.Context, sub *app.PushSubscription) error {
	if err := sub.Validate(); err != nil {
		return err
	}
	now := s.Now()
	return s.tx(ctx, func(tx *gorm.DB) error {
		var u app.User
		if err := tx.First(&u, sub.UserID).Error; err != nil {
			return notFound("save push subscription: find user", err)
		}
		if u.Disabled {
			return app.Errorf(app.EFORBIDDEN, "this account is disabled")
		}
		sub.ID, sub.StationID, sub.CreatedAt, sub.LastError, sub.FailedAt = 0, nil, now, "", nil
		if u.Role.Staff() {
			sub.StationID = u.StationID
		}
		err := tx.Clauses(clause.OnConflict{
			Columns:   []clause.Column{{Name: "endpoint"}},
			DoUpdates: clause.AssignmentColumns([]string{"user_id", "station_id", "p256dh", "auth", "created_at", "last_error", "failed_at"}),
		}).Create(sub).Error
		if err != nil {
			return fmt.Errorf("store: save push subscription: %w", err)
		}
		// Read back: on a conflict the row keeps its id, which not every
		// dialect returns.
		if err := tx.First(sub, "endpoint = ?", sub.Endpoint).Error; err != nil {
			return fmt.Errorf("store: save push subscription: read back: %w", err)
		}
		var keep []int64
		err = tx.Model(&app.PushSubscription{}).Where("user_id = ?", u.ID).
			Order("created_at DESC, id DESC").Limit(app.MaxPushSubscriptionsPerUser).Pluck("id", &keep).Error
		if err != nil {
			return fmt.Errorf("store: save push subscription: list the user's: %w", err)
		}
		if err := tx.Where("user_id = ? AND id NOT IN ?", u.ID, keep).Delete(&app.PushSubscription{}).Error; err != nil {
			return fmt.Errorf("store: save push subscription: drop the oldest: %w", err)
		}
		return nil
	})
}

// DeletePushSubscription removes a user's subscription by endpoint.
func (s *Store) DeletePushSubscription(ctx context.Context, userID int64, endpoint string) error {
	res := s.db.WithContext(ctx).Where("user_id = ? AND endpoint = ?", userID, strings.TrimSpace(endpoint)).
		Delete(&app.PushSubscription{})
	if res.Error != nil {
		return fmt.Errorf("store: delete push subscription: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return app.ErrNotFound
	}
	return nil
}

// DeletePushSubscriptionByID removes a subscription the push service said
// is gone.
func (s *Store) DeletePushSubscriptionByID(ctx context.Context, id int64) error {
	if err := s.db.WithContext(ctx).Delete(&app.PushSubscription{}, id).Error; err != nil {
		return fmt.Errorf("store: delete push subscription %d: %w", id, err)
	}
	return nil
}

// StationPushSubscriptions returns the subscriptions of a station's enabled
// officers and heads. A staff member moved to another station is left out
// until their browser subscribes again.
func (s *Store) StationPushSubscriptions(ctx context.Context, stationID int64) ([]app.PushSubscription, error) {
	return stationPushSubscriptions(s.db.WithContext(ctx), stationID)
}

// stationPushSubscriptions is StationPushSubscriptions on db, which may be
// a transaction.
func stationPushSubscriptions(db *gorm.DB, stationID int64) ([]app.PushSubscription, error) {
	var subs []app.PushSubscription
	err := db.Select("push_subscriptions.*").
		Joins("JOIN users ON users.id = push_subscriptions.user_id").
		Where("push_subscriptions.station_id = ? AND users.station_id = push_subscriptions.station_id", stationID).
		Where("users.role IN ? AND users.disabled = ?", []app.Role{app.RoleOfficer, app.RoleHead}, false).
		Order("push_subscriptions.id").Find(&subs).Error
	if err != nil {
		return nil, fmt.Errorf("store: station push subscriptions: %w", err)
	}
	return subs, nil
}

// UserPushSubscriptions returns a user's subscriptions.
func (s *Store) UserPushSubscriptions(ctx context.Context, userID int64) ([]app.PushSubscription, error) {
	return userPushSubscriptions(s.db.WithContext(ctx), userID)
}

// userPushSubscriptions reads a user's subscriptions in the order they
// were first stored, on db (a transaction queuing a push to them).
func userPushSubscriptions(db *gorm.DB, userID int64) ([]app.PushSubscription, error) {
	var subs []app.PushSubscription
	if err := db.Where("user_id = ?", userID).Order("id").Find(&subs).Error; err != nil {
		return nil, fmt.Errorf("store: user push subscriptions: %w", err)
	}
	return subs, nil
}

// MarkPushFailed records a failed delivery, keeping the first
// maxPushErrorLen characters of msg (which may quote a push service's
// answer, so it is made valid text first).
func (s *Store) MarkPushFailed(ctx context.Context, id int64, msg string) error {
	msg = strings.ReplaceAll(strings.ToValidUTF8(msg, "\uFFFD"), "\x00", "")
	if utf8.RuneCountInString(msg) > maxPushErrorLen {
		msg = string([]rune(msg)[:maxPushErrorLen])
	}
	err := s.db.WithContext(ctx).Model(&app.PushSubscription{}).Where("id = ?", id).
		Updates(map[string]any{"last_error": msg, "failed_at": s.Now()}).Error
	if err != nil {
		return fmt.Errorf("store: mark push subscription %d failed: %w", id, err)
	}
	return nil
}
