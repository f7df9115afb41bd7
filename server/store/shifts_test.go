package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"policebooth/server/app"
	"policebooth/server/store"
)

func clockIn(t testing.TB, st *store.Store, officer *app.User, booth *app.Booth, now time.Time) *app.Shift {
	t.Helper()
	sh, err := st.StartShift(context.Background(), app.ClockIn{OfficerID: officer.ID, BoothID: booth.ID}, now)
	if err != nil {
		t.Fatalf("StartShift(%s): %v", officer.Name, err)
	}
	return sh
}

func officerClaims(u *app.User) app.Claims {
	return app.Claims{UserID: u.ID, Role: u.Role, StationID: u.StationID}
}

func TestShiftEntriesCannotBeChangedEvenWithRawSQL(t *testing.T) {
	c := newCounter(t)
	st, ctx := c.st, context.Background()
	sh := clockIn(t, st, c.officer, c.boothA, t0)
	e, err := st.AddEntry(ctx, c.station.ID, sh.ID, officerClaims(c.officer), app.NewEntry{Kind: app.EntryPatrol, Text: "巡逻一圈，一切正常"}, t0)
	if err != nil {
		t.Fatal(err)
	}
	for _, sql := range []string{
		"UPDATE shift_entries SET text = 'rewritten' WHERE id = ?",
		"DELETE FROM shift_entries WHERE id = ?",
	} {
		if err := st.DB().Exec(sql, e.ID).Error; err == nil {
			t.Errorf("%s: the database allowed it", sql)
		}
	}
	if st.DB().Dialector.Name() == "postgres" {
		if err := st.DB().Exec("TRUNCATE shift_entries CASCADE").Error; err == nil {
			t.Error("TRUNCATE: the database allowed it")
		}
	}
	got, err := st.FindShift(ctx, c.station.ID, sh.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Entries) != 1 || got.Entries[0].Text != "巡逻一圈，一切正常" {
		t.Fatalf("entries after the refused changes: %+v", got.Entries)
	}
}

func TestShiftLifecycleHandoverCorrectionAndSeal(t *testing.T) {
	c := newCounter(t)
	st, ctx := c.st, context.Background()
	lat, lng := 39.9593+0.01, 116.2981 // about 1.1 km north of booth A
	first, err := st.StartShift(ctx, app.ClockIn{OfficerID: c.officer.ID, BoothID: c.boothA.ID, Lat: &lat, Lng: &lng}, t0)
	if err != nil {
		t.Fatal(err)
	}
	if !first.Far || first.DistanceM == nil || *first.DistanceM < 1000 || *first.DistanceM > 1200 {
		t.Fatalf("clock-in 1.1 km away: far %v distance %v", first.Far, first.DistanceM)
	}
	if _, err := st.StartShift(ctx, app.ClockIn{OfficerID: c.officer.ID, BoothID: c.boothB.ID}, t0); app.ErrorCode(err) != app.ECONFLICT {
		t.Fatalf("second clock-in: %v, want conflict", err)
	}
	if _, err := st.StartShift(ctx, app.ClockIn{OfficerID: c.otherOfficer.ID, BoothID: c.boothA.ID}, t0); app.ErrorCode(err) != app.ENOTFOUND {
		t.Fatalf("another station's officer at booth A: %v, want not found", err)
	}

	// A request and a call at booth A land in the log on their own.
	r, err := st.CreateRequest(ctx, app.NewRequest{ResidentID: c.resident.ID, Services: []string{"lost_and_found"},
		Fields: map[string]map[string]string{"lost_and_found": {"kind": "lost", "item": "黑色钱包"}}})
	if err != nil {
		t.Fatal(err)
	}
	call(t, st, app.NewCall{CallerID: c.resident.ID, Category: "medical"}, t0.Add(2*time.Minute))

	claims := officerClaims(c.officer)
	visit, err := st.AddEntry(ctx, c.station.ID, first.ID, claims, app.NewEntry{Kind: app.EntryVisit, Text: "看望独居老人陈秀英，身体不错"}, t0.Add(3*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	written := t0.Add(90 * time.Second)
	fix, err := st.AddEntry(ctx, c.station.ID, first.ID, claims, app.NewEntry{Kind: app.EntryVisit, Text: "更正：血压偏高，已提醒就医", Corrects: visit.ID, WrittenAt: &written}, t0.Add(4*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if fix.CorrectsID == nil || *fix.CorrectsID != visit.ID || fix.WrittenAt == nil || !fix.WrittenAt.Equal(written) {
		t.Fatalf("correction %+v", fix)
	}
	for name, tc := range map[string]struct {
		who   app.Claims
		entry app.NewEntry
		want  string
	}{
		"another officer":     {officerClaims(c.officer2), app.NewEntry{Kind: app.EntryNote, Text: "x"}, app.EFORBIDDEN},
		"an unknown kind":     {claims, app.NewEntry{Kind: "gossip", Text: "x"}, app.EINVALID},
		"empty text":          {claims, app.NewEntry{Kind: app.EntryNote, Text: "  "}, app.EINVALID},
		"a head's kind":       {claims, app.NewEntry{Kind: app.EntryHeadNote, Text: "x"}, app.EINVALID},
		"correcting a stray":  {claims, app.NewEntry{Kind: app.EntryNote, Text: "x", Corrects: 99999}, app.EINVALID},
		"correcting a system": {claims, app.NewEntry{Kind: app.EntryNote, Text: "x", Corrects: firstSystemEntry(t, st, c.station.ID, first.ID)}, app.EINVALID},
	} {
		if _, err := st.AddEntry(ctx, c.station.ID, first.ID, tc.who, tc.entry, t0.Add(5*time.Minute)); app.ErrorCode(err) != tc.want {
			t.Errorf("%s: %v, want %s", name, err, tc.want)
		}
	}

	if _, err := st.SignOff(ctx, c.station.ID, first.ID, app.Actor{ID: c.head.ID}, "", t0.Add(5*time.Minute)); app.ErrorCode(err) != app.ECONFLICT {
		t.Fatalf("signing off an open shift: %v, want conflict", err)
	}
	if _, err := st.EndShift(ctx, c.officer.ID, " ", t0.Add(8*time.Hour)); app.ErrorCode(err) != app.EINVALID {
		t.Fatalf("clock-out without a handover: %v", err)
	}
	ended, err := st.EndShift(ctx, c.officer.ID, "3号楼王大爷明早需回访；失物登记本在左侧抽屉", t0.Add(8*time.Hour))
	if err != nil {
		t.Fatal(err)
	}

	// The next officer sees and acknowledges the handover.
	if _, err := st.AcknowledgeHandover(ctx, c.station.ID, ended.ID, c.officer2.ID, t0.Add(8*time.Hour)); app.ErrorCode(err) != app.ECONFLICT {
		t.Fatalf("acknowledging before clocking in: %v", err)
	}
	clockIn(t, st, c.officer2, c.boothA, t0.Add(8*time.Hour+time.Minute))
	open, err := st.OpenHandover(ctx, c.boothA.ID, c.officer2.ID)
	if err != nil || open.ID != ended.ID {
		t.Fatalf("open handover: %v %v", open, err)
	}
	acked, err := st.AcknowledgeHandover(ctx, c.station.ID, ended.ID, c.officer2.ID, t0.Add(8*time.Hour+2*time.Minute))
	if err != nil || acked.HandoverAckBy == nil || *acked.HandoverAckBy != c.officer2.ID {
		t.Fatalf("acknowledge: %+v %v", acked, err)
	}
	if _, err := st.OpenHandover(ctx, c.boothA.ID, c.officer2.ID); app.ErrorCode(err) != app.ENOTFOUND {
		t.Fatalf("handover still open after acknowledgement: %v", err)
	}

	// The log holds the system entries, linked to their records.
	got, err := st.FindShift(ctx, c.station.ID, first.ID)
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]int{}
	for _, e := range got.Entries {
		kinds[e.Kind]++
		if e.Kind == app.EntryRequest && (e.RecordID == nil || *e.RecordID != r.ID || e.EventName != "request.created" || e.Text != "submitted") {
			t.Errorf("request entry %+v", e)
		}
	}
	if kinds[app.EntryRequest] != 1 || kinds[app.EntryCall] < 1 || kinds[app.EntryVisit] != 2 {
		t.Fatalf("entry kinds %v", kinds)
	}

	// Sign-off seals it: officers are refused, a head's note still goes in.
	if _, err := st.SignOff(ctx, c.otherStation.ID, first.ID, app.Actor{ID: c.otherHead.ID}, "", t0.Add(9*time.Hour)); app.ErrorCode(err) != app.ENOTFOUND {
		t.Fatalf("another station's head: %v", err)
	}
	sealed, err := st.SignOff(ctx, c.station.ID, first.ID, app.Actor{ID: c.head.ID}, "记录完整", t0.Add(9*time.Hour))
	if err != nil || !sealed.Sealed() {
		t.Fatalf("sign off: %+v %v", sealed, err)
	}
	if _, err := st.SignOff(ctx, c.station.ID, first.ID, app.Actor{ID: c.head.ID}, "", t0.Add(9*time.Hour)); app.ErrorCode(err) != app.ECONFLICT {
		t.Fatalf("second sign-off: %v", err)
	}
	if _, err := st.AddEntry(ctx, c.station.ID, first.ID, claims, app.NewEntry{Kind: app.EntryNote, Text: "补记"}, t0.Add(9*time.Hour)); app.ErrorCode(err) != app.ECONFLICT {
		t.Fatalf("officer entry on a sealed shift: %v, want conflict", err)
	}
	if _, err := st.AddEntry(ctx, c.station.ID, first.ID, claims, app.NewEntry{Kind: app.EntryNote, Text: "更正", Corrects: visit.ID}, t0.Add(9*time.Hour)); app.ErrorCode(err) != app.ECONFLICT {
		t.Fatalf("correction on a sealed shift: %v, want conflict", err)
	}
	headClaims := app.Claims{UserID: c.head.ID, Role: app.RoleHead, StationID: &c.station.ID}
	if _, err := st.AddEntry(ctx, c.station.ID, first.ID, headClaims, app.NewEntry{Kind: app.EntryHeadNote, Text: "已阅"}, t0.Add(9*time.Hour)); err != nil {
		t.Fatalf("head's note on a sealed shift: %v", err)
	}
}

func firstSystemEntry(t testing.TB, st *store.Store, station, shift int64) int64 {
	t.Helper()
	sh, err := st.FindShift(context.Background(), station, shift)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range sh.Entries {
		if e.AuthorID == nil {
			return e.ID
		}
	}
	t.Fatal("no system entry in the log")
	return 0
}

func TestCoverageGapsAreFoundOnceAndEndAtClockIn(t *testing.T) {
	c := newCounter(t)
	st, ctx := c.st, context.Background()
	sh := clockIn(t, st, c.officer, c.boothA, t0)
	if _, err := st.EndShift(ctx, c.officer.ID, "无特殊情况", t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	gapsAt := func(at time.Time) []app.CoverageGap {
		t.Helper()
		gaps, err := st.FindGaps(ctx, at)
		if err != nil {
			t.Fatal(err)
		}
		var mine []app.CoverageGap
		for _, g := range gaps {
			if g.BoothID == c.boothA.ID {
				mine = append(mine, g)
			}
		}
		return mine
	}
	if g := gapsAt(t0.Add(time.Hour + 9*time.Minute)); len(g) != 0 {
		t.Fatalf("within the grace: %+v", g)
	}
	g := gapsAt(t0.Add(time.Hour + 11*time.Minute))
	if len(g) != 1 || !g[0].StartedAt.Equal(t0.Add(time.Hour)) {
		t.Fatalf("after the grace: %+v", g)
	}
	if again := gapsAt(t0.Add(time.Hour + 12*time.Minute)); len(again) != 0 {
		t.Fatalf("the same gap found twice: %+v", again)
	}
	var events int64
	st.DB().Model(&app.Event{}).Where("name = ? AND record_id = ?", "coverage.gap", g[0].ID).Count(&events)
	if events != 1 {
		t.Fatalf("coverage.gap events: %d", events)
	}
	clockIn(t, st, c.officer2, c.boothA, t0.Add(2*time.Hour))
	gaps, err := st.ListGaps(ctx, c.station.ID, c.boothA.ID, t0, t0.Add(3*time.Hour))
	if err != nil || len(gaps) != 1 || gaps[0].EndedAt == nil || !gaps[0].EndedAt.Equal(t0.Add(2*time.Hour)) {
		t.Fatalf("gap after clock-in: %+v %v", gaps, err)
	}

	f, err := st.Figures(ctx, app.FigureQuery{StationID: c.station.ID, BoothID: c.boothA.ID, From: t0, To: t0.Add(3 * time.Hour), ShiftID: sh.ID, Now: t0.Add(3 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if f.Gaps != 1 || f.GapMinutes != 60 {
		t.Fatalf("figures: gaps %d, %d minutes", f.Gaps, f.GapMinutes)
	}
	// The shift itself had no gap: the one that began as it ended is not in it.
	own, err := st.Figures(ctx, app.FigureQuery{StationID: c.station.ID, BoothID: c.boothA.ID, From: t0, To: t0.Add(time.Hour + time.Second), Now: t0.Add(3 * time.Hour)})
	if err != nil || own.Gaps != 0 || own.GapMinutes != 0 {
		t.Fatalf("the shift's own figures count the gap after it: %+v %v", own, err)
	}
}

func TestFiguresCountCallsAndAcknowledgementTimes(t *testing.T) {
	c := newCounter(t)
	st, ctx := c.st, context.Background()
	clockIn(t, st, c.officer, c.boothA, t0)
	zone, _ := time.LoadLocation("Asia/Shanghai")
	for i, wait := range []time.Duration{10 * time.Second, 30 * time.Second, 2 * time.Minute} {
		at := t0.Add(time.Duration(i) * time.Hour)
		x := call(t, st, app.NewCall{CallerID: c.resident.ID, Category: "medical"}, at)
		moveCall(t, st, x.ID, app.CallScope{StationID: c.station.ID}, c.officer.ID, app.CallAcknowledged, at.Add(wait))
		moveCall(t, st, x.ID, app.CallScope{StationID: c.station.ID}, c.officer.ID, app.CallResolved, at.Add(wait+time.Minute))
	}
	f, err := st.Figures(ctx, app.FigureQuery{StationID: c.station.ID, From: t0.Add(-time.Hour), To: t0.Add(23 * time.Hour), Zone: zone})
	if err != nil {
		t.Fatal(err)
	}
	if f.Calls != 3 || f.Acknowledged != 3 || *f.AckMedianS != 30 || *f.AckWorstS != 120 {
		t.Fatalf("calls %d acknowledged %d median %v worst %v", f.Calls, f.Acknowledged, *f.AckMedianS, *f.AckWorstS)
	}
	// 09:00 UTC is 17:00 in Beijing.
	if f.ByHour[17].Calls != 1 || *f.ByHour[17].AckMedianS != 10 || f.ByHour[19].Calls != 1 || f.ByHour[9].Calls != 0 {
		t.Fatalf("by hour: %+v", f.ByHour)
	}
	if len(f.ByDay) != 2 || f.ByDay[0].Label != "2026-11-27" || f.ByDay[0].Calls != 3 || f.ByDay[1].Label != "2026-11-28" || f.ByDay[1].Calls != 0 {
		t.Fatalf("by day: %+v", f.ByDay)
	}
}

// A night shift's per-day figures count the calls after local midnight on
// the second day.
func TestNightShiftFiguresKeepTheSecondDay(t *testing.T) {
	c := newCounter(t)
	st, ctx := c.st, context.Background()
	zone, _ := time.LoadLocation("Asia/Shanghai")
	start := time.Date(2026, 11, 27, 20, 0, 0, 0, zone)
	clockIn(t, st, c.officer, c.boothA, start)
	for _, at := range []time.Time{start.Add(2 * time.Hour), start.Add(6 * time.Hour), start.Add(7 * time.Hour)} { // 22:00, 02:00, 03:00
		x := call(t, st, app.NewCall{CallerID: c.resident.ID, Category: "other"}, at)
		moveCall(t, st, x.ID, app.CallScope{StationID: c.station.ID}, c.officer.ID, app.CallAcknowledged, at.Add(20*time.Second))
		moveCall(t, st, x.ID, app.CallScope{StationID: c.station.ID}, c.officer.ID, app.CallResolved, at.Add(time.Minute))
	}
	f, err := st.Figures(ctx, app.FigureQuery{StationID: c.station.ID, From: start, To: start.Add(12 * time.Hour), Zone: zone, Now: start.Add(12 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if len(f.ByDay) != 2 || f.ByDay[0].Label != "2026-11-27" || f.ByDay[0].Calls != 1 || f.ByDay[1].Label != "2026-11-28" || f.ByDay[1].Calls != 2 {
		t.Fatalf("by day of a 20:00-08:00 shift: %+v, want 27th: 1 call, 28th: 2 calls", f.ByDay)
	}
}

// An officer who clocks in between FindGaps' first read and its decision
// gets no open gap: the booth is decided again inside the transaction, so
// no stale gap hides the real one after the officer leaves.
func TestNoCoverageGapForABoothCoveredMeanwhile(t *testing.T) {
	c := newCounter(t)
	st, ctx := c.st, context.Background()
	clockIn(t, st, c.officer, c.boothA, t0)
	if _, err := st.EndShift(ctx, c.officer.ID, "无特殊情况", t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	store.AfterGapCandidates(func() { clockIn(t, st, c.officer2, c.boothA, t0.Add(time.Hour+20*time.Minute)) })
	gaps, err := st.FindGaps(ctx, t0.Add(time.Hour+20*time.Minute))
	store.AfterGapCandidates(nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range gaps {
		if g.BoothID == c.boothA.ID {
			t.Fatalf("a gap opened at booth A while %s was clocked in there: %+v", c.officer2.Name, g)
		}
	}
	open := countWhere(t, st, &app.CoverageGap{}, "booth_id = ? AND ended_at IS NULL", c.boothA.ID)
	if open != 0 {
		t.Fatalf("%d open gaps at a covered booth", open)
	}

	// The officer leaves: the real gap is found after the grace.
	if _, err := st.EndShift(ctx, c.officer2.ID, "无特殊情况", t0.Add(2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	gaps, err = st.FindGaps(ctx, t0.Add(2*time.Hour+11*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	var real []app.CoverageGap
	for _, g := range gaps {
		if g.BoothID == c.boothA.ID {
			real = append(real, g)
		}
	}
	if len(real) != 1 || !real[0].StartedAt.Equal(t0.Add(2*time.Hour)) {
		t.Fatalf("after the officer left: %+v, want one gap from %v", real, t0.Add(2*time.Hour))
	}
}

// The seal holds in the database, whatever code writes: no officer entry
// goes into a signed-off shift and the seal cannot be lifted; a head's note
// still goes in.
func TestSealedShiftIsEnforcedByTheDatabase(t *testing.T) {
	c := newCounter(t)
	st, ctx := c.st, context.Background()
	sh := clockIn(t, st, c.officer, c.boothA, t0)
	if _, err := st.EndShift(ctx, c.officer.ID, "无特殊情况", t0.Add(8*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, err := st.SignOff(ctx, c.station.ID, sh.ID, app.Actor{ID: c.head.ID}, "记录完整", t0.Add(9*time.Hour)); err != nil {
		t.Fatal(err)
	}
	db := st.DB()
	insert := func(kind string) error {
		return db.Exec("INSERT INTO shift_entries (shift_id, station_id, author_id, kind, text, created_at) VALUES (?, ?, ?, ?, ?, ?)",
			sh.ID, c.station.ID, c.officer.ID, kind, "绕过代码", t0.Add(10*time.Hour)).Error
	}
	if err := insert(app.EntryNote); err == nil || !strings.Contains(err.Error(), "sealed") {
		t.Errorf("an officer's entry on a sealed shift past the code: %v, want refused as sealed", err)
	}
	if err := db.Exec("UPDATE shifts SET signed_off_at = NULL, signed_off_by = NULL WHERE id = ?", sh.ID).Error; err == nil {
		t.Error("the seal was lifted")
	}
	if err := db.Exec("UPDATE shifts SET handover_note = ? WHERE id = ?", "改过的交接", sh.ID).Error; err == nil {
		t.Error("a sealed shift's handover note was changed")
	}
	if err := insert(app.EntryHeadNote); err != nil {
		t.Errorf("a head's note on a sealed shift: %v", err)
	}
}
