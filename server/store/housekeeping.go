package store

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"policebooth/server/app"
)

// idempotentLifetime is how long a stored answer is kept: the 24 hours
// retries are promised, and never longer than the shortest location
// retention, since the answer to POST /assistance-calls carries the
// caller's coordinates.
const idempotentLifetime = min(IdempotencyTTL, app.MinLocationRetentionDays*24*time.Hour)

// sentMessageLifetime is how long a delivered text's record is kept.
const sentMessageLifetime = 7 * 24 * time.Hour

// PurgeSentMessages deletes the records of texts delivered long ago.
func (s *Store) PurgeSentMessages(ctx context.Context, now time.Time) (int64, error) {
	res := s.db.WithContext(ctx).Table("outbox_messages").Where("status = ?", app.MessageSent).
		Where(s.timeBefore("done_at"), dbTime(now.Add(-sentMessageLifetime))).Delete(&app.OutboxMessage{})
	if res.Error != nil {
		return 0, fmt.Errorf("store: purge sent messages: %w", res.Error)
	}
	return res.RowsAffected, nil
}

// prunedRow is where the event log was last pruned through.
type prunedRow struct {
	ID      int `gorm:"primaryKey"`
	TxID    string
	EventID int64
}

func (prunedRow) TableName() string { return "events_pruned" }

// PruneEvents deletes the events written before before, and records the
// position pruned through, so a stream resuming from before it is told to
// reload rather than silently miss what was deleted.
func (s *Store) PruneEvents(ctx context.Context, before time.Time) (int64, error) {
	var n int64
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var last []struct {
			TxText string
			ID     int64
		}
		sel := "'0' AS tx_text, id"
		order := "id DESC"
		if s.postgres {
			sel, order = "tx_id::text AS tx_text, id", "tx_id DESC, id DESC"
		}
		err := tx.Table("events").Select(sel).Where(s.timeBefore("created_at"), dbTime(before)).Order(order).Limit(1).Scan(&last).Error
		if err != nil {
			return fmt.Errorf("store: prune events: %w", err)
		}
		if len(last) == 0 {
			return nil
		}
		q := tx.Where("id <= ?", last[0].ID)
		if s.postgres {
			q = tx.Where("(tx_id, id) <= (?::xid8, ?)", last[0].TxText, last[0].ID)
		}
		res := q.Delete(&app.Event{})
		if res.Error != nil {
			return fmt.Errorf("store: prune events: %w", res.Error)
		}
		n = res.RowsAffected
		return tx.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "id"}}, UpdateAll: true}).
			Create(&prunedRow{ID: 1, TxID: last[0].TxText, EventID: last[0].ID}).Error
	})
	return n, err
}

// EventsPrunedThrough is the position the event log was last pruned
// through; zero if never.
func (s *Store) EventsPrunedThrough(ctx context.Context) (app.EventCursor, error) {
	var rows []prunedRow
	if err := s.db.WithContext(ctx).Where("id = 1").Find(&rows).Error; err != nil {
		return app.EventCursor{}, fmt.Errorf("store: events pruned: %w", err)
	}
	if len(rows) == 0 {
		return app.EventCursor{}, nil
	}
	tx, err := strconv.ParseUint(rows[0].TxID, 10, 64)
	if err != nil {
		return app.EventCursor{}, fmt.Errorf("store: events pruned: %w", err)
	}
	return app.EventCursor{Tx: tx, ID: rows[0].EventID}, nil
}

// PurgeExpired deletes what has run out: refresh tokens past their expiry,
// sessions revoked or unused for longer than a refresh token lives,
// one-time codes past their expiry and throttle windows that have ended.
func (s *Store) PurgeExpired(ctx context.Context, now time.Time) (int64, error) {
	now = dbTime(now)
	db := s.db.WithContext(ctx)
	var total int64
	for _, step := range []struct {
		what string
		q    *gorm.DB
	}{
		{"refresh tokens", db.Where(s.timeBefore("expires_at"), now).Delete(&refreshToken{})},
		{"sessions", db.Where("("+s.timeBefore("revoked_at")+") OR ("+s.timeBefore("last_used_at")+
			" AND NOT EXISTS (SELECT 1 FROM refresh_tokens r WHERE r.session_id = sessions.id))",
			now.Add(-RefreshTokenTTL), now.Add(-RefreshTokenTTL)).Delete(&app.Session{})},
		{"codes", db.Where(s.timeBefore("expires_at"), now).Delete(&phoneCode{})},
		{"throttles", db.Where(s.timeBefore("resets_at"), now).Delete(&throttle{})},
	} {
		if step.q.Error != nil {
			return total, fmt.Errorf("store: purge expired %s: %w", step.what, step.q.Error)
		}
		total += step.q.RowsAffected
	}
	return total, nil
}
