package store_test

import (
	"context"

	"sync"
	"testing"
	"time"

	"policebooth/server/app"
	"policebooth/server/store"
	"policebooth/server/store/storetest"
)

// t0 is where every store test's clock starts: the tests' calendar never
// depends on the machine's date.
var t0 = time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)

// clocks holds each running test's clock, shared by every store it opens.
var clocks sync.Map

// clockOf returns the test's clock, started at t0 on first use.
func clockOf(t testing.TB) *storetest.Clock {
	c, loaded := clocks.LoadOrStore(t, storetest.NewClock(t0))
	if !loaded {
		t.Cleanup(func() { clocks.Delete(t) })
	}
	return c.(*storetest.Clock)
}

// open returns a migrated store on a fresh database, on the test's clock.
func open(t testing.TB) *store.Store {
	t.Helper()
	st := storetest.Open(t)
	st.SetClock(clockOf(t).Now)
	return st
}

// openAt is storetest.OpenAt on the test's clock: instances of one test
// share it.
func openAt(t testing.TB, databaseURL, sqlitePath string) *store.Store {
	t.Helper()
	st := storetest.OpenAt(t, databaseURL, sqlitePath)
	st.SetClock(clockOf(t).Now)
	return st
}

// Every time the store writes comes from its clock, never from the
// machine's: a request filed late on a Shanghai evening a few years on is
// stamped and numbered for that local day, and a code issued then expires
// by that clock.
func TestStoreReadsTimeFromItsClock(t *testing.T) {
	c := newCounter(t)
	st, ctx := c.st, context.Background()
	at := time.Date(2031, 6, 15, 16, 30, 0, 0, time.UTC) // 00:30 on the 16th in Shanghai
	clockOf(t).Set(at)

	r := create(t, st, app.NewRequest{ResidentID: c.resident.ID, Services: []string{"other"},
		Fields: map[string]map[string]string{"other": {"subject": "开证明"}}})
	if d := r.CreatedAt.Sub(at); d < 0 || d > time.Minute {
		t.Errorf("request created at %v, want the store's clock %v", r.CreatedAt, at)
	}
	r = arrive(t, st, r, c.officer.ID)
	if r.TicketDay != "2031-06-16" {
		t.Errorf("ticket day %s, want 2031-06-16 (the clock's day in Asia/Shanghai)", r.TicketDay)
	}
	moved := move(t, st, r.ID, app.RequestFilter{StationID: r.StationID}, app.RequestMove{ActorID: c.officer.ID, To: app.RequestAccepted})
	if last := moved.Timeline[len(moved.Timeline)-1]; last.At.Sub(at) > time.Minute || last.At.Before(at) {
		t.Errorf("timeline entry at %v, want the store's clock %v", last.At, at)
	}

	code, err := st.IssueCode(ctx, "13900000009", app.CodeVerify, app.LanguageChinese)
	if err != nil {
		t.Fatal(err)
	}
	clockOf(t).Advance(store.CodeTTL + time.Minute)
	if err := st.CheckCode(ctx, "13900000009", app.CodeVerify, code); app.ErrorCode(err) != app.EINVALID {
		t.Errorf("a code checked after its lifetime on the store's clock: %v, want expired", err)
	}
}
