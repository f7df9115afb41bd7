package store_test

import (
	"context"
	"testing"
	"time"

	"policebooth/server/app"
)

// TestEventsPrunedInBatches: a backlog of more than two batches of events
// past the window goes in full, the newer ones stay, and the position
// pruned through is the last old event.
func TestEventsPrunedInBatches(t *testing.T) {
	c := newCounter(t)
	st, ctx := c.st, context.Background()
	now := clockOf(t).Now()
	old, recent := now.Add(-10*24*time.Hour), now.Add(-time.Hour)
	const backlog = 12_001 // more than two batches of 5,000
	insert := func(from, to int, at time.Time) {
		t.Helper()
		err := st.DB().Exec(`INSERT INTO events (station_id, name, record_id, payload, created_at)
			WITH RECURSIVE n(i) AS (SELECT CAST(? AS INTEGER) UNION ALL SELECT i + 1 FROM n WHERE i < ?)
			SELECT ?, 'request.updated', i, '{}', ? FROM n`, from, to, c.station.ID, at).Error
		if err != nil {
			t.Fatal(err)
		}
	}
	insert(1, backlog, old)
	insert(backlog+1, backlog+3, recent)
	var lastOld int64
	if err := st.DB().Table("events").Where("record_id = ?", backlog).Pluck("id", &lastOld).Error; err != nil {
		t.Fatal(err)
	}
	n, err := st.PruneEvents(ctx, now.Add(-7*24*time.Hour))
	if err != nil || n != backlog {
		t.Fatalf("pruned %d, %v; want %d", n, err, backlog)
	}
	var left int64
	st.DB().Table("events").Where("payload = '{}' AND record_id <= ?", backlog).Count(&left)
	if left != 0 {
		t.Errorf("%d old events left", left)
	}
	st.DB().Table("events").Where("payload = '{}' AND record_id > ?", backlog).Count(&left)
	if left != 3 {
		t.Errorf("%d of the 3 recent events left", left)
	}
	through, err := st.EventsPrunedThrough(ctx)
	if err != nil || through.ID != lastOld {
		t.Errorf("pruned through %+v, %v; want event %d", through, err, lastOld)
	}
	if through == (app.EventCursor{}) {
		t.Error("no position recorded")
	}
}
