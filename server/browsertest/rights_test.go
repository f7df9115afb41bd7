package browsertest

import (
	"context"
	"strings"
	"testing"

	"policebooth/server/app"
	"policebooth/server/store"
)

// completedRequest gives a resident a request an officer has completed,
// which the station keeps after the account is deleted.
func completedRequest(t *testing.T, srv *Server, phone string) *app.ServiceRequest {
	t.Helper()
	ctx := context.Background()
	u, err := srv.Store.FindUserByPhone(ctx, phone)
	if err != nil {
		t.Fatal(err)
	}
	officer, err := srv.Store.FindUserByPhone(ctx, "13800000001")
	if err != nil {
		t.Fatal(err)
	}
	r, err := srv.Store.CreateRequest(ctx, app.NewRequest{ResidentID: u.ID, Services: []string{"other"},
		Fields: map[string]map[string]string{"other": {"subject": "开具证明"}}})
	if err != nil {
		t.Fatal(err)
	}
	if r, err = srv.Store.Arrive(ctx, r.ID, app.RequestFilter{StationID: r.StationID}, app.Arrival{ActorID: officer.ID, ByStaff: true}); err != nil {
		t.Fatal(err)
	}
	for _, to := range []app.RequestStatus{app.RequestAccepted, app.RequestInProgress, app.RequestCompleted} {
		if r, err = srv.Store.MoveRequest(ctx, r.ID, app.RequestFilter{StationID: r.StationID}, app.RequestMove{ActorID: officer.ID, To: to}); err != nil {
			t.Fatal(err)
		}
	}
	return r
}

// noSideways fails when the page scrolls sideways on a phone.
func noSideways(t *testing.T, p *Page, what string) {
	t.Helper()
	if Eval[bool](p, `document.documentElement.scrollWidth > document.documentElement.clientWidth`) {
		t.Errorf("%s scrolls sideways at phone width", what)
	}
}

func TestResidentDownloadsAndDeletesTheirAccountInChinese(t *testing.T) {
	srv := startDemo(t, nil)
	kept := completedRequest(t, srv, "13900000001")
	p := NewBrowser(t).Page(t, Phone, "zh-CN")
	p.signIn(srv.URL, "13900000001")

	p.Submit(`a[href="/account/data"]`)
	text := p.text()
	for _, want := range []string{"我的数据", "下载我的数据（ZIP）", "注销后将删除", "您的手机号、姓名和密码", "警务亭依法保留", "业务 " + kept.Ticket, "已办结的业务属于公安机关依法留存的办事记录"} {
		if !strings.Contains(text, want) {
			t.Errorf("the data page does not say %q:\n%s", want, text)
		}
	}
	if Eval[string](p, `document.querySelector('a[href="/account/export"]').hasAttribute("download") ? "yes" : "no"`) != "yes" {
		t.Error("the download link is not a download")
	}
	noSideways(t, p, "the data page")
	p.Screenshot("my-data-zh")
	p.Axe()

	p.Submit(`a[href="/account/delete"]`)
	if !strings.Contains(p.text(), "注销后无法恢复") {
		t.Fatalf("the confirmation step: %s", p.text())
	}
	p.Axe()
	// Without the tick and with a wrong password nothing happens.
	p.fill(map[string]string{"f-password": "wrong-password"}, "main form button[type=submit]")
	text = p.text()
	if !strings.Contains(text, "请勾选确认后再注销") {
		t.Errorf("no tick: %s", text)
	}
	p.Screenshot("delete-errors-zh")
	p.Axe()
	Eval[bool](p, `(document.getElementById("f-confirm").checked = true)`)
	p.fill(map[string]string{"f-password": "wrong-password"}, "main form button[type=submit]")
	if !strings.Contains(p.text(), "密码不正确") {
		t.Errorf("a wrong password: %s", p.text())
	}
	Eval[bool](p, `(document.getElementById("f-confirm").checked = true)`)
	p.fill(map[string]string{"f-password": store.DemoPassword}, "main form button[type=submit]")
	if text := p.text(); !strings.Contains(text, "您的账号已注销") || !strings.Contains(Eval[string](p, `location.pathname`), "/login") {
		t.Fatalf("after deletion: %s", text)
	}
	noSideways(t, p, "the sign-in page after deletion")
	p.Axe()
	p.Open(srv.URL + "/account/data")
	if path := Eval[string](p, `location.pathname`); path != "/login" {
		t.Errorf("the data page after deletion opens %s, want the sign-in page", path)
	}
}

func TestResidentDataPageInEnglishAndHeadRetention(t *testing.T) {
	srv := startDemo(t, nil)
	p := NewBrowser(t).Page(t, Phone, "en")
	p.signIn(srv.URL, "13900000002")
	p.Submit(".lang-switch button") // the demo accounts read Chinese
	p.Open(srv.URL + "/account/data")
	text := p.text()
	for _, want := range []string{"My data", "Download my data (ZIP)", "What deletion erases", "What the station keeps by law", "You have no records the station must keep."} {
		if !strings.Contains(text, want) {
			t.Errorf("the English data page does not say %q:\n%s", want, text)
		}
	}
	noSideways(t, p, "the English data page")
	p.Screenshot("my-data-en")
	p.Axe()
	p.Open(srv.URL + "/account/delete")
	if !strings.Contains(p.text(), "Deletion cannot be undone") {
		t.Errorf("the English confirmation: %s", p.text())
	}
	noSideways(t, p, "the English confirmation")
	p.Axe()

	for _, lang := range []string{"zh-CN", "en"} {
		h := NewBrowser(t).Page(t, Tablet, lang)
		h.signIn(srv.URL, "13800000000")
		if lang == "en" {
			h.Submit(".lang-switch button")
		}
		h.Submit(`a[href="/retention"]`)
		h.Axe()
		h.fill(map[string]string{"f-location_retention_days": "0"}, "main form button[type=submit]")
		want := map[string]string{"zh-CN": "请输入 1 到 365 之间的整数", "en": "Enter a whole number from 1 to 365"}[lang]
		if !strings.Contains(h.text(), want) {
			t.Errorf("%s: out of range: %s", lang, h.text())
		}
		h.Axe()
		h.fill(map[string]string{"f-location_retention_days": "14"}, "main form button[type=submit]")
		if got := Eval[string](h, `document.getElementById("f-location_retention_days").value`); got != "14" {
			t.Errorf("%s: saved location days show %q", lang, got)
		}
		h.Screenshot("retention-" + lang)
		h.Axe()
	}
}
