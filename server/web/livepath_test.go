package web_test

import (
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

var liveFromAttr = regexp.MustCompile(`data-live-from="([^"]*)"`)

// TestCallRaisedWhileTheBoardRendersReachesItsStream: a call raised after
// the board's handler has read the open calls, before the page is written,
// is not on the board; the page's stream, started from the page's
// position, must carry it.
func TestCallRaisedWhileTheBoardRendersReachesItsStream(t *testing.T) {
	ts := newTestServer(t, nil)
	ts.demo(t)
	resident := ts.login(t, "13900000001").AccessToken
	officer := ts.login(t, "13800000001").AccessToken
	// The hub has read the log up to now: the page's position is current.
	s := ts.stream(t, officer, "")
	ts.newRequest(t, resident)
	s.next(t)
	s.cancel()

	var call callOut
	var once sync.Once
	ts.srv.BeforeRender(func() {
		once.Do(func() {
			if resp := ts.api(t, "POST", "/api/v1/assistance-calls", resident, map[string]any{"category": "crime"}, &call); resp.StatusCode != 201 {
				t.Errorf("raise a call: %d", resp.StatusCode)
			}
		})
	})
	resp, body := ts.do(t, "GET", "/board", "", map[string]string{"Authorization": "Bearer " + officer})
	ts.srv.BeforeRender(nil)
	if resp.StatusCode != 200 || call.ID == "" {
		t.Fatalf("board: %d, call %q", resp.StatusCode, call.ID)
	}
	if strings.Contains(body, "/calls/"+call.ID+"\"") {
		t.Fatal("the call is on the board: it was raised before the board read the calls, so the test tests nothing")
	}
	m := liveFromAttr.FindStringSubmatch(body)
	if m == nil {
		t.Fatal("the board has no data-live-from")
	}
	board := ts.streamQuery(t, officer, m[1])
	deadline := time.After(5 * time.Second)
	for {
		select {
		case ev := <-board.events:
			if ev.Name == "assistance.created" && ev.Data["id"] == call.ID {
				return
			}
		case <-deadline:
			t.Fatalf("the board's stream (from %s) never carried call %s", m[1], call.ID)
		}
	}
}

// TestAdminsReplayCarriesNoStationsEvents: the admin sees no station's
// records live, and a replay from the start of the log must not carry them
// either.
func TestAdminsReplayCarriesNoStationsEvents(t *testing.T) {
	ts := newTestServer(t, nil)
	ts.demo(t)
	resident := ts.login(t, "13900000001").AccessToken
	admin := ts.login(t, "13700000000").AccessToken
	ts.newRequest(t, resident)
	ts.api(t, "POST", "/api/v1/assistance-calls", resident, map[string]any{"category": "crime"}, nil)
	replay := ts.stream(t, admin, "0")
	officer := ts.stream(t, ts.login(t, "13800000001").AccessToken, "0")
	officer.next(t) // the station's replay does carry them: there is something to leak
	time.Sleep(500 * time.Millisecond)
	replay.none(t)
}
