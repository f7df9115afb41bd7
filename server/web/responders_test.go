package web_test

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"policebooth/server/app"
	"policebooth/server/auth"
	"policebooth/server/store"
)

// demoBooths returns the demo station's booths A and B.
func (ts *testServer) demoBooths(t *testing.T) (a, b string) {
	t.Helper()
	var booths struct{ Items []struct{ ID, Name string } }
	ts.api(t, "GET", "/api/v1/booths", "", nil, &booths)
	for _, x := range booths.Items {
		switch x.Name {
		case "A":
			a = x.ID
		case "B":
			b = x.ID
		}
	}
	if a == "" || b == "" {
		t.Fatalf("demo booths: %+v", booths.Items)
	}
	return a, b
}

// responder has the head create a guard or volunteer of a booth, sets the
// first password as the person would, and signs them in.
func (ts *testServer) responder(t *testing.T, headToken, role, phone, booth string) pair {
	t.Helper()
	var created struct {
		ID                 string
		Role               string
		BoothID            string `json:"booth_id"`
		StationID          string `json:"station_id"`
		MustChangePassword bool   `json:"must_change_password"`
		Available          *bool
	}
	resp := ts.api(t, "POST", "/api/v1/staff", headToken, map[string]string{"phone": phone, "name": role + phone[7:], "password": "first-pass-7", "role": role, "booth_id": booth}, &created)
	if resp.StatusCode != 201 || created.Role != role || created.BoothID != booth || created.StationID != "" || !created.MustChangePassword || created.Available == nil || *created.Available {
		t.Fatalf("head creates a %s of booth %s: %d %+v", role, booth, resp.StatusCode, created)
	}
	id, _ := strconv.ParseInt(created.ID, 10, 64)
	hash, err := auth.HashPassword(store.DemoPassword)
	if err != nil {
		t.Fatal(err)
	}
	if err := ts.store.SetPassword(context.Background(), id, hash, 0); err != nil {
		t.Fatal(err)
	}
	return ts.login(t, phone)
}

func TestHeadsCreateGuardsAndVolunteersOfTheirBooths(t *testing.T) {
	ts := newTestServer(t, nil)
	ts.demo(t)
	head := ts.login(t, "13800000000").AccessToken
	officer := ts.login(t, "13800000001").AccessToken
	a, _ := ts.demoBooths(t)
	ts.responder(t, head, "guard", "13600000021", a)
	ts.responder(t, head, "volunteer", "13600000022", a)

	for _, tc := range []struct {
		name, token string
		body        map[string]string
		status      int
	}{
		{"volunteer without a booth", head, map[string]string{"phone": "13600000023", "name": "x", "password": "first-pass-7", "role": "volunteer"}, 400},
		{"guard of a missing booth", head, map[string]string{"phone": "13600000024", "name": "x", "password": "first-pass-7", "role": "guard", "booth_id": "999999"}, 400},
		{"officer creates a volunteer", officer, map[string]string{"phone": "13600000025", "name": "x", "password": "first-pass-7", "role": "volunteer", "booth_id": a}, 403},
		{"unknown role", head, map[string]string{"phone": "13600000026", "name": "x", "password": "first-pass-7", "role": "chief", "booth_id": a}, 400},
	} {
		if resp := ts.api(t, "POST", "/api/v1/staff", tc.token, tc.body, nil); resp.StatusCode != tc.status {
			t.Errorf("%s: %d, want %d", tc.name, resp.StatusCode, tc.status)
		}
	}
	var staff struct {
		Items []struct{ Role, BoothID string }
	}
	ts.api(t, "GET", "/api/v1/staff", head, nil, &staff)
	var roles []string
	for _, u := range staff.Items {
		roles = append(roles, u.Role)
	}
	if !slices.Contains(roles, "guard") || !slices.Contains(roles, "volunteer") {
		t.Fatalf("the head's staff list: %v, want the guard and the volunteer among them", roles)
	}

	// The head's page creates a guard without a badge and lists them as one.
	hdr := map[string]string{"Authorization": "Bearer " + head, "Content-Type": "application/x-www-form-urlencoded"}
	resp, html := ts.do(t, "POST", "/staff", "phone=13600000027&name=%E9%92%B1%E4%BF%9D%E5%AE%89&password=first-pass-7&role=guard&booth_id="+a, hdr)
	if resp.StatusCode != 200 || !strings.Contains(html, "钱保安") || !strings.Contains(html, "<td>保安</td>") {
		t.Fatalf("the head's page creates a guard: %d", resp.StatusCode)
	}
}

func TestVolunteerSeesTheirBoothsNewCallLiveAndNothingElse(t *testing.T) {
	ts := newTestServer(t, nil)
	ts.demo(t)
	head := ts.login(t, "13800000000").AccessToken
	officer := ts.login(t, "13800000001").AccessToken
	resident := ts.login(t, "13900000001").AccessToken
	boothA, boothB := ts.demoBooths(t)
	volA := ts.responder(t, head, "volunteer", "13600000031", boothA).AccessToken
	volB := ts.responder(t, head, "volunteer", "13600000032", boothB).AccessToken

	// Off by default: no calls listed, nothing live.
	var calls struct{ Items []map[string]any }
	ts.api(t, "GET", "/api/v1/assistance-calls", volA, nil, &calls)
	if len(calls.Items) != 0 {
		t.Fatalf("an unavailable volunteer lists %+v", calls.Items)
	}
	for _, tok := range []string{volA, volB} {
		var me struct{ Available bool }
		if resp := ts.api(t, "PUT", "/api/v1/me/availability", tok, map[string]bool{"available": true}, &me); resp.StatusCode != 200 || !me.Available {
			t.Fatalf("available: %d %+v", resp.StatusCode, me)
		}
	}
	streamA, streamB := ts.stream(t, volA, ""), ts.stream(t, volB, "")

	var call struct{ ID string }
	if resp := ts.api(t, "POST", "/api/v1/assistance-calls", resident, map[string]any{"category": "medical", "message": "老伴摔倒了", "lat": 39.9600, "lng": 116.2990, "accuracy_m": 15, "booth_id": boothA}, &call); resp.StatusCode != 201 {
		t.Fatalf("call: %d", resp.StatusCode)
	}
	ev := streamA.next(t)
	if ev.Name != "assistance.created" || ev.Data["id"] != call.ID || ev.Data["status"] != "open" {
		t.Fatalf("booth A's volunteer got %+v, want the new call", ev)
	}
	time.Sleep(300 * time.Millisecond)
	streamB.none(t)

	// The list is the reduced shape: no caller, position, profile or messages.
	ts.api(t, "GET", "/api/v1/assistance-calls", volA, nil, &calls)
	if len(calls.Items) != 1 || calls.Items[0]["id"] != call.ID || calls.Items[0]["category"] != "medical" || calls.Items[0]["message"] != "老伴摔倒了" {
		t.Fatalf("booth A's volunteer lists %+v", calls.Items)
	}
	for key := range calls.Items[0] {
		if !slices.Contains([]string{"id", "status", "category", "message", "distance_m", "created_at"}, key) {
			t.Errorf("the volunteer's call carries %s", key)
		}
	}
	if d, ok := calls.Items[0]["distance_m"].(float64); !ok || d <= 0 || d > 1000 {
		t.Errorf("distance_m = %v, want the few hundred metres from booth A", calls.Items[0]["distance_m"])
	}
	ts.api(t, "GET", "/api/v1/assistance-calls", volB, nil, &calls)
	if len(calls.Items) != 0 {
		t.Fatalf("booth B's volunteer lists %+v", calls.Items)
	}

	// On my way; the other booth's volunteer cannot answer it.
	if resp := ts.api(t, "POST", "/api/v1/assistance-calls/"+call.ID+"/assists", volB, map[string]string{"status": "on_my_way"}, nil); resp.StatusCode != 404 {
		t.Errorf("booth B's volunteer answers booth A's call: %d, want 404", resp.StatusCode)
	}
	if resp := ts.api(t, "POST", "/api/v1/assistance-calls/"+call.ID+"/assists", volA, map[string]string{"status": "coming"}, nil); resp.StatusCode != 400 {
		t.Errorf("a made-up status: %d, want 400", resp.StatusCode)
	}
	if resp := ts.api(t, "POST", "/api/v1/assistance-calls/"+call.ID+"/assists", volA, map[string]string{"status": "on_my_way"}, nil); resp.StatusCode != 201 {
		t.Fatalf("on my way: %d", resp.StatusCode)
	}
	if ev := streamA.without("assistance.escalated").next(t); ev.Name != "assistance.updated" || ev.Data["assist"] != "on_my_way" {
		t.Fatalf("booth A's volunteer got %+v, want their answer", ev)
	}

	// Nothing of the caller: the call, its messages, the requests, photos.
	var req struct{ ID string }
	ts.api(t, "POST", "/api/v1/service-requests", resident, map[string]any{"services": []string{"other"}, "fields": map[string]any{"other": map[string]string{"subject": "x"}}}, &req)
	for _, path := range []string{
		"GET /api/v1/assistance-calls/" + call.ID,
		"POST /api/v1/assistance-calls/" + call.ID + "/messages",
		"POST /api/v1/assistance-calls/" + call.ID + "/transitions",
		"GET /api/v1/service-requests/" + req.ID,
		"GET /api/v1/service-requests",
		"GET /api/v1/photos",
		"GET /api/v1/photos/1",
		"GET /api/v1/me/safety-profile",
		"GET /api/v1/shifts",
	} {
		method, p, _ := strings.Cut(path, " ")
		if resp := ts.api(t, method, p, volA, map[string]string{"text": "hi", "to": "resolved"}, nil); resp.StatusCode != 404 {
			t.Errorf("booth A's volunteer: %s: %d, want 404", path, resp.StatusCode)
		}
	}

	// The caller hears of the volunteer only once the booth allows it.
	var mine struct {
		VolunteerOnTheWay bool `json:"volunteer_on_the_way"`
	}
	ts.api(t, "GET", "/api/v1/assistance-calls/"+call.ID, resident, nil, &mine)
	if mine.VolunteerOnTheWay {
		t.Fatal("the caller is told of a volunteer the booth does not announce")
	}
	if resp := ts.api(t, "PUT", "/api/v1/booths/"+boothA+"/volunteers-visible", officer, map[string]bool{"visible": true}, nil); resp.StatusCode != 200 {
		t.Fatalf("officer allows it: %d", resp.StatusCode)
	}
	ts.api(t, "GET", "/api/v1/assistance-calls/"+call.ID, resident, nil, &mine)
	if !mine.VolunteerOnTheWay {
		t.Fatal("the caller is not told that a volunteer is on the way")
	}
	var seen struct {
		Assists []struct {
			UserID string `json:"user_id"`
			Status string
		}
	}
	ts.api(t, "GET", "/api/v1/assistance-calls/"+call.ID, officer, nil, &seen)
	if len(seen.Assists) != 1 || seen.Assists[0].Status != "on_my_way" {
		t.Fatalf("the officer sees assists %+v", seen.Assists)
	}

	// Unavailable again: the list empties and answers are refused.
	ts.api(t, "PUT", "/api/v1/me/availability", volA, map[string]bool{"available": false}, nil)
	ts.api(t, "GET", "/api/v1/assistance-calls", volA, nil, &calls)
	if len(calls.Items) != 0 {
		t.Fatalf("an unavailable volunteer lists %+v", calls.Items)
	}
	if resp := ts.api(t, "POST", "/api/v1/assistance-calls/"+call.ID+"/assists", volA, map[string]string{"status": "arrived"}, nil); resp.StatusCode != 409 {
		t.Errorf("an unavailable volunteer answers: %d, want 409", resp.StatusCode)
	}
	// The officer names the volunteer on a patrol entry; not a resident.
	var volMe struct{ ID string }
	ts.api(t, "GET", "/api/v1/me", volA, nil, &volMe)
	var shift struct{ ID string }
	if resp := ts.api(t, "POST", "/api/v1/shifts/clock-in", officer, map[string]string{"booth_id": boothA}, &shift); resp.StatusCode != 201 {
		t.Fatalf("clock in: %d", resp.StatusCode)
	}
	var residentMe struct{ ID string }
	ts.api(t, "GET", "/api/v1/me", resident, nil, &residentMe)
	if resp := ts.api(t, "POST", "/api/v1/shifts/"+shift.ID+"/entries", officer, map[string]any{"kind": "patrol", "text": "巡逻", "participants": []string{residentMe.ID}}, nil); resp.StatusCode != 400 {
		t.Errorf("a resident as a patrol participant: %d, want 400", resp.StatusCode)
	}
	if resp := ts.api(t, "POST", "/api/v1/shifts/"+shift.ID+"/entries", officer, map[string]any{"kind": "patrol", "text": "与志愿者巡逻", "participants": []string{volMe.ID}}, nil); resp.StatusCode != 201 {
		t.Fatalf("patrol with the volunteer: %d", resp.StatusCode)
	}
	var logged struct {
		Entries []struct {
			Kind         string
			Participants []struct {
				UserID string `json:"user_id"`
			}
		}
	}
	ts.api(t, "GET", "/api/v1/shifts/"+shift.ID, officer, nil, &logged)
	found := false
	for _, e := range logged.Entries {
		found = found || (e.Kind == "patrol" && len(e.Participants) == 1 && e.Participants[0].UserID == volMe.ID)
	}
	if !found {
		t.Fatalf("the shift's log: %+v, want the patrol with the volunteer", logged.Entries)
	}
	if app.Role("volunteer").Staff() {
		t.Fatal("volunteers count as staff")
	}
}

func TestVolunteersTabletPageTogglesAvailabilityAndAnswersCalls(t *testing.T) {
	ts := newTestServer(t, nil)
	ts.demo(t)
	head := ts.login(t, "13800000000").AccessToken
	officer := ts.login(t, "13800000001").AccessToken
	resident := ts.login(t, "13900000001").AccessToken
	boothA, _ := ts.demoBooths(t)
	vol := ts.responder(t, head, "volunteer", "13600000041", boothA).AccessToken
	form := func(token string) map[string]string {
		return map[string]string{"Authorization": "Bearer " + token, "Content-Type": "application/x-www-form-urlencoded"}
	}

	resp, html := ts.do(t, "GET", "/", "", form(vol))
	if resp.StatusCode != 200 || !strings.Contains(html, "我现在可以出动") || strings.Contains(html, "live-responder") {
		t.Fatalf("the volunteer's home while unavailable: %d, want the switch and no calls", resp.StatusCode)
	}
	var call struct{ ID string }
	ts.api(t, "POST", "/api/v1/assistance-calls", resident, map[string]any{"category": "lost_person", "message": "孙子走丢了", "booth_id": boothA}, &call)
	resp, html = ts.do(t, "POST", "/availability", "available=1", form(vol))
	if resp.StatusCode != 200 || !strings.Contains(html, "我现在不能出动") || !strings.Contains(html, `data-responder-call="`+call.ID+`"`) || !strings.Contains(html, "孙子走丢了") {
		t.Fatalf("after marking available: %d, want the booth's call on the page", resp.StatusCode)
	}
	if strings.Contains(html, "陈") || strings.Contains(html, "13900000001") {
		t.Fatal("the volunteer's page names the caller")
	}
	ts.api(t, "PUT", "/api/v1/booths/"+boothA+"/volunteers-visible", officer, map[string]bool{"visible": true}, nil)
	resp, html = ts.do(t, "POST", "/assists/"+call.ID, "status=on_my_way", form(vol))
	if resp.StatusCode != 200 || !strings.Contains(html, "您已回复：在路上") {
		t.Fatalf("on my way from the page: %d", resp.StatusCode)
	}
	if _, page := ts.do(t, "GET", "/calls/"+call.ID, "", form(resident)); !strings.Contains(page, "一位社区志愿者正在赶来。") {
		t.Fatal("the caller's page does not say a volunteer is on the way")
	}
}

// On the tablet the officer ticks the volunteer who went along on a patrol
// entry, and the shift's log names them.
func TestPatrolEntryNamesTheVolunteerAlongOnTheTablet(t *testing.T) {
	ts := newTestServer(t, nil)
	ts.demo(t)
	head := ts.login(t, "13800000000").AccessToken
	officer := ts.login(t, "13800000001").AccessToken
	boothA, _ := ts.demoBooths(t)
	vol := ts.responder(t, head, "volunteer", "13600000042", boothA).AccessToken
	var volMe struct{ ID, Name string }
	ts.api(t, "GET", "/api/v1/me", vol, nil, &volMe)
	var shift struct{ ID string }
	if resp := ts.api(t, "POST", "/api/v1/shifts/clock-in", officer, map[string]string{"booth_id": boothA}, &shift); resp.StatusCode != 201 {
		t.Fatalf("clock in: %d", resp.StatusCode)
	}
	form := map[string]string{"Authorization": "Bearer " + officer, "Content-Type": "application/x-www-form-urlencoded"}
	_, page := ts.do(t, "GET", "/shift", "", form)
	if !strings.Contains(page, `name="participants" value="`+volMe.ID+`"`) {
		t.Fatal("the shift page offers no volunteer to tick")
	}
	// The form's answer is the shift page it redirects to.
	resp, page := ts.do(t, "POST", "/shifts/"+shift.ID+"/entries", "kind=patrol&text=%E5%B7%A1%E9%80%BB&participants="+volMe.ID, form)
	if resp.StatusCode != 200 || resp.Request.URL.Path != "/shift" || strings.Contains(page, "field-error") {
		t.Fatalf("patrol entry from the tablet: %d at %s, want the shift page without errors", resp.StatusCode, resp.Request.URL)
	}
	if !strings.Contains(page, "同行："+volMe.Name) {
		t.Fatalf("the shift log does not name %s along on the patrol", volMe.Name)
	}

	// The officer lets the booth's callers know when a volunteer is on the
	// way, from the same page.
	if !strings.Contains(page, "告诉求助群众") {
		t.Fatal("the shift page offers no switch for telling callers")
	}
	resp, page = ts.do(t, "POST", "/shift/volunteers-visible", "visible=1", form)
	if resp.StatusCode != 200 || !strings.Contains(page, "不再提示") {
		t.Fatalf("telling callers from the tablet: %d", resp.StatusCode)
	}
	id, _ := strconv.ParseInt(boothA, 10, 64)
	if b, err := ts.store.FindBooth(context.Background(), id); err != nil || !b.VolunteersVisible {
		t.Errorf("the booth does not tell its callers after the switch (%v)", err)
	}
}
