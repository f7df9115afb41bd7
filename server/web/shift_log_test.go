package web_test

import (
	"strings"
	"testing"
)

// The shift log names who took each automatic step, on the page and in the
// CSV, and every staff page names who is operating the tablet.
func TestShiftLogNamesWhoTookEachStepAndTheOperator(t *testing.T) {
	ts := newTestServer(t, nil)
	ts.demo(t)
	officer := ts.login(t, "13800000001").AccessToken
	head := ts.login(t, "13800000000").AccessToken
	resident := ts.login(t, "13900000001").AccessToken
	var me, headMe struct{ ID, Name string }
	ts.api(t, "GET", "/api/v1/me", officer, nil, &me)
	ts.api(t, "GET", "/api/v1/me", head, nil, &headMe)
	var booths struct{ Items []struct{ ID string } }
	ts.api(t, "GET", "/api/v1/booths", "", nil, &booths)
	var shift struct{ ID string }
	if resp := ts.api(t, "POST", "/api/v1/shifts/clock-in", officer, map[string]string{"booth_id": booths.Items[0].ID}, &shift); resp.StatusCode != 201 {
		t.Fatalf("clock in: %d", resp.StatusCode)
	}
	var call struct{ ID string }
	ts.api(t, "POST", "/api/v1/assistance-calls", resident, map[string]string{"category": "other"}, &call)
	if resp := ts.api(t, "POST", "/api/v1/assistance-calls/"+call.ID+"/transitions", officer, map[string]string{"to": "acknowledged"}, nil); resp.StatusCode != 200 {
		t.Fatalf("acknowledge: %d", resp.StatusCode)
	}
	var detail struct {
		Entries []struct {
			Event  string
			Text   string
			DoneBy string `json:"done_by"`
		}
	}
	ts.api(t, "GET", "/api/v1/shifts/"+shift.ID, officer, nil, &detail)
	named := map[string]string{}
	for _, e := range detail.Entries {
		named[e.Event+" "+e.Text] = e.DoneBy
	}
	if named["assistance.updated acknowledged"] != me.ID || named["assistance.created open"] != "" {
		t.Errorf("entries named %v: the acknowledgement by %s, the resident's call by nobody", named, me.ID)
	}
	bearer := func(tok string) map[string]string { return map[string]string{"Authorization": "Bearer " + tok} }
	_, page := ts.do(t, "GET", "/shifts/"+shift.ID, "", bearer(officer))
	if !strings.Contains(page, "（"+me.Name+"）") {
		t.Errorf("the shift page does not name %s on the acknowledgement", me.Name)
	}
	if resp := ts.api(t, "POST", "/api/v1/shifts/clock-out", officer, map[string]string{"handover_note": "交接"}, nil); resp.StatusCode != 200 {
		t.Fatalf("clock out: %d", resp.StatusCode)
	}
	_, csv := ts.do(t, "GET", "/api/v1/shifts.csv", "", bearer(head))
	if !strings.Contains(csv, "（"+me.Name+"）") {
		t.Errorf("the CSV does not name %s on the acknowledgement", me.Name)
	}

	for who, c := range map[string]struct {
		token, name string
		pages       []string
	}{
		"officer": {officer, me.Name, []string{"/", "/board", "/queue", "/shift", "/calls/" + call.ID, "/notices", "/shifts/" + shift.ID}},
		"head":    {head, headMe.Name, []string{"/", "/board", "/queue", "/shifts", "/calls/" + call.ID, "/notices"}},
	} {
		for _, path := range c.pages {
			resp, body := ts.do(t, "GET", path, "", bearer(c.token))
			if resp.StatusCode != 200 {
				t.Errorf("%s %s: %d", who, path, resp.StatusCode)
				continue
			}
			i := strings.Index(body, `id="operator"`)
			if i < 0 || !strings.Contains(body[i:min(len(body), i+200)], c.name) {
				t.Errorf("%s %s: the header does not name the operator %s", who, path, c.name)
			}
		}
	}
}
