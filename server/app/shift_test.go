package app_test

import (
	"slices"
	"testing"
	"time"

	"policebooth/server/app"
)

func TestLocalDaysOfAPeriod(t *testing.T) {
	shanghai, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	at := func(day, hour int) time.Time { return time.Date(2026, 12, day, hour, 0, 0, 0, shanghai) }
	for _, tc := range []struct {
		name     string
		from, to time.Time
		want     []string
	}{
		{"a night shift", at(1, 20), at(2, 8), []string{"2026-12-01", "2026-12-02"}},
		{"a day shift", at(1, 8), at(1, 20), []string{"2026-12-01"}},
		{"whole days", at(1, 0), at(3, 0), []string{"2026-12-01", "2026-12-02"}},
		{"ends at midnight", at(1, 20), at(2, 0), []string{"2026-12-01"}},
		{"empty", at(1, 8), at(1, 8), nil},
		{"UTC times, local days", at(1, 6).UTC(), at(1, 9).UTC(), []string{"2026-12-01"}},
	} {
		if got := app.LocalDays(tc.from, tc.to, shanghai); !slices.Equal(got, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}
