// Command benchstream is the client side of scripts/bench-stream: it holds
// many Server-Sent Events streams of GET /api/v1/events open against a
// running server and measures them against design.md's budgets.
//
//	benchstream fanout -streams URL -post URL -n 1000 -changes 100
//	    opens n officer streams, then creates requests one at a time as a
//	    resident and times each from just before its POST to the moment the
//	    last stream has its request.created event
//	benchstream idle -server URL -n 10000
//	    reads the server's resident memory, opens n idle streams, waits,
//	    reads it again, then holds the streams a while longer to see the
//	    server's CPU use and memory while they idle
//
// Each prints its results on stdout as "key value" lines, for the script
// to read; progress goes to stderr. It exits 2 when it cannot sign in or
// reach the server (a setup failure) and 0 otherwise: streams that fail to
// open, drop or miss events are results, reported in the output.
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// Demo accounts (design.md, "Running it").
const (
	demoPassword = "booth-demo-2026"
	demoOfficer  = "13800000001"
	demoResident = "13900000001"
)

// Bounds that keep every step finite.
const (
	openTimeout  = 15 * time.Second // one stream's dial, request and retry: line
	openInFlight = 64               // streams being opened at once, so the listen backlog never overflows
	postTimeout  = 10 * time.Second
)

// setupError is a failure of the setup (sign-in, an unreachable server),
// not a measurement.
type setupError struct{ err error }

func (e setupError) Error() string { return e.err.Error() }

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: benchstream fanout|idle [flags]")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var err error
	switch os.Args[1] {
	case "fanout":
		err = runFanout(ctx, os.Args[2:])
	case "idle":
		err = runIdle(ctx, os.Args[2:])
	default:
		err = setupError{fmt.Errorf("unknown command %q: want fanout or idle", os.Args[1])}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchstream:", err)
		var se setupError
		if errors.As(err, &se) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}

// result collects the "key value" lines printed at the end.
type result struct{ lines []string }

func (r *result) add(key string, format string, args ...any) {
	r.lines = append(r.lines, key+" "+fmt.Sprintf(format, args...))
}

func (r *result) print() {
	for _, l := range r.lines {
		fmt.Println(l)
	}
}

func progress(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "   benchstream: "+format+"\n", args...)
}

// ---------------------------------------------------------------------------
// fan-out

func runFanout(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("fanout", flag.ExitOnError)
	streamURL := fs.String("streams", "", "base URL of the instance the streams connect to")
	postURL := fs.String("post", "", "base URL of the instance the requests are created on")
	n := fs.Int("n", 1000, "officer streams")
	changes := fs.Int("changes", 100, "requests created and timed")
	warmup := fs.Int("warmup", 3, "requests created first and not timed")
	interval := fs.Duration("interval", 200*time.Millisecond, "time from one POST's start to the next")
	wait := fs.Duration("wait", 5*time.Second, "how long a change may take to reach every stream before it counts as incomplete")
	sources := fs.Int("sources", 0, "loopback source addresses 127.0.0.1..127.0.0.K to spread the streams over (0: as many as the ephemeral ports need)")
	_ = fs.Parse(args)
	if *streamURL == "" || *postURL == "" || *n < 1 || *changes < 1 {
		return setupError{errors.New("fanout needs -streams, -post, -n >= 1 and -changes >= 1")}
	}

	api := &apiClient{http: &http.Client{Timeout: postTimeout}}
	officer, err := api.login(ctx, *streamURL, demoOfficer)
	if err != nil {
		return setupError{err}
	}
	resident, err := api.login(ctx, *postURL, demoResident)
	if err != nil {
		return setupError{err}
	}

	rec := newArrivals(*n)
	progress("opening %d streams to %s", *n, *streamURL)
	set, err := openStreams(ctx, *streamURL, officer, *n, *sources, rec.record)
	if err != nil {
		return setupError{err}
	}
	defer set.close()
	var res result
	res.add("streams", "%d", *n)
	res.add("opened", "%d", set.opened())
	res.add("open_seconds", "%.1f", set.took.Seconds())
	if set.opened() < *n {
		res.add("error", "only %d of %d streams opened: %s", set.opened(), *n, oneLine(set.firstErr))
		res.print()
		return nil
	}

	progress("%d warm-up and %d timed changes, one every %v", *warmup, *changes, *interval)
	// For each timed change: the POST's answer, the first and the last
	// stream's event, all from just before the POST.
	var posts, firsts, latencies, inOrder []time.Duration
	incomplete, missing, postErrors := 0, 0, 0
	var postErr error
	next := time.Now()
	for i := -*warmup; i < *changes; i++ {
		if err := sleepUntil(ctx, next); err != nil {
			return err
		}
		start := time.Now()
		next = start.Add(*interval)
		id, err := api.createRequest(ctx, *postURL, resident, i)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			postErrors++
			postErr = err
			continue
		}
		answered := time.Since(start)
		a := rec.entry(id)
		select {
		case <-a.done:
		case <-time.After(time.Until(start.Add(*wait))):
		case <-ctx.Done():
			return ctx.Err()
		}
		got, first, last := rec.state(a)
		if i < 0 {
			continue
		}
		posts = append(posts, answered)
		if got < *n {
			incomplete++
			missing += *n - got
			continue
		}
		firsts = append(firsts, first.Sub(start))
		latencies = append(latencies, last.Sub(start))
		inOrder = append(inOrder, last.Sub(start))
	}
	// Streams that end just after the last change count as dropped.
	time.Sleep(100 * time.Millisecond)

	slices.Sort(posts)
	slices.Sort(firsts)
	slices.Sort(latencies)
	res.add("changes", "%d", *changes)
	res.add("complete", "%d", len(latencies))
	res.add("incomplete", "%d", incomplete)
	res.add("missing_deliveries", "%d", missing)
	res.add("duplicates", "%d", rec.duplicates.Load())
	res.add("post_errors", "%d", postErrors)
	if postErr != nil {
		res.add("error", "%d POSTs failed, the last: %s", postErrors, oneLine(postErr))
	}
	res.add("dropped", "%d", set.dropped.Load())
	if len(latencies) > 0 {
		res.add("p50_ms", "%.1f", ms(percentile(latencies, 0.50)))
		res.add("p99_ms", "%.1f", ms(percentile(latencies, 0.99)))
		res.add("max_ms", "%.1f", ms(latencies[len(latencies)-1]))
		res.add("first_stream_p50_ms", "%.1f", ms(percentile(firsts, 0.50)))
		res.add("first_stream_p99_ms", "%.1f", ms(percentile(firsts, 0.99)))
	}
	if len(posts) > 0 {
		res.add("post_p50_ms", "%.1f", ms(percentile(posts, 0.50)))
		res.add("post_p99_ms", "%.1f", ms(percentile(posts, 0.99)))
	}
	res.add("latencies_ms", "%s", joinMS(inOrder))
	res.print()
	return nil
}

// arrivals records, per request id, how many streams have received its
// request.created event and when the last one did.
type arrivals struct {
	n          int
	duplicates atomic.Int64

	mu   sync.Mutex
	byID map[string]*arrival
}

type arrival struct {
	got   int
	first time.Time
	last  time.Time
	done  chan struct{} // closed when every stream has it
}

func newArrivals(n int) *arrivals {
	return &arrivals{n: n, byID: map[string]*arrival{}}
}

// entry returns the request's record, creating it: events may arrive
// before the POST that caused them has returned its id.
func (r *arrivals) entry(id string) *arrival {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.entryLocked(id)
}

func (r *arrivals) entryLocked(id string) *arrival {
	a, ok := r.byID[id]
	if !ok {
		a = &arrival{done: make(chan struct{})}
		r.byID[id] = a
	}
	return a
}

func (r *arrivals) state(a *arrival) (got int, first, last time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return a.got, a.first, a.last
}

// record is called by a stream for each event it reads; seen is that
// stream's own set of request ids, to catch duplicates.
func (r *arrivals) record(ev sseEvent, at time.Time, seen map[string]bool) {
	if ev.name != "request.created" {
		return
	}
	var payload struct {
		ID string `json:"id"`
	}
	if json.Unmarshal(ev.data, &payload) != nil || payload.ID == "" {
		return
	}
	if seen[payload.ID] {
		r.duplicates.Add(1)
		return
	}
	seen[payload.ID] = true
	r.mu.Lock()
	defer r.mu.Unlock()
	a := r.entryLocked(payload.ID)
	a.got++
	if a.first.IsZero() || at.Before(a.first) {
		a.first = at
	}
	if at.After(a.last) {
		a.last = at
	}
	if a.got == r.n {
		close(a.done)
	}
}

// ---------------------------------------------------------------------------
// idle streams

func runIdle(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("idle", flag.ExitOnError)
	server := fs.String("server", "", "base URL of the instance")
	n := fs.Int("n", 1000, "idle officer streams")
	settle := fs.Duration("settle", 3*time.Second, "wait between the last stream opening and the second reading")
	hold := fs.Duration("hold", 10*time.Second, "how long the streams then stay open, idle, to measure the server's CPU and memory over that time")
	sources := fs.Int("sources", 0, "loopback source addresses 127.0.0.1..127.0.0.K to spread the streams over (0: as many as the ephemeral ports need)")
	_ = fs.Parse(args)
	if *server == "" || *n < 1 {
		return setupError{errors.New("idle needs -server and -n >= 1")}
	}
	api := &apiClient{http: &http.Client{Timeout: postTimeout}}
	officer, err := api.login(ctx, *server, demoOfficer)
	if err != nil {
		return setupError{err}
	}
	before, err := api.metrics(ctx, *server)
	if err != nil {
		return setupError{err}
	}
	progress("opening %d idle streams to %s (server RSS %.1f MiB)", *n, *server, before.rss/(1<<20))
	set, err := openStreams(ctx, *server, officer, *n, *sources, nil)
	if err != nil {
		return setupError{err}
	}
	defer set.close()
	if err := sleepUntil(ctx, time.Now().Add(*settle)); err != nil {
		return err
	}
	after, err := api.metrics(ctx, *server)
	if err != nil {
		return setupError{err}
	}
	progress("holding %d idle streams for %v", set.opened(), *hold)
	if err := sleepUntil(ctx, time.Now().Add(*hold)); err != nil {
		return err
	}
	held, err := api.metrics(ctx, *server)
	if err != nil {
		return setupError{err}
	}
	var res result
	res.add("streams", "%d", *n)
	res.add("opened", "%d", set.opened())
	res.add("open_seconds", "%.1f", set.took.Seconds())
	res.add("dropped", "%d", set.dropped.Load())
	res.add("rss_before_mib", "%.1f", before.rss/(1<<20))
	res.add("rss_after_mib", "%.1f", after.rss/(1<<20))
	res.add("rss_held_mib", "%.1f", held.rss/(1<<20))
	res.add("idle_cpu_percent", "%.1f", 100*(held.cpu-after.cpu)/hold.Seconds())
	res.add("goroutines_before", "%.0f", before.goroutines)
	res.add("goroutines_after", "%.0f", after.goroutines)
	if open := set.opened(); open > 0 {
		res.add("kb_per_stream", "%.1f", (after.rss-before.rss)/1024/float64(open))
		// RSS can grow less than the streams take when they reuse memory
		// the runtime had not returned yet (the sign-in's password hash
		// frees tens of MiB); the Go heap and stacks in use show it anyway.
		res.add("heap_stack_kb_per_stream", "%.1f", (after.heapStack-before.heapStack)/1024/float64(open))
		res.add("goroutines_per_stream", "%.2f", (after.goroutines-before.goroutines)/float64(open))
	}
	if set.opened() < *n {
		res.add("error", "only %d of %d streams opened: %s", set.opened(), *n, oneLine(set.firstErr))
	}
	res.print()
	return nil
}

// ---------------------------------------------------------------------------
// streams

// sseEvent is one event read from a stream.
type sseEvent struct {
	name string
	data []byte
}

// streamSet is a group of open streams.
type streamSet struct {
	took     time.Duration
	firstErr error
	dropped  atomic.Int64 // streams the server ended while the set was open

	closing atomic.Bool
	mu      sync.Mutex
	conns   []net.Conn
	readers sync.WaitGroup
}

func (s *streamSet) opened() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.conns)
}

// close ends every stream and waits for their readers.
func (s *streamSet) close() {
	s.closing.Store(true)
	s.mu.Lock()
	for _, c := range s.conns {
		_ = c.Close()
	}
	s.mu.Unlock()
	s.readers.Wait()
}

// openStreams opens n streams of GET /api/v1/events as the holder of token
// and returns once each has read its retry: line (the server subscribes
// before writing it) or failed. Each stream then reads on in its own
// goroutine and hands every event to onEvent, when it is not nil.
func openStreams(ctx context.Context, base, token string, n, sources int, onEvent func(sseEvent, time.Time, map[string]bool)) (*streamSet, error) {
	u, err := url.Parse(base)
	if err != nil {
		return nil, err
	}
	if sources <= 0 {
		sources = sourcesNeeded(n)
	}
	locals := make([]*net.TCPAddr, sources)
	for i := range locals {
		if sources > 1 {
			locals[i] = &net.TCPAddr{IP: net.IPv4(127, 0, byte((i+1)/256), byte((i+1)%256))}
		}
	}
	if sources > 1 {
		progress("spreading the client side over %d loopback source addresses", sources)
	}
	request := "GET /api/v1/events HTTP/1.1\r\nHost: " + u.Host + "\r\nAuthorization: Bearer " + token +
		"\r\nAccept: text/event-stream\r\nCache-Control: no-cache\r\n\r\n"

	set := &streamSet{}
	start := time.Now()
	sem := make(chan struct{}, openInFlight)
	var wg sync.WaitGroup
	var errOnce sync.Once
	for i := range n {
		if ctx.Err() != nil {
			break
		}
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			conn, body, err := openStream(ctx, u.Host, locals[i%sources], request)
			<-sem
			if err != nil {
				errOnce.Do(func() { set.firstErr = err })
				return
			}
			set.mu.Lock()
			set.conns = append(set.conns, conn)
			set.mu.Unlock()
			set.readers.Add(1)
			go set.read(body, onEvent)
		}()
	}
	wg.Wait()
	set.took = time.Since(start)
	if ctx.Err() != nil {
		set.close()
		return nil, ctx.Err()
	}
	if set.opened() == 0 {
		return nil, fmt.Errorf("no stream opened: %w", set.firstErr)
	}
	progress("%d of %d streams open after %.1fs", set.opened(), n, set.took.Seconds())
	return set, nil
}

// openStream dials, sends the request and reads the response head and the
// retry: line that opens every stream.
func openStream(ctx context.Context, host string, local *net.TCPAddr, request string) (net.Conn, *bufio.Reader, error) {
	ctx, cancel := context.WithTimeout(ctx, openTimeout)
	defer cancel()
	d := net.Dialer{}
	if local != nil {
		d.LocalAddr = local
	}
	conn, err := d.DialContext(ctx, "tcp", host)
	if err != nil {
		return nil, nil, err
	}
	deadline, _ := ctx.Deadline()
	_ = conn.SetDeadline(deadline)
	fail := func(err error) (net.Conn, *bufio.Reader, error) {
		_ = conn.Close()
		return nil, nil, err
	}
	if _, err := io.WriteString(conn, request); err != nil {
		return fail(err)
	}
	resp, err := http.ReadResponse(bufio.NewReaderSize(conn, 2048), nil)
	if err != nil {
		return fail(err)
	}
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return fail(fmt.Errorf("GET /api/v1/events answered %d: %s", resp.StatusCode, b))
	}
	body := bufio.NewReaderSize(resp.Body, 1024)
	line, err := body.ReadString('\n')
	if err != nil {
		return fail(fmt.Errorf("reading the retry: line: %w", err))
	}
	if !strings.HasPrefix(line, "retry:") {
		return fail(fmt.Errorf("the stream opened with %q, want a retry line", line))
	}
	_ = conn.SetDeadline(time.Time{})
	return conn, body, nil
}

// read parses the stream until it ends. An end the set did not cause is a
// drop.
func (s *streamSet) read(body *bufio.Reader, onEvent func(sseEvent, time.Time, map[string]bool)) {
	defer s.readers.Done()
	seen := map[string]bool{}
	var ev sseEvent
	for {
		line, err := body.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			// A line longer than the buffer: no event this bench reads has one.
			for errors.Is(err, bufio.ErrBufferFull) {
				_, err = body.ReadSlice('\n')
			}
			if err == nil {
				continue
			}
		}
		if err != nil {
			if !s.closing.Load() {
				s.dropped.Add(1)
			}
			return
		}
		at := time.Now()
		line = bytes.TrimRight(line, "\r\n")
		switch {
		case len(line) == 0:
			if ev.name != "" && onEvent != nil {
				onEvent(ev, at, seen)
			}
			ev = sseEvent{}
		case bytes.HasPrefix(line, []byte("event:")):
			ev.name = string(bytes.TrimSpace(line[len("event:"):]))
		case bytes.HasPrefix(line, []byte("data:")):
			ev.data = append(ev.data, bytes.TrimSpace(line[len("data:"):])...)
		}
	}
}

// sourcesNeeded is how many loopback source addresses n connections need
// so that each address uses at most half the ephemeral port range.
func sourcesNeeded(n int) int {
	perSource := 14000
	if b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range"); err == nil {
		if f := strings.Fields(string(b)); len(f) == 2 {
			lo, err1 := strconv.Atoi(f[0])
			hi, err2 := strconv.Atoi(f[1])
			if err1 == nil && err2 == nil && hi > lo {
				perSource = (hi - lo + 1) / 2
			}
		}
	}
	return max(1, (n+perSource-1)/perSource)
}

// ---------------------------------------------------------------------------
// the JSON API and /metrics

type apiClient struct{ http *http.Client }

func (a *apiClient) do(ctx context.Context, method, u, token string, body any, out any) error {
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, r)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := a.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("%s %s answered %d: %s", method, req.URL.Path, resp.StatusCode, oneLine(errors.New(string(b))))
	}
	return json.Unmarshal(b, out)
}

func (a *apiClient) login(ctx context.Context, base, phone string) (string, error) {
	var out struct {
		AccessToken string `json:"access_token"`
	}
	err := a.do(ctx, http.MethodPost, base+"/api/v1/auth/login", "", map[string]string{"phone": phone, "password": demoPassword}, &out)
	if err != nil {
		return "", fmt.Errorf("sign in as %s: %w", phone, err)
	}
	if out.AccessToken == "" {
		return "", fmt.Errorf("sign in as %s: no access_token", phone)
	}
	return out.AccessToken, nil
}

// createRequest creates a service request as the resident and returns its id.
func (a *apiClient) createRequest(ctx context.Context, base, token string, i int) (string, error) {
	body := map[string]any{
		"services": []string{"other"},
		"fields":   map[string]any{"other": map[string]string{"subject": "bench " + strconv.Itoa(i)}},
	}
	var out struct {
		ID string `json:"id"`
	}
	if err := a.do(ctx, http.MethodPost, base+"/api/v1/service-requests", token, body, &out); err != nil {
		return "", fmt.Errorf("create a request: %w", err)
	}
	if out.ID == "" {
		return "", errors.New("create a request: the answer has no id")
	}
	return out.ID, nil
}

// serverMetrics are the figures read from /metrics.
type serverMetrics struct {
	rss        float64 // process_resident_memory_bytes
	goroutines float64 // go_goroutines
	cpu        float64 // process_cpu_seconds_total
	heapStack  float64 // go_memstats_heap_inuse_bytes + go_memstats_stack_inuse_bytes
}

func (a *apiClient) metrics(ctx context.Context, base string) (serverMetrics, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/metrics", nil)
	if err != nil {
		return serverMetrics{}, err
	}
	resp, err := a.http.Do(req)
	if err != nil {
		return serverMetrics{}, fmt.Errorf("read /metrics: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return serverMetrics{}, fmt.Errorf("GET /metrics answered %d", resp.StatusCode)
	}
	m := serverMetrics{rss: -1, goroutines: -1, cpu: -1}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) != 2 {
			continue
		}
		v, err := strconv.ParseFloat(f[1], 64)
		if err != nil {
			continue
		}
		switch f[0] {
		case "process_resident_memory_bytes":
			m.rss = v
		case "go_goroutines":
			m.goroutines = v
		case "process_cpu_seconds_total":
			m.cpu = v
		case "go_memstats_heap_inuse_bytes", "go_memstats_stack_inuse_bytes":
			m.heapStack += v
		}
	}
	if err := sc.Err(); err != nil {
		return serverMetrics{}, fmt.Errorf("read /metrics: %w", err)
	}
	if m.rss < 0 || m.goroutines < 0 || m.cpu < 0 {
		return serverMetrics{}, errors.New("/metrics lacks process_resident_memory_bytes, go_goroutines or process_cpu_seconds_total")
	}
	return m, nil
}

// ---------------------------------------------------------------------------
// small helpers

// percentile is the nearest-rank percentile of sorted durations.
func percentile(sorted []time.Duration, p float64) time.Duration {
	i := int(math.Ceil(p*float64(len(sorted)))) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// joinMS lists durations in milliseconds, comma-separated.
func joinMS(ds []time.Duration) string {
	parts := make([]string, len(ds))
	for i, d := range ds {
		parts[i] = strconv.FormatFloat(ms(d), 'f', 1, 64)
	}
	return strings.Join(parts, ",")
}

func sleepUntil(ctx context.Context, t time.Time) error {
	d := time.Until(t)
	if d <= 0 {
		return ctx.Err()
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// oneLine shortens an error to one line for the results.
func oneLine(err error) string {
	if err == nil {
		return "no error recorded"
	}
	s := strings.Join(strings.Fields(err.Error()), " ")
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}
