package store_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"policebooth/server/app"
	"policebooth/server/store"
	"policebooth/server/store/storetest"
)

// arrive records an officer's word that a request's visitor is at the booth.
func arrive(t testing.TB, st *store.Store, r *app.ServiceRequest, officerID int64) *app.ServiceRequest {
	t.Helper()
	got, err := st.Arrive(context.Background(), r.ID, app.RequestFilter{StationID: r.StationID}, app.Arrival{ActorID: officerID, ByStaff: true})
	if err != nil {
		t.Fatalf("Arrive(%d): %v", r.ID, err)
	}
	return got
}

// other is a one-service request of a resident at their home booth.
func other(resident int64) app.NewRequest {
	return app.NewRequest{ResidentID: resident, Services: []string{"other"}, Fields: map[string]map[string]string{"other": {"subject": "开证明"}}}
}

// otherAt is other at a given booth.
func otherAt(resident, booth int64) app.NewRequest {
	nr := other(resident)
	nr.BoothID = booth
	return nr
}

// weekdayHours opens booth hours every day 09:00–12:00 in 15-minute slots.
func weekdayHours(capacity int) app.OpeningHours {
	var h app.OpeningHours
	for d := 1; d <= 7; d++ {
		h.Weekly = append(h.Weekly, app.OpeningRange{Weekday: d, Opens: "09:00", Closes: "12:00", SlotMinutes: 15, Capacity: capacity})
	}
	return h
}

// slotsOn lists a booth's slots from the clock's now on.
func slotsOn(t testing.TB, st *store.Store, boothID int64) []app.Slot {
	t.Helper()
	list, err := st.ListSlots(context.Background(), boothID, clockOf(t).Now(), 200)
	if err != nil {
		t.Fatal(err)
	}
	return list
}

func texts(t testing.TB, st *store.Store, kind string) []app.OutboxMessage {
	t.Helper()
	var list []app.OutboxMessage
	if err := st.DB().Table("outbox_messages").Where("kind = ?", kind).Order("id").Find(&list).Error; err != nil {
		t.Fatal(err)
	}
	return list
}

func TestOpeningHoursOpenTheComingSlots(t *testing.T) {
	c := newCounter(t)
	st, ctx := c.st, context.Background()
	shanghai, _ := time.LoadLocation("Asia/Shanghai")
	clockOf(t).Set(time.Date(2026, 11, 30, 7, 0, 0, 0, shanghai)) // a Monday, before opening

	h := app.OpeningHours{Weekly: []app.OpeningRange{{Weekday: 1, Opens: "09:00", Closes: "10:00", SlotMinutes: 20, Capacity: 2},
		{Weekday: 3, Opens: "14:00", Closes: "14:50", SlotMinutes: 25, Capacity: 1}}, ClosedDates: []string{"2026-12-02"}}
	if err := st.SetOpeningHours(ctx, app.Actor{ID: c.officer.ID}, c.boothA.ID, h); app.ErrorCode(err) != app.EFORBIDDEN {
		t.Errorf("an officer setting hours: %v, want forbidden", err)
	}
	if err := st.SetOpeningHours(ctx, app.Actor{ID: c.otherHead.ID}, c.boothA.ID, h); app.ErrorCode(err) != app.ENOTFOUND {
		t.Errorf("another station's head: %v, want not found", err)
	}
	if err := st.SetOpeningHours(ctx, app.Actor{ID: c.head.ID}, c.boothA.ID, h); err != nil {
		t.Fatal(err)
	}
	got, err := st.OpeningHours(ctx, c.boothA.ID)
	if err != nil || len(got.Weekly) != 2 || got.Weekly[1].Opens != "14:00" || !slices.Equal(got.ClosedDates, []string{"2026-12-02"}) {
		t.Fatalf("hours read back %+v, %v", got, err)
	}
	// 14 days from Monday 30 November: Mondays 30/11 and 7/12 with three
	// slots each, Wednesdays 9/12 only (2/12 is closed) with two.
	var starts []string
	for _, sl := range slotsOn(t, st, c.boothA.ID) {
		starts = append(starts, sl.StartsAt.In(shanghai).Format("01-02 15:04")+fmt.Sprintf("×%d", sl.Capacity))
	}
	want := []string{"11-30 09:00×2", "11-30 09:20×2", "11-30 09:40×2", "12-07 09:00×2", "12-07 09:20×2", "12-07 09:40×2",
		"12-09 14:00×1", "12-09 14:25×1"}
	if !slices.Equal(starts, want) {
		t.Fatalf("slots %v, want %v", starts, want)
	}

	// A booking keeps its slot when the hours change; unbooked ones go.
	booked := slotsOn(t, st, c.boothA.ID)[1]
	r := create(t, st, other(c.resident.ID))
	if _, err := st.Book(ctx, r.ID, scopeOf(c.resident), c.resident.ID, &booked.ID); err != nil {
		t.Fatal(err)
	}
	if err := st.SetOpeningHours(ctx, app.Actor{ID: c.head.ID}, c.boothA.ID, app.OpeningHours{}); err != nil {
		t.Fatal(err)
	}
	left := slotsOn(t, st, c.boothA.ID)
	if len(left) != 1 || left[0].ID != booked.ID || left[0].Booked != 1 {
		t.Fatalf("after closing the counter, slots %+v: want only the booked one", left)
	}
	// The job opens the next day's slots as the window moves on, once.
	if err := st.SetOpeningHours(ctx, app.Actor{ID: c.head.ID}, c.boothA.ID, weekdayHours(1)); err != nil {
		t.Fatal(err)
	}
	clockOf(t).Advance(24 * time.Hour)
	added, err := st.OpenSlots(ctx, clockOf(t).Now())
	if err != nil || added != 12 {
		t.Fatalf("a day later the job opened %d slots (%v), want 12: one more day of 09:00–12:00", added, err)
	}
	if again, _ := st.OpenSlots(ctx, clockOf(t).Now()); again != 0 {
		t.Errorf("a second run opened %d, want 0", again)
	}
	if after := len(slotsOn(t, st, c.boothA.ID)); after != 14*12 {
		t.Errorf("%d slots ahead after a day, want %d: 14 days of 12, today's not yet started", after, 14*12)
	}

	for name, bad := range map[string]app.OpeningHours{
		"weekday 8":     {Weekly: []app.OpeningRange{{Weekday: 8, Opens: "09:00", Closes: "10:00", SlotMinutes: 15, Capacity: 1}}},
		"closes first":  {Weekly: []app.OpeningRange{{Weekday: 1, Opens: "10:00", Closes: "09:00", SlotMinutes: 15, Capacity: 1}}},
		"overlap":       {Weekly: []app.OpeningRange{{Weekday: 1, Opens: "09:00", Closes: "11:00", SlotMinutes: 15, Capacity: 1}, {Weekday: 1, Opens: "10:00", Closes: "12:00", SlotMinutes: 15, Capacity: 1}}},
		"no capacity":   {Weekly: []app.OpeningRange{{Weekday: 1, Opens: "09:00", Closes: "10:00", SlotMinutes: 15, Capacity: 0}}},
		"bad date":      {ClosedDates: []string{"2026-13-01"}},
		"25 o'clock":    {Weekly: []app.OpeningRange{{Weekday: 1, Opens: "09:00", Closes: "25:00", SlotMinutes: 15, Capacity: 1}}},
		"slot too long": {Weekly: []app.OpeningRange{{Weekday: 1, Opens: "09:00", Closes: "09:10", SlotMinutes: 15, Capacity: 1}}},
	} {
		if err := st.SetOpeningHours(ctx, app.Actor{ID: c.head.ID}, c.boothA.ID, bad); app.ErrorCode(err) != app.EINVALID {
			t.Errorf("%s: %v, want invalid", name, err)
		}
	}
}

func TestArrivalIssuesTheTicketAtTheBooth(t *testing.T) {
	c := newCounter(t)
	st, ctx := c.st, context.Background()
	r := create(t, st, other(c.resident.ID))
	if r.Ticket != "" || r.TicketNo != nil || r.ArrivedAt != nil {
		t.Fatalf("a filed request has ticket %q, arrived %v: want none before arrival", r.Ticket, r.ArrivedAt)
	}
	far := func(v float64) *float64 { return &v }
	if _, err := st.Arrive(ctx, r.ID, scopeOf(c.resident), app.Arrival{ActorID: c.resident.ID, ByStaff: true, Lat: far(39.99), Lng: far(116.35)}); app.ErrorCode(err) != app.EFORBIDDEN {
		t.Fatalf("a resident kilometres away: %v, want forbidden (a resident cannot claim to be staff)", err)
	}
	if _, err := st.Arrive(ctx, r.ID, scopeOf(c.neighbour), app.Arrival{ActorID: c.neighbour.ID}); app.ErrorCode(err) != app.ENOTFOUND {
		t.Fatalf("someone else's request: %v, want not found", err)
	}
	if _, err := st.Arrive(ctx, r.ID, scopeOf(c.resident), app.Arrival{ActorID: c.resident.ID, Code: "not-the-code"}); app.ErrorCode(err) != app.EFORBIDDEN {
		t.Fatalf("a wrong QR code: %v, want forbidden", err)
	}
	near := create(t, st, other(c.neighbour.ID))
	// About 100 m north of booth A.
	got, err := st.Arrive(ctx, near.ID, scopeOf(c.neighbour), app.Arrival{ActorID: c.neighbour.ID, Lat: far(c.boothA.Lat + 0.0009), Lng: far(c.boothA.Lng)})
	if err != nil || got.Ticket != "A-001" || got.ArrivedAt == nil || got.Status != app.RequestSubmitted {
		t.Fatalf("arrival within 300 m: %+v, %v: want ticket A-001, arrived, still submitted", got, err)
	}
	code, err := st.ArrivalCode(ctx, app.Actor{ID: c.head.ID}, c.boothA.ID)
	if err != nil || len(code) < 16 {
		t.Fatalf("arrival code %q, %v", code, err)
	}
	if _, err := st.ArrivalCode(ctx, app.Actor{ID: c.officer.ID}, c.boothA.ID); app.ErrorCode(err) != app.EFORBIDDEN {
		t.Errorf("an officer reading the QR code's secret: %v, want forbidden", err)
	}
	got, err = st.Arrive(ctx, r.ID, scopeOf(c.resident), app.Arrival{ActorID: c.resident.ID, Code: code})
	if err != nil || got.Ticket != "A-002" {
		t.Fatalf("arrival by QR code: %+v, %v: want A-002", got, err)
	}
	if _, err := st.Arrive(ctx, r.ID, c.staffScope, app.Arrival{ActorID: c.officer.ID, ByStaff: true}); app.ErrorCode(err) != app.ECONFLICT {
		t.Errorf("a second arrival: %v, want conflict", err)
	}
	if last := got.Timeline[len(got.Timeline)-1]; last.Kind != "arrival" {
		t.Errorf("last timeline entry %+v, want the arrival", last)
	}

	// A walk-in is filed by the officer, arrived at once, with no resident.
	w, err := st.CreateRequest(ctx, app.NewRequest{StaffID: c.officer.ID, BoothID: c.boothA.ID, Services: []string{"id_card"},
		Fields: map[string]map[string]string{"id_card": {"reason": "lost"}}, WalkIn: &app.WalkIn{Name: " 王大爷 ", Phone: "+86 139 0000 0042"}})
	if err != nil || w.Ticket != "A-003" || w.ResidentID != nil || w.WalkInName != "王大爷" || w.WalkInPhone != "13900000042" || w.ArrivedAt == nil {
		t.Fatalf("walk-in %+v, %v: want A-003, no resident, name and phone normalised, arrived", w, err)
	}
	for name, nr := range map[string]app.NewRequest{
		"a resident filing a walk-in": {StaffID: c.resident.ID, BoothID: c.boothA.ID, Services: []string{"other"}, Fields: map[string]map[string]string{"other": {"subject": "x"}}, WalkIn: &app.WalkIn{Name: "王", Phone: "13900000042"}},
		"another station's booth":     {StaffID: c.officer.ID, BoothID: c.otherBooth.ID, Services: []string{"other"}, Fields: map[string]map[string]string{"other": {"subject": "x"}}, WalkIn: &app.WalkIn{Name: "王", Phone: "13900000042"}},
		"no phone":                    {StaffID: c.officer.ID, BoothID: c.boothA.ID, Services: []string{"other"}, Fields: map[string]map[string]string{"other": {"subject": "x"}}, WalkIn: &app.WalkIn{Name: "王", Phone: "12"}},
	} {
		if _, err := st.CreateRequest(ctx, nr); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if n := arrive(t, st, create(t, st, other(c.resident.ID)), c.officer.ID); n.Ticket != "A-004" {
		t.Errorf("after three arrivals and refused walk-ins, ticket %s, want A-004: gapless", n.Ticket)
	}
}

func TestCallingTheNextNumber(t *testing.T) {
	c := newCounter(t)
	st, ctx := c.st, context.Background()
	shanghai, _ := time.LoadLocation("Asia/Shanghai")
	clockOf(t).Set(time.Date(2026, 11, 30, 8, 30, 0, 0, shanghai))
	if err := st.SetOpeningHours(ctx, app.Actor{ID: c.head.ID}, c.boothA.ID, weekdayHours(2)); err != nil {
		t.Fatal(err)
	}
	nine := slotsOn(t, st, c.boothA.ID)[0]

	walkIn := arrive(t, st, create(t, st, other(c.neighbour.ID)), c.officer.ID)
	booked := create(t, st, other(c.resident.ID))
	if _, err := st.Book(ctx, booked.ID, scopeOf(c.resident), c.resident.ID, &nine.ID); err != nil {
		t.Fatal(err)
	}
	clockOf(t).Advance(10 * time.Minute)
	third := arrive(t, st, create(t, st, otherAt(c.homeless.ID, c.boothA.ID)), c.officer.ID)
	booked = arrive(t, st, booked, c.officer.ID)                                             // A-003, its slot at 09:00 not yet started

	if _, err := st.CallNext(ctx, c.boothA.ID, app.Actor{ID: c.officer.ID}); app.ErrorCode(err) != app.EFORBIDDEN {
		t.Fatalf("calling without clocking in: %v, want forbidden", err)
	}
	if _, err := st.StartShift(ctx, app.ClockIn{OfficerID: c.officer.ID, BoothID: c.boothA.ID, Window: 2}, clockOf(t).Now()); err != nil {
		t.Fatal(err)
	}
	q, err := st.Queue(ctx, c.boothA.ID)
	if err != nil {
		t.Fatal(err)
	}
	if pos, eta, ok := q.Place(booked.ID); !ok || pos != 3 || eta != 2*15 {
		t.Fatalf("booked, arrived third before its slot: place %d, eta %d (%v): want 3 and 30 minutes (two 'other' visits of 15 minutes ahead, one window)", pos, eta, ok)
	}

	first, err := st.CallNext(ctx, c.boothA.ID, app.Actor{ID: c.officer.ID})
	if err != nil || first.ID != walkIn.ID || first.Status != app.RequestCalled || first.WindowNo == nil || *first.WindowNo != 2 || first.CalledAt == nil {
		t.Fatalf("first call %+v, %v: want the first arrival, called to window 2", first, err)
	}
	move(t, st, first.ID, c.staffScope, app.RequestMove{ActorID: c.officer.ID, To: app.RequestInProgress})
	fourth := arrive(t, st, create(t, st, otherAt(c.homeless.ID, c.boothA.ID)), c.officer.ID)
	// From 09:00 the booked arrival goes before those who came earlier.
	clockOf(t).Set(time.Date(2026, 11, 30, 9, 0, 0, 0, shanghai))
	second, err := st.CallNext(ctx, c.boothA.ID, app.Actor{ID: c.officer.ID})
	if err != nil || second.ID != booked.ID {
		t.Fatalf("second call %+v, %v: want the booked arrival, its slot started", second, err)
	}
	if _, err := st.Recall(ctx, second.ID, c.staffScope, app.Actor{ID: c.officer.ID}); err != nil {
		t.Fatal(err)
	}
	skipped, err := st.Skip(ctx, second.ID, c.staffScope, app.Actor{ID: c.officer.ID})
	if err != nil || skipped.Status != app.RequestAccepted || skipped.SkippedAt == nil || skipped.WindowNo != nil {
		t.Fatalf("skip %+v, %v: want back in line, accepted", skipped, err)
	}
	q, _ = st.Queue(ctx, c.boothA.ID)
	var line []int64
	for _, w := range q.Waiting {
		line = append(line, w.RequestID)
	}
	if !slices.Equal(line, []int64{third.ID, fourth.ID, booked.ID}) {
		t.Fatalf("line after the skip %v, want third, fourth, then the skipped one %v", line, []int64{third.ID, fourth.ID, booked.ID})
	}
	if len(q.Serving) != 1 || q.Serving[0].Ticket != "A-001" || q.Serving[0].Window != 2 {
		t.Errorf("serving %+v, want A-001 at window 2", q.Serving)
	}
	if _, err := st.Recall(ctx, booked.ID, c.staffScope, app.Actor{ID: c.officer.ID}); app.ErrorCode(err) != app.ECONFLICT {
		t.Errorf("recalling a request not called: %v, want conflict", err)
	}
	if _, err := st.MoveRequest(ctx, third.ID, c.staffScope, app.RequestMove{ActorID: c.officer.ID, To: app.RequestCalled}); app.ErrorCode(err) != app.ECONFLICT {
		t.Errorf("a transition to called: %v, want conflict (only queue/next calls)", err)
	}
	for range 3 {
		if _, err := st.CallNext(ctx, c.boothA.ID, app.Actor{ID: c.officer.ID}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := st.CallNext(ctx, c.boothA.ID, app.Actor{ID: c.officer.ID}); app.ErrorCode(err) != app.ECONFLICT {
		t.Errorf("calling an empty line: %v, want conflict", err)
	}
}

func TestWaitsFollowTheBoothsRealServiceTimes(t *testing.T) {
	c := newCounter(t)
	st, ctx := c.st, context.Background()
	if _, err := st.StartShift(ctx, app.ClockIn{OfficerID: c.officer.ID, BoothID: c.boothA.ID}, clockOf(t).Now()); err != nil {
		t.Fatal(err)
	}
	serve := func(minutes int) {
		r := arrive(t, st, create(t, st, other(c.resident.ID)), c.officer.ID)
		called, err := st.CallNext(ctx, c.boothA.ID, app.Actor{ID: c.officer.ID})
		if err != nil || called.ID != r.ID {
			t.Fatalf("call: %v", err)
		}
		move(t, st, r.ID, c.staffScope, app.RequestMove{ActorID: c.officer.ID, To: app.RequestInProgress})
		clockOf(t).Advance(time.Duration(minutes) * time.Minute)
		move(t, st, r.ID, c.staffScope, app.RequestMove{ActorID: c.officer.ID, To: app.RequestCompleted})
	}
	etaOfSecond := func() int {
		arrive(t, st, create(t, st, other(c.neighbour.ID)), c.officer.ID)
		r := arrive(t, st, create(t, st, other(c.neighbour.ID)), c.officer.ID)
		q, err := st.Queue(ctx, c.boothA.ID)
		if err != nil {
			t.Fatal(err)
		}
		_, eta, _ := q.Place(r.ID)
		for range 2 { // clear the line again
			x, err := st.CallNext(ctx, c.boothA.ID, app.Actor{ID: c.officer.ID})
			if err != nil {
				t.Fatal(err)
			}
			move(t, st, x.ID, c.staffScope, app.RequestMove{ActorID: c.officer.ID, To: app.RequestRejected, Note: "测试"})
		}
		return eta
	}
	for _, m := range []int{4, 6, 5, 7} {
		serve(m)
	}
	if eta := etaOfSecond(); eta != 15 {
		t.Errorf("with four finished visits the wait is %d, want the catalogue's 15", eta)
	}
	serve(3)
	if eta := etaOfSecond(); eta != 5 {
		t.Errorf("with five finished visits (3, 4, 5, 6, 7 minutes) the wait is %d, want their median 5", eta)
	}
}

// A head's new target time for a service shows in the waits at once, not
// only once the booth's kept service times are worked out again.
func TestWaitsFollowANewTargetAtOnce(t *testing.T) {
	c := newCounter(t)
	st, ctx := c.st, context.Background()
	arrive(t, st, create(t, st, other(c.resident.ID)), c.officer.ID)
	second := arrive(t, st, create(t, st, other(c.neighbour.ID)), c.officer.ID)
	eta := func() int {
		q, err := st.Queue(ctx, c.boothA.ID)
		if err != nil {
			t.Fatal(err)
		}
		_, eta, _ := q.Place(second.ID)
		return eta
	}
	if got := eta(); got != 15 {
		t.Fatalf("the wait behind one visit is %d, want the catalogue's 15", got)
	}
	forty := 40
	head := app.Actor{ID: c.head.ID}
	if err := st.SetServiceSetting(ctx, head, app.ServiceSetting{StationID: c.station.ID, Code: "other", TargetMinutes: &forty}); err != nil {
		t.Fatal(err)
	}
	if got := eta(); got != 40 {
		t.Errorf("after the head set 40 minutes the wait is %d, want 40", got)
	}
}

// sixty-four visitors arrive at one booth at once through two instances
// (two connection pools): 64 distinct tickets, A-001 to A-064.
func TestConcurrentArrivalsGetGaplessTicketsAcrossInstances(t *testing.T) {
	dsn, path := storetest.DSN(t)
	a, b := openAt(t, dsn, path), openAt(t, dsn, path)
	c := counterOn(t, a)
	ctx := context.Background()
	const n = 64
	reqs := make([]*app.ServiceRequest, n)
	for i := range reqs {
		reqs[i] = create(t, a, other(c.resident.ID))
	}
	tickets := make([]string, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		st := a
		if i%2 == 1 {
			st = b
		}
		wg.Go(func() {
			r, err := st.Arrive(ctx, reqs[i].ID, c.staffScope, app.Arrival{ActorID: c.officer.ID, ByStaff: true})
			errs[i] = err
			if err == nil {
				tickets[i] = r.Ticket
			}
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("arrival %d: %v", i, err)
		}
	}
	slices.Sort(tickets)
	want := make([]string, n)
	for i := range want {
		want[i] = fmt.Sprintf("A-%03d", i+1)
	}
	if !slices.Equal(tickets, want) {
		t.Fatalf("tickets %v, want A-001 to A-%03d once each", tickets, n)
	}
}

// Residents booking the last places of a slot at once through two
// instances: exactly its capacity succeed; the others are told it is full.
func TestASlotNeverGoesPastItsCapacity(t *testing.T) {
	dsn, path := storetest.DSN(t)
	a, b := openAt(t, dsn, path), openAt(t, dsn, path)
	c := counterOn(t, a)
	ctx := context.Background()
	if err := a.SetOpeningHours(ctx, app.Actor{ID: c.head.ID}, c.boothA.ID, weekdayHours(3)); err != nil {
		t.Fatal(err)
	}
	slot := slotsOn(t, a, c.boothA.ID)[0]
	const n = 16
	reqs := make([]*app.ServiceRequest, n)
	for i := range reqs {
		reqs[i] = create(t, a, other(c.resident.ID))
	}
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		st := a
		if i%2 == 1 {
			st = b
		}
		wg.Go(func() {
			_, errs[i] = st.Book(ctx, reqs[i].ID, scopeOf(c.resident), c.resident.ID, &slot.ID)
		})
	}
	wg.Wait()
	ok := 0
	for i, err := range errs {
		switch app.ErrorCode(err) {
		case "":
			ok++
		case app.ECONFLICT:
		default:
			t.Errorf("booking %d: %v", i, err)
		}
	}
	if ok != 3 {
		t.Fatalf("%d bookings of a slot of 3 succeeded, want 3", ok)
	}
	if got := slotsOn(t, a, c.boothA.ID)[0]; got.Booked != 3 {
		t.Fatalf("slot holds %d bookings, want 3", got.Booked)
	}
	// Moving and dropping free the place.
	var holder *app.ServiceRequest
	for i, err := range errs {
		if err == nil {
			holder = reqs[i]
			break
		}
	}
	if _, err := a.Book(ctx, holder.ID, scopeOf(c.resident), c.resident.ID, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Book(ctx, reqs[n-1].ID, scopeOf(c.resident), c.resident.ID, &slot.ID); err != nil && errs[n-1] != nil {
		t.Fatalf("booking the place a dropped booking freed: %v", err)
	}
}

// A booking not arrived 15 minutes after its start becomes no_show once,
// however many instances sweep at the same time; the resident is told
// once, can book again, and heads see the count.
func TestNoShowIsMarkedOnceAcrossInstances(t *testing.T) {
	dsn, path := storetest.DSN(t)
	a, b := openAt(t, dsn, path), openAt(t, dsn, path)
	c := counterOn(t, a)
	ctx := context.Background()
	shanghai, _ := time.LoadLocation("Asia/Shanghai")
	clockOf(t).Set(time.Date(2026, 11, 29, 20, 0, 0, 0, shanghai))
	if err := a.SetOpeningHours(ctx, app.Actor{ID: c.head.ID}, c.boothA.ID, weekdayHours(2)); err != nil {
		t.Fatal(err)
	}
	slot := slotsOn(t, a, c.boothA.ID)[0] // 30 November 09:00
	r := create(t, a, other(c.resident.ID))
	if _, err := a.Book(ctx, r.ID, scopeOf(c.resident), c.resident.ID, &slot.ID); err != nil {
		t.Fatal(err)
	}
	came := create(t, a, other(c.neighbour.ID))
	if _, err := a.Book(ctx, came.ID, scopeOf(c.neighbour), c.neighbour.ID, &slot.ID); err != nil {
		t.Fatal(err)
	}

	// Reminders: the evening before, then 30 minutes before, each once.
	for _, st := range []*store.Store{a, b, a} {
		if _, err := st.RemindBookings(ctx, clockOf(t).Now()); err != nil {
			t.Fatal(err)
		}
	}
	if eve := texts(t, a, "booking_eve"); len(eve) != 2 {
		t.Fatalf("%d evening reminders, want 2 (one per booking)", len(eve))
	}
	clockOf(t).Set(time.Date(2026, 11, 30, 8, 35, 0, 0, shanghai))
	for _, st := range []*store.Store{b, a} {
		if _, err := st.RemindBookings(ctx, clockOf(t).Now()); err != nil {
			t.Fatal(err)
		}
	}
	if soon := texts(t, a, "booking_soon"); len(soon) != 2 || soon[0].Phone != c.resident.Phone {
		t.Fatalf("reminders 30 minutes before: %+v, want one to each", soon)
	}
	arrive(t, a, came, c.officer.ID)

	clockOf(t).Set(time.Date(2026, 11, 30, 9, 14, 0, 0, shanghai))
	if marked, err := a.MarkNoShows(ctx, clockOf(t).Now()); err != nil || len(marked) != 0 {
		t.Fatalf("14 minutes after the start: %d marked (%v), want none", len(marked), err)
	}
	clockOf(t).Set(time.Date(2026, 11, 30, 9, 15, 0, 0, shanghai))
	var wg sync.WaitGroup
	counts := make([]int, 6)
	for i := range counts {
		st := a
		if i%2 == 1 {
			st = b
		}
		wg.Go(func() {
			marked, err := st.MarkNoShows(ctx, clockOf(t).Now())
			if err != nil {
				t.Error(err)
			}
			counts[i] = len(marked)
		})
	}
	wg.Wait()
	total := 0
	for _, n := range counts {
		total += n
	}
	if total != 1 {
		t.Fatalf("sweeps marked %v, want exactly one no-show in all", counts)
	}
	got, err := a.FindRequest(ctx, r.ID, scopeOf(c.resident))
	if err != nil || got.Status != app.RequestNoShow || got.ClosedAt == nil {
		t.Fatalf("the booking nobody came for: %+v, %v", got, err)
	}
	var entries int64
	a.DB().Model(&app.TimelineEntry{}).Where("request_id = ? AND to_status = ?", r.ID, app.RequestNoShow).Count(&entries)
	if told := texts(t, a, "no_show"); entries != 1 || len(told) != 1 || told[0].Phone != c.resident.Phone {
		t.Fatalf("%d timeline entries and texts %+v, want one of each to the resident", entries, told)
	}
	f, err := a.Figures(ctx, app.FigureQuery{StationID: c.station.ID, From: clockOf(t).Now().Add(-time.Hour), To: clockOf(t).Now().Add(time.Hour)})
	if err != nil || f.Visits.NoShows != 1 {
		t.Fatalf("figures no-shows %+v, %v: want 1", f.Visits, err)
	}
	// Booking again puts it back in the flow.
	next := slotsOn(t, a, c.boothA.ID)[0]
	again, err := a.Book(ctx, r.ID, scopeOf(c.resident), c.resident.ID, &next.ID)
	if err != nil || again.Status != app.RequestSubmitted || again.ClosedAt != nil || *again.SlotID != next.ID {
		t.Fatalf("booking again after a no-show: %+v, %v", again, err)
	}
}

func TestRatingsAndTheHeadsAnswer(t *testing.T) {
	c := newCounter(t)
	st, ctx := c.st, context.Background()
	r := arrive(t, st, create(t, st, other(c.resident.ID)), c.officer.ID)
	if _, err := st.Rate(ctx, r.ID, c.resident.ID, 5, ""); app.ErrorCode(err) != app.ECONFLICT {
		t.Fatalf("rating before completion: %v, want conflict", err)
	}
	move(t, st, r.ID, c.staffScope, app.RequestMove{ActorID: c.officer.ID, To: app.RequestAccepted})
	move(t, st, r.ID, c.staffScope, app.RequestMove{ActorID: c.officer.ID, To: app.RequestInProgress})
	clockOf(t).Advance(12 * time.Minute)
	move(t, st, r.ID, c.staffScope, app.RequestMove{ActorID: c.officer.ID, To: app.RequestCompleted})

	if _, err := st.Rate(ctx, r.ID, c.neighbour.ID, 5, ""); app.ErrorCode(err) != app.ENOTFOUND {
		t.Errorf("rating someone else's visit: %v, want not found", err)
	}
	if _, err := st.Rate(ctx, r.ID, c.resident.ID, 1, "  "); app.ErrorCode(err) != app.EINVALID {
		t.Fatalf("a 1 without a comment: %v, want invalid", err)
	}
	if _, err := st.Rate(ctx, r.ID, c.resident.ID, 6, ""); app.ErrorCode(err) != app.EINVALID {
		t.Errorf("a 6: %v, want invalid", err)
	}
	rt, err := st.Rate(ctx, r.ID, c.resident.ID, 1, "等了很久没人理")
	if err != nil || rt.Score != 1 {
		t.Fatalf("rate: %+v, %v", rt, err)
	}
	if _, err := st.Rate(ctx, r.ID, c.resident.ID, 5, ""); app.ErrorCode(err) != app.ECONFLICT {
		t.Errorf("a second rating: %v, want conflict", err)
	}
	if heads := texts(t, st, "bad_rating"); len(heads) != 1 || heads[0].Phone != c.head.Phone {
		t.Fatalf("texts to heads %+v, want one to the head", heads)
	}
	unanswered, _ := st.ListRatings(ctx, c.station.ID, true, 0, 10)
	if len(unanswered) != 1 {
		t.Fatalf("unanswered bad ratings %d, want 1", len(unanswered))
	}
	if _, err := st.AnswerRating(ctx, app.Actor{ID: c.otherHead.ID}, rt.ID, "抱歉"); app.ErrorCode(err) != app.ENOTFOUND {
		t.Errorf("another station's head answering: %v, want not found", err)
	}
	if _, err := st.AnswerRating(ctx, app.Actor{ID: c.officer.ID}, rt.ID, "抱歉"); app.ErrorCode(err) != app.EFORBIDDEN {
		t.Errorf("an officer answering: %v, want forbidden", err)
	}
	ans, err := st.AnswerRating(ctx, app.Actor{ID: c.head.ID}, rt.ID, "非常抱歉，已安排专人回访。")
	if err != nil || ans.RespondedAt == nil {
		t.Fatalf("answer: %+v, %v", ans, err)
	}
	if _, err := st.AnswerRating(ctx, app.Actor{ID: c.head.ID}, rt.ID, "again"); app.ErrorCode(err) != app.ECONFLICT {
		t.Errorf("a second answer: %v, want conflict", err)
	}
	if told := texts(t, st, "rating_answer"); len(told) != 1 || told[0].Phone != c.resident.Phone {
		t.Fatalf("texts to the resident %+v, want the answer's", told)
	}
	stored, err := st.RatingOf(ctx, r.ID)
	if err != nil || stored.Response != "非常抱歉，已安排专人回访。" {
		t.Fatalf("the answer stays with the request: %+v, %v", stored, err)
	}
	f, err := st.Figures(ctx, app.FigureQuery{StationID: c.station.ID, From: clockOf(t).Now().Add(-time.Hour), To: clockOf(t).Now().Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if f.Ratings.Count != 1 || f.Ratings.ByScore["1"] != 1 || f.Ratings.Satisfaction == nil || *f.Ratings.Satisfaction != 0 || f.Ratings.Unanswered != 0 {
		t.Errorf("rating figures %+v", f.Ratings)
	}
	if f.Visits.Visits != 1 || f.Visits.MedianVisitMinutes == nil || *f.Visits.MedianVisitMinutes != 12 || f.Visits.WithinTargetShare == nil || *f.Visits.WithinTargetShare != 1 {
		t.Errorf("visit figures %+v: want one visit of 12 minutes, within the 20-minute target", f.Visits)
	}
	if err := st.SetVisitTarget(ctx, app.Actor{ID: c.officer.ID}, c.station.ID, 10); app.ErrorCode(err) != app.EFORBIDDEN {
		t.Errorf("an officer setting the visit target: %v, want forbidden", err)
	}
	if err := st.SetVisitTarget(ctx, app.Actor{ID: c.head.ID}, c.station.ID, 10); err != nil {
		t.Fatal(err)
	}
	f, _ = st.Figures(ctx, app.FigureQuery{StationID: c.station.ID, From: clockOf(t).Now().Add(-time.Hour), To: clockOf(t).Now().Add(time.Hour)})
	if f.Visits.TargetMinutes != 10 || f.Visits.WithinTargetShare == nil || *f.Visits.WithinTargetShare != 0 {
		t.Errorf("with a 10-minute target: %+v, want none of the one 12-minute visit within it", f.Visits)
	}
}
