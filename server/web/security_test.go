package web_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"

	"policebooth/server/config"
	"policebooth/server/store"
	"policebooth/server/store/storetest"
	"policebooth/server/web"
)

// Every write a browser could be tricked into sending from another site,
// on every registered route, with the caller's session cookie: refused
// with 403 before anything changes, sign-in included.
func TestCrossSiteWritesOnEveryRouteAreRefused(t *testing.T) {
	w := newMatrixWorld(t)
	ts := w.ts
	cells := slices.Concat(matrixOthers, matrixQueue, matrix)
	forged := []map[string]string{
		{"Sec-Fetch-Site": "cross-site"},
		{"Sec-Fetch-Site": "same-site"}, // a sibling subdomain is another site for us
		{"Origin": "https://evil.example"},
		{"Origin": "null"},
	}
	routes := 0
	before := w.snapshot(t)
	for _, route := range ts.routes {
		method, pattern, _ := strings.Cut(route, " ")
		if method == http.MethodGet || method == http.MethodHead {
			continue
		}
		routes++
		cell, who, ok := usableCell(cells, route)
		if !ok {
			t.Errorf("%s is not in the matrix", route)
			continue
		}
		path := cell.path
		if path == "" {
			path = pattern
		}
		path = w.placeholders.Replace(path)
		body := w.placeholders.Replace(strings.ReplaceAll(strings.ReplaceAll(cell.body, "%05d", "66666"), "%04d", "6666"))
		if route == "POST /login" || route == "POST /api/v1/auth/login" {
			body = "phone=13900000001&password=" + store.DemoPassword // would succeed from this site
			if strings.HasPrefix(pattern, "/api/") {
				body = `{"phone":"13900000001","password":"` + store.DemoPassword + `"}`
			}
		}
		for _, h := range forged {
			header := map[string]string{}
			for k, v := range h {
				header[k] = v
			}
			if w.tokens[who] != "" {
				header["Cookie"] = "pb_access=" + w.tokens[who]
			}
			if !strings.HasPrefix(pattern, "/api/") && body != "" {
				header["Content-Type"] = "application/x-www-form-urlencoded"
			}
			resp, text := ts.doNoRedirect(t, method, path, body, header)
			if resp.StatusCode != http.StatusForbidden {
				t.Errorf("%s as %s with %v: %d, want 403 (%.100s)", route, who, h, resp.StatusCode, text)
			}
			if len(resp.Cookies()) > 0 {
				t.Errorf("%s with %v: a refused write set cookies %v", route, h, resp.Cookies())
			}
		}
	}
	w.unchanged(t, "cross-site writes", before)
	t.Logf("cross-site writes: %d routes × %d forgeries", routes, len(forged))
}

// /metrics answers loopback, or anyone with the metrics token; the peer's
// address decides, not what the client claims.
func TestMetricsAreClosedToOtherAddresses(t *testing.T) {
	handler := func(env map[string]string) http.Handler {
		cfg, err := config.LoadFrom(func(k string) string {
			if k == "POLICEBOOTH_DATA_DIR" {
				return t.TempDir()
			}
			return env[k]
		})
		if err != nil {
			t.Fatal(err)
		}
		srv, err := web.New(cfg, storetest.Open(t).Services(), storetest.Logger(t))
		if err != nil {
			t.Fatal(err)
		}
		return srv.Handler()
	}
	status := func(h http.Handler, remote string, header map[string]string) int {
		req := httptest.NewRequest("GET", "/metrics", nil)
		req.RemoteAddr = remote
		for k, v := range header {
			req.Header.Set(k, v)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec.Code
	}
	open := handler(nil)
	withToken := handler(map[string]string{"POLICEBOOTH_METRICS_TOKEN": "metrics-s3cret-token"})
	cases := []struct {
		name   string
		h      http.Handler
		remote string
		header map[string]string
		want   int
	}{
		{"loopback", open, "127.0.0.1:5000", nil, 200},
		{"loopback IPv6", open, "[::1]:5000", nil, 200},
		{"another address", open, "203.0.113.9:5000", nil, 403},
		{"a private address", open, "10.1.2.3:5000", nil, 403},
		{"another address claiming loopback", open, "203.0.113.9:5000", map[string]string{"X-Forwarded-For": "127.0.0.1", "X-Real-Ip": "127.0.0.1"}, 403},
		{"another address, no token configured, any bearer", open, "203.0.113.9:5000", map[string]string{"Authorization": "Bearer "}, 403},
		{"another address with the token", withToken, "203.0.113.9:5000", map[string]string{"Authorization": "Bearer metrics-s3cret-token"}, 200},
		{"another address with a wrong token", withToken, "203.0.113.9:5000", map[string]string{"Authorization": "Bearer metrics-s3cret-tokeN"}, 403},
		{"another address with the token unprefixed", withToken, "203.0.113.9:5000", map[string]string{"Authorization": "metrics-s3cret-token"}, 403},
	}
	for _, c := range cases {
		if got := status(c.h, c.remote, c.header); got != c.want {
			t.Errorf("%s: %d, want %d", c.name, got, c.want)
		}
	}
}

// Behind TLS every cookie is also Secure, and browsers are told to stay on
// https; each page type carries the same headers.
func TestCookiesAreSecureBehindTLS(t *testing.T) {
	ts := newTestServer(t, map[string]string{"POLICEBOOTH_BASE_URL": "https://booth.example"})
	ts.demo(t)
	form := url.Values{"phone": {"13900000001"}, "password": {store.DemoPassword}}.Encode()
	resp, _ := ts.doNoRedirect(t, "POST", "/login", form, map[string]string{"Content-Type": "application/x-www-form-urlencoded", "Origin": "https://booth.example"})
	if resp.StatusCode != http.StatusSeeOther || len(resp.Cookies()) < 2 {
		t.Fatalf("sign-in: %d, cookies %v", resp.StatusCode, resp.Cookies())
	}
	checkHardening(t, "sign-in behind TLS", resp, true)
	var session []string
	for _, c := range resp.Cookies() {
		session = append(session, c.Name+"="+c.Value)
	}
	cookie := map[string]string{"Cookie": strings.Join(session, "; ")}
	for _, path := range []string{"/", "/requests", "/help", "/login", "/offline", "/no-such-page", "/api/v1/me", "/api/v1/no-such", "/manifest.webmanifest", "/sw.js", "/healthz"} {
		resp, _ := ts.doNoRedirect(t, "GET", path, "", cookie)
		checkHardening(t, path+" behind TLS", resp, true)
		if resp.Header.Get("Strict-Transport-Security") == "" {
			t.Errorf("%s: no Strict-Transport-Security behind TLS", path)
		}
	}
	resp, _ = ts.doNoRedirect(t, "POST", "/lang", "lang=en&next=/", map[string]string{"Content-Type": "application/x-www-form-urlencoded", "Sec-Fetch-Site": "same-origin"})
	checkHardening(t, "language switch behind TLS", resp, true)
}
