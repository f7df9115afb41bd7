package browsertest

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
)

// hold presses the mouse on an element for d, as a finger would.
func (p *Page) hold(selector string, d time.Duration) {
	p.t.Helper()
	type point struct{ X, Y float64 }
	at := Eval[point](p, `(() => { const el = document.querySelector("`+selector+`"); el.scrollIntoView({block: "center"}); const r = el.getBoundingClientRect(); return {X: r.x + r.width / 2, Y: r.y + r.height / 2}; })()`)
	p.Do(chromedp.MouseEvent(input.DispatchMouseEventTypeMousePressed, at.X, at.Y, chromedp.ButtonLeft))
	time.Sleep(d)
	p.Do(chromedp.MouseEvent(input.DispatchMouseEventTypeMouseReleased, at.X, at.Y, chromedp.ButtonLeft))
}

func TestResidentHoldsForHelpAndAnOfficerAnswers(t *testing.T) {
	srv := startDemo(t, nil)
	officer := NewBrowser(t).Page(t, Tablet, "zh-CN")
	officer.signIn(srv.URL, "13800000001")
	officer.Open(srv.URL + "/board")
	officer.Do(chromedp.Click(chromedp.ID("alert-unlock")))
	if !strings.Contains(officer.text(), "现在没有求助呼叫") {
		t.Fatalf("the board is not empty:\n%s", officer.text())
	}
	officer.Axe()

	resident := NewBrowser(t).Page(t, Phone, "zh-CN")
	resident.signIn(srv.URL, "13900000001")
	resident.Open(srv.URL + "/help")
	resident.Screenshot("help")
	resident.Axe()
	// A quick tap sends nothing: a pocket cannot call for help.
	resident.Do(chromedp.Click(chromedp.ID("help-button")))
	time.Sleep(500 * time.Millisecond)
	if path := Eval[string](resident, `location.pathname`); path != "/help" {
		t.Fatalf("a tap sent the call (now at %s)", path)
	}
	resident.Do(chromedp.SendKeys(chromedp.ID("f-message"), "我在小区 3 号楼门口"))
	resident.hold("#help-button", 2300*time.Millisecond)
	resident.WaitFor(`location.pathname.startsWith("/calls/")`)
	resident.WaitFor(`document.body.innerText.includes("求助已发出")`)
	resident.Screenshot("sent")
	resident.Axe()

	// The officer's board shows the call live and rings.
	officer.WaitFor(`document.querySelector(".call-row.unacknowledged") !== null`)
	officer.WaitFor(`document.body.classList.contains("alerting")`)
	if !strings.Contains(officer.text(), "我在小区 3 号楼门口") {
		t.Errorf("the board lacks the message:\n%s", officer.text())
	}
	officer.Screenshot("ringing")
	officer.Axe()
	officer.Submit(`.call-row button[value="acknowledged"]`)
	officer.WaitFor(`location.pathname.startsWith("/calls/")`)

	// The resident sees it without reloading, then they exchange messages.
	resident.WaitFor(`document.body.innerText.includes("李明 警官已收到您的求助")`)
	resident.fill(map[string]string{"f-text": "门禁密码 1234"}, `form[action$="/messages"] button`)
	officer.WaitFor(`document.body.innerText.includes("门禁密码 1234")`)
	officer.fill(map[string]string{"f-text": "三分钟到"}, `form[action$="/messages"] button`)
	resident.WaitFor(`document.body.innerText.includes("三分钟到")`)
	resident.Screenshot("acknowledged")
	officer.Screenshot("call")
	officer.Axe()

	// A second officer cannot take it any more.
	other := NewBrowser(t).Page(t, Tablet, "zh-CN")
	other.signIn(srv.URL, "13800000002")
	other.Open(srv.URL + "/board")
	if strings.Contains(other.text(), "我来处理") {
		t.Errorf("the call can still be taken:\n%s", other.text())
	}
}

func TestAssistancePagesInEnglish(t *testing.T) {
	srv := startDemo(t, nil)
	resident := NewBrowser(t).Page(t, Phone, "en")
	resident.signIn(srv.URL, "13900000001")
	resident.Submit(".lang-switch button")
	resident.Open(srv.URL + "/help")
	resident.Axe()
	officer := NewBrowser(t).Page(t, Tablet, "en")
	officer.signIn(srv.URL, "13800000001")
	officer.Submit(".lang-switch button")
	officer.Open(srv.URL + "/board")
	officer.Axe()
}
