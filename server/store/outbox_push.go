package store

import (
	"context"
	"fmt"

	"gorm.io/gorm"

	"policebooth/server/app"
)

// queuePush writes an alert to the outbox for each subscription in subs,
// in the caller's transaction: the pushes exist exactly when the change
// that causes them does, and send_messages delivers each once after the
// commit, with the texts' retries, until the alert's TTL ends.
func queuePush(tx *gorm.DB, stationID int64, subs []app.PushSubscription, a app.PushAlert) error {
	if len(subs) == 0 {
		return nil
	}
	now := dbTime(tx.NowFunc())
	rows := make([]app.OutboxMessage, 0, len(subs))
	for _, sub := range subs {
		key, err := newIdempotencyKey()
		if err != nil {
			return fmt.Errorf("store: queue push %s: %w", a.Kind, err)
		}
		rows = append(rows, app.OutboxMessage{StationID: &stationID, Channel: app.ChannelPush, SubscriptionID: &sub.ID,
			Kind: a.Kind, Params: "{}", Body: string(a.Payload), Urgency: a.Urgency, TTLSeconds: int(a.TTL.Seconds()),
			IdempotencyKey: key, Status: app.MessagePending, NextAttemptAt: now, CreatedAt: now})
	}
	if err := tx.Table("outbox_messages").CreateInBatches(&rows, 500).Error; err != nil {
		return fmt.Errorf("store: queue push %s: %w", a.Kind, err)
	}
	markQueued(tx)
	return nil
}

// queueStationAlert queues an alert to the devices of a station's enabled
// officers and heads.
func queueStationAlert(tx *gorm.DB, stationID int64, a app.PushAlert) error {
	subs, err := stationPushSubscriptions(tx, stationID)
	if err != nil {
		return err
	}
	return queuePush(tx, stationID, subs, a)
}

// queueNoticeAlert queues the alert of an urgent notice to the devices of
// the residents of its area.
func queueNoticeAlert(tx *gorm.DB, n *app.Notice) error {
	subs, err := noticePushSubscriptions(tx, n)
	if err != nil {
		return err
	}
	return queuePush(tx, n.StationID, subs, app.NoticeAlert(n))
}

// PushSubscriptionByID returns a subscription for its delivery; ENOTFOUND
// once it is gone.
func (s *Store) PushSubscriptionByID(ctx context.Context, id int64) (*app.PushSubscription, error) {
	var sub app.PushSubscription
	if err := s.db.WithContext(ctx).First(&sub, id).Error; err != nil {
		return nil, notFound("find push subscription", err)
	}
	return &sub, nil
}
