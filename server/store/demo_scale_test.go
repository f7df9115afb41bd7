package store_test

import (
	"context"
	"testing"
	"time"

	"policebooth/server/app"
	"policebooth/server/store"
	"policebooth/server/store/storetest"
)

// TestDemoScaleIsADistrictTheJobsHaveNothingToCatchUpOn: the tiny scale
// behind the demo writes three stations' month whose rows all point at
// rows that exist, keeps the demo's people clean in the present, leaves
// officers on duty at every generated booth, and leaves the jobs nothing
// to catch up on: no event past the replay window, no location past its
// retention, no gap to open at a generated booth. A second load changes
// nothing.
func TestDemoScaleIsADistrictTheJobsHaveNothingToCatchUpOn(t *testing.T) {
	st := open(t)
	if !st.Postgres() {
		t.Skip("the generator writes PostgreSQL")
	}
	ctx := context.Background()
	now := clockOf(t).Now()
	demoAt(t, st, now, &blobMap{})
	sc, err := store.FindDemoScale("tiny")
	if err != nil {
		t.Fatal(err)
	}
	const replay = 7 * 24 * time.Hour
	if err := st.LoadDemoScale(ctx, storetest.Logger(t), sc, now, replay); err != nil {
		t.Fatal(err)
	}

	if n := countRows(t, st, "stations", ""); n != 3 {
		t.Errorf("%d stations, want 3", n)
	}
	if n := countRows(t, st, "booths", ""); n != 15 {
		t.Errorf("%d booths, want 15", n)
	}
	if n := countRows(t, st, "users", "phone LIKE '153%'"); n != int64(sc.Residents) {
		t.Errorf("%d generated residents, want %d", n, sc.Residents)
	}
	for table, least := range map[string]int64{"service_requests": 5000, "assistance_calls": 1500, "shifts": 1500,
		"timeline_entries": 15000, "call_entries": 8000, "shift_entries": 5000, "events": 1000, "audit_entries": 3000} {
		if n := countRows(t, st, table, ""); n < least {
			t.Errorf("%d %s, want at least %d", n, table, least)
		}
	}

	orphans := map[string]string{
		"request's booth or station":          `SELECT count(*) FROM service_requests r LEFT JOIN booths b ON b.id = r.booth_id AND b.station_id = r.station_id WHERE b.id IS NULL`,
		"request's resident":                  `SELECT count(*) FROM service_requests r LEFT JOIN users u ON u.id = r.resident_id AND u.role = 'resident' WHERE u.id IS NULL`,
		"request's officer":                   `SELECT count(*) FROM service_requests r LEFT JOIN users u ON u.id = r.assignee_id AND u.station_id = r.station_id WHERE r.assignee_id IS NOT NULL AND u.id IS NULL`,
		"timeline's request":                  `SELECT count(*) FROM timeline_entries e LEFT JOIN service_requests r ON r.id = e.request_id AND r.station_id = e.station_id WHERE r.id IS NULL`,
		"request's services":                  `SELECT count(*) FROM service_requests r WHERE NOT EXISTS (SELECT 1 FROM request_services s WHERE s.request_id = r.id)`,
		"call's caller":                       `SELECT count(*) FROM assistance_calls c LEFT JOIN users u ON u.id = c.caller_id AND u.role = 'resident' WHERE u.id IS NULL`,
		"call's booth":                        `SELECT count(*) FROM assistance_calls c LEFT JOIN booths b ON b.id = c.booth_id AND b.station_id = c.station_id WHERE b.id IS NULL`,
		"call entry's call":                   `SELECT count(*) FROM call_entries e LEFT JOIN assistance_calls c ON c.id = e.call_id WHERE c.id IS NULL`,
		"shift's officer at station":          `SELECT count(*) FROM shifts s JOIN booths b ON b.id = s.booth_id LEFT JOIN users u ON u.id = s.officer_id AND u.station_id = b.station_id WHERE u.id IS NULL`,
		"log entry's shift":                   `SELECT count(*) FROM shift_entries e LEFT JOIN shifts s ON s.id = e.shift_id AND s.station_id = e.station_id WHERE s.id IS NULL`,
		"resident's home booth":               `SELECT count(*) FROM users u LEFT JOIN booths b ON b.id = u.home_booth_id WHERE u.phone LIKE '153%' AND b.id IS NULL`,
		"ticket past its counter":             `SELECT count(*) FROM service_requests r LEFT JOIN ticket_counters c ON c.booth_id = r.booth_id AND c.day = r.ticket_day WHERE c.last IS NULL OR r.ticket_no > c.last`,
		"entry in a sealed log after sealing": `SELECT count(*) FROM shift_entries e JOIN shifts s ON s.id = e.shift_id WHERE s.signed_off_at IS NOT NULL AND e.created_at > s.signed_off_at`,
	}
	for what, q := range orphans {
		var n int64
		if err := st.DB().Raw(q).Scan(&n).Error; err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if n != 0 {
			t.Errorf("%d rows whose %s is missing or wrong", n, what)
		}
	}

	// The present: demo people clean, generated booths staffed.
	if n := countRows(t, st, "service_requests", "closed_at IS NULL AND resident_id IN (SELECT id FROM users WHERE phone LIKE '139%')"); n != 0 {
		t.Errorf("demo residents have %d open requests", n)
	}
	if n := countRows(t, st, "assistance_calls", "closed_at IS NULL"); n != 0 {
		t.Errorf("%d calls open in the present", n)
	}
	if n := countRows(t, st, "shifts", "ended_at IS NULL AND officer_id IN (SELECT id FROM users WHERE phone LIKE '138%')"); n != 0 {
		t.Errorf("%d demo officers on duty", n)
	}
	if n := countRows(t, st, "shifts", "ended_at IS NULL"); n != 13 {
		t.Errorf("%d officers on duty, want one at each of the 13 generated booths", n)
	}
	if n := countRows(t, st, "service_requests", "closed_at IS NULL AND booth_id IN (SELECT id FROM booths WHERE name IN ('C', 'D', 'E'))"); n == 0 {
		t.Error("no open request in the generated queues: the queue pages measure nothing")
	}

	// Nothing for the jobs to catch up on.
	if n := countRows(t, st, "events", "created_at < ?", now.Add(-replay)); n != 0 {
		t.Errorf("%d events older than the replay window", n)
	}
	if n, err := st.PruneEvents(ctx, now.Add(-replay)); err != nil || n != 0 {
		t.Errorf("prune events: %d, %v; want nothing to do", n, err)
	}
	if n, err := st.PurgeCallLocations(ctx, now); err != nil || n != 0 {
		t.Errorf("purge call locations: %d, %v; want nothing to do", n, err)
	}
	if n := countRows(t, st, "notices", "announced_at IS NULL"); n != 0 {
		t.Errorf("%d notices not announced", n)
	}
	if n, err := st.SummarizeRequestDays(ctx, now); err != nil || n != 0 {
		t.Errorf("summarize days: %d, %v; want nothing to do", n, err)
	}
	// The days written by the generator equal a full recount through the
	// figures, which read them (the summary) or every request (live).
	var stationIDs []int64
	st.DB().Table("stations").Order("id").Pluck("id", &stationIDs)
	zone, _ := time.LoadLocation("Asia/Shanghai")
	today := time.Date(now.In(zone).Year(), now.In(zone).Month(), now.In(zone).Day(), 0, 0, 0, 0, zone)
	for _, id := range stationIDs {
		q := app.FigureQuery{StationID: id, From: today.AddDate(0, 0, -20), To: today.AddDate(0, 0, 1), Zone: zone, Now: now}
		summarized, err := st.Figures(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		q.Zone = time.FixedZone("CST", 8*3600) // the same days, but not the station's zone by name: read live
		counted, err := st.Figures(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		if summarized.RequestsCompleted != counted.RequestsCompleted || summarized.RequestsPastTarget != counted.RequestsPastTarget || counted.RequestsCompleted == 0 {
			t.Errorf("station %d: summarized %d completed, %d late; counted %d, %d", id, summarized.RequestsCompleted,
				summarized.RequestsPastTarget, counted.RequestsCompleted, counted.RequestsPastTarget)
		}
	}
	gaps, err := st.FindGaps(ctx, now)
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range gaps {
		if countRows(t, st, "booths", "id = ? AND name IN ('A', 'B') AND station_id = (SELECT id FROM stations WHERE name = ?)", g.BoothID, store.DemoStationName) == 0 {
			t.Errorf("a gap opened at generated booth %d: its shifts do not cover the present", g.BoothID)
		}
	}

	before := countRows(t, st, "service_requests", "")
	if err := st.LoadDemoScale(ctx, storetest.Logger(t), sc, now, replay); err != nil {
		t.Fatal(err)
	}
	if after := countRows(t, st, "service_requests", ""); after != before {
		t.Errorf("a second load wrote %d requests more", after-before)
	}
}

// TestDemoScaleIsDeterministic: two loads at the same now write the same
// rows.
func TestDemoScaleIsDeterministic(t *testing.T) {
	first, second := open(t), open(t)
	if !first.Postgres() {
		t.Skip("the generator writes PostgreSQL")
	}
	ctx := context.Background()
	now := clockOf(t).Now()
	sc, err := store.FindDemoScale("tiny")
	if err != nil {
		t.Fatal(err)
	}
	digest := func(st *store.Store) map[string]string {
		t.Helper()
		demoAt(t, st, now, &blobMap{})
		if err := st.LoadDemoScale(ctx, storetest.Logger(t), sc, now, 7*24*time.Hour); err != nil {
			t.Fatal(err)
		}
		out := map[string]string{}
		for table, cols := range map[string]string{
			"service_requests": "id, booth_id, resident_id, ticket, status, created_at, closed_at",
			"assistance_calls": "id, caller_id, category, status, lat, acknowledged_at, closed_at",
			"shifts":           "id, booth_id, officer_id, started_at, ended_at, signed_off_at",
			"timeline_entries": "id, request_id, at, to_status",
			"events":           "id, name, record_id, created_at",
		} {
			var sum string
			q := "SELECT md5(string_agg(row(" + cols + ")::text, ',' ORDER BY id)) FROM " + table
			if err := st.DB().Raw(q).Scan(&sum).Error; err != nil {
				t.Fatal(err)
			}
			out[table] = sum
		}
		return out
	}
	a, b := digest(first), digest(second)
	for table := range a {
		if a[table] == "" || a[table] != b[table] {
			t.Errorf("%s: %q and %q, want the same rows", table, a[table], b[table])
		}
	}
}
