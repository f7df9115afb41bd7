package store_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"

	"policebooth/server/app"
	"policebooth/server/store/storetest"
)

// Sixty-four walk-ins filed at once at one booth's counter (they arrive
// as they are filed, so filing issues their tickets), through two
// instances (two stores, two connection pools on one database), get the
// tickets once each: the booth-day counter, bumped by the
// filing's last statement, gives numbers without gaps or repeats under
// any interleaving, and every request holds the number it was answered
// with. Arrivals of booked requests are proven alike in queue_test.go.
func TestWalkInTicketsStayGaplessAndUniqueAcrossInstances(t *testing.T) {
	dsn, path := storetest.DSN(t)
	one := openAt(t, dsn, path)
	two := openAt(t, dsn, path)
	_, booth := stationWithBooth(t, one, "海淀派出所", 39.9593, 116.2981)
	officers := []*app.User{
		createUser(t, one, app.User{Role: app.RoleOfficer, Phone: "13800000001", Name: "李明", BadgeNo: "110101", StationID: &booth.StationID}),
		createUser(t, one, app.User{Role: app.RoleOfficer, Phone: "13800000002", Name: "王芳", BadgeNo: "110102", StationID: &booth.StationID}),
	}
	const n = 64
	tickets := make([]string, n)
	ids := make([]int64, n)
	errs := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			st := one
			if i%2 == 1 {
				st = two
			}
			<-start
			r, err := st.CreateRequest(context.Background(), app.NewRequest{StaffID: officers[i/2%2].ID, BoothID: booth.ID, Services: []string{"other"},
				Fields: map[string]map[string]string{"other": {"subject": fmt.Sprintf("事项 %d", i)}},
				WalkIn: &app.WalkIn{Name: fmt.Sprintf("来访者 %d", i), Phone: fmt.Sprintf("139%08d", 1000+i)}})
			errs[i] = err
			if err == nil {
				tickets[i], ids[i] = r.Ticket, r.ID
			}
		})
	}
	close(start)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
	}
	want := make([]string, n)
	for i := range want {
		want[i] = fmt.Sprintf("A-%03d", i+1)
	}
	got := slices.Clone(tickets)
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Fatalf("tickets %v, want A-001 to A-%03d once each", got, n)
	}
	for i, id := range ids {
		r, err := two.FindRequest(context.Background(), id, app.RequestFilter{StationID: booth.StationID})
		if err != nil {
			t.Fatal(err)
		}
		if r.Ticket != tickets[i] || r.TicketNo == nil || r.Ticket != fmt.Sprintf("A-%03d", *r.TicketNo) {
			t.Errorf("request %d holds ticket %s (number %d), answered %s", id, r.Ticket, r.TicketNo, tickets[i])
		}
	}
	var last int
	if err := one.DB().Raw("SELECT last FROM ticket_counters WHERE booth_id = ?", booth.ID).Scan(&last).Error; err != nil {
		t.Fatal(err)
	}
	if last != n {
		t.Errorf("the booth's counter stands at %d, want %d", last, n)
	}
}
