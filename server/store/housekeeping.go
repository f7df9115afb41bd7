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
	n, err := s.deleteInBatches(ctx, "outbox_messages", "status = ? AND "+s.timeBefore("done_at"), app.MessageSent, dbTime(now.Add(-sentMessageLifetime)))
	if err != nil {
		return n, fmt.Errorf("store: purge sent messages: %w", err)
	}
	return n, nil
}

// prunedRow is where the event log was last pruned through.
type prunedRow struct {
	ID      int `gorm:"primaryKey"`
	TxID    string
	EventID int64
}

func (prunedRow) TableName() string { return "events_pruned" }

// pruneBatch is how many rows one transaction of a prune deletes: small
// enough that each holds its row locks for milliseconds, so writers (and
// the stream's readers) never wait behind a year's backlog.
const pruneBatch = 5000

// PruneEvents deletes the events written before before, in batches of
// pruneBatch, each in its own short transaction that also records the
// position pruned through, so a stream resuming from before it is told to
// reload rather than silently miss what was deleted.
func (s *Store) PruneEvents(ctx context.Context, before time.Time) (int64, error) {
	var last []struct {
		TxText string
		ID     int64
	}
	sel, order := "'0' AS tx_text, id", "id DESC"
	if s.postgres {
		sel, order = "tx_id::text AS tx_text, id", "tx_id DESC, id DESC"
	}
	err := s.db.WithContext(ctx).Table("events").Select(sel).Where(s.timeBefore("created_at"), dbTime(before)).Order(order).Limit(1).Scan(&last).Error
	if err != nil {
		return 0, fmt.Errorf("store: prune events: %w", err)
	}
	if len(last) == 0 {
		return 0, nil
	}
	through := func(q *gorm.DB, tx string, id int64) *gorm.DB {
		if s.postgres {
			return q.Where("(tx_id, id) <= (?::xid8, ?)", tx, id)
		}
		return q.Where("id <= ?", id)
	}
	ascending := "id"
	if s.postgres {
		ascending = "tx_id, id"
	}
	var total int64
	for {
		done := false
		err := s.tx(ctx, func(tx *gorm.DB) error {
			// This batch ends at the pruneBatch-th oldest event up to the
			// target, or at the target itself.
			var next []struct {
				TxText string
				ID     int64
			}
			err := through(tx.Table("events"), last[0].TxText, last[0].ID).Select(sel).Order(ascending).
				Offset(pruneBatch - 1).Limit(1).Scan(&next).Error
			if err != nil {
				return fmt.Errorf("store: prune events: %w", err)
			}
			if len(next) == 0 {
				next, done = last, true
			}
			res := through(tx, next[0].TxText, next[0].ID).Delete(&app.Event{})
			if res.Error != nil {
				return fmt.Errorf("store: prune events: %w", res.Error)
			}
			total += res.RowsAffected
			return tx.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "id"}}, UpdateAll: true}).
				Create(&prunedRow{ID: 1, TxID: next[0].TxText, EventID: next[0].ID}).Error
		})
		if err != nil || done {
			return total, err
		}
	}
}

// deleteInBatches deletes the rows of table that match where, pruneBatch
// at a time, each batch its own statement (and so its own transaction),
// so that a large backlog never holds locks for long.
func (s *Store) deleteInBatches(ctx context.Context, table, where string, args ...any) (int64, error) {
	row := "rowid"
	if s.postgres {
		row = "ctid"
	}
	q := fmt.Sprintf("DELETE FROM %[1]s WHERE %[2]s IN (SELECT %[2]s FROM %[1]s WHERE %[3]s LIMIT %[4]d)", table, row, where, pruneBatch)
	var total int64
	for {
		res := s.db.WithContext(ctx).Exec(q, args...)
		if res.Error != nil {
			return total, res.Error
		}
		total += res.RowsAffected
		if res.RowsAffected < pruneBatch {
			return total, nil
		}
	}
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
