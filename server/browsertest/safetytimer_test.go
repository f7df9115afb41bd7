package browsertest

import (
	"testing"
)

// A resident starts a safety timer on the phone, sees the countdown and
// the big "I'm safe" button, and checks in; in both languages.
func TestSafetyTimerCountsDownAndChecksIn(t *testing.T) {
	srv := startDemo(t, nil)
	for lang, phone := range map[string]string{"zh-CN": "13900000001", "en": "13900000002"} {
		p := NewBrowser(t).Page(t, Phone, lang)
		p.signIn(srv.URL, phone)
		if lang == "en" {
			p.Submit(".lang-switch button")
		}
		p.Open(srv.URL + "/safety-timer")
		p.Axe()
		p.Submit(`#timer-form button[type=submit]`)
		p.WaitFor(`document.getElementById("safe-button") !== null`)
		// The countdown runs: under 15 minutes left, in m:ss.
		p.WaitFor(`/\d+:\d\d$/.test(document.getElementById("timer-left").textContent.trim())`)
		if left := Eval[string](p, `document.getElementById("timer-left").textContent`); left == "" {
			t.Fatalf("%s: no countdown", lang)
		}
		p.Screenshot("safety-timer")
		p.Axe()
		p.Submit(`#safe-button`)
		p.WaitFor(`document.getElementById("timer-form") !== null && document.querySelector(".flash") !== null`)
		p.Axe()
	}
}
