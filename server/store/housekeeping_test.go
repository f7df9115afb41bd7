package store_test

import (
	"context"
	"testing"
	"time"

	"policebooth/server/app"
)

// TestStoredAnswersNeverOutliveTheShortestLocationRetention: the answer to
// POST /assistance-calls carries the caller's coordinates; it is kept the
// 24 hours retries are promised and purged before the shortest location
// retention (one day) is over.
func TestStoredAnswersNeverOutliveTheShortestLocationRetention(t *testing.T) {
	st := open(t)
	ctx := context.Background()
	if _, err := st.BeginIdempotent(ctx, 7, "k-call", "POST", "/api/v1/assistance-calls"); err != nil {
		t.Fatal(err)
	}
	written := clockOf(t).Now()
	if n, err := st.PurgeIdempotent(ctx, written.Add(23*time.Hour)); err != nil || n != 0 {
		t.Fatalf("purge within the promised day: %d, %v", n, err)
	}
	shortest := time.Duration(app.MinLocationRetentionDays) * 24 * time.Hour
	if n, err := st.PurgeIdempotent(ctx, written.Add(shortest+time.Minute)); err != nil || n != 1 {
		t.Fatalf("purge once the shortest location retention is over: %d, %v; want the answer gone", n, err)
	}
}

// TestExpiredSessionsCodesAndThrottlesArePurged: what has run out goes;
// what is live stays.
func TestExpiredSessionsCodesAndThrottlesArePurged(t *testing.T) {
	c := newCounter(t)
	st, ctx := c.st, context.Background()
	now := clockOf(t).Now()
	if _, err := st.CreateSession(ctx, c.resident.ID, now); err != nil {
		t.Fatal(err)
	}
	if _, err := st.IssueCode(ctx, c.resident.Phone, app.CodeVerify, app.LanguageChinese); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Throttle(ctx, "test:bucket", 5, time.Minute); err != nil {
		t.Fatal(err)
	}
	count := func(table string) int64 {
		var n int64
		if err := st.DB().Table(table).Count(&n).Error; err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := map[string]int64{}
	for _, table := range []string{"sessions", "refresh_tokens", "phone_codes", "throttles"} {
		if before[table] = count(table); before[table] == 0 {
			t.Fatalf("no %s to purge: the test tests nothing", table)
		}
	}
	if _, err := st.PurgeExpired(ctx, now.Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	for _, table := range []string{"sessions", "refresh_tokens", "phone_codes", "throttles"} {
		if got := count(table); got != before[table] {
			t.Errorf("%s: %d left of %d, want all live ones kept", table, got, before[table])
		}
	}
	if _, err := st.PurgeExpired(ctx, now.Add(31*24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	for _, table := range []string{"sessions", "refresh_tokens", "phone_codes", "throttles"} {
		if got := count(table); got != 0 {
			t.Errorf("%s: %d left after everything expired", table, got)
		}
	}
}

// TestEventsPrunedThroughTheWindow: pruning deletes the events written
// before the window and remembers where it pruned through.
func TestEventsPrunedThroughTheWindow(t *testing.T) {
	c := newCounter(t)
	st, ctx := c.st, context.Background()
	create(t, st, app.NewRequest{ResidentID: c.resident.ID, Services: []string{"other"}, Fields: map[string]map[string]string{"other": {"subject": "x"}}})
	if through, err := st.EventsPrunedThrough(ctx); err != nil || through != (app.EventCursor{}) {
		t.Fatalf("never pruned: %+v, %v", through, err)
	}
	if n, err := st.PruneEvents(ctx, clockOf(t).Now().Add(-time.Hour)); err != nil || n != 0 {
		t.Fatalf("prune with nothing that old: %d, %v", n, err)
	}
	n, err := st.PruneEvents(ctx, clockOf(t).Now().Add(time.Minute))
	if err != nil || n == 0 {
		t.Fatalf("prune: %d, %v", n, err)
	}
	through, err := st.EventsPrunedThrough(ctx)
	if err != nil || through.ID == 0 {
		t.Fatalf("pruned through %+v, %v", through, err)
	}
	var left int64
	st.DB().Table("events").Count(&left)
	if left != 0 {
		t.Errorf("%d events left", left)
	}
}
