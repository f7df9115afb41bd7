package web_test

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"policebooth/server/web"
)

// The hostile-input walk: every documented API route and every registered
// page, each with every class of hostile path, query and body, as a caller
// who may use the route. Nothing may answer 5xx, malformed input answers
// 4xx, and a refused request changes nothing: the row count of every table
// and the files in the blob store stay as they were.

// hostileIDs replace each :param of a path: traversal, SQL, numbers out of
// range, control and direction characters.
var hostileIDs = []string{
	"..%2F..%2F..%2Fetc%2Fpasswd", "..", "%2e%2e%5c%2e%2e%5cwindows", "1%27%20OR%20%271%27%3D%271", "1%3B%20DROP%20TABLE%20users--",
	"-1", "0", "99999999999999999999999", "1e3", "0x10", "%00", "1%00", "%E2%80%AE1", "%F0%9F%98%80", "%FF%FE", strings.Repeat("9", 2000),
}

// hostileQueries go into every filter: SQL metacharacters, wildcards, NUL.
var hostileQueries = []string{"' OR '1'='1", "1; DROP TABLE users--", "1' UNION SELECT password_hash FROM users--", "%", "_", `\`, "\x00", "\xff\xfe", "O'Brien"}

// freeText names the query parameters that are searched as text: there
// SQL metacharacters are matched literally and the answer is 200.
var freeText = map[string]bool{"q": true, "search": true, "text": true, "name": true}

// hostileText goes into every text field. The first ones must be refused;
// the rest are ordinary (if unusual) text: stored literally or refused by a
// field's own rule, never a 5xx.
var (
	refusedText = map[string]string{
		"NUL":         "a\x00b",
		"very long":   strings.Repeat("长", 100_000),
		"control":     "a\x1b[31mb",
		"lone surrog": "\xed\xa0\x80",
	}
	oddText = map[string]string{
		"RTL override": "\u202eevil\u202c",
		"emoji":        "👮‍♀️🚓🏳️‍🌈",
		"zero width":   "a\u200bb\ufeff",
		"SQL":          `O'Brien"; DROP TABLE users;--`,
		"wildcards":    `100% _x_ \`,
		"HTML":         `<script>alert(1)</script>`,
		"empty":        "",
	}
)

func TestHostileInputIsRefusedAndChangesNothing(t *testing.T) {
	w := newMatrixWorld(t)
	ts := w.ts
	cells := slices.Concat(matrixOthers, matrixQueue, matrix)
	cases := 0
	for _, route := range ts.routes {
		cell, who, ok := usableCell(cells, route)
		if !ok {
			t.Errorf("%s: no caller in the matrix may use it, so it cannot be walked", route)
			continue
		}
		method, pattern, _ := strings.Cut(route, " ")
		if route == "POST /api/v1/auth/logout" || route == "POST /logout" {
			continue // takes nothing but the session, which it would end
		}
		path := cell.path
		if path == "" {
			path = pattern
		}
		path = w.placeholders.Replace(path)
		header := map[string]string{}
		if w.tokens[who] != "" {
			header["Authorization"] = "Bearer " + w.tokens[who]
		}
		api := strings.HasPrefix(pattern, "/api/")
		base := w.placeholders.Replace(strings.ReplaceAll(strings.ReplaceAll(cell.body, "%05d", "77777"), "%04d", "7777"))
		send := func(p, body string, h map[string]string) int {
			t.Helper()
			cases++
			return hostileDo(t, ts, method, p, body, h)
		}
		before := w.snapshot(t)
		strict := func(what string, status int) {
			t.Helper()
			if status < 400 || status >= 500 {
				t.Errorf("%s as %s, %s: %d, want a 4xx", route, who, what, status)
			}
		}

		// Every :param replaced by every hostile id.
		segs := strings.Split(pattern, "/")
		real := strings.Split(strings.SplitN(path, "?", 2)[0], "/")
		for i, seg := range segs {
			if !strings.HasPrefix(seg, ":") || len(real) != len(segs) {
				continue
			}
			for _, id := range hostileIDs {
				p := slices.Clone(real)
				p[i] = id
				strict("id "+id[:min(len(id), 20)], send(strings.Join(p, "/"), base, formHeader(header, api, base)))
			}
		}

		// Every filter the route documents (pages: the usual ones) with SQL.
		if method == http.MethodGet && route != "GET /api/v1/events" {
			for _, param := range queryParams(route) {
				for _, q := range hostileQueries {
					status := send(withQuery(path, param, q), "", header)
					switch {
					case status >= 500:
						t.Errorf("%s as %s, %s=%q: %d", route, who, param, q, status)
					case api && freeText[param] && q != "\x00" && q != "\xff\xfe" && status != 200:
						t.Errorf("%s as %s, free text %s=%q: %d, want 200 (matched literally)", route, who, param, q, status)
					case api && !freeText[param] && q != "O'Brien" && status != 400:
						t.Errorf("%s as %s, %s=%q: %d, want 400", route, who, param, q, status)
					}
				}
			}
		}

		if method != http.MethodGet {
			// Bodies that are not what the route reads.
			var bodies map[string]string
			if api {
				bodies = map[string]string{
					"malformed JSON":   `{"a":`,
					"JSON array":       `[]`,
					"JSON number":      `12`,
					"two objects":      addField(base, "a", "1") + ` {}`,
					"oversized":        `{"x":"` + strings.Repeat("x", 2<<20) + `"}`,
					"form instead":     "a=b",
					"unknown field":    addField(base, "zz_unknown", `1`),
					"prototype fields": addField(base, "__proto__", `{"admin":true}`),
				}
			} else {
				bodies = map[string]string{"oversized": "a=" + strings.Repeat("x", 2<<20)}
			}
			for name, body := range bodies {
				h := header
				if name == "form instead" {
					h = withHeader(header, "Content-Type", "application/x-www-form-urlencoded")
				}
				if !api || isUploadRoute(route) {
					h = formHeader(header, false, body)
				}
				if isUploadRoute(route) && name != "oversized" {
					continue // multipart: TestUploadsThatLieAreRefused
				}
				strict(name, send(path, body, h))
			}
			// Every field with the wrong type, and every text field with
			// text that must be refused.
			if op, ok := documented(route); ok {
				for _, f := range op.Names {
					strict("field "+f+" of the wrong type", send(path, setField(base, f, wrongType(op.Fields[f])), header))
					if op.Fields[f] == "string" || op.Fields[f] == "enum" {
						for name, text := range refusedText {
							strict("field "+f+" "+name, send(path, setField(base, f, jsonString(text)), header))
						}
					}
					if op.Fields[f] == "enum" {
						strict("field "+f+" off its list", send(path, setField(base, f, jsonString("' OR '1'='1")), header))
					}
				}
			}
			if !api {
				for name, text := range refusedText {
					strict("form text "+name, send(path, base+"&zz="+url.QueryEscape(text)+"&"+strings.ReplaceAll(base, "=", "="+url.QueryEscape(text)), formHeader(header, false, "x")))
				}
			}
		}
		w.unchanged(t, route+" as "+who, before)

		// Ordinary odd text in every text field: anything but a 5xx.
		if op, ok := documented(route); ok && method != http.MethodGet {
			for _, f := range op.Names {
				if op.Fields[f] != "string" {
					continue
				}
				for name, text := range oddText {
					if status := send(path, setField(base, f, jsonString(text)), header); status >= 500 {
						t.Errorf("%s as %s, field %s %s: %d", route, who, f, name, status)
					}
				}
			}
		}
	}
	t.Logf("hostile input: %d requests over %d routes", cases, len(ts.routes))
}

// usableCell finds the matrix row of route and the caller most likely to
// reach its handler: one who gets a success, else one the route answers on
// the merits (400, 409) rather than on who is asking.
func usableCell(cells []matrixCell, route string) (matrixCell, string, bool) {
	order := []string{"resident", "officer", "head", "admin", "resident2", "officer2", "head2", "guard", "volunteer", "anon"}
	for _, good := range []func(int) bool{
		func(s int) bool { return s < 400 },
		func(s int) bool { return s != 401 && s != 403 && s != 404 },
		func(s int) bool { return true }, // public: everyone gets the same answer
	} {
		for _, cell := range cells {
			if cell.route != route {
				continue
			}
			for _, who := range order {
				if good(cell.want[who]) {
					return cell, who, true
				}
			}
		}
	}
	return matrixCell{}, "", false
}

var documentedOps = web.DocumentedOperations()

func documented(route string) (web.DocumentedOperation, bool) {
	for _, op := range documentedOps {
		if op.Route == route {
			return op, true
		}
	}
	return web.DocumentedOperation{}, false
}

// queryParams are the filters a route takes: those its documentation names
// for the API, the usual ones for pages.
func queryParams(route string) []string {
	op, ok := documented(route)
	if !ok {
		return []string{"status", "booth_id", "from"} // an enum, an id and a date: the kinds pages filter by
	}
	var out []string
	for _, m := range regexp.MustCompile(`[?&]([a-z_]+)=`).FindAllStringSubmatch(op.Summary, -1) {
		out = append(out, m[1])
	}
	return out
}

// withQuery sets one query parameter of path.
func withQuery(path, param, value string) string {
	p, query, _ := strings.Cut(path, "?")
	q, _ := url.ParseQuery(query)
	q.Set(param, value)
	return p + "?" + q.Encode()
}

func isUploadRoute(route string) bool {
	return strings.HasPrefix(route, "POST ") &&
		(strings.HasSuffix(route, "/attachments") || strings.HasSuffix(route, "/photos") || strings.HasSuffix(route, "/screenshots"))
}

func withHeader(h map[string]string, k, v string) map[string]string {
	out := map[string]string{k: v}
	for kk, vv := range h {
		if kk != k {
			out[kk] = vv
		}
	}
	return out
}

func formHeader(h map[string]string, api bool, body string) map[string]string {
	if api || body == "" {
		return h
	}
	return withHeader(h, "Content-Type", "application/x-www-form-urlencoded")
}

// setField puts raw JSON as field f of the JSON object base.
func setField(base, f, raw string) string {
	base = strings.TrimSpace(base)
	if base == "" || base == "{}" {
		return `{"` + f + `":` + raw + `}`
	}
	re := regexp.MustCompile(`"` + regexp.QuoteMeta(f) + `":("(\\.|[^"\\])*"|[^,}\]]+|\[[^\]]*\]|\{[^}]*\})`)
	if re.MatchString(base) {
		return re.ReplaceAllLiteralString(base, `"`+f+`":`+raw)
	}
	return addField(base, f, raw)
}

func addField(base, f, raw string) string {
	base = strings.TrimSpace(base)
	if base == "" || base == "{}" {
		return `{"` + f + `":` + raw + `}`
	}
	return `{"` + f + `":` + raw + `,` + base[1:]
}

func wrongType(kind string) string {
	switch kind {
	case "string", "enum":
		return `{"$ne":null}`
	case "array":
		return `"x"`
	case "object":
		return `[1]`
	default:
		return `"12"`
	}
}

func jsonString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c < 0x20:
			fmt.Fprintf(&b, `\u%04x`, c)
		default:
			b.WriteByte(c)
		}
	}
	if s == "\xed\xa0\x80" { // a lone surrogate as JSON writes it
		return `"\ud800"`
	}
	b.WriteByte('"')
	return b.String()
}

// hostileDo sends one request and returns its status; a stream is cut
// after its headers.
func hostileDo(t *testing.T, ts *testServer, method, path, body string, header map[string]string) int {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, ts.URL+path, r)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	client := *ts.Client()
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	if resp.Header.Get("Content-Type") != "text/event-stream" {
		_, _ = io.Copy(io.Discard, resp.Body)
	}
	return resp.StatusCode
}

// snapshot counts the rows of every table and the files of the blob store.
func (w *matrixWorld) snapshot(t *testing.T) map[string]int64 {
	t.Helper()
	db := w.ts.store.DB()
	var tables []string
	q := "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
	if w.ts.store.Postgres() {
		q = "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
	}
	if err := db.Raw(q).Scan(&tables).Error; err != nil {
		t.Fatal(err)
	}
	counts := map[string]int64{}
	var parts []string
	for _, tb := range tables {
		if volatileTables[tb] {
			continue
		}
		where := "1 = 1"
		if w, ok := backgroundRows[tb]; ok {
			where = w
		}
		parts = append(parts, fmt.Sprintf(`SELECT '%s' AS name, count(*) AS n FROM "%s" WHERE %s`, tb, tb, where))
	}
	var rows []struct {
		Name string
		N    int64
	}
	if err := db.Raw(strings.Join(parts, " UNION ALL ")).Scan(&rows).Error; err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		counts[r.Name] = r.N
	}
	files := int64(0)
	_ = filepath.WalkDir(w.dataDir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.Contains(p, string(filepath.Separator)+"blobs"+string(filepath.Separator)) {
			files++
		}
		return nil
	})
	counts["blob files"] = files
	return counts
}

// backgroundRows are the rows the server's own jobs write while the walk
// runs (the open call's escalations, the empty booths' coverage gaps, and
// the texts to the heads about both), left out so that only what requests
// change is counted.
var backgroundRows = map[string]string{
	"events":          "name NOT IN ('assistance.escalated', 'coverage.gap')",
	"call_entries":    "kind <> 'escalation'",
	"coverage_gaps":   "1 = 0",
	"outbox_messages": "kind NOT IN ('sms.escalation', 'sms.coverage_gap', 'sms.dark_booth')",
	"job_schedule":    "1 = 0",
	"audit_entries":   "action <> 'call.caller_view'",
}

// volatileTables change by design whatever the input: failed sign-ins and
// PIN entries are counted against the phone, the officer and the address,
// and showing a resident their notices records that the notices reached
// them (reach), even on a list whose odd query parameters were ignored.
var volatileTables = map[string]bool{"throttles": true, "notice_receipts": true}

func (w *matrixWorld) unchanged(t *testing.T, what string, before map[string]int64) {
	t.Helper()
	after := w.snapshot(t)
	for k, n := range after {
		if before[k] != n {
			t.Errorf("%s: refused input changed %s from %d to %d", what, k, before[k], n)
		}
	}
}
