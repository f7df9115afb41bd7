package app

import (
	"slices"
	"testing"
)

func TestSortOpenCallsPutsTheUnacknowledgedFirst(t *testing.T) {
	calls := []DashboardCall{
		{ID: 1, Status: CallAcknowledged, AgeSeconds: 900},
		{ID: 2, Status: CallOpen, AgeSeconds: 5},
		{ID: 3, Status: CallOnScene, AgeSeconds: 1200},
		{ID: 4, Status: CallOpen, AgeSeconds: 40},
	}
	SortOpenCalls(calls)
	var ids []int64
	for _, c := range calls {
		ids = append(ids, c.ID)
	}
	if want := []int64{4, 2, 3, 1}; !slices.Equal(ids, want) {
		t.Fatalf("order %v, want %v", ids, want)
	}
}

func TestWhatNeedsActionNow(t *testing.T) {
	for _, tc := range []struct {
		name            string
		booth           DashboardBooth
		uncovered, dark bool
	}{
		{"covered, tablet live", DashboardBooth{OnDuty: []OnDuty{{OfficerID: 1}}, TabletLive: true}, false, false},
		{"nobody on duty", DashboardBooth{}, true, false},
		{"on duty, tablet dark", DashboardBooth{OnDuty: []OnDuty{{OfficerID: 2}}}, false, true},
	} {
		if tc.booth.Uncovered() != tc.uncovered || tc.booth.DarkTablet() != tc.dark {
			t.Errorf("%s: uncovered %v, dark %v; want %v, %v", tc.name, tc.booth.Uncovered(), tc.booth.DarkTablet(), tc.uncovered, tc.dark)
		}
	}
	for st, want := range map[CallStatus]bool{CallOpen: true, CallAcknowledged: false, CallEnRoute: false, CallOnScene: false} {
		c := DashboardCall{Status: st}
		if c.Unacknowledged() != want {
			t.Errorf("a call %s: unacknowledged %v", st, !want)
		}
	}
}
