package web_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"policebooth/server/app"
	"policebooth/server/config"
	"policebooth/server/jobs"
	"policebooth/server/store"
	"policebooth/server/store/storetest"
	"policebooth/server/web"
)

// testServer is the whole router on a fresh database, under httptest.
type testServer struct {
	*httptest.Server
	store  *store.Store
	srv    *web.Server
	routes []string
}

func newTestServer(t *testing.T, env map[string]string) *testServer {
	t.Helper()
	return newTestServerOn(t, storetest.Open(t), env)
}

func newTestServerOn(t *testing.T, st *store.Store, env map[string]string) *testServer {
	t.Helper()
	cfg, err := config.LoadFrom(func(k string) string {
		if k == "POLICEBOOTH_DATA_DIR" && env[k] == "" {
			return t.TempDir()
		}
		// Tests file many requests as one resident; the quota has its own
		// test (TestOpenRequestsPerResidentAreBounded).
		if k == "POLICEBOOTH_MAX_OPEN_REQUESTS" && env[k] == "" {
			return "1000"
		}
		return env[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := web.New(cfg, st.Services(), storetest.Logger(t))
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	// Registered after Close, so it runs first: the hub stops and closes
	// every event stream, and Close does not wait for them.
	ctx, cancel := context.WithCancel(context.Background())
	srv.Start(ctx)
	stopped, err := jobs.Start(ctx, cfg, st, srv, jobs.NewDelivery(ctx, cfg, st, nil, storetest.Logger(t)), st.Now, storetest.Logger(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); <-stopped })
	return &testServer{Server: ts, store: st, srv: srv, routes: srv.Routes()}
}

func (ts *testServer) demo(t *testing.T) {
	t.Helper()
	if err := ts.store.LoadDemo(context.Background(), storetest.Logger(t)); err != nil {
		t.Fatal(err)
	}
}

// user is the account of a phone number.
func (ts *testServer) user(t *testing.T, phone string) *app.User {
	t.Helper()
	u, err := ts.store.FindUserByPhone(context.Background(), phone)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// do sends a request and returns the response with its body read.
func (ts *testServer) do(t *testing.T, method, path string, body string, header map[string]string) (*http.Response, string) {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, ts.URL+path, r)
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

// apiErrorCode decodes the API's error shape and returns its code.
func apiErrorCode(t *testing.T, body string) string {
	t.Helper()
	var e struct {
		Error struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	if err := json.Unmarshal([]byte(body), &e); err != nil || e.Error.Code == "" || e.Error.Message == "" {
		t.Fatalf("body %q is not the API error shape", body)
	}
	return e.Error.Code
}
