package store_test

import (
	"context"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"policebooth/server/app"
	"policebooth/server/auth"
	"policebooth/server/store"
)

var (
	hashOnce   sync.Once
	hashCached string
)

// testHash returns a hash of "correct-horse-1", made once: argon2id takes
// a noticeable time under the race detector.
func testHash(t testing.TB) string {
	t.Helper()
	hashOnce.Do(func() {
		var err error
		if hashCached, err = auth.HashPassword("correct-horse-1"); err != nil {
			t.Fatal(err)
		}
	})
	return hashCached
}

// stationWithBooth creates a station and one booth of it.
func stationWithBooth(t testing.TB, st *store.Store, name string, lat, lng float64) (*app.Station, *app.Booth) {
	t.Helper()
	ctx := context.Background()
	s := &app.Station{Name: name}
	if err := st.CreateStation(ctx, app.Actor{}, s); err != nil {
		t.Fatal(err)
	}
	b := &app.Booth{StationID: s.ID, Name: "A", Lat: lat, Lng: lng}
	if err := st.CreateBooth(ctx, app.Actor{}, b); err != nil {
		t.Fatal(err)
	}
	return s, b
}

func createUser(t testing.TB, st *store.Store, u app.User) *app.User {
	t.Helper()
	if u.PasswordHash == "" {
		u.PasswordHash = testHash(t)
	}
	if err := st.CreateUser(context.Background(), &u); err != nil {
		t.Fatalf("CreateUser(%s %s): %v", u.Role, u.Phone, err)
	}
	return &u
}

func auditActions(t testing.TB, st *store.Store, prefix string) []app.AuditEntry {
	t.Helper()
	var entries []app.AuditEntry
	if err := st.DB().Where("action LIKE ?", prefix+"%").Order("id").Find(&entries).Error; err != nil {
		t.Fatal(err)
	}
	return entries
}

func TestResidentAccounts(t *testing.T) {
	st := open(t)
	ctx := context.Background()
	_, booth := stationWithBooth(t, st, "海淀派出所", 39.9593, 116.2981)

	u := createUser(t, st, app.User{Role: app.RoleResident, Phone: "+86 139-0000-0001", Name: " 陈秀英 ", HomeBoothID: &booth.ID})
	if u.ID == 0 || u.Phone != "13900000001" || u.Name != "陈秀英" || u.Language != app.LanguageChinese {
		t.Fatalf("created %+v: want an id, the phone normalised, name trimmed, zh-CN", u)
	}

	dup := app.User{Role: app.RoleResident, Phone: "139 0000 0001", Name: "别人", PasswordHash: testHash(t)}
	err := st.CreateUser(ctx, &dup)
	if app.ErrorCode(err) != app.ECONFLICT || app.ErrorMessage(err) != "phone already registered" {
		t.Fatalf("second account with the same phone: %v, want conflict \"phone already registered\"", err)
	}

	missing := int64(9999)
	err = st.CreateUser(ctx, &app.User{Role: app.RoleResident, Phone: "13900000003", Name: "x", PasswordHash: testHash(t), HomeBoothID: &missing})
	if app.ErrorCode(err) != app.EINVALID {
		t.Fatalf("home booth that does not exist: %v, want invalid", err)
	}

	got, err := st.FindUserByPhone(ctx, "8613900000001")
	if err != nil || got.ID != u.ID || got.HomeBoothID == nil || *got.HomeBoothID != booth.ID {
		t.Fatalf("FindUserByPhone = %+v, %v", got, err)
	}
	if _, err := st.FindUserByPhone(ctx, "13900000009"); app.ErrorCode(err) != app.ENOTFOUND {
		t.Fatalf("unknown phone: %v, want not found", err)
	}
	if _, err := st.FindUserByPhone(ctx, "110"); app.ErrorCode(err) != app.EINVALID {
		t.Fatalf("malformed phone: %v, want invalid", err)
	}
	if _, err := st.FindUser(ctx, 424242); app.ErrorCode(err) != app.ENOTFOUND {
		t.Fatalf("FindUser(missing): %v, want not found", err)
	}

	name, lang := "陈阿姨", "en"
	upd, err := st.UpdateUser(ctx, u.ID, app.UserUpdate{Name: &name, Language: &lang})
	if err != nil || upd.Name != "陈阿姨" || upd.Language != "en" || upd.HomeBoothID == nil || *upd.HomeBoothID != booth.ID {
		t.Fatalf("UpdateUser = %+v, %v", upd, err)
	}
	bad := "fr"
	if _, err := st.UpdateUser(ctx, u.ID, app.UserUpdate{Language: &bad}); app.ErrorCode(err) != app.EINVALID {
		t.Fatalf("language fr: %v, want invalid", err)
	}
	if _, err := st.UpdateUser(ctx, u.ID, app.UserUpdate{HomeBoothID: &missing}); app.ErrorCode(err) != app.EINVALID {
		t.Fatalf("missing home booth: %v, want invalid", err)
	}
	if got, _ := st.FindUser(ctx, u.ID); got.Language != "en" || got.Name != "陈阿姨" {
		t.Fatalf("after failed updates the user is %+v", got)
	}

	if err := st.MarkPhoneVerified(ctx, u.ID); err != nil {
		t.Fatal(err)
	}
	if got, _ := st.FindUser(ctx, u.ID); !got.PhoneVerified {
		t.Fatal("phone not verified after MarkPhoneVerified")
	}
	if n := len(auditActions(t, st, "resident.")); n != 0 {
		t.Fatalf("%d audit entries for a resident signing up: residents are no staff action", n)
	}
}

func TestNearestBooth(t *testing.T) {
	st := open(t)
	ctx := context.Background()
	if _, err := st.NearestBooth(ctx, 39.9, 116.3); app.ErrorCode(err) != app.ENOTFOUND {
		t.Fatalf("no booths: %v, want not found", err)
	}
	s, a := stationWithBooth(t, st, "海淀派出所", 39.9593, 116.2981)
	b := &app.Booth{StationID: s.ID, Name: "B", Lat: 39.9836, Lng: 116.3164}
	if err := st.CreateBooth(ctx, app.Actor{}, b); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		lat, lng float64
		want     int64
	}{
		{39.9600, 116.2990, a.ID},
		{31.2, 116.0, a.ID}, // far to the south-west: nearer A
		{39.9830, 116.3160, b.ID},
		{40.4, 116.6, b.ID}, // far to the north-east: nearer B
	} {
		got, err := st.NearestBooth(ctx, tc.lat, tc.lng)
		if err != nil || got.ID != tc.want {
			t.Errorf("NearestBooth(%v, %v) = %+v, %v; want booth %d", tc.lat, tc.lng, got, err, tc.want)
		}
	}
}

func TestStaffAccountsAreScopedAndAudited(t *testing.T) {
	st := open(t)
	ctx := context.Background()
	s1, _ := stationWithBooth(t, st, "海淀派出所", 39.9593, 116.2981)
	s2, _ := stationWithBooth(t, st, "朝阳派出所", 39.9219, 116.4436)
	admin := createUser(t, st, app.User{Role: app.RoleAdmin, Phone: "13700000000", Name: "管理员"})
	resident := createUser(t, st, app.User{Role: app.RoleResident, Phone: "13900000001", Name: "陈秀英"})

	// The admin creates a head of each station.
	head1 := &app.User{Role: app.RoleHead, Phone: "13800000000", Name: "王建国", StationID: &s1.ID, PasswordHash: testHash(t)}
	head2 := &app.User{Role: app.RoleHead, Phone: "13800000010", Name: "赵强", StationID: &s2.ID, PasswordHash: testHash(t)}
	for _, h := range []*app.User{head1, head2} {
		if err := st.CreateStaff(ctx, app.Actor{ID: admin.ID, IP: "10.0.0.1"}, h); err != nil {
			t.Fatal(err)
		}
	}
	// A head creates officers of their own station, whatever station is asked for.
	officer1 := &app.User{Role: app.RoleOfficer, Phone: "13800000001", Name: "李明", BadgeNo: "110001", StationID: &s2.ID, PasswordHash: testHash(t)}
	if err := st.CreateStaff(ctx, app.Actor{ID: head1.ID}, officer1); err != nil {
		t.Fatal(err)
	}
	if *officer1.StationID != s1.ID || !officer1.MustChangePassword {
		t.Fatalf("officer created by head of station %d: %+v; want station %d and a password to change", s1.ID, officer1, s1.ID)
	}
	officer2 := &app.User{Role: app.RoleOfficer, Phone: "13800000011", Name: "孙丽", BadgeNo: "120001", PasswordHash: testHash(t)}
	if err := st.CreateStaff(ctx, app.Actor{ID: head2.ID}, officer2); err != nil {
		t.Fatal(err)
	}

	dupBadge := &app.User{Role: app.RoleOfficer, Phone: "13800000003", Name: "重号", BadgeNo: "110001", PasswordHash: testHash(t)}
	if err := st.CreateStaff(ctx, app.Actor{ID: head1.ID}, dupBadge); app.ErrorCode(err) != app.ECONFLICT || app.ErrorMessage(err) == "phone already registered" {
		t.Fatalf("badge number taken at the station: %v, want a conflict about the badge", err)
	}
	for _, tc := range []struct {
		name  string
		actor *app.User
		u     app.User
		code  string
	}{
		{"head creates head", head1, app.User{Role: app.RoleHead, Phone: "13800000004", Name: "x"}, app.EFORBIDDEN},
		{"officer creates officer", officer1, app.User{Role: app.RoleOfficer, Phone: "13800000005", Name: "x", BadgeNo: "9"}, app.EFORBIDDEN},
		{"resident creates officer", resident, app.User{Role: app.RoleOfficer, Phone: "13800000006", Name: "x", BadgeNo: "9"}, app.EFORBIDDEN},
		{"admin creates resident", admin, app.User{Role: app.RoleResident, Phone: "13800000007", Name: "x"}, app.EINVALID},
		{"admin creates head of missing station", admin, app.User{Role: app.RoleHead, Phone: "13800000008", Name: "x", StationID: new(int64(999))}, app.EINVALID},
		{"head reuses a phone", head1, app.User{Role: app.RoleOfficer, Phone: "13900000001", Name: "x", BadgeNo: "9"}, app.ECONFLICT},
	} {
		u := tc.u
		u.PasswordHash = testHash(t)
		if err := st.CreateStaff(ctx, app.Actor{ID: tc.actor.ID}, &u); app.ErrorCode(err) != tc.code {
			t.Errorf("%s: %v, want %s", tc.name, err, tc.code)
		}
	}

	// Scope: head 1 may not touch station 2's officer, a head, a resident or themselves.
	for _, target := range []*app.User{officer2, head2, resident, head1, admin} {
		if err := st.SetDisabled(ctx, app.Actor{ID: head1.ID}, target.ID, true); app.ErrorCode(err) != app.ENOTFOUND {
			t.Errorf("head of station 1 disables %s %d: %v, want not found", target.Role, target.ID, err)
		}
		if err := st.ResetStaffPassword(ctx, app.Actor{ID: head1.ID}, target.ID, testHash(t)); app.ErrorCode(err) != app.ENOTFOUND {
			t.Errorf("head of station 1 resets the password of %s %d: %v, want not found", target.Role, target.ID, err)
		}
	}
	if got, _ := st.FindUser(ctx, officer2.ID); got.Disabled {
		t.Fatal("station 2's officer was disabled by station 1's head")
	}
	if err := st.SetDisabled(ctx, app.Actor{ID: officer1.ID}, officer1.ID, true); app.ErrorCode(err) != app.EFORBIDDEN {
		t.Fatalf("officer disables an account: %v, want forbidden", err)
	}

	// Head 1 disables, re-enables and resets their own officer.
	now := clockOf(t).Now()
	g, err := st.CreateSession(ctx, officer1.ID, now)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.SetDisabled(ctx, app.Actor{ID: head1.ID, IP: "10.0.0.2"}, officer1.ID, true); err != nil {
		t.Fatal(err)
	}
	if ok, _ := st.SessionActive(ctx, g.Session.ID); ok {
		t.Fatal("a disabled officer's session is still active")
	}
	if _, err := st.CreateSession(ctx, officer1.ID, now); app.ErrorCode(err) != app.EUNAUTHORIZED {
		t.Fatalf("new session for a disabled officer: %v, want unauthenticated", err)
	}
	if err := st.SetDisabled(ctx, app.Actor{ID: head1.ID}, officer1.ID, false); err != nil {
		t.Fatal(err)
	}
	if ok, _ := st.SessionActive(ctx, g.Session.ID); ok {
		t.Fatal("re-enabling brought the revoked session back")
	}
	if _, err := st.Rotate(ctx, g.RefreshToken, now.Add(time.Minute)); app.ErrorCode(err) != app.EUNAUTHORIZED {
		t.Fatalf("refresh of a session ended by disabling: %v, want unauthenticated", err)
	}
	g2, err := st.CreateSession(ctx, officer1.ID, now)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.SetPassword(ctx, officer1.ID, testHash(t), 0); err != nil {
		t.Fatal(err)
	}
	g3, _ := st.CreateSession(ctx, officer1.ID, now)
	newHash, err := auth.HashPassword("one-time-pass-1")
	if err != nil {
		t.Fatal(err)
	}
	if err := st.ResetStaffPassword(ctx, app.Actor{ID: head1.ID}, officer1.ID, newHash); err != nil {
		t.Fatal(err)
	}
	got, _ := st.FindUser(ctx, officer1.ID)
	if !got.MustChangePassword || !auth.CheckPassword("one-time-pass-1", got.PasswordHash) {
		t.Fatalf("after a reset the officer has MustChangePassword=%v and the new password matches=%v", got.MustChangePassword, auth.CheckPassword("one-time-pass-1", got.PasswordHash))
	}
	for _, sid := range []int64{g2.Session.ID, g3.Session.ID} {
		if ok, _ := st.SessionActive(ctx, sid); ok {
			t.Errorf("session %d survived a password reset", sid)
		}
	}

	// The admin may act on heads of any station.
	if err := st.SetDisabled(ctx, app.Actor{ID: admin.ID}, head2.ID, true); err != nil {
		t.Fatal(err)
	}

	staff, err := st.ListStaff(ctx, s1.ID)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, u := range staff {
		names = append(names, string(u.Role)+":"+u.Name)
	}
	if !slices.Equal(names, []string{"head:王建国", "officer:李明"}) {
		t.Fatalf("ListStaff(station 1) = %v", names)
	}

	type row struct {
		action  string
		actor   int64
		station int64
		target  string
	}
	var rows []row
	for _, e := range auditActions(t, st, "") {
		if e.Action == "station.create" || e.Action == "booth.create" || e.Action == "admin.create" {
			continue
		}
		r := row{action: e.Action, target: e.Target}
		if e.ActorID != nil {
			r.actor = *e.ActorID
		}
		if e.StationID != nil {
			r.station = *e.StationID
		}
		rows = append(rows, r)
	}
	target := func(u *app.User) string { return "user/" + strconv.FormatInt(u.ID, 10) }
	want := []row{
		{"head.create", admin.ID, s1.ID, target(head1)},
		{"head.create", admin.ID, s2.ID, target(head2)},
		{"officer.create", head1.ID, s1.ID, target(officer1)},
		{"officer.create", head2.ID, s2.ID, target(officer2)},
		{"officer.disable", head1.ID, s1.ID, target(officer1)},
		{"officer.enable", head1.ID, s1.ID, target(officer1)},
		{"officer.reset_password", head1.ID, s1.ID, target(officer1)},
		{"head.disable", admin.ID, s2.ID, target(head2)},
	}
	if !slices.Equal(rows, want) {
		t.Fatalf("audit log\n got %v\nwant %v", rows, want)
	}
	if e := auditActions(t, st, "officer.disable"); e[0].IP != "10.0.0.2" || e[0].Detail != "李明 110001" {
		t.Fatalf("officer.disable entry %+v: want the actor's address and the officer's name and badge", e[0])
	}
}
