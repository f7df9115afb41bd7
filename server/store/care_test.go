package store_test

import (
	"context"
	"testing"
	"time"

	"policebooth/server/app"
	"policebooth/server/store"
)

func dueNames(t *testing.T, st *store.Store, station, booth int64, now time.Time, loc *time.Location) []app.DueVisit {
	t.Helper()
	due, err := st.DueVisits(context.Background(), station, booth, now, loc)
	if err != nil {
		t.Fatal(err)
	}
	return due
}

func TestCareRegisterPlansVisitsAndRecordsThemInTheShiftLog(t *testing.T) {
	c := newCounter(t)
	st, ctx := c.st, context.Background()
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	self := store.CareScope{ResidentID: c.resident.ID}
	e, err := st.Enrol(ctx, app.NewEnrolment{ResidentID: c.resident.ID, EnrolledBy: c.resident.ID, Reasons: []string{"lives_alone", "elderly"},
		Cadence: "weekly", PreferredTimes: "上午"}, 0, t0)
	if err != nil {
		t.Fatal(err)
	}
	if e.BoothID != c.boothA.ID || e.StationID != c.station.ID || e.ConsentBy != app.ConsentResident || len(e.Reasons) != 2 {
		t.Fatalf("enrolment: %+v", e)
	}
	if _, err := st.Enrol(ctx, app.NewEnrolment{ResidentID: c.resident.ID, EnrolledBy: c.resident.ID, Reasons: []string{"other"}, Cadence: "monthly"}, 0, t0); app.ErrorCode(err) != app.ECONFLICT {
		t.Fatalf("second enrolment: %v, want conflict", err)
	}
	// An officer enrols the neighbour with a family member's consent; the
	// other station's officer cannot enrol at this station's booth.
	staffNew := app.NewEnrolment{ResidentID: c.neighbour.ID, EnrolledBy: c.officer.ID, ByStaff: true, Reasons: []string{"disability"}, Cadence: "monthly", ConsentBy: app.ConsentFamily}
	if _, err := st.Enrol(ctx, staffNew, c.station.ID, t0); app.ErrorCode(err) != app.EINVALID {
		t.Fatalf("family consent without a name: %v, want invalid", err)
	}
	staffNew.ConsentName = "刘小军"
	if _, err := st.Enrol(ctx, staffNew, c.otherStation.ID, t0); app.ErrorCode(err) != app.EINVALID {
		t.Fatalf("another station's officer: %v, want invalid", err)
	}
	ne, err := st.Enrol(ctx, staffNew, c.station.ID, t0)
	if err != nil || ne.ConsentBy != app.ConsentFamily || ne.ConsentName != "刘小军" || ne.EnrolledBy != c.officer.ID {
		t.Fatalf("staff enrolment: %+v, %v", ne, err)
	}

	// Scopes: the neighbour and the other station see nothing of hers.
	if _, err := st.FindEnrolment(ctx, e.ID, store.CareScope{ResidentID: c.neighbour.ID}); app.ErrorCode(err) != app.ENOTFOUND {
		t.Fatalf("neighbour reads her enrolment: %v", err)
	}
	if _, err := st.FindEnrolment(ctx, e.ID, store.CareScope{StationID: c.otherStation.ID}); app.ErrorCode(err) != app.ENOTFOUND {
		t.Fatalf("other station reads her enrolment: %v", err)
	}
	if due := dueNames(t, st, c.otherStation.ID, 0, t0, loc); len(due) != 0 {
		t.Fatalf("other station's due list: %+v", due)
	}

	// Both are due today on enrolment.
	due := dueNames(t, st, c.station.ID, c.boothA.ID, t0, loc)
	if len(due) != 2 || due[0].Overdue || due[0].DueOn != "2026-11-27" || due[0].ResidentName == "" {
		t.Fatalf("due on enrolment: %+v", due)
	}

	// A visit needs the officer on duty; it goes in his log as his entry.
	visit := app.NewVisit{EnrolmentID: e.ID, OfficerID: c.officer.ID, Outcome: app.VisitVisited, Wellbeing: app.WellbeingGood, FraudWarningGiven: true, Note: "身体不错"}
	if _, err := st.RecordVisit(ctx, visit, c.station.ID, t0); app.ErrorCode(err) != app.ECONFLICT {
		t.Fatalf("visit off duty: %v, want conflict", err)
	}
	sh := clockIn(t, st, c.officer, c.boothA, t0)
	if _, err := st.RecordVisit(ctx, visit, c.otherStation.ID, t0); app.ErrorCode(err) != app.EINVALID {
		t.Fatalf("visit to another station's enrolment: %v, want invalid", err)
	}
	v, err := st.RecordVisit(ctx, visit, c.station.ID, t0.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	got, err := st.FindShift(ctx, c.station.ID, sh.ID)
	if err != nil {
		t.Fatal(err)
	}
	var logged bool
	for _, en := range got.Entries {
		if en.Kind == app.EntryVisit && en.RecordID != nil && *en.RecordID == v.ID && en.AuthorID != nil && *en.AuthorID == c.officer.ID && en.EventName == "visit.recorded" {
			logged = true
		}
	}
	if !logged {
		t.Fatalf("the visit is not in the officer's log: %+v", got.Entries)
	}
	visits, err := st.ListVisits(ctx, self, 10)
	if err != nil || len(visits) != 1 || visits[0].OfficerName != "李明" || !visits[0].FraudWarningGiven || visits[0].ShiftID != sh.ID {
		t.Fatalf("her visits: %+v, %v", visits, err)
	}
	if other, _ := st.ListVisits(ctx, store.CareScope{ResidentID: c.neighbour.ID}, 10); len(other) != 0 {
		t.Fatalf("the neighbour sees her visits: %+v", other)
	}

	// Visited: due again one cadence later, overdue the day after.
	for _, tc := range []struct {
		at      time.Time
		due     bool
		overdue bool
	}{
		{t0.Add(2 * time.Hour), false, false},
		{t0.AddDate(0, 0, 6), false, false},
		{t0.AddDate(0, 0, 7), true, false},
		{t0.AddDate(0, 0, 8), true, true},
	} {
		var mine *app.DueVisit
		for _, d := range dueNames(t, st, c.station.ID, c.boothA.ID, tc.at, loc) {
			if d.EnrolmentID == e.ID {
				mine = &d
			}
		}
		if (mine != nil) != tc.due || (mine != nil && mine.Overdue != tc.overdue) {
			t.Errorf("at %s: due %v, want due %v overdue %v", tc.at, mine, tc.due, tc.overdue)
		}
	}
	// Overdue first.
	late := dueNames(t, st, c.station.ID, c.boothA.ID, t0.AddDate(0, 0, 8), loc)
	if len(late) != 2 || !late[0].Overdue || late[0].EnrolmentID != ne.ID {
		t.Fatalf("overdue first: %+v", late)
	}

	// Not home: due again two days later.
	if _, err := st.RecordVisit(ctx, app.NewVisit{EnrolmentID: ne.ID, OfficerID: c.officer.ID, Outcome: app.VisitNotHome}, c.station.ID, t0.Add(2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		at  time.Time
		due bool
	}{{t0.AddDate(0, 0, 1), false}, {t0.AddDate(0, 0, 2), true}} {
		found := false
		for _, d := range dueNames(t, st, c.station.ID, c.boothA.ID, tc.at, loc) {
			found = found || d.EnrolmentID == ne.ID
		}
		if found != tc.due {
			t.Errorf("not home, at %s: due %v, want %v", tc.at, found, tc.due)
		}
	}

	// Needs help: a follow-up that stays on the list, closed by the next visit that sees her.
	if _, err := st.RecordVisit(ctx, app.NewVisit{EnrolmentID: e.ID, OfficerID: c.officer.ID, Outcome: app.VisitVisited, Wellbeing: app.WellbeingNeedsHelp}, c.station.ID, t0.Add(3*time.Hour)); err != nil {
		t.Fatal(err)
	}
	follow := dueNames(t, st, c.station.ID, c.boothA.ID, t0.Add(4*time.Hour), loc)
	if len(follow) != 1 || follow[0].EnrolmentID != e.ID || !follow[0].FollowUp {
		t.Fatalf("follow-up listed: %+v", follow)
	}
	// Urgent: an assistance call for her, already acknowledged by him; it also closes the follow-up.
	uv, err := st.RecordVisit(ctx, app.NewVisit{EnrolmentID: e.ID, OfficerID: c.officer.ID, Outcome: app.VisitVisited, Wellbeing: app.WellbeingUrgent}, c.station.ID, t0.Add(5*time.Hour))
	if err != nil || uv.CallID == nil {
		t.Fatalf("urgent visit: %+v, %v", uv, err)
	}
	call, err := st.FindCall(ctx, *uv.CallID, app.CallScope{CallerID: c.resident.ID})
	if err != nil || call.Status != app.CallAcknowledged || call.AcknowledgedBy == nil || *call.AcknowledgedBy != c.officer.ID {
		t.Fatalf("the urgent visit's call: %+v, %v", call, err)
	}
	if d := dueNames(t, st, c.station.ID, c.boothA.ID, t0.Add(6*time.Hour), loc); len(d) != 0 {
		t.Fatalf("after the urgent visit: %+v", d)
	}

	// Leaving: only she can; her visits stay on her page.
	if err := st.LeaveCare(ctx, e.ID, c.neighbour.ID); app.ErrorCode(err) != app.ENOTFOUND {
		t.Fatalf("the neighbour removes her enrolment: %v", err)
	}
	if err := st.LeaveCare(ctx, e.ID, c.resident.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := st.FindEnrolment(ctx, e.ID, self); app.ErrorCode(err) != app.ENOTFOUND {
		t.Fatalf("after leaving: %v", err)
	}
	if visits, _ := st.ListVisits(ctx, self, 10); len(visits) != 3 || visits[0].EnrolmentID != nil {
		t.Fatalf("her visits after leaving: %+v", visits)
	}
}

func TestCareRecordsAreExportedAndErasedWithTheAccount(t *testing.T) {
	c := newCounter(t)
	st, ctx := c.st, context.Background()
	e, err := st.Enrol(ctx, app.NewEnrolment{ResidentID: c.neighbour.ID, EnrolledBy: c.neighbour.ID, Reasons: []string{"elderly"}, Cadence: "weekly"}, 0, t0)
	if err != nil {
		t.Fatal(err)
	}
	clockIn(t, st, c.officer, c.boothA, t0)
	if _, err := st.RecordVisit(ctx, app.NewVisit{EnrolmentID: e.ID, OfficerID: c.officer.ID, Outcome: app.VisitVisited, Wellbeing: app.WellbeingGood}, c.station.ID, t0); err != nil {
		t.Fatal(err)
	}
	// The head's review: one visit done at booth A by 李明; at t0+8 days
	// she is overdue, at t0+7 due.
	loc, _ := time.LoadLocation("Asia/Shanghai")
	for _, tc := range []struct {
		now          time.Time
		due, overdue int64
	}{{t0, 0, 0}, {t0.AddDate(0, 0, 7), 1, 0}, {t0.AddDate(0, 0, 8), 0, 1}} {
		f, err := st.VisitFigures(ctx, c.station.ID, t0.Add(-24*time.Hour), t0.Add(24*time.Hour), tc.now, loc)
		if err != nil {
			t.Fatal(err)
		}
		if len(f.Booths) != 1 || f.Booths[0].BoothID != c.boothA.ID || f.Booths[0].Done != 1 || f.Booths[0].Due != tc.due || f.Booths[0].Overdue != tc.overdue ||
			len(f.Officers) != 1 || f.Officers[0].OfficerID != c.officer.ID || f.Officers[0].Done != 1 {
			t.Errorf("figures at %s: %+v", tc.now, f)
		}
	}
	if f, _ := st.VisitFigures(ctx, c.station.ID, t0.Add(24*time.Hour), t0.Add(48*time.Hour), t0, loc); len(f.Booths) != 0 || len(f.Officers) != 0 {
		t.Errorf("figures of a period without visits: %+v", f)
	}
	export, err := st.ExportResident(ctx, c.neighbour.ID, t0)
	if err != nil {
		t.Fatal(err)
	}
	var found bool
	for _, sec := range export.Sections {
		if sec.Name == "care" {
			found = true
		}
	}
	if !found {
		t.Fatal("the export has no care section")
	}
	out, err := st.EraseResident(ctx, c.neighbour.ID)
	if err != nil {
		t.Fatal(err)
	}
	if out.Deleted["care_visits"] != 1 || out.Deleted["care_enrolments"] != 1 {
		t.Fatalf("erasure: %+v", out.Deleted)
	}
	var left int64
	st.DB().Model(&app.CareVisit{}).Count(&left)
	if left != 0 {
		t.Fatalf("%d visits left after erasure", left)
	}
}
