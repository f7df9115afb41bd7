package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm/clause"
)

// jobRow is one periodic job's schedule, shared by every instance.
type jobRow struct {
	Name          string `gorm:"primaryKey"`
	NextRunAt     time.Time
	LastSuccessAt *time.Time
}

func (jobRow) TableName() string { return "job_schedule" }

// ClaimJob takes a job's run due at now for this instance: a conditional
// update moves its next run to next, so across instances one takes each
// run. It reports whether this instance got it.
func (s *Store) ClaimJob(ctx context.Context, name string, now, next time.Time) (bool, error) {
	db := s.db.WithContext(ctx)
	err := db.Clauses(clause.OnConflict{DoNothing: true}).Create(&jobRow{Name: name, NextRunAt: dbTime(time.Unix(0, 0))}).Error
	if err != nil {
		return false, fmt.Errorf("store: claim job %s: %w", name, err)
	}
	res := db.Model(&jobRow{}).Where("name = ?", name).Where(s.timeCompare("next_run_at", "<="), dbTime(now)).
		Update("next_run_at", dbTime(next))
	if res.Error != nil {
		return false, fmt.Errorf("store: claim job %s: %w", name, res.Error)
	}
	return res.RowsAffected == 1, nil
}

// JobSucceeded records a job's successful run.
func (s *Store) JobSucceeded(ctx context.Context, name string, at time.Time) error {
	at = dbTime(at)
	err := s.db.WithContext(ctx).Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "name"}},
		DoUpdates: clause.Assignments(map[string]any{"last_success_at": at})}).
		Create(&jobRow{Name: name, NextRunAt: at, LastSuccessAt: &at}).Error
	if err != nil {
		return fmt.Errorf("store: job %s succeeded: %w", name, err)
	}
	return nil
}

// JobLastSuccess is when a job last succeeded on any instance; zero if
// never.
func (s *Store) JobLastSuccess(ctx context.Context, name string) (time.Time, error) {
	var rows []jobRow
	if err := s.db.WithContext(ctx).Where("name = ?", name).Limit(1).Find(&rows).Error; err != nil {
		return time.Time{}, fmt.Errorf("store: job %s: %w", name, err)
	}
	if len(rows) == 0 || rows[0].LastSuccessAt == nil {
		return time.Time{}, nil
	}
	return *rows[0].LastSuccessAt, nil
}
