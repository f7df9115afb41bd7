package browsertest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// SetOffline cuts the tab's network (DevTools offline emulation, service
// worker included, navigator.onLine false) or gives it back.
func (p *Page) SetOffline(offline bool) {
	p.t.Helper()
	sw := true
	p.Do(chromedp.Func(func(ctx context.Context, tab *chromedp.Target) error {
		_, err := cdp.Call(ctx, tab, network.EmulateNetworkConditionsByRule, network.EmulateNetworkConditionsByRuleParams{
			EmulateOfflineServiceWorker: &sw,
			MatchedNetworkConditions:    []*network.Conditions{{Offline: offline, DownloadThroughput: -1, UploadThroughput: -1}},
		})
		if err != nil {
			return err
		}
		_, err = cdp.Call(ctx, tab, network.OverrideNetworkState, network.OverrideNetworkStateParams{
			Offline: offline, DownloadThroughput: -1, UploadThroughput: -1,
		})
		return err
	}))
}

// waitForServiceWorker waits until the page is controlled by the service
// worker, so pages visited from then on are kept for reading offline.
func (p *Page) waitForServiceWorker() {
	p.t.Helper()
	p.WaitFor(`navigator.serviceWorker && navigator.serviceWorker.controller !== null`)
}

// waitOutbox waits, up to 90 s, until the outbox satisfies cond (a JS
// expression over its items, i): the browser's IndexedDB can be slow to
// open in a fresh profile on a busy machine.
func (p *Page) waitOutbox(cond string) {
	p.t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(p.Ctx, 90*time.Second)
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.boothOutbox.items().then(i => `+cond+`)`, chromedp.EvalAwaitPromise))
		cancel()
		if err != nil {
			p.t.Fatalf("browsertest: outbox: %v", err)
		}
		if ok {
			return
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("browsertest: waited 90 s for the outbox to hold %s", cond)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func countOutbox(p *Page) int {
	return Eval[int](p, `window.boothOutbox.items().then(i => i.length)`)
}

// TestOfflineRequestIsSentOnceWhenTheNetworkReturns: a resident files a
// request with no network, reloads, still sees it waiting, and when the
// network returns exactly one request reaches the server.
func TestOfflineRequestIsSentOnceWhenTheNetworkReturns(t *testing.T) {
	srv := startDemo(t, nil)
	p := NewBrowser(t).Page(t, Phone, "zh-CN")
	p.signIn(srv.URL, "13900000001")
	p.Open(srv.URL + "/")
	p.waitForServiceWorker()
	p.Open(srv.URL + "/requests/new?service=other")
	p.Open(srv.URL + "/requests")
	p.Open(srv.URL + "/requests/new?service=other")

	p.SetOffline(true)
	p.WaitFor(`!navigator.onLine`)
	p.WaitFor(`!document.getElementById("offline-banner").hidden`)
	p.Do(chromedp.SendKeys(chromedp.CSS(`[id="f-f.other.subject"]`), "离线时填写的咨询"))
	p.Do(chromedp.Click(`form[data-outbox] button.primary`))
	p.waitOutbox(`i.length === 1`)
	p.WaitFor(`document.querySelector("#outbox li.outbox-waiting") !== null`)
	if n := countOutbox(p); n != 1 {
		t.Fatalf("outbox holds %d writes, want 1", n)
	}
	p.Screenshot("offline-waiting")
	p.Axe()

	// Reload while still offline: the page comes from this person's cache,
	// says it is offline, and the write still waits.
	p.Open(srv.URL + "/requests/new?service=other")
	p.waitOutbox(`i.length === 1`)
	p.WaitFor(`document.querySelector("#outbox li.outbox-waiting") !== null`)
	if !strings.Contains(Eval[string](p, `document.getElementById("offline-banner").innerText`), "离线") {
		t.Error("the offline page has no banner")
	}
	p.Open(srv.URL + "/requests")
	p.WaitFor(`!document.getElementById("offline-banner").hidden`)
	p.Screenshot("offline-list")

	p.SetOffline(false)
	p.waitOutbox(`i.length === 0`)
	// Two more flushes must not send it again.
	Eval[bool](p, `window.boothOutbox.flush().then(() => true)`)
	Eval[bool](p, `window.boothOutbox.flush().then(() => true)`)
	var list struct{ Items []struct{ ID string } }
	apiCall(t, srv.URL, "GET", "/api/v1/service-requests", "13900000001", nil, &list)
	if len(list.Items) != 1 {
		t.Fatalf("the server has %d requests, want exactly 1", len(list.Items))
	}
}

// TestOfflineShiftEntryArrivesOnceWithItsDeviceTime: an officer's log entry
// written offline reaches the shift once, keeping when it was written.
func TestOfflineShiftEntryArrivesOnceWithItsDeviceTime(t *testing.T) {
	srv := startDemo(t, nil)
	p := NewBrowser(t).Page(t, Tablet, "zh-CN")
	p.signIn(srv.URL, "13800000001")
	p.Open(srv.URL + "/shift")
	p.waitForServiceWorker()
	p.Submit(`form[action="/shift/clock-in"] button[type=submit]`)
	p.SetOffline(true)
	p.WaitFor(`!navigator.onLine`)
	p.Do(chromedp.Click(chromedp.ID("kind-patrol")), chromedp.SendKeys(chromedp.ID("f-text"), "断网时巡逻一圈"))
	p.Do(chromedp.Click(`form[data-outbox] button[type=submit]`))
	p.waitOutbox(`i.length === 1`)
	p.WaitFor(`document.querySelector("#outbox li.outbox-waiting") !== null`)
	time.Sleep(1100 * time.Millisecond) // the entry reaches the server later than it was written
	p.SetOffline(false)
	p.waitOutbox(`i.length === 0`)
	var current struct {
		Entries []struct {
			Kind, Text string
			WrittenAt  *time.Time `json:"written_at"`
			CreatedAt  time.Time  `json:"created_at"`
		}
	}
	apiCall(t, srv.URL, "GET", "/api/v1/shifts/current", "13800000001", nil, &current)
	n := 0
	for _, e := range current.Entries {
		if e.Text == "断网时巡逻一圈" {
			n++
			if e.WrittenAt == nil || !e.WrittenAt.Before(e.CreatedAt) {
				t.Errorf("the entry lost its device time: written %v, received %v", e.WrittenAt, e.CreatedAt)
			}
		}
	}
	if n != 1 {
		t.Fatalf("the entry arrived %d times, want once", n)
	}
}

// TestSignOutWithAWaitingWriteAsksFirst: signing out on a shared tablet with
// a write still waiting asks; discarding it signs out and leaves nothing of
// the person in caches or IndexedDB.
func TestSignOutWithAWaitingWriteAsksFirst(t *testing.T) {
	srv := startDemo(t, nil)
	p := NewBrowser(t).Page(t, Tablet, "zh-CN")
	p.signIn(srv.URL, "13800000001")
	p.Open(srv.URL + "/shift")
	p.waitForServiceWorker()
	p.Submit(`form[action="/shift/clock-in"] button[type=submit]`)
	p.SetOffline(true)
	p.WaitFor(`!navigator.onLine`)
	p.Do(chromedp.Click(chromedp.ID("kind-note")), chromedp.SendKeys(chromedp.ID("f-text"), "未发出的备注"))
	p.Do(chromedp.Click(`form[data-outbox] button[type=submit]`))
	p.waitOutbox(`i.length === 1`)
	p.WaitFor(`document.querySelector("#outbox li.outbox-waiting") !== null`)
	p.Do(chromedp.Click(`form.sign-out button`))
	p.WaitFor(`document.querySelector(".signout-dialog") !== null`)
	if !strings.Contains(p.text(), "还有 1 条记录没有发出") {
		t.Fatalf("no question before signing out:\n%s", p.text())
	}
	p.Screenshot("signout-question")
	p.Axe()
	if path := Eval[string](p, `location.pathname`); path != "/shift" {
		t.Fatalf("signed out without asking: at %s", path)
	}
	p.Do(chromedp.Click(`.signout-dialog button:not(.primary)`))
	p.waitOutbox(`i.length === 0`)
	p.SetOffline(false)
	p.WaitFor(`location.pathname === "/" || location.pathname === "/login"`)
	time.Sleep(500 * time.Millisecond)
	left := Eval[string](p, `Promise.all([caches.keys(), indexedDB.databases ? indexedDB.databases() : []]).then(([c, d]) =>
		JSON.stringify({caches: c.filter(k => k.startsWith("policebooth-pages")), dbs: d.map(x => x.name)}))`)
	if left != `{"caches":[],"dbs":[]}` {
		t.Errorf("after signing out the browser still holds %s", left)
	}
	// And the discarded note never reached the server.
	var current struct{ Entries []struct{ Text string } }
	apiCall(t, srv.URL, "GET", "/api/v1/shifts/current", "13800000001", nil, &current)
	for _, e := range current.Entries {
		if e.Text == "未发出的备注" {
			t.Error("the discarded note was sent")
		}
	}
}

// TestOfflineCallOlderThanFifteenMinutesAsksFirst: a call for help made
// without a network shows the phone numbers at once, and one that waited
// over 15 minutes asks "do you still need help?" before it is sent.
func TestOfflineCallOlderThanFifteenMinutesAsksFirst(t *testing.T) {
	srv := startDemo(t, nil)
	p := NewBrowser(t).Page(t, Phone, "zh-CN")
	p.signIn(srv.URL, "13900000001")
	p.Open(srv.URL + "/help")
	p.waitForServiceWorker()
	p.Open(srv.URL + "/help")
	p.SetOffline(true)
	p.WaitFor(`!navigator.onLine`)
	p.WaitFor(`!document.getElementById("help-offline").hidden`)
	if Eval[int](p, `document.querySelectorAll('#help-offline a[href="tel:110"], #help-offline a[href^="tel:010"]').length`) != 2 {
		t.Errorf("the offline help box lacks the numbers to dial:\n%s", p.text())
	}
	Eval[bool](p, `(document.getElementById("help-button").scrollIntoView({block: "center"}), true)`)
	p.hold("#help-button", 2300*time.Millisecond)
	p.waitOutbox(`i.length === 1`)
	p.Screenshot("offline-call")
	p.Axe()
	// The call was written 16 minutes ago.
	Eval[bool](p, `new Promise(r => { const o = indexedDB.open("policebooth"); o.onsuccess = () => {
		const s = o.result.transaction("outbox", "readwrite").objectStore("outbox");
		s.getAll().onsuccess = e => { const it = e.target.result[0]; it.writtenAt = new Date(Date.now() - 16*60*1000).toISOString(); s.put(it).onsuccess = () => r(true); }; }; })`)
	p.SetOffline(false)
	p.WaitFor(`document.querySelector("#outbox li.outbox-ask") !== null`)
	if !strings.Contains(p.text(), "现在还需要帮助吗") {
		t.Fatalf("an old call does not ask first:\n%s", p.text())
	}
	var calls struct{ Items []struct{ ID string } }
	apiCall(t, srv.URL, "GET", "/api/v1/assistance-calls", "13900000001", nil, &calls)
	if len(calls.Items) != 0 {
		t.Fatalf("the old call was sent without asking")
	}
	p.Axe()
	p.Do(chromedp.Click(`#outbox li.outbox-ask button.primary`))
	p.waitOutbox(`i.length === 0`)
	apiCall(t, srv.URL, "GET", "/api/v1/assistance-calls", "13900000001", nil, &calls)
	if len(calls.Items) != 1 {
		t.Fatalf("after 'send it now' the server has %d calls, want 1", len(calls.Items))
	}
}

// TestARefusedOfflineWriteComesBack: a log entry written offline for a
// shift the head seals meanwhile is refused when it arrives; the officer
// sees it, with its text, instead of losing it silently.
func TestARefusedOfflineWriteComesBack(t *testing.T) {
	srv := startDemo(t, nil)
	p := NewBrowser(t).Page(t, Tablet, "zh-CN")
	p.signIn(srv.URL, "13800000001")
	p.Open(srv.URL + "/shift")
	p.waitForServiceWorker()
	p.Submit(`form[action="/shift/clock-in"] button[type=submit]`)
	p.SetOffline(true)
	p.WaitFor(`!navigator.onLine`)
	p.Do(chromedp.Click(chromedp.ID("kind-visitor")), chromedp.SendKeys(chromedp.ID("f-text"), "来访登记：王先生咨询户口"))
	p.Do(chromedp.Click(`form[data-outbox] button[type=submit]`))
	p.waitOutbox(`i.length === 1`)

	// Meanwhile the shift ends and the head seals it.
	var sh struct{ ID string }
	apiCall(t, srv.URL, "POST", "/api/v1/shifts/clock-out", "13800000001", map[string]string{"handover_note": "无"}, &sh)
	apiCall(t, srv.URL, "POST", "/api/v1/shifts/"+sh.ID+"/sign-off", "13800000000", map[string]string{}, nil)

	p.SetOffline(false)
	p.waitOutbox(`i.length === 1 && i[0].status === "refused"`)
	p.WaitFor(`document.querySelector("#outbox li.outbox-refused") !== null`)
	text := Eval[string](p, `document.getElementById("outbox").innerText`)
	for _, want := range []string{"没有被接受", "来访登记：王先生咨询户口", "封存"} {
		if !strings.Contains(text, want) {
			t.Errorf("the refused write lacks %q:\n%s", want, text)
		}
	}
	p.Screenshot("refused")
	p.Axe()
}
