package web_test

import (
	"net/http"
	"strings"
	"testing"
)

// others adds the records that are not the demo resident's nor the demo
// station's: a booth and a finished shift of the other station, a request
// and a (cancelled) call of the other resident, and a request of the demo
// resident filed at the other station's booth.
func (w *matrixWorld) others(t *testing.T, admin, station2, officer2 string) {
	t.Helper()
	ts := w.ts
	var booth2, shift2, request2, request3, call2 struct{ ID string }
	if resp := ts.api(t, "POST", "/api/v1/stations/"+station2+"/booths", admin, map[string]any{"name": "C", "lat": 39.92, "lng": 116.45}, &booth2); resp.StatusCode != 201 {
		t.Fatalf("the other station's booth: %d", resp.StatusCode)
	}
	ts.api(t, "POST", "/api/v1/shifts/clock-in", w.tokens["officer2"], map[string]string{"booth_id": booth2.ID}, nil)
	if resp := ts.api(t, "POST", "/api/v1/shifts/clock-out", w.tokens["officer2"], map[string]string{"handover_note": "朝阳交接"}, &shift2); resp.StatusCode != 200 {
		t.Fatalf("the other station's shift: %d", resp.StatusCode)
	}
	other := map[string]any{"services": []string{"other"}, "fields": map[string]any{"other": map[string]string{"subject": "另一位居民"}}}
	if resp := ts.api(t, "POST", "/api/v1/service-requests", w.tokens["resident2"], other, &request2); resp.StatusCode != 201 {
		t.Fatalf("the other resident's request: %d", resp.StatusCode)
	}
	attachment2 := ts.upload(t, "/api/v1/service-requests/"+request2.ID+"/attachments", w.tokens["resident2"], "id.png", pngBytes(t))
	elsewhere := map[string]any{"services": []string{"other"}, "booth_id": booth2.ID, "fields": map[string]any{"other": map[string]string{"subject": "在朝阳"}}}
	if resp := ts.api(t, "POST", "/api/v1/service-requests", w.tokens["resident"], elsewhere, &request3); resp.StatusCode != 201 {
		t.Fatalf("the resident's request at the other station: %d", resp.StatusCode)
	}
	if resp := ts.api(t, "POST", "/api/v1/assistance-calls", w.tokens["resident2"], map[string]string{"category": "other"}, &call2); resp.StatusCode != 201 {
		t.Fatalf("the other resident's call: %d", resp.StatusCode)
	}
	if resp := ts.api(t, "POST", "/api/v1/assistance-calls/"+call2.ID+"/transitions", w.tokens["resident2"], map[string]string{"to": "cancelled"}, nil); resp.StatusCode != 200 {
		t.Fatalf("cancel the other resident's call: %d", resp.StatusCode)
	}
	w.otherPlaceholders = []string{"{station2}", station2, "{booth2}", booth2.ID, "{shift2}", shift2.ID, "{officer2}", officer2,
		"{request2}", request2.ID, "{attachment2}", attachment2, "{request3}", request3.ID, "{call2}", call2.ID}
}

// otherResident is the pattern of a record of the other resident at the
// demo station: the demo resident gets 404 like the other station.
func otherResident(status int, except ...any) map[string]int {
	return all(404, append([]any{"anon", 401, "admin", 403, "resident2", status, "officer", status, "head", status}, except...)...)
}

// otherStation is the pattern of a staff record of the other station.
func otherStation(status int, except ...any) map[string]int {
	return all(404, append([]any{"anon", 401, residents, 403, "admin", 403, "officer2", status, "head2", status}, except...)...)
}

// matrixOthers are the cells on records that are not the caller's own nor
// their station's, and the routes outside the API and pages groups. They run
// before matrix, whose last cells sign everyone out.
var matrixOthers = []matrixCell{
	{"GET /healthz", "", "", all(200)},
	{"GET /readyz", "", "", all(200)},
	// The test client is on loopback; TestMetricsAreClosedToOtherAddresses
	// covers everyone else.
	{"GET /metrics", "", "", all(200)},
	{"GET /manifest.webmanifest", "", "", all(200)},
	{"GET /sw.js", "", "", all(200)},
	// The other resident's request, document and call.
	{"GET /api/v1/service-requests/:id", "/api/v1/service-requests/{request2}", "", otherResident(200)},
	{"GET /requests/:id", "/requests/{request2}", "", otherResident(200, "anon", 303)},
	{"GET /api/v1/attachments/:id", "/api/v1/attachments/{attachment2}", "", otherResident(200)},
	{"POST /api/v1/service-requests/:id/attachments", "/api/v1/service-requests/{request2}/attachments", `{}`, otherResident(400)},
	{"POST /api/v1/service-requests/:id/transitions", "/api/v1/service-requests/{request2}/transitions", `{"to":"cancelled","note":"x"}`, otherResident(409, "resident2", 200)},
	{"POST /api/v1/service-requests/:id/notes", "/api/v1/service-requests/{request2}/notes", `{"text":"note %d"}`, otherResident(201, residents, 403)},
	{"POST /requests/:id/note", "/requests/{request2}/note", "text=hello", otherResident(303, "anon", 401, residents, 403)},
	{"GET /api/v1/assistance-calls/:id", "/api/v1/assistance-calls/{call2}", "", otherResident(200)},
	{"GET /calls/:id", "/calls/{call2}", "", otherResident(200, "anon", 303)},
	{"POST /api/v1/assistance-calls/:id/location", "/api/v1/assistance-calls/{call2}/location", `{"lat":39.96,"lng":116.3,"accuracy_m":20}`, all(403, "anon", 401, "resident", 404, "resident2", 409)},
	{"POST /api/v1/assistance-calls/:id/messages", "/api/v1/assistance-calls/{call2}/messages", `{"text":"msg %d"}`, otherResident(409)},
	// The demo resident's request filed at the other station's booth: its
	// staff see it, the demo station's do not.
	{"GET /api/v1/service-requests/:id", "/api/v1/service-requests/{request3}", "", all(404, "anon", 401, "admin", 403, "resident", 200, "officer2", 200, "head2", 200)},
	{"POST /api/v1/service-requests/:id/assignment", "/api/v1/service-requests/{request3}/assignment", `{"assignee_id":"{officer2}"}`, all(404, "anon", 401, "admin", 403, residents, 403, "officer2", 200, "head2", 200)},
	{"PUT /api/v1/service-requests/:id/checklist", "/api/v1/service-requests/{request3}/checklist", `{"checked":[]}`, all(404, "anon", 401, "admin", 403, residents, 403, "officer2", 200, "head2", 200)},
	// The other station's shift, booth, staff and settings.
	{"GET /api/v1/shifts/:id", "/api/v1/shifts/{shift2}", "", otherStation(200)},
	{"GET /shifts/:id", "/shifts/{shift2}", "", otherStation(200, "anon", 303, residents, 403)},
	// The kind a role may write is checked before the shift is looked up,
	// so a wrong kind says nothing about whether the shift exists.
	{"POST /api/v1/shifts/:id/entries", "/api/v1/shifts/{shift2}/entries", `{"kind":"note","text":"matrix %d"}`, otherStation(201, heads, 400)},
	{"POST /api/v1/shifts/:id/entries", "/api/v1/shifts/{shift2}/entries", `{"kind":"head_note","text":"matrix %d"}`, otherStation(201, officers, 400)},
	{"POST /api/v1/shifts/:id/handover-ack", "/api/v1/shifts/{shift2}/handover-ack", "", all(403, "anon", 401, "officer", 404, "officer2", 409)},
	{"PATCH /api/v1/booths/:id", "/api/v1/booths/{booth2}", `{"ack_limit_seconds":40}`, all(403, "anon", 401, "head", 404, "head2", 200)},
	{"POST /api/v1/staff/:id/enable", "/api/v1/staff/{officer2}/enable", "", all(403, "anon", 401, "head", 404, "head2", 200, "admin", 200)},
	{"GET /api/v1/stations/:id/retention", "/api/v1/stations/{station2}/retention", "", all(403, "anon", 401, "head", 404, "head2", 200)},
	{"GET /api/v1/staff", "/api/v1/staff?station_id={station2}", "", all(403, "anon", 401, "head", 200, "head2", 200, "admin", 200)},
}

// checkHardening asserts what every response carries, whatever its status:
// the security headers, and cookies that scripts cannot read and that stay
// on this site (Secure too when the server is behind TLS).
func checkHardening(t *testing.T, what string, resp *http.Response, secure bool) {
	t.Helper()
	h := resp.Header
	if csp := h.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-") || !strings.Contains(csp, "frame-ancestors 'none'") {
		t.Errorf("%s: Content-Security-Policy %q", what, csp)
	}
	if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Referrer-Policy") == "" || !strings.Contains(h.Get("Permissions-Policy"), "camera=(self)") {
		t.Errorf("%s: headers %v", what, h)
	}
	for _, c := range resp.Cookies() {
		if !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Secure != secure || c.Path != "/" {
			t.Errorf("%s: cookie %s is not HttpOnly, SameSite=Lax, Secure=%v, Path=/: %v", what, c.Name, secure, c)
		}
	}
}
