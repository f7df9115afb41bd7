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

func TestDashboardNeedsAction(t *testing.T) {
	covered := DashboardBooth{OnDuty: []OnDuty{{OfficerID: 1}}, TabletLive: true}
	for _, tc := range []struct {
		name string
		d    Dashboard
		want bool
	}{
		{"all covered and quiet", Dashboard{Booths: []DashboardBooth{covered}}, false},
		{"an acknowledged call", Dashboard{Booths: []DashboardBooth{covered}, OpenCalls: []DashboardCall{{Status: CallEnRoute}}}, false},
		{"a call nobody took", Dashboard{Booths: []DashboardBooth{covered}, OpenCalls: []DashboardCall{{Status: CallOpen}}}, true},
		{"a booth uncovered", Dashboard{Booths: []DashboardBooth{covered, {}}}, true},
		{"a dark tablet", Dashboard{Booths: []DashboardBooth{{OnDuty: []OnDuty{{OfficerID: 2}}}}}, true},
	} {
		if got := tc.d.NeedsAction(); got != tc.want {
			t.Errorf("%s: NeedsAction %v, want %v", tc.name, got, tc.want)
		}
	}
}
