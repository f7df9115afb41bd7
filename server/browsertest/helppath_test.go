package browsertest

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"policebooth/server/app"
)

// residentOf is the demo resident who reads each language in these tests.
var residentOf = map[string]string{"zh-CN": "13900000001", "en": "13900000002"}

func userByPhone(t *testing.T, srv *Server, phone string) *app.User {
	t.Helper()
	u, err := srv.Store.FindUserByPhone(context.Background(), phone)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// helpButtonOnFirstScreen fails unless the hold button's whole box is
// inside the first screen of the page as opened.
func (p *Page) helpButtonOnFirstScreen(what string) {
	p.t.Helper()
	type box struct{ Top, Bottom, Left, Right, W, H float64 }
	b := Eval[box](p, `(() => { window.scrollTo(0, 0); const r = document.getElementById("help-button").getBoundingClientRect();
		return {Top: r.top, Bottom: r.bottom, Left: r.left, Right: r.right, W: innerWidth, H: innerHeight}; })()`)
	if b.Top < 0 || b.Left < 0 || b.Bottom > b.H || b.Right > b.W || b.H > float64(p.Size.Height) {
		p.t.Errorf("%s (%s): the help button's box %+v is not inside the first %dx%d screen", what, p.Lang, b, p.Size.Width, p.Size.Height)
	}
}

// TestSixthCallGoesThroughAndTheButtonIsOnTheFirstScreen: in each language
// on a phone, the hold button is inside the first screen in normal and
// elder mode; a resident who already called five times this hour holds it
// again, the call goes through and the officer's board marks it repeated.
func TestSixthCallGoesThroughAndTheButtonIsOnTheFirstScreen(t *testing.T) {
	srv := startDemo(t, nil)
	ctx := context.Background()
	words := map[string]struct{ repeated, sent string }{
		"zh-CN": {"重复求助：本小时第 6 次", "求助已发出"},
		"en":    {"Repeated call: 6 this hour", "Call sent"},
	}
	for _, lang := range []string{"zh-CN", "en"} {
		w := words[lang]
		officer := NewBrowser(t).Page(t, Tablet, lang)
		officer.signIn(srv.URL, "13800000001")
		officer.speak(lang)
		officer.Open(srv.URL + "/board")

		resident := NewBrowser(t).Page(t, Phone, lang)
		resident.signIn(srv.URL, residentOf[lang])
		resident.speak(lang)
		resident.Open(srv.URL + "/help")
		resident.helpButtonOnFirstScreen("normal mode")
		resident.Screenshot("help-first-screen")

		resident.Open(srv.URL + "/")
		resident.Submit(`.elder-switch button[value="1"]`)
		if !Eval[bool](resident, `document.body.classList.contains("elder")`) {
			t.Fatalf("%s: elder mode did not turn on", lang)
		}
		if !Eval[bool](resident, `!!document.querySelector('.elder-tiles a[href="/notices"]')`) {
			t.Errorf("%s: elder mode has no notices entry:\n%s", lang, resident.text())
		}
		resident.Submit(`a.elder-help`)
		resident.helpButtonOnFirstScreen("elder mode")
		resident.Screenshot("help-first-screen-elder")
		resident.Axe()

		// Five calls earlier this hour, each cancelled.
		caller := userByPhone(t, srv, residentOf[lang])
		for i := range 5 {
			c, err := srv.Store.CreateCall(ctx, app.NewCall{CallerID: caller.ID, Category: "other"}, time.Now())
			if err != nil {
				t.Fatalf("earlier call %d: %v", i+1, err)
			}
			if _, err := srv.Store.MoveCall(ctx, c.ID, app.CallScope{CallerID: caller.ID}, caller.ID, app.CallCancelled, "", time.Now()); err != nil {
				t.Fatal(err)
			}
		}
		resident.Open(srv.URL + "/help")
		resident.hold("#help-button", 2300*time.Millisecond)
		resident.WaitFor(`location.pathname.startsWith("/calls/")`)
		resident.WaitFor(`document.body.innerText.includes(` + jsString(w.sent) + `)`)
		officer.WaitFor(`document.body.innerText.includes(` + jsString(w.repeated) + `)`)
		officer.Screenshot("board-repeated")
		officer.Axe()

		// The call ends so the other language starts clean.
		resident.Submit(`form[action$="/move"] button[type=submit]`)
		resident.WaitFor(`document.querySelector(".confirm-step") !== null`)
		resident.Submit(`.confirm-step button[name="confirm"][value="1"]`)
		resident.WaitFor(`document.querySelector("[data-call-open]").getAttribute("data-call-open") === "false"`)
		// (Each language is a different resident: elder mode stays on for this one.)
	}
}

// TestRefusedCancelSpeaksThePagesLanguage: a request moves on while its
// page is open; the page stops offering to cancel, and a cancel sent from
// a stale copy is refused in the page's language.
func TestRefusedCancelSpeaksThePagesLanguage(t *testing.T) {
	srv := startDemo(t, nil)
	ctx := context.Background()
	officer := userByPhone(t, srv, "13800000001")
	want := map[string]string{"zh-CN": "这项申请已在办理或已结束，不能再取消。", "en": "This request is already being handled or has ended; it can no longer be cancelled."}
	for _, lang := range []string{"zh-CN", "en"} {
		resident := NewBrowser(t).Page(t, Phone, lang)
		resident.signIn(srv.URL, residentOf[lang])
		resident.speak(lang)
		r, err := srv.Store.CreateRequest(ctx, app.NewRequest{ResidentID: userByPhone(t, srv, residentOf[lang]).ID, Services: []string{"other"},
			Fields: map[string]map[string]string{"other": {"subject": "问一下户口迁移要带什么"}}})
		if err != nil {
			t.Fatal(err)
		}
		id := strconv.FormatInt(r.ID, 10)
		resident.Open(srv.URL + "/requests/" + id)
		if !Eval[bool](resident, `!!document.querySelector('#live-cancel form')`) {
			t.Fatalf("%s: a submitted request offers no cancel:\n%s", lang, resident.text())
		}
		for _, to := range []app.RequestStatus{app.RequestAccepted, app.RequestInProgress, app.RequestCompleted} {
			if _, err := srv.Store.MoveRequest(ctx, r.ID, app.RequestFilter{StationID: *officer.StationID}, app.RequestMove{ActorID: officer.ID, To: to}); err != nil {
				t.Fatal(err)
			}
		}
		resident.WaitFor(`!document.querySelector('#live-cancel form') && !document.querySelector('#live-attach form')`)
		// A cancel from a copy of the page opened before, sent now.
		Eval[bool](resident, `(() => { const f = document.createElement("form"); f.method = "post"; f.action = "/requests/`+id+`/move";
			const i = document.createElement("input"); i.name = "to"; i.value = "cancelled"; f.appendChild(i); document.body.appendChild(f); setTimeout(() => f.submit(), 0); return true; })()`)
		resident.WaitFor(`document.querySelector(".form-error") !== null`)
		text := resident.text()
		if !strings.Contains(text, want[lang]) {
			t.Errorf("%s: the refused cancel says:\n%s", lang, text)
		}
		if lang == "zh-CN" && (strings.Contains(text, "completed") || strings.Contains(text, "cancel")) {
			t.Errorf("English inside the Chinese page:\n%s", text)
		}
		resident.Screenshot("refused-cancel")
		resident.Axe()
	}
}

// TestUrgentNoticeWhileAwayIsABannerOnTheNextPage: an urgent notice
// published while the resident's app was closed is in the HTML of the next
// page she opens, until she reads it.
func TestUrgentNoticeWhileAwayIsABannerOnTheNextPage(t *testing.T) {
	srv := startDemo(t, nil)
	ctx := context.Background()
	head := userByPhone(t, srv, "13800000000")
	for _, lang := range []string{"zh-CN", "en"} {
		resident := NewBrowser(t).Page(t, Phone, lang)
		resident.signIn(srv.URL, residentOf[lang])
		resident.speak(lang)
		resident.Do(chromedp.Navigate("about:blank")) // the app is closed

		title := map[string]string{"zh-CN": "暴雨预警：请勿前往河道", "en": "Storm warning: keep away from the river"}[lang]
		body, kind, severity, urgent := "今晚有暴雨。", app.NoticeKind("safety"), app.NoticeSeverity("severe"), true
		if _, err := srv.Store.CreateNotice(ctx, app.Actor{ID: head.ID}, app.NoticeDraft{Title: &title, Body: &body, Kind: &kind, Severity: &severity, Urgent: &urgent, Language: &lang}, time.Now()); err != nil {
			t.Fatal(err)
		}
		resident.Open(srv.URL + "/requests")
		if !Eval[bool](resident, `[...document.querySelectorAll(".urgent-notice a")].some(a => a.textContent.includes(`+jsString(title)+`))`) {
			t.Fatalf("%s: no banner for the urgent notice:\n%s", lang, resident.text())
		}
		served := Eval[string](resident, `fetch("/requests", {credentials: "same-origin"}).then(r => r.text())`)
		if !strings.Contains(served, title) {
			t.Errorf("%s: the banner is not in the page's HTML as served", lang)
		}
		resident.Screenshot("urgent-banner")
		resident.Axe()
		resident.Submit(`.urgent-notice a[href="` + Eval[string](resident, `[...document.querySelectorAll(".urgent-notice a")].find(a => a.textContent.includes(`+jsString(title)+`)).getAttribute("href")`) + `"]`)
		resident.Open(srv.URL + "/requests")
		if Eval[bool](resident, `[...document.querySelectorAll(".urgent-notice a")].some(a => a.textContent.includes(`+jsString(title)+`))`) {
			t.Errorf("%s: the banner stays after reading the notice", lang)
		}
	}
}

// TestSignUpWithoutAcceptingThePolicyIsRefused: the sign-up form links the
// privacy policy and user agreement and refuses an account until they are
// accepted.
func TestSignUpWithoutAcceptingThePolicyIsRefused(t *testing.T) {
	srv := startDemo(t, nil)
	want := map[string]string{"zh-CN": "请先阅读并勾选同意隐私政策和用户协议。", "en": "Please read and tick to accept the privacy policy and user agreement."}
	for i, lang := range []string{"zh-CN", "en"} {
		p := NewBrowser(t).Page(t, Phone, lang)
		p.Open(srv.URL + "/register")
		if !Eval[bool](p, `!!document.querySelector('#f-privacy') && !!document.querySelector('form a[href="/privacy"]') && !!document.querySelector('form a[href="/terms"]')`) {
			t.Fatalf("%s: the sign-up form does not offer the policy", lang)
		}
		phone := []string{"13712345670", "13712345671"}[i]
		p.fill(map[string]string{"f-phone": phone, "f-name": "王芳", "f-password": "peony-garden-8"}, "main form button[type=submit]")
		if !strings.Contains(p.text(), want[lang]) || Eval[string](p, `document.getElementById("f-privacy").getAttribute("aria-invalid")`) != "true" {
			t.Fatalf("%s: sign-up without the policy:\n%s", lang, p.text())
		}
		if u, err := srv.Store.FindUserByPhone(context.Background(), phone); err == nil {
			t.Fatalf("%s: an account was made without the policy: %+v", lang, u)
		}
		p.Axe()
		p.Do(chromedp.Click(chromedp.ID("f-privacy")))
		p.fill(map[string]string{"f-password": "peony-garden-8"}, "main form button[type=submit]")
		if got := Eval[string](p, `location.pathname`); got != "/verify" {
			t.Fatalf("%s: after accepting, sign-up went to %s:\n%s", lang, got, p.text())
		}
		u := userByPhone(t, srv, phone)
		if u.PrivacyVersion != app.PrivacyVersion || u.PrivacyAcceptedAt == nil {
			t.Errorf("%s: the accepted version is not recorded: %q", lang, u.PrivacyVersion)
		}
		p.Open(srv.URL + "/privacy")
		p.Axe()
		p.Open(srv.URL + "/terms")
		p.Axe()
	}
}

// TestTabletKeepsSoundingAcrossPages: the officer unlocks the sound once,
// moves board → call → queue → board, and the next call still sounds:
// the audio plays are counted in the one page that lives through the
// moves (a page load would lose the count and the unlocked sound).
func TestTabletKeepsSoundingAcrossPages(t *testing.T) {
	srv := startDemo(t, nil)
	ctx := context.Background()
	for _, lang := range []string{"zh-CN", "en"} {
		officer := NewBrowser(t).Page(t, Phone, lang)
		officer.signIn(srv.URL, "13800000001")
		officer.speak(lang)
		officer.Open(srv.URL + "/queue")
		if !Eval[bool](officer, `!!document.querySelector("#sound-banner #alert-unlock:not([hidden])")`) {
			t.Fatalf("%s: no sound banner on the queue before the sound is on", lang)
		}
		officer.Open(srv.URL + "/board")
		officer.Do(chromedp.Click(chromedp.ID("alert-unlock")))
		officer.WaitFor(`document.getElementById("alert-unlock").hidden`)
		Eval[bool](officer, `(() => { window.__plays = 0; const start = OscillatorNode.prototype.start;
			OscillatorNode.prototype.start = function (...a) { window.__plays++; return start.apply(this, a); }; return true; })()`)

		caller := userByPhone(t, srv, residentOf[lang])
		first, err := srv.Store.CreateCall(ctx, app.NewCall{CallerID: caller.ID, Category: "crime"}, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		officer.WaitFor(`window.__plays > 0`)
		officer.Submit(`.call-row button[value="acknowledged"]`)
		officer.WaitFor(`location.pathname === "/calls/` + strconv.FormatInt(first.ID, 10) + `"`)
		officer.Submit(`a.brand`)
		officer.Submit(`main a[href="/queue"]`)
		officer.WaitFor(`location.pathname === "/queue"`)
		officer.Submit(`a.brand`)
		officer.Submit(`main a[href="/board"]`)
		officer.WaitFor(`location.pathname === "/board"`)
		if Eval[string](officer, `String(window.__plays)`) == "undefined" {
			t.Fatalf("%s: the page was loaded again on the way; the sound is lost", lang)
		}
		Eval[bool](officer, `(window.__plays = 0, true)`)

		other := userByPhone(t, srv, residentOf[map[string]string{"zh-CN": "en", "en": "zh-CN"}[lang]])
		next, err := srv.Store.CreateCall(ctx, app.NewCall{CallerID: other.ID, Category: "medical"}, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		officer.WaitFor(`window.__plays > 0`)
		officer.Screenshot("board-still-sounds")
		officer.Axe()
		// Both calls end so the other language starts clean.
		if _, err := srv.Store.MoveCall(ctx, first.ID, app.CallScope{StationID: first.StationID}, userByPhone(t, srv, "13800000001").ID, app.CallResolved, "", time.Now()); err != nil {
			t.Fatal(err)
		}
		if _, err := srv.Store.MoveCall(ctx, next.ID, app.CallScope{CallerID: other.ID}, other.ID, app.CallCancelled, "", time.Now()); err != nil {
			t.Fatal(err)
		}
	}
}
