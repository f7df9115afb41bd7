package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"gorm.io/gorm"

	"policebooth/server/app"
)

// queueText writes a text message to the outbox in the caller's
// transaction: it exists exactly when the change that causes it does, and
// send_messages delivers it after the commit. kind is the message's i18n
// id; params fill it. It is due at once by the store's clock (the
// change's own time may be a job's "as of", not now).
func queueText(tx *gorm.DB, stationID *int64, phone, language, kind string, params map[string]any) error {
	p, err := json.Marshal(params)
	if err != nil {
		return fmt.Errorf("store: queue text %s: %w", kind, err)
	}
	key, err := newIdempotencyKey()
	if err != nil {
		return fmt.Errorf("store: queue text %s: %w", kind, err)
	}
	now := dbTime(tx.NowFunc())
	m := app.OutboxMessage{StationID: stationID, Channel: app.ChannelSMS, Phone: phone, Kind: kind, Language: language, Params: string(p),
		IdempotencyKey: key, Status: app.MessagePending, NextAttemptAt: now, CreatedAt: now}
	if err := tx.Table("outbox_messages").Create(&m).Error; err != nil {
		return fmt.Errorf("store: queue text %s: %w", kind, err)
	}
	markQueued(tx)
	return nil
}

// markQueued notes in the transaction's context that it queued a message,
// so the sender wakes once it commits.
func markQueued(tx *gorm.DB) {
	if w, ok := tx.Statement.Context.Value(queuedKey{}).(*bool); ok {
		*w = true
	}
}

// newIdempotencyKey returns a message's key: 32 hex digits, the same on
// every attempt.
func newIdempotencyKey() (string, error) {
	var key [16]byte
	if _, err := rand.Read(key[:]); err != nil {
		return "", err
	}
	return hex.EncodeToString(key[:]), nil
}

// queuedKey marks, in a transaction's context, that it queued a message.
type queuedKey struct{}

// queueHeadTexts queues a text to every enabled head of a station, in
// Chinese (the station's working language).
func queueHeadTexts(tx *gorm.DB, stationID int64, kind string, params map[string]any) error {
	var phones []string
	err := tx.Model(&app.User{}).Where("station_id = ? AND role = ? AND disabled = ?", stationID, app.RoleHead, false).
		Order("id").Pluck("phone", &phones).Error
	if err != nil {
		return fmt.Errorf("store: text heads: %w", err)
	}
	for _, phone := range phones {
		if err := queueText(tx, &stationID, phone, app.LanguageChinese, kind, params); err != nil {
			return err
		}
	}
	return nil
}

// OnMessage sets the function called after a transaction that queued a
// text message commits: the sender wakes at once, so a sign-up code still
// arrives in about a second.
func (s *Store) OnMessage(fn func()) { s.afterMessage = fn }

// ClaimMessages takes up to limit pending messages whose attempt is due,
// each for lease: another instance does not take it meanwhile. A claim
// counts as an attempt.
func (s *Store) ClaimMessages(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]app.OutboxMessage, error) {
	now = dbTime(now)
	db := s.db.WithContext(ctx).Table("outbox_messages")
	var due []app.OutboxMessage
	err := db.Where("status = ?", app.MessagePending).Where(s.timeCompare("next_attempt_at", "<="), now).
		Order("next_attempt_at, id").Limit(limit).Find(&due).Error
	if err != nil {
		return nil, fmt.Errorf("store: claim messages: %w", err)
	}
	claimed := due[:0]
	for _, m := range due {
		res := s.db.WithContext(ctx).Table("outbox_messages").
			Where("id = ? AND status = ? AND attempts = ?", m.ID, app.MessagePending, m.Attempts).
			Updates(map[string]any{"attempts": m.Attempts + 1, "next_attempt_at": now.Add(lease)})
		if res.Error != nil {
			return claimed, fmt.Errorf("store: claim message: %w", res.Error)
		}
		if res.RowsAffected == 1 {
			m.Attempts++
			claimed = append(claimed, m)
		}
	}
	return claimed, nil
}

// SetMessageBody keeps the body rendered at a message's first attempt, so
// retries send the same text; it returns the body kept (an earlier one
// wins).
func (s *Store) SetMessageBody(ctx context.Context, id int64, body string) (string, error) {
	db := s.db.WithContext(ctx).Table("outbox_messages")
	if err := db.Where("id = ? AND body = ''", id).Update("body", body).Error; err != nil {
		return "", fmt.Errorf("store: message body: %w", err)
	}
	var kept []string
	if err := s.db.WithContext(ctx).Table("outbox_messages").Where("id = ?", id).Pluck("body", &kept).Error; err != nil || len(kept) == 0 {
		return "", fmt.Errorf("store: message body: %w", err)
	}
	return kept[0], nil
}

// MessageSent records a delivered message: it is never sent again, and
// its text (a one-time code, say) is no longer kept.
func (s *Store) MessageSent(ctx context.Context, id int64, now time.Time) error {
	err := s.db.WithContext(ctx).Table("outbox_messages").Where("id = ?", id).
		Updates(map[string]any{"status": app.MessageSent, "done_at": dbTime(now), "last_error": "", "body": "", "params": "{}"}).Error
	if err != nil {
		return fmt.Errorf("store: message sent: %w", err)
	}
	return nil
}

// MessageNotSent records a failed attempt: the message is tried again
// after its backoff, or, once its give-up time has come (app.MessageGiveUp
// after it was written, sooner for a push), marked failed. failed reports
// the latter.
func (s *Store) MessageNotSent(ctx context.Context, m *app.OutboxMessage, now time.Time, reason string) (failed bool, err error) {
	now = dbTime(now)
	changes := map[string]any{"last_error": reason, "next_attempt_at": now.Add(app.MessageBackoff(m.Attempts))}
	if !now.Before(m.GiveUpAt()) {
		changes["status"], changes["done_at"] = app.MessageFailed, now
		failed = true
	}
	if err := s.db.WithContext(ctx).Table("outbox_messages").Where("id = ?", m.ID).Updates(changes).Error; err != nil {
		return false, fmt.Errorf("store: message not sent: %w", err)
	}
	return failed, nil
}

// FailedMessages lists a station's texts given up on, newest first.
func (s *Store) FailedMessages(ctx context.Context, stationID int64, limit int) ([]app.OutboxMessage, error) {
	var out []app.OutboxMessage
	err := s.db.WithContext(ctx).Table("outbox_messages").Where("station_id = ? AND channel = ? AND status = ?", stationID, app.ChannelSMS, app.MessageFailed).
		Order("id DESC").Limit(listLimit(limit)).Find(&out).Error
	if err != nil {
		return nil, fmt.Errorf("store: failed messages: %w", err)
	}
	return out, nil
}

// CountMessages counts the outbox's messages waiting and given up, by
// channel, then status.
func (s *Store) CountMessages(ctx context.Context) (map[string]map[string]int64, error) {
	var rows []struct {
		Channel string
		Status  string
		N       int64
	}
	err := s.db.WithContext(ctx).Table("outbox_messages").Select("channel, status, COUNT(*) AS n").Where("status <> ?", app.MessageSent).
		Group("channel, status").Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("store: count messages: %w", err)
	}
	out := map[string]map[string]int64{}
	for _, ch := range []string{app.ChannelSMS, app.ChannelPush} {
		out[ch] = map[string]int64{app.MessagePending: 0, app.MessageFailed: 0}
	}
	for _, r := range rows {
		if out[r.Channel] == nil {
			out[r.Channel] = map[string]int64{}
		}
		out[r.Channel][r.Status] = r.N
	}
	return out, nil
}

// QueueText queues one text on its own: a message that no other change
// causes (a notice to the owner of a number someone tried to sign up).
func (s *Store) QueueText(ctx context.Context, phone, language, kind string, params map[string]any) error {
	return s.tx(ctx, func(tx *gorm.DB) error { return queueText(tx, nil, phone, language, kind, params) })
}
