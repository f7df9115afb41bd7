package store

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"time"

	"gorm.io/gorm"

	"policebooth/server/app"
)

// counterFigures counts the counter's visits and ratings of a period into
// f: waits from arrival to call, visits from arrival to completion against
// the station's visit target, service times per service, no-shows, and the
// ratings with their satisfaction rate. Who rated is not read.
func (s *Store) counterFigures(db *gorm.DB, q app.FigureQuery, from, to time.Time, f *app.Figures) error {
	scoped := func(table string) *gorm.DB {
		d := db.Table(table).Where(table+".station_id = ?", q.StationID)
		if q.BoothID != 0 {
			d = d.Where(table+".booth_id = ?", q.BoothID)
		}
		return d
	}
	var target int
	if err := db.Model(&app.Station{}).Where("id = ?", q.StationID).Pluck("visit_target_minutes", &target).Error; err != nil {
		return fmt.Errorf("store: figures: visit target: %w", err)
	}
	v := app.CounterFigures{TargetMinutes: target, ServiceMinutes: []app.ServiceMedian{}}
	var visits []struct {
		ID        int64
		ArrivedAt time.Time
		CalledAt  *time.Time
		ClosedAt  time.Time
		Code      string
		N         int
	}
	err := scoped("service_requests").
		Select("service_requests.id, arrived_at, called_at, closed_at, rs.code, (SELECT COUNT(*) FROM request_services x WHERE x.request_id = service_requests.id) AS n").
		Joins("JOIN request_services rs ON rs.request_id = service_requests.id").
		Where("status = ? AND arrived_at IS NOT NULL AND closed_at IS NOT NULL", app.RequestCompleted).
		Where(s.timeCompare("closed_at", ">="), from).Where(s.timeCompare("closed_at", "<"), to).
		Order("service_requests.id").Find(&visits).Error
	if err != nil {
		return fmt.Errorf("store: figures: visits: %w", err)
	}
	var waits, whole []float64
	within := 0
	perService := map[string][]float64{}
	last := int64(0)
	for _, r := range visits {
		if r.CalledAt != nil && r.N > 0 {
			perService[r.Code] = append(perService[r.Code], r.ClosedAt.Sub(*r.CalledAt).Minutes()/float64(r.N))
		}
		if r.ID == last {
			continue // one row per service; the visit counts once
		}
		last = r.ID
		v.Visits++
		minutes := r.ClosedAt.Sub(r.ArrivedAt).Minutes()
		whole = append(whole, minutes)
		if minutes <= float64(target) {
			within++
		}
		if r.CalledAt != nil {
			waits = append(waits, r.CalledAt.Sub(r.ArrivedAt).Minutes())
		}
	}
	v.MedianWaitMinutes, v.MedianVisitMinutes = medianMinutes(waits), medianMinutes(whole)
	if v.Visits > 0 {
		share := float64(within) / float64(v.Visits)
		v.WithinTargetShare = &share
	}
	codes := make([]string, 0, len(perService))
	for c := range perService {
		codes = append(codes, c)
	}
	slices.Sort(codes)
	for _, c := range codes {
		v.ServiceMinutes = append(v.ServiceMinutes, app.ServiceMedian{Code: c, Visits: len(perService[c]), Minutes: *medianMinutes(perService[c])})
	}
	var noShows int64
	err = scoped("service_requests").Where("status = ?", app.RequestNoShow).
		Where(s.timeCompare("closed_at", ">="), from).Where(s.timeCompare("closed_at", "<"), to).Count(&noShows).Error
	if err != nil {
		return fmt.Errorf("store: figures: no-shows: %w", err)
	}
	v.NoShows = int(noShows)
	f.Visits = v

	var ratings []struct {
		Score      int
		Unanswered bool
	}
	err = scoped("ratings").Select("score, (responded_at IS NULL) AS unanswered").
		Where(s.timeCompare("created_at", ">="), from).Where(s.timeCompare("created_at", "<"), to).Find(&ratings).Error
	if err != nil {
		return fmt.Errorf("store: figures: ratings: %w", err)
	}
	rf := app.RatingFigures{ByScore: map[string]int{"1": 0, "2": 0, "3": 0, "4": 0, "5": 0}}
	good := 0
	for _, r := range ratings {
		rf.Count++
		rf.ByScore[strconv.Itoa(r.Score)]++
		if r.Score >= 4 {
			good++
		}
		if r.Score <= 2 && r.Unanswered {
			rf.Unanswered++
		}
	}
	if rf.Count > 0 {
		sat := float64(good) / float64(rf.Count)
		rf.Satisfaction = &sat
	}
	f.Ratings = rf
	return nil
}

// medianMinutes is the median of minutes, rounded to a tenth; nil for none.
func medianMinutes(xs []float64) *float64 {
	if len(xs) == 0 {
		return nil
	}
	m := app.Median(xs)
	m = math.Round(m*10) / 10
	return &m
}
