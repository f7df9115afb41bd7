package store_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"policebooth/server/app"
	"policebooth/server/store"
)

// counter is a one-window counter to test on: a station with booths A and
// B, its head and officers, two residents of booth A, and a second station
// with its own head, officer and booth.
type counter struct {
	st                          *store.Store
	station, otherStation       *app.Station
	boothA, boothB, otherBooth  *app.Booth
	head, officer, officer2     *app.User
	otherHead, otherOfficer     *app.User
	admin, resident, neighbour  *app.User
	homeless                    *app.User // a resident without a home booth
	staffScope, otherStaffScope app.RequestFilter
}

func newCounter(t testing.TB) *counter {
	t.Helper()
	return counterOn(t, open(t))
}

// counterOn builds the counter's fixtures in st.
func counterOn(t testing.TB, st *store.Store) *counter {
	t.Helper()
	ctx := context.Background()
	c := &counter{st: st}
	c.station, c.boothA = stationWithBooth(t, st, "海淀派出所", 39.9593, 116.2981)
	c.boothB = &app.Booth{StationID: c.station.ID, Name: "B", Lat: 39.9836, Lng: 116.3164}
	if err := st.CreateBooth(ctx, app.Actor{}, c.boothB); err != nil {
		t.Fatal(err)
	}
	c.otherStation, c.otherBooth = stationWithBooth(t, st, "朝阳派出所", 39.9219, 116.4436)
	c.admin = createUser(t, st, app.User{Role: app.RoleAdmin, Phone: "13700000000", Name: "管理员"})
	c.head = createUser(t, st, app.User{Role: app.RoleHead, Phone: "13800000000", Name: "王建国", StationID: &c.station.ID})
	c.officer = createUser(t, st, app.User{Role: app.RoleOfficer, Phone: "13800000001", Name: "李明", BadgeNo: "110001", StationID: &c.station.ID})
	c.officer2 = createUser(t, st, app.User{Role: app.RoleOfficer, Phone: "13800000002", Name: "张伟", BadgeNo: "110002", StationID: &c.station.ID})
	c.otherHead = createUser(t, st, app.User{Role: app.RoleHead, Phone: "13600000000", Name: "赵刚", StationID: &c.otherStation.ID})
	c.otherOfficer = createUser(t, st, app.User{Role: app.RoleOfficer, Phone: "13600000001", Name: "孙强", BadgeNo: "120001", StationID: &c.otherStation.ID})
	c.resident = createUser(t, st, app.User{Role: app.RoleResident, Phone: "13900000001", Name: "陈秀英", HomeBoothID: &c.boothA.ID})
	c.neighbour = createUser(t, st, app.User{Role: app.RoleResident, Phone: "13900000002", Name: "刘德福", HomeBoothID: &c.boothA.ID})
	c.homeless = createUser(t, st, app.User{Role: app.RoleResident, Phone: "13900000003", Name: "周敏"})
	c.staffScope = app.RequestFilter{StationID: c.station.ID}
	c.otherStaffScope = app.RequestFilter{StationID: c.otherStation.ID}
	return c
}

func scopeOf(u *app.User) app.RequestFilter { return app.RequestFilter{ResidentID: u.ID} }

func TestServiceCatalogueDefaultsAndStationSettings(t *testing.T) {
	c := newCounter(t)
	st, ctx := c.st, context.Background()

	defaults, err := st.ServiceTypes(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	var codes []string
	byCode := map[string]app.ServiceType{}
	for _, s := range defaults {
		codes = append(codes, s.Code)
		byCode[s.Code] = s
		if s.Name.Zh == "" || s.Name.En == "" || s.Description.Zh == "" || s.Description.En == "" || len(s.Documents) == 0 || s.TargetMinutes <= 0 || !s.Enabled {
			t.Errorf("default service %+v: want names, descriptions, documents, a target, enabled", s)
		}
		for _, d := range s.Documents {
			if d.Zh == "" || d.En == "" {
				t.Errorf("%s: document %+v needs both languages", s.Code, d)
			}
		}
		if s.Fields == nil {
			t.Errorf("%s: fields are nil, want a list", s.Code)
		}
	}
	want := []string{"household_migration", "passport_renewal", "id_card", "residence_permit", "no_criminal_record", app.NewbornCode, "lost_and_found", "dispute", "other"}
	if !slices.Equal(codes, want) {
		t.Fatalf("catalogue %v, want %v", codes, want)
	}
	if m := byCode["household_migration"]; m.Name.Zh != "户口迁移" || m.TargetMinutes != 20 || !hasField(m, "from_address", app.FieldText, true) || !hasField(m, "reason", app.FieldChoice, true) {
		t.Errorf("household_migration = %+v", m)
	}
	if p := byCode["passport_renewal"]; p.TargetMinutes != 15 || !hasField(p, "id_card", app.FieldIDCard, true) || !hasField(p, "travel_purpose", app.FieldChoice, true) {
		t.Errorf("passport_renewal = %+v", p)
	}
	if !slices.ContainsFunc(byCode["household_migration"].Documents, func(d app.Text) bool { return d.Zh == "居民户口簿" }) {
		t.Error("household_migration does not ask for the household register")
	}

	off, thirty := false, 30
	note := app.Text{Zh: " 请带两张照片 ", En: "Bring two photos"}
	head := app.Actor{ID: c.head.ID, IP: "10.0.0.9"}
	if err := st.SetServiceSetting(ctx, head, app.ServiceSetting{StationID: c.station.ID, Code: "dispute", Enabled: &off}); err != nil {
		t.Fatal(err)
	}
	if err := st.SetServiceSetting(ctx, head, app.ServiceSetting{StationID: c.station.ID, Code: "passport_renewal", TargetMinutes: &thirty, Note: &note}); err != nil {
		t.Fatal(err)
	}
	mine, err := st.ServiceTypes(ctx, c.station.ID)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]app.ServiceType{}
	for _, s := range mine {
		got[s.Code] = s
	}
	if got["dispute"].Enabled || !got["other"].Enabled {
		t.Errorf("dispute enabled %v, other enabled %v: want only dispute off", got["dispute"].Enabled, got["other"].Enabled)
	}
	if p := got["passport_renewal"]; p.TargetMinutes != 30 || p.Note.Zh != "请带两张照片" || p.Note.En != "Bring two photos" || !p.Enabled || p.Name != byCode["passport_renewal"].Name {
		t.Errorf("passport at the station = %+v: want target 30, the note trimmed, the rest default", p)
	}
	if len(mine) != len(defaults) {
		t.Errorf("the station lists %d services, want all %d, disabled included", len(mine), len(defaults))
	}

	theirs, err := st.ServiceTypes(ctx, c.otherStation.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.EqualFunc(theirs, defaults, func(a, b app.ServiceType) bool {
		return a.Code == b.Code && a.Enabled == b.Enabled && a.TargetMinutes == b.TargetMinutes && a.Note == b.Note
	}) {
		t.Errorf("another station's catalogue changed: %+v", theirs)
	}

	// A setting replaces the last one: nil goes back to the default.
	if err := st.SetServiceSetting(ctx, app.Actor{ID: c.admin.ID}, app.ServiceSetting{StationID: c.station.ID, Code: "passport_renewal"}); err != nil {
		t.Fatalf("admin resets passport: %v", err)
	}
	mine, _ = st.ServiceTypes(ctx, c.station.ID)
	for _, s := range mine {
		if s.Code == "passport_renewal" && (s.TargetMinutes != 15 || s.Note != (app.Text{})) {
			t.Errorf("after a reset passport is %+v, want the defaults", s)
		}
	}

	bad := 0
	for name, tc := range map[string]struct {
		actor app.Actor
		set   app.ServiceSetting
		code  string
	}{
		"officer":            {app.Actor{ID: c.officer.ID}, app.ServiceSetting{StationID: c.station.ID, Code: "other", Enabled: &off}, app.EFORBIDDEN},
		"another head":       {app.Actor{ID: c.otherHead.ID}, app.ServiceSetting{StationID: c.station.ID, Code: "other", Enabled: &off}, app.ENOTFOUND},
		"resident":           {app.Actor{ID: c.resident.ID}, app.ServiceSetting{StationID: c.station.ID, Code: "other", Enabled: &off}, app.EFORBIDDEN},
		"unknown code":       {head, app.ServiceSetting{StationID: c.station.ID, Code: "haircut", Enabled: &off}, app.ENOTFOUND},
		"zero target":        {head, app.ServiceSetting{StationID: c.station.ID, Code: "other", TargetMinutes: &bad}, app.EINVALID},
		"admin, no station":  {app.Actor{ID: c.admin.ID}, app.ServiceSetting{StationID: 9999, Code: "other", Enabled: &off}, app.ENOTFOUND},
		"nobody signed in":   {app.Actor{ID: 9999}, app.ServiceSetting{StationID: c.station.ID, Code: "other", Enabled: &off}, app.EUNAUTHORIZED},
		"note far too long":  {head, app.ServiceSetting{StationID: c.station.ID, Code: "other", Note: &app.Text{Zh: strings.Repeat("长", 501)}}, app.EINVALID},
		"a head, other code": {app.Actor{ID: c.otherHead.ID}, app.ServiceSetting{StationID: c.station.ID, Code: "haircut"}, app.ENOTFOUND},
	} {
		if err := st.SetServiceSetting(ctx, tc.actor, tc.set); app.ErrorCode(err) != tc.code {
			t.Errorf("%s: %v, want %s", name, err, tc.code)
		}
	}
	mine, _ = st.ServiceTypes(ctx, c.station.ID)
	for _, s := range mine {
		if s.Code == "other" && (!s.Enabled || s.TargetMinutes != 15 || s.Note != (app.Text{})) {
			t.Errorf("refused settings changed other: %+v", s)
		}
	}

	audits := auditActions(t, st, "service.")
	if len(audits) != 3 || audits[0].ActorID == nil || *audits[0].ActorID != c.head.ID || audits[0].IP != "10.0.0.9" ||
		audits[0].Target != "service/dispute" || *audits[0].StationID != c.station.ID || *audits[2].ActorID != c.admin.ID {
		t.Errorf("service audits %+v: want three, by the head then the admin", audits)
	}
	if _, err := st.ServiceTypes(ctx, 9999); app.ErrorCode(err) != app.ENOTFOUND {
		t.Errorf("catalogue of a missing station: %v, want not found", err)
	}
}

func hasField(s app.ServiceType, code string, kind app.FieldKind, required bool) bool {
	return slices.ContainsFunc(s.Fields, func(f app.FieldSpec) bool {
		return f.Code == code && f.Kind == kind && f.Required == required && f.Label.Zh != "" && f.Label.En != "" &&
			(kind != app.FieldChoice || len(f.Choices) > 1)
	})
}
