package web_test

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"
)

func TestHTMXGetsAFragmentAndABrowserTheWholePage(t *testing.T) {
	ts := newTestServer(t, nil)
	_, full := ts.do(t, "GET", "/offline", "", nil)
	if !strings.HasPrefix(full, "<!doctype html>") || !strings.Contains(full, `<main id="main"`) || !strings.Contains(full, "网络已断开") {
		t.Fatalf("plain request: %.200s", full)
	}
	resp, frag := ts.do(t, "GET", "/offline", "", map[string]string{"HX-Request": "true"})
	if strings.Contains(frag, "<html") || strings.Contains(frag, "<header") || !strings.Contains(frag, "网络已断开") {
		t.Fatalf("htmx request got %.200s, want the fragment alone", frag)
	}
	if !strings.Contains(strings.Join(resp.Header.Values("Vary"), ","), "HX-Request") {
		t.Errorf("Vary %v lacks HX-Request", resp.Header.Values("Vary"))
	}
	_, boosted := ts.do(t, "GET", "/offline", "", map[string]string{"HX-Request": "true", "HX-Boosted": "true"})
	if !strings.HasPrefix(boosted, "<!doctype html>") {
		t.Errorf("a boosted link wants the whole page")
	}
}

func TestLanguageFollowsChoiceThenHeaderThenChinese(t *testing.T) {
	ts := newTestServer(t, nil)
	cases := []struct {
		header map[string]string
		lang   string
		text   string
	}{
		{nil, "zh-CN", "网络已断开"},
		{map[string]string{"Accept-Language": "en-GB,en;q=0.9"}, "en", "You are offline"},
		{map[string]string{"Accept-Language": "fr"}, "zh-CN", "网络已断开"},
		{map[string]string{"Accept-Language": "en", "Cookie": "pb_lang=zh-CN"}, "zh-CN", "网络已断开"},
		{map[string]string{"Cookie": "pb_lang=en"}, "en", "You are offline"},
	}
	for _, c := range cases {
		resp, body := ts.do(t, "GET", "/offline", "", c.header)
		if !strings.Contains(body, `<html lang="`+c.lang+`"`) || !strings.Contains(body, c.text) || resp.Header.Get("Content-Language") != c.lang {
			t.Errorf("%v: want %s page, got %.120s", c.header, c.lang, body)
		}
	}
}

func TestLanguageSwitchRemembersAndStaysOnSite(t *testing.T) {
	ts := newTestServer(t, nil)
	client := ts.Client()
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	for next, want := range map[string]string{"/offline": "/offline", "https://evil.example/": "/", "//evil.example": "/", "/\\evil": "/"} {
		resp, err := client.PostForm(ts.URL+"/lang", map[string][]string{"lang": {"en"}, "next": {next}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != want {
			t.Errorf("next=%q: %d to %q, want 303 to %q", next, resp.StatusCode, resp.Header.Get("Location"), want)
		}
		ck := resp.Cookies()
		if len(ck) != 1 || ck[0].Name != "pb_lang" || ck[0].Value != "en" || !ck[0].HttpOnly || ck[0].SameSite != http.SameSiteLaxMode {
			t.Errorf("cookie %+v", ck)
		}
	}
	resp, body := ts.do(t, "POST", "/lang", "lang=xx", map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
	if resp.StatusCode != 400 || !strings.Contains(body, "<html") {
		t.Errorf("unknown language: %d", resp.StatusCode)
	}
}

func TestErrorPagesSpeakTheReadersLanguage(t *testing.T) {
	ts := newTestServer(t, nil)
	resp, body := ts.do(t, "GET", "/nowhere", "", map[string]string{"Accept-Language": "en"})
	if resp.StatusCode != 404 || !strings.Contains(body, "Page not found") || !strings.Contains(body, `lang="en"`) {
		t.Errorf("English 404: %d %.200s", resp.StatusCode, body)
	}
	_, body = ts.do(t, "GET", "/nowhere", "", nil)
	if !strings.Contains(body, "找不到这个页面") {
		t.Errorf("Chinese 404: %.200s", body)
	}
	resp, body = ts.do(t, "POST", "/lang", "", map[string]string{"Sec-Fetch-Site": "cross-site"})
	if resp.StatusCode != 403 || !strings.Contains(body, "无法完成这个操作") {
		t.Errorf("cross-site form post: %d %.200s", resp.StatusCode, body)
	}
}

var assetURL = regexp.MustCompile(`/assets/[a-z/._-]+\.[0-9a-f]{10}\.(css|js|png)`)

func TestHashedAssetsAreImmutable(t *testing.T) {
	ts := newTestServer(t, nil)
	_, page := ts.do(t, "GET", "/", "", nil)
	urls := assetURL.FindAllString(page, -1)
	if len(urls) < 4 {
		t.Fatalf("landing page links %v, want css, js, htmx and icons at hashed URLs", urls)
	}
	for _, u := range urls {
		resp, body := ts.do(t, "GET", u, "", nil)
		if resp.StatusCode != 200 || len(body) == 0 || resp.Header.Get("Cache-Control") != "public, max-age=31536000, immutable" {
			t.Errorf("%s: %d, Cache-Control %q", u, resp.StatusCode, resp.Header.Get("Cache-Control"))
		}
	}
	if resp, _ := ts.do(t, "GET", "/assets/css/app.0000000000.css", "", nil); resp.StatusCode != 404 {
		t.Errorf("a stale hash answered %d, want 404", resp.StatusCode)
	}
}

func TestManifestAndServiceWorker(t *testing.T) {
	ts := newTestServer(t, nil)
	resp, body := ts.do(t, "GET", "/manifest.webmanifest", "", nil)
	var m struct {
		Name, ShortName, Display, StartURL, ThemeColor string
		Icons                                          []struct{ Src, Sizes, Purpose string }
	}
	if err := json.Unmarshal([]byte(strings.NewReplacer(`"short_name"`, `"ShortName"`, `"start_url"`, `"StartURL"`, `"theme_color"`, `"ThemeColor"`).Replace(body)), &m); err != nil {
		t.Fatal(err)
	}
	if resp.Header.Get("Content-Type") != "application/manifest+json" || m.Name != "社区警务亭" || m.ShortName != "警务亭" ||
		m.Display != "standalone" || m.StartURL != "/" || m.ThemeColor == "" {
		t.Errorf("manifest: %s", body)
	}
	sizes := map[string]bool{}
	for _, i := range m.Icons {
		sizes[i.Sizes+" "+i.Purpose] = true
	}
	if !sizes["192x192 any"] || !sizes["512x512 any"] || !sizes["512x512 maskable"] {
		t.Errorf("icons %v", m.Icons)
	}
	resp, sw := ts.do(t, "GET", "/sw.js", "", nil)
	if !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/javascript") || resp.Header.Get("Cache-Control") != "no-cache" {
		t.Errorf("sw.js headers %v", resp.Header)
	}
	if !strings.Contains(sw, `"/offline"`) || !assetURL.MatchString(sw) || strings.Contains(sw, "{{") {
		t.Errorf("sw.js does not precache the shell: %.400s", sw)
	}
}
