package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"policebooth/server/app"
)

// summarizeDaysPerRun bounds one run's work per station: a first run on a
// year of history catches up a month at a time.
const summarizeDaysPerRun = 31

// requestDay is one station's, booth's and local day's completed requests.
type requestDay struct {
	StationID     int64  `gorm:"primaryKey"`
	Day           string `gorm:"primaryKey"`
	BoothID       int64  `gorm:"primaryKey"`
	Completed     int
	CompletedLate int
}

func (requestDay) TableName() string { return "request_day_figures" }

// requestDaysThrough is the last local day summarized at a station.
type requestDaysThrough struct {
	StationID int64 `gorm:"primaryKey"`
	Day       string
}

func (requestDaysThrough) TableName() string { return "request_figures_through" }

// SummarizeRequestDays writes, for each station, the requests completed
// (and completed past their target) per booth and local day, for the days
// that are over and not yet written, at most summarizeDaysPerRun days a
// station a run. A completed request never changes again, so a day once
// over is final. It answers how many days it wrote.
func (s *Store) SummarizeRequestDays(ctx context.Context, now time.Time) (int, error) {
	db := s.db.WithContext(ctx)
	var stations []app.Station
	if err := db.Order("id").Find(&stations).Error; err != nil {
		return 0, fmt.Errorf("store: summarize days: %w", err)
	}
	written := 0
	for _, st := range stations {
		zone, err := time.LoadLocation(st.TimeZone)
		if err != nil {
			zone = time.UTC
		}
		n, err := s.summarizeStationDays(ctx, st.ID, zone, now)
		if err != nil {
			return written, err
		}
		written += n
	}
	return written, nil
}

func (s *Store) summarizeStationDays(ctx context.Context, stationID int64, zone *time.Location, now time.Time) (int, error) {
	today := localMidnight(now, zone)
	var through []requestDaysThrough
	if err := s.db.WithContext(ctx).Where("station_id = ?", stationID).Find(&through).Error; err != nil {
		return 0, fmt.Errorf("store: summarize days: %w", err)
	}
	var first time.Time
	if len(through) == 1 {
		last, err := time.ParseInLocation(time.DateOnly, through[0].Day, zone)
		if err != nil {
			return 0, fmt.Errorf("store: summarize days: %w", err)
		}
		first = last.AddDate(0, 0, 1)
	} else {
		var earliest []time.Time
		err := s.db.WithContext(ctx).Table("service_requests").Where("station_id = ? AND closed_at IS NOT NULL", stationID).
			Order(s.timeSort("closed_at")).Limit(1).Pluck("closed_at", &earliest).Error
		if err != nil {
			return 0, fmt.Errorf("store: summarize days: %w", err)
		}
		first = today
		if len(earliest) == 1 {
			first = localMidnight(earliest[0], zone)
		}
	}
	end := first.AddDate(0, 0, summarizeDaysPerRun) // exclusive
	if end.After(today) {
		end = today
	}
	if !first.Before(end) {
		return 0, nil
	}
	days := 0
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var done []struct {
			BoothID       int64
			TargetMinutes int
			CreatedAt     time.Time
			ClosedAt      time.Time
		}
		err := tx.Table("service_requests").Select("booth_id, target_minutes, created_at, closed_at").
			Where("station_id = ? AND status = ? AND closed_at IS NOT NULL", stationID, app.RequestCompleted).
			Where(s.timeCompare("closed_at", ">="), dbTime(first)).Where(s.timeCompare("closed_at", "<"), dbTime(end)).Find(&done).Error
		if err != nil {
			return fmt.Errorf("store: summarize days: %w", err)
		}
		rows := map[[2]any]*requestDay{}
		for _, r := range done {
			day := r.ClosedAt.In(zone).Format(time.DateOnly)
			key := [2]any{day, r.BoothID}
			row := rows[key]
			if row == nil {
				row = &requestDay{StationID: stationID, Day: day, BoothID: r.BoothID}
				rows[key] = row
			}
			row.Completed++
			if r.ClosedAt.Sub(r.CreatedAt) > time.Duration(r.TargetMinutes)*time.Minute {
				row.CompletedLate++
			}
		}
		list := make([]requestDay, 0, len(rows))
		for _, row := range rows {
			list = append(list, *row)
		}
		if len(list) > 0 {
			err := tx.Clauses(clause.OnConflict{UpdateAll: true}).CreateInBatches(&list, 500).Error
			if err != nil {
				return fmt.Errorf("store: summarize days: %w", err)
			}
		}
		last := end.AddDate(0, 0, -1).Format(time.DateOnly)
		for d := first; d.Before(end); d = d.AddDate(0, 0, 1) {
			days++
		}
		return tx.Clauses(clause.OnConflict{UpdateAll: true}).Create(&requestDaysThrough{StationID: stationID, Day: last}).Error
	})
	return days, err
}

// summarizedRequests adds to f the requests completed in the whole local
// days of [from, to) that are summarized, and answers the part of the
// period it covered, [covFrom, covTo); covFrom == covTo when none.
func (s *Store) summarizedRequests(db *gorm.DB, q app.FigureQuery, f *app.Figures) (covFrom, covTo time.Time, err error) {
	var through []requestDaysThrough
	if err := db.Where("station_id = ?", q.StationID).Find(&through).Error; err != nil {
		return q.From, q.From, fmt.Errorf("store: figures: summarized days: %w", err)
	}
	if len(through) == 0 {
		return q.From, q.From, nil
	}
	// The days are the station's own; a period counted in another zone
	// reads everything live.
	var zone []string
	if err := db.Model(&app.Station{}).Where("id = ?", q.StationID).Pluck("time_zone", &zone).Error; err != nil {
		return q.From, q.From, fmt.Errorf("store: figures: summarized days: %w", err)
	}
	if len(zone) != 1 || zone[0] != q.Zone.String() {
		return q.From, q.From, nil
	}
	last, err := time.ParseInLocation(time.DateOnly, through[0].Day, q.Zone)
	if err != nil {
		return q.From, q.From, fmt.Errorf("store: figures: summarized days: %w", err)
	}
	covFrom = localMidnight(q.From, q.Zone)
	if covFrom.Before(q.From) {
		covFrom = covFrom.AddDate(0, 0, 1)
	}
	covTo = localMidnight(q.To, q.Zone)
	if end := last.AddDate(0, 0, 1); covTo.After(end) {
		covTo = end
	}
	if !covFrom.Before(covTo) {
		return q.From, q.From, nil
	}
	d := db.Table("request_day_figures").Where("station_id = ? AND day >= ? AND day < ?", q.StationID,
		covFrom.Format(time.DateOnly), covTo.Format(time.DateOnly))
	if q.BoothID != 0 {
		d = d.Where("booth_id = ?", q.BoothID)
	}
	var sum struct{ Completed, Late int }
	if err := d.Select("COALESCE(SUM(completed), 0) AS completed, COALESCE(SUM(completed_late), 0) AS late").Scan(&sum).Error; err != nil {
		return q.From, q.From, fmt.Errorf("store: figures: summarized days: %w", err)
	}
	f.RequestsCompleted += sum.Completed
	f.RequestsPastTarget += sum.Late
	return covFrom, covTo, nil
}

// localMidnight is the start of t's day in zone.
func localMidnight(t time.Time, zone *time.Location) time.Time {
	y, m, d := t.In(zone).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, zone)
}
