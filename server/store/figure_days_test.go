package store_test

import (
	"context"
	"testing"
	"time"

	"policebooth/server/app"
	"policebooth/server/store"
)

// TestSummarizedDaysEqualAFullRecount: over the demo's month, the head's
// request figures read from the days summarized by the job equal the same
// figures counted from every request, for the station and each booth, for
// periods that start and end inside days; and the job writes each day
// once, a bounded number of days a run.
func TestSummarizedDaysEqualAFullRecount(t *testing.T) {
	st := open(t)
	ctx := context.Background()
	now := clockOf(t).Now()
	demoAt(t, st, now, &blobMap{})
	var station app.Station
	if err := st.DB().Where("name = ?", store.DemoStationName).First(&station).Error; err != nil {
		t.Fatal(err)
	}
	zone, err := time.LoadLocation(station.TimeZone)
	if err != nil {
		t.Fatal(err)
	}
	var booths []int64
	st.DB().Model(&app.Booth{}).Where("station_id = ?", station.ID).Order("id").Pluck("id", &booths)
	type period struct {
		name     string
		from, to time.Time
		booth    int64
	}
	today := time.Date(now.In(zone).Year(), now.In(zone).Month(), now.In(zone).Day(), 0, 0, 0, 0, zone)
	periods := []period{
		{"the last 7 days", today.AddDate(0, 0, -6), today.AddDate(0, 0, 1), 0},
		{"the month", today.AddDate(0, 0, -30), today.AddDate(0, 0, 1), 0},
		{"booth A's month", today.AddDate(0, 0, -30), today.AddDate(0, 0, 1), booths[0]},
		{"booth B's fortnight", today.AddDate(0, 0, -14), today, booths[1]},
		{"from mid-morning to mid-afternoon days later", today.AddDate(0, 0, -20).Add(10 * time.Hour), today.AddDate(0, 0, -3).Add(15 * time.Hour), 0},
	}
	figures := func(p period) *app.Figures {
		t.Helper()
		f, err := st.Figures(ctx, app.FigureQuery{StationID: station.ID, BoothID: p.booth, From: p.from, To: p.to, Zone: zone, Now: now})
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	live := map[string]*app.Figures{}
	for _, p := range periods {
		live[p.name] = figures(p)
		// The recount, straight from the requests.
		q := st.DB().Table("service_requests").Where("station_id = ? AND status = 'completed' AND closed_at IS NOT NULL", station.ID)
		if p.booth != 0 {
			q = q.Where("booth_id = ?", p.booth)
		}
		var closed []struct{ ClosedAt time.Time }
		if err := q.Select("closed_at").Find(&closed).Error; err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, r := range closed {
			if !r.ClosedAt.Before(p.from) && r.ClosedAt.Before(p.to) {
				n++
			}
		}
		if live[p.name].RequestsCompleted != n || n == 0 {
			t.Fatalf("%s: %d completed live, %d recounted; want equal and some", p.name, live[p.name].RequestsCompleted, n)
		}
	}

	runs, written := 0, 0
	for {
		n, err := st.SummarizeRequestDays(ctx, now)
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			break
		}
		if n > 31 {
			t.Fatalf("a run wrote %d days, more than a month", n)
		}
		runs, written = runs+1, written+n
	}
	if written < 28 {
		t.Fatalf("%d days summarized in %d runs, want the month", written, runs)
	}
	var rows int64
	st.DB().Table("request_day_figures").Where("station_id = ?", station.ID).Count(&rows)
	if rows == 0 {
		t.Fatal("no day summarized: the figures below read everything live")
	}
	for _, p := range periods {
		got := figures(p)
		if got.RequestsCompleted != live[p.name].RequestsCompleted || got.RequestsPastTarget != live[p.name].RequestsPastTarget {
			t.Errorf("%s: summarized %d completed, %d past target; counted %d and %d", p.name,
				got.RequestsCompleted, got.RequestsPastTarget, live[p.name].RequestsCompleted, live[p.name].RequestsPastTarget)
		}
	}
	// The figures do read the days: a day's count changed by hand shows
	// in the month's figure.
	var day string
	st.DB().Table("request_day_figures").Where("station_id = ?", station.ID).Order("day DESC").Limit(1).Pluck("day", &day)
	if err := st.DB().Exec("UPDATE request_day_figures SET completed = completed + 1000 WHERE station_id = ? AND day = ?",
		station.ID, day).Error; err != nil {
		t.Fatal(err)
	}
	if got, want := figures(periods[1]).RequestsCompleted, live[periods[1].name].RequestsCompleted+1000*int(rowsOn(t, st, station.ID, day)); got != want {
		t.Errorf("the days summarized on %s changed by 1000 each: %d completed, want %d", day, got, want)
	}
	if n, err := st.SummarizeRequestDays(ctx, now.Add(time.Hour)); err != nil || n != 0 {
		t.Errorf("a run within the same day wrote %d days, %v; want none", n, err)
	}
}

func rowsOn(t *testing.T, st *store.Store, station int64, day string) int64 {
	t.Helper()
	var n int64
	if err := st.DB().Table("request_day_figures").Where("station_id = ? AND day = ?", station, day).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}
