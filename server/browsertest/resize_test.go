package browsertest

import "testing"

// TestTextAt200PercentLosesNothing doubles the text size on every role's
// main pages (WCAG 1.4.4) and checks nothing spills sideways out of the
// screen, and that reduced motion is respected.
func TestTextAt200PercentLosesNothing(t *testing.T) {
	srv := startDemo(t, nil)
	for _, tc := range []struct {
		phone string
		size  Size
		paths []string
	}{
		{"13900000001", Phone, []string{"/", "/help", "/requests", "/requests/new", "/notices", "/photos", "/account/data", "/care", "/fraud", "/fraud/check"}},
		{"13800000001", Tablet, []string{"/", "/shift", "/queue", "/board", "/notices", "/fraud"}},
		{"13800000000", Tablet, []string{"/", "/shifts", "/staff", "/catalogue", "/retention"}},
	} {
		p := NewBrowser(t).Page(t, tc.size, "zh-CN")
		p.signIn(srv.URL, tc.phone)
		for _, path := range tc.paths {
			p.Open(srv.URL + path)
			Eval[bool](p, `(document.documentElement.style.fontSize = "225%", true)`) // 18 px × 2 = 36 px text
			if fs := Eval[float64](p, `parseFloat(getComputedStyle(document.querySelector("main h1")).fontSize)`); fs < 50 {
				t.Fatalf("%s: the text did not grow (h1 %.0f px)", path, fs)
			}
			over := Eval[string](p, `(() => {
  const w = document.documentElement.clientWidth;
  if (document.documentElement.scrollWidth > w + 1) {
    const wide = [...document.body.querySelectorAll("*")].filter(el => el.getBoundingClientRect().right > w + 1 && !el.closest(".visually-hidden"));
    return "the page scrolls sideways: " + (wide.length ? wide[wide.length - 1].outerHTML.slice(0, 100) : "");
  }
  const bad = [...document.querySelectorAll("main *")].filter(el =>
    el.clientWidth > 0 && el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflowX === "visible" && !el.closest(".visually-hidden, svg, table"));
  return bad.length ? bad[0].outerHTML.slice(0, 120) : "";
})()`)
			if over != "" {
				t.Errorf("%s at 200%% text: content leaves the screen: %s", path, over)
			}
		}
	}
}
