package store

import (
	"context"
	"fmt"
	"math"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"policebooth/server/app"
)

var _ app.ThrottleService = (*Store)(nil)

// throttle counts the attempts of one bucket ("login:phone:138…",
// "login:ip:1.2.3.4") in a fixed window that ends at ResetsAt.
type throttle struct {
	Bucket   string `gorm:"primaryKey"`
	Hits     int
	ResetsAt time.Time
}

// Throttle records an attempt in bucket, or refuses it with ERATELIMIT and
// the time until the window ends once limit attempts are in. Refused
// attempts are not counted, so a flood does not stretch the wait.
//
// The bucket's row is locked for the transaction (FOR UPDATE on
// PostgreSQL, the immediate write lock on SQLite), so instances sharing
// the database never let more than limit attempts through together.
func (s *Store) Throttle(ctx context.Context, bucket string, limit int, window time.Duration) (time.Duration, error) {
	if limit < 1 || window <= 0 {
		return 0, fmt.Errorf("store: throttle %s: limit %d per %v limits nothing", bucket, limit, window)
	}
	now := s.Now()
	var retry time.Duration
	err := s.tx(ctx, func(tx *gorm.DB) error {
		err := tx.Clauses(clause.OnConflict{DoNothing: true}).
			Create(&throttle{Bucket: bucket, ResetsAt: now.Add(window)}).Error
		if err != nil {
			return fmt.Errorf("store: throttle: %w", err)
		}
		var t throttle
		q := tx
		if s.postgres {
			q = q.Clauses(clause.Locking{Strength: clause.LockingStrengthUpdate})
		}
		if err := q.Where("bucket = ?", bucket).First(&t).Error; err != nil {
			return fmt.Errorf("store: throttle: %w", err)
		}
		if !now.Before(t.ResetsAt) {
			t.Hits, t.ResetsAt = 0, now.Add(window)
		}
		if t.Hits >= limit {
			retry = t.ResetsAt.Sub(now)
			return nil
		}
		err = tx.Model(&throttle{}).Where("bucket = ?", bucket).
			Updates(map[string]any{"hits": t.Hits + 1, "resets_at": t.ResetsAt}).Error
		if err != nil {
			return fmt.Errorf("store: throttle: %w", err)
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	// Forget windows that have ended, outside the transaction so it never
	// waits on another bucket's lock while holding its own.
	if err := s.db.WithContext(ctx).Where(s.timeBefore("resets_at"), now).Delete(&throttle{}).Error; err != nil {
		return 0, fmt.Errorf("store: throttle: purge: %w", err)
	}
	if retry > 0 {
		return retry, app.Errorf(app.ERATELIMIT, "too many attempts; try again in %d seconds", int(math.Ceil(retry.Seconds())))
	}
	return 0, nil
}

// RefundThrottle takes one attempt back from a bucket: an attempt counted
// before its outcome was known that turned out not to count (a sign-in
// that succeeded). A bucket without attempts stays as it is.
func (s *Store) RefundThrottle(ctx context.Context, bucket string) error {
	err := s.db.WithContext(ctx).Model(&throttle{}).Where("bucket = ? AND hits > 0", bucket).
		Update("hits", gorm.Expr("hits - 1")).Error
	if err != nil {
		return fmt.Errorf("store: refund throttle: %w", err)
	}
	return nil
}

// ClearThrottle forgets a bucket's attempts.
func (s *Store) ClearThrottle(ctx context.Context, bucket string) error {
	if err := s.db.WithContext(ctx).Where("bucket = ?", bucket).Delete(&throttle{}).Error; err != nil {
		return fmt.Errorf("store: clear throttle: %w", err)
	}
	return nil
}

// timeBefore returns a condition that column holds a time before the query
// argument.
func (s *Store) timeBefore(column string) string { return s.timeCompare(column, "<") }

// timeCompare returns a condition comparing column with a time argument.
// SQLite keeps times as RFC 3339 text, which does not sort as text
// (fractions of a second vary in length), so there the condition compares
// julianday() values, to the millisecond.
func (s *Store) timeCompare(column, op string) string {
	if s.postgres {
		return column + " " + op + " ?"
	}
	return "julianday(" + column + ") " + op + " julianday(?)"
}

// ThrottleHits returns the attempts counted in a bucket's window as of now
// (0 once it has ended or when none were made).
func (s *Store) ThrottleHits(ctx context.Context, bucket string, now time.Time) (int, error) {
	var t throttle
	err := s.db.WithContext(ctx).Where("bucket = ?", bucket).Limit(1).Find(&t).Error
	if err != nil {
		return 0, fmt.Errorf("store: throttle hits: %w", err)
	}
	if t.Bucket == "" || !dbTime(now).Before(t.ResetsAt) {
		return 0, nil
	}
	return t.Hits, nil
}
