package web_test

import (
	"bytes"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"policebooth/server/store"
)

// Every route behind the idempotency middleware marks its key in the
// transaction that stores its write, so a crash between the commit and
// keeping the answer never lets a retry store it twice. The walk sends a
// successful request to every POST route with an Idempotency-Key and, at
// every commit while it runs, reads the key's claim: a route uses the
// middleware when its key is claimed, and each commit of such a route must
// already see its claim marked written.
func TestEveryIdempotentRouteMarksItsKeyWithItsWrite(t *testing.T) {
	w := newMatrixWorld(t)
	ts := w.ts
	var (
		mu      sync.Mutex
		key     string
		commits []int // the claim's status at each commit
	)
	ts.store.OnCommit(func() {
		mu.Lock()
		defer mu.Unlock()
		if key == "" {
			return
		}
		var status []int
		ts.store.DB().Raw("SELECT status FROM idempotent_responses WHERE key = ?", key).Scan(&status)
		commits = append(commits, status...)
	})
	cells := slices.Concat(matrixOthers, matrixQueue, matrix)
	routes := idempotentRoutes(t)
	for i, route := range routes {
		_, pattern, _ := strings.Cut(route, " ")
		k := fmt.Sprintf("walk-%d", i)
		mu.Lock()
		key, commits = k, nil
		mu.Unlock()
		status := sendWithKey(t, w, cells, route, pattern, k)
		mu.Lock()
		seen := commits
		key = ""
		mu.Unlock()
		var claimed []int
		ts.store.DB().Raw("SELECT status FROM idempotent_responses WHERE key = ?", k).Scan(&claimed)
		switch {
		case status == 0 || status >= 400:
			t.Errorf("%s: answered %d; the walk needs a request that stores something", route, status)
		case len(claimed) == 0:
			t.Errorf("%s: its Idempotency-Key was not claimed", route)
		case len(seen) == 0:
			t.Errorf("%s: stored its write outside a transaction of the store", route)
		case slices.Contains(seen, 0): // later commits (after the answer was kept) see its final status
			t.Errorf("%s: committed its write with the key's claim at status %v, want it marked written (%d) in the same transaction", route, seen, store.IdempotencyWritten)
		}
	}
	if len(routes) < 15 {
		t.Fatalf("found %d idempotent routes in routes.go: %v", len(routes), routes)
	}
}

// idempotentRoutes reads routes.go for the routes registered with the
// idempotency middleware, as "POST /path".
func idempotentRoutes(t *testing.T) []string {
	t.Helper()
	src, err := os.ReadFile("routes.go")
	if err != nil {
		t.Fatal(err)
	}
	prefix := map[string]string{"page": "", "api": "/api/v1"}
	re := regexp.MustCompile(`(?m)^\s*(\w+)\.POST\("([^"]+)",.*s\.idempotent\b`)
	var routes []string
	for _, m := range re.FindAllStringSubmatch(string(src), -1) {
		p, ok := prefix[m[1]]
		if !ok {
			t.Fatalf("routes.go: idempotent route on an unknown group %q", m[1])
		}
		routes = append(routes, "POST "+p+m[2])
	}
	return routes
}

// walkForm is a successful body for a route whose matrix body is refused,
// and who sends it.
type walkForm struct{ who, body, path string }

// walkForms are the walk's own requests for those routes.
var walkForms = map[string]walkForm{
	"POST /requests/new":                       {who: "resident", body: "service=other&f.other.subject=walk"},
	"POST /safety-timer":                       {who: "resident", body: "minutes=30"},
	"POST /notices/new":                        {who: "officer", body: "title=walk&body=walk&kind=safety&severity=minor"},
	"POST /fraud":                              {who: "resident", body: "kind=phone&value=13800138000&description=walk"},
	"POST /care":                               {who: "resident2", body: "reasons=elderly&cadence=weekly"},
	"POST /api/v1/visits":                      {who: "officer", body: `{"enrolment_id":"{enrolment}","outcome":"visited","wellbeing":"good"}`},
	"POST /visits/new":                         {who: "officer", body: "enrolment_id={enrolment}&outcome=visited&wellbeing=good"},
	"POST /api/v1/service-requests/:id/rating": {who: "resident", body: `{"score":5}`, path: "/api/v1/service-requests/{rated}/rating"},
	"POST /requests/:id/rating":                {who: "resident", body: "score=5", path: "/requests/{rated}/rating"},
}

// sendWithKey sends a request that should succeed to route, as the first
// caller of the authorisation matrix who may use it, with an
// Idempotency-Key; uploads carry a real image. It returns the status.
func sendWithKey(t *testing.T, w *matrixWorld, cells []matrixCell, route, pattern, key string) int {
	t.Helper()
	if route == "POST /help" || route == "POST /api/v1/assistance-calls" {
		// A call is raised only by a resident without an open one; the
		// matrix's own call stays open for the message routes.
		w.ts.store.DB().Exec("UPDATE assistance_calls SET status = 'cancelled' WHERE id <> ? AND status IN ('open', 'acknowledged', 'en_route', 'on_scene')",
			w.placeholders.Replace("{call}"))
	}
	if route == "POST /safety-timer" || route == "POST /api/v1/safety-timers" {
		// A timer starts only for a resident without a running one.
		w.ts.store.DB().Exec("UPDATE safety_timers SET status = 'checked_in' WHERE status IN ('active', 'firing')")
	}
	if route == "POST /care" {
		// The walk enrolled the second resident through the API already.
		w.ts.store.DB().Exec("DELETE FROM care_enrolments WHERE resident_id = (SELECT id FROM users WHERE phone = '13900000002')")
	}
	if strings.HasSuffix(route, "/rating") {
		// A completed request is rated once: the walk rates the matrix's
		// rated request again, its rating taken away first.
		w.ts.store.DB().Exec("DELETE FROM ratings WHERE request_id = ?", w.placeholders.Replace("{rated}"))
	}
	if route == "POST /api/v1/visits" || route == "POST /visits/new" {
		// A visit goes in the officer's shift log.
		w.ts.api(t, "POST", "/api/v1/shifts/clock-in", w.tokens["officer"], map[string]string{"booth_id": w.placeholders.Replace("{booth}")}, nil)
	}
	var cell matrixCell
	var who string
	if f, ok := walkForms[route]; ok {
		cell, who = matrixCell{route: route, path: f.path, body: f.body}, f.who
	}
	for _, c := range cells {
		if c.route != route {
			continue
		}
		for _, caller := range []string{"resident2", "resident", "officer", "head", "admin"} {
			if s, ok := c.want[caller]; ok && s < 400 && who == "" {
				cell, who = c, caller
			}
		}
	}
	upload := isUploadRoute(route)
	if upload {
		for _, c := range cells {
			if c.route == route {
				cell = c
			}
		}
		who = "resident"
		if strings.HasSuffix(route, "/photos") && !strings.Contains(route, "calls/") {
			who = "officer" // a newborn's photo; a call's photos are added by its caller
		}
	}
	if who == "" {
		return 0
	}
	path := cell.path
	if path == "" {
		path = pattern
	}
	path = w.placeholders.Replace(path)
	header := map[string]string{"Authorization": "Bearer " + w.tokens[who], "Idempotency-Key": key}
	body := w.placeholders.Replace(strings.ReplaceAll(strings.ReplaceAll(cell.body, "%05d", "55555"), "%04d", "5555"))
	if upload {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		h := textproto.MIMEHeader{}
		field := "file"
		switch {
		case strings.HasSuffix(route, "/photos"):
			field = "photo"
		case strings.HasSuffix(route, "/screenshots"):
			field = "screenshot"
		}
		h.Set("Content-Disposition", `form-data; name="`+field+`"; filename="walk.png"`)
		h.Set("Content-Type", "image/png")
		pw, err := mw.CreatePart(h)
		if err != nil {
			t.Fatal(err)
		}
		pw.Write(uniquePNG(t, key))
		mw.Close()
		header["Content-Type"] = mw.FormDataContentType()
		body = buf.String()
	} else if !strings.HasPrefix(pattern, "/api/") {
		header["Content-Type"] = "application/x-www-form-urlencoded"
	} else if body != "" {
		header["Content-Type"] = "application/json"
	}
	resp, _ := w.ts.do(t, http.MethodPost, path, body, header)
	return resp.StatusCode
}

// A page form sent twice (a double tap, a retry after a lost answer) is
// answered the second time with the first answer's redirect, so the person
// lands on the same page instead of a blank one.
func TestReplayedPageFormRedirectsWhereTheFirstDid(t *testing.T) {
	ts := newTestServer(t, nil)
	ts.demo(t)
	resident := ts.login(t, "13900000002").AccessToken
	for _, form := range []struct{ path, body string }{
		{"/requests/new", "service=other&f.other.subject=replay&idempotency_key=form-request"},
		{"/help", "category=other&idempotency_key=form-help"},
	} {
		h := map[string]string{"Authorization": "Bearer " + resident, "Content-Type": "application/x-www-form-urlencoded"}
		first, again := postNoFollow(t, ts, form.path, form.body, h), postNoFollow(t, ts, form.path, form.body, h)
		loc := first.Header.Get("Location")
		if first.StatusCode != 303 || loc == "" {
			t.Fatalf("%s: first answer %d to %q, want 303 with a Location", form.path, first.StatusCode, loc)
		}
		if again.StatusCode != 303 || again.Header.Get("Location") != loc || again.Header.Get("Idempotent-Replayed") != "true" {
			t.Errorf("%s replayed: %d to %q (replayed %q), want 303 to %q", form.path, again.StatusCode, again.Header.Get("Location"), again.Header.Get("Idempotent-Replayed"), loc)
		}
	}
}

// postNoFollow posts and returns the answer itself, not where it redirects.
func postNoFollow(t *testing.T, ts *testServer, path, body string, header map[string]string) *http.Response {
	t.Helper()
	client := *ts.Client()
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	req, err := http.NewRequest("POST", ts.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}
