package store_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"policebooth/server/app"
)

// The queue reads the most urgent requests first, those that have waited
// longest against their target, on the store's clock: a bundle filed
// first but with a long target comes after an errand filed later, and
// a page of two holds the two most urgent of all, not the two newest. A
// brief list reads what a row shows, services included, and no more.
func TestQueueListsTheMostUrgentFirst(t *testing.T) {
	c := newCounter(t)
	st, ctx := c.st, context.Background()
	clock := clockOf(t)
	errand := func(subject string) app.NewRequest {
		return app.NewRequest{ResidentID: c.resident.ID, Services: []string{"other"},
			Fields: map[string]map[string]string{"other": {"subject": subject}}}
	}
	visit := create(t, st, bundle(c.resident.ID)) // long target, filed first
	clock.Advance(10 * time.Minute)
	early := create(t, st, errand("开证明"))
	clock.Advance(15 * time.Minute)
	late := create(t, st, errand("咨询"))
	clock.Advance(5 * time.Minute)
	if visit.TargetMinutes != 35 || early.TargetMinutes != 15 {
		t.Fatalf("targets %d and %d min, want the catalogue's 35 (bundle) and 15 (errand)", visit.TargetMinutes, early.TargetMinutes)
	}
	// At 30 min the errand filed at 10 min has waited 20 of its 15, the
	// bundle 30 of 35, the errand filed at 25 min 5 of 15.
	want := []int64{early.ID, visit.ID, late.ID}

	all, err := st.ListRequests(ctx, app.RequestFilter{StationID: c.station.ID, MostUrgent: true, Brief: true})
	if err != nil {
		t.Fatal(err)
	}
	var got []int64
	for _, r := range all {
		got = append(got, r.ID)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("queue order %v, want %v (most urgent first)", got, want)
	}
	page, err := st.ListRequests(ctx, app.RequestFilter{StationID: c.station.ID, MostUrgent: true, Limit: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(page) != 2 || page[0].ID != want[0] || page[1].ID != want[1] {
		t.Fatalf("a page of two holds %d requests, want %v", len(page), want[:2])
	}
	newest, err := st.ListRequests(ctx, app.RequestFilter{StationID: c.station.ID})
	if err != nil {
		t.Fatal(err)
	}
	if len(newest) != 3 || newest[0].ID != late.ID || newest[2].ID != visit.ID {
		t.Fatalf("without MostUrgent the newest come first")
	}

	var brief *app.ServiceRequest
	for i := range all {
		if all[i].ID == visit.ID {
			brief = &all[i]
		}
	}
	if brief.Note != "" || brief.Ticket != visit.Ticket || brief.Status != app.RequestSubmitted || len(brief.Services) != 2 ||
		brief.Services[0].Code != "household_migration" || brief.Services[1].Code != "passport_renewal" {
		t.Errorf("a brief row %+v: want the ticket, status and both services in code order, no note", *brief)
	}
	var full *app.ServiceRequest
	for i := range newest {
		if newest[i].ID == visit.ID {
			full = &newest[i]
		}
	}
	if full.Note != visit.Note || full.Services[1].Fields["travel_purpose"] != "family" || !full.CreatedAt.Equal(visit.CreatedAt.Round(time.Microsecond)) {
		t.Errorf("a full row %+v: want the note, the services' fields and the time filed", *full)
	}
}
