package web

import (
	"testing"
	"time"
)

func TestCAPTimeHasAnOffsetNoFractionAndMinusZeroForUTC(t *testing.T) {
	at := time.Date(2026, 11, 27, 1, 2, 3, 456789000, time.UTC)
	shanghai, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	for loc, want := range map[*time.Location]string{
		time.UTC:                    "2026-11-27T01:02:03-00:00",
		shanghai:                    "2026-11-27T09:02:03+08:00",
		time.FixedZone("", -7*3600): "2026-11-26T18:02:03-07:00",
	} {
		if got := capTime(at, loc); got != want {
			t.Errorf("capTime in %v = %s, want %s", loc, got, want)
		}
	}
}
