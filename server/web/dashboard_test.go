package web_test

import (
	"context"
	"encoding/json"
	"net/url"
	"testing"
	"time"

	"policebooth/server/store/storetest"
)

// demoWithHistory loads the demo and its month of history ending now.
func (ts *testServer) demoWithHistory(t *testing.T) {
	t.Helper()
	ts.demo(t)
	put := func(context.Context, string, []byte) error { return nil }
	if err := ts.store.LoadDemoHistory(context.Background(), storetest.Logger(t), time.Now(), put); err != nil {
		t.Fatal(err)
	}
}

type dashboardOut struct {
	Booths []struct {
		ID     string `json:"id"`
		Name   string `json:"name"`
		OnDuty []struct {
			OfficerID string    `json:"officer_id"`
			Name      string    `json:"name"`
			Since     time.Time `json:"since"`
		} `json:"on_duty"`
		TabletLive bool            `json:"tablet_live"`
		OpenGap    json.RawMessage `json:"open_gap"`
	} `json:"booths"`
	OpenCalls []struct {
		ID              string `json:"id"`
		BoothID         string `json:"booth_id"`
		Status          string `json:"status"`
		AgeSeconds      int    `json:"age_seconds"`
		EscalationLevel int    `json:"escalation_level"`
	} `json:"open_calls"`
	Today map[string]json.RawMessage `json:"today"`
	Queue struct {
		Waiting            int `json:"waiting"`
		LongestWaitMinutes int `json:"longest_wait_minutes"`
	} `json:"queue"`
	Alerts map[string]int `json:"alerts"`
}

func TestDashboardShowsTheStationNow(t *testing.T) {
	ts := newTestServer(t, nil)
	ts.demoWithHistory(t)
	head := ts.login(t, "13800000000").AccessToken
	officer := ts.login(t, "13800000001").AccessToken
	resident := ts.login(t, "13900000001").AccessToken

	dashboard := func() dashboardOut {
		t.Helper()
		var d dashboardOut
		if resp := ts.api(t, "GET", "/api/v1/dashboard", head, nil, &d); resp.StatusCode != 200 {
			t.Fatalf("dashboard: %d", resp.StatusCode)
		}
		return d
	}
	d := dashboard()
	if len(d.Booths) != 2 || d.Booths[0].Name != "A" || d.Booths[1].Name != "B" {
		t.Fatalf("booths %+v", d.Booths)
	}
	for _, b := range d.Booths {
		if len(b.OnDuty) != 0 || b.TabletLive || b.OpenGap == nil {
			t.Errorf("at start booth %s: %+v, want uncovered, not live, open_gap present (null or a gap)", b.Name, b)
		}
	}
	if len(d.OpenCalls) != 0 || d.Queue.Waiting != 0 {
		t.Errorf("the demo starts with %d open calls and %d waiting", len(d.OpenCalls), d.Queue.Waiting)
	}
	for _, k := range []string{"calls", "median_ack_seconds", "worst_ack_seconds", "requests_completed", "requests_past_target"} {
		if _, ok := d.Today[k]; !ok {
			t.Errorf("today lacks %s: %v", k, d.Today)
		}
	}
	for _, k := range []string{"undelivered_messages", "dark_tablets"} {
		if _, ok := d.Alerts[k]; !ok {
			t.Errorf("alerts lack %s: %v", k, d.Alerts)
		}
	}

	// An officer clocks in at booth B: the dashboard shows who and since when.
	if resp := ts.api(t, "POST", "/api/v1/shifts/clock-in", officer, map[string]any{"booth_id": d.Booths[1].ID}, nil); resp.StatusCode != 201 {
		t.Fatalf("clock-in: %d", resp.StatusCode)
	}
	d = dashboard()
	if b := d.Booths[1]; len(b.OnDuty) != 1 || b.OnDuty[0].Name != "李明" || time.Since(b.OnDuty[0].Since) > time.Minute || !b.TabletLive {
		t.Errorf("booth B after clock-in: %+v", b)
	}
	if len(d.Booths[0].OnDuty) != 0 {
		t.Errorf("booth A after a clock-in at B: %+v", d.Booths[0])
	}

	// Two calls: the one nobody has taken comes first.
	var first, second struct{ ID string }
	if resp := ts.api(t, "POST", "/api/v1/assistance-calls", resident, map[string]any{"category": "medical"}, &first); resp.StatusCode != 201 {
		t.Fatalf("call: %d", resp.StatusCode)
	}
	other := ts.login(t, "13900000002").AccessToken
	if resp := ts.api(t, "POST", "/api/v1/assistance-calls", other, map[string]any{"category": "crime"}, &second); resp.StatusCode != 201 {
		t.Fatalf("second call: %d", resp.StatusCode)
	}
	if resp := ts.api(t, "POST", "/api/v1/assistance-calls/"+first.ID+"/transitions", officer, map[string]any{"to": "acknowledged"}, nil); resp.StatusCode != 200 {
		t.Fatalf("acknowledge: %d", resp.StatusCode)
	}
	d = dashboard()
	if len(d.OpenCalls) != 2 || d.OpenCalls[0].ID != second.ID || d.OpenCalls[0].Status != "open" || d.OpenCalls[1].Status != "acknowledged" {
		t.Errorf("open calls %+v: want the unacknowledged %s first", d.OpenCalls, second.ID)
	}
	var today struct {
		Calls int `json:"calls"`
	}
	raw, _ := json.Marshal(d.Today)
	_ = json.Unmarshal(raw, &today)
	if today.Calls < 2 {
		t.Errorf("today counts %d calls, want at least the two just made", today.Calls)
	}

	// Someone waits at the counter.
	if resp := ts.api(t, "POST", "/api/v1/service-requests", resident, map[string]any{"services": []string{"lost_and_found"},
		"fields": map[string]any{"lost_and_found": map[string]string{"kind": "lost", "item": "钥匙"}}}, nil); resp.StatusCode != 201 {
		t.Fatalf("request: %d", resp.StatusCode)
	}
	if d = dashboard(); d.Queue.Waiting != 1 || d.Queue.LongestWaitMinutes != 0 {
		t.Errorf("queue %+v, want one waiting since just now", d.Queue)
	}

	// Only heads, and only of this station.
	for _, token := range []string{officer, resident} {
		if resp := ts.api(t, "GET", "/api/v1/dashboard", token, nil, nil); resp.StatusCode != 403 {
			t.Errorf("dashboard for a non-head: %d", resp.StatusCode)
		}
	}
	if resp := ts.api(t, "GET", "/api/v1/dashboard?station_id=987654", head, nil, nil); resp.StatusCode != 404 {
		t.Errorf("dashboard of another station: %d", resp.StatusCode)
	}
}

func TestDemoHistoryFillsTheMonthsFigures(t *testing.T) {
	ts := newTestServer(t, nil)
	ts.demoWithHistory(t)
	head := ts.login(t, "13800000000").AccessToken
	zone, _ := time.LoadLocation("Asia/Shanghai")
	today := time.Now().In(zone)
	q := url.Values{"from": {today.AddDate(0, 0, -30).Format(time.DateOnly)}, "to": {today.Format(time.DateOnly)}}
	var f struct {
		Calls             int `json:"calls"`
		RequestsCompleted int `json:"requests_completed"`
		ByDay             []struct {
			Calls int `json:"calls"`
		} `json:"by_day"`
	}
	if resp := ts.api(t, "GET", "/api/v1/shifts/figures?"+q.Encode(), head, nil, &f); resp.StatusCode != 200 {
		t.Fatalf("figures: %d", resp.StatusCode)
	}
	if f.Calls < 50 || f.RequestsCompleted < 50 {
		t.Errorf("the last 30 days of a fresh demo: %d calls, %d completed requests; want at least 50 of each", f.Calls, f.RequestsCompleted)
	}
}
