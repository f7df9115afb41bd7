package store_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	_ "time/tzdata" // the tests use stations in far-apart zones

	"policebooth/server/app"
	"policebooth/server/store"
)

// Two resident ID numbers with valid check digits.
const (
	idCardX = "11010519491231002X"
	idCard4 = "440524188001010014"
)

// bundle is the reference visit: a household migration with a passport
// renewal, its fields filled in.
func bundle(residentID int64) app.NewRequest {
	return app.NewRequest{
		ResidentID: residentID,
		Services:   []string{"household_migration", "passport_renewal"},
		Fields: map[string]map[string]string{
			"household_migration": {"from_address": " 河北省保定市莲池区东风路1号 ", "to_address": "北京市海淀区中关村大街27号", "reason": "purchase", "people": "3", "move_date": "2026-12-01"},
			"passport_renewal":    {"id_card": strings.ToLower(idCardX), "travel_purpose": "family"},
		},
		Note: "上午来",
	}
}

func create(t testing.TB, st *store.Store, nr app.NewRequest) *app.ServiceRequest {
	t.Helper()
	r, err := st.CreateRequest(context.Background(), nr)
	if err != nil {
		t.Fatalf("CreateRequest(%v): %v", nr.Services, err)
	}
	return r
}

func move(t testing.TB, st *store.Store, id int64, scope app.RequestFilter, m app.RequestMove) *app.ServiceRequest {
	t.Helper()
	r, err := st.MoveRequest(context.Background(), id, scope, m)
	if err != nil {
		t.Fatalf("MoveRequest(%d, %+v): %v", id, m, err)
	}
	return r
}

func requestEvents(t testing.TB, st *store.Store, id int64) []app.Event {
	t.Helper()
	var events []app.Event
	if err := st.DB().Where("record_id = ? AND name LIKE 'request.%'", id).Order("id").Find(&events).Error; err != nil {
		t.Fatal(err)
	}
	return events
}

func count(t testing.TB, st *store.Store, model any) int64 {
	t.Helper()
	var n int64
	if err := st.DB().Model(model).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

func TestBundledRequestIsValidatedAndStored(t *testing.T) {
	c := newCounter(t)
	st, ctx := c.st, context.Background()

	r := create(t, st, bundle(c.resident.ID))
	if r.ID == 0 || r.Status != app.RequestSubmitted || r.Ticket != "" || r.ArrivedAt != nil || r.BoothID != c.boothA.ID || r.StationID != c.station.ID ||
		r.TargetMinutes != 35 || r.Note != "上午来" || r.ResidentID == nil || *r.ResidentID != c.resident.ID {
		t.Fatalf("created %+v: want submitted A-001 at the home booth, target 20+15", r)
	}
	got, err := st.FindRequest(ctx, r.ID, scopeOf(c.resident))
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Services) != 2 || got.Services[0].Code != "household_migration" || got.Services[1].Code != "passport_renewal" {
		t.Fatalf("stored services %+v", got.Services)
	}
	if f := got.Services[0].Fields; f["from_address"] != "河北省保定市莲池区东风路1号" || f["reason"] != "purchase" || f["people"] != "3" || len(f) != 5 {
		t.Errorf("migration fields %v: want them trimmed and kept", f)
	}
	if f := got.Services[1].Fields; f["id_card"] != idCardX || len(f) != 2 {
		t.Errorf("passport fields %v: want the ID number with an upper-case X", f)
	}
	if len(got.Timeline) != 1 || got.Timeline[0].Kind != "status" || got.Timeline[0].To != "submitted" || got.Timeline[0].ActorID == nil || *got.Timeline[0].ActorID != c.resident.ID {
		t.Errorf("first timeline %+v: want one status entry to submitted by the resident", got.Timeline)
	}
	if got.Checked == nil || len(got.Checked) != 0 || got.Newborn != nil {
		t.Errorf("checked %v, newborn %v: want an empty list and none", got.Checked, got.Newborn)
	}

	off := false
	if err := st.SetServiceSetting(ctx, app.Actor{ID: c.head.ID}, app.ServiceSetting{StationID: c.station.ID, Code: "dispute", Enabled: &off}); err != nil {
		t.Fatal(err)
	}
	newborn := func() *app.Newborn {
		return &app.Newborn{BabyName: "陈小宝", Sex: "female", BirthDate: "2026-11-01", BirthPlace: "海淀妇幼保健院", BirthCertificateNo: "Q110654321",
			Guardians: []app.Guardian{{Name: "陈建军", Relation: "father"}}}
	}
	requests, events := count(t, st, &app.ServiceRequest{}), count(t, st, &app.Event{})
	for name, mutate := range map[string]func(*app.NewRequest){
		"bad id card":       func(n *app.NewRequest) { n.Fields["passport_renewal"]["id_card"] = "110105194912310029" },
		"missing required":  func(n *app.NewRequest) { delete(n.Fields["household_migration"], "from_address") },
		"blank required":    func(n *app.NewRequest) { n.Fields["household_migration"]["from_address"] = "  " },
		"unknown field":     func(n *app.NewRequest) { n.Fields["passport_renewal"]["shoe_size"] = "42" },
		"bad number":        func(n *app.NewRequest) { n.Fields["household_migration"]["people"] = "three" },
		"number as inf":     func(n *app.NewRequest) { n.Fields["household_migration"]["people"] = "Inf" },
		"bad date":          func(n *app.NewRequest) { n.Fields["household_migration"]["move_date"] = "2026-13-01" },
		"bad choice":        func(n *app.NewRequest) { n.Fields["passport_renewal"]["travel_purpose"] = "smuggling" },
		"value too long":    func(n *app.NewRequest) { n.Fields["household_migration"]["to_address"] = strings.Repeat("路", 501) },
		"fields of another": func(n *app.NewRequest) { n.Fields["id_card"] = map[string]string{"reason": "lost"} },
		"disabled service":  func(n *app.NewRequest) { n.Services = append(n.Services, "dispute") },
		"unknown service":   func(n *app.NewRequest) { n.Services = append(n.Services, "haircut") },
		"listed twice":      func(n *app.NewRequest) { n.Services = append(n.Services, "passport_renewal") },
		"no services":       func(n *app.NewRequest) { n.Services, n.Fields = nil, nil },
		"six services": func(n *app.NewRequest) {
			n.Services = append(n.Services, "id_card", "lost_and_found", "other", "no_criminal_record")
		},
		"note too long":           func(n *app.NewRequest) { n.Note = strings.Repeat("字", 1001) },
		"newborn without details": func(n *app.NewRequest) { n.Services = append(n.Services, app.NewbornCode) },
		"details without newborn": func(n *app.NewRequest) { n.Newborn = newborn() },
		"newborn born tomorrow": func(n *app.NewRequest) {
			n.Services, n.Newborn = append(n.Services, app.NewbornCode), newborn()
			n.Newborn.BirthDate = clockOf(t).Now().AddDate(0, 0, 2).Format(time.DateOnly)
		},
		"missing booth":     func(n *app.NewRequest) { n.BoothID = 9999 },
		"no booth, no home": func(n *app.NewRequest) { n.ResidentID = c.homeless.ID },
	} {
		nr := bundle(c.resident.ID)
		mutate(&nr)
		if _, err := st.CreateRequest(ctx, nr); app.ErrorCode(err) != app.EINVALID {
			t.Errorf("%s: %v, want invalid", name, err)
		}
	}
	if _, err := st.CreateRequest(ctx, bundle(c.officer.ID)); app.ErrorCode(err) != app.EFORBIDDEN {
		t.Errorf("an officer filing a request: %v, want forbidden", err)
	}
	if _, err := st.CreateRequest(ctx, bundle(9999)); app.ErrorCode(err) != app.EUNAUTHORIZED {
		t.Errorf("a missing resident: %v, want unauthenticated", err)
	}
	if n, e := count(t, st, &app.ServiceRequest{}), count(t, st, &app.Event{}); n != requests || e != events {
		t.Fatalf("refused requests left %d requests and %d events, want %d and %d", n, e, requests, events)
	}
	if again := arrive(t, st, create(t, st, bundle(c.resident.ID)), c.officer.ID); again.Ticket != "A-001" {
		t.Errorf("the first arrival after filings and refusals has ticket %s, want A-001: filing took a number", again.Ticket)
	}

	nr := app.NewRequest{ResidentID: c.resident.ID, Services: []string{app.NewbornCode}, Newborn: newborn()}
	nr.Newborn.Guardians[0].Phone = "+86 139-0000-0009"
	nb := create(t, st, nr)
	if nb.TargetMinutes != 20 {
		t.Errorf("newborn target %d, want 20", nb.TargetMinutes)
	}
	got, err = st.FindRequest(ctx, nb.ID, c.staffScope)
	if err != nil || got.Newborn == nil || got.Newborn.BabyName != "陈小宝" || got.Newborn.Guardians[0].Phone != "13900000009" {
		t.Fatalf("stored newborn %+v, %v: want the baby with the guardian's phone normalised", got.Newborn, err)
	}
}

func TestTicketsAreNumberedPerBoothPerLocalDay(t *testing.T) {
	c := newCounter(t)
	st, ctx := c.st, context.Background()
	one := func(residentID, boothID int64) *app.ServiceRequest {
		r := create(t, st, app.NewRequest{ResidentID: residentID, BoothID: boothID, Services: []string{"other"},
			Fields: map[string]map[string]string{"other": {"subject": "开证明"}}})
		r, err := st.Arrive(ctx, r.ID, app.RequestFilter{StationID: r.StationID}, app.Arrival{ActorID: c.officer.ID, ByStaff: true})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	a1, a2 := one(c.resident.ID, 0), one(c.neighbour.ID, 0)
	b1 := one(c.resident.ID, c.boothB.ID)
	o1 := one(c.homeless.ID, c.otherBooth.ID)
	if a1.Ticket != "A-001" || a2.Ticket != "A-002" || b1.Ticket != "B-001" || o1.Ticket != "A-001" {
		t.Fatalf("tickets %s %s %s %s: want A-001 A-002 at booth A, B-001 at booth B, A-001 at the other station's A", a1.Ticket, a2.Ticket, b1.Ticket, o1.Ticket)
	}
	if o1.StationID != c.otherStation.ID || b1.BoothID != c.boothB.ID {
		t.Fatalf("a request belongs to its booth's station: %+v", o1)
	}
	shanghai, _ := time.LoadLocation("Asia/Shanghai")
	if today := clockOf(t).Now().In(shanghai).Format(time.DateOnly); a1.TicketDay != today {
		t.Errorf("ticket day %s, want %s in Asia/Shanghai", a1.TicketDay, today)
	}

	// The next local day starts again at 001: move today's numbering back a day.
	yesterday := clockOf(t).Now().In(shanghai).AddDate(0, 0, -1).Format(time.DateOnly)
	if err := st.DB().Exec("UPDATE ticket_counters SET day = ? WHERE booth_id = ?", yesterday, c.boothA.ID).Error; err != nil {
		t.Fatal(err)
	}
	if err := st.DB().Exec("UPDATE service_requests SET ticket_day = ? WHERE booth_id = ?", yesterday, c.boothA.ID).Error; err != nil {
		t.Fatal(err)
	}
	if next := one(c.resident.ID, 0); next.Ticket != "A-001" {
		t.Errorf("first ticket of a new day %s, want A-001", next.Ticket)
	}
	if next := one(c.resident.ID, c.boothB.ID); next.Ticket != "B-002" {
		t.Errorf("booth B on the same day %s, want B-002", next.Ticket)
	}

	// The day is the station's: two zones 25 hours apart never share a date.
	days := map[string]string{}
	for _, zone := range []string{"Pacific/Kiritimati", "Pacific/Pago_Pago"} {
		s := &app.Station{Name: zone, TimeZone: zone}
		if err := st.CreateStation(ctx, app.Actor{}, s); err != nil {
			t.Fatal(err)
		}
		b := &app.Booth{StationID: s.ID, Name: "K", Lat: 1.87, Lng: -157.4}
		if err := st.CreateBooth(ctx, app.Actor{}, b); err != nil {
			t.Fatal(err)
		}
		loc, _ := time.LoadLocation(zone)
		before := clockOf(t).Now().In(loc).Format(time.DateOnly)
		r := one(c.resident.ID, b.ID)
		after := clockOf(t).Now().In(loc).Format(time.DateOnly)
		if r.TicketDay != before && r.TicketDay != after {
			t.Errorf("%s: ticket day %s, want %s there", zone, r.TicketDay, before)
		}
		days[zone] = r.TicketDay
	}
	if days["Pacific/Kiritimati"] == days["Pacific/Pago_Pago"] {
		t.Errorf("both zones gave day %s: the station's zone is not used", days["Pacific/Kiritimati"])
	}
}

func TestConcurrentRequestsGetDistinctTickets(t *testing.T) {
	c := newCounter(t)
	st, ctx := c.st, context.Background()
	const n = 20
	tickets := make([]string, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			resident := c.resident
			if i%2 == 1 {
				resident = c.neighbour
			}
			r, err := st.CreateRequest(ctx, app.NewRequest{ResidentID: resident.ID, Services: []string{"other"},
				Fields: map[string]map[string]string{"other": {"subject": fmt.Sprintf("事项 %d", i)}}})
			if err == nil {
				r, err = st.Arrive(ctx, r.ID, c.staffScope, app.Arrival{ActorID: c.officer.ID, ByStaff: true})
			}
			errs[i] = err
			if err == nil {
				tickets[i] = r.Ticket
			}
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("request %d: %v", i, err)
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

func TestRequestFlowWritesTimelineAndEvents(t *testing.T) {
	c := newCounter(t)
	st, ctx := c.st, context.Background()
	r := create(t, st, bundle(c.resident.ID))
	staff := app.RequestMove{ActorID: c.officer.ID}

	if _, err := st.MoveRequest(ctx, r.ID, c.staffScope, app.RequestMove{ActorID: c.officer.ID, To: app.RequestInProgress}); app.ErrorCode(err) != app.ECONFLICT {
		t.Fatalf("submitted → in_progress: %v, want conflict", err)
	}
	for _, to := range []app.RequestStatus{app.RequestAccepted, app.RequestInProgress, app.RequestCompleted} {
		m := staff
		m.To = to
		got := move(t, st, r.ID, c.staffScope, m)
		if got.Status != to {
			t.Fatalf("moved to %s, got %s", to, got.Status)
		}
		if to != app.RequestCompleted && got.ClosedAt != nil {
			t.Fatalf("%s request has closed_at", to)
		}
	}
	done, err := st.FindRequest(ctx, r.ID, scopeOf(c.resident))
	if err != nil {
		t.Fatal(err)
	}
	if done.Status != app.RequestCompleted || done.ClosedAt == nil || done.ClosedAt.Before(done.CreatedAt) {
		t.Fatalf("completed request %+v: want closed_at set", done)
	}
	var steps []string
	for _, e := range done.Timeline {
		steps = append(steps, e.Kind+":"+e.From+">"+e.To)
		if e.Kind != "status" || (e.To != "submitted" && (e.ActorID == nil || *e.ActorID != c.officer.ID)) {
			t.Errorf("timeline entry %+v: want a status change by the officer", e)
		}
	}
	if want := []string{"status:>submitted", "status:submitted>accepted", "status:accepted>in_progress", "status:in_progress>completed"}; !slices.Equal(steps, want) {
		t.Fatalf("timeline %v, want %v", steps, want)
	}
	events := requestEvents(t, st, r.ID)
	var names, statuses []string
	for _, e := range events {
		names = append(names, e.Name)
		statuses = append(statuses, payloadField(t, e, "status"))
		if e.StationID != c.station.ID || e.OwnerID == nil || *e.OwnerID != c.resident.ID {
			t.Errorf("event %+v: want the station's, owned by the resident", e)
		}
	}
	if !slices.Equal(names, []string{"request.created", "request.updated", "request.updated", "request.updated"}) ||
		!slices.Equal(statuses, []string{"submitted", "accepted", "in_progress", "completed"}) {
		t.Fatalf("events %v with statuses %v", names, statuses)
	}

	// Closed: no more moves, assignments or ticks, but notes.
	for name, m := range map[string]app.RequestMove{
		"reopen":   {ActorID: c.officer.ID, To: app.RequestInProgress},
		"reject":   {ActorID: c.officer.ID, To: app.RequestRejected, Note: "too late"},
		"assign":   {ActorID: c.officer.ID, AssigneeID: &c.officer2.ID},
		"checking": {ActorID: c.officer.ID, Checked: []string{"passport_renewal:0"}},
	} {
		if _, err := st.MoveRequest(ctx, r.ID, c.staffScope, m); app.ErrorCode(err) != app.ECONFLICT {
			t.Errorf("%s on a completed request: %v, want conflict", name, err)
		}
	}
	noted := move(t, st, r.ID, c.staffScope, app.RequestMove{ActorID: c.officer.ID, Note: " 已电话通知取证 "})
	last := noted.Timeline[len(noted.Timeline)-1]
	if len(noted.Timeline) != 5 || last.Kind != "note" || last.Note != "已电话通知取证" || noted.Status != app.RequestCompleted {
		t.Fatalf("after a note the timeline is %+v", noted.Timeline)
	}
	if n := len(requestEvents(t, st, r.ID)); n != 5 {
		t.Fatalf("%d events after the note, want 5", n)
	}
	if _, err := st.MoveRequest(ctx, r.ID, c.staffScope, app.RequestMove{ActorID: c.officer.ID}); app.ErrorCode(err) != app.EINVALID {
		t.Errorf("an empty move: %v, want invalid", err)
	}
}

func TestRejectAndHoldNeedAReason(t *testing.T) {
	c := newCounter(t)
	st, ctx := c.st, context.Background()
	r := create(t, st, bundle(c.resident.ID))
	if _, err := st.MoveRequest(ctx, r.ID, c.staffScope, app.RequestMove{ActorID: c.officer.ID, To: app.RequestRejected, Note: "  "}); app.ErrorCode(err) != app.EINVALID {
		t.Fatalf("reject without a reason: %v, want invalid", err)
	}
	move(t, st, r.ID, c.staffScope, app.RequestMove{ActorID: c.officer.ID, To: app.RequestAccepted})
	if _, err := st.MoveRequest(ctx, r.ID, c.staffScope, app.RequestMove{ActorID: c.officer.ID, To: app.RequestOnHold}); app.ErrorCode(err) != app.EINVALID {
		t.Fatalf("hold without a reason: %v, want invalid", err)
	}
	held := move(t, st, r.ID, c.staffScope, app.RequestMove{ActorID: c.officer.ID, To: app.RequestOnHold, Note: "等医院盖章"})
	if held.ClosedAt != nil || held.Timeline[len(held.Timeline)-1].Note != "等医院盖章" {
		t.Fatalf("on hold: %+v", held)
	}
	move(t, st, r.ID, c.staffScope, app.RequestMove{ActorID: c.officer.ID, To: app.RequestAccepted})
	rejected := move(t, st, r.ID, c.staffScope, app.RequestMove{ActorID: c.officer.ID, To: app.RequestRejected, Note: "材料不全"})
	last := rejected.Timeline[len(rejected.Timeline)-1]
	if rejected.Status != app.RequestRejected || rejected.ClosedAt == nil || last.Kind != "status" || last.To != "rejected" || last.Note != "材料不全" {
		t.Fatalf("rejected %+v, last entry %+v: want closed with the reason on the entry", rejected, last)
	}
	if n := len(rejected.Timeline); n != 5 {
		t.Fatalf("%d timeline entries, want 5: refused moves must leave none", n)
	}
}

func TestResidentMayOnlyCancelTheirOwnBeforeWork(t *testing.T) {
	c := newCounter(t)
	st, ctx := c.st, context.Background()
	mine := scopeOf(c.resident)
	cancel := app.RequestMove{ActorID: c.resident.ID, ByResident: true, To: app.RequestCancelled, Note: "时间冲突"}

	r := create(t, st, bundle(c.resident.ID))
	if _, err := st.MoveRequest(ctx, r.ID, scopeOf(c.neighbour), app.RequestMove{ActorID: c.neighbour.ID, ByResident: true, To: app.RequestCancelled}); app.ErrorCode(err) != app.ENOTFOUND {
		t.Fatalf("a neighbour cancelling: %v, want not found", err)
	}
	for name, m := range map[string]app.RequestMove{
		"accept":    {ActorID: c.resident.ID, ByResident: true, To: app.RequestAccepted},
		"note only": {ActorID: c.resident.ID, ByResident: true, Note: "快点"},
		"assign":    {ActorID: c.resident.ID, ByResident: true, To: app.RequestCancelled, AssigneeID: &c.officer.ID},
		"tick":      {ActorID: c.resident.ID, To: app.RequestCancelled, Checked: []string{"passport_renewal:0"}}, // resident scope makes it the resident's move
	} {
		if _, err := st.MoveRequest(ctx, r.ID, mine, m); app.ErrorCode(err) != app.EFORBIDDEN {
			t.Errorf("resident %s: %v, want forbidden", name, err)
		}
	}
	if _, err := st.MoveRequest(ctx, r.ID, c.staffScope, app.RequestMove{ActorID: c.resident.ID, ByResident: true, To: app.RequestCancelled}); app.ErrorCode(err) != app.ENOTFOUND {
		t.Errorf("a resident's move in a station's scope: %v, want not found", err)
	}
	cancelled := move(t, st, r.ID, mine, cancel)
	last := cancelled.Timeline[len(cancelled.Timeline)-1]
	if cancelled.Status != app.RequestCancelled || cancelled.ClosedAt == nil || last.Note != "时间冲突" || *last.ActorID != c.resident.ID {
		t.Fatalf("cancelled %+v, last %+v", cancelled, last)
	}

	accepted := create(t, st, bundle(c.resident.ID))
	move(t, st, accepted.ID, c.staffScope, app.RequestMove{ActorID: c.officer.ID, To: app.RequestAccepted})
	if got := move(t, st, accepted.ID, mine, cancel); got.Status != app.RequestCancelled {
		t.Fatalf("cancelling an accepted request: %s", got.Status)
	}

	working := create(t, st, bundle(c.resident.ID))
	move(t, st, working.ID, c.staffScope, app.RequestMove{ActorID: c.officer.ID, To: app.RequestAccepted})
	move(t, st, working.ID, c.staffScope, app.RequestMove{ActorID: c.officer.ID, To: app.RequestInProgress})
	if _, err := st.MoveRequest(ctx, working.ID, mine, cancel); app.ErrorCode(err) != app.ECONFLICT {
		t.Fatalf("cancelling once work started: %v, want conflict", err)
	}
	if got, _ := st.FindRequest(ctx, working.ID, mine); got.Status != app.RequestInProgress {
		t.Fatalf("after a refused cancel the request is %s", got.Status)
	}
}

func TestRequestsAreScoped(t *testing.T) {
	c := newCounter(t)
	st, ctx := c.st, context.Background()
	r := create(t, st, bundle(c.resident.ID))

	for name, scope := range map[string]app.RequestFilter{
		"its resident":                scopeOf(c.resident),
		"its station":                 c.staffScope,
		"its resident at its station": {ResidentID: c.resident.ID, StationID: c.station.ID},
	} {
		if got, err := st.FindRequest(ctx, r.ID, scope); err != nil || got.ID != r.ID {
			t.Errorf("%s: %v", name, err)
		}
	}
	for name, scope := range map[string]app.RequestFilter{
		"another resident":      scopeOf(c.neighbour),
		"another station":       c.otherStaffScope,
		"no scope":              {},
		"resident, other place": {ResidentID: c.resident.ID, StationID: c.otherStation.ID},
	} {
		if _, err := st.FindRequest(ctx, r.ID, scope); app.ErrorCode(err) != app.ENOTFOUND {
			t.Errorf("FindRequest by %s: %v, want not found", name, err)
		}
		if _, err := st.MoveRequest(ctx, r.ID, scope, app.RequestMove{ActorID: c.otherOfficer.ID, To: app.RequestCancelled, ByResident: true}); app.ErrorCode(err) != app.ENOTFOUND {
			t.Errorf("MoveRequest by %s: %v, want not found", name, err)
		}
		if err := st.AddAttachment(ctx, scope, &app.Attachment{RequestID: r.ID, UploaderID: c.otherOfficer.ID, BlobKey: "k-" + name, ContentType: "image/jpeg", Size: 10}); app.ErrorCode(err) != app.ENOTFOUND {
			t.Errorf("AddAttachment by %s: %v, want not found", name, err)
		}
	}
	if _, err := st.MoveRequest(ctx, r.ID, c.otherStaffScope, app.RequestMove{ActorID: c.otherOfficer.ID, To: app.RequestAccepted}); app.ErrorCode(err) != app.ENOTFOUND {
		t.Errorf("another station's officer accepting: %v, want not found", err)
	}
	if _, err := st.FindRequest(ctx, 424242, c.staffScope); app.ErrorCode(err) != app.ENOTFOUND {
		t.Errorf("a missing request: %v, want not found", err)
	}
	if got, _ := st.FindRequest(ctx, r.ID, c.staffScope); got.Status != app.RequestSubmitted || len(got.Timeline) != 1 {
		t.Fatalf("out-of-scope moves changed the request: %+v", got)
	}
}

func TestListRequestsFiltersAndPages(t *testing.T) {
	c := newCounter(t)
	st, ctx := c.st, context.Background()
	migration := create(t, st, app.NewRequest{ResidentID: c.resident.ID, Services: []string{"household_migration"},
		Fields: map[string]map[string]string{"household_migration": {"from_address": "保定", "to_address": "海淀", "reason": "work"}}})
	passport := create(t, st, app.NewRequest{ResidentID: c.resident.ID, Services: []string{"passport_renewal"},
		Fields: map[string]map[string]string{"passport_renewal": {"id_card": idCard4, "travel_purpose": "tourism"}}})
	both := create(t, st, bundle(c.resident.ID))
	atB := create(t, st, app.NewRequest{ResidentID: c.neighbour.ID, BoothID: c.boothB.ID, Services: []string{"lost_and_found"},
		Fields: map[string]map[string]string{"lost_and_found": {"kind": "lost", "item": "黑色钱包"}}})
	elsewhere := create(t, st, app.NewRequest{ResidentID: c.resident.ID, BoothID: c.otherBooth.ID, Services: []string{"other"},
		Fields: map[string]map[string]string{"other": {"subject": "咨询"}}})
	move(t, st, passport.ID, c.staffScope, app.RequestMove{ActorID: c.officer.ID, To: app.RequestAccepted})
	move(t, st, both.ID, c.staffScope, app.RequestMove{ActorID: c.officer.ID, AssigneeID: &c.officer2.ID})

	// Creation times a second and half a second apart, on a fixed day.
	base := time.Date(2026, 11, 20, 1, 0, 0, 0, time.UTC)
	for i, id := range []int64{migration.ID, passport.ID, both.ID, atB.ID, elsewhere.ID} {
		at := base.Add(time.Duration(i) * 1500 * time.Millisecond)
		if err := st.DB().Model(&app.ServiceRequest{}).Where("id = ?", id).Update("created_at", at).Error; err != nil {
			t.Fatal(err)
		}
	}

	ids := func(f app.RequestFilter) []int64 {
		t.Helper()
		list, err := st.ListRequests(ctx, f)
		if err != nil {
			t.Fatalf("ListRequests(%+v): %v", f, err)
		}
		var out []int64
		for _, r := range list {
			out = append(out, r.ID)
			if len(r.Services) == 0 {
				t.Errorf("request %d listed without its services", r.ID)
			}
		}
		return out
	}
	station := func(f app.RequestFilter) app.RequestFilter { f.StationID = c.station.ID; return f }
	for name, tc := range map[string]struct {
		f    app.RequestFilter
		want []int64
	}{
		"the station's, newest first": {station(app.RequestFilter{}), []int64{atB.ID, both.ID, passport.ID, migration.ID}},
		"a resident's own, anywhere":  {scopeOf(c.resident), []int64{elsewhere.ID, both.ID, passport.ID, migration.ID}},
		"the other station's":         {c.otherStaffScope, []int64{elsewhere.ID}},
		"by status":                   {station(app.RequestFilter{Statuses: []app.RequestStatus{app.RequestAccepted}}), []int64{passport.ID}},
		"by statuses":                 {station(app.RequestFilter{Statuses: []app.RequestStatus{app.RequestAccepted, app.RequestSubmitted}}), []int64{atB.ID, both.ID, passport.ID, migration.ID}},
		"by type":                     {station(app.RequestFilter{Type: "passport_renewal"}), []int64{both.ID, passport.ID}},
		"by booth":                    {station(app.RequestFilter{BoothID: c.boothB.ID}), []int64{atB.ID}},
		"by assignee":                 {station(app.RequestFilter{AssigneeID: c.officer2.ID}), []int64{both.ID}},
		"from, inclusive":             {station(app.RequestFilter{From: base.Add(1500 * time.Millisecond)}), []int64{atB.ID, both.ID, passport.ID}},
		"to, exclusive":               {station(app.RequestFilter{To: base.Add(3 * time.Second)}), []int64{passport.ID, migration.ID}},
		"to, just after":              {station(app.RequestFilter{To: base.Add(3001 * time.Millisecond)}), []int64{both.ID, passport.ID, migration.ID}},
		"from and to":                 {station(app.RequestFilter{From: base.Add(time.Second), To: base.Add(4 * time.Second)}), []int64{both.ID, passport.ID}},
		"from, in another zone":       {station(app.RequestFilter{From: base.Add(4500 * time.Millisecond).In(time.FixedZone("CST", 8*3600))}), []int64{atB.ID}},
		"a resident's, by type":       {app.RequestFilter{ResidentID: c.resident.ID, Type: "other"}, []int64{elsewhere.ID}},
		"a neighbour's":               {scopeOf(c.neighbour), []int64{atB.ID}},
	} {
		if got := ids(tc.f); !slices.Equal(got, tc.want) {
			t.Errorf("%s: %v, want %v", name, got, tc.want)
		}
	}

	page1 := ids(station(app.RequestFilter{Limit: 2}))
	page2 := ids(station(app.RequestFilter{Limit: 2, Before: page1[1]}))
	page3 := ids(station(app.RequestFilter{Limit: 2, Before: page2[1]}))
	if !slices.Equal(page1, []int64{atB.ID, both.ID}) || !slices.Equal(page2, []int64{passport.ID, migration.ID}) || len(page3) != 0 {
		t.Errorf("pages %v %v %v", page1, page2, page3)
	}
	if _, err := st.ListRequests(ctx, app.RequestFilter{Type: "other"}); app.ErrorCode(err) != app.EINVALID {
		t.Errorf("a list without a scope: %v, want invalid", err)
	}
	if _, err := st.ListRequests(ctx, station(app.RequestFilter{Statuses: []app.RequestStatus{"done"}})); app.ErrorCode(err) != app.EINVALID {
		t.Errorf("an unknown status: %v, want invalid", err)
	}
	if list, err := st.ListRequests(ctx, app.RequestFilter{ResidentID: c.homeless.ID}); err != nil || list == nil || len(list) != 0 {
		t.Errorf("an empty list is %#v, %v: want an empty, non-nil list", list, err)
	}
}

func TestAssignmentIsToStaffOfTheStation(t *testing.T) {
	c := newCounter(t)
	st, ctx := c.st, context.Background()
	r := create(t, st, bundle(c.resident.ID))

	got := move(t, st, r.ID, c.staffScope, app.RequestMove{ActorID: c.head.ID, AssigneeID: &c.officer.ID, To: app.RequestAccepted, Note: "李明接待"})
	if got.AssigneeID == nil || *got.AssigneeID != c.officer.ID || got.Status != app.RequestAccepted {
		t.Fatalf("accepted and assigned: %+v", got)
	}
	tl := got.Timeline[1:]
	if len(tl) != 2 || tl[0].Kind != "status" || tl[0].Note != "李明接待" || tl[1].Kind != "assignment" || tl[1].From != "" || tl[1].To != fmt.Sprint(c.officer.ID) || *tl[1].ActorID != c.head.ID {
		t.Fatalf("timeline %+v: want the status change with the note, then the assignment", tl)
	}
	events := requestEvents(t, st, r.ID)
	if len(events) != 2 || payloadField(t, events[1], "assignee_id") != fmt.Sprint(c.officer.ID) {
		t.Fatalf("one move, one event with the assignee: %+v", events)
	}
	if again := move(t, st, r.ID, c.staffScope, app.RequestMove{ActorID: c.head.ID, AssigneeID: &c.officer.ID}); len(again.Timeline) != 3 || len(requestEvents(t, st, r.ID)) != 2 {
		t.Fatalf("assigning the same officer again wrote %d entries", len(again.Timeline))
	}

	disabled := createUser(t, st, app.User{Role: app.RoleOfficer, Phone: "13800000009", Name: "停用", BadgeNo: "110009", StationID: &c.station.ID})
	if err := st.SetDisabled(ctx, app.Actor{ID: c.head.ID}, disabled.ID, true); err != nil {
		t.Fatal(err)
	}
	missing := int64(424242)
	for name, id := range map[string]*int64{
		"an officer of another station": &c.otherOfficer.ID,
		"another station's head":        &c.otherHead.ID,
		"a resident":                    &c.neighbour.ID,
		"the admin":                     &c.admin.ID,
		"a disabled officer":            &disabled.ID,
		"nobody":                        &missing,
	} {
		if _, err := st.MoveRequest(ctx, r.ID, c.staffScope, app.RequestMove{ActorID: c.head.ID, AssigneeID: id}); app.ErrorCode(err) != app.EINVALID {
			t.Errorf("assigning %s: %v, want invalid", name, err)
		}
	}
	moved := move(t, st, r.ID, c.staffScope, app.RequestMove{ActorID: c.head.ID, AssigneeID: &c.head.ID})
	if *moved.AssigneeID != c.head.ID || moved.Timeline[3].From != fmt.Sprint(c.officer.ID) {
		t.Fatalf("reassigned to the head: %+v", moved.Timeline)
	}
	zero := int64(0)
	freed := move(t, st, r.ID, c.staffScope, app.RequestMove{ActorID: c.head.ID, AssigneeID: &zero})
	if freed.AssigneeID != nil || freed.Timeline[4].Kind != "assignment" || freed.Timeline[4].To != "" {
		t.Fatalf("unassigned: %+v", freed)
	}
}

func TestChecklistTicksTheRequestsDocuments(t *testing.T) {
	c := newCounter(t)
	st, ctx := c.st, context.Background()
	r := create(t, st, bundle(c.resident.ID))
	types, _ := st.ServiceTypes(ctx, c.station.ID)
	total := 0
	for _, s := range types {
		if s.Code == "household_migration" || s.Code == "passport_renewal" {
			total += len(s.Documents)
		}
	}

	got := move(t, st, r.ID, c.staffScope, app.RequestMove{ActorID: c.officer.ID, Checked: []string{"passport_renewal:2", "household_migration:0", "passport_renewal:2"}})
	if !slices.Equal(got.Checked, []string{"household_migration:0", "passport_renewal:2"}) {
		t.Fatalf("checked %v: want each once, in checklist order", got.Checked)
	}
	last := got.Timeline[len(got.Timeline)-1]
	if last.Kind != "checklist" || last.From != fmt.Sprintf("0/%d", total) || last.To != fmt.Sprintf("2/%d", total) {
		t.Fatalf("checklist entry %+v", last)
	}
	for _, bad := range [][]string{{"passport_renewal:99"}, {"id_card:0"}, {"passport_renewal"}, {"household_migration:-1"}} {
		if _, err := st.MoveRequest(ctx, r.ID, c.staffScope, app.RequestMove{ActorID: c.officer.ID, Checked: bad}); app.ErrorCode(err) != app.EINVALID {
			t.Errorf("ticking %v: %v, want invalid", bad, err)
		}
	}
	cleared := move(t, st, r.ID, c.staffScope, app.RequestMove{ActorID: c.officer.ID, Checked: []string{}})
	if len(cleared.Checked) != 0 || len(cleared.Timeline) != 3 {
		t.Fatalf("cleared checklist %v, timeline %d", cleared.Checked, len(cleared.Timeline))
	}
	if got, _ := st.FindRequest(ctx, r.ID, scopeOf(c.resident)); got.Checked == nil || len(got.Checked) != 0 {
		t.Fatalf("stored checklist %#v", got.Checked)
	}
}

func TestAttachmentsOnOpenRequests(t *testing.T) {
	c := newCounter(t)
	st, ctx := c.st, context.Background()
	r := create(t, st, bundle(c.resident.ID))
	a := &app.Attachment{RequestID: r.ID, UploaderID: c.resident.ID, BlobKey: "att/1", ContentType: "image/jpeg", Size: 2048, Name: " 户口簿.jpg "}
	if err := st.AddAttachment(ctx, scopeOf(c.resident), a); err != nil {
		t.Fatal(err)
	}
	if a.ID == 0 || a.StationID != c.station.ID || a.Name != "户口簿.jpg" {
		t.Fatalf("attachment %+v", a)
	}
	got, _ := st.FindRequest(ctx, r.ID, c.staffScope)
	last := got.Timeline[len(got.Timeline)-1]
	if len(got.Attachments) != 1 || got.Attachments[0].BlobKey != "att/1" || last.Kind != "attachment" || *last.ActorID != c.resident.ID || last.To != fmt.Sprint(a.ID) {
		t.Fatalf("request after an upload: %+v, %+v", got.Attachments, last)
	}
	if events := requestEvents(t, st, r.ID); len(events) != 2 || events[1].Name != "request.updated" {
		t.Fatalf("events %+v", events)
	}
	for name, scope := range map[string]app.RequestFilter{"owner": scopeOf(c.resident), "station": c.staffScope} {
		if f, err := st.FindAttachment(ctx, a.ID, scope); err != nil || f.BlobKey != "att/1" {
			t.Errorf("FindAttachment by %s: %+v, %v", name, f, err)
		}
	}
	for name, scope := range map[string]app.RequestFilter{"neighbour": scopeOf(c.neighbour), "other station": c.otherStaffScope, "nobody": {}} {
		if _, err := st.FindAttachment(ctx, a.ID, scope); app.ErrorCode(err) != app.ENOTFOUND {
			t.Errorf("FindAttachment by %s: %v, want not found", name, err)
		}
	}
	if err := st.AddAttachment(ctx, c.staffScope, &app.Attachment{RequestID: r.ID, UploaderID: c.officer.ID, ContentType: "image/jpeg", Size: 1}); app.ErrorCode(err) != app.EINVALID {
		t.Errorf("an attachment without its blob: %v, want invalid", err)
	}
	for i := 2; i <= 20; i++ {
		if err := st.AddAttachment(ctx, c.staffScope, &app.Attachment{RequestID: r.ID, UploaderID: c.officer.ID, BlobKey: fmt.Sprintf("att/%d", i), ContentType: "image/png", Size: 1}); err != nil {
			t.Fatalf("attachment %d: %v", i, err)
		}
	}
	if err := st.AddAttachment(ctx, c.staffScope, &app.Attachment{RequestID: r.ID, UploaderID: c.officer.ID, BlobKey: "att/21", ContentType: "image/png", Size: 1}); app.ErrorCode(err) != app.ECONFLICT {
		t.Fatalf("the 21st attachment: %v, want conflict", err)
	}

	closed := create(t, st, bundle(c.resident.ID))
	move(t, st, closed.ID, scopeOf(c.resident), app.RequestMove{ActorID: c.resident.ID, ByResident: true, To: app.RequestCancelled})
	if err := st.AddAttachment(ctx, scopeOf(c.resident), &app.Attachment{RequestID: closed.ID, UploaderID: c.resident.ID, BlobKey: "late", ContentType: "image/png", Size: 1}); app.ErrorCode(err) != app.ECONFLICT {
		t.Fatalf("an attachment on a cancelled request: %v, want conflict", err)
	}
}

func TestRequestEventsCarryNoPersonalData(t *testing.T) {
	c := newCounter(t)
	st := c.st
	nr := bundle(c.resident.ID)
	nr.Services = append(nr.Services, app.NewbornCode)
	nr.Newborn = &app.Newborn{BabyName: "陈小宝", Sex: "male", BirthDate: "2026-11-01", BirthPlace: "海淀妇幼保健院", BirthCertificateNo: "Q110654321",
		Guardians: []app.Guardian{{Name: "陈建军", Relation: "father", Phone: "13900000077"}}}
	r := create(t, st, nr)
	move(t, st, r.ID, c.staffScope, app.RequestMove{ActorID: c.officer.ID, To: app.RequestAccepted, AssigneeID: &c.officer.ID, Note: "请陈秀英到2号窗口"})
	move(t, st, r.ID, c.staffScope, app.RequestMove{ActorID: c.officer.ID, Checked: []string{"passport_renewal:0"}})
	if err := st.AddAttachment(context.Background(), scopeOf(c.resident), &app.Attachment{RequestID: r.ID, UploaderID: c.resident.ID, BlobKey: "b/1", ContentType: "image/jpeg", Size: 9, Name: "陈秀英身份证.jpg"}); err != nil {
		t.Fatal(err)
	}

	events := requestEvents(t, st, r.ID)
	if len(events) != 4 {
		t.Fatalf("%d events, want 4", len(events))
	}
	secrets := []string{c.resident.Phone, c.resident.Name, c.officer.Name, c.officer.Phone, idCardX, "1231002", "莲池区", "海淀区", "陈小宝", "陈建军", "13900000077", "Q110654321", "海淀妇幼", "窗口", ".jpg", "上午来"}
	for _, e := range events {
		for _, s := range secrets {
			if strings.Contains(e.Payload, s) {
				t.Errorf("event %s payload %s contains %q", e.Name, e.Payload, s)
			}
		}
		ticket := r.Ticket
		if e.Name == "request.created" {
			ticket = "" // numbered after its event is written, by the creation's last statement
		}
		if payloadField(t, e, "id") != fmt.Sprint(r.ID) || payloadField(t, e, "ticket") != ticket || payloadField(t, e, "booth_id") != fmt.Sprint(c.boothA.ID) || payloadField(t, e, "status") == "" {
			t.Errorf("event payload %s: want the request's id, ticket (%q), booth and status", e.Payload, ticket)
		}
	}
}

// payloadField returns one string field of an event's JSON payload.
func payloadField(t testing.TB, e app.Event, name string) string {
	t.Helper()
	var p map[string]any
	if err := json.Unmarshal([]byte(e.Payload), &p); err != nil {
		t.Fatalf("event %d payload %q: %v", e.ID, e.Payload, err)
	}
	s, _ := p[name].(string)
	return s
}
