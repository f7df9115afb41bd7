package web_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// The authorisation matrix: every route × every kind of caller, with the
// status each must get. A route missing here fails the test, so every new
// route must declare who may use it.
//
// Callers: anon (nobody signed in), resident, resident2 (another resident),
// officer, officer2 (an officer of another station), head, head2 (head of
// another station), admin, guard and volunteer (of the demo station's
// booth A: they see nearly nothing, and a route not theirs answers them
// 404 where others get 403). Paths may name {station} (the demo station),
// {officer} (an officer of the demo station kept for this test) and
// {target} (another of its officers, whom the staff actions change).
// Records that are not the caller's own nor their station's have their
// own placeholders and rows (authz_others_test.go: {request2}, {call2},
// {shift2}, {booth2} …); the world they live in is newMatrixWorld, which
// the hostile-input tests share.
var callers = []string{"anon", "resident", "resident2", "officer", "officer2", "head", "head2", "admin", "guard", "volunteer"}

type matrixCell struct {
	route string // as registered: "METHOD /path/:param"
	path  string // what to request, with placeholders
	body  string // JSON for /api, form fields elsewhere; %d becomes a unique number
	want  map[string]int
}

// all gives every caller the same status (a guard and a volunteer 404 for
// 403); except overrides some.
func all(status int, except ...any) map[string]int {
	m := map[string]int{}
	for _, c := range callers {
		m[c] = status
	}
	if status == 403 {
		m["guard"], m["volunteer"] = 404, 404
	}
	for i := 0; i+1 < len(except); i += 2 {
		for _, who := range strings.Split(except[i].(string), ",") {
			m[who] = except[i+1].(int)
		}
	}
	return m
}

const (
	residents  = "resident,resident2"
	officers   = "officer,officer2"
	heads      = "head,head2"
	responders = "guard,volunteer"
)

// ownRequest is the pattern of a record of the demo resident at the demo
// station: its owner and the station's staff get status, the other
// resident and the other station 404, the admin (no station) 403.
func ownRequest(status int, except ...any) map[string]int {
	return all(404, append([]any{"anon", 401, "admin", 403, "resident", status, "officer", status, "head", status}, except...)...)
}

var matrix = []matrixCell{
	// Public API.
	{"GET /api/v1/openapi.json", "", "", all(200)},
	{"GET /api/v1/booths", "", "", all(200)},
	{"PATCH /api/v1/booths/:id", "/api/v1/booths/{booth}", `{"ack_limit_seconds":45}`, all(403, "anon", 401, "head", 200, "head2", 404)},
	{"POST /api/v1/auth/register", "", `{"phone":"1350000%04d","password":"matrix-pass-1","name":"测试","privacy_version":"2026-12"}`, all(202)},
	{"POST /api/v1/auth/login", "", `{"phone":"1370001%04d","password":"wrong-password"}`, all(401)},
	{"POST /api/v1/auth/refresh", "", `{"refresh_token":"spent-or-forged"}`, all(401)},
	{"POST /api/v1/auth/codes", "", `{"phone":"1370002%04d","purpose":"reset"}`, all(202)},
	{"POST /api/v1/auth/verify", "", `{"phone":"1370003%04d","code":"000000"}`, all(400)},
	{"POST /api/v1/auth/reset", "", `{"phone":"1370004%04d","code":"000000","password":"matrix-pass-2"}`, all(400)},
	// Signed-in API.
	{"GET /api/v1/me", "", "", all(200, "anon", 401)},
	{"GET /api/v1/privacy", "", "", all(200)},
	{"POST /api/v1/me/privacy", "", `{"version":"2026-12"}`, all(403, "anon", 401, residents, 200)},
	// The stream opens for everyone signed in; what each receives is
	// filtered (TestStreamsCarryOnlyWhatEachMaySee).
	{"GET /api/v1/events", "", "", all(200, "anon", 401)},
	{"PATCH /api/v1/me", "", `{"language":"zh-CN"}`, all(200, "anon", 401)},
	// Staff management: heads for their station, the admin for any.
	{"GET /api/v1/staff", "/api/v1/staff?station_id={station}", "", all(403, "anon", 401, heads, 200, "admin", 200)},
	{"POST /api/v1/staff", "", `{"phone":"1360000%04d","name":"新警官","password":"matrix-pass-3","badge_no":"9%05d","station_id":"{station}"}`, all(403, "anon", 401, heads, 201, "admin", 201)},
	{"POST /api/v1/staff/:id/disable", "/api/v1/staff/{target}/disable", "", all(403, "anon", 401, "head", 200, "head2", 404, "admin", 200)},
	{"POST /api/v1/staff/:id/enable", "/api/v1/staff/{target}/enable", "", all(403, "anon", 401, "head", 200, "head2", 404, "admin", 200)},
	{"POST /api/v1/staff/:id/reset-password", "/api/v1/staff/{target}/reset-password", `{"password":"reset-pass-4"}`, all(403, "anon", 401, "head", 200, "head2", 404, "admin", 200)},
	{"GET /api/v1/audit", "", "", all(403, "anon", 401, heads, 200)},
	{"POST /api/v1/stations", "", `{"name":"矩阵派出所%d"}`, all(403, "anon", 401, "admin", 201)},
	{"POST /api/v1/stations/:id/booths", "/api/v1/stations/{station}/booths", `{"name":"M%d","lat":39.9,"lng":116.3}`, all(403, "anon", 401, "admin", 201)},
	// Pages.
	{"GET /", "", "", all(200)},
	{"GET /offline", "", "", all(200)},
	{"POST /lang", "", "lang=en&next=/", all(303)},
	{"GET /login", "", "", all(303, "anon", 200)},
	// Ten callers from one address: the tenth failed sign-in in the window is throttled.
	{"POST /login", "", "phone=1370005%04d&password=wrong-password", all(401)},
	{"GET /register", "", "", all(200)},
	{"GET /privacy", "", "", all(200)},
	{"GET /terms", "", "", all(200)},
	{"POST /privacy/accept", "", "version=2026-12&next=/", all(403, "anon", 401, residents, 303)},
	{"POST /register", "", "phone=&name=&password=", all(400)},
	{"GET /verify", "", "", all(303, "anon", 200)},
	{"POST /verify", "", "phone=1370006%04d&code=000000", all(400)},
	{"POST /codes", "", "phone=1370007%04d&purpose=reset", all(303)},
	{"GET /forgot", "", "", all(200)},
	{"GET /reset", "/reset?phone=13900000002", "", all(200)},
	{"POST /reset", "", "phone=1370008%04d&code=000000&password=", all(400)},
	{"GET /password", "", "", all(200, "anon", 303)},
	{"POST /password", "", "current_password=&password=", all(400, "anon", 401)},
	{"GET /staff", "", "", all(403, "anon", 303, heads, 200)},
	{"POST /staff", "", "phone=&name=", all(403, "anon", 401, heads, 400)},
	{"POST /staff/:id/:action", "/staff/{target}/enable", "", all(403, "anon", 401, "head", 200, "head2", 404)},
	{"GET /audit", "", "", all(403, "anon", 303, heads, 200)},
	{"GET /admin", "", "", all(403, "anon", 303, "admin", 200)},
	{"POST /admin/:what", "/admin/stations", "name=", all(403, "anon", 401, "admin", 400)},
	// Service requests: {request} is the demo resident's, at the demo station.
	{"GET /api/v1/service-types", "", "", all(200)},
	{"PATCH /api/v1/service-types/:code", "/api/v1/service-types/other", `{"target_minutes":20}`, all(403, "anon", 401, heads, 200)},
	{"GET /api/v1/slots", "/api/v1/slots?booth_id={booth}", "", all(200, "anon", 401)},
	{"POST /api/v1/slots", "", `{"booth_id":"{booth}","starts_at":"{slot_start}","ends_at":"{slot_end}","capacity":2}`, all(403, "anon", 401, "head", 201, "head2", 404)},
	// Staff file walk-ins only (matrixQueue): a resident's request without walk_in is refused.
	{"POST /api/v1/service-requests", "", `{"services":["other"],"fields":{"other":{"subject":"matrix %d"}}}`, all(400, "anon", 401, "admin", 403, residents, 201, responders, 404)},
	{"GET /api/v1/service-requests", "", "", all(200, "anon", 401, "admin", 403, responders, 404)},
	{"GET /api/v1/service-requests/:id", "/api/v1/service-requests/{request}", "", ownRequest(200)},
	{"POST /api/v1/service-requests/:id/transitions", "/api/v1/service-requests/{request}/transitions", `{"to":"in_progress"}`, all(404, "anon", 401, "admin", 403, "resident", 403, "officer", 409, "head", 409)},
	{"POST /api/v1/service-requests/:id/assignment", "/api/v1/service-requests/{request}/assignment", `{"assignee_id":"{officer}"}`, all(404, "anon", 401, "admin", 403, residents, 403, "officer", 200, "head", 200)},
	{"POST /api/v1/service-requests/:id/notes", "/api/v1/service-requests/{request}/notes", `{"text":"note %d"}`, all(404, "anon", 401, "admin", 403, residents, 403, "officer", 201, "head", 201)},
	{"PUT /api/v1/service-requests/:id/checklist", "/api/v1/service-requests/{request}/checklist", `{"checked":[]}`, all(404, "anon", 401, "admin", 403, residents, 403, "officer", 200, "head", 200)},
	{"POST /api/v1/service-requests/:id/attachments", "/api/v1/service-requests/{request}/attachments", `{}`, ownRequest(400)},
	{"GET /api/v1/attachments/:id", "/api/v1/attachments/{attachment}", "", ownRequest(200)},
	{"GET /requests", "", "", all(303, residents, 200, "admin", 403, responders, 404)},
	{"GET /requests/new", "", "", all(403, "anon", 303, residents, 200)},
	{"POST /requests/new", "", "service=", all(403, "anon", 401, residents, 400)},
	{"GET /requests/:id", "/requests/{request}", "", ownRequest(200, "anon", 303)},
	{"POST /requests/:id/move", "/requests/{request}/move", "to=in_progress", all(404, "anon", 401, "admin", 403, "resident", 403, "officer", 409, "head", 409)},
	{"POST /requests/:id/attachments", "/requests/{request}/attachments", "x=1", ownRequest(400)},
	{"POST /requests/:id/checklist", "/requests/{request}/checklist", "x=1", all(404, "anon", 401, "admin", 403, residents, 403, "officer", 303, "head", 303)},
	{"POST /requests/:id/assign", "/requests/{request}/assign", "assignee_id={officer}", all(404, "anon", 401, "admin", 403, residents, 403, "officer", 303, "head", 303)},
	{"POST /requests/:id/note", "/requests/{request}/note", "text=hello", all(404, "anon", 401, "admin", 403, residents, 403, "officer", 303, "head", 303)},
	{"GET /queue", "", "", all(403, "anon", 303, officers, 200, heads, 200)},
	{"GET /catalogue", "", "", all(403, "anon", 303, heads, 200)},
	{"POST /catalogue/slots", "", "booth_id=", all(403, "anon", 401, heads, 400)},
	{"POST /catalogue/:code", "/catalogue/other", "enabled=1&target_minutes=15", all(403, "anon", 401, heads, 303)},
	// Assistance: {call} is the demo resident's open call.
	{"POST /api/v1/assistance-calls", "", `{"category":"other","message":"matrix"}`, all(403, "anon", 401, "resident", 409, "resident2", 201)},
	{"GET /api/v1/assistance-calls", "", "", all(200, "anon", 401, "admin", 403)},
	{"GET /api/v1/assistance-calls/:id", "/api/v1/assistance-calls/{call}", "", ownRequest(200)},
	{"POST /api/v1/assistance-calls/:id/location", "/api/v1/assistance-calls/{call}/location", `{"lat":39.96,"lng":116.3,"accuracy_m":20}`, all(403, "anon", 401, "resident", 200, "resident2", 404)},
	{"POST /api/v1/assistance-calls/:id/messages", "/api/v1/assistance-calls/{call}/messages", `{"text":"msg %d"}`, ownRequest(201)},
	{"POST /api/v1/assistance-calls/:id/transitions", "/api/v1/assistance-calls/{call}/transitions", `{"to":"en_route"}`, all(404, "anon", 401, "admin", 403, "resident", 403, "officer", 409, "head", 409)},
	// Guards and volunteers: the matrix's are not available, so answering
	// the call is a conflict; booth A's officers and head decide whether
	// callers hear of volunteers.
	{"POST /api/v1/assistance-calls/:id/assists", "/api/v1/assistance-calls/{call}/assists", `{"status":"on_my_way"}`, all(403, "anon", 401, responders, 409)},
	{"PUT /api/v1/me/availability", "", `{"available":false}`, all(403, "anon", 401, responders, 200)},
	{"PUT /api/v1/booths/:id/volunteers-visible", "/api/v1/booths/{booth}/volunteers-visible", `{"visible":false}`, all(403, "anon", 401, "officer", 200, "head", 200, "officer2", 404, "head2", 404)},
	{"POST /assists/:id", "/assists/{call}", "status=on_my_way", all(403, "anon", 401, responders, 409)},
	{"POST /availability", "", "available=0", all(403, "anon", 401, responders, 303)},
	{"GET /api/v1/push/key", "", "", all(200, "anon", 401)},
	{"POST /api/v1/push-subscriptions", "", `{"endpoint":"http://127.0.0.1/evil","keys":{"p256dh":"x","auth":"y"}}`, all(400, "anon", 401)},
	{"DELETE /api/v1/push-subscriptions", "", `{"endpoint":"https://push.example/none"}`, all(404, "anon", 401)},
	{"GET /help", "", "", all(403, "anon", 303, residents, 303)},
	{"POST /help", "", "category=other", all(403, "anon", 401, residents, 303)},
	{"GET /calls/:id", "/calls/{call}", "", ownRequest(200, "anon", 303)},
	{"POST /calls/:id/move", "/calls/{call}/move", "to=en_route", all(404, "anon", 401, "admin", 403, "resident", 403, "officer", 409, "head", 409)},
	{"POST /calls/:id/messages", "/calls/{call}/messages", "text=hello", ownRequest(303)},
	{"GET /board", "", "", all(403, "anon", 303, officers, 200, heads, 200)},
	{"POST /api/v1/assistance-calls/:id/handoffs", "/api/v1/assistance-calls/{call}/handoffs", `{"to":"120"}`, all(404, "anon", 401, "admin", 403, residents, 403, "officer", 201, "head", 201)},
	{"POST /calls/:id/handoffs", "/calls/{call}/handoffs", "to=119", all(404, "anon", 401, "admin", 403, residents, 403, "officer", 303, "head", 303)},
	// Photos of {call}: {callphoto} is the caller's. An officer who has not
	// taken the call adds none.
	{"POST /api/v1/assistance-calls/:id/photos", "/api/v1/assistance-calls/{call}/photos", `{}`, ownRequest(400, "officer", 403, "head", 403)},
	{"GET /api/v1/assistance-calls/:id/photos", "/api/v1/assistance-calls/{call}/photos", "", ownRequest(200)},
	{"GET /api/v1/assistance-calls/:id/photos/:photo_id", "/api/v1/assistance-calls/{call}/photos/{callphoto}", "", ownRequest(200)},
	{"GET /api/v1/assistance-calls/:id/photos/:photo_id/thumb", "/api/v1/assistance-calls/{call}/photos/{callphoto}/thumb", "", ownRequest(200)},
	{"POST /calls/:id/photos", "/calls/{call}/photos", "x=1", ownRequest(400, "anon", 401, "officer", 403, "head", 403)},
	// Safety profiles: each resident's own.
	{"GET /api/v1/me/safety-profile", "", "", all(403, "anon", 401, residents, 200)},
	{"PUT /api/v1/me/safety-profile", "", `{"lives_alone":true,"needs":["hearing"]}`, all(403, "anon", 401, residents, 200)},
	{"GET /safety-profile", "", "", all(403, "anon", 303, residents, 200)},
	{"POST /safety-profile", "", "lives_alone=1", all(403, "anon", 401, residents, 303)},
	// Safety timers: {timer} is the demo resident's running timer.
	{"POST /api/v1/safety-timers", "", `{"minutes":30,"note":"matrix"}`, all(403, "anon", 401, "resident", 409, "resident2", 201)},
	{"POST /safety-timer", "", "minutes=30", all(403, "anon", 401, residents, 409)},
	{"GET /safety-timer", "", "", all(403, "anon", 303, residents, 200)},
	{"POST /api/v1/safety-timers/:id/check-in", "/api/v1/safety-timers/{timer}/check-in", "", all(403, "anon", 401, "resident", 200, "resident2", 404)},
	{"POST /safety-timer/:id/check-in", "/safety-timer/{timer}/check-in", "", all(403, "anon", 401, "resident", 409, "resident2", 404)},
	// Shifts: {shift} is a finished shift of the demo officer at booth A.
	{"POST /api/v1/shifts/clock-in", "", `{"booth_id":"{booth}"}`, all(403, "anon", 401, "officer", 201, "officer2", 404)},
	{"GET /api/v1/shifts/current", "", "", all(403, "anon", 401, "officer", 200, "officer2", 404)},
	{"POST /api/v1/shifts/:id/handover-ack", "/api/v1/shifts/{shift}/handover-ack", "", all(403, "anon", 401, "officer", 409, "officer2", 404)},
	{"GET /api/v1/shifts", "", "", all(403, "anon", 401, officers, 200, heads, 200)},
	{"GET /api/v1/shifts/:id", "/api/v1/shifts/{shift}", "", all(403, "anon", 401, "officer", 200, "head", 200, "officer2", 404, "head2", 404)},
	{"POST /api/v1/shifts/:id/entries", "/api/v1/shifts/{shift}/entries", `{"kind":"note","text":"matrix %d"}`, all(403, "anon", 401, "officer", 201, "officer2", 404, heads, 400)},
	{"GET /api/v1/shifts/figures", "", "", all(403, "anon", 401, heads, 200)},
	// A head's dashboard is of their own station: another station's head
	// asking for this one gets 404, every other role 403.
	{"GET /api/v1/dashboard", "/api/v1/dashboard?station_id={station}", "", all(403, "anon", 401, "head", 200, "head2", 404)},
	{"GET /api/v1/shifts.csv", "", "", all(403, "anon", 401, heads, 200)},
	{"POST /api/v1/shifts/clock-out", "", `{"handover_note":"matrix"}`, all(403, "anon", 401, "officer", 200, "officer2", 409)},
	{"PUT /api/v1/me/pin", "", `{"password":"wrong","pin":"123456"}`, all(400, "anon", 401, residents, 403, "admin", 403, responders, 404)},
	{"POST /api/v1/auth/pin", "", `{"officer_id":"{target}","pin":"000000"}`, all(403, "anon", 401, "officer", 400, "officer2", 404)},
	{"GET /shift", "", "", all(403, "anon", 303, officers, 200)},
	{"POST /shift/clock-in", "", "booth_id={booth}", all(403, "anon", 401, "officer", 303, "officer2", 404)},
	{"POST /shift/volunteers-visible", "", "visible=1", all(403, "anon", 401, "officer", 303, "officer2", 404)},
	{"POST /shift/clock-out", "", "handover_note=matrix", all(403, "anon", 401, "officer", 303, "officer2", 409)},
	{"POST /shift/handover/:id", "/shift/handover/{shift}", "", all(403, "anon", 401, "officer", 409, "officer2", 404)},
	{"POST /shift/switch", "", "officer_id={target}&pin=000000", all(403, "anon", 401, officers, 400)},
	{"POST /shift/pin", "", "new_pin=123456&password=wrong", all(403, "anon", 401, officers, 400)},
	{"GET /shifts", "", "", all(403, "anon", 303, heads, 200)},
	{"GET /shifts/:id", "/shifts/{shift}", "", all(403, "anon", 303, "officer", 200, "head", 200, "officer2", 404, "head2", 404)},
	{"POST /shifts/:id/entries", "/shifts/{shift}/entries", "kind=note&text=hello", all(403, "anon", 401, "officer", 303, "officer2", 404, "head", 400, "head2", 404)},
	{"POST /api/v1/shifts/:id/sign-off", "/api/v1/shifts/{shift}/sign-off", `{"comment":"ok"}`, all(403, "anon", 401, "head", 200, "head2", 404)},
	{"POST /shifts/:id/sign-off", "/shifts/{shift}/sign-off", "comment=ok&confirm=1", all(403, "anon", 401, "head", 409, "head2", 404)},
	// Data rights: residents export and delete their own account (here
	// with a wrong password, so the accounts stay); heads set their own
	// station's retention.
	{"GET /api/v1/me/export", "", "", all(403, "anon", 401, residents, 200)},
	{"DELETE /api/v1/me", "", `{"password":"not-my-password"}`, all(403, "anon", 401, residents, 400)},
	{"GET /api/v1/stations/:id/retention", "/api/v1/stations/{station}/retention", "", all(403, "anon", 401, "head", 200, "head2", 404)},
	{"PATCH /api/v1/stations/:id/retention", "/api/v1/stations/{station}/retention", `{"location_retention_days":20}`, all(403, "anon", 401, "head", 200, "head2", 404)},
	{"GET /account/data", "", "", all(403, "anon", 303, residents, 200)},
	{"GET /account/export", "", "", all(403, "anon", 303, residents, 200)},
	{"GET /account/delete", "", "", all(403, "anon", 303, residents, 200)},
	{"POST /account/delete", "", "password=not-my-password&confirm=1", all(403, "anon", 401, residents, 400)},
	{"GET /retention", "", "", all(403, "anon", 303, heads, 200)},
	{"POST /retention", "", "location_retention_days=0", all(403, "anon", 401, heads, 400)},
	{"POST /elder", "", "elder=0&next=/", all(303, "anon", 401)},
	// Family photos: {newborn} is the demo resident's newborn registration
	// with consents {consent} and {consent2}, photos {photo} and {photo2}
	// and a share link {sharelink} whose token is {token}.
	{"POST /api/v1/service-requests/:id/photo-consents", "/api/v1/service-requests/{newborn}/photo-consents", `{"guardian":"陈大明","keep_in_account":true}`, all(403, "anon", 401, "officer", 201, "officer2", 404)},
	{"POST /api/v1/service-requests/:id/photos", "/api/v1/service-requests/{newborn}/photos", `{}`, all(403, "anon", 401, "officer", 400, "officer2", 404)},
	{"POST /api/v1/service-requests/:id/family", "/api/v1/service-requests/{newborn}/family", `{"phone":"13700000000"}`, all(403, "anon", 401, "resident", 202, "resident2", 404)},
	{"GET /api/v1/photos", "", "", all(200, "anon", 401, "admin", 403, responders, 404)},
	{"GET /api/v1/photos/:id", "/api/v1/photos/{photo}", "", ownRequest(200)},
	{"GET /api/v1/photos/:id/thumb", "/api/v1/photos/{photo}/thumb", "", ownRequest(200)},
	{"POST /api/v1/photos/:id/keep", "/api/v1/photos/{photo}/keep", `{"keep":true}`, all(403, "anon", 401, "resident", 200, "resident2", 404)},
	{"POST /api/v1/photos/:id/share-links", "/api/v1/photos/{photo}/share-links", `{"days":3}`, all(403, "anon", 401, "resident", 201, "resident2", 404)},
	{"GET /shared/:token", "/shared/{token}", "", all(200)},
	{"GET /shared/:token/image", "/shared/{token}/image", "", all(200)},
	{"DELETE /api/v1/share-links/:id", "/api/v1/share-links/{sharelink}", "", all(403, "anon", 401, "resident", 204, "resident2", 404)},
	{"POST /api/v1/photo-consents/:id/withdrawal", "/api/v1/photo-consents/{consent}/withdrawal", "", all(403, "anon", 401, "resident", 200, "resident2", 404)},
	{"POST /requests/:id/photo-consent", "/requests/{newborn}/photo-consent", "guardian=陈秀英&keep_in_account=1", all(403, "anon", 401, "officer", 303, "officer2", 404)},
	{"POST /requests/:id/photos", "/requests/{newborn}/photos", "x=1", all(403, "anon", 401, "officer", 400, "officer2", 404)},
	{"POST /requests/:id/family", "/requests/{newborn}/family", "phone=13700000000", all(403, "anon", 401, "resident", 303, "resident2", 404)},
	{"GET /photos", "", "", all(403, "anon", 303, residents, 200)},
	{"POST /photos/:id/keep", "/photos/{photo}/keep", "keep=0", all(403, "anon", 401, "resident", 303, "resident2", 404)},
	{"POST /photos/:id/share", "/photos/{photo}/share", "days=7", all(403, "anon", 401, "resident", 303, "resident2", 404)},
	{"POST /share-links/:id/revoke", "/share-links/{sharelink}/revoke", "", all(403, "anon", 401, "resident", 303, "resident2", 404)},
	{"POST /photo-consents/:id/withdraw", "/photo-consents/{consent2}/withdraw", "", all(403, "anon", 401, "resident", 303, "resident2", 404)},
	{"POST /photos/:id/delete", "/photos/{photo2}/delete", "x=1", all(403, "anon", 401, "resident", 400, "resident2", 404)},
	{"DELETE /api/v1/photos/:id", "/api/v1/photos/{photo2}", "", all(403, "anon", 401, "resident", 204, "resident2", 404)},
	// {invitation} is the demo resident's offer of {newborn}'s photos to
	// the other demo resident, accepted by the first row that may (after the
	// rows above, where the other resident is no family yet).
	{"GET /api/v1/family-invitations", "", "", all(403, "anon", 401, residents, 200)},
	{"POST /api/v1/family-invitations/:id/accept", "/api/v1/family-invitations/{invitation}/accept", "", all(403, "anon", 401, "resident", 404, "resident2", 200)},
	{"POST /api/v1/family-invitations/:id/decline", "/api/v1/family-invitations/{invitation}/decline", "", all(403, "anon", 401, "resident", 404, "resident2", 409)},
	{"POST /family-invitations/:id/accept", "/family-invitations/{invitation}/accept", "", all(403, "anon", 401, "resident", 404, "resident2", 409)},
	{"POST /family-invitations/:id/decline", "/family-invitations/{invitation}/decline", "", all(403, "anon", 401, "resident", 404, "resident2", 409)},
	// Notices: {notice} is the head's anti-fraud notice to the whole demo
	// station; {notice2} and {notice3} are withdrawn by the cells.
	{"GET /api/v1/notices", "", "", all(200, "anon", 401, "admin", 403, responders, 403)},
	{"POST /api/v1/notices", "", `{"title":"矩阵 %d","body":"正文","kind":"safety","severity":"minor"}`, all(403, "anon", 401, officers, 201, heads, 201)},
	{"GET /api/v1/notices.cap.xml", "", "", all(200)},
	{"GET /api/v1/notices/:id", "/api/v1/notices/{notice}", "", ownRequest(200, "resident2", 200, responders, 403)},
	{"GET /api/v1/notices/:id", "/api/v1/notices/{notice}.cap.xml", "", all(200)},
	{"PATCH /api/v1/notices/:id", "/api/v1/notices/{notice}", `{"severity":"extreme"}`, all(404, "anon", 401, residents, 403, "admin", 403, "officer", 200, "head", 200)},
	{"POST /api/v1/notices/:id/withdraw", "/api/v1/notices/{notice2}/withdraw", `{"reason":"matrix"}`, all(404, "anon", 401, residents, 403, "admin", 403, "officer", 200, "head", 409)},
	{"POST /api/v1/notices/:id/read", "/api/v1/notices/{notice}/read", "", all(403, "anon", 401, residents, 200)},
	{"POST /api/v1/notices/:id/acknowledge", "/api/v1/notices/{notice}/acknowledge", "", all(403, "anon", 401, residents, 200)},
	{"GET /api/v1/notices/:id/reach", "/api/v1/notices/{notice}/reach", "", all(403, "anon", 401, "head", 200, "head2", 404)},
	{"GET /notices", "", "", all(200, "anon", 303, "admin", 403, responders, 404)},
	{"GET /notices/new", "", "", all(403, "anon", 303, officers, 200, heads, 200)},
	{"POST /notices/new", "", "title=", all(403, "anon", 401, officers, 400, heads, 400)},
	{"GET /notices/urgent", "", "", all(403, "anon", 303, residents, 200)},
	{"GET /notices/:id", "/notices/{notice}", "", ownRequest(200, "anon", 303, "resident2", 200)},
	{"POST /notices/:id/acknowledge", "/notices/{notice}/acknowledge", "", all(403, "anon", 401, residents, 303)},
	{"GET /notices/:id/edit", "/notices/{notice}/edit", "", all(404, "anon", 303, residents, 403, "admin", 403, "officer", 200, "head", 200)},
	{"POST /notices/:id/edit", "/notices/{notice}/edit", "title=", all(404, "anon", 401, residents, 403, "admin", 403, "officer", 400, "head", 400)},
	{"POST /notices/:id/withdraw", "/notices/{notice3}/withdraw", "reason=matrix", all(404, "anon", 401, residents, 403, "admin", 403, "officer", 303, "head", 409)},
	// Care register: {enrolment} is the demo resident's enrolment. The
	// demo officer is off duty by now, so recording a visit answers 409.
	{"POST /api/v1/care-enrolments", "", `{"reasons":["elderly"],"cadence":"weekly"}`, all(400, "anon", 401, "admin", 403, "resident", 409, "resident2", 201, responders, 404)},
	{"GET /api/v1/care-enrolments", "", "", all(200, "anon", 401, "admin", 403, responders, 404)},
	{"GET /api/v1/care-enrolments/:id", "/api/v1/care-enrolments/{enrolment}", "", ownRequest(200)},
	{"GET /api/v1/visits/due", "/api/v1/visits/due?booth_id={booth}", "", all(403, "anon", 401, officers, 200, heads, 200)},
	{"POST /api/v1/visits", "", `{"enrolment_id":"{enrolment}","outcome":"visited","wellbeing":"good","fraud_warning_given":true,"note":"matrix %d"}`, all(403, "anon", 401, "officer", 409, "officer2", 400)},
	{"GET /api/v1/visits", "", "", all(200, "anon", 401, "admin", 403, responders, 404)},
	{"GET /api/v1/visits/:id", "/api/v1/visits/{visit}", "", ownRequest(200)},
	{"GET /api/v1/visits/figures", "", "", all(403, "anon", 401, heads, 200)},
	{"GET /care", "", "", all(403, "anon", 303, residents, 200)},
	{"POST /visits/new", "", "enrolment_id={enrolment}&outcome=visited&wellbeing=good", all(403, "anon", 401, "officer", 409, "officer2", 400)},
	{"DELETE /api/v1/care-enrolments/:id", "/api/v1/care-enrolments/{enrolment}", "", all(403, "anon", 401, "resident", 204, "resident2", 404)},
	{"POST /care", "", "reasons=lives_alone&cadence=monthly", all(403, "anon", 401, "resident", 303, "resident2", 409)},
	{"POST /care/leave", "", "", all(403, "anon", 401, residents, 303)},
	// Fraud reports: {fraud} is the demo resident's report with a loss,
	// {fraud2} one the officer confirmed.
	{"POST /api/v1/fraud-reports", "", `{"kind":"phone","value":"+86 170-000-%04d","description":"冒充客服"}`, all(403, "anon", 401, residents, 201)},
	{"GET /api/v1/fraud-reports", "", "", all(200, "anon", 401, "admin", 403, responders, 404)},
	{"GET /api/v1/fraud-reports/lookup", "/api/v1/fraud-reports/lookup?kind=phone&value=17012345678", "", all(200, "anon", 401)},
	{"GET /api/v1/fraud-reports/:id", "/api/v1/fraud-reports/{fraud}", "", ownRequest(200)},
	{"POST /api/v1/fraud-reports/:id/transitions", "/api/v1/fraud-reports/{fraud}/transitions", `{"to":"reviewed","note":"matrix"}`, all(404, "anon", 401, residents, 403, "admin", 403, "officer", 200, "head", 409)},
	{"POST /api/v1/fraud-reports/:id/advice", "/api/v1/fraud-reports/{fraud}/advice", "", all(404, "anon", 401, residents, 403, "admin", 403, "officer", 200, "head", 409)},
	// {fraudshot} is a screenshot on {fraud}; only its reporter adds them.
	{"POST /api/v1/fraud-reports/:id/screenshots", "/api/v1/fraud-reports/{fraud}/screenshots", "", all(403, "anon", 401, "resident", 400, "resident2", 404)},
	{"GET /api/v1/fraud-screenshots/:id", "/api/v1/fraud-screenshots/{fraudshot}", "", ownRequest(200)},
	{"POST /fraud/:id/screenshots", "/fraud/{fraud}/screenshots", "x=1", all(403, "anon", 401, "resident", 400, "resident2", 404)},
	{"GET /fraud", "", "", all(200, "anon", 303, "admin", 403, responders, 404)},
	{"POST /fraud", "", "kind=phone&value=", all(403, "anon", 401, residents, 400)},
	{"GET /fraud/check", "/fraud/check?kind=phone&value=17012345678", "", all(200, "anon", 303)},
	{"GET /fraud/:id", "/fraud/{fraud}", "", ownRequest(200, "anon", 303)},
	{"POST /fraud/:id/move", "/fraud/{fraud}/move", "to=dismissed", all(404, "anon", 401, residents, 403, "admin", 403, "officer", 303, "head", 409)},
	{"POST /fraud/:id/advice", "/fraud/{fraud}/advice", "", all(404, "anon", 401, residents, 403, "admin", 403, "officer", 409, "head", 409)},
	{"GET /fraud/:id/notice", "/fraud/{fraud2}/notice", "", all(404, "anon", 303, residents, 403, "admin", 403, "officer", 200, "head", 200)},
	// Last: signing out ends each caller's session.
	{"POST /api/v1/auth/logout", "", "", all(204, "anon", 401)},
	{"POST /logout", "", "", all(303)},
}

// matrixWorld is the demo data plus what the matrix cells name: a second
// station with its head and officer, records of the demo resident, of the
// other resident and of the other station, and a token for each caller.
type matrixWorld struct {
	ts                *testServer
	tokens            map[string]string
	placeholders      *strings.Replacer
	otherPlaceholders []string
	queuePlaceholders []string
	dataDir           string // holds the blob store
}

func newMatrixWorld(t *testing.T) *matrixWorld {
	t.Helper()
	dataDir := t.TempDir()
	ts := newTestServer(t, map[string]string{"POLICEBOOTH_DATA_DIR": dataDir})
	ts.demo(t)
	admin := ts.login(t, "13700000000")

	// A second station with its head and officer, and two officers of the
	// demo station: one kept, one whose account the staff actions change.
	var station2, me struct{ ID string }
	ts.api(t, "POST", "/api/v1/stations", admin.AccessToken, map[string]string{"name": "朝阳派出所"}, &station2)
	ts.api(t, "GET", "/api/v1/me", ts.login(t, "13800000000").AccessToken, nil, &me)
	mkStaff := func(phone, role, station string) string {
		var u struct{ ID, StationID string }
		resp := ts.api(t, "POST", "/api/v1/staff", admin.AccessToken, map[string]string{
			"phone": phone, "name": "矩阵" + phone[7:], "password": "matrix-pass-0", "role": role, "station_id": station, "badge_no": "8" + phone[6:],
		}, &u)
		if resp.StatusCode != 201 {
			t.Fatalf("create %s %s: %d", role, phone, resp.StatusCode)
		}
		return u.ID
	}
	var demoStation struct {
		StationID string `json:"station_id"`
	}
	ts.api(t, "GET", "/api/v1/me", ts.login(t, "13800000001").AccessToken, nil, &demoStation)
	target := mkStaff("13700000011", "officer", demoStation.StationID)
	mkStaff("13700000012", "head", station2.ID)
	officer2 := mkStaff("13700000013", "officer", station2.ID)
	firstLogin := func(phone string) string {
		var p pair
		ts.api(t, "POST", "/api/v1/auth/login", "", map[string]string{"phone": phone, "password": "matrix-pass-0"}, &p)
		if resp := ts.api(t, "PATCH", "/api/v1/me", p.AccessToken, map[string]string{"current_password": "matrix-pass-0", "password": "matrix-pass-9"}, nil); resp.StatusCode != 200 {
			t.Fatalf("first password change of %s: %d", phone, resp.StatusCode)
		}
		return p.AccessToken
	}
	tokens := map[string]string{
		"anon":      "",
		"resident":  ts.login(t, "13900000001").AccessToken,
		"resident2": ts.login(t, "13900000002").AccessToken,
		"officer":   ts.login(t, "13800000001").AccessToken,
		"officer2":  firstLogin("13700000013"),
		"head":      ts.login(t, "13800000000").AccessToken,
		"head2":     firstLogin("13700000012"),
		"admin":     admin.AccessToken,
	}
	_ = me
	var demoBooths struct{ Items []struct{ ID, Name string } }
	ts.api(t, "GET", "/api/v1/booths", "", nil, &demoBooths)
	for _, role := range []string{"guard", "volunteer"} {
		phone := map[string]string{"guard": "13700000014", "volunteer": "13700000015"}[role]
		resp := ts.api(t, "POST", "/api/v1/staff", tokens["head"], map[string]string{
			"phone": phone, "name": "矩阵" + phone[7:], "password": "matrix-pass-0", "role": role, "booth_id": demoBooths.Items[0].ID,
		}, nil)
		if resp.StatusCode != 201 {
			t.Fatalf("create %s: %d", role, resp.StatusCode)
		}
		tokens[role] = firstLogin(phone)
	}

	// The demo resident's request with one document, and the ids the cells name.
	var booths struct{ Items []struct{ ID, Name string } }
	ts.api(t, "GET", "/api/v1/booths", "", nil, &booths)
	var req, officerMe struct{ ID string }
	if resp := ts.api(t, "POST", "/api/v1/service-requests", tokens["resident"], map[string]any{"services": []string{"other"}, "fields": map[string]any{"other": map[string]string{"subject": "咨询"}}}, &req); resp.StatusCode != 201 {
		t.Fatalf("create the matrix request: %d", resp.StatusCode)
	}
	attachment := ts.upload(t, "/api/v1/service-requests/"+req.ID+"/attachments", tokens["resident"], "scan.png", pngBytes(t))
	ts.api(t, "GET", "/api/v1/me", tokens["officer"], nil, &officerMe)
	var call struct{ ID string }
	if resp := ts.api(t, "POST", "/api/v1/assistance-calls", tokens["resident"], map[string]string{"category": "medical"}, &call); resp.StatusCode != 201 {
		t.Fatalf("create the matrix call: %d", resp.StatusCode)
	}
	var callPhoto struct{ ID string }
	if resp, body := ts.postPhoto(t, "/api/v1/assistance-calls/"+call.ID+"/photos", tokens["resident"], pngBytes(t)); resp.StatusCode != 201 || json.Unmarshal(body, &callPhoto) != nil {
		t.Fatalf("the matrix call's photo: %d %s", resp.StatusCode, body)
	}
	var timer struct{ ID string }
	if resp := ts.api(t, "POST", "/api/v1/safety-timers", tokens["resident"], map[string]any{"minutes": 240}, &timer); resp.StatusCode != 201 {
		t.Fatalf("start the matrix safety timer: %d", resp.StatusCode)
	}
	var enrolment struct{ ID string }
	if resp := ts.api(t, "POST", "/api/v1/care-enrolments", tokens["resident"], map[string]any{"reasons": []string{"elderly"}, "cadence": "weekly"}, &enrolment); resp.StatusCode != 201 {
		t.Fatalf("create the matrix enrolment: %d", resp.StatusCode)
	}
	var shift struct{ ID string }
	ts.api(t, "POST", "/api/v1/shifts/clock-in", tokens["officer"], map[string]string{"booth_id": booths.Items[0].ID}, nil)
	var visit struct{ ID string }
	if resp := ts.api(t, "POST", "/api/v1/visits", tokens["officer"], map[string]any{"enrolment_id": enrolment.ID, "outcome": "visited", "wellbeing": "good"}, &visit); resp.StatusCode != 201 {
		t.Fatalf("the matrix visit: %d", resp.StatusCode)
	}
	if resp := ts.api(t, "POST", "/api/v1/shifts/clock-out", tokens["officer"], map[string]string{"handover_note": "矩阵交接"}, &shift); resp.StatusCode != 200 {
		t.Fatalf("the matrix shift: %d", resp.StatusCode)
	}
	notices := make([]string, 3)
	for i := range notices {
		var n struct{ ID string }
		body := map[string]any{"title": "矩阵通告", "body": "正文", "kind": "anti_fraud", "severity": "severe"}
		if resp := ts.api(t, "POST", "/api/v1/notices", tokens["head"], body, &n); resp.StatusCode != 201 {
			t.Fatalf("create the matrix notice: %d", resp.StatusCode)
		}
		notices[i] = n.ID
	}
	var fraud, fraud2 struct{ ID string }
	if resp := ts.api(t, "POST", "/api/v1/fraud-reports", tokens["resident"], map[string]any{"kind": "phone", "value": "+86 170-1234-5678", "loss_yuan": 5000}, &fraud); resp.StatusCode != 201 {
		t.Fatalf("the matrix fraud report: %d", resp.StatusCode)
	}
	ts.api(t, "POST", "/api/v1/fraud-reports", tokens["resident"], map[string]any{"kind": "url", "value": "https://pay.example.com/x"}, &fraud2)
	var fraudShot struct{ ID string }
	if resp, body := ts.uploadScreenshot(t, fraud.ID, tokens["resident"], pngBytes(t)); resp.StatusCode != 201 || json.Unmarshal(body, &fraudShot) != nil {
		t.Fatalf("the matrix screenshot: %d %s", resp.StatusCode, body)
	}
	if resp := ts.api(t, "POST", "/api/v1/fraud-reports/"+fraud2.ID+"/transitions", tokens["officer"], map[string]any{"to": "confirmed"}, nil); resp.StatusCode != 200 {
		t.Fatalf("confirm the matrix fraud report: %d", resp.StatusCode)
	}
	w := &matrixWorld{ts: ts, tokens: tokens, dataDir: dataDir}
	w.others(t, admin.AccessToken, station2.ID, officer2)
	fixed := []string{"{notice}", notices[0], "{notice2}", notices[1], "{notice3}", notices[2],
		"{shift}", shift.ID, "{station}", demoStation.StationID, "{target}", target, "{request}", req.ID,
		"{attachment}", attachment, "{booth}", booths.Items[0].ID, "{officer}", officerMe.ID, "{call}", call.ID, "{timer}", timer.ID, "{enrolment}", enrolment.ID, "{visit}", visit.ID, "{fraud}", fraud.ID, "{fraud2}", fraud2.ID, "{fraudshot}", fraudShot.ID, "{callphoto}", callPhoto.ID}
	fixed = append(fixed, photoFixtures(t, ts, tokens["resident"], tokens["officer"])...)
	// A booking slot a month ahead of the server's clock, whatever the date.
	slot := ts.store.Now().AddDate(0, 1, 0).Truncate(time.Hour)
	fixed = append(fixed, "{slot_start}", slot.Format(time.RFC3339), "{slot_end}", slot.Add(30*time.Minute).Format(time.RFC3339))
	w.queue(t, booths.Items[0].ID)
	w.placeholders = strings.NewReplacer(slices.Concat(fixed, w.otherPlaceholders, w.queuePlaceholders)...)
	return w

}

func TestAuthorizationMatrix(t *testing.T) {
	w := newMatrixWorld(t)
	ts, tokens, placeholders := w.ts, w.tokens, w.placeholders
	covered := map[string]bool{}
	var n atomic.Int64
	cells := slices.Concat(matrixOthers, matrixQueue, matrix)
	t.Logf("authorisation matrix: %d routes, %d rows, %d cells", len(ts.routes), len(cells), len(cells)*len(callers))
	for _, cell := range cells {
		covered[cell.route] = true
		method, route, _ := strings.Cut(cell.route, " ")
		path := cell.path
		if path == "" {
			path = route
		}
		path = placeholders.Replace(path)
		for _, who := range callers {
			want, ok := cell.want[who]
			if !ok {
				t.Fatalf("%s: no expectation for %s", cell.route, who)
			}
			body := cell.body
			if strings.Contains(body, "%") {
				body = fmt.Sprintf(strings.ReplaceAll(body, "%05d", "%05[1]d"), n.Add(1))
			}
			body = placeholders.Replace(body)
			header := map[string]string{}
			if tokens[who] != "" {
				header["Authorization"] = "Bearer " + tokens[who]
			}
			if body != "" && !strings.HasPrefix(path, "/api/") {
				header["Content-Type"] = "application/x-www-form-urlencoded"
			}
			resp, text := ts.doNoRedirect(t, method, path, body, header)
			if resp.StatusCode != want {
				t.Errorf("%s %s as %s: %d, want %d (%.120s)", method, path, who, resp.StatusCode, want, text)
			}
			checkHardening(t, method+" "+path+" as "+who, resp, false)
		}
	}
	for _, r := range ts.routes {
		if !covered[r] {
			t.Errorf("route %s is not in the authorisation matrix", r)
		}
	}
	for r := range covered {
		if !slices.Contains(ts.routes, r) {
			t.Errorf("matrix route %s is not registered", r)
		}
	}
}

// doNoRedirect is do without following redirects.
func (ts *testServer) doNoRedirect(t *testing.T, method, path, body string, header map[string]string) (*http.Response, string) {
	t.Helper()
	client := *ts.Client()
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	req, err := http.NewRequest(method, ts.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body != "" && header["Content-Type"] == "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var sb strings.Builder
	buf := make([]byte, 512)
	n, _ := resp.Body.Read(buf)
	sb.Write(buf[:n])
	return resp, sb.String()
}
