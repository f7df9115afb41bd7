package browsertest

import (
	"encoding/json"
	"testing"
)

// elderSizes measures what MIIT's aging-friendly specification asks of the
// page: the smallest main text, the smallest main control (links and
// buttons in main) and the smallest line height relative to its text.
const elderSizes = `(() => {
  const main = document.querySelector("main");
  let text = 1e9, lineRatio = 1e9, control = {w: 1e9, h: 1e9, what: ""};
  main.querySelectorAll("p, li, dd, dt, label, h1, h2").forEach(el => {
    if (!el.offsetParent || el.closest(".visually-hidden")) return;
    const cs = getComputedStyle(el), fs = parseFloat(cs.fontSize);
    text = Math.min(text, fs);
    const lh = cs.lineHeight === "normal" ? 1.2 * fs : parseFloat(cs.lineHeight);
    lineRatio = Math.min(lineRatio, lh / fs);
  });
  main.querySelectorAll("a.button, button, .tile a, .elder-help, .emergency-call, input:not([type=hidden]):not([type=radio]):not([type=checkbox]), select, textarea").forEach(el => {
    if (!el.offsetParent) return;
    const r = el.getBoundingClientRect();
    if (Math.min(r.width, r.height) < Math.min(control.w, control.h)) control = {w: r.width, h: r.height, what: el.outerHTML.slice(0, 80)};
  });
  return JSON.stringify({text, lineRatio, control});
})()`

func TestElderModeIsOfferedAndMeetsTheSizes(t *testing.T) {
	srv := startDemo(t, nil)
	for _, lang := range []string{"zh-CN", "en"} {
		p := NewBrowser(t).Page(t, Phone, lang)
		p.signIn(srv.URL, map[string]string{"zh-CN": "13900000001", "en": "13900000002"}[lang])
		p.Open(srv.URL + "/")
		if Eval[int](p, `document.querySelectorAll(".elder-offer").length`) != 1 {
			t.Fatalf("%s: elder mode is not offered on the first visit:\n%s", lang, p.text())
		}
		p.Axe()
		p.Submit(`.elder-offer button[value="1"]`)
		if !Eval[bool](p, `document.body.classList.contains("elder")`) {
			t.Fatalf("%s: elder mode did not turn on", lang)
		}
		if Eval[int](p, `document.querySelectorAll(".elder-offer").length`) != 0 {
			t.Errorf("%s: the offer stays after choosing", lang)
		}
		if first := Eval[string](p, `document.querySelector("main a, main button").getAttribute("href") || ""`); first != "/help" {
			t.Errorf("%s: the first control is %q, want the help button", lang, first)
		}
		p.Screenshot("elder-home")
		p.Axe()
		for _, path := range []string{"/", "/help", "/requests/new", "/requests", "/safety-profile", "/safety-timer"} {
			p.Open(srv.URL + path)
			var m struct {
				Text      float64
				LineRatio float64
				Control   struct {
					W, H float64
					What string
				}
			}
			raw := Eval[string](p, elderSizes)
			if err := json.Unmarshal([]byte(raw), &m); err != nil {
				t.Fatal(err)
			}
			t.Logf("%s %s: smallest text %.1f px, line height %.2f, smallest control %.0f×%.0f", lang, path, m.Text, m.LineRatio, m.Control.W, m.Control.H)
			if m.Text < 18 {
				t.Errorf("%s %s: text of %.1f px, want at least 18", lang, path, m.Text)
			}
			if m.LineRatio < 1.3 {
				t.Errorf("%s %s: line height %.2f, want at least 1.3", lang, path, m.LineRatio)
			}
			if m.Control.W < 60 || m.Control.H < 60 {
				t.Errorf("%s %s: a control of %.0f×%.0f px, want at least 60×60: %s", lang, path, m.Control.W, m.Control.H, m.Control.What)
			}
			p.Axe()
		}
		// The choice is kept with the account, and can be undone.
		p.Open(srv.URL + "/")
		p.Submit(`.elder-switch button`)
		if Eval[bool](p, `document.body.classList.contains("elder")`) {
			t.Errorf("%s: elder mode did not turn off", lang)
		}
	}
}
