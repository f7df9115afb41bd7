package store

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"gorm.io/gorm"

	"policebooth/server/app"
)

// closedPageQuiet is how long after a text about an officer's message no
// other is sent for the next.
const closedPageQuiet = 5 * time.Minute

// tellClosedPage queues a text to the call's caller, in the transaction
// of the officer's step, when their page is closed (app.PageOpen): they
// would otherwise not know that an officer acknowledged or wrote until
// they open the app again. kind is app.TextCallAcknowledged or
// app.TextCallMessage; officerID names who did it.
func (s *Store) tellClosedPage(tx *gorm.DB, c *app.AssistanceCall, officerID int64, kind string) error {
	if c.CallerID == nil {
		return nil
	}
	var caller app.User
	if err := tx.Select("id", "phone", "language", "stream_seen_at", "disabled").First(&caller, *c.CallerID).Error; err != nil {
		return fmt.Errorf("store: tell closed page: load caller: %w", err)
	}
	if caller.Disabled || app.PageOpen(caller.StreamSeenAt, dbTime(tx.NowFunc())) {
		return nil
	}
	// A push to each of the caller's devices with every step (the service
	// worker shows one notification per call), then a text unless one
	// went out for this conversation lately.
	subs, err := userPushSubscriptions(tx, caller.ID)
	if err != nil {
		return err
	}
	if err := queuePush(tx, c.StationID, subs, app.CallerAlert(c, kind)); err != nil {
		return err
	}
	if kind == app.TextCallMessage {
		// A conversation is one text, not one per message: none while a
		// text of the same kind went to them within closedPageQuiet.
		var recent int64
		err := tx.Table("outbox_messages").Where("phone = ? AND kind = ?", caller.Phone, kind).
			Where(s.timeCompare("created_at", ">"), dbTime(tx.NowFunc()).Add(-closedPageQuiet)).Count(&recent).Error
		if err != nil {
			return fmt.Errorf("store: tell closed page: %w", err)
		}
		if recent > 0 {
			return nil
		}
	}
	var officer app.User
	if err := tx.Select("id", "name", "badge_no").First(&officer, officerID).Error; err != nil {
		return fmt.Errorf("store: tell closed page: load officer: %w", err)
	}
	return queueText(tx, &c.StationID, caller.Phone, caller.Language, kind,
		map[string]any{"ID": strconv.FormatInt(c.ID, 10), "Officer": officer.Name, "Badge": officer.BadgeNo})
}

// PageClosed records that a resident's last event stream on this instance
// closed: until a stream of theirs is recorded again (at once on another
// instance's next record, within 20 seconds), their page counts as closed.
func (s *Store) PageClosed(ctx context.Context, userID int64) error {
	err := s.db.WithContext(ctx).Model(&app.User{}).Where("id = ? AND role = ?", userID, app.RoleResident).
		Update("stream_seen_at", nil).Error
	if err != nil {
		return fmt.Errorf("store: page closed: %w", err)
	}
	return nil
}

// PageOpened records at once that a resident has an event stream open, so
// a page opened just now counts as open before the next periodic record.
func (s *Store) PageOpened(ctx context.Context, userID int64, now time.Time) error {
	return s.TouchStreams(ctx, []int64{userID}, now)
}
