package web_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"policebooth/server/app"
	"policebooth/server/jobs"
)

// stallingGateway is an SMS gateway on loopback that, for every message
// (by its Idempotency-Key), stalls 6 s and then answers 500, answers 500
// once more, and only then takes it. It counts deliveries per key.
type stallingGateway struct {
	*httptest.Server
	mu        sync.Mutex
	tries     map[string]int
	delivered map[string]int
	texts     map[string]string // key → the body of its first try
	changed   []string          // keys whose body changed between tries
}

func newStallingGateway(t *testing.T) *stallingGateway {
	g := &stallingGateway{tries: map[string]int{}, delivered: map[string]int{}, texts: map[string]string{}}
	g.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key := r.Header.Get("Idempotency-Key")
		body, _ := io.ReadAll(r.Body)
		var m struct{ Phone, Text string }
		if key == "" || json.Unmarshal(body, &m) != nil || m.Phone == "" {
			http.Error(w, "want {phone,text} and an Idempotency-Key", http.StatusBadRequest)
			return
		}
		g.mu.Lock()
		g.tries[key]++
		try := g.tries[key]
		if first, ok := g.texts[key]; !ok {
			g.texts[key] = string(body)
		} else if first != string(body) {
			g.changed = append(g.changed, key)
		}
		g.mu.Unlock()
		switch try {
		case 1:
			select {
			case <-time.After(6 * time.Second):
			case <-r.Context().Done():
			}
			w.WriteHeader(http.StatusInternalServerError)
		case 2:
			w.WriteHeader(http.StatusInternalServerError)
		default:
			g.mu.Lock()
			g.delivered[key]++
			g.mu.Unlock()
		}
	}))
	t.Cleanup(g.Close)
	return g
}

// TestStalledGatewayHoldsUpNeitherCallsNorEscalation: with a gateway that
// stalls 6 s and fails twice per message, raising a call with nobody on
// duty answers within a second, the call's next escalation step is taken
// on time, and every text is delivered once, under one key and one body.
func TestStalledGatewayHoldsUpNeitherCallsNorEscalation(t *testing.T) {
	gw := newStallingGateway(t)
	ts := newTestServer(t, map[string]string{"POLICEBOOTH_NOTIFY_WEBHOOK": gw.URL})
	ts.demo(t)
	resident := ts.login(t, "13900000001").AccessToken
	head := ts.login(t, "13800000000").AccessToken
	s := ts.stream(t, head, "").without("coverage.gap")

	start := time.Now()
	var call callOut
	if resp := ts.api(t, "POST", "/api/v1/assistance-calls", resident, map[string]any{"category": "medical"}, &call); resp.StatusCode != 201 || call.EscalationLevel != 1 {
		t.Fatalf("call: %d, level %d (want 1: nobody on duty)", resp.StatusCode, call.EscalationLevel)
	}
	if took := time.Since(start); took > time.Second {
		t.Fatalf("POST /assistance-calls took %v with the gateway stalled, want at most 1 s", took)
	}
	for _, want := range []string{"assistance.created", "assistance.escalated"} {
		if ev := s.next(t); ev.Name != want {
			t.Fatalf("the head's stream got %s, want %s", ev.Name, want)
		}
	}
	// The texts of the first step are now stuck on the stalled gateway.
	// Make the next step due: it must be taken within the escalation tick.
	time.Sleep(500 * time.Millisecond)
	id, _ := strconv.ParseInt(call.ID, 10, 64)
	if err := ts.store.DB().Model(&app.AssistanceCall{}).Where("id = ?", id).Update("next_alert_at", time.Now().UTC()).Error; err != nil {
		t.Fatal(err)
	}
	due := time.Now()
	ev := s.next(t)
	if ev.Name != "assistance.escalated" || ev.Data["escalation_level"] != float64(2) {
		t.Fatalf("the head's stream got %s %v, want the second escalation step", ev.Name, ev.Data)
	}
	if late := time.Since(due); late > 2*time.Second {
		t.Fatalf("the second step came %v after it was due, want within the 1 s tick", late)
	}

	// Every text goes out once: a try stalled, two 500s, then taken.
	deadline := time.Now().Add(40 * time.Second)
	for {
		var pending int64
		ts.store.DB().Table("outbox_messages").Where("status <> ?", app.MessageSent).Count(&pending)
		if pending == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d texts still not delivered after 40 s", pending)
		}
		time.Sleep(200 * time.Millisecond)
	}
	var rows int64
	ts.store.DB().Table("outbox_messages").Count(&rows)
	gw.mu.Lock()
	defer gw.mu.Unlock()
	if rows < 2 || int64(len(gw.delivered)) != rows {
		t.Fatalf("%d texts written, %d delivered keys: %v", rows, len(gw.delivered), gw.delivered)
	}
	for key, n := range gw.delivered {
		if n != 1 || gw.tries[key] != 3 {
			t.Errorf("text %s delivered %d times after %d tries, want once after 3", key, n, gw.tries[key])
		}
	}
	if len(gw.changed) > 0 {
		t.Errorf("texts whose body changed between retries: %v", gw.changed)
	}
	escalations := 0
	for _, body := range gw.texts {
		if strings.Contains(body, "#"+call.ID) {
			escalations++
		}
	}
	if escalations != 2 {
		t.Errorf("%d texts about call %s, want one per escalation step (2)", escalations, call.ID)
	}
}

var jobSuccess = regexp.MustCompile(`(?m)^policebooth_job_last_success_timestamp_seconds\{job="([a-z_]+)"\} (\S+)$`)

// TestMetricsShowEveryJobFromTheStart: a freshly started server lists every
// job in /metrics with its last success.
func TestMetricsShowEveryJobFromTheStart(t *testing.T) {
	ts := newTestServer(t, nil)
	names := []string{jobs.Escalate, jobs.CheckStreams, jobs.CoverageGaps, jobs.AnnounceNotices, jobs.RetainLocations,
		jobs.RetainAttachments, jobs.RetainPhotos, jobs.PurgeBlobs, jobs.SendMessages, jobs.PurgeIdempotency,
		jobs.PruneEvents, jobs.PurgeSessions, jobs.MarkNoShows, jobs.RemindBookings, jobs.OpenSlots, jobs.SummarizeDays}
	var body string
	for range 50 {
		_, body = ts.do(t, "GET", "/metrics", "", nil)
		last := map[string]float64{}
		for _, m := range jobSuccess.FindAllStringSubmatch(body, -1) {
			last[m[1]], _ = strconv.ParseFloat(m[2], 64)
		}
		missing := 0
		for _, n := range names {
			if last[n] <= 0 {
				missing++
			}
		}
		if missing == 0 {
			for _, n := range names {
				for _, series := range []string{`policebooth_job_runs_total{job="` + n + `",outcome="ok"}`, `policebooth_job_duration_seconds_count{job="` + n + `"}`} {
					if !strings.Contains(body, series) {
						t.Errorf("/metrics lacks %s", series)
					}
				}
			}
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("after 5 s /metrics does not show every job's last success:\n%s", jobSuccess.FindAllString(body, -1))
}

// TestStreamFromBeforeTheReplayWindowIsToldToReload: events past the
// replay window are pruned; a stream resuming from before them gets one
// "reload" event instead of silently missing them.
func TestStreamFromBeforeTheReplayWindowIsToldToReload(t *testing.T) {
	ts := newTestServer(t, nil)
	ts.demo(t)
	resident := ts.login(t, "13900000001").AccessToken
	officer := ts.login(t, "13800000001").AccessToken
	s := ts.stream(t, officer, "")
	ts.newRequest(t, resident)
	old := s.next(t)
	s.cancel()
	ts.newRequest(t, resident)
	if _, err := ts.store.PruneEvents(context.Background(), time.Now().Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if ev := ts.stream(t, officer, old.ID).next(t); ev.Name != "reload" {
		t.Fatalf("a stream resumed from a pruned position got %s %v, want reload", ev.Name, ev.Data)
	}
	// From now on it streams as usual.
	s = ts.stream(t, officer, "")
	r := ts.newRequest(t, resident)
	if ev := s.next(t); ev.Data["id"] != r.ID {
		t.Fatalf("after the prune: %+v", ev)
	}
}

// TestTextGivenUpAfterADayIsCountedAndListed: a text still failing 24
// hours after it was written is marked failed, counted in /metrics and
// listed for the station's heads on /audit.
func TestTextGivenUpAfterADayIsCountedAndListed(t *testing.T) {
	down := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusInternalServerError)
	}))
	t.Cleanup(down.Close)
	ts := newTestServer(t, map[string]string{"POLICEBOOTH_NOTIFY_WEBHOOK": down.URL})
	ts.demo(t)
	head := ts.login(t, "13800000000").AccessToken
	var me struct {
		StationID string `json:"station_id"`
	}
	ts.api(t, "GET", "/api/v1/me", head, nil, &me)
	station, _ := strconv.ParseInt(me.StationID, 10, 64)
	written := time.Now().Add(-app.MessageGiveUp - time.Minute).UTC()
	m := app.OutboxMessage{StationID: &station, Phone: "13800000000", Kind: "sms.coverage_gap", Language: "zh-CN",
		Params: `{"Booth":"A"}`, IdempotencyKey: "given-up-1", Status: app.MessagePending, Attempts: 20,
		NextAttemptAt: written, CreatedAt: written}
	if err := ts.store.DB().Table("outbox_messages").Create(&m).Error; err != nil {
		t.Fatal(err)
	}
	var body string
	for range 50 {
		if _, body = ts.do(t, "GET", "/metrics", "", nil); strings.Contains(body, `policebooth_outbox_messages{channel="sms",status="failed"} 1`) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if !strings.Contains(body, `policebooth_outbox_messages{channel="sms",status="failed"} 1`) {
		t.Fatal("/metrics does not count the text given up")
	}
	_, page := ts.do(t, "GET", "/audit", "", map[string]string{"Authorization": "Bearer " + head})
	if !strings.Contains(page, "data-failed-texts") || !strings.Contains(page, "138****0000") || !strings.Contains(page, "无人值守通知") {
		t.Fatal("/audit does not list the text given up for the head")
	}
	if strings.Contains(page, "13800000000") {
		t.Error("/audit shows the whole phone number")
	}
}
