package web_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
)

type requestOut struct {
	ID       string
	Ticket   string
	Status   string
	Target   int `json:"target_minutes"`
	Services []struct {
		Code   string
		Fields map[string]string
	}
	Timeline []struct{ Kind, From, To, Note string }
	Checked  []string
}

// migrationAndPassport is the reference visit: residence migration plus
// passport renewal in one sitting.
var migrationAndPassport = map[string]any{
	"services": []string{"household_migration", "passport_renewal"},
	"fields": map[string]any{
		"household_migration": map[string]string{"from_address": "朝阳区幸福里 3 号", "to_address": "海淀区学院路 12 号", "reason": "purchase"},
		"passport_renewal":    map[string]string{"id_card": "11010519491231002x", "travel_purpose": "family"},
	},
	"note": "上午来",
}

func (ts *testServer) apiKey(t *testing.T, method, path, token, key string, body any, out any) *http.Response {
	t.Helper()
	b, _ := json.Marshal(body)
	h := map[string]string{"Authorization": "Bearer " + token}
	if key != "" {
		h["Idempotency-Key"] = key
	}
	resp, text := ts.do(t, method, path, string(b), h)
	if out != nil {
		if err := json.Unmarshal([]byte(text), out); err != nil {
			t.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, text)
		}
	}
	return resp
}

func TestServiceRequestAPI(t *testing.T) {
	ts := newTestServer(t, nil)
	ts.demo(t)
	resident := ts.login(t, "13900000001").AccessToken
	other := ts.login(t, "13900000002").AccessToken
	officer := ts.login(t, "13800000001").AccessToken
	admin := ts.login(t, "13700000000").AccessToken

	var r requestOut
	resp := ts.apiKey(t, "POST", "/api/v1/service-requests", resident, "visit-1", migrationAndPassport, &r)
	if resp.StatusCode != 201 || r.Status != "submitted" || r.Ticket != "" || r.Target != 35 || len(r.Services) != 2 {
		t.Fatalf("create: %d %+v", resp.StatusCode, r)
	}
	if got := r.Services[1].Fields["id_card"]; got != "110105********002X" {
		t.Errorf("the ID number is shown as %q, want it masked", got)
	}
	// The same key again, even at once from two goroutines: the same request.
	var wg sync.WaitGroup
	var replays [3]requestOut
	for i := range replays {
		wg.Go(func() {
			ts.apiKey(t, "POST", "/api/v1/service-requests", resident, "visit-1", migrationAndPassport, &replays[i])
		})
	}
	wg.Wait()
	for _, rp := range replays {
		if rp.ID != r.ID || rp.Ticket != r.Ticket {
			t.Errorf("a replay made %+v, want request %s", rp, r.ID)
		}
	}
	var mine struct{ Items []requestOut }
	ts.api(t, "GET", "/api/v1/service-requests", resident, nil, &mine)
	if len(mine.Items) != 1 {
		t.Fatalf("the resident has %d requests, want 1", len(mine.Items))
	}
	// A new key is a new visit; tickets come at arrival, in arrival order.
	var second requestOut
	ts.apiKey(t, "POST", "/api/v1/service-requests", resident, "visit-2", map[string]any{"services": []string{"other"}, "fields": map[string]any{"other": map[string]string{"subject": "咨询"}}}, &second)
	if second.ID == r.ID || second.Ticket != "" {
		t.Errorf("second request %+v, want a new one without a ticket", second)
	}
	for i, id := range []string{second.ID, r.ID} {
		var arrived requestOut
		ts.api(t, "POST", "/api/v1/service-requests/"+id+"/arrival", officer, map[string]any{}, &arrived)
		if want := fmt.Sprintf("A-%03d", i+1); arrived.Ticket != want {
			t.Errorf("arrival %d: ticket %q, want %s", i+1, arrived.Ticket, want)
		}
	}

	// Bad input is refused with a clear error and nothing is stored.
	for name, body := range map[string]any{
		"no services":      map[string]any{"services": []string{}},
		"unknown service":  map[string]any{"services": []string{"teleport"}},
		"bad ID number":    map[string]any{"services": []string{"passport_renewal"}, "fields": map[string]any{"passport_renewal": map[string]string{"id_card": "110105194912310021", "travel_purpose": "family"}}},
		"missing required": map[string]any{"services": []string{"household_migration"}},
		"unknown field":    map[string]any{"services": []string{"other"}, "fields": map[string]any{"other": map[string]string{"subject": "x", "evil": "1"}}},
		"newborn alone":    map[string]any{"services": []string{"other"}, "fields": map[string]any{"other": map[string]string{"subject": "x"}}, "newborn": map[string]any{"baby_name": "x"}},
	} {
		var e struct {
			Error struct{ Code, Message string }
		}
		if resp := ts.api(t, "POST", "/api/v1/service-requests", resident, body, &e); resp.StatusCode != 400 || e.Error.Code != "invalid" {
			t.Errorf("%s: %d %+v", name, resp.StatusCode, e)
		}
	}
	ts.api(t, "GET", "/api/v1/service-requests", resident, nil, &mine)
	if len(mine.Items) != 2 {
		t.Fatalf("after refused requests the resident has %d, want 2", len(mine.Items))
	}

	// Nobody else sees it.
	if resp := ts.api(t, "GET", "/api/v1/service-requests/"+r.ID, other, nil, nil); resp.StatusCode != 404 {
		t.Errorf("another resident: %d, want 404", resp.StatusCode)
	}
	if resp := ts.api(t, "GET", "/api/v1/service-requests/"+r.ID, admin, nil, nil); resp.StatusCode != 403 {
		t.Errorf("the admin: %d, want 403", resp.StatusCode)
	}

	// The officer works it through; impossible moves are 409.
	move := func(to, note string, want int) requestOut {
		var out requestOut
		resp := ts.api(t, "POST", "/api/v1/service-requests/"+r.ID+"/transitions", officer, map[string]string{"to": to, "note": note}, &out)
		if resp.StatusCode != want {
			t.Fatalf("move to %s: %d, want %d", to, resp.StatusCode, want)
		}
		return out
	}
	move("completed", "", 409)
	move("rejected", "", 400) // a reason is required
	move("accepted", "", 200)
	move("on_hold", "waiting for the hospital's letter", 200)
	move("in_progress", "", 200)
	if resp := ts.api(t, "POST", "/api/v1/service-requests/"+r.ID+"/transitions", resident, map[string]string{"to": "cancelled"}, nil); resp.StatusCode != 409 {
		t.Errorf("the resident cancels after work started: %d, want 409", resp.StatusCode)
	}
	var ticked requestOut
	if resp := ts.api(t, "PUT", "/api/v1/service-requests/"+r.ID+"/checklist", officer, map[string][]string{"checked": {"household_migration:0", "passport_renewal:1"}}, &ticked); resp.StatusCode != 200 || len(ticked.Checked) != 2 {
		t.Errorf("checklist: %d %+v", resp.StatusCode, ticked.Checked)
	}
	if resp := ts.api(t, "PUT", "/api/v1/service-requests/"+r.ID+"/checklist", officer, map[string][]string{"checked": {"household_migration:99"}}, nil); resp.StatusCode != 400 {
		t.Errorf("a document that does not exist: %d, want 400", resp.StatusCode)
	}
	done := move("completed", "", 200)
	if done.Status != "completed" {
		t.Fatalf("status %s", done.Status)
	}
	var statuses []string
	for _, e := range done.Timeline {
		if e.Kind == "status" {
			statuses = append(statuses, e.To)
		}
	}
	if strings.Join(statuses, ",") != "submitted,accepted,on_hold,in_progress,completed" {
		t.Errorf("timeline statuses %v", statuses)
	}
	// The resident sees every step.
	var seen requestOut
	ts.api(t, "GET", "/api/v1/service-requests/"+r.ID, resident, nil, &seen)
	if seen.Status != "completed" || len(seen.Timeline) != len(done.Timeline) {
		t.Errorf("the resident sees %s with %d steps", seen.Status, len(seen.Timeline))
	}
	move("in_progress", "", 409)

	// The resident may cancel their second request before work starts.
	if resp := ts.api(t, "POST", "/api/v1/service-requests/"+second.ID+"/transitions", resident, map[string]string{"to": "cancelled"}, nil); resp.StatusCode != 200 {
		t.Errorf("cancel before work: %d", resp.StatusCode)
	}

	// Filters and cursor.
	var page struct {
		Items      []requestOut
		NextCursor string `json:"next_cursor"`
	}
	ts.api(t, "GET", "/api/v1/service-requests?status=completed", officer, nil, &page)
	if len(page.Items) != 1 || page.Items[0].ID != r.ID {
		t.Errorf("status filter: %+v", page.Items)
	}
	ts.api(t, "GET", "/api/v1/service-requests?type=other", officer, nil, &page)
	if len(page.Items) != 1 || page.Items[0].ID != second.ID {
		t.Errorf("type filter: %+v", page.Items)
	}
	ts.api(t, "GET", "/api/v1/service-requests?limit=1", officer, nil, &page)
	if len(page.Items) != 1 || page.NextCursor == "" {
		t.Fatalf("first page: %+v", page)
	}
	ts.api(t, "GET", "/api/v1/service-requests?limit=1&cursor="+page.NextCursor, officer, nil, &page)
	if len(page.Items) != 1 || page.Items[0].ID != r.ID {
		t.Errorf("second page: %+v", page.Items)
	}
	for _, bad := range []string{"?status=done", "?from=yesterday", "?limit=0", "?cursor=abc", "?booth_id=-1"} {
		if resp := ts.api(t, "GET", "/api/v1/service-requests"+bad, officer, nil, nil); resp.StatusCode != 400 {
			t.Errorf("filter %s: %d, want 400", bad, resp.StatusCode)
		}
	}
}

func TestRequestDocuments(t *testing.T) {
	ts := newTestServer(t, nil)
	ts.demo(t)
	resident := ts.login(t, "13900000001").AccessToken
	other := ts.login(t, "13900000002").AccessToken
	officer := ts.login(t, "13800000001").AccessToken
	var r requestOut
	ts.api(t, "POST", "/api/v1/service-requests", resident, map[string]any{"services": []string{"other"}, "fields": map[string]any{"other": map[string]string{"subject": "x"}}}, &r)
	path := "/api/v1/service-requests/" + r.ID + "/attachments"

	img := pngBytes(t)
	id := ts.upload(t, path, resident, "户口簿.png", img)
	if resp, _ := ts.uploadStatus(t, path, resident, "photo.png", []byte("this is not a picture at all")); resp.StatusCode != 415 {
		t.Errorf("a text file named .png: %d, want 415", resp.StatusCode)
	}
	if resp, _ := ts.uploadStatus(t, path, resident, "big.png", append(img, make([]byte, 11<<20)...)); resp.StatusCode != 413 {
		t.Errorf("an 11 MB file: %d, want 413", resp.StatusCode)
	}
	if resp, _ := ts.uploadStatus(t, path, other, "x.png", img); resp.StatusCode != 404 {
		t.Errorf("another resident uploads: %d, want 404", resp.StatusCode)
	}
	for who, token := range map[string]string{"owner": resident, "officer": officer} {
		resp, body := ts.do(t, "GET", "/api/v1/attachments/"+id, "", map[string]string{"Authorization": "Bearer " + token})
		if resp.StatusCode != 200 || !bytes.Equal([]byte(body), img) || resp.Header.Get("Content-Type") != "image/png" {
			t.Errorf("%s reads the document: %d %s", who, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
	}
	if resp := ts.api(t, "GET", "/api/v1/attachments/"+id, other, nil, nil); resp.StatusCode != 404 {
		t.Errorf("another resident reads it: %d, want 404", resp.StatusCode)
	}
	var got requestOut
	ts.api(t, "GET", "/api/v1/service-requests/"+r.ID, resident, nil, &got)
	kinds := []string{}
	for _, e := range got.Timeline {
		kinds = append(kinds, e.Kind)
	}
	if strings.Join(kinds, ",") != "status,attachment" {
		t.Errorf("timeline kinds %v", kinds)
	}
}

func TestCatalogueSettingsAreTheStations(t *testing.T) {
	ts := newTestServer(t, nil)
	ts.demo(t)
	head := ts.login(t, "13800000000").AccessToken
	resident := ts.login(t, "13900000001").AccessToken
	off := false
	if resp := ts.api(t, "PATCH", "/api/v1/service-types/lost_and_found", head, map[string]any{"enabled": off}, nil); resp.StatusCode != 200 {
		t.Fatalf("disable: %d", resp.StatusCode)
	}
	if resp := ts.api(t, "PATCH", "/api/v1/service-types/other", head, map[string]any{"target_minutes": 45, "note": map[string]string{"zh": "请带身份证", "en": "Bring your ID"}}, nil); resp.StatusCode != 200 {
		t.Fatalf("target: %d", resp.StatusCode)
	}
	if resp := ts.api(t, "PATCH", "/api/v1/service-types/teleport", head, map[string]any{"target_minutes": 5}, nil); resp.StatusCode != 404 {
		t.Errorf("unknown service: %d, want 404", resp.StatusCode)
	}
	if resp := ts.api(t, "PATCH", "/api/v1/service-types/other", head, map[string]any{"target_minutes": -5}, nil); resp.StatusCode != 400 {
		t.Errorf("negative target: %d, want 400", resp.StatusCode)
	}
	var types struct {
		Items []struct {
			Code   string
			Target int `json:"target_minutes"`
			Note   string
		}
	}
	ts.api(t, "GET", "/api/v1/service-types", resident, nil, &types)
	for _, ty := range types.Items {
		if ty.Code == "lost_and_found" {
			t.Error("a disabled service is offered to residents")
		}
		if ty.Code == "other" && (ty.Target != 45 || ty.Note != "请带身份证") {
			t.Errorf("other: %+v", ty)
		}
	}
	if resp := ts.api(t, "POST", "/api/v1/service-requests", resident, map[string]any{"services": []string{"lost_and_found"}, "fields": map[string]any{"lost_and_found": map[string]string{"kind": "lost", "item": "钱包"}}}, nil); resp.StatusCode != 400 {
		t.Errorf("requesting a disabled service: %d, want 400", resp.StatusCode)
	}
}
