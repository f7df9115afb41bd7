package browsertest

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestNoticesForResidentsOnAPhoneAndStaffOnTheTablet: in each language a
// head writes an anti-fraud notice on the tablet; a resident on a phone
// finds it unread at the top of the list, opens it, confirms "I have read
// this"; an urgent notice then arrives live on the resident's open page;
// the head sees the reach and withdraws a notice, which leaves the
// resident's list. axe-core checks every page.
func TestNoticesForResidentsOnAPhoneAndStaffOnTheTablet(t *testing.T) {
	srv := startDemo(t, nil)
	words := map[string]struct{ unread, ack, thanks, acked, urgent, reach, withdrawn, empty string }{
		"zh-CN": {"未读", "我已阅读", "谢谢您", "确认阅读", "紧急", "送达情况", "通告已撤回。", "目前没有需要您注意的通告。"},
		"en":    {"Unread", "I have read this", "Thank you", "You confirmed reading", "Urgent", "Reach", "The notice was withdrawn.", "No notices need your attention right now."},
	}
	for i, lang := range []string{"zh-CN", "en"} {
		w := words[lang]
		resident := NewBrowser(t).Page(t, Phone, lang)
		residentPhone := []string{"13900000001", "13900000002"}[i]
		resident.signIn(srv.URL, residentPhone)
		resident.speak(lang)
		if i == 0 {
			resident.Open(srv.URL + "/notices")
			if !strings.Contains(resident.text(), w.empty) {
				t.Fatalf("the empty list does not say so:\n%s", resident.text())
			}
			resident.Axe()
		}

		head := NewBrowser(t).Page(t, Tablet, lang)
		head.signIn(srv.URL, "13800000000")
		head.speak(lang)
		head.Open(srv.URL + "/")
		head.Submit(`a[href="/notices"]`)
		head.Submit(`a[href="/notices/new"]`)
		head.Axe()
		// A mistake first: no text. The form says so and keeps the title.
		title := map[string]string{"zh-CN": "警惕冒充客服退款诈骗", "en": "Beware of fake refund calls"}[lang]
		head.fill(map[string]string{"f-title": title}, `main form button[type=submit]`)
		if got := Eval[string](head, `document.getElementById("f-title").value`); got != title {
			t.Fatalf("the title was lost after an error: %q", got)
		}
		if !Eval[bool](head, `!!document.querySelector(".form-error") && !!document.getElementById("f-body-error")`) {
			t.Fatalf("no error by the text field:\n%s", head.text())
		}
		head.Axe()
		head.Do(chromedp.SendKeys(chromedp.ID("f-body"), map[string]string{"zh-CN": "自称客服说要给您退款、让您提供验证码的，都是诈骗。", "en": "Nobody refunds you by asking for a code."}[lang]),
			chromedp.SetValue(chromedp.ID("f-severity"), "severe"), chromedp.SetValue(chromedp.ID("f-language"), lang))
		head.Submit(`main form button[type=submit]`)
		if !strings.Contains(head.text(), title) || !strings.Contains(head.text(), w.reach) {
			t.Fatalf("after publishing the head does not see the notice with its reach:\n%s", head.text())
		}
		head.Screenshot("notice-staff")
		head.Axe()

		// The resident finds it unread, most severe first, in its language.
		resident.Open(srv.URL + "/")
		resident.Submit(`a[href="/notices"]`)
		if !strings.Contains(resident.text(), w.unread) || !strings.Contains(resident.text(), title) {
			t.Fatalf("the list lacks the unread notice:\n%s", resident.text())
		}
		if got := Eval[string](resident, `document.querySelector(".notice-row .notice-title").getAttribute("lang")`); got != lang {
			t.Errorf("the notice's title is marked lang=%q, want %q", got, lang)
		}
		resident.Screenshot("notices")
		resident.Axe()
		// The phone can ask for push; whatever the browser says, the page
		// tells the resident.
		resident.Do(chromedp.Click(chromedp.CSS("[data-push-subscribe]")))
		resident.WaitFor(`document.getElementById("push-status").textContent.trim() !== ""`)
		resident.Submit(`.notice-row a`)
		resident.Axe()
		resident.Submit(`main form button[type=submit]`)
		if text := resident.text(); !strings.Contains(text, w.thanks) || !strings.Contains(text, w.acked) {
			t.Fatalf("after acknowledging:\n%s", text)
		}
		resident.Screenshot("acknowledged")
		resident.Axe()
		resident.Submit(`main a[href="/notices"]`)
		if Eval[bool](resident, `[...document.querySelectorAll(".notice-row")].some(r => r.textContent.includes(`+jsString(title)+`) && r.querySelector(".tag-unread"))`) {
			t.Fatalf("the opened notice is still unread:\n%s", resident.text())
		}

		// An urgent notice reaches the open page live: the banner and the list.
		var urgent struct{ ID string }
		urgentTitle := map[string]string{"zh-CN": "紧急：暴雨，请勿前往河边", "en": "Urgent: flash floods, keep away from the river"}[lang]
		apiCall(t, srv.URL, "POST", "/api/v1/notices", "13800000001", map[string]any{"title": urgentTitle, "body": "……",
			"kind": "safety", "severity": "extreme", "urgent": true, "language": lang}, &urgent)
		resident.WaitFor(`[...document.querySelectorAll("#live-urgent a")].some(a => a.textContent.includes(` + jsString(urgentTitle) + `))`)
		resident.WaitFor(`document.querySelector(".notice-row .notice-title").textContent.includes(` + jsString(urgentTitle) + `)`)
		resident.Screenshot("urgent-live")
		resident.Axe()

		// The head sees the reach and withdraws the urgent notice; it leaves
		// the resident's page without a reload.
		head.Open(srv.URL + "/notices/" + urgent.ID)
		head.fill(map[string]string{"f-reason": map[string]string{"zh-CN": "雨已停", "en": "The rain stopped"}[lang]}, `form[action$="/withdraw"] button[type=submit]`)
		if !strings.Contains(head.text(), w.withdrawn) {
			t.Fatalf("after withdrawing:\n%s", head.text())
		}
		head.Screenshot("notices-staff")
		head.Axe()
		resident.WaitFor(`![...document.querySelectorAll(".notice-title")].some(e => e.textContent.includes(` + jsString(urgentTitle) + `))`)
		resident.WaitFor(`document.querySelectorAll("#live-urgent a").length === 0`)
	}
}

// speak switches the signed-in user's language to the page's, with the
// header's switch, when the account was saved with the other one.
func (p *Page) speak(lang string) {
	p.t.Helper()
	if Eval[string](p, `document.documentElement.lang`) != lang {
		p.Submit(".lang-switch button")
	}
	if got := Eval[string](p, `document.documentElement.lang`); got != lang {
		p.t.Fatalf("the page speaks %s, want %s", got, lang)
	}
}

// jsString quotes s for JavaScript.
func jsString(s string) string {
	return "`" + strings.NewReplacer("`", "\\`", "$", "\\$", `\`, `\\`).Replace(s) + "`"
}
