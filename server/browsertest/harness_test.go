package browsertest

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// TestAxeFindsViolations proves the accessibility check can fail: a page
// with an unlabelled field, an image without alt text and grey-on-white text
// must be reported.
func TestAxeFindsViolations(t *testing.T) {
	bad := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte(`<!doctype html><html><head><title>bad</title></head><body><main>
			<img src="/x.png"><input type="text"><p style="color:#ccc;background:#fff">faint</p></main></body></html>`))
	}))
	defer bad.Close()
	p := NewBrowser(t).Page(t, Phone, "en")
	p.Open(bad.URL)
	found := map[string]bool{}
	for _, v := range p.AxeViolations() {
		found[v.ID] = true
	}
	for _, want := range []string{"image-alt", "label", "color-contrast", "html-has-lang"} {
		if !found[want] {
			t.Errorf("axe did not report %s; found %v", want, found)
		}
	}
}
