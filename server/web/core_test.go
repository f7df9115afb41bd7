package web_test

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"policebooth/server/config"
	"policebooth/server/store/storetest"
	"policebooth/server/web"
)

func TestHealthAndReadiness(t *testing.T) {
	ts := newTestServer(t, nil)
	for _, path := range []string{"/healthz", "/readyz"} {
		resp, body := ts.do(t, "GET", path, "", nil)
		if resp.StatusCode != 200 || !strings.Contains(body, `"ok"`) {
			t.Errorf("GET %s = %d %s", path, resp.StatusCode, body)
		}
	}
}

func TestReadyzFollowsTheDatabase(t *testing.T) {
	cluster := storetest.NewCluster(t)
	st := storetest.OpenAt(t, cluster.URL, "")
	ts := newTestServerOn(t, st, nil)
	status := func() int {
		resp, _ := ts.do(t, "GET", "/readyz", "", nil)
		return resp.StatusCode
	}
	if got := status(); got != 200 {
		t.Fatalf("readyz with the database up: %d", got)
	}
	cluster.Stop()
	if got := status(); got != 503 {
		t.Fatalf("readyz with the database stopped: %d, want 503", got)
	}
	cluster.Start()
	// The pool reconnects on its own; give it a few tries, no restart.
	got := 0
	for range 50 {
		if got = status(); got == 200 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if got != 200 {
		t.Fatalf("readyz after the database returned: %d, want 200 without a restart", got)
	}
}

func TestCrossSiteWritesAreRefused(t *testing.T) {
	ts := newTestServer(t, nil)
	form := "application/x-www-form-urlencoded"
	cases := []struct {
		name   string
		path   string
		header map[string]string
		want   int
	}{
		{"cross-site browser POST", "/lang", map[string]string{"Sec-Fetch-Site": "cross-site", "Content-Type": form}, 403},
		{"foreign Origin", "/lang", map[string]string{"Origin": "https://evil.example", "Content-Type": form}, 403},
		{"cross-site API POST", "/api/v1/booths", map[string]string{"Sec-Fetch-Site": "cross-site"}, 403},
		{"same-origin browser POST", "/lang", map[string]string{"Sec-Fetch-Site": "same-origin", "Content-Type": form}, 303},
		{"client without browser headers", "/lang", map[string]string{"Content-Type": form}, 303},
	}
	client := ts.Client()
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	for _, c := range cases {
		req, _ := http.NewRequest("POST", ts.URL+c.path, strings.NewReader("lang=en&next=/"))
		for k, v := range c.header {
			req.Header.Set(k, v)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != c.want {
			t.Errorf("%s: %d, want %d", c.name, resp.StatusCode, c.want)
		}
		if c.want == 403 && len(resp.Cookies()) > 0 {
			t.Errorf("%s: a refused write still set %v", c.name, resp.Cookies())
		}
	}
}

func TestSecurityHeaders(t *testing.T) {
	ts := newTestServer(t, nil)
	resp, _ := ts.do(t, "GET", "/healthz", "", nil)
	h := resp.Header
	csp := h.Get("Content-Security-Policy")
	if !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") || !strings.Contains(csp, "default-src 'self'") {
		t.Errorf("CSP %q: want self only, nothing inline", csp)
	}
	if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Referrer-Policy") == "" {
		t.Errorf("headers %v", h)
	}
	if pp := h.Get("Permissions-Policy"); !strings.Contains(pp, "geolocation=(self)") || !strings.Contains(pp, "camera=(self)") {
		t.Errorf("Permissions-Policy %q", pp)
	}
	if h.Get("X-Request-Id") == "" {
		t.Error("no X-Request-Id")
	}
}

func TestAPIErrorsHaveOneShape(t *testing.T) {
	ts := newTestServer(t, nil)
	resp, body := ts.do(t, "GET", "/api/v1/no-such-thing", "", nil)
	if resp.StatusCode != 404 || apiErrorCode(t, body) != "not_found" {
		t.Errorf("unknown API route: %d %s", resp.StatusCode, body)
	}
	resp, body = ts.do(t, "GET", "/no-such-page", "", nil)
	if resp.StatusCode != 404 || strings.HasPrefix(body, "{") {
		t.Errorf("unknown page: %d %s, want an error page", resp.StatusCode, body)
	}
}

func TestBodyLimit(t *testing.T) {
	ts := newTestServer(t, nil)
	resp, body := ts.do(t, "POST", "/api/v1/booths", strings.Repeat("x", 2<<20), nil)
	if resp.StatusCode != 413 || apiErrorCode(t, body) != "too_large" {
		t.Errorf("2 MiB body: %d %s", resp.StatusCode, body)
	}
}

func TestBoothsList(t *testing.T) {
	ts := newTestServer(t, nil)
	resp, body := ts.do(t, "GET", "/api/v1/booths", "", nil)
	if resp.StatusCode != 200 || body != `{"items":[],"next_cursor":""}`+"\n" {
		t.Fatalf("empty booths: %d %q", resp.StatusCode, body)
	}
	ts.demo(t)
	_, body = ts.do(t, "GET", "/api/v1/booths", "", nil)
	var got struct {
		Items []struct {
			ID, Name, StationID string
			Lat, Lng            float64
		} `json:"items"`
	}
	if err := json.Unmarshal([]byte(body), &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Items) != 2 || got.Items[0].Name != "A" || got.Items[1].Name != "B" || got.Items[0].ID == "" || got.Items[0].Lat == 0 {
		t.Fatalf("demo booths: %s", body)
	}
}

func TestMetricsAreForLoopbackOrTheToken(t *testing.T) {
	ts := newTestServer(t, nil)
	ts.do(t, "GET", "/api/v1/booths", "", nil)
	resp, body := ts.do(t, "GET", "/metrics", "", nil)
	if resp.StatusCode != 200 {
		t.Fatalf("metrics from loopback: %d", resp.StatusCode)
	}
	for _, want := range []string{`policebooth_http_requests_total{method="GET",route="/api/v1/booths",status="200"} 1`, "go_goroutines", "process_resident_memory_bytes", `go_sql_max_open_connections{db_name="policebooth"}`} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %q in %.300s", want, body)
		}
	}

	// Behind a trusted proxy the client is the forwarded address, not loopback.
	proxied := newTestServer(t, map[string]string{"POLICEBOOTH_TRUSTED_PROXIES": "127.0.0.1/32", "POLICEBOOTH_METRICS_TOKEN": "s3cret-token"})
	far := map[string]string{"X-Forwarded-For": "203.0.113.9"}
	if resp, _ := proxied.do(t, "GET", "/metrics", "", far); resp.StatusCode != 403 {
		t.Errorf("metrics for a remote client without the token: %d, want 403", resp.StatusCode)
	}
	far["Authorization"] = "Bearer s3cret-token"
	if resp, _ := proxied.do(t, "GET", "/metrics", "", far); resp.StatusCode != 200 {
		t.Errorf("metrics with the token: %d, want 200", resp.StatusCode)
	}
}

func TestForwardedForIsIgnoredWithoutTrustedProxy(t *testing.T) {
	ts := newTestServer(t, nil)
	// A client claiming to be elsewhere is still loopback, so it gets metrics;
	// more to the point, its claim is not believed.
	resp, _ := ts.do(t, "GET", "/metrics", "", map[string]string{"X-Forwarded-For": "203.0.113.9"})
	if resp.StatusCode != 200 {
		t.Fatalf("X-Forwarded-For was believed without a trusted proxy: %d", resp.StatusCode)
	}
}

func TestGzipSkipsEventStreams(t *testing.T) {
	ts := newTestServer(t, nil)
	resp, _ := ts.do(t, "GET", "/api/v1/openapi.json", "", map[string]string{"Accept-Encoding": "gzip"})
	if resp.Header.Get("Content-Encoding") != "gzip" {
		t.Errorf("openapi.json not gzipped: %v", resp.Header)
	}
	resp, _ = ts.do(t, "GET", "/api/v1/openapi.json", "", map[string]string{"Accept-Encoding": "gzip", "Accept": "text/event-stream"})
	if resp.Header.Get("Content-Encoding") == "gzip" {
		t.Error("a text/event-stream request was gzipped")
	}
}

func TestServerStopsWhenItsContextEnds(t *testing.T) {
	cfg, err := config.LoadFrom(func(k string) string {
		if k == "POLICEBOOTH_DATA_DIR" {
			return t.TempDir()
		}
		return ""
	})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := web.New(cfg, storetest.Open(t).Services(), storetest.Logger(t))
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()
	resp, err := http.Get("http://" + ln.Addr().String() + "/healthz")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("healthz while serving: %v %v", resp, err)
	}
	resp.Body.Close()
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Serve after shutdown: %v, want nil", err)
	}
	if _, err := http.Get("http://" + ln.Addr().String() + "/healthz"); err == nil {
		t.Fatal("still answering after shutdown")
	}
}
