package browsertest

import (
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"policebooth/server/store"
)

// signIn signs a demo account in through the form.
func (p *Page) signIn(srvURL, phone string) {
	p.t.Helper()
	p.Open(srvURL + "/login")
	p.fill(map[string]string{"f-phone": phone, "f-password": store.DemoPassword}, "main form button[type=submit]")
}

var requestPath = regexp.MustCompile(`/requests/(\d+)`)

// TestReferenceVisitEndToEnd walks the reference case in Chinese: a resident
// bundles residence migration with passport renewal on a phone, gets a
// ticket, an officer on the tablet accepts, works and completes it, and the
// resident sees every step.
func TestReferenceVisitEndToEnd(t *testing.T) {
	srv := startDemo(t, nil)
	resident := NewBrowser(t).Page(t, Phone, "zh-CN")
	resident.signIn(srv.URL, "13900000001")
	resident.Open(srv.URL + "/requests/new")
	resident.Axe()
	resident.Do(chromedp.Click(chromedp.ID("svc-household_migration")), chromedp.Click(chromedp.ID("svc-passport_renewal")))
	resident.Submit(`form[action="/requests/new#details"][method="get"] button[type=submit]`)
	// 下一步 leaves the person at the details form, not the top of the page.
	resident.WaitFor(`(() => { const r = document.getElementById("details").getBoundingClientRect(); return r.top > -2 && r.top < innerHeight / 2; })()`)
	text := resident.text()
	for _, want := range []string{"需要带的材料", "居民户口簿", "预计一共需要 35 分钟。"} {
		if !strings.Contains(text, want) {
			t.Errorf("the visit form lacks %q:\n%s", want, text)
		}
	}
	resident.Screenshot("visit-form")
	resident.Axe()
	// A wrong ID number is caught by the field, in Chinese, and nothing is lost.
	resident.fill(map[string]string{
		"f-f.household_migration.from_address": "朝阳区幸福里 3 号",
		"f-f.household_migration.to_address":   "海淀区学院路 12 号",
		"f-f.passport_renewal.id_card":         "110105194912310021",
	}, `form[method="post"] button.primary`)
	if !strings.Contains(resident.text(), "身份证号码不正确") {
		t.Fatalf("a bad ID number was not caught:\n%s", resident.text())
	}
	if got := Eval[string](resident, `document.getElementById("f-f.household_migration.from_address").value`); got != "朝阳区幸福里 3 号" {
		t.Errorf("the address typed before the error was lost: %q", got)
	}
	resident.Axe()
	resident.fill(map[string]string{"f-f.passport_renewal.id_card": "11010519491231002X"}, `form[method="post"] button.primary`)
	text = resident.text()
	if !strings.Contains(text, "已提交。到达警务亭后取号。") || !strings.Contains(text, "已提交") {
		t.Fatalf("after submitting:\n%s", text)
	}
	if strings.Contains(text, "11010519491231002X") {
		t.Error("the page shows the whole ID number")
	}
	resident.Screenshot("ticket")
	resident.Axe()
	url := Eval[string](resident, `location.pathname`)
	if !requestPath.MatchString(url) {
		t.Fatalf("not on the request page: %s", url)
	}

	officer := NewBrowser(t).Page(t, Tablet, "zh-CN")
	officer.signIn(srv.URL, "13800000001")
	officer.Open(srv.URL + "/queue")
	if !strings.Contains(officer.text(), "到达后取号") {
		t.Fatalf("the queue lacks the request waiting for its visitor:\n%s", officer.text())
	}
	officer.Screenshot("queue")
	officer.Axe()
	officer.Submit(".request-row a")
	// The resident comes to the counter: the officer marks the arrival and
	// the ticket is issued.
	officer.Submit(`form[action$="/arrival"] button`)
	if !strings.Contains(officer.text(), "A-001") {
		t.Fatalf("after the arrival:\n%s", officer.text())
	}
	for _, step := range []string{"accepted", "in_progress", "completed"} {
		officer.Submit(`button[name="to"][value="` + step + `"]`)
		if !strings.Contains(officer.text(), "已保存。") {
			t.Fatalf("step %s:\n%s", step, officer.text())
		}
		if step == "in_progress" {
			officer.Screenshot("working")
			officer.Axe()
		}
	}

	resident.Open(srv.URL + url)
	text = resident.text()
	for _, want := range []string{"已办结", "状态：已受理", "状态：办理中", "状态：已办结"} {
		if !strings.Contains(text, want) {
			t.Errorf("the resident's page lacks %q:\n%s", want, text)
		}
	}
	resident.Screenshot("completed")

	stranger := NewBrowser(t).Page(t, Phone, "zh-CN")
	stranger.signIn(srv.URL, "13900000002")
	stranger.Open(srv.URL + url)
	if !strings.Contains(stranger.text(), "找不到这个页面") {
		t.Errorf("another resident sees the request:\n%s", stranger.text())
	}
	stranger.Open(srv.URL + "/requests")
	stranger.Axe()
}

func TestHeadCataloguePage(t *testing.T) {
	srv := startDemo(t, nil)
	for _, lang := range []string{"zh-CN", "en"} {
		head := NewBrowser(t).Page(t, Tablet, lang)
		head.signIn(srv.URL, "13800000000")
		head.Open(srv.URL + "/catalogue")
		head.Screenshot("catalogue")
		head.Axe()
	}
}
