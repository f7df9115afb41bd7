package store_test

import (
	"context"
	"slices"
	"testing"

	"policebooth/server/app"
)

func TestGuardsAndVolunteersBelongToABoothOfTheHeadsStation(t *testing.T) {
	st := open(t)
	ctx := context.Background()
	s1, b1 := stationWithBooth(t, st, "海淀派出所", 39.9593, 116.2981)
	s2, b2 := stationWithBooth(t, st, "朝阳派出所", 39.9219, 116.4436)
	head1 := createUser(t, st, app.User{Role: app.RoleHead, Phone: "13800000000", Name: "王建国", StationID: &s1.ID})
	head2 := createUser(t, st, app.User{Role: app.RoleHead, Phone: "13800000010", Name: "赵强", StationID: &s2.ID})
	officer := createUser(t, st, app.User{Role: app.RoleOfficer, Phone: "13800000001", Name: "李明", StationID: &s1.ID, BadgeNo: "1"})

	guard := &app.User{Role: app.RoleGuard, Phone: "13800000021", Name: "张保安", BoothID: &b1.ID, PasswordHash: testHash(t)}
	if err := st.CreateStaff(ctx, app.Actor{ID: head1.ID}, guard); err != nil {
		t.Fatal(err)
	}
	if guard.StationID != nil || *guard.BoothID != b1.ID || !guard.MustChangePassword || guard.Available {
		t.Fatalf("guard created: %+v; want booth %d, no station, a password to change, not available", guard, b1.ID)
	}
	volunteer := &app.User{Role: app.RoleVolunteer, Phone: "13800000022", Name: "赵志愿", BoothID: &b1.ID, PasswordHash: testHash(t)}
	if err := st.CreateStaff(ctx, app.Actor{ID: head1.ID}, volunteer); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		actor *app.User
		u     app.User
		code  string
	}{
		{"head creates a volunteer of another station's booth", head1, app.User{Role: app.RoleVolunteer, Phone: "13800000023", Name: "x", BoothID: &b2.ID}, app.EINVALID},
		{"head creates a guard of no booth", head1, app.User{Role: app.RoleGuard, Phone: "13800000024", Name: "x"}, app.EINVALID},
		{"head creates a guard of a missing booth", head1, app.User{Role: app.RoleGuard, Phone: "13800000025", Name: "x", BoothID: new(int64(999))}, app.EINVALID},
		{"officer creates a volunteer", officer, app.User{Role: app.RoleVolunteer, Phone: "13800000026", Name: "x", BoothID: &b1.ID}, app.EFORBIDDEN},
	} {
		u := tc.u
		u.PasswordHash = testHash(t)
		if err := st.CreateStaff(ctx, app.Actor{ID: tc.actor.ID}, &u); app.ErrorCode(err) != tc.code {
			t.Errorf("%s: %v, want %s", tc.name, err, tc.code)
		}
	}

	staff, err := st.ListStaff(ctx, s1.ID)
	if err != nil {
		t.Fatal(err)
	}
	var roles []app.Role
	for _, u := range staff {
		roles = append(roles, u.Role)
	}
	if want := []app.Role{app.RoleHead, app.RoleOfficer, app.RoleGuard, app.RoleVolunteer}; !slices.Equal(roles, want) {
		t.Fatalf("station 1's staff: %v, want %v", roles, want)
	}
	if other, _ := st.ListStaff(ctx, s2.ID); len(other) != 1 {
		t.Fatalf("station 2's staff: %d accounts, want its head only", len(other))
	}

	// Head 2 cannot touch station 1's volunteer; head 1 disables them, audited at station 1.
	if err := st.SetDisabled(ctx, app.Actor{ID: head2.ID}, volunteer.ID, true); app.ErrorCode(err) != app.ENOTFOUND {
		t.Fatalf("another station's head disables the volunteer: %v, want not found", err)
	}
	if err := st.SetDisabled(ctx, app.Actor{ID: head1.ID}, volunteer.ID, true); err != nil {
		t.Fatal(err)
	}
	entries := auditActions(t, st, "volunteer.")
	if len(entries) != 2 || entries[1].Action != "volunteer.disable" || entries[1].StationID == nil || *entries[1].StationID != s1.ID {
		t.Fatalf("volunteer audit: %+v; want create and disable at station %d", entries, s1.ID)
	}
}

func TestRespondersSeeAndAnswerOnlyTheirBoothsOpenCallsWhileAvailable(t *testing.T) {
	st := open(t)
	ctx := context.Background()
	s1, b1 := stationWithBooth(t, st, "海淀派出所", 39.9593, 116.2981)
	b2 := &app.Booth{StationID: s1.ID, Name: "B", Lat: 39.97, Lng: 116.31}
	if err := st.CreateBooth(ctx, app.Actor{}, b2); err != nil {
		t.Fatal(err)
	}
	head := createUser(t, st, app.User{Role: app.RoleHead, Phone: "13800000000", Name: "王建国", StationID: &s1.ID})
	resident := createUser(t, st, app.User{Role: app.RoleResident, Phone: "13900000001", Name: "陈秀英", HomeBoothID: &b1.ID})
	volA := createUser(t, st, app.User{Role: app.RoleVolunteer, Phone: "13600000001", Name: "赵志愿", BoothID: &b1.ID})
	volB := createUser(t, st, app.User{Role: app.RoleVolunteer, Phone: "13600000002", Name: "钱志愿", BoothID: &b2.ID})
	now := clockOf(t).Now()
	call, err := st.CreateCall(ctx, app.NewCall{CallerID: resident.ID, BoothID: b1.ID, Category: "medical"}, now)
	if err != nil {
		t.Fatal(err)
	}

	if calls, err := st.ResponderCalls(ctx, volA.ID); err != nil || len(calls) != 0 {
		t.Fatalf("an unavailable volunteer's calls: %v, %v; want none", calls, err)
	}
	if _, err := st.AssistCall(ctx, call.ID, volA.ID, app.AssistOnMyWay, now); app.ErrorCode(err) != app.ECONFLICT {
		t.Fatalf("an unavailable volunteer answers: %v, want a conflict", err)
	}
	for _, v := range []*app.User{volA, volB} {
		if u, err := st.SetAvailability(ctx, v.ID, true); err != nil || !u.Available {
			t.Fatalf("available: %+v, %v", u, err)
		}
	}
	if _, err := st.SetAvailability(ctx, head.ID, true); app.ErrorCode(err) != app.EFORBIDDEN {
		t.Fatalf("a head marks themself available: %v, want forbidden", err)
	}
	if calls, _ := st.ResponderCalls(ctx, volA.ID); len(calls) != 1 || calls[0].ID != call.ID {
		t.Fatalf("booth A's volunteer: %+v, want the call", calls)
	}
	if calls, _ := st.ResponderCalls(ctx, volB.ID); len(calls) != 0 {
		t.Fatalf("booth B's volunteer: %+v, want none", calls)
	}
	if _, err := st.AssistCall(ctx, call.ID, volB.ID, app.AssistOnMyWay, now); app.ErrorCode(err) != app.ENOTFOUND {
		t.Fatalf("booth B's volunteer answers: %v, want not found", err)
	}
	if _, err := st.AssistCall(ctx, call.ID, volA.ID, "coming", now); app.ErrorCode(err) != app.EINVALID {
		t.Fatalf("a made-up answer: %v, want invalid", err)
	}
	if _, err := st.AssistCall(ctx, call.ID, volA.ID, app.AssistOnMyWay, now); err != nil {
		t.Fatal(err)
	}
	if assists, _ := st.CallAssists(ctx, call.ID); len(assists) != 1 || *assists[0].UserID != volA.ID || assists[0].Status != app.AssistOnMyWay {
		t.Fatalf("the call's assists: %+v", assists)
	}
	if _, err := st.MoveCall(ctx, call.ID, app.CallScope{CallerID: resident.ID}, resident.ID, app.CallCancelled, "", now); err != nil {
		t.Fatal(err)
	}
	if _, err := st.AssistCall(ctx, call.ID, volA.ID, app.AssistArrived, now); app.ErrorCode(err) != app.ECONFLICT {
		t.Fatalf("an answer to a cancelled call: %v, want a conflict", err)
	}
	if calls, _ := st.ResponderCalls(ctx, volA.ID); len(calls) != 0 {
		t.Fatalf("a cancelled call is still listed: %+v", calls)
	}

	_, b3 := stationWithBooth(t, st, "朝阳派出所", 39.9219, 116.4436)
	if _, err := st.SetVolunteersVisible(ctx, app.Actor{ID: head.ID}, s1.ID, b3.ID, true); app.ErrorCode(err) != app.ENOTFOUND {
		t.Fatalf("another station's booth: %v, want not found", err)
	}
	if b, err := st.SetVolunteersVisible(ctx, app.Actor{ID: head.ID}, s1.ID, b1.ID, true); err != nil || !b.VolunteersVisible {
		t.Fatalf("volunteers visible: %+v, %v", b, err)
	}
	if b, _ := st.FindBooth(ctx, b1.ID); !b.VolunteersVisible {
		t.Fatal("the booth's setting was not kept")
	}
}
