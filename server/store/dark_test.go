package store_test

import (
	"context"
	"testing"
	"time"

	"policebooth/server/app"
	"policebooth/server/store"
	"policebooth/server/store/storetest"
)

func TestDarkTabletIsReportedOncePerSpell(t *testing.T) {
	dsn, path := storetest.DSN(t)
	ctx := context.Background()
	open := func() *store.Store { return openAt(t, dsn, path) }
	st, other := open(), open()
	if err := st.LoadDemo(ctx, storetest.Logger(t)); err != nil {
		t.Fatal(err)
	}
	officer, err := st.FindUserByPhone(ctx, "13800000001")
	if err != nil {
		t.Fatal(err)
	}
	booths, _ := st.ListBooths(ctx)
	now := clockOf(t).Now()
	if dark, err := st.DarkBooths(ctx, now, time.Minute); err != nil || len(dark) != 0 {
		t.Fatalf("nobody on duty: %v %v, want no dark booth", dark, err)
	}
	if _, err := st.StartShift(ctx, app.ClockIn{OfficerID: officer.ID, BoothID: booths[0].ID}, clockOf(t).Now()); err != nil {
		t.Fatal(err)
	}
	if err := st.TouchStreams(ctx, []int64{officer.ID}, now.Add(-30*time.Second)); err != nil {
		t.Fatal(err)
	}
	if dark, _ := st.DarkBooths(ctx, now, time.Minute); len(dark) != 0 {
		t.Fatalf("a stream 30 s ago: %v, want not dark", dark)
	}
	later := now.Add(2 * time.Minute)
	// Two instances ask: the booth is reported once.
	dark1, err1 := st.DarkBooths(ctx, later, time.Minute)
	dark2, err2 := other.DarkBooths(ctx, later, time.Minute)
	if err1 != nil || err2 != nil || len(dark1)+len(dark2) != 1 {
		t.Fatalf("dark booths %v / %v (%v %v), want booth A once", dark1, dark2, err1, err2)
	}
	got := append(dark1, dark2...)[0]
	if got.ID != booths[0].ID || got.DarkSince == nil {
		t.Fatalf("reported %+v", got)
	}
	// The tablet comes back: unmarked, and a new spell is reported again.
	if err := st.TouchStreams(ctx, []int64{officer.ID}, later); err != nil {
		t.Fatal(err)
	}
	if dark, _ := st.DarkBooths(ctx, later.Add(10*time.Second), time.Minute); len(dark) != 0 {
		t.Fatalf("live again: %v", dark)
	}
	if dark, _ := st.DarkBooths(ctx, later.Add(3*time.Minute), time.Minute); len(dark) != 1 {
		t.Fatalf("dark again: %v, want it reported", dark)
	}
}
