package web_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"policebooth/server/config"
	"policebooth/server/store"
	"policebooth/server/store/storetest"
	"policebooth/server/web"
)

// post sends a creating POST with an Idempotency-Key, without failing the
// test on a transport error: under a database restart those are expected.
func post(client *http.Client, url, token, key string, body any) (status int, text string, err error) {
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest("POST", url, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(out), nil
}

// The database restarts under load: meanwhile /readyz answers 503 and
// writes a clear 503 error, never a bare 500; the server recovers by
// itself; no acknowledged write is lost (a write whose answer was an error
// is resent with its key, and stored once); and an open event stream,
// resumed with Last-Event-ID where needed, misses none of their events.
func TestDatabaseRestartUnderLoad(t *testing.T) {
	cluster := storetest.NewCluster(t)
	st := storetest.OpenAt(t, cluster.URL, "")
	ts := newTestServerOn(t, st, map[string]string{"DATABASE_URL": cluster.URL})
	ts.demo(t)
	resident := ts.login(t, "13900000001").AccessToken
	officer := ts.login(t, "13800000001").AccessToken
	status := func(path string) int {
		resp, err := ts.Client().Get(ts.URL + path)
		if err != nil {
			return 0
		}
		resp.Body.Close()
		return resp.StatusCode
	}

	// The officer's tablet: its stream's events, kept until it closes.
	first := ts.stream(t, officer, "")
	var mu sync.Mutex
	seen := map[string]bool{} // request ids of request.created events
	lastID := ""
	drained := make(chan struct{})
	go func() {
		defer close(drained)
		for {
			select {
			case ev := <-first.events:
				mu.Lock()
				lastID = ev.ID
				if ev.Name == "request.created" {
					seen[fmt.Sprint(ev.Data["id"])] = true
				}
				mu.Unlock()
			case <-first.closed:
				return
			}
		}
	}()

	// The writer: requests one after another, each resent with its key
	// until it is answered 201.
	stop := make(chan struct{})
	var acked []string
	unexpected := map[string]int{} // answers other than 201 and a clear 503
	outage := 0                    // clear 503 answers
	writer := make(chan struct{})
	client := &http.Client{Timeout: 30 * time.Second}
	go func() {
		defer close(writer)
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			key := fmt.Sprint("restart-", i)
			for {
				code, text, err := post(client, ts.URL+"/api/v1/service-requests", resident, key, map[string]any{
					"services": []string{"other"}, "fields": map[string]any{"other": map[string]string{"subject": key}}})
				if code == 201 {
					var r struct{ ID string }
					_ = json.Unmarshal([]byte(text), &r)
					mu.Lock()
					acked = append(acked, r.ID)
					mu.Unlock()
					break
				}
				mu.Lock()
				if code == 503 && strings.Contains(text, `"code":"unavailable"`) {
					outage++
				} else {
					unexpected[fmt.Sprintf("%d %.120s %v", code, text, err)]++
				}
				mu.Unlock()
				time.Sleep(100 * time.Millisecond)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}()

	time.Sleep(time.Second)
	cluster.Stop()
	if got := status("/readyz"); got != 503 {
		t.Errorf("readyz with the database stopped: %d, want 503", got)
	}
	code, text, err := post(client, ts.URL+"/api/v1/service-requests", resident, "", map[string]any{
		"services": []string{"other"}, "fields": map[string]any{"other": map[string]string{"subject": "down"}}})
	if err != nil || code != 503 || apiErrorCode(t, text) != "unavailable" {
		t.Errorf("a write with the database stopped: %d %s %v; want 503 unavailable", code, text, err)
	}
	time.Sleep(time.Second)
	cluster.Start()
	ready := time.Now()
	for status("/readyz") != 200 {
		if time.Since(ready) > 15*time.Second {
			t.Fatal("readyz did not return to 200 within 15 s of the database's return")
		}
		time.Sleep(100 * time.Millisecond)
	}
	mu.Lock()
	before := len(acked)
	mu.Unlock()
	time.Sleep(1500 * time.Millisecond) // writes go on after the return
	close(stop)
	<-writer
	if len(acked) <= before {
		t.Errorf("no write succeeded after the database returned (%d before, %d after)", before, len(acked))
	}
	if outage == 0 {
		t.Error("the writer never saw the outage: the test did not test it")
	}
	if len(unexpected) > 0 {
		t.Errorf("writes answered other than 201 or a clear 503: %v", unexpected)
	}
	t.Logf("%d writes acknowledged, %d answered 503 during the outage, ready %v after the database returned", len(acked), outage, time.Since(ready).Round(time.Millisecond))

	// Every acknowledged write is there, once.
	var n int64
	if err := st.DB().Table("service_requests").Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	if int(n) != len(acked) {
		t.Errorf("%d requests stored, %d acknowledged: want the same", n, len(acked))
	}

	// The stream missed nothing: what it did not deliver before it ended
	// (or before now), a stream resumed from its last id does.
	first.cancel()
	<-drained
	mu.Lock()
	resume := lastID
	mu.Unlock()
	if resume == "" {
		resume = "0"
	}
	second := ts.stream(t, officer, resume)
	deadline := time.After(15 * time.Second)
	for {
		missing := 0
		for _, id := range acked {
			if !seen[id] {
				missing++
			}
		}
		if missing == 0 {
			break
		}
		select {
		case ev := <-second.events:
			if ev.Name == "request.created" {
				seen[fmt.Sprint(ev.Data["id"])] = true
			}
		case <-deadline:
			t.Fatalf("the streams missed %d of %d request.created events", missing, len(acked))
		}
	}
}

// SIGTERM (what ends Serve's context): a request in flight finishes,
// open streams end cleanly so their clients reconnect (every stream opens
// with its retry: advice), new connections are refused, and the background
// work has stopped once Serve returns.
func TestShutdownFinishesInFlightRequests(t *testing.T) {
	background := []string{"web.(*Server).escalate(", "web.(*Server).retain(", "web.(*Server).checkStreams(", "events.(*Hub).Run("}
	running := func() []string {
		buf := make([]byte, 1<<22)
		dump := string(buf[:runtime.Stack(buf, true)])
		var found []string
		for _, fn := range background {
			if strings.Contains(dump, fn) {
				found = append(found, fn)
			}
		}
		return found
	}
	// Servers of earlier tests stop in their cleanup; let them finish.
	for i := 0; len(running()) > 0 && i < 100; i++ {
		time.Sleep(50 * time.Millisecond)
	}

	st := storetest.Open(t)
	if err := st.LoadDemo(context.Background(), storetest.Logger(t)); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	cfg, err := config.LoadFrom(func(k string) string {
		if k == "POLICEBOOTH_DATA_DIR" {
			return dir
		}
		return ""
	})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := web.New(cfg, st.Services(), storetest.Logger(t))
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ctx, ln) }()
	base := "http://" + ln.Addr().String()
	resident := signInAt(t, base, "13900000001")
	officer := signInAt(t, base, "13800000001")
	code, text, err := post(http.DefaultClient, base+"/api/v1/service-requests", resident, "", map[string]any{
		"services": []string{"other"}, "fields": map[string]any{"other": map[string]string{"subject": "x"}}})
	var r requestOut
	if err != nil || code != 201 || json.Unmarshal([]byte(text), &r) != nil {
		t.Fatalf("create a request: %d %s %v", code, text, err)
	}

	// An officer's stream.
	req, _ := http.NewRequest("GET", base+"/api/v1/events", nil)
	req.Header.Set("Authorization", "Bearer "+officer)
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("stream: %v %v", resp, err)
	}
	defer resp.Body.Close()
	lines := bufio.NewReader(resp.Body)
	if line, _ := lines.ReadString('\n'); !strings.HasPrefix(line, "retry:") {
		t.Fatalf("the stream opened with %q, want its retry advice", line)
	}

	// An upload in flight: half its body is sent when the signal comes.
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", "id.png")
	fw.Write(pngBytes(t))
	mw.Close()
	whole := body.Bytes()
	pr, pw := io.Pipe()
	upload, _ := http.NewRequest("POST", base+"/api/v1/service-requests/"+r.ID+"/attachments", pr)
	upload.Header.Set("Content-Type", mw.FormDataContentType())
	upload.Header.Set("Authorization", "Bearer "+resident)
	upload.ContentLength = int64(len(whole))
	answered := make(chan int, 1)
	go func() {
		resp, err := http.DefaultClient.Do(upload)
		if err != nil {
			answered <- 0
			return
		}
		resp.Body.Close()
		answered <- resp.StatusCode
	}()
	if _, err := pw.Write(whole[:len(whole)/2]); err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond) // the server is reading the body

	cancel() // SIGTERM
	// The stream ends cleanly (no reset), so its client reconnects.
	streamEnded := make(chan error, 1)
	var tail bytes.Buffer
	go func() {
		_, err := io.Copy(&tail, lines)
		streamEnded <- err
	}()
	select {
	case err := <-streamEnded:
		if err != nil {
			t.Errorf("the stream ended with %v, want a clean end", err)
		}
		if !strings.Contains(tail.String(), "retry: ") || !strings.Contains(tail.String(), "reconnect") {
			t.Errorf("the stream ended with %q, want the advice to reconnect", tail.String())
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the stream was not ended within 5 s of the shutdown")
	}
	// New connections are refused meanwhile.
	time.Sleep(100 * time.Millisecond)
	if c, err := net.DialTimeout("tcp", ln.Addr().String(), time.Second); err == nil {
		c.Close()
		t.Error("a new connection was accepted after the shutdown began")
	}
	// The upload in flight completes.
	if _, err := pw.Write(whole[len(whole)/2:]); err != nil {
		t.Fatal(err)
	}
	pw.Close()
	if code := <-answered; code != 201 {
		t.Errorf("the upload in flight at the shutdown answered %d, want 201", code)
	}
	select {
	case err := <-served:
		if err != nil {
			t.Errorf("Serve after the shutdown: %v", err)
		}
	case <-time.After(25 * time.Second):
		t.Fatal("Serve did not return within 25 s of the shutdown")
	}
	if left := running(); len(left) > 0 {
		t.Errorf("background work still running after Serve returned: %v", left)
	}
	var n int64
	st.DB().Table("attachments").Count(&n)
	if n != 1 {
		t.Errorf("%d attachments stored, want the one in flight", n)
	}
}

// signInAt signs in on a server that is not a testServer.
func signInAt(t *testing.T, base, phone string) string {
	t.Helper()
	code, text, err := post(http.DefaultClient, base+"/api/v1/auth/login", "", "", map[string]string{"phone": phone, "password": store.DemoPassword})
	var p pair
	if err != nil || code != 200 || json.Unmarshal([]byte(text), &p) != nil {
		t.Fatalf("sign in %s: %d %s %v", phone, code, text, err)
	}
	return p.AccessToken
}

// A write stored by a process that died before keeping its answer: the
// retry with the same key is told so (409, Idempotent-Replayed: stored)
// and nothing is stored twice, even after the claim's lease.
func TestRetryOfAWriteWhoseAnswerWasLost(t *testing.T) {
	ts := newTestServer(t, nil)
	ts.demo(t)
	resident := ts.login(t, "13900000001").AccessToken
	body := map[string]any{"services": []string{"other"}, "fields": map[string]any{"other": map[string]string{"subject": "lost"}}}
	if resp := ts.apiKey(t, "POST", "/api/v1/service-requests", resident, "lost-1", body, nil); resp.StatusCode != 201 {
		t.Fatalf("first send: %d", resp.StatusCode)
	}
	// What the crash leaves: the write and its mark committed together, the
	// answer never kept.
	stale := time.Now().Add(-store.IdempotencyLease - time.Second).UTC()
	if err := ts.store.DB().Exec("UPDATE idempotent_responses SET status = ?, body = ?, created_at = ? WHERE key = 'lost-1'", store.IdempotencyWritten, []byte{}, stale).Error; err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(body)
	resp, text := ts.do(t, "POST", "/api/v1/service-requests", string(b), map[string]string{"Authorization": "Bearer " + resident, "Idempotency-Key": "lost-1"})
	if resp.StatusCode != 409 || resp.Header.Get("Idempotent-Replayed") != "stored" || apiErrorCode(t, text) != "conflict" {
		t.Fatalf("retry after the lost answer: %d %q %s", resp.StatusCode, resp.Header.Get("Idempotent-Replayed"), text)
	}
	var n int64
	ts.store.DB().Table("service_requests").Count(&n)
	if n != 1 {
		t.Fatalf("%d requests stored, want 1", n)
	}
}
