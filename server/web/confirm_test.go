package web_test

import (
	"strings"
	"testing"
)

// Cancelling a call, signing off a shift and publishing an urgent notice
// take a confirmation step in the pages: the first post changes nothing
// and asks; going back keeps what was filled in; confirming does it.
func TestHardStepsAreConfirmedInThePages(t *testing.T) {
	ts := newTestServer(t, nil)
	ts.demo(t)
	resident := ts.login(t, "13900000001").AccessToken
	officer := ts.login(t, "13800000001").AccessToken
	head := ts.login(t, "13800000000").AccessToken
	form := func(tok string) map[string]string {
		return map[string]string{"Authorization": "Bearer " + tok, "Content-Type": "application/x-www-form-urlencoded"}
	}

	var call struct{ ID, Status string }
	ts.api(t, "POST", "/api/v1/assistance-calls", resident, map[string]string{"category": "other"}, &call)
	resp, page := ts.do(t, "POST", "/calls/"+call.ID+"/move", "to=cancelled", form(resident))
	if resp.StatusCode != 200 || !strings.Contains(page, "确定取消求助") || !strings.Contains(page, `name="to" value="cancelled"`) || !strings.Contains(page, `href="/calls/`+call.ID+`"`) {
		t.Fatalf("cancel without confirming: %d, want the question with the form's values and a way back", resp.StatusCode)
	}
	if ts.api(t, "GET", "/api/v1/assistance-calls/"+call.ID, resident, nil, &call); call.Status != "open" {
		t.Fatalf("the call is %s before the confirmation", call.Status)
	}
	if resp, _ := ts.doNoRedirect(t, "POST", "/calls/"+call.ID+"/move", "to=cancelled&confirm=1", form(resident)); resp.StatusCode != 303 {
		t.Fatalf("confirmed cancel: %d", resp.StatusCode)
	}
	if ts.api(t, "GET", "/api/v1/assistance-calls/"+call.ID, resident, nil, &call); call.Status != "cancelled" {
		t.Fatalf("the call is %s after the confirmation", call.Status)
	}

	var booths struct{ Items []struct{ ID string } }
	ts.api(t, "GET", "/api/v1/booths", "", nil, &booths)
	ts.api(t, "POST", "/api/v1/shifts/clock-in", officer, map[string]string{"booth_id": booths.Items[0].ID}, nil)
	var shift struct {
		ID          string
		SignedOffAt string `json:"signed_off_at"`
	}
	ts.api(t, "POST", "/api/v1/shifts/clock-out", officer, map[string]string{"handover_note": "交接"}, &shift)
	resp, page = ts.do(t, "POST", "/shifts/"+shift.ID+"/sign-off", "comment=记录完整", form(head))
	if resp.StatusCode != 200 || !strings.Contains(page, "审核并封存") || !strings.Contains(page, "记录完整") {
		t.Fatalf("sign-off without confirming: %d, want the question carrying the comment", resp.StatusCode)
	}
	if ts.api(t, "GET", "/api/v1/shifts/"+shift.ID, head, nil, &shift); shift.SignedOffAt != "" {
		t.Fatal("signed off before the confirmation")
	}
	if resp, _ := ts.doNoRedirect(t, "POST", "/shifts/"+shift.ID+"/sign-off", "comment=ok&confirm=1", form(head)); resp.StatusCode != 303 {
		t.Fatalf("confirmed sign-off: %d", resp.StatusCode)
	}
	if ts.api(t, "GET", "/api/v1/shifts/"+shift.ID, head, nil, &shift); shift.SignedOffAt == "" {
		t.Fatal("not signed off after the confirmation")
	}

	count := func() int {
		var l struct{ Items []struct{ ID string } }
		ts.api(t, "GET", "/api/v1/notices", head, nil, &l)
		return len(l.Items)
	}
	before := count()
	notice := "title=暴雨预警&body=今晚有暴雨&kind=safety&severity=severe&language=zh-CN&public=1&urgent=1&idempotency_key=k-urgent-1"
	resp, page = ts.do(t, "POST", "/notices/new", notice, form(head))
	if resp.StatusCode != 200 || !strings.Contains(page, "发布紧急通告") || strings.Contains(page, "k-urgent-1") {
		t.Fatalf("urgent notice without confirming: %d, want the question with a fresh idempotency key", resp.StatusCode)
	}
	if count() != before {
		t.Fatal("the urgent notice went out before the confirmation")
	}
	resp, page = ts.do(t, "POST", "/notices/new", notice+"&confirm=back", form(head))
	if resp.StatusCode != 200 || !strings.Contains(page, "暴雨预警") || !strings.Contains(page, "今晚有暴雨") || count() != before {
		t.Fatalf("back from the confirmation: %d, want the form as filled in and nothing published", resp.StatusCode)
	}
	if resp, _ := ts.doNoRedirect(t, "POST", "/notices/new", strings.Replace(notice, "k-urgent-1", "k-urgent-2", 1)+"&confirm=1", form(head)); resp.StatusCode != 303 || count() != before+1 {
		t.Fatalf("confirmed urgent notice: %d, %d notices (were %d)", resp.StatusCode, count(), before)
	}
	// A notice that is not urgent goes out at once.
	if resp, _ := ts.doNoRedirect(t, "POST", "/notices/new", strings.NewReplacer("&urgent=1", "", "k-urgent-1", "k-calm").Replace(notice), form(head)); resp.StatusCode != 303 || count() != before+2 {
		t.Fatalf("a calm notice: %d", resp.StatusCode)
	}
}
