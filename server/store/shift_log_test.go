package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"policebooth/server/app"
)

// TestShiftLogHasOneAutomaticEntryPerStep: a call that goes through every
// step, with escalations re-alerting, location updates, messages and a
// photo, and a
// request with notes and an assignment, leave one entry per step in the
// log of the shift on duty, so the review counts each step once.
func TestShiftLogHasOneAutomaticEntryPerStep(t *testing.T) {
	c := newCounter(t)
	st, ctx := c.st, context.Background()
	sh := clockIn(t, st, c.officer, c.boothA, t0)

	x := call(t, st, app.NewCall{CallerID: c.resident.ID, Category: "medical"}, t0.Add(time.Minute))
	for i := 1; i <= 3; i++ { // the booth's limit passes unanswered: three re-alerts
		escalateAt(t, st, t0.Add(time.Duration(i)*10*time.Minute))
	}
	lat, lng, acc := 39.96, 116.30, 20.0
	for i := range 3 {
		if err := st.UpdateLocation(ctx, x.ID, c.resident.ID, lat+float64(i)/1000, lng, acc, t0.Add(31*time.Minute)); err != nil {
			t.Fatal(err)
		}
	}
	station := app.CallScope{StationID: c.station.ID}
	moveCall(t, st, x.ID, station, c.officer.ID, app.CallAcknowledged, t0.Add(32*time.Minute))
	for _, text := range []string{"我马上到", "门禁密码 1234"} {
		if _, err := st.AddCallMessage(ctx, x.ID, station, c.officer.ID, text, t0.Add(33*time.Minute)); err != nil {
			t.Fatal(err)
		}
	}
	photo := &app.CallPhoto{FullKey: "calls/x.jpg", DisplayKey: "calls/x-display.jpg", ThumbKey: "calls/x-thumb.jpg", Width: 4, Height: 3, Size: 100}
	if err := st.AddCallPhoto(ctx, x.ID, app.CallScope{CallerID: c.resident.ID}, 0, photo); err != nil {
		t.Fatal(err)
	}
	for _, to := range []app.CallStatus{app.CallEnRoute, app.CallOnScene, app.CallResolved} {
		moveCall(t, st, x.ID, station, c.officer.ID, to, t0.Add(40*time.Minute))
	}

	r, err := st.CreateRequest(ctx, app.NewRequest{ResidentID: c.resident.ID, Services: []string{"other"},
		Fields: map[string]map[string]string{"other": {"subject": "开证明"}}})
	if err != nil {
		t.Fatal(err)
	}
	staff := app.RequestFilter{StationID: c.station.ID}
	for _, m := range []app.RequestMove{
		{ActorID: c.officer.ID, To: app.RequestAccepted},
		{ActorID: c.officer.ID, Note: "材料齐全"},
		{ActorID: c.officer.ID, AssigneeID: &c.officer2.ID},
		{ActorID: c.officer.ID, To: app.RequestInProgress},
		{ActorID: c.officer.ID, Note: "等所长签字"},
		{ActorID: c.officer.ID, To: app.RequestCompleted},
	} {
		if _, err := st.MoveRequest(ctx, r.ID, staff, m); err != nil {
			t.Fatalf("%+v: %v", m, err)
		}
	}

	log, err := st.FindShift(ctx, c.station.ID, sh.ID)
	if err != nil {
		t.Fatal(err)
	}
	steps := map[string]int{}
	by := map[string]int64{}
	for _, e := range log.Entries {
		if e.AuthorID == nil {
			steps[e.Kind+" "+e.EventName+" "+e.Text]++
			if e.DoneBy != nil {
				by[e.EventName+" "+e.Text] = *e.DoneBy
			}
		}
	}
	// Each entry names the member of staff who took the step; the
	// resident's own steps and the system's name nobody.
	wantBy := map[string]int64{
		"assistance.updated acknowledged": c.officer.ID, "assistance.updated en_route": c.officer.ID,
		"assistance.updated on_scene": c.officer.ID, "assistance.updated resolved": c.officer.ID,
		"request.updated accepted": c.officer.ID, "request.updated in_progress": c.officer.ID, "request.updated completed": c.officer.ID,
	}
	if fmt.Sprint(by) != fmt.Sprint(wantBy) {
		t.Errorf("entries named %v, want %v", by, wantBy)
	}
	want := map[string]int{
		"call assistance.created open": 1, "call assistance.escalated open": 1, "call assistance.updated acknowledged": 1,
		"call assistance.updated en_route": 1, "call assistance.updated on_scene": 1, "call assistance.updated resolved": 1,
		"request request.created submitted": 1, "request request.updated accepted": 1,
		"request request.updated in_progress": 1, "request request.updated completed": 1,
	}
	for step, n := range want {
		if steps[step] != n {
			t.Errorf("%s: %d entries, want %d", step, steps[step], n)
		}
	}
	if len(steps) != len(want) {
		t.Errorf("automatic entries %v, want exactly %v", steps, want)
	}
	f, err := st.Figures(ctx, app.FigureQuery{StationID: c.station.ID, From: t0, To: t0.Add(time.Hour), Now: t0.Add(time.Hour), ShiftID: sh.ID})
	if err != nil {
		t.Fatal(err)
	}
	if f.Entries[app.EntryCall] != 6 || f.Entries[app.EntryRequest] != 4 {
		t.Errorf("the review counts %v, want 6 call steps and 4 request steps", f.Entries)
	}
}
