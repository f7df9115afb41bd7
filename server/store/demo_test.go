package store_test

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"policebooth/server/app"
	"policebooth/server/auth"
	"policebooth/server/store"
	"policebooth/server/store/storetest"
)

func TestDemoAccounts(t *testing.T) {
	st := open(t)
	ctx := context.Background()
	if exist, err := st.DemoAccountsExist(ctx); err != nil || exist {
		t.Fatalf("DemoAccountsExist on an empty database = %v, %v", exist, err)
	}
	if err := st.LoadDemo(ctx, storetest.Logger(t)); err != nil {
		t.Fatal(err)
	}
	var first []app.User
	st.DB().Order("id").Find(&first)
	if err := st.LoadDemo(ctx, storetest.Logger(t)); err != nil {
		t.Fatalf("second load: %v", err)
	}
	var second []app.User
	st.DB().Order("id").Find(&second)
	if !reflect.DeepEqual(first, second) {
		t.Fatalf("the second load changed the accounts:\n%+v\n%+v", first, second)
	}

	booths, _ := st.ListBooths(ctx)
	if len(booths) != 2 || booths[0].Name != "A" {
		t.Fatalf("demo booths %+v", booths)
	}
	stationID, boothA := booths[0].StationID, booths[0].ID
	want := []struct {
		phone string
		role  app.Role
		badge bool
	}{
		{"13700000000", app.RoleAdmin, false},
		{"13800000000", app.RoleHead, false},
		{"13800000001", app.RoleOfficer, true},
		{"13800000002", app.RoleOfficer, true},
		{"13900000001", app.RoleResident, false},
		{"13900000002", app.RoleResident, false},
	}
	if len(second) != len(want) {
		t.Fatalf("%d demo accounts, want %d", len(second), len(want))
	}
	for _, w := range want {
		u, err := st.FindUserByPhone(ctx, w.phone)
		if err != nil {
			t.Fatalf("demo account %s: %v", w.phone, err)
		}
		if u.Role != w.role || !u.PhoneVerified || u.Disabled || u.MustChangePassword || u.Language != app.LanguageChinese {
			t.Errorf("demo account %s: %+v", w.phone, u)
		}
		if (u.BadgeNo != "") != w.badge {
			t.Errorf("demo account %s badge %q", w.phone, u.BadgeNo)
		}
		if !strings.ContainsFunc(u.Name, func(r rune) bool { return r >= 0x4e00 && r <= 0x9fff }) {
			t.Errorf("demo account %s is named %q, want a Chinese name", w.phone, u.Name)
		}
		switch w.role {
		case app.RoleHead, app.RoleOfficer:
			if u.StationID == nil || *u.StationID != stationID {
				t.Errorf("demo %s %s is not of the demo station", w.role, w.phone)
			}
		case app.RoleResident:
			if u.HomeBoothID == nil || *u.HomeBoothID != boothA {
				t.Errorf("demo resident %s does not have home booth A", w.phone)
			}
		}
		if !auth.CheckPassword(store.DemoPassword, u.PasswordHash) {
			t.Errorf("demo account %s does not take %q", w.phone, store.DemoPassword)
		}
	}
	if exist, err := st.DemoAccountsExist(ctx); err != nil || !exist {
		t.Fatalf("DemoAccountsExist after loading = %v, %v", exist, err)
	}
}

func TestDemoRefusesADatabaseWithRealAccounts(t *testing.T) {
	st := open(t)
	ctx := context.Background()
	if err := st.LoadDemo(ctx, storetest.Logger(t)); err != nil {
		t.Fatal(err)
	}
	booths, _ := st.ListBooths(ctx)
	createUser(t, st, app.User{Role: app.RoleResident, Phone: "13612345678", Name: "真实居民", HomeBoothID: &booths[0].ID})
	// Remove one demo account, so a load that went ahead would add it back.
	st.DB().Where("phone = ?", "13900000002").Delete(&app.User{})

	err := st.LoadDemo(ctx, storetest.Logger(t))
	if app.ErrorCode(err) != app.ECONFLICT || !strings.Contains(app.ErrorMessage(err), "demo") {
		t.Fatalf("LoadDemo beside a real account: %v, want a conflict that explains", err)
	}
	if _, err := st.FindUserByPhone(ctx, "13900000002"); app.ErrorCode(err) != app.ENOTFOUND {
		t.Fatal("the refused load still created a demo account")
	}

	fresh := open(t)
	createUser(t, fresh, app.User{Role: app.RoleAdmin, Phone: "13612345678", Name: "管理员"})
	if err := fresh.LoadDemo(ctx, storetest.Logger(t)); app.ErrorCode(err) != app.ECONFLICT {
		t.Fatalf("LoadDemo into a database with a real admin: %v, want conflict", err)
	}
	if booths, _ := fresh.ListBooths(ctx); len(booths) != 0 {
		t.Fatal("the refused load still created the demo booths")
	}
	if exist, _ := fresh.DemoAccountsExist(ctx); exist {
		t.Fatal("DemoAccountsExist on a database with only a real admin")
	}
}
