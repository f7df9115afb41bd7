package store_test

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"policebooth/server/app"
	"policebooth/server/store"
	"policebooth/server/store/storetest"
)

// t0 is when the tests' first call comes in.

func ptr[T any](v T) *T { return &v }

func call(t testing.TB, st *store.Store, nc app.NewCall, now time.Time) *app.AssistanceCall {
	t.Helper()
	c, err := st.CreateCall(context.Background(), nc, now)
	if err != nil {
		t.Fatalf("CreateCall(%+v): %v", nc, err)
	}
	return c
}

func moveCall(t testing.TB, st *store.Store, id int64, scope app.CallScope, actor int64, to app.CallStatus, now time.Time) *app.AssistanceCall {
	t.Helper()
	c, err := st.MoveCall(context.Background(), id, scope, actor, to, "", now)
	if err != nil {
		t.Fatalf("MoveCall(%d, %s): %v", id, to, err)
	}
	return c
}

func onDuty(t testing.TB, st *store.Store, officer *app.User, booth *app.Booth) {
	t.Helper()
	if _, err := st.StartShift(context.Background(), app.ClockIn{OfficerID: officer.ID, BoothID: booth.ID}, clockOf(t).Now()); err != nil {
		t.Fatalf("StartShift(%s, %s): %v", officer.Name, booth.Name, err)
	}
}

func callerScope(u *app.User) app.CallScope { return app.CallScope{CallerID: u.ID} }

// callEvents returns the assistance events of a call in log order.
func callEvents(t testing.TB, st *store.Store, id int64) []app.Event {
	t.Helper()
	var events []app.Event
	if err := st.DB().Where("record_id = ? AND name LIKE 'assistance.%'", id).Order("id").Find(&events).Error; err != nil {
		t.Fatal(err)
	}
	return events
}

func payload(t testing.TB, ev app.Event) map[string]any {
	t.Helper()
	var p map[string]any
	if err := json.Unmarshal([]byte(ev.Payload), &p); err != nil {
		t.Fatalf("event %s payload %q: %v", ev.Name, ev.Payload, err)
	}
	return p
}

// escalated returns the levels of a call's escalation events in order.
func escalated(t testing.TB, st *store.Store, id int64) []string {
	t.Helper()
	var out []string
	for _, ev := range callEvents(t, st, id) {
		if ev.Name == "assistance.escalated" {
			p := payload(t, ev)
			out = append(out, fmt.Sprintf("%v:%v", p["escalation_level"], p["reason"]))
		}
	}
	return out
}

func escalateAt(t testing.TB, st *store.Store, now time.Time) []app.Escalation {
	t.Helper()
	esc, err := st.EscalateDue(context.Background(), now)
	if err != nil {
		t.Fatalf("EscalateDue(%s): %v", now, err)
	}
	return esc
}

func kinds(entries []app.CallEntry) []string {
	var out []string
	for _, e := range entries {
		out = append(out, e.Kind+":"+e.From+">"+e.To)
	}
	return out
}

func TestCallGoesToTheAskedHomeOrNearestBooth(t *testing.T) {
	c := newCounter(t)
	st, ctx := c.st, context.Background()
	onDuty(t, st, c.officer, c.boothA)

	home := call(t, st, app.NewCall{CallerID: c.resident.ID, Category: "medical"}, t0)
	if home.BoothID != c.boothA.ID || home.StationID != c.station.ID {
		t.Fatalf("call without a booth went to booth %d of station %d, want the home booth %d", home.BoothID, home.StationID, c.boothA.ID)
	}
	moveCall(t, st, home.ID, callerScope(c.resident), 0, app.CallCancelled, t0)

	asked := call(t, st, app.NewCall{CallerID: c.resident.ID, Category: "crime", BoothID: c.otherBooth.ID}, t0.Add(time.Minute))
	if asked.BoothID != c.otherBooth.ID || asked.StationID != c.otherStation.ID {
		t.Fatalf("call to booth %d went to booth %d of station %d", c.otherBooth.ID, asked.BoothID, asked.StationID)
	}
	moveCall(t, st, asked.ID, callerScope(c.resident), 0, app.CallCancelled, t0)

	// Without a home booth: the booth nearest to the phone, else the first.
	for i, tc := range []struct {
		lat, lng float64
		want     *app.Booth
	}{
		{39.9840, 116.3160, c.boothB},
		{39.9200, 116.4440, c.otherBooth},
		{39.9590, 116.2980, c.boothA},
	} {
		nc := app.NewCall{CallerID: c.homeless.ID, Category: "lost_person", Lat: ptr(tc.lat), Lng: ptr(tc.lng), AccuracyM: ptr(15.0)}
		got := call(t, st, nc, t0.Add(time.Duration(i)*time.Minute))
		if got.BoothID != tc.want.ID || got.StationID != tc.want.StationID {
			t.Errorf("call from %v,%v went to booth %d, want the nearest, %s (%d)", tc.lat, tc.lng, got.BoothID, tc.want.Name, tc.want.ID)
		}
		moveCall(t, st, got.ID, callerScope(c.homeless), 0, app.CallCancelled, t0)
	}
	first := call(t, st, app.NewCall{CallerID: c.homeless.ID, Category: "other"}, t0.Add(5*time.Minute))
	if first.BoothID != c.boothA.ID {
		t.Fatalf("call with no booth, home or location went to booth %d, want the first booth %d", first.BoothID, c.boothA.ID)
	}

	_, err := st.CreateCall(ctx, app.NewCall{CallerID: c.neighbour.ID, Category: "crime", BoothID: 9999}, t0)
	if app.ErrorCode(err) != app.EINVALID {
		t.Fatalf("call to a missing booth: %v, want invalid", err)
	}
}

func TestCallIsValidatedAndStored(t *testing.T) {
	c := newCounter(t)
	st, ctx := c.st, context.Background()
	onDuty(t, st, c.officer, c.boothA)

	for name, nc := range map[string]app.NewCall{
		"unknown category":          {Category: "fire"},
		"no category":               {},
		"501-character message":     {Category: "crime", Message: strings.Repeat("救", 501)},
		"lat without lng":           {Category: "crime", Lat: ptr(39.9)},
		"lng without lat":           {Category: "crime", Lng: ptr(116.3)},
		"latitude off the globe":    {Category: "crime", Lat: ptr(91.0), Lng: ptr(116.3)},
		"longitude off the globe":   {Category: "crime", Lat: ptr(39.9), Lng: ptr(-181.0)},
		"negative accuracy":         {Category: "crime", Lat: ptr(39.9), Lng: ptr(116.3), AccuracyM: ptr(-1.0)},
		"accuracy without location": {Category: "crime", AccuracyM: ptr(10.0)},
	} {
		nc.CallerID = c.resident.ID
		if _, err := st.CreateCall(ctx, nc, t0); app.ErrorCode(err) != app.EINVALID {
			t.Errorf("%s: %v, want invalid", name, err)
		}
	}
	for _, u := range []*app.User{c.officer, c.head, c.admin} {
		if _, err := st.CreateCall(ctx, app.NewCall{CallerID: u.ID, Category: "crime"}, t0); app.ErrorCode(err) != app.EFORBIDDEN {
			t.Errorf("call by a %s: %v, want forbidden", u.Role, err)
		}
	}
	if err := st.SetDisabled(ctx, app.Actor{ID: c.admin.ID}, c.neighbour.ID, true); err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateCall(ctx, app.NewCall{CallerID: c.neighbour.ID, Category: "crime"}, t0); app.ErrorCode(err) != app.EFORBIDDEN {
		t.Errorf("call by a disabled resident: %v, want forbidden", err)
	}
	if n := count(t, st, &app.AssistanceCall{}); n != 0 {
		t.Fatalf("%d calls stored from refused attempts", n)
	}

	written := t0.Add(-3 * time.Minute)
	message := strings.Repeat("救", 499) + "命"
	got := call(t, st, app.NewCall{CallerID: c.resident.ID, Category: "domestic", Message: "  " + message + " ", Silent: true,
		Lat: ptr(39.9601), Lng: ptr(116.2990), AccuracyM: ptr(12.5), WrittenAt: &written}, t0)
	found, err := st.FindCall(ctx, got.ID, callerScope(c.resident))
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range []*app.AssistanceCall{got, found} {
		if x.Status != app.CallOpen || x.Category != "domestic" || x.Message != message || !x.Silent ||
			x.Lat == nil || *x.Lat != 39.9601 || x.Lng == nil || *x.Lng != 116.2990 || x.AccuracyM == nil || *x.AccuracyM != 12.5 ||
			x.LocationAt == nil || !x.LocationAt.Equal(t0) || x.WrittenAt == nil || !x.WrittenAt.Equal(written) ||
			!x.CreatedAt.Equal(t0) || x.CallerID == nil || *x.CallerID != c.resident.ID || x.EscalationLevel != 0 ||
			x.AcknowledgedBy != nil || x.ClosedAt != nil {
			t.Fatalf("stored call %+v", x)
		}
		if len(x.Timeline) != 1 || x.Timeline[0].Kind != "status" || x.Timeline[0].To != "open" || !x.Timeline[0].At.Equal(t0) ||
			x.Timeline[0].ActorID == nil || *x.Timeline[0].ActorID != c.resident.ID {
			t.Fatalf("timeline %+v: want one status entry to open by the caller", x.Timeline)
		}
	}
	if found.NextAlertAt == nil || !found.NextAlertAt.Equal(t0.Add(30*time.Second)) {
		t.Fatalf("next alert %v: want the booth's default limit, 30 s after the call", found.NextAlertAt)
	}

	plain := call(t, st, app.NewCall{CallerID: c.homeless.ID, Category: "traffic"}, t0)
	if plain.Lat != nil || plain.Lng != nil || plain.AccuracyM != nil || plain.LocationAt != nil || plain.WrittenAt != nil {
		t.Fatalf("call without location %+v: want no location fields", plain)
	}
}

func TestCallWithNobodyOnDutyEscalatesInTheSameCommit(t *testing.T) {
	c := newCounter(t)
	st := c.st
	onDuty(t, st, c.officer, c.boothB) // on duty, but at the other booth

	got := call(t, st, app.NewCall{CallerID: c.resident.ID, Category: "medical"}, t0)
	if got.EscalationLevel != 1 || got.NextAlertAt == nil || !got.NextAlertAt.Equal(t0.Add(30*time.Second)) {
		t.Fatalf("call at a booth with nobody on duty: level %d, next alert %v; want level 1, re-alert in 30 s", got.EscalationLevel, got.NextAlertAt)
	}
	if k := kinds(got.Timeline); !slices.Equal(k, []string{"status:>open", "escalation:0>1"}) || got.Timeline[1].Note != "nobody on duty" {
		t.Fatalf("timeline %v (%+v)", k, got.Timeline)
	}
	events := callEvents(t, st, got.ID)
	if len(events) != 2 || events[0].Name != "assistance.created" || events[1].Name != "assistance.escalated" {
		t.Fatalf("events %+v: want created, then escalated", events)
	}
	p := payload(t, events[1])
	if p["reason"] != "nobody_on_duty" || p["escalation_level"] != 1.0 || p["status"] != "open" || p["booth_id"] != fmt.Sprint(c.boothA.ID) {
		t.Fatalf("escalation payload %v", p)
	}
	if st.Postgres() {
		var txs []string
		st.DB().Raw("SELECT DISTINCT tx_id::text FROM events WHERE record_id = ? AND name LIKE 'assistance.%'", got.ID).Scan(&txs)
		if len(txs) != 1 {
			t.Fatalf("the call's events came from transactions %v: want one commit", txs)
		}
	}

	if esc := escalateAt(t, st, t0.Add(29*time.Second)); len(esc) != 0 {
		t.Fatalf("escalated %+v before the re-alert was due", esc)
	}
	esc := escalateAt(t, st, t0.Add(30*time.Second))
	if len(esc) != 1 || esc[0].Call.ID != got.ID || esc[0].Level != 2 || esc[0].NobodyOnDuty {
		t.Fatalf("re-alert %+v: want the call at level 2", esc)
	}
	if lv := escalated(t, st, got.ID); !slices.Equal(lv, []string{"1:nobody_on_duty", "2:not_acknowledged"}) {
		t.Fatalf("escalations %v", lv)
	}
}

func TestUnacknowledgedCallEscalatesWithBackoffUntilAcknowledged(t *testing.T) {
	c := newCounter(t)
	st := c.st
	onDuty(t, st, c.officer, c.boothA)
	if err := st.DB().Model(&app.Booth{}).Where("id = ?", c.boothA.ID).Update("ack_limit_seconds", 45).Error; err != nil {
		t.Fatal(err)
	}

	got := call(t, st, app.NewCall{CallerID: c.resident.ID, Category: "crime"}, t0)
	if got.EscalationLevel != 0 || len(escalated(t, st, got.ID)) != 0 {
		t.Fatalf("call with an officer on duty escalated at once: %+v", got)
	}
	// The booth's 45 s, then 30 s, 60 s, 120 s, 240 s, 300 s, 300 s.
	at := t0.Add(45 * time.Second)
	for level, delay := range []time.Duration{30, 60, 120, 240, 300, 300} {
		if esc := escalateAt(t, st, at.Add(-time.Second)); len(esc) != 0 {
			t.Fatalf("level %d: escalated %+v a second early", level+1, esc)
		}
		esc := escalateAt(t, st, at)
		if len(esc) != 1 || esc[0].Call.ID != got.ID || esc[0].Level != level+1 || esc[0].Call.EscalationLevel != level+1 {
			t.Fatalf("at %s: %+v, want the call at level %d", at.Sub(t0), esc, level+1)
		}
		if esc := escalateAt(t, st, at); len(esc) != 0 {
			t.Fatalf("the same step taken twice: %+v", esc)
		}
		at = at.Add(delay * time.Second)
	}
	found, err := st.FindCall(context.Background(), got.ID, app.CallScope{StationID: c.station.ID})
	if err != nil {
		t.Fatal(err)
	}
	if found.EscalationLevel != 6 || !found.NextAlertAt.Equal(at) {
		t.Fatalf("after six steps: level %d, next alert %v; want 6 and %v", found.EscalationLevel, found.NextAlertAt, at)
	}
	var notes []string
	for _, e := range found.Timeline {
		if e.Kind == "escalation" {
			notes = append(notes, e.Note)
		}
	}
	if len(notes) != 6 || slices.ContainsFunc(notes, func(n string) bool { return n != "not acknowledged" }) {
		t.Fatalf("escalation notes %v: want six times \"not acknowledged\"", notes)
	}

	ack := moveCall(t, st, got.ID, app.CallScope{StationID: c.station.ID}, c.officer2.ID, app.CallAcknowledged, at.Add(-time.Second))
	if ack.NextAlertAt != nil {
		t.Fatalf("acknowledged call keeps its next alert %v", ack.NextAlertAt)
	}
	before := len(callEvents(t, st, got.ID))
	if esc := escalateAt(t, st, at.Add(24*time.Hour)); len(esc) != 0 {
		t.Fatalf("an acknowledged call escalated: %+v", esc)
	}
	if after := len(callEvents(t, st, got.ID)); after != before {
		t.Fatalf("%d events after acknowledgement, want %d", after, before)
	}
}

func TestEscalationStepsHappenOnceAcrossInstances(t *testing.T) {
	dsn, path := storetest.DSN(t)
	ctx := context.Background()
	open := func() *store.Store { return openAt(t, dsn, path) }
	a, b := open(), open()
	station, booth := stationWithBooth(t, a, "海淀派出所", 39.9593, 116.2981)
	const calls = 24
	ids := make([]int64, calls)
	for i := range calls {
		r := createUser(t, a, app.User{Role: app.RoleResident, Phone: fmt.Sprintf("139%08d", i), Name: "居民", HomeBoothID: &booth.ID})
		ids[i] = call(t, a, app.NewCall{CallerID: r.ID, Category: "crime"}, t0).ID // nobody on duty: level 1
	}
	// A call that is acknowledged in the middle of it all never escalates.
	officer := createUser(t, a, app.User{Role: app.RoleOfficer, Phone: "13800000001", Name: "李明", BadgeNo: "110001", StationID: &station.ID})

	for round, at := range []time.Time{t0.Add(31 * time.Second), t0.Add(91 * time.Second)} {
		var (
			mu    sync.Mutex
			taken = map[int64]int{}
			wg    sync.WaitGroup
			start = make(chan struct{})
			errs  []error
		)
		for w := range 16 {
			st := a
			if w%2 == 1 {
				st = b
			}
			wg.Go(func() {
				<-start
				esc, err := st.EscalateDue(ctx, at)
				mu.Lock()
				defer mu.Unlock()
				if err != nil {
					errs = append(errs, err)
				}
				for _, e := range esc {
					taken[e.Call.ID]++
					if e.Level != round+2 {
						errs = append(errs, fmt.Errorf("call %d escalated to level %d, want %d", e.Call.ID, e.Level, round+2))
					}
				}
			})
		}
		if round == 1 {
			wg.Go(func() {
				<-start
				if _, err := b.MoveCall(ctx, ids[0], app.CallScope{StationID: station.ID}, officer.ID, app.CallAcknowledged, "", at); err != nil {
					mu.Lock()
					errs = append(errs, err)
					mu.Unlock()
				}
			})
		}
		close(start)
		wg.Wait()
		if len(errs) > 0 {
			t.Fatalf("round %d: %v", round+1, errs)
		}
		for i, id := range ids {
			want := 1
			if round == 1 && i == 0 {
				want = taken[id] // acknowledged before or after its step: at most once
				if want > 1 {
					t.Errorf("round %d: call %d escalated %d times", round+1, id, want)
				}
				continue
			}
			if taken[id] != want {
				t.Errorf("round %d: call %d escalated %d times by 16 concurrent workers, want once", round+1, id, taken[id])
			}
		}
	}
	for i, id := range ids {
		lv := escalated(t, a, id)
		want := []string{"1:nobody_on_duty", "2:not_acknowledged", "3:not_acknowledged"}
		if i == 0 && len(lv) == 2 { // acknowledged before its second re-alert
			want = want[:2]
		}
		if !slices.Equal(lv, want) {
			t.Errorf("call %d: escalation events %v, want %v", id, lv, want)
		}
		var steps int64
		a.DB().Model(&app.CallEntry{}).Where("call_id = ? AND kind = 'escalation'", id).Count(&steps)
		if int(steps) != len(lv) {
			t.Errorf("call %d: %d escalation timeline entries for %d events", id, steps, len(lv))
		}
	}
}

func TestFirstAcknowledgementWins(t *testing.T) {
	c := newCounter(t)
	st, ctx := c.st, context.Background()
	staff := app.CallScope{StationID: c.station.ID}
	onDuty(t, st, c.officer, c.boothA)

	got := call(t, st, app.NewCall{CallerID: c.resident.ID, Category: "crime"}, t0)
	if _, err := st.MoveCall(ctx, got.ID, app.CallScope{StationID: c.otherStation.ID}, c.otherOfficer.ID, app.CallAcknowledged, "", t0); app.ErrorCode(err) != app.ENOTFOUND {
		t.Fatalf("acknowledged by another station's officer: %v, want not found", err)
	}
	if _, err := st.FindCall(ctx, got.ID, app.CallScope{StationID: c.otherStation.ID}); app.ErrorCode(err) != app.ENOTFOUND {
		t.Fatalf("read by another station: %v, want not found", err)
	}
	if _, err := st.MoveCall(ctx, got.ID, staff, c.otherOfficer.ID, app.CallAcknowledged, "", t0); app.ErrorCode(err) != app.EFORBIDDEN {
		t.Fatalf("another station's officer in this station's scope: %v, want forbidden", err)
	}
	if _, err := st.MoveCall(ctx, got.ID, staff, c.officer.ID, app.CallEnRoute, "", t0); app.ErrorCode(err) != app.ECONFLICT {
		t.Fatalf("en route before acknowledging: %v, want conflict", err)
	}

	at := t0.Add(12 * time.Second)
	ack := moveCall(t, st, got.ID, staff, c.officer2.ID, app.CallAcknowledged, at)
	if ack.Status != app.CallAcknowledged || ack.AcknowledgedBy == nil || *ack.AcknowledgedBy != c.officer2.ID ||
		ack.AcknowledgedAt == nil || !ack.AcknowledgedAt.Equal(at) || ack.NextAlertAt != nil {
		t.Fatalf("acknowledged call %+v", ack)
	}
	if k := kinds(ack.Timeline); !slices.Equal(k, []string{"status:>open", "status:open>acknowledged"}) || *ack.Timeline[1].ActorID != c.officer2.ID {
		t.Fatalf("timeline %v", k)
	}
	events := callEvents(t, st, got.ID)
	if p := payload(t, events[len(events)-1]); events[len(events)-1].Name != "assistance.updated" ||
		p["status"] != "acknowledged" || p["acknowledged_by"] != fmt.Sprint(c.officer2.ID) {
		t.Fatalf("acknowledgement event %s %v", events[len(events)-1].Name, p)
	}

	_, err := st.MoveCall(ctx, got.ID, staff, c.officer.ID, app.CallAcknowledged, "", at.Add(time.Second))
	if app.ErrorCode(err) != app.ECONFLICT || !strings.Contains(app.ErrorMessage(err), "already acknowledged by "+c.officer2.Name) {
		t.Fatalf("second acknowledgement: %v, want a conflict naming %s", err, c.officer2.Name)
	}
	again := moveCall(t, st, got.ID, staff, c.officer2.ID, app.CallAcknowledged, at.Add(2*time.Second))
	if again.Status != app.CallAcknowledged || !again.AcknowledgedAt.Equal(at) || len(callEvents(t, st, got.ID)) != len(events) {
		t.Fatalf("a repeated acknowledgement by the same officer changed the call: %+v", again)
	}

	moveCall(t, st, got.ID, staff, c.officer.ID, app.CallEnRoute, at.Add(time.Minute))
	moveCall(t, st, got.ID, staff, c.officer.ID, app.CallOnScene, at.Add(5*time.Minute))
	done := moveCall(t, st, got.ID, staff, c.head.ID, app.CallResolved, at.Add(20*time.Minute))
	if done.Status != app.CallResolved || done.ClosedAt == nil || !done.ClosedAt.Equal(at.Add(20*time.Minute)) || *done.AcknowledgedBy != c.officer2.ID {
		t.Fatalf("resolved call %+v", done)
	}
	if _, err := st.MoveCall(ctx, got.ID, callerScope(c.resident), 0, app.CallCancelled, "", at.Add(time.Hour)); app.ErrorCode(err) != app.ECONFLICT {
		t.Fatalf("cancelling a resolved call: %v, want conflict", err)
	}

	// Staff acknowledging at once: one wins, the others are told who.
	ackers := []*app.User{c.officer, c.officer2, c.head}
	for round := range 10 {
		at := t0.Add(time.Duration(round+1) * 2 * time.Hour)
		x := call(t, st, app.NewCall{CallerID: c.neighbour.ID, Category: "medical"}, at)
		var (
			wg    sync.WaitGroup
			start = make(chan struct{})
			errs  = make([]error, len(ackers))
		)
		for i, u := range ackers {
			wg.Go(func() {
				<-start
				_, errs[i] = st.MoveCall(ctx, x.ID, staff, u.ID, app.CallAcknowledged, "", at)
			})
		}
		close(start)
		wg.Wait()
		winner := slices.IndexFunc(errs, func(err error) bool { return err == nil })
		if winner < 0 {
			t.Fatalf("round %d: no acknowledgement succeeded: %v", round, errs)
		}
		for i, err := range errs {
			if i != winner && (app.ErrorCode(err) != app.ECONFLICT || !strings.Contains(app.ErrorMessage(err), "already acknowledged by "+ackers[winner].Name)) {
				t.Fatalf("round %d: %s won, %s got %v; want a conflict naming the winner", round, ackers[winner].Name, ackers[i].Name, err)
			}
		}
		moveCall(t, st, x.ID, staff, ackers[winner].ID, app.CallResolved, at)
	}
}

func TestCallerMayOnlyCancel(t *testing.T) {
	c := newCounter(t)
	st, ctx := c.st, context.Background()
	onDuty(t, st, c.officer, c.boothA)
	got := call(t, st, app.NewCall{CallerID: c.resident.ID, Category: "other"}, t0)

	if _, err := st.MoveCall(ctx, got.ID, callerScope(c.resident), c.resident.ID, app.CallAcknowledged, "", t0); app.ErrorCode(err) != app.EFORBIDDEN {
		t.Fatalf("caller acknowledging: %v, want forbidden", err)
	}
	if _, err := st.MoveCall(ctx, got.ID, callerScope(c.neighbour), 0, app.CallCancelled, "", t0); app.ErrorCode(err) != app.ENOTFOUND {
		t.Fatalf("another resident cancelling: %v, want not found", err)
	}
	if _, err := st.MoveCall(ctx, got.ID, app.CallScope{StationID: c.station.ID}, c.officer.ID, app.CallCancelled, "", t0); app.ErrorCode(err) != app.ECONFLICT {
		t.Fatalf("an officer cancelling: %v, want conflict", err)
	}
	if _, err := st.MoveCall(ctx, got.ID, app.CallScope{}, c.officer.ID, app.CallAcknowledged, "", t0); app.ErrorCode(err) != app.ENOTFOUND {
		t.Fatalf("a move without a scope: %v, want not found", err)
	}
	done, err := st.MoveCall(ctx, got.ID, callerScope(c.resident), 0, app.CallCancelled, " 误触 ", t0.Add(10*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if done.Status != app.CallCancelled || done.ClosedAt == nil || done.NextAlertAt != nil || done.AcknowledgedBy != nil {
		t.Fatalf("cancelled call %+v", done)
	}
	last := done.Timeline[len(done.Timeline)-1]
	if last.Kind != "status" || last.From != "open" || last.To != "cancelled" || last.Note != "误触" || *last.ActorID != c.resident.ID {
		t.Fatalf("last timeline entry %+v", last)
	}
	if esc := escalateAt(t, st, t0.Add(time.Hour)); len(esc) != 0 {
		t.Fatalf("a cancelled call escalated: %+v", esc)
	}
}

func TestOneOpenCallAndRepeatedCallsMarked(t *testing.T) {
	c := newCounter(t)
	st, ctx := c.st, context.Background()
	onDuty(t, st, c.officer, c.boothA)
	create := func(at time.Time) (*app.AssistanceCall, error) {
		return st.CreateCall(ctx, app.NewCall{CallerID: c.resident.ID, Category: "crime"}, at)
	}

	first := call(t, st, app.NewCall{CallerID: c.resident.ID, Category: "crime"}, t0)
	_, err := create(t0.Add(time.Second))
	if app.ErrorCode(err) != app.ECONFLICT || !strings.Contains(app.ErrorMessage(err), fmt.Sprintf("(id %d)", first.ID)) {
		t.Fatalf("second open call: %v, want a conflict naming call %d", err, first.ID)
	}
	moveCall(t, st, first.ID, app.CallScope{StationID: c.station.ID}, c.officer.ID, app.CallAcknowledged, t0)
	if _, err := create(t0.Add(time.Second)); app.ErrorCode(err) != app.ECONFLICT {
		t.Fatalf("a call while one is acknowledged: %v, want conflict", err)
	}
	moveCall(t, st, first.ID, callerScope(c.resident), 0, app.CallCancelled, t0)

	// Calls at 0, 10, 20, 30 and 40 minutes: a sixth within the hour is not
	// refused but marked repeated with the caller's count.
	for i := 1; i < 5; i++ {
		x := call(t, st, app.NewCall{CallerID: c.resident.ID, Category: "crime"}, t0.Add(time.Duration(i)*10*time.Minute))
		if x.Repeated || x.CallsThisHour != i+1 {
			t.Fatalf("call %d of the hour: repeated %v, count %d", i+1, x.Repeated, x.CallsThisHour)
		}
		moveCall(t, st, x.ID, callerScope(c.resident), 0, app.CallCancelled, t0)
	}
	sixth, err := create(t0.Add(50 * time.Minute))
	if err != nil {
		t.Fatalf("sixth call within an hour: %v, want it stored", err)
	}
	if !sixth.Repeated || sixth.CallsThisHour != 6 || sixth.Status != app.CallOpen {
		t.Fatalf("sixth call: %+v, want open, repeated, 6 this hour", sixth)
	}
	if found, err := st.FindCall(ctx, sixth.ID, app.CallScope{StationID: c.station.ID}); err != nil || !found.Repeated || found.CallsThisHour != 6 {
		t.Fatalf("the officer's view of the sixth call: %+v %v", found, err)
	}
	moveCall(t, st, sixth.ID, callerScope(c.resident), 0, app.CallCancelled, t0)
	if x, err := st.CreateCall(ctx, app.NewCall{CallerID: c.neighbour.ID, Category: "crime"}, t0.Add(50*time.Minute)); err != nil || x.Repeated || x.CallsThisHour != 1 {
		t.Fatalf("another resident's call: %+v %v", x, err)
	} else {
		moveCall(t, st, x.ID, callerScope(c.neighbour), 0, app.CallCancelled, t0)
	}
	// The window rolls: once the first call is an hour old it no longer counts.
	x, err := create(t0.Add(time.Hour + time.Second))
	if err != nil || x.CallsThisHour != 6 {
		t.Fatalf("call after the oldest left the hour: %+v %v, want the 6th of the hour", x, err)
	}
	moveCall(t, st, x.ID, callerScope(c.resident), 0, app.CallCancelled, t0)
	// After a quiet hour a call is the first again.
	if x, err := create(t0.Add(3 * time.Hour)); err != nil || x.Repeated || x.CallsThisHour != 1 {
		t.Fatalf("first call after a quiet hour: %+v %v", x, err)
	}

	// Two calls sent at once by one resident: one is stored.
	var (
		wg   sync.WaitGroup
		errs = make([]error, 4)
	)
	for i := range errs {
		wg.Go(func() {
			_, errs[i] = st.CreateCall(ctx, app.NewCall{CallerID: c.homeless.ID, Category: "crime"}, t0)
		})
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		switch app.ErrorCode(err) {
		case "":
			ok++
		case app.ECONFLICT:
		default:
			t.Errorf("concurrent call: %v", err)
		}
	}
	if open, _ := st.ListCalls(ctx, callerScope(c.homeless), true, 0, 0); ok != 1 || len(open) != 1 {
		t.Fatalf("%d of 4 concurrent calls succeeded, %d open: want exactly one", ok, len(open))
	}
}

func TestCallMessagesGoBothWays(t *testing.T) {
	c := newCounter(t)
	st, ctx := c.st, context.Background()
	staff := app.CallScope{StationID: c.station.ID}
	onDuty(t, st, c.officer, c.boothA)
	got := call(t, st, app.NewCall{CallerID: c.resident.ID, Category: "domestic", Silent: true}, t0)

	send := func(scope app.CallScope, author int64, text string, at time.Time) *app.CallMessage {
		t.Helper()
		m, err := st.AddCallMessage(ctx, got.ID, scope, author, text, at)
		if err != nil {
			t.Fatalf("AddCallMessage(%q): %v", text, err)
		}
		return m
	}
	m1 := send(callerScope(c.resident), 0, " 他在门外，我不敢出声 ", t0.Add(5*time.Second))
	m2 := send(staff, c.officer.ID, "收到，民警马上到", t0.Add(20*time.Second))
	m3 := send(staff, c.head.ID, "已通知110", t0.Add(30*time.Second))
	if m1.AuthorID != c.resident.ID || m1.Text != "他在门外，我不敢出声" || m2.AuthorID != c.officer.ID || m3.AuthorID != c.head.ID || !m2.CreatedAt.Equal(t0.Add(20*time.Second)) {
		t.Fatalf("messages %+v %+v %+v", m1, m2, m3)
	}

	for name, tc := range map[string]struct {
		scope  app.CallScope
		author int64
		text   string
		want   string
	}{
		"empty":                             {callerScope(c.resident), 0, "   ", app.EINVALID},
		"501 characters":                    {callerScope(c.resident), 0, strings.Repeat("字", 501), app.EINVALID},
		"another resident":                  {callerScope(c.neighbour), 0, "hi", app.ENOTFOUND},
		"another station":                   {app.CallScope{StationID: c.otherStation.ID}, c.otherOfficer.ID, "hi", app.ENOTFOUND},
		"another station's officer in ours": {staff, c.otherOfficer.ID, "hi", app.EFORBIDDEN},
		"a resident as station staff":       {staff, c.resident.ID, "hi", app.EFORBIDDEN},
		"a caller writing as someone else":  {callerScope(c.resident), c.officer.ID, "hi", app.EFORBIDDEN},
		"no scope":                          {app.CallScope{}, c.officer.ID, "hi", app.ENOTFOUND},
	} {
		if _, err := st.AddCallMessage(ctx, got.ID, tc.scope, tc.author, tc.text, t0); app.ErrorCode(err) != tc.want {
			t.Errorf("%s: %v, want %s", name, err, tc.want)
		}
	}
	if _, err := st.AddCallMessage(ctx, got.ID, callerScope(c.resident), 0, strings.Repeat("字", 500), t0.Add(40*time.Second)); err != nil {
		t.Fatalf("500-character message: %v", err)
	}

	for _, scope := range []app.CallScope{callerScope(c.resident), staff} {
		found, err := st.FindCall(ctx, got.ID, scope)
		if err != nil {
			t.Fatal(err)
		}
		var texts []string
		for _, m := range found.Messages {
			texts = append(texts, m.Text)
		}
		if len(texts) != 4 || texts[0] != m1.Text || texts[1] != m2.Text || texts[2] != m3.Text {
			t.Fatalf("messages seen by %+v: %v", scope, texts)
		}
		if k := kinds(found.Timeline); len(k) != 5 || k[1] != fmt.Sprintf("message:>%d", m1.ID) || k[2] != fmt.Sprintf("message:>%d", m2.ID) {
			t.Fatalf("timeline %v", k)
		}
	}
	var counts []any
	for _, ev := range callEvents(t, st, got.ID) {
		if ev.Name == "assistance.updated" {
			counts = append(counts, payload(t, ev)["messages"])
		}
	}
	if !slices.Equal(counts, []any{1.0, 2.0, 3.0, 4.0}) {
		t.Fatalf("message counts in events %v", counts)
	}

	moveCall(t, st, got.ID, callerScope(c.resident), 0, app.CallCancelled, t0.Add(time.Minute))
	if _, err := st.AddCallMessage(ctx, got.ID, staff, c.officer.ID, "还在吗？", t0.Add(2*time.Minute)); app.ErrorCode(err) != app.ECONFLICT {
		t.Fatalf("message on a cancelled call: %v, want conflict", err)
	}
}

func TestCallerUpdatesLocationWhileOpen(t *testing.T) {
	c := newCounter(t)
	st, ctx := c.st, context.Background()
	onDuty(t, st, c.officer, c.boothA)
	got := call(t, st, app.NewCall{CallerID: c.resident.ID, Category: "lost_person"}, t0)

	at := t0.Add(15 * time.Second)
	if err := st.UpdateLocation(ctx, got.ID, c.resident.ID, 39.9612, 116.3005, 8, at); err != nil {
		t.Fatal(err)
	}
	found, err := st.FindCall(ctx, got.ID, app.CallScope{StationID: c.station.ID})
	if err != nil {
		t.Fatal(err)
	}
	if found.Lat == nil || *found.Lat != 39.9612 || *found.Lng != 116.3005 || *found.AccuracyM != 8 || !found.LocationAt.Equal(at) {
		t.Fatalf("call after a location update %+v", found)
	}
	last := found.Timeline[len(found.Timeline)-1]
	if last.Kind != "location" || strings.Contains(last.Note, "39.96") || strings.Contains(last.Note, "116.3") || *last.ActorID != c.resident.ID {
		t.Fatalf("location timeline entry %+v: want kind location, no coordinates", last)
	}
	events := callEvents(t, st, got.ID)
	if ev := events[len(events)-1]; ev.Name != "assistance.updated" || ev.Payload != fmt.Sprintf(`{"id":"%d","status":"open","location_updated":true}`, got.ID) {
		t.Fatalf("location event %s %s", ev.Name, ev.Payload)
	}

	for name, tc := range map[string]struct {
		caller        int64
		lat, lng, acc float64
		want          string
	}{
		"another resident":  {c.neighbour.ID, 39.96, 116.30, 8, app.ENOTFOUND},
		"an officer":        {c.officer.ID, 39.96, 116.30, 8, app.ENOTFOUND},
		"no caller":         {0, 39.96, 116.30, 8, app.ENOTFOUND},
		"bad latitude":      {c.resident.ID, -91, 116.30, 8, app.EINVALID},
		"negative accuracy": {c.resident.ID, 39.96, 116.30, -3, app.EINVALID},
	} {
		if err := st.UpdateLocation(ctx, got.ID, tc.caller, tc.lat, tc.lng, tc.acc, at); app.ErrorCode(err) != tc.want {
			t.Errorf("%s: %v, want %s", name, err, tc.want)
		}
	}
	moveCall(t, st, got.ID, callerScope(c.resident), 0, app.CallCancelled, at)
	if err := st.UpdateLocation(ctx, got.ID, c.resident.ID, 39.96, 116.30, 8, at); app.ErrorCode(err) != app.ECONFLICT {
		t.Fatalf("location on a cancelled call: %v, want conflict", err)
	}
}

func TestCallEventsCarryNoPersonalData(t *testing.T) {
	c := newCounter(t)
	st, ctx := c.st, context.Background()
	staff := app.CallScope{StationID: c.station.ID}

	// Nobody on duty, so every kind of event is written.
	got := call(t, st, app.NewCall{CallerID: c.resident.ID, Category: "domestic", Message: "丈夫喝醉了在砸东西", Silent: true,
		Lat: ptr(39.961234), Lng: ptr(116.298765), AccuracyM: ptr(21.0)}, t0)
	if err := st.UpdateLocation(ctx, got.ID, c.resident.ID, 39.962345, 116.297654, 9, t0.Add(5*time.Second)); err != nil {
		t.Fatal(err)
	}
	if _, err := st.AddCallMessage(ctx, got.ID, callerScope(c.resident), 0, "我躲在卫生间", t0.Add(6*time.Second)); err != nil {
		t.Fatal(err)
	}
	escalateAt(t, st, t0.Add(time.Minute))
	moveCall(t, st, got.ID, staff, c.officer.ID, app.CallAcknowledged, t0.Add(70*time.Second))
	moveCall(t, st, got.ID, staff, c.officer.ID, app.CallResolved, t0.Add(30*time.Minute))

	events := callEvents(t, st, got.ID)
	var names []string
	for _, ev := range events {
		names = append(names, ev.Name)
	}
	want := []string{"assistance.created", "assistance.escalated", "assistance.updated", "assistance.updated",
		"assistance.escalated", "assistance.updated", "assistance.updated"}
	if !slices.Equal(names, want) {
		t.Fatalf("events %v, want %v", names, want)
	}
	allowed := map[string][]string{
		"assistance.created":   {"booth_id", "category", "escalation_level", "id", "silent", "status"},
		"assistance.escalated": {"booth_id", "escalation_level", "id", "reason", "status"},
		"assistance.updated":   {"acknowledged_by", "id", "location_updated", "messages", "status"},
	}
	for _, ev := range events {
		for _, secret := range []string{"砸东西", "卫生间", "39.96", "116.29", c.resident.Phone, c.resident.Name, c.officer.Name} {
			if strings.Contains(ev.Payload, secret) {
				t.Errorf("%s payload %s carries %q", ev.Name, ev.Payload, secret)
			}
		}
		for _, k := range slices.Sorted(maps.Keys(payload(t, ev))) {
			if !slices.Contains(allowed[ev.Name], k) {
				t.Errorf("%s payload %s has key %q", ev.Name, ev.Payload, k)
			}
		}
		if ev.OwnerID == nil || *ev.OwnerID != c.resident.ID || ev.StationID != c.station.ID || ev.RecordID != got.ID {
			t.Errorf("event %+v: want the caller as owner and the call's station", ev)
		}
	}
	if p := payload(t, events[0]); p["id"] != fmt.Sprint(got.ID) || p["status"] != "open" || p["category"] != "domestic" ||
		p["silent"] != true || p["escalation_level"] != 0.0 || p["booth_id"] != fmt.Sprint(c.boothA.ID) {
		t.Fatalf("created payload %v", p)
	}
}

func TestListCallsInScope(t *testing.T) {
	c := newCounter(t)
	st, ctx := c.st, context.Background()
	onDuty(t, st, c.officer, c.boothA)

	mine := call(t, st, app.NewCall{CallerID: c.resident.ID, Category: "crime"}, t0)
	moveCall(t, st, mine.ID, callerScope(c.resident), 0, app.CallCancelled, t0)
	mine2 := call(t, st, app.NewCall{CallerID: c.resident.ID, Category: "medical"}, t0.Add(time.Minute))
	theirs := call(t, st, app.NewCall{CallerID: c.neighbour.ID, Category: "other"}, t0)
	away := call(t, st, app.NewCall{CallerID: c.homeless.ID, Category: "traffic", BoothID: c.otherBooth.ID}, t0)

	ids := func(list []app.AssistanceCall, err error) []int64 {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		var out []int64
		for _, x := range list {
			out = append(out, x.ID)
			if len(x.Timeline) == 0 {
				t.Errorf("listed call %d without its timeline", x.ID)
			}
		}
		return out
	}
	for name, tc := range map[string]struct {
		scope    app.CallScope
		openOnly bool
		want     []int64
	}{
		"a resident's own":         {callerScope(c.resident), false, []int64{mine2.ID, mine.ID}},
		"a resident's open":        {callerScope(c.resident), true, []int64{mine2.ID}},
		"a station's":              {app.CallScope{StationID: c.station.ID}, false, []int64{theirs.ID, mine2.ID, mine.ID}},
		"a station's open":         {app.CallScope{StationID: c.station.ID}, true, []int64{theirs.ID, mine2.ID}},
		"the other station's":      {app.CallScope{StationID: c.otherStation.ID}, false, []int64{away.ID}},
		"a resident without calls": {app.CallScope{CallerID: c.officer.ID}, false, nil},
	} {
		if got := ids(st.ListCalls(ctx, tc.scope, tc.openOnly, 0, 0)); !slices.Equal(got, tc.want) {
			t.Errorf("%s: %v, want %v", name, got, tc.want)
		}
	}
	if got := ids(st.ListCalls(ctx, app.CallScope{StationID: c.station.ID}, false, 0, 1)); !slices.Equal(got, []int64{theirs.ID}) {
		t.Errorf("limit 1: %v", got)
	}
	// Keyset pages: the page after theirs.ID, then after mine2.ID.
	if got := ids(st.ListCalls(ctx, app.CallScope{StationID: c.station.ID}, false, theirs.ID, 1)); !slices.Equal(got, []int64{mine2.ID}) {
		t.Errorf("the page after %d: %v, want [%d]", theirs.ID, got, mine2.ID)
	}
	if got := ids(st.ListCalls(ctx, app.CallScope{StationID: c.station.ID}, false, mine2.ID, 0)); !slices.Equal(got, []int64{mine.ID}) {
		t.Errorf("the page after %d: %v, want [%d]", mine2.ID, got, mine.ID)
	}
	if _, err := st.ListCalls(ctx, app.CallScope{}, false, 0, 0); app.ErrorCode(err) != app.EINVALID {
		t.Errorf("list without a scope: %v, want invalid", err)
	}
	if _, err := st.FindCall(ctx, mine.ID, app.CallScope{}); app.ErrorCode(err) != app.ENOTFOUND {
		t.Errorf("find without a scope: %v, want not found", err)
	}
	if _, err := st.FindCall(ctx, mine.ID, callerScope(c.neighbour)); app.ErrorCode(err) != app.ENOTFOUND {
		t.Errorf("find another resident's call: %v, want not found", err)
	}
}

func TestOnDutyDecidesImmediateEscalation(t *testing.T) {
	c := newCounter(t)
	st, ctx := c.st, context.Background()

	for name, tc := range map[string]struct {
		officer, booth int64
		want           string
	}{
		"another station's booth": {c.officer.ID, c.otherBooth.ID, app.ENOTFOUND},
		"a missing booth":         {c.officer.ID, 9999, app.ENOTFOUND},
		"a missing officer":       {9999, c.boothA.ID, app.ENOTFOUND},
		"a head":                  {c.head.ID, c.boothA.ID, app.EFORBIDDEN},
		"a resident":              {c.resident.ID, c.boothA.ID, app.EFORBIDDEN},
	} {
		if _, err := st.StartShift(ctx, app.ClockIn{OfficerID: tc.officer, BoothID: tc.booth}, t0); app.ErrorCode(err) != tc.want {
			t.Errorf("%s: %v, want %s", name, err, tc.want)
		}
	}

	level := func(at time.Duration) int {
		t.Helper()
		x := call(t, st, app.NewCall{CallerID: c.resident.ID, Category: "crime"}, t0.Add(at))
		moveCall(t, st, x.ID, callerScope(c.resident), 0, app.CallCancelled, t0.Add(at))
		return x.EscalationLevel
	}
	onDuty(t, st, c.officer, c.boothA)
	if l := level(0); l != 0 {
		t.Fatalf("officer on duty at the booth: level %d, want 0", l)
	}
	if on, _ := st.OnDuty(ctx, c.boothA.ID); len(on) != 1 || on[0].OfficerID != c.officer.ID {
		t.Fatalf("on duty at booth A: %+v", on)
	}
	if _, err := st.EndShift(ctx, c.officer.ID, "nothing pending", t0); err != nil {
		t.Fatal(err)
	}
	if on, _ := st.OnDuty(ctx, c.boothA.ID); len(on) != 0 {
		t.Fatalf("officer clocked out is still on duty: %+v", on)
	}
	if l := level(time.Minute); l != 1 {
		t.Fatalf("officer gone off duty: level %d, want 1 at once", l)
	}
	onDuty(t, st, c.officer2, c.boothA)
	if err := st.SetDisabled(ctx, app.Actor{ID: c.head.ID}, c.officer2.ID, true); err != nil {
		t.Fatal(err)
	}
	if l := level(2 * time.Minute); l != 1 {
		t.Fatalf("only a disabled officer on duty: level %d, want 1 at once", l)
	}
	if _, err := st.EndShift(ctx, c.officer2.ID, "handing over", t0); err != nil {
		t.Fatal(err)
	}
	if _, err := st.StartShift(ctx, app.ClockIn{OfficerID: c.officer2.ID, BoothID: c.boothA.ID}, t0); app.ErrorCode(err) != app.EFORBIDDEN {
		t.Fatalf("a disabled officer going on duty: %v, want forbidden", err)
	}
}
