package app_test

import (
	"strings"
	"testing"
	"time"

	"policebooth/server/app"
)

func TestNormalizePhone(t *testing.T) {
	for _, tc := range []struct {
		in, want string
	}{
		{"13800138000", "13800138000"},
		{"138 0013 8000", "13800138000"},
		{"138-0013-8000", "13800138000"},
		{"+86 138 0013 8000", "13800138000"},
		{"+86-13800138000", "13800138000"},
		{"8613800138000", "13800138000"},
		{" 19912345678 ", "19912345678"},
		{"12800138000", ""},     // no mobile prefix 12
		{"1380013800", ""},      // 10 digits
		{"138001380000", ""},    // 12 digits
		{"+85213800138000", ""}, // Hong Kong prefix
		{"86138001380", ""},     // 86 prefix but only 9 digits follow
		{"+1 13800138000", ""},
		{"1380013800a", ""},
		{"１３８００１３８０００", ""}, // full-width digits
		{"", ""},
	} {
		got, err := app.NormalizePhone(tc.in)
		if tc.want == "" {
			if app.ErrorCode(err) != app.EINVALID || app.ErrorMessage(err) == "" {
				t.Errorf("NormalizePhone(%q) = %q, %v; want invalid with a message", tc.in, got, err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("NormalizePhone(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}

func TestValidatePassword(t *testing.T) {
	for _, tc := range []struct {
		pw string
		ok bool
	}{
		{"booth-demo-2026", true},
		{"abcdefgh", true},
		{"1234567a", true},
		{"abcdefg", false},      // 7 bytes
		{"12345678", false},     // digits only
		{"123456789012", false}, // digits only
		{strings.Repeat("a", 72), true},
		{strings.Repeat("a", 73), false},
		{strings.Repeat("密", 24), true},        // 72 bytes
		{strings.Repeat("密", 24) + "1", false}, // 73 bytes
	} {
		err := app.ValidatePassword(tc.pw)
		if tc.ok != (err == nil) {
			t.Errorf("ValidatePassword(%q) = %v, want ok=%v", tc.pw, err, tc.ok)
		}
		if err != nil && app.ErrorCode(err) != app.EINVALID {
			t.Errorf("ValidatePassword(%q) code %s, want invalid", tc.pw, app.ErrorCode(err))
		}
	}
}

func TestUserValidate(t *testing.T) {
	station := int64(1)
	booth := int64(2)
	for _, tc := range []struct {
		name string
		u    app.User
		ok   bool
	}{
		{"resident", app.User{Role: app.RoleResident, Phone: "138 0013 8000", Name: " 陈阿姨 ", PasswordHash: "h", HomeBoothID: &booth}, true},
		{"officer", app.User{Role: app.RoleOfficer, Phone: "13800138001", Name: "李明", PasswordHash: "h", StationID: &station, BadgeNo: "010001"}, true},
		{"head", app.User{Role: app.RoleHead, Phone: "13800138002", Name: "王建国", PasswordHash: "h", StationID: &station}, true},
		{"admin", app.User{Role: app.RoleAdmin, Phone: "13700000000", Name: "管理员", PasswordHash: "h"}, true},
		{"unknown role", app.User{Role: "chief", Phone: "13800138000", Name: "x", PasswordHash: "h"}, false},
		{"bad phone", app.User{Role: app.RoleResident, Phone: "110", Name: "x", PasswordHash: "h"}, false},
		{"no name", app.User{Role: app.RoleResident, Phone: "13800138000", Name: "  ", PasswordHash: "h"}, false},
		{"bad language", app.User{Role: app.RoleResident, Phone: "13800138000", Name: "x", Language: "fr", PasswordHash: "h"}, false},
		{"no password", app.User{Role: app.RoleResident, Phone: "13800138000", Name: "x"}, false},
		{"officer without station", app.User{Role: app.RoleOfficer, Phone: "13800138000", Name: "x", PasswordHash: "h", BadgeNo: "1"}, false},
		{"officer without badge", app.User{Role: app.RoleOfficer, Phone: "13800138000", Name: "x", PasswordHash: "h", StationID: &station}, false},
		{"resident with station", app.User{Role: app.RoleResident, Phone: "13800138000", Name: "x", PasswordHash: "h", StationID: &station}, false},
		{"guard", app.User{Role: app.RoleGuard, Phone: "13800138003", Name: "张保安", PasswordHash: "h", BoothID: &booth}, true},
		{"volunteer", app.User{Role: app.RoleVolunteer, Phone: "13800138004", Name: "赵志愿", PasswordHash: "h", BoothID: &booth}, true},
		{"volunteer without booth", app.User{Role: app.RoleVolunteer, Phone: "13800138004", Name: "x", PasswordHash: "h"}, false},
		{"guard with station", app.User{Role: app.RoleGuard, Phone: "13800138003", Name: "x", PasswordHash: "h", BoothID: &booth, StationID: &station}, false},
		{"officer with booth", app.User{Role: app.RoleOfficer, Phone: "13800138001", Name: "x", PasswordHash: "h", StationID: &station, BadgeNo: "1", BoothID: &booth}, false},
		{"head with home booth", app.User{Role: app.RoleHead, Phone: "13800138000", Name: "x", PasswordHash: "h", StationID: &station, HomeBoothID: &booth}, false},
	} {
		err := tc.u.Validate()
		if tc.ok != (err == nil) {
			t.Errorf("%s: Validate = %v, want ok=%v", tc.name, err, tc.ok)
		}
		if tc.ok && (tc.u.Language != app.LanguageChinese || tc.u.Phone[0] != '1' || len(tc.u.Phone) != 11) {
			t.Errorf("%s: not normalised: %+v", tc.name, tc.u)
		}
	}
	u := app.User{Role: app.RoleResident, Phone: "+86 138 0013 8000", Name: " 陈阿姨 ", PasswordHash: "h"}
	if err := u.Validate(); err != nil || u.Phone != "13800138000" || u.Name != "陈阿姨" {
		t.Fatalf("Validate normalised to %+v, %v", u, err)
	}
}

func TestCanManage(t *testing.T) {
	s1, s2 := int64(1), int64(2)
	admin := &app.User{ID: 1, Role: app.RoleAdmin}
	head1 := &app.User{ID: 2, Role: app.RoleHead, StationID: &s1}
	head2 := &app.User{ID: 3, Role: app.RoleHead, StationID: &s2}
	officer1 := &app.User{ID: 4, Role: app.RoleOfficer, StationID: &s1}
	officer2 := &app.User{ID: 5, Role: app.RoleOfficer, StationID: &s2}
	resident := &app.User{ID: 6, Role: app.RoleResident}
	otherAdmin := &app.User{ID: 7, Role: app.RoleAdmin}
	disabledHead := &app.User{ID: 8, Role: app.RoleHead, StationID: &s1, Disabled: true}
	booth := int64(10)
	guard := &app.User{ID: 10, Role: app.RoleGuard, BoothID: &booth}
	volunteer := &app.User{ID: 11, Role: app.RoleVolunteer, BoothID: &booth}
	for _, tc := range []struct {
		name          string
		actor, target *app.User
		want          bool
		station       *int64 // the target's booth's station
	}{
		{"head on own station's guard", head1, guard, true, &s1},
		{"head on own station's volunteer", head1, volunteer, true, &s1},
		{"head on other station's volunteer", head2, volunteer, false, &s1},
		{"head on a volunteer of no station", head1, volunteer, false, nil},
		{"officer on volunteer", officer1, volunteer, false, &s1},
		{"volunteer on guard", volunteer, guard, false, &s1},
		{"admin on guard", admin, guard, true, &s1},
		{"head on own officer", head1, officer1, true, nil},
		{"head on other station's officer", head1, officer2, false, nil},
		{"head on other head", head1, head2, false, nil},
		{"head on resident", head1, resident, false, nil},
		{"head on self", head1, head1, false, nil},
		{"disabled head", disabledHead, officer1, false, nil},
		{"admin on head", admin, head2, true, nil},
		{"admin on officer", admin, officer2, true, nil},
		{"admin on resident", admin, resident, true, nil},
		{"admin on admin", admin, otherAdmin, false, nil},
		{"officer on officer", officer1, officer1, false, nil},
		{"officer on colleague", officer1, &app.User{ID: 9, Role: app.RoleOfficer, StationID: &s1}, false, nil},
		{"resident on officer", resident, officer1, false, nil},
	} {
		if got := app.CanManage(tc.actor, tc.target, tc.station); got != tc.want {
			t.Errorf("%s: CanManage = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestMessageBackoffStartsInSecondsAndStopsAtMinutes(t *testing.T) {
	want := []time.Duration{time.Second, time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second}
	for attempts, w := range want {
		if got := app.MessageBackoff(attempts); got != w {
			t.Errorf("after %d attempts: %v, want %v", attempts, got, w)
		}
	}
	for _, attempts := range []int{10, 20, 1000} {
		if got := app.MessageBackoff(attempts); got != 5*time.Minute {
			t.Errorf("after %d attempts: %v, want the 5 minute cap", attempts, got)
		}
	}
}
