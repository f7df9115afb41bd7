package web_test

import (
	"context"
	"encoding/json"
	"strconv"
	"testing"
	"time"
)

// A resident whose page is open sees the officer's steps live and gets no
// push; once her page has closed, an officer's message reaches her phone
// by push (through the outbox), naming nothing of what was written.
func TestClosedPageGetsAPushWhenAnOfficerWrites(t *testing.T) {
	ts, ps := newPushTestServer(t)
	officer := ts.login(t, "13800000001").AccessToken
	resident := ts.login(t, "13900000001").AccessToken
	subscribePush(t, ts, ps, resident, "resident-phone")
	var me struct{ ID string }
	ts.api(t, "GET", "/api/v1/me", resident, nil, &me)
	live := ts.stream(t, resident, "")

	var call struct{ ID string }
	if resp := ts.api(t, "POST", "/api/v1/assistance-calls", resident, map[string]string{"category": "other"}, &call); resp.StatusCode != 201 {
		t.Fatalf("call: %d", resp.StatusCode)
	}
	if resp := ts.api(t, "POST", "/api/v1/assistance-calls/"+call.ID+"/transitions", officer, map[string]string{"to": "acknowledged"}, nil); resp.StatusCode != 200 {
		t.Fatalf("acknowledge: %d", resp.StatusCode)
	}
	time.Sleep(300 * time.Millisecond) // a push would have come by now
	if got := ps.Taken(); len(got) != 0 {
		t.Fatalf("pushed with the page open: %+v", got)
	}

	live.cancel()
	id, _ := strconv.ParseInt(me.ID, 10, 64)
	deadline := time.Now().Add(5 * time.Second)
	for {
		u, err := ts.store.FindUser(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if u.StreamSeenAt == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the closed page is still recorded as open")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if resp := ts.api(t, "POST", "/api/v1/assistance-calls/"+call.ID+"/messages", officer, map[string]string{"text": "门禁密码多少？"}, nil); resp.StatusCode != 201 {
		t.Fatalf("message: %d", resp.StatusCode)
	}
	got := ps.WaitFor(t, 1, 5*time.Second)
	if len(got) != 1 || got[0].Device != "resident-phone" || got[0].Err != nil {
		t.Fatalf("push service took %+v, want one message for the resident's phone", got)
	}
	var payload map[string]string
	if err := json.Unmarshal(got[0].Plaintext, &payload); err != nil {
		t.Fatal(err)
	}
	if payload["type"] != "assistance.caller_update" || payload["id"] != call.ID || payload["url"] != "/calls/"+call.ID || payload["what"] != "message" {
		t.Errorf("payload %v", payload)
	}
	if len(payload) != 4 {
		t.Errorf("payload carries more than its type, id, what and url: %s", got[0].Plaintext)
	}
}
