package web_test

import (
	"fmt"
	"html"
	"strings"
	"testing"

	"policebooth/server/app"
)

// staffCallOut is a call as its station's staff read it.
type staffCallOut struct {
	ID     string
	Caller *struct {
		Name      string
		Phone     string
		ElderMode bool `json:"elder_mode"`
	}
	Profile *struct {
		LivesAlone bool `json:"lives_alone"`
		Needs      []string
	}
	Trail    []struct{ Lat, Lng float64 }
	Map      *struct{ AMap, Baidu, Geo string }
	Timeline []struct{ Kind, To, Note string }
}

func TestRespondersSeeCallerProfilePlaceAndHandOff(t *testing.T) {
	ts := newTestServer(t, nil)
	ts.demo(t)
	resident := ts.login(t, "13900000001").AccessToken
	officer := ts.login(t, "13800000001").AccessToken
	bearer := func(tok string) map[string]string { return map[string]string{"Authorization": "Bearer " + tok} }

	profile := map[string]any{"lives_alone": true, "needs": []string{"hearing"}, "medical_notes": "高血压",
		"emergency_contacts": []map[string]string{{"name": "王强", "phone": "139 0000 0099", "relation": "儿子"}}, "notify_contacts": true}
	var saved struct {
		EmergencyContacts []struct{ Phone string } `json:"emergency_contacts"`
	}
	if resp := ts.api(t, "PUT", "/api/v1/me/safety-profile", resident, profile, &saved); resp.StatusCode != 200 || saved.EmergencyContacts[0].Phone != "13900000099" {
		t.Fatalf("save profile: %d %+v", resp.StatusCode, saved)
	}
	bad := map[string]any{"emergency_contacts": []map[string]string{{"name": "王强", "phone": "12345"}}}
	if resp := ts.api(t, "PUT", "/api/v1/me/safety-profile", resident, bad, nil); resp.StatusCode != 400 {
		t.Errorf("a contact with a bad phone: %d, want 400", resp.StatusCode)
	}

	lat, lng := 39.9610, 116.3010
	var call struct{ ID string }
	if resp := ts.api(t, "POST", "/api/v1/assistance-calls", resident, map[string]any{"category": "medical", "lat": lat, "lng": lng, "accuracy_m": 30}, &call); resp.StatusCode != 201 {
		t.Fatalf("call: %d", resp.StatusCode)
	}
	ts.api(t, "POST", "/api/v1/assistance-calls/"+call.ID+"/location", resident, map[string]float64{"lat": 39.9612, "lng": 116.3012, "accuracy_m": 12}, nil)
	lat, lng = 39.9612, 116.3012

	var seen staffCallOut
	ts.api(t, "GET", "/api/v1/assistance-calls/"+call.ID, officer, nil, &seen)
	if seen.Caller == nil || seen.Caller.Phone != "13900000001" || seen.Caller.Name == "" {
		t.Fatalf("staff see caller %+v", seen.Caller)
	}
	if seen.Profile == nil || !seen.Profile.LivesAlone || strings.Join(seen.Profile.Needs, ",") != "hearing" {
		t.Fatalf("staff see profile %+v", seen.Profile)
	}
	if len(seen.Trail) != 2 || seen.Trail[0].Lat != lat {
		t.Fatalf("trail %+v, want the two positions, newest first", seen.Trail)
	}
	gcj := app.WGS84ToGCJ02(app.LatLng{Lat: lat, Lng: lng})
	bd := app.WGS84ToBD09(app.LatLng{Lat: lat, Lng: lng})
	amap := fmt.Sprintf("position=%.6f,%.6f", gcj.Lng, gcj.Lat)
	baidu := fmt.Sprintf("location=%.6f,%.6f", bd.Lat, bd.Lng)
	if seen.Map == nil || !strings.Contains(seen.Map.AMap, amap) || !strings.Contains(seen.Map.Baidu, baidu) || seen.Map.Geo != fmt.Sprintf("geo:%.6f,%.6f", lat, lng) {
		t.Fatalf("map links %+v, want AMap %s and Baidu %s", seen.Map, amap, baidu)
	}

	// The caller's own view carries no identity, profile or trail block.
	_, own := ts.do(t, "GET", "/api/v1/assistance-calls/"+call.ID, "", bearer(resident))
	for _, key := range []string{`"caller"`, `"profile"`, `"trail"`, `"map"`} {
		if strings.Contains(own, key) {
			t.Errorf("the caller's own view has %s", key)
		}
	}

	// The board: name, ring-back, the reminder and the converted links.
	_, board := ts.do(t, "GET", "/board", "", bearer(officer))
	board = html.UnescapeString(board)
	for _, want := range []string{`href="tel:13900000001"`, "听障：只发文字", "独居", amap, baidu, "在 A 亭"} {
		if !strings.Contains(board, want) {
			t.Errorf("the board lacks %q", want)
		}
	}

	// Hand-off to 120, by an officer who has not acknowledged; the caller sees it.
	var handed staffCallOut
	if resp := ts.api(t, "POST", "/api/v1/assistance-calls/"+call.ID+"/handoffs", officer, map[string]string{"to": "120", "reference": "JJ-42"}, &handed); resp.StatusCode != 201 {
		t.Fatalf("hand-off: %d", resp.StatusCode)
	}
	if last := handed.Timeline[len(handed.Timeline)-1]; last.Kind != "handoff" || last.To != "120" || last.Note != "JJ-42" {
		t.Fatalf("hand-off entry %+v", last)
	}
	if resp := ts.api(t, "POST", "/api/v1/assistance-calls/"+call.ID+"/handoffs", officer, map[string]string{"to": "911"}, nil); resp.StatusCode != 400 {
		t.Errorf("hand-off to 911: %d, want 400", resp.StatusCode)
	}
	_, page := ts.do(t, "GET", "/calls/"+call.ID, "", bearer(resident))
	if !strings.Contains(page, "已转 120 急救") || strings.Contains(page, "tel:13900000001") {
		t.Errorf("the caller's page: hand-off shown %v, own ring-back link shown %v",
			strings.Contains(page, "已转 120 急救"), strings.Contains(page, "tel:13900000001"))
	}

	// Every staff view of the caller is in the head's audit log.
	var audit struct {
		Items []struct{ Action, Detail string }
	}
	ts.api(t, "GET", "/api/v1/audit", ts.login(t, "13800000000").AccessToken, nil, &audit)
	views := map[string]int{}
	for _, e := range audit.Items {
		if e.Action == "call.caller_view" {
			views[strings.SplitN(e.Detail, ",", 2)[0]]++
		}
	}
	if views["api"] < 1 || views["board"] < 1 {
		t.Errorf("audited caller views %v, want the API's and the board's", views)
	}
}
