package app

import (
	"testing"
	"time"
)

func TestCoverageGapMinutesInAPeriod(t *testing.T) {
	from := time.Date(2026, 11, 30, 16, 0, 0, 0, time.UTC)
	to := from.Add(24 * time.Hour)
	at := func(m float64) time.Time { return from.Add(time.Duration(m * float64(time.Minute))) }
	ended := func(m float64) *time.Time { e := at(m); return &e }
	for _, tc := range []struct {
		name     string
		gap      CoverageGap
		now      time.Time
		minutes  int
		countsIn bool
	}{
		// 61 min 40 s: the list and the figures both say 62.
		{"inside, rounded", CoverageGap{StartedAt: at(100), EndedAt: ended(161 + 40.0/60)}, to, 62, true},
		{"begun before the period", CoverageGap{StartedAt: at(-30), EndedAt: ended(20)}, to, 20, true},
		{"still open, up to now", CoverageGap{StartedAt: at(600)}, at(681), 81, true},
		{"still open past the period", CoverageGap{StartedAt: at(24*60 - 10)}, to.Add(time.Hour), 10, true},
		{"only touches the period", CoverageGap{StartedAt: at(-60), EndedAt: ended(0.5)}, to, 0, false},
		{"ended before the period", CoverageGap{StartedAt: at(-60), EndedAt: ended(-1)}, to, 0, false},
	} {
		minutes, in := tc.gap.MinutesIn(from, to, tc.now)
		if minutes != tc.minutes || in != tc.countsIn {
			t.Errorf("%s: %d minutes, in %v; want %d, %v", tc.name, minutes, in, tc.minutes, tc.countsIn)
		}
	}
}
