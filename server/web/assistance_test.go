package web_test

import (
	"strings"
	"testing"
	"time"

	"policebooth/server/notify/notifytest"
)

type callOut struct {
	ID              string
	Status          string
	EscalationLevel int    `json:"escalation_level"`
	AcknowledgedBy  string `json:"acknowledged_by"`
	Messages        []struct{ Text string }
}

func TestAssistanceCallFromButtonToResolved(t *testing.T) {
	ts := newTestServer(t, nil)
	ts.demo(t)
	resident := ts.login(t, "13900000001").AccessToken
	li := ts.login(t, "13800000001").AccessToken    // 李明
	zhang := ts.login(t, "13800000002").AccessToken // 张伟
	var booths struct{ Items []struct{ ID string } }
	ts.api(t, "GET", "/api/v1/booths", "", nil, &booths)
	if resp := ts.api(t, "POST", "/api/v1/shifts/clock-in", li, map[string]string{"booth_id": booths.Items[0].ID}, nil); resp.StatusCode != 201 {
		t.Fatalf("on duty: %d", resp.StatusCode)
	}
	board := ts.stream(t, zhang, "")
	mine := ts.stream(t, resident, "")

	var call callOut
	resp := ts.apiKey(t, "POST", "/api/v1/assistance-calls", resident, "help-1", map[string]any{"category": "medical", "message": "老伴摔倒了", "lat": 39.9600, "lng": 116.2990, "accuracy_m": 25}, &call)
	if resp.StatusCode != 201 || call.Status != "open" || call.EscalationLevel != 0 {
		t.Fatalf("call: %d %+v", resp.StatusCode, call)
	}
	// A retry with the same key (the answer was lost) is the same call, never a 409.
	var again callOut
	if resp := ts.apiKey(t, "POST", "/api/v1/assistance-calls", resident, "help-1", map[string]any{"category": "medical"}, &again); resp.StatusCode != 201 || again.ID != call.ID {
		t.Fatalf("replayed call: %d %+v", resp.StatusCode, again)
	}
	if resp := ts.api(t, "POST", "/api/v1/assistance-calls", resident, map[string]any{"category": "crime"}, nil); resp.StatusCode != 409 {
		t.Errorf("a second open call: %d, want 409", resp.StatusCode)
	}
	ev := board.next(t)
	for ev.Name == "shift.updated" { // 李明's clock-in, if the stream opened before it was readable
		ev = board.next(t)
	}
	if ev.Name != "assistance.created" || ev.Data["id"] != call.ID || ev.Data["status"] != "open" {
		t.Fatalf("the other officer's board got %+v", ev)
	}
	for _, key := range []string{"lat", "lng", "message", "accuracy_m"} {
		if _, ok := ev.Data[key]; ok {
			t.Errorf("the event carries %s", key)
		}
	}

	var acked callOut
	if resp := ts.api(t, "POST", "/api/v1/assistance-calls/"+call.ID+"/transitions", li, map[string]string{"to": "acknowledged"}, &acked); resp.StatusCode != 200 || acked.Status != "acknowledged" {
		t.Fatalf("acknowledge: %d %+v", resp.StatusCode, acked)
	}
	var e struct {
		Error struct{ Code, Message string }
	}
	if resp := ts.api(t, "POST", "/api/v1/assistance-calls/"+call.ID+"/transitions", zhang, map[string]string{"to": "acknowledged"}, &e); resp.StatusCode != 409 || !strings.Contains(e.Error.Message, "李明") {
		t.Errorf("second acknowledgement: %d %+v, want 409 naming 李明", resp.StatusCode, e)
	}
	for {
		ev := mine.next(t)
		if ev.Name == "assistance.updated" && ev.Data["status"] == "acknowledged" {
			break
		}
	}
	ts.api(t, "POST", "/api/v1/assistance-calls/"+call.ID+"/messages", resident, map[string]string{"text": "在三楼"}, nil)
	ts.api(t, "POST", "/api/v1/assistance-calls/"+call.ID+"/messages", li, map[string]string{"text": "马上到"}, nil)
	if resp := ts.api(t, "POST", "/api/v1/assistance-calls/"+call.ID+"/location", resident, map[string]float64{"lat": 39.9601, "lng": 116.2991, "accuracy_m": 10}, nil); resp.StatusCode != 200 {
		t.Errorf("location: %d", resp.StatusCode)
	}
	for _, to := range []string{"en_route", "on_scene", "resolved"} {
		if resp := ts.api(t, "POST", "/api/v1/assistance-calls/"+call.ID+"/transitions", li, map[string]string{"to": to}, nil); resp.StatusCode != 200 {
			t.Fatalf("%s: %d", to, resp.StatusCode)
		}
	}
	var done callOut
	ts.api(t, "GET", "/api/v1/assistance-calls/"+call.ID, resident, nil, &done)
	if done.Status != "resolved" || len(done.Messages) != 2 || done.Messages[0].Text != "在三楼" {
		t.Errorf("resolved call as the resident sees it: %+v", done)
	}
	if resp := ts.api(t, "POST", "/api/v1/assistance-calls/"+call.ID+"/location", resident, map[string]float64{"lat": 39.96, "lng": 116.29, "accuracy_m": 10}, nil); resp.StatusCode != 409 {
		t.Errorf("location on a resolved call: %d, want 409", resp.StatusCode)
	}
}

func TestCallWithNobodyOnDutyEscalatesAtOnce(t *testing.T) {
	sms := notifytest.NewGateway(t)
	ts := newTestServer(t, map[string]string{"POLICEBOOTH_NOTIFY_WEBHOOK": sms.URL})
	ts.demo(t)
	resident := ts.login(t, "13900000001").AccessToken
	head := ts.login(t, "13800000000").AccessToken
	s := ts.stream(t, head, "")
	var call callOut
	ts.api(t, "POST", "/api/v1/assistance-calls", resident, map[string]any{"category": "crime", "silent": true}, &call)
	if call.EscalationLevel != 1 {
		t.Fatalf("escalation level %d, want 1 (nobody on duty)", call.EscalationLevel)
	}
	names := []string{s.next(t).Name, s.next(t).Name}
	if strings.Join(names, ",") != "assistance.created,assistance.escalated" {
		t.Errorf("the head's stream got %v", names)
	}
	var texts []string
	for range 50 { // the head is texted after the answer, not before it
		if texts = callTexts(sms.Messages("13800000000")); len(texts) > 0 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond) // a second text would have arrived by now
	if texts = callTexts(sms.Messages("13800000000")); len(texts) != 1 || !strings.Contains(texts[0], "#"+call.ID) {
		t.Errorf("the head was texted %v, want one message about call %s", texts, call.ID)
	}
	// The resident cancels; nothing more escalates.
	if resp := ts.api(t, "POST", "/api/v1/assistance-calls/"+call.ID+"/transitions", resident, map[string]string{"to": "cancelled"}, nil); resp.StatusCode != 200 {
		t.Errorf("cancel: %d", resp.StatusCode)
	}
}

func TestHeadSetsTheAcknowledgementLimit(t *testing.T) {
	ts := newTestServer(t, nil)
	ts.demo(t)
	head := ts.login(t, "13800000000").AccessToken
	var booths struct {
		Items []struct {
			ID       string
			AckLimit int `json:"ack_limit_seconds"`
		}
	}
	ts.api(t, "GET", "/api/v1/booths", "", nil, &booths)
	if booths.Items[0].AckLimit != 30 {
		t.Fatalf("default limit %d, want 30", booths.Items[0].AckLimit)
	}
	for limit, want := range map[int]int{20: 200, 2: 400, 601: 400} {
		if resp := ts.api(t, "PATCH", "/api/v1/booths/"+booths.Items[0].ID, head, map[string]int{"ack_limit_seconds": limit}, nil); resp.StatusCode != want {
			t.Errorf("limit %d: %d, want %d", limit, resp.StatusCode, want)
		}
	}
	ts.api(t, "GET", "/api/v1/booths", "", nil, &booths)
	if booths.Items[0].AckLimit != 20 {
		t.Errorf("limit after the change: %d, want 20", booths.Items[0].AckLimit)
	}
}

// callTexts keeps the texts about assistance calls (the head is also
// texted of the demo booths' coverage gaps).
func callTexts(texts []string) []string {
	var out []string
	for _, t := range texts {
		if strings.Contains(t, "求助呼叫") {
			out = append(out, t)
		}
	}
	return out
}
