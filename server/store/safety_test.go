package store_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"policebooth/server/app"
)

func TestSafetyProfileIsValidatedStoredAndErased(t *testing.T) {
	c := newCounter(t)
	st, ctx := c.st, context.Background()

	empty, err := st.SafetyProfile(ctx, c.resident.ID)
	if err != nil || !empty.Empty() || empty.Needs == nil || empty.EmergencyContacts == nil {
		t.Fatalf("profile before any: %+v, %v; want an empty one with empty lists", empty, err)
	}
	four := []app.EmergencyContact{{Name: "甲", Phone: "13900000011"}, {Name: "乙", Phone: "13900000012"}, {Name: "丙", Phone: "13900000013"}, {Name: "丁", Phone: "13900000014"}}
	for name, p := range map[string]app.SafetyProfile{
		"501-character notes":      {MedicalNotes: strings.Repeat("药", 501)},
		"unknown need":             {Needs: []string{"hearing", "wings"}},
		"four contacts":            {EmergencyContacts: four},
		"contact without a name":   {EmergencyContacts: []app.EmergencyContact{{Phone: "13900000011"}}},
		"contact with a bad phone": {EmergencyContacts: []app.EmergencyContact{{Name: "儿子", Phone: "12345"}}},
		"notify with no contact":   {NotifyContacts: true},
	} {
		if err := st.SaveSafetyProfile(ctx, c.resident.ID, &p); app.ErrorCode(err) != app.EINVALID {
			t.Errorf("%s: %v, want invalid", name, err)
		}
	}
	if err := st.SaveSafetyProfile(ctx, c.officer.ID, &app.SafetyProfile{LivesAlone: true}); app.ErrorCode(err) != app.EFORBIDDEN {
		t.Errorf("an officer's profile: %v, want forbidden", err)
	}

	p := app.SafetyProfile{MedicalNotes: " 高血压，随身带药 ", LivesAlone: true, Needs: []string{"mobility", "hearing", "hearing"},
		EmergencyContacts: []app.EmergencyContact{{Name: "王强", Phone: "+86 139-0000-0099", Relation: "儿子"}}, NotifyContacts: true}
	if err := st.SaveSafetyProfile(ctx, c.resident.ID, &p); err != nil {
		t.Fatal(err)
	}
	got, err := st.SafetyProfile(ctx, c.resident.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.MedicalNotes != "高血压，随身带药" || !got.LivesAlone || strings.Join(got.Needs, ",") != "hearing,mobility" ||
		len(got.EmergencyContacts) != 1 || got.EmergencyContacts[0].Phone != "13900000099" || got.EmergencyContacts[0].Relation != "儿子" || !got.NotifyContacts {
		t.Fatalf("stored profile = %+v", got)
	}
	// A second save replaces the first.
	if err := st.SaveSafetyProfile(ctx, c.resident.ID, &app.SafetyProfile{Needs: []string{"sight"}}); err != nil {
		t.Fatal(err)
	}
	if got, _ := st.SafetyProfile(ctx, c.resident.ID); got.LivesAlone || len(got.EmergencyContacts) != 0 || strings.Join(got.Needs, ",") != "sight" {
		t.Fatalf("profile after replacing = %+v", got)
	}

	export, err := st.ExportResident(ctx, c.resident.ID, t0)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, sec := range export.Sections {
		if sec.Name == "safety_profile" {
			found = strings.Join(sec.Records.(*app.SafetyProfile).Needs, ",") == "sight"
		}
	}
	if !found {
		t.Fatal("the export has no safety_profile section with the profile")
	}
	erased, err := st.EraseResident(ctx, c.resident.ID)
	if err != nil {
		t.Fatal(err)
	}
	if erased.Deleted["safety_profiles"] != 1 || count(t, st, &app.SafetyProfile{}) != 0 {
		t.Fatalf("erasure deleted %v; %d profiles left", erased.Deleted, count(t, st, &app.SafetyProfile{}))
	}
}

func TestCallerViewsTrailAndHandoff(t *testing.T) {
	c := newCounter(t)
	st, ctx := c.st, context.Background()
	onDuty(t, st, c.officer, c.boothA)
	if err := st.SaveSafetyProfile(ctx, c.resident.ID, &app.SafetyProfile{LivesAlone: true, Needs: []string{"hearing"}}); err != nil {
		t.Fatal(err)
	}
	cl := call(t, st, app.NewCall{CallerID: c.resident.ID, Category: "medical", Lat: ptr(39.96), Lng: ptr(116.30), AccuracyM: ptr(20.0)}, t0)
	if err := st.UpdateLocation(ctx, cl.ID, c.resident.ID, 39.961, 116.301, 8, t0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}

	views, err := st.CallerViews(ctx, c.station.ID, c.officer.ID, []int64{cl.ID}, "10.0.0.1", "board")
	if err != nil {
		t.Fatal(err)
	}
	v := views[cl.ID]
	if v.Caller == nil || v.Caller.Name != c.resident.Name || v.Caller.Phone != c.resident.Phone {
		t.Fatalf("caller view = %+v, want %s %s", v.Caller, c.resident.Name, c.resident.Phone)
	}
	if v.Profile == nil || !v.Profile.LivesAlone || strings.Join(v.Profile.Needs, ",") != "hearing" {
		t.Fatalf("profile of an open call = %+v", v.Profile)
	}
	// Another station's staff see nothing of it.
	if other, err := st.CallerViews(ctx, c.otherStation.ID, c.otherOfficer.ID, []int64{cl.ID}, "", "api"); err != nil || len(other) != 0 {
		t.Fatalf("another station's view = %v, %v; want none", other, err)
	}
	audits, err := st.ListAudit(ctx, app.AuditFilter{StationID: c.station.ID, Action: "call.caller_view"})
	if err != nil {
		t.Fatal(err)
	}
	if len(audits) != 1 || *audits[0].ActorID != c.officer.ID || audits[0].IP != "10.0.0.1" || !strings.Contains(audits[0].Detail, "board") {
		t.Fatalf("audit of the view = %+v", audits)
	}

	trail, err := st.CallTrail(ctx, cl.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(trail) != 2 || trail[0].Lat != 39.961 || *trail[0].AccuracyM != 8 || trail[1].Lat != 39.96 || !trail[1].At.Equal(t0) {
		t.Fatalf("trail = %+v, want the newer position first", trail)
	}

	// Any officer of the station hands off, acknowledged or not; others cannot.
	if _, err := st.HandOffCall(ctx, cl.ID, app.CallScope{StationID: c.station.ID}, c.officer.ID, "112", "", t0); app.ErrorCode(err) != app.EINVALID {
		t.Errorf("hand-off to 112: %v, want invalid", err)
	}
	if _, err := st.HandOffCall(ctx, cl.ID, app.CallScope{StationID: c.otherStation.ID}, c.otherOfficer.ID, "120", "", t0); app.ErrorCode(err) != app.ENOTFOUND {
		t.Errorf("hand-off by another station: %v, want not found", err)
	}
	got, err := st.HandOffCall(ctx, cl.ID, app.CallScope{StationID: c.station.ID}, c.officer2.ID, "120", " JJ-2026-0042 ", t0.Add(2*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	last := got.Timeline[len(got.Timeline)-1]
	if last.Kind != "handoff" || last.To != "120" || last.Note != "JJ-2026-0042" || *last.ActorID != c.officer2.ID || got.Status != app.CallOpen {
		t.Fatalf("hand-off entry = %+v, status %s", last, got.Status)
	}
	figures, err := st.Figures(ctx, app.FigureQuery{StationID: c.station.ID, From: t0, To: t0.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if figures.Handoffs["120"] != 1 || figures.Handoffs["110"] != 0 {
		t.Fatalf("hand-off figures = %v, want one to 120", figures.Handoffs)
	}
	evs := callEvents(t, st, cl.ID)
	if evs[len(evs)-1].Name != "assistance.updated" {
		t.Fatalf("last event = %s, want assistance.updated", evs[len(evs)-1].Name)
	}

	// Once closed, the identity stays for staff and the profile does not.
	moveCall(t, st, cl.ID, callerScope(c.resident), 0, app.CallCancelled, t0.Add(3*time.Minute))
	views, err = st.CallerViews(ctx, c.station.ID, c.head.ID, []int64{cl.ID}, "", "page")
	if err != nil {
		t.Fatal(err)
	}
	if v := views[cl.ID]; v.Caller == nil || v.Caller.Name != c.resident.Name || v.Profile != nil {
		t.Fatalf("view of a closed call = %+v / %+v, want identity without profile", v.Caller, v.Profile)
	}

	// The trail goes with the location when the retention period ends.
	if _, err := st.PurgeCallLocations(ctx, t0.AddDate(1, 0, 0)); err != nil {
		t.Fatal(err)
	}
	if trail, _ := st.CallTrail(ctx, cl.ID, 0); len(trail) != 0 {
		t.Fatalf("trail after the retention period: %+v", trail)
	}
}

// The contacts' texts are queued in the call's own transaction: a call
// that is refused queues none, and each text is in the outbox the moment
// the change commits, with no step of the web server's.
func TestEmergencyContactsAreTextedInTheCallsTransaction(t *testing.T) {
	c := newCounter(t)
	st, ctx := c.st, context.Background()
	p := app.SafetyProfile{EmergencyContacts: []app.EmergencyContact{{Name: "王强", Phone: "13900000099", Relation: "儿子"}}, NotifyContacts: true}
	if err := st.SaveSafetyProfile(ctx, c.resident.ID, &p); err != nil {
		t.Fatal(err)
	}
	// The neighbour keeps contacts but did not ask for them to be told.
	quiet := app.SafetyProfile{EmergencyContacts: []app.EmergencyContact{{Name: "刘芳", Phone: "13900000098"}}}
	if err := st.SaveSafetyProfile(ctx, c.neighbour.ID, &quiet); err != nil {
		t.Fatal(err)
	}
	texts := func(phone string) []string {
		t.Helper()
		msgs, err := st.ClaimMessages(ctx, st.Now(), time.Minute, 100)
		if err != nil {
			t.Fatal(err)
		}
		var kinds []string
		for _, m := range msgs {
			if m.Phone == phone {
				kinds = append(kinds, m.Kind+" "+m.Params)
			}
		}
		return kinds
	}
	call, err := st.CreateCall(ctx, app.NewCall{CallerID: c.resident.ID, Category: "medical"}, st.Now())
	if err != nil {
		t.Fatal(err)
	}
	got := texts("13900000099")
	if len(got) != 1 || !strings.HasPrefix(got[0], "contacts.raised ") || !strings.Contains(got[0], "陈秀英") || !strings.Contains(got[0], "海淀派出所 A") {
		t.Fatalf("after the call: %q, want one contacts.raised naming the caller and the booth", got)
	}
	if strings.Contains(got[0], "39.") || strings.Contains(got[0], "116.") {
		t.Errorf("the contact's text carries a position: %q", got[0])
	}
	if _, err := st.CreateCall(ctx, app.NewCall{CallerID: c.resident.ID, Category: "other"}, st.Now()); app.ErrorCode(err) != app.ECONFLICT {
		t.Fatalf("second open call: %v, want conflict", err)
	}
	if got := texts("13900000099"); len(got) != 0 {
		t.Errorf("a refused call queued %q", got)
	}
	if _, err := st.MoveCall(ctx, call.ID, app.CallScope{StationID: c.station.ID}, c.officer.ID, app.CallAcknowledged, "", st.Now()); err != nil {
		t.Fatal(err)
	}
	if got := texts("13900000099"); len(got) != 0 {
		t.Errorf("an acknowledgement told the contacts: %q", got)
	}
	if _, err := st.MoveCall(ctx, call.ID, app.CallScope{StationID: c.station.ID}, c.officer.ID, app.CallResolved, "已送医", st.Now()); err != nil {
		t.Fatal(err)
	}
	if got := texts("13900000099"); len(got) != 1 || !strings.HasPrefix(got[0], "contacts.resolved ") {
		t.Errorf("after resolving: %q, want one contacts.resolved", got)
	}
	other, err := st.CreateCall(ctx, app.NewCall{CallerID: c.neighbour.ID, Category: "other"}, st.Now())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.MoveCall(ctx, other.ID, app.CallScope{CallerID: c.neighbour.ID}, 0, app.CallCancelled, "", st.Now()); err != nil {
		t.Fatal(err)
	}
	if got := texts("13900000098"); len(got) != 0 {
		t.Errorf("contacts told without notify_contacts: %q", got)
	}
}

// The board reads the callers of its open calls on every render; the
// audit log gets one entry per officer, call and way of viewing, not one
// per render, and a view that shows more (the safety profile) is its own.
func TestCallerViewsAreAuditedOncePerOfficerAndCall(t *testing.T) {
	c := newCounter(t)
	st, ctx := c.st, context.Background()
	cl := call(t, st, app.NewCall{CallerID: c.resident.ID, Category: "other"}, t0)
	other := call(t, st, app.NewCall{CallerID: c.neighbour.ID, Category: "other"}, t0)
	count := func() map[string]int {
		t.Helper()
		audits, err := st.ListAudit(ctx, app.AuditFilter{StationID: c.station.ID, Action: "call.caller_view", Limit: 200})
		if err != nil {
			t.Fatal(err)
		}
		n := map[string]int{}
		for _, a := range audits {
			n[fmt.Sprintf("%d %s %s", *a.ActorID, a.Target, a.Detail)]++
		}
		return n
	}
	both := []int64{cl.ID, other.ID}
	for range 5 {
		if _, err := st.CallerViews(ctx, c.station.ID, c.officer.ID, both, "10.0.0.1", "board"); err != nil {
			t.Fatal(err)
		}
	}
	got := count()
	if len(got) != 2 || got[fmt.Sprintf("%d call/%d board", c.officer.ID, cl.ID)] != 1 || got[fmt.Sprintf("%d call/%d board", c.officer.ID, other.ID)] != 1 {
		t.Fatalf("after five board renders: %v, want one entry per call", got)
	}
	// Another officer, another way of viewing, and a view that now shows
	// the safety profile are each audited once.
	st.CallerViews(ctx, c.station.ID, c.officer2.ID, both, "", "board")
	st.CallerViews(ctx, c.station.ID, c.officer.ID, []int64{cl.ID}, "", "api")
	st.CallerViews(ctx, c.station.ID, c.officer.ID, []int64{cl.ID}, "", "api")
	if err := st.SaveSafetyProfile(ctx, c.resident.ID, &app.SafetyProfile{LivesAlone: true}); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		st.CallerViews(ctx, c.station.ID, c.officer.ID, both, "", "board")
	}
	got = count()
	want := map[string]int{
		fmt.Sprintf("%d call/%d board", c.officer.ID, cl.ID):                      1,
		fmt.Sprintf("%d call/%d board", c.officer.ID, other.ID):                   1,
		fmt.Sprintf("%d call/%d board", c.officer2.ID, cl.ID):                     1,
		fmt.Sprintf("%d call/%d board", c.officer2.ID, other.ID):                  1,
		fmt.Sprintf("%d call/%d api", c.officer.ID, cl.ID):                        1,
		fmt.Sprintf("%d call/%d board, with safety profile", c.officer.ID, cl.ID): 1,
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("audited views %v, want %v", got, want)
	}
}

// A resident whose page is closed is texted, in the transaction of the
// officer's step, when an officer takes or writes on their call; with a
// page open they see it live and get no text.
func TestClosedPageIsTextedWhenAnOfficerActs(t *testing.T) {
	c := newCounter(t)
	st, ctx := c.st, context.Background()
	texts := func() []string {
		t.Helper()
		msgs, err := st.ClaimMessages(ctx, st.Now(), 24*time.Hour, 100) // each is read once
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, m := range msgs {
			if m.Phone == c.resident.Phone {
				out = append(out, m.Kind+" "+m.Params)
			}
		}
		return out
	}
	station := app.CallScope{StationID: c.station.ID}
	x, err := st.CreateCall(ctx, app.NewCall{CallerID: c.resident.ID, Category: "other"}, st.Now())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.MoveCall(ctx, x.ID, station, c.officer.ID, app.CallAcknowledged, "", st.Now()); err != nil {
		t.Fatal(err)
	}
	if got := texts(); len(got) != 1 || !strings.HasPrefix(got[0], app.TextCallAcknowledged+" ") || !strings.Contains(got[0], c.officer.Name) || !strings.Contains(got[0], c.officer.BadgeNo) {
		t.Fatalf("after the acknowledgement with the page closed: %q, want one text naming the officer and badge", got)
	}
	for _, text := range []string{"我五分钟到", "请在门口等"} {
		if _, err := st.AddCallMessage(ctx, x.ID, station, c.officer.ID, text, st.Now()); err != nil {
			t.Fatal(err)
		}
	}
	if got := texts(); len(got) != 1 || !strings.HasPrefix(got[0], app.TextCallMessage+" ") || strings.Contains(got[0], "五分钟") {
		t.Fatalf("after two messages: %q, want one text that quotes nothing", got)
	}
	if _, err := st.AddCallMessage(ctx, x.ID, app.CallScope{CallerID: c.resident.ID}, 0, "好的", st.Now()); err != nil {
		t.Fatal(err)
	}
	if got := texts(); len(got) != 0 {
		t.Fatalf("the caller's own message texted them: %q", got)
	}
	moveCall(t, st, x.ID, station, c.officer.ID, app.CallResolved, st.Now())

	// With the page open: nothing; once it closes, the next step texts.
	y, err := st.CreateCall(ctx, app.NewCall{CallerID: c.resident.ID, Category: "other"}, st.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := st.PageOpened(ctx, c.resident.ID, st.Now()); err != nil {
		t.Fatal(err)
	}
	if _, err := st.MoveCall(ctx, y.ID, station, c.officer2.ID, app.CallAcknowledged, "", st.Now()); err != nil {
		t.Fatal(err)
	}
	if _, err := st.AddCallMessage(ctx, y.ID, station, c.officer2.ID, "收到", st.Now()); err != nil {
		t.Fatal(err)
	}
	if got := texts(); len(got) != 0 {
		t.Fatalf("texts with the page open: %q", got)
	}
	if err := st.PageClosed(ctx, c.resident.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := st.MoveCall(ctx, y.ID, station, c.officer2.ID, app.CallEnRoute, "", st.Now()); err != nil {
		t.Fatal(err)
	}
	if got := texts(); len(got) != 0 {
		t.Fatalf("an officer on the way texted: %q (only taking the call and writing do)", got)
	}
	if _, err := st.AddCallMessage(ctx, y.ID, station, c.officer2.ID, "还有两分钟", st.Now()); err != nil {
		t.Fatal(err)
	}
	if got := texts(); len(got) != 0 {
		t.Fatalf("a message within five minutes of the last text: %q, want none", got)
	}
	clockOf(t).Advance(6 * time.Minute)
	if _, err := st.AddCallMessage(ctx, y.ID, station, c.officer2.ID, "到了", st.Now()); err != nil {
		t.Fatal(err)
	}
	if got := texts(); len(got) != 1 || !strings.HasPrefix(got[0], app.TextCallMessage+" ") {
		t.Fatalf("a message once the page closed, past the quiet time: %q, want one text", got)
	}
}
