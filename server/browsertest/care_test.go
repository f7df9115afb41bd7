package browsertest

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestCareVisitFromEnrolmentToTheResidentsPage: 陈秀英 joins the care
// register for weekly visits on her phone, in elder mode; 李明's shift page
// shows her as due today; he records a visit with a fraud warning; it is in
// his shift log and on her page; 刘德福 gets 404 on her enrolment and visit.
// A second visit written with the tablet offline arrives once.
func TestCareVisitFromEnrolmentToTheResidentsPage(t *testing.T) {
	srv := startDemo(t, nil)
	phone := NewBrowser(t).Page(t, Phone, "zh-CN")
	phone.signIn(srv.URL, "13900000001")
	phone.Open(srv.URL + "/")
	phone.Submit(`.elder-offer button[value="1"]`)
	phone.Submit(`main a[href="/care"]`)
	phone.Axe()
	phone.Do(chromedp.Click(chromedp.ID("reason-lives_alone")), chromedp.Click(chromedp.ID("reason-elderly")))
	if !Eval[bool](phone, `document.getElementById("cadence-weekly").checked`) {
		t.Fatal("weekly is not the preselected cadence")
	}
	phone.fill(map[string]string{"f-preferred_times": "工作日上午"}, `form[action="/care"] button[type=submit]`)
	text := phone.text()
	for _, want := range []string{"已加入关爱名册", "独居，年长", "每周一次", "本人申请"} {
		if !strings.Contains(text, want) {
			t.Fatalf("after joining the page lacks %q:\n%s", want, text)
		}
	}
	checkElderSizes(t, phone, "/care")
	phone.Axe()

	tablet := NewBrowser(t).Page(t, Tablet, "zh-CN")
	tablet.signIn(srv.URL, "13800000001")
	tablet.Open(srv.URL + "/shift")
	tablet.Submit(`form[action="/shift/clock-in"] button[type=submit]`)
	due := Eval[string](tablet, `document.getElementById("due-visits").innerText`)
	for _, want := range []string{"今日走访", "陈秀英", "今天到期", "工作日上午"} {
		if !strings.Contains(due, want) {
			t.Fatalf("the shift page's visits lack %q:\n%s", want, due)
		}
	}
	tablet.Axe()
	enrolment := Eval[string](tablet, `document.querySelector("#due-visits input[name=enrolment_id]").value`)
	tablet.Do(chromedp.Click(`#due-`+enrolment+` summary`), chromedp.Click(chromedp.ID("warning-"+enrolment)))
	tablet.Screenshot("care-record-visit")
	tablet.Axe()
	tablet.fill(map[string]string{"visit-note-" + enrolment: "血压正常，讲解了冒充客服退款骗局"}, `#due-`+enrolment+` button[type=submit]`)
	text = tablet.text()
	for _, want := range []string{"走访已记录。", "关爱走访 陈秀英：已见到本人，良好，已做反诈提醒，血压正常", "今天没有到期的走访。"} {
		if !strings.Contains(text, want) {
			t.Fatalf("after recording, the shift page lacks %q:\n%s", want, text)
		}
	}
	if who := Eval[string](tablet, `[...document.querySelectorAll("#live-log .entry-visit")].map(e => e.innerText).join("|")`); !strings.Contains(who, "李明") {
		t.Errorf("the visit entry is not attributed to 李明: %q", who)
	}

	phone.Open(srv.URL + "/care")
	today := srv.Store.Now().In(shanghai(t)).Format(time.DateOnly)
	text = phone.text()
	for _, want := range []string{"李明 于 " + today + " 上门看望", "已做反诈提醒"} {
		if !strings.Contains(text, want) {
			t.Fatalf("her page lacks %q:\n%s", want, text)
		}
	}
	phone.Screenshot("care-resident")

	// Her enrolment and visit are hers and the station's only.
	var visits struct{ Items []struct{ ID string } }
	apiCall(t, srv.URL, "GET", "/api/v1/visits", "13900000001", nil, &visits)
	if len(visits.Items) != 1 {
		t.Fatalf("her visits: %+v", visits)
	}
	for _, path := range []string{"/api/v1/care-enrolments/" + enrolment, "/api/v1/visits/" + visits.Items[0].ID} {
		if status := apiStatus(t, srv.URL, "GET", path, "13900000001", nil); status != http.StatusOK {
			t.Errorf("%s for her: %d", path, status)
		}
		if status := apiStatus(t, srv.URL, "GET", path, "13900000002", nil); status != http.StatusNotFound {
			t.Errorf("%s for another resident: %d, want 404", path, status)
		}
	}
	// The head's review counts it for booth A and for 李明.
	head := NewBrowser(t).Page(t, Tablet, "zh-CN")
	head.signIn(srv.URL, "13800000000")
	head.Open(srv.URL + "/shifts")
	figures := Eval[string](head, `document.getElementById("visit-figures").innerText`)
	if !strings.Contains(figures, "李明") || !strings.Contains(figures, "A\t1\t0\t0") {
		t.Errorf("the review's visit figures: %q", figures)
	}
	head.Axe()
	var his struct{ Items []json.RawMessage }
	apiCall(t, srv.URL, "GET", "/api/v1/visits", "13900000002", nil, &his)
	if len(his.Items) != 0 {
		t.Errorf("another resident's visit list shows hers: %d", len(his.Items))
	}
}

// TestOfflineCareVisitArrivesOnce: a visit recorded with the tablet offline
// waits in the outbox and is stored once when the network returns.
func TestOfflineCareVisitArrivesOnce(t *testing.T) {
	srv := startDemo(t, nil)
	apiCall(t, srv.URL, "POST", "/api/v1/care-enrolments", "13900000002", map[string]any{"reasons": []string{"elderly"}, "cadence": "monthly"}, nil)
	p := NewBrowser(t).Page(t, Tablet, "zh-CN")
	p.signIn(srv.URL, "13800000001")
	p.Open(srv.URL + "/shift")
	p.waitForServiceWorker()
	p.Submit(`form[action="/shift/clock-in"] button[type=submit]`)
	enrolment := Eval[string](p, `document.querySelector("#due-visits input[name=enrolment_id]").value`)
	p.SetOffline(true)
	p.WaitFor(`!navigator.onLine`)
	p.Do(chromedp.Click(`#due-`+enrolment+` summary`), chromedp.Click(chromedp.ID("outcome-"+enrolment+"-not_home")),
		chromedp.SendKeys(chromedp.ID("visit-note-"+enrolment), "敲门无人应答"))
	p.Do(chromedp.Click(`#due-` + enrolment + ` button[type=submit]`))
	p.waitOutbox(`i.length === 1`)
	time.Sleep(1100 * time.Millisecond)
	p.SetOffline(false)
	p.waitOutbox(`i.length === 0`)
	var visits struct {
		Items []struct {
			Outcome, Note string
			WrittenAt     *time.Time `json:"written_at"`
		}
	}
	apiCall(t, srv.URL, "GET", "/api/v1/visits", "13900000002", nil, &visits)
	if len(visits.Items) != 1 || visits.Items[0].Outcome != "not_home" || visits.Items[0].Note != "敲门无人应答" || visits.Items[0].WrittenAt == nil {
		t.Fatalf("the offline visit arrived as %+v, want once, not home, with its device time", visits.Items)
	}
}

func shanghai(t *testing.T) *time.Location {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// checkElderSizes measures a page in elder mode against MIIT's sizes.
func checkElderSizes(t *testing.T, p *Page, path string) {
	t.Helper()
	var m struct {
		Text      float64
		LineRatio float64
		Control   struct {
			W, H float64
			What string
		}
	}
	if err := json.Unmarshal([]byte(Eval[string](p, elderSizes)), &m); err != nil {
		t.Fatal(err)
	}
	if m.Text < 18 || m.LineRatio < 1.3 || m.Control.W < 60 || m.Control.H < 60 {
		t.Errorf("%s in elder mode: smallest text %.1f px, line height %.2f, smallest control %.0f×%.0f (%s); want 18 px, 1.3, 60×60",
			path, m.Text, m.LineRatio, m.Control.W, m.Control.H, m.Control.What)
	}
}
