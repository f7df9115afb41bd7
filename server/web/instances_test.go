package web_test

import (
	"bufio"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"policebooth/server/store/storetest"
)

// Three instances on one database, each with its escalation worker
// ticking every second: an unanswered call still takes each step of its
// escalation exactly once, whichever instance takes it. (Migrations,
// sign-in throttling, retention and cross-instance streams have their own
// tests: TestInstancesStartingTogetherMigrateOnce,
// TestSignInThrottleHoldsAcrossInstances, the *OnceAcrossInstances store
// tests, TestChangeOnOneInstanceReachesAStreamOnAnother.)
func TestThreeInstancesEscalateEachStepOnce(t *testing.T) {
	dsn, path := storetest.DSN(t)
	env := map[string]string{}
	if dsn != "" {
		env["DATABASE_URL"] = dsn
	}
	var instances []*testServer
	for range 3 {
		instances = append(instances, newTestServerOn(t, storetest.OpenAt(t, dsn, path), env))
	}
	instances[0].demo(t)
	resident := instances[1].login(t, "13900000001").AccessToken
	var call struct{ ID string }
	// Nobody is on duty: the call escalates at once (level 1).
	if resp := instances[2].api(t, "POST", "/api/v1/assistance-calls", resident, map[string]any{"category": "medical"}, &call); resp.StatusCode != 201 {
		t.Fatalf("raise a call: %d", resp.StatusCode)
	}
	db := instances[0].store.DB()
	level := func() int {
		var l int
		db.Raw("SELECT escalation_level FROM assistance_calls WHERE id = ?", call.ID).Scan(&l)
		return l
	}
	for want := 2; want <= 4; want++ {
		// Time passes: the next alert is due now, for all three workers.
		if err := db.Exec("UPDATE assistance_calls SET next_alert_at = ? WHERE id = ?", time.Now().Add(-time.Second).UTC(), call.ID).Error; err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(5 * time.Second)
		for level() < want && time.Now().Before(deadline) {
			time.Sleep(50 * time.Millisecond)
		}
		time.Sleep(2500 * time.Millisecond) // every worker has ticked at least twice more
		if got := level(); got != want {
			t.Fatalf("after step %d the call is at level %d: want each step once", want, got)
		}
	}
	var steps []string
	if err := db.Raw("SELECT to_status FROM call_entries WHERE call_id = ? AND kind = 'escalation' ORDER BY id", call.ID).Scan(&steps).Error; err != nil {
		t.Fatal(err)
	}
	if strings.Join(steps, ",") != "1,2,3,4" {
		t.Fatalf("escalation steps on the timeline: %v, want 1,2,3,4 once each", steps)
	}
	var events int64
	db.Raw("SELECT count(*) FROM events WHERE name = 'assistance.escalated' AND record_id = ?", call.ID).Scan(&events)
	if events != 4 {
		t.Fatalf("%d assistance.escalated events, want 4", events)
	}
	// Each instance counts the steps it took; together, four.
	total := 0.0
	for _, ts := range instances {
		total += metric(t, ts, "policebooth_call_escalations_total")
	}
	if total != 4 {
		t.Errorf("policebooth_call_escalations_total summed over the instances: %v, want 4", total)
	}
}

// The operations metrics follow the booth: a call acknowledged adds to
// the time-to-acknowledge histogram, open streams and open requests are
// gauged.
func TestOperationsMetrics(t *testing.T) {
	ts := newTestServer(t, nil)
	ts.demo(t)
	resident := ts.login(t, "13900000001").AccessToken
	officer := ts.login(t, "13800000001").AccessToken
	if got := metric(t, ts, "policebooth_open_event_streams"); got != 0 {
		t.Fatalf("open streams before any: %v", got)
	}
	s := ts.stream(t, officer, "")
	if got := metric(t, ts, "policebooth_open_event_streams"); got != 1 {
		t.Errorf("open streams with one open: %v, want 1", got)
	}
	ts.newRequest(t, resident)
	ts.newRequest(t, resident)
	if got := metric(t, ts, "policebooth_open_service_requests"); got != 2 {
		t.Errorf("open service requests: %v, want 2", got)
	}
	var call struct{ ID string }
	ts.api(t, "POST", "/api/v1/assistance-calls", resident, map[string]any{"category": "medical"}, &call)
	if got := metric(t, ts, "policebooth_call_escalations_total"); got != 1 {
		t.Errorf("escalations after a call raised with nobody on duty: %v, want 1", got)
	}
	if resp := ts.api(t, "POST", "/api/v1/assistance-calls/"+call.ID+"/transitions", officer, map[string]string{"to": "acknowledged"}, nil); resp.StatusCode != 200 {
		t.Fatalf("acknowledge: %d", resp.StatusCode)
	}
	if got := metric(t, ts, "policebooth_call_time_to_acknowledge_seconds_count"); got != 1 {
		t.Errorf("acknowledgements timed: %v, want 1", got)
	}
	// The coverage_gaps job may have opened the demo booths' gaps
	// meanwhile: the metric counts exactly the gaps this instance opened.
	var opened int64
	ts.store.DB().Table("coverage_gaps").Where("ended_at IS NULL").Count(&opened)
	if got := metric(t, ts, "policebooth_coverage_gaps_total"); got != float64(opened) {
		t.Errorf("coverage gaps: %v, want the %d opened", got, opened)
	}
	s.cancel()
	<-s.closed
	deadline := time.Now().Add(5 * time.Second)
	for metric(t, ts, "policebooth_open_event_streams") != 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if got := metric(t, ts, "policebooth_open_event_streams"); got != 0 {
		t.Errorf("open streams after it closed: %v, want 0", got)
	}
}

// metric reads one unlabelled sample from the instance's /metrics.
func metric(t *testing.T, ts *testServer, name string) float64 {
	t.Helper()
	resp, err := ts.Client().Get(ts.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("/metrics: %d", resp.StatusCode)
	}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 2 && f[0] == name {
			v, err := strconv.ParseFloat(f[1], 64)
			if err != nil {
				t.Fatal(err)
			}
			return v
		}
	}
	t.Fatalf("/metrics has no %s", name)
	return 0
}
