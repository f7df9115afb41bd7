package store

import (
	"context"
	"fmt"
	"slices"
	"time"

	"gorm.io/gorm"

	"policebooth/server/app"
)

// maxFigureDays bounds the days a review charts one by one.
const maxFigureDays = 92

// Figures counts what a booth (or a whole station) did in a period: calls
// and how fast they were acknowledged, requests completed and past their
// target, coverage gaps, and when asked the log entries of its shifts.
func (s *Store) Figures(ctx context.Context, q app.FigureQuery) (*app.Figures, error) {
	if !q.From.Before(q.To) {
		return nil, app.Errorf(app.EINVALID, "from must be before to")
	}
	if q.To.Sub(q.From) > maxFigureDays*24*time.Hour {
		return nil, app.Errorf(app.EINVALID, "a period is at most %d days", maxFigureDays)
	}
	if q.Zone == nil {
		q.Zone = time.UTC
	}
	db := s.db.WithContext(ctx)
	scoped := func(table string) *gorm.DB {
		d := db.Table(table).Where("station_id = ?", q.StationID)
		if q.BoothID != 0 {
			d = d.Where("booth_id = ?", q.BoothID)
		}
		return d
	}
	from, to := dbTime(q.From), dbTime(q.To)

	var calls []struct {
		CreatedAt      time.Time
		AcknowledgedAt *time.Time
	}
	err := scoped("assistance_calls").Select("created_at, acknowledged_at").
		Where(s.timeCompare("created_at", ">="), from).Where(s.timeCompare("created_at", "<"), to).Find(&calls).Error
	if err != nil {
		return nil, fmt.Errorf("store: figures: calls: %w", err)
	}
	f := &app.Figures{Calls: len(calls), Entries: map[string]int{}, Handoffs: map[string]int{}}
	if err := s.handoffFigures(db, q, from, to, f); err != nil {
		return nil, err
	}
	if err := s.counterFigures(db, q, from, to, f); err != nil {
		return nil, err
	}
	var all []int
	hours := make([][]int, 24)
	hourCalls := make([]int, 24)
	days := map[string][]int{}
	dayCalls := map[string]int{}
	for _, c := range calls {
		local := c.CreatedAt.In(q.Zone)
		day := local.Format(time.DateOnly)
		hourCalls[local.Hour()]++
		dayCalls[day]++
		if c.AcknowledgedAt == nil {
			continue
		}
		secs := int(c.AcknowledgedAt.Sub(c.CreatedAt).Round(time.Second) / time.Second)
		all = append(all, secs)
		hours[local.Hour()] = append(hours[local.Hour()], secs)
		days[day] = append(days[day], secs)
	}
	f.Acknowledged = len(all)
	f.AckMedianS = median(all)
	if len(all) > 0 {
		w := slices.Max(all)
		f.AckWorstS = &w
	}
	for h := range 24 {
		f.ByHour = append(f.ByHour, app.Bucket{Label: fmt.Sprintf("%02d", h), Calls: hourCalls[h], AckMedianS: median(hours[h])})
	}
	for _, day := range app.LocalDays(q.From, q.To, q.Zone) {
		f.ByDay = append(f.ByDay, app.Bucket{Label: day, Calls: dayCalls[day], AckMedianS: median(days[day])})
	}

	type figureRequest struct {
		Status        app.RequestStatus
		TargetMinutes int
		CreatedAt     time.Time
		ClosedAt      *time.Time
	}
	var requests, open []figureRequest
	// The whole days already summarized come from request_day_figures;
	// the rest of the period is read live, each read an index range of
	// the period's own rows: requests closed in it, and requests still
	// open; never the station's year.
	covFrom, covTo, err := s.summarizedRequests(db, q, f)
	if err != nil {
		return nil, err
	}
	for _, part := range [][2]time.Time{{from, dbTime(covFrom)}, {dbTime(covTo), to}} {
		if covFrom.Equal(covTo) && part[0].Equal(from) {
			part[1] = to // nothing summarized: the whole period live
		}
		if !part[0].Before(part[1]) {
			continue
		}
		var closed []figureRequest
		err = scoped("service_requests").Select("status, target_minutes, created_at, closed_at").
			Where("closed_at IS NOT NULL").Where(s.timeCompare("closed_at", ">="), part[0]).
			Where(s.timeCompare("closed_at", "<"), part[1]).Where(s.timeCompare("created_at", "<"), to).Find(&closed).Error
		if err != nil {
			return nil, fmt.Errorf("store: figures: requests: %w", err)
		}
		requests = append(requests, closed...)
		if covFrom.Equal(covTo) {
			break
		}
	}
	err = scoped("service_requests").Select("status, target_minutes, created_at, closed_at").
		Where("closed_at IS NULL").Where(s.timeCompare("created_at", "<"), to).Find(&open).Error
	if err != nil {
		return nil, fmt.Errorf("store: figures: open requests: %w", err)
	}
	requests = append(requests, open...)
	end := q.To
	if q.Now.IsZero() {
		q.Now = s.Now()
	}
	if q.Now.Before(end) {
		end = q.Now
	}
	for _, r := range requests {
		target := time.Duration(r.TargetMinutes) * time.Minute
		switch {
		case r.Status == app.RequestCompleted && r.ClosedAt != nil && r.ClosedAt.Before(q.To):
			f.RequestsCompleted++
			if r.ClosedAt.Sub(r.CreatedAt) > target {
				f.RequestsPastTarget++
			}
		case r.ClosedAt == nil && target > 0 && end.Sub(r.CreatedAt) > target:
			f.RequestsPastTarget++
		}
	}

	gaps, err := s.ListGaps(ctx, q.StationID, q.BoothID, q.From, q.To)
	if err != nil {
		return nil, err
	}
	for _, g := range gaps {
		if minutes, in := g.MinutesIn(q.From, q.To, q.Now); in {
			f.Gaps++
			f.GapMinutes += minutes
		}
	}

	if q.Entries || q.ShiftID != 0 {
		if err := s.entryFigures(db, q, f); err != nil {
			return nil, err
		}
	}
	return f, nil
}

// entryFigures counts the log entries by kind of one shift, or of every
// shift that overlaps the period (in SQL, however many there are).
func (s *Store) entryFigures(db *gorm.DB, q app.FigureQuery, f *app.Figures) error {
	e := db.Table("shift_entries").Select("shift_entries.kind, COUNT(*) AS n").Group("shift_entries.kind")
	if q.ShiftID != 0 {
		e = e.Where("shift_entries.shift_id = ? AND shift_entries.station_id = ?", q.ShiftID, q.StationID)
	} else {
		shifts := s.overlappingShifts(db.Table("shifts").Select("id"), app.ShiftFilter{
			StationID: q.StationID, BoothID: q.BoothID, OfficerID: q.OfficerID, From: q.From, To: q.To})
		e = e.Where("shift_entries.shift_id IN (?)", shifts)
	}
	var kinds []struct {
		Kind string
		N    int
	}
	if err := e.Find(&kinds).Error; err != nil {
		return fmt.Errorf("store: figures: entries: %w", err)
	}
	for _, k := range kinds {
		f.Entries[k.Kind] = k.N
	}
	return nil
}

// median of seconds, nil for none.
func median(xs []int) *int {
	if len(xs) == 0 {
		return nil
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	m := s[len(s)/2]
	if len(s)%2 == 0 {
		m = (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	return &m
}
