package web_test

import (
	"testing"
)

// queue adds the counter's records: two requests of the demo resident not
// yet arrived ({qreq}, {qreq2}), a completed one rated 1 ({rating}), and
// two display keys of the demo booth ({display_key}, {display_key2}) with
// the first one's key ({display_key_value}).
func (w *matrixWorld) queue(t *testing.T, booth string) {
	t.Helper()
	ts, tokens := w.ts, w.tokens
	file := func() string {
		var r struct{ ID string }
		if resp := ts.api(t, "POST", "/api/v1/service-requests", tokens["resident"], map[string]any{"services": []string{"other"},
			"fields": map[string]any{"other": map[string]string{"subject": "排队"}}}, &r); resp.StatusCode != 201 {
			t.Fatalf("a queue request: %d", resp.StatusCode)
		}
		return r.ID
	}
	qreq, qreq2, done := file(), file(), file()
	if resp := ts.api(t, "POST", "/api/v1/service-requests/"+done+"/arrival", tokens["officer"], map[string]any{}, nil); resp.StatusCode != 200 {
		t.Fatalf("arrive the rated request: %d", resp.StatusCode)
	}
	for _, to := range []string{"accepted", "in_progress", "completed"} {
		if resp := ts.api(t, "POST", "/api/v1/service-requests/"+done+"/transitions", tokens["officer"], map[string]string{"to": to}, nil); resp.StatusCode != 200 {
			t.Fatalf("move the rated request to %s: %d", to, resp.StatusCode)
		}
	}
	var rating struct{ ID string }
	if resp := ts.api(t, "POST", "/api/v1/service-requests/"+done+"/rating", tokens["resident"], map[string]any{"score": 1, "comment": "等太久"}, &rating); resp.StatusCode != 201 {
		t.Fatalf("rate: %d", resp.StatusCode)
	}
	var key, key2 struct{ ID, Key string }
	ts.api(t, "POST", "/api/v1/booths/"+booth+"/display-keys", tokens["head"], nil, &key)
	ts.api(t, "POST", "/api/v1/booths/"+booth+"/display-keys", tokens["head"], nil, &key2)
	if key.Key == "" || key2.ID == "" {
		t.Fatal("display keys not made")
	}
	w.queuePlaceholders = []string{"{qreq}", qreq, "{qreq2}", qreq2, "{rating}", rating.ID, "{rated}", done,
		"{display_key}", key.ID, "{display_key2}", key2.ID, "{display_key_value}", key.Key}
}

// matrixQueue are the counter queue's routes. Booking cells come before
// the arrivals, which end bookability.
var matrixQueue = []matrixCell{
	{"GET /api/v1/booths/:id/opening-hours", "/api/v1/booths/{booth}/opening-hours", "", all(200, "anon", 401, "officer2", 404, "head2", 404)},
	{"PUT /api/v1/booths/:id/opening-hours", "/api/v1/booths/{booth}/opening-hours", `{"weekly":[{"weekday":1,"opens":"09:00","closes":"12:00","slot_minutes":15,"capacity":2}],"closed_dates":[]}`, all(403, "anon", 401, "head", 200, "head2", 404)},
	{"GET /api/v1/booths/:id/queue", "/api/v1/booths/{booth}/queue", "", all(403, "anon", 401, "officer", 200, "head", 200, "officer2", 404, "head2", 404)},
	{"POST /api/v1/booths/:id/queue/next", "/api/v1/booths/{booth}/queue/next", "", all(403, "anon", 401, "officer2", 404)},
	{"GET /api/v1/booths/:id/arrival-code", "/api/v1/booths/{booth}/arrival-code", "", all(403, "anon", 401, "head", 200, "head2", 404)},
	{"GET /api/v1/booths/:id/display-keys", "/api/v1/booths/{booth}/display-keys", "", all(403, "anon", 401, "head", 200, "head2", 404)},
	{"POST /api/v1/booths/:id/display-keys", "/api/v1/booths/{booth}/display-keys", "", all(403, "anon", 401, "head", 201, "head2", 404)},
	{"DELETE /api/v1/booths/:id/display-keys/:key_id", "/api/v1/booths/{booth}/display-keys/{display_key2}", "", all(403, "anon", 401, "head", 204, "head2", 404)},
	{"PUT /api/v1/service-requests/:id/booking", "/api/v1/service-requests/{qreq}/booking", `{"slot_id":""}`, all(403, "anon", 401, "resident", 200, "resident2", 404)},
	{"DELETE /api/v1/service-requests/:id/booking", "/api/v1/service-requests/{qreq}/booking", "", all(403, "anon", 401, "resident", 200, "resident2", 404)},
	{"POST /requests/:id/booking", "/requests/{qreq2}/booking", "drop=1", all(403, "anon", 401, "resident", 303, "resident2", 404)},
	// The resident is far from the booth and holds no code; the officer
	// arrives the request for them; after that it has arrived.
	{"POST /api/v1/service-requests/:id/arrival", "/api/v1/service-requests/{qreq}/arrival", `{}`, all(404, "anon", 401, "admin", 403, "resident", 403, "officer", 200, "head", 409)},
	{"POST /requests/:id/arrival", "/requests/{qreq2}/arrival", "x=1", all(404, "anon", 401, "admin", 403, residents, 403, "officer", 303, "head", 409)},
	{"POST /api/v1/service-requests", "", `{"booth_id":"{booth}","walk_in":{"name":"王大爷","phone":"1390000%04d"},"services":["other"],"fields":{"other":{"subject":"walk-in %d"}}}`, all(400, "anon", 401, "admin", 403, residents, 403, "officer", 201, "head", 201, responders, 404)},
	{"POST /api/v1/service-requests/:id/recall", "/api/v1/service-requests/{qreq}/recall", "", all(403, "anon", 401, "officer", 409, "officer2", 404)},
	{"POST /api/v1/service-requests/:id/skip", "/api/v1/service-requests/{qreq}/skip", "", all(403, "anon", 401, "officer", 409, "officer2", 404)},
	{"POST /requests/:id/call", "/requests/{qreq}/call", "do=recall", all(403, "anon", 401, "officer", 409, "officer2", 404)},
	{"POST /api/v1/service-requests/:id/rating", "/api/v1/service-requests/{qreq}/rating", `{"score":5}`, all(403, "anon", 401, "resident", 409, "resident2", 404)},
	{"POST /requests/:id/rating", "/requests/{qreq}/rating", "score=5", all(403, "anon", 401, "resident", 409, "resident2", 404)},
	{"GET /api/v1/ratings", "/api/v1/ratings?unanswered=1", "", all(403, "anon", 401, heads, 200)},
	{"PUT /api/v1/stations/:id/visit-target", "/api/v1/stations/{station}/visit-target", `{"visit_target_minutes":25}`, all(403, "anon", 401, "head", 200, "head2", 404)},
	{"POST /api/v1/ratings/:id/response", "/api/v1/ratings/{rating}/response", `{"text":"抱歉，已回访"}`, all(403, "anon", 401, "head", 201, "head2", 404)},
	{"POST /ratings/:id/response", "/ratings/{rating}/response", "text=again", all(403, "anon", 401, "head", 409, "head2", 404)},
	{"POST /queue/next", "", "", all(403, "anon", 401, "officer", 303, "officer2", 303)},
	{"POST /queue/walk-in", "", "booth_id={booth}&name=王大爷&phone=13900007777&subject=x", all(403, "anon", 401, officers, 303, heads, 303)},
	{"GET /arrive/:booth_id", "/arrive/{booth}?code=x", "", all(403, "anon", 303, residents, 200)},
	{"POST /arrive/:booth_id", "/arrive/{booth}", "request_id={qreq}&code=x", all(403, "anon", 401, "resident", 409, "resident2", 404)},
	{"GET /display/:booth_id", "/display/{booth}?key={display_key_value}", "", all(200)},
	{"GET /display/:booth_id/state", "/display/{booth}/state?key={display_key_value}", "", all(200)},
	// Without its key the screen's stream is not found (with it, it streams
	// until the key is revoked: TestDisplay…).
	{"GET /display/:booth_id/events", "/display/{booth}/events?key=wrong", "", all(404)},
	{"GET /counter", "", "", all(403, "anon", 303, heads, 200)},
	{"POST /counter/visit-target", "", "minutes=20", all(403, "anon", 401, heads, 303)},
	{"POST /counter/:id/hours", "/counter/{booth}/hours", "opens_1=09:00&closes_1=12:00&slot_1=15&capacity_1=2", all(403, "anon", 401, "head", 303, "head2", 404)},
	{"POST /counter/:id/display-keys", "/counter/{booth}/display-keys", "x=1", all(403, "anon", 401, "head", 200, "head2", 404)},
	{"POST /counter/:id/display-keys/:key_id/revoke", "/counter/{booth}/display-keys/{display_key}/revoke", "x=1", all(403, "anon", 401, "head", 303, "head2", 404)},
	{"GET /counter/:id/qr.png", "/counter/{booth}/qr.png", "", all(403, "anon", 303, "head", 200, "head2", 404)},
}
