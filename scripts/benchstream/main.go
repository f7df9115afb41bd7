// Command benchstream is the client side of scripts/bench-stream and
// scripts/bench-assistance: it holds many Server-Sent Events streams of
// GET /api/v1/events open against a running server and measures them
// against design.md's budgets.
//
//	benchstream fanout -streams URL -post URL -n 1000 -changes 100
//	    opens n officer streams, then creates requests one at a time as a
//	    resident and times each from just before its POST to the moment the
//	    last stream has its request.created event
//	benchstream assistance -streams URL -post URL -n 1000 -changes 100 [-duty A]
//	    the same for assistance calls: signs in residents 13900010001, …
//	    (which the script created), then each in turn raises a call, timed
//	    to the last stream's assistance.created event, and cancels it once
//	    measured (the server allows one open call per resident and five an
//	    hour); -duty A puts the demo officer on duty at booth A once the
//	    streams are open, so the calls do not escalate at once
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
		fmt.Fprintln(os.Stderr, "usage: benchstream fanout|assistance|idle [flags]")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var err error
	switch os.Args[1] {
	case "fanout":
		err = runFanout(ctx, os.Args[2:])
	case "assistance":
		err = runAssistance(ctx, os.Args[2:])
	case "idle":
		err = runIdle(ctx, os.Args[2:])
	default:
		err = setupError{fmt.Errorf("unknown command %q: want fanout, assistance or idle", os.Args[1])}
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

// fanoutFlags are the flags the fan-out commands (fanout, assistance) share.
type fanoutFlags struct {
	streamURL, postURL string
	n, changes, warmup int
	interval, wait     time.Duration
	sources            int
}

func (f *fanoutFlags) register(fs *flag.FlagSet, what string) {
	fs.StringVar(&f.streamURL, "streams", "", "base URL of the instance the streams connect to")
	fs.StringVar(&f.postURL, "post", "", "base URL of the instance the "+what+" are created on")
	fs.IntVar(&f.n, "n", 1000, "officer streams")
	fs.IntVar(&f.changes, "changes", 100, what+" created and timed")
	fs.IntVar(&f.warmup, "warmup", 3, what+" created first and not timed")
	fs.DurationVar(&f.interval, "interval", 200*time.Millisecond, "time from one POST's start to the next")
	fs.DurationVar(&f.wait, "wait", 5*time.Second, "how long a change may take to reach every stream before it counts as incomplete")
	fs.IntVar(&f.sources, "sources", 0, "loopback source addresses 127.0.0.1..127.0.0.K to spread the streams over (0: as many as the ephemeral ports need)")
}

func (f *fanoutFlags) check(cmd string) error {
	if f.streamURL == "" || f.postURL == "" || f.n < 1 || f.changes < 1 || f.warmup < 0 {
		return setupError{fmt.Errorf("%s needs -streams, -post, -n >= 1, -changes >= 1 and -warmup >= 0", cmd)}
	}
	return nil
}

// changer makes the changes a fan-out run times.
type changer struct {
	// event is the event whose arrival on every stream is timed; the "id"
	// in its data is the id create returns.
	event string
	// prepare, when set, runs once the streams are open, before the first
	// change; its error is a setup failure.
	prepare func(ctx context.Context) error
	// create makes change i (negative for the warm-up) and returns its id.
	create func(ctx context.Context, i int) (string, error)
	// undo, when set, is called once change i is measured, outside its
	// timing (the resident cancels the call). Its own event, undoEvent, is
	// timed from the undo's start, for information.
	undo      func(ctx context.Context, i int, id string) error
	undoEvent string
}

func runFanout(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("fanout", flag.ExitOnError)
	var f fanoutFlags
	f.register(fs, "requests")
	_ = fs.Parse(args)
	if err := f.check("fanout"); err != nil {
		return err
	}
	api := &apiClient{http: &http.Client{Timeout: postTimeout}}
	officer, err := api.login(ctx, f.streamURL, demoOfficer)
	if err != nil {
		return setupError{err}
	}
	resident, err := api.login(ctx, f.postURL, demoResident)
	if err != nil {
		return setupError{err}
	}
	return measureFanout(ctx, f, officer, changer{
		event: "request.created",
		create: func(ctx context.Context, i int) (string, error) {
			return api.createRequest(ctx, f.postURL, resident, i)
		},
	})
}

// measureFanout opens f.n streams as the officer, then makes the changes
// one every f.interval and times each from just before its POST to the
// moment the last stream has its event. It prints the results.
func measureFanout(ctx context.Context, f fanoutFlags, officer string, ch changer) error {
	timed := []string{ch.event}
	if ch.undoEvent != "" {
		timed = append(timed, ch.undoEvent)
	}
	rec := newArrivals(f.n, timed...)
	progress("opening %d streams to %s", f.n, f.streamURL)
	set, err := openStreams(ctx, f.streamURL, officer, f.n, f.sources, rec.record)
	if err != nil {
		return setupError{err}
	}
	defer set.close()
	var res result
	res.add("streams", "%d", f.n)
	res.add("opened", "%d", set.opened())
	res.add("open_seconds", "%.1f", set.took.Seconds())
	if set.opened() < f.n {
		res.add("error", "only %d of %d streams opened: %s", set.opened(), f.n, oneLine(set.firstErr))
		res.print()
		return nil
	}

	if ch.prepare != nil {
		if err := ch.prepare(ctx); err != nil {
			return setupError{err}
		}
	}
	progress("%d warm-up and %d timed changes, one every %v", f.warmup, f.changes, f.interval)
	// For each timed change: the POST's answer, the first and the last
	// stream's event, all from just before the POST.
	var posts, firsts, latencies, inOrder []time.Duration
	incomplete, missing, postErrors, undoErrors := 0, 0, 0, 0
	var postErr, undoErr error
	// The undos of timed changes, read once the last change is done.
	type undone struct {
		start time.Time
		a     *arrival
	}
	var undos []undone
	next := time.Now()
	for i := -f.warmup; i < f.changes; i++ {
		if err := sleepUntil(ctx, next); err != nil {
			return err
		}
		start := time.Now()
		next = start.Add(f.interval)
		id, err := ch.create(ctx, i)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			postErrors++
			postErr = err
			continue
		}
		answered := time.Since(start)
		a := rec.entry(ch.event, id)
		select {
		case <-a.done:
		case <-time.After(time.Until(start.Add(f.wait))):
		case <-ctx.Done():
			return ctx.Err()
		}
		got, first, last := rec.state(a)
		if ch.undo != nil {
			undoStart := time.Now()
			if err := ch.undo(ctx, i, id); err != nil {
				if ctx.Err() != nil {
					return ctx.Err()
				}
				undoErrors++
				undoErr = err
			} else if i >= 0 && ch.undoEvent != "" {
				undos = append(undos, undone{undoStart, rec.entry(ch.undoEvent, id)})
			}
		}
		if i < 0 {
			continue
		}
		posts = append(posts, answered)
		if got < f.n {
			incomplete++
			missing += f.n - got
			continue
		}
		firsts = append(firsts, first.Sub(start))
		latencies = append(latencies, last.Sub(start))
		inOrder = append(inOrder, last.Sub(start))
	}
	// The last undo's event may still be on its way.
	if len(undos) > 0 {
		u := undos[len(undos)-1]
		select {
		case <-u.a.done:
		case <-time.After(time.Until(u.start.Add(f.wait))):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	// Streams that end just after the last change count as dropped.
	time.Sleep(100 * time.Millisecond)

	slices.Sort(posts)
	slices.Sort(firsts)
	slices.Sort(latencies)
	res.add("changes", "%d", f.changes)
	res.add("complete", "%d", len(latencies))
	res.add("incomplete", "%d", incomplete)
	res.add("missing_deliveries", "%d", missing)
	res.add("duplicates", "%d", rec.duplicates.Load())
	res.add("post_errors", "%d", postErrors)
	if postErr != nil {
		res.add("error", "%d POSTs failed, the last: %s", postErrors, oneLine(postErr))
	}
	if ch.undo != nil {
		res.add("undo_errors", "%d", undoErrors)
		if undoErr != nil {
			res.add("error", "%d undoing POSTs failed, the last: %s", undoErrors, oneLine(undoErr))
		}
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
	if ch.undoEvent != "" {
		var undoLatencies []time.Duration
		undoIncomplete := 0
		for _, u := range undos {
			got, _, last := rec.state(u.a)
			if got < f.n {
				undoIncomplete++
				continue
			}
			undoLatencies = append(undoLatencies, last.Sub(u.start))
		}
		slices.Sort(undoLatencies)
		res.add("undo_incomplete", "%d", undoIncomplete)
		if len(undoLatencies) > 0 {
			res.add("undo_p50_ms", "%.1f", ms(percentile(undoLatencies, 0.50)))
			res.add("undo_p99_ms", "%.1f", ms(percentile(undoLatencies, 0.99)))
		}
	}
	res.add("events_per_stream", "%s", rec.perStream())
	res.add("latencies_ms", "%s", joinMS(inOrder))
	res.print()
	return nil
}

// arrivals records, per timed event and record id, how many streams have
// received it and when the first and the last did; and how many events of
// each name the streams read in all.
type arrivals struct {
	n          int
	timed      map[string]bool // the event names whose arrivals are recorded
	duplicates atomic.Int64

	mu     sync.Mutex
	byKey  map[string]*arrival // by event name and id
	counts map[string]int64    // events read by name, over every stream
}

type arrival struct {
	got   int
	first time.Time
	last  time.Time
	done  chan struct{} // closed when every stream has it
}

func newArrivals(n int, timed ...string) *arrivals {
	r := &arrivals{n: n, timed: map[string]bool{}, byKey: map[string]*arrival{}, counts: map[string]int64{}}
	for _, name := range timed {
		r.timed[name] = true
	}
	return r
}

// entry returns the record of an event about record id, creating it:
// events may arrive before the POST that caused them has returned its id.
func (r *arrivals) entry(name, id string) *arrival {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.entryLocked(name + " " + id)
}

func (r *arrivals) entryLocked(key string) *arrival {
	a, ok := r.byKey[key]
	if !ok {
		a = &arrival{done: make(chan struct{})}
		r.byKey[key] = a
	}
	return a
}

func (r *arrivals) state(a *arrival) (got int, first, last time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return a.got, a.first, a.last
}

// perStream lists how many events of each name a stream read on average,
// "name=count" sorted by name.
func (r *arrivals) perStream() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	names := make([]string, 0, len(r.counts))
	for name := range r.counts {
		names = append(names, name)
	}
	slices.Sort(names)
	parts := make([]string, len(names))
	for i, name := range names {
		parts[i] = name + "=" + strconv.FormatFloat(float64(r.counts[name])/float64(r.n), 'f', -1, 64)
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, " ")
}

// record is called by a stream for each event it reads; seen is that
// stream's own set of timed events, to catch duplicates.
func (r *arrivals) record(ev sseEvent, at time.Time, seen map[string]bool) {
	if !r.timed[ev.name] {
		r.mu.Lock()
		r.counts[ev.name]++
		r.mu.Unlock()
		return
	}
	var payload struct {
		ID string `json:"id"`
	}
	if json.Unmarshal(ev.data, &payload) != nil || payload.ID == "" {
		return
	}
	key := ev.name + " " + payload.ID
	if seen[key] {
		r.duplicates.Add(1)
		return
	}
	seen[key] = true
	r.mu.Lock()
	defer r.mu.Unlock()
	r.counts[ev.name]++
	a := r.entryLocked(key)
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
// assistance calls

// Residents of the assistance bench: the script creates them, phones
// prefix + a zero-padded number from 1, as copies of the demo resident.
const benchResidentPrefix = "1390001"

// loginsInFlight is how many residents sign in at once: each sign-in
// holds an argon2id hash of 64 MiB on the server for about 0.1 s.
const loginsInFlight = 2

func runAssistance(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("assistance", flag.ExitOnError)
	var f fanoutFlags
	f.register(fs, "calls")
	residents := fs.Int("residents", 0, "residents raising the calls in turn, one call each at a time (0: one per call, the warm-up's included)")
	prefix := fs.String("resident-prefix", benchResidentPrefix, "phone numbers of the residents: this prefix and 1, 2, … zero-padded to 11 digits")
	duty := fs.String("duty", "", "name of the booth to put the demo officer on duty at first, so calls do not escalate at once (empty: off duty)")
	_ = fs.Parse(args)
	if err := f.check("assistance"); err != nil {
		return err
	}
	if *residents == 0 {
		*residents = f.warmup + f.changes
	}
	if *residents < 1 || len(*prefix) >= 11 || len(*prefix) < 3 {
		return setupError{errors.New("assistance needs -residents >= 0 and a -resident-prefix of 3 to 10 digits")}
	}
	if width := 11 - len(*prefix); *residents >= int(math.Pow10(width)) {
		return setupError{fmt.Errorf("-resident-prefix %s leaves room for %d residents, not %d", *prefix, int(math.Pow10(width))-1, *residents)}
	}

	api := &apiClient{http: &http.Client{Timeout: postTimeout}}
	officer, err := api.login(ctx, f.streamURL, demoOfficer)
	if err != nil {
		return setupError{err}
	}
	phones := make([]string, *residents)
	for i := range phones {
		phones[i] = fmt.Sprintf("%s%0*d", *prefix, 11-len(*prefix), i+1)
	}
	var tokens []string
	resident := func(i int) string { return tokens[(i+f.warmup)%len(tokens)] }
	return measureFanout(ctx, f, officer, changer{
		// With the officer's streams open, as a tablet's board is when
		// its officer goes on duty (an on-duty officer without a live
		// stream is reported to the head as a dark tablet).
		prepare: func(ctx context.Context) error {
			booth, err := api.setDuty(ctx, f.postURL, officer, *duty)
			if err != nil {
				return err
			}
			if booth == "" {
				progress("the demo officer is off duty: every call escalates at once")
			} else {
				progress("the demo officer is on duty at booth %s (id %s)", *duty, booth)
			}
			progress("signing in %d residents on %s", len(phones), f.postURL)
			start := time.Now()
			if tokens, err = signInResidents(ctx, f.postURL, phones); err != nil {
				return err
			}
			progress("%d residents signed in after %.1fs", len(tokens), time.Since(start).Seconds())
			return nil
		},
		event: "assistance.created",
		create: func(ctx context.Context, i int) (string, error) {
			return api.createCall(ctx, f.postURL, resident(i))
		},
		undo: func(ctx context.Context, i int, id string) error {
			return api.cancelCall(ctx, f.postURL, resident(i), id)
		},
		undoEvent: "assistance.updated",
	})
}

// signInResidents signs each resident in, a few at a time, each from its
// own loopback source address (127.1.x.y): the server counts every sign-in
// from one address, successful or not, against a limit of 30 in 15
// minutes.
func signInResidents(ctx context.Context, base string, phones []string) ([]string, error) {
	tokens := make([]string, len(phones))
	errs := make([]error, len(phones))
	sem := make(chan struct{}, loginsInFlight)
	var wg sync.WaitGroup
	for i, phone := range phones {
		if ctx.Err() != nil {
			break
		}
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			ip := net.IPv4(127, 1, byte(i/250), byte(1+i%250)) // #nosec G115 -- a loopback address per stream; counts stay far below 250×256
			dialer := &net.Dialer{LocalAddr: &net.TCPAddr{IP: ip}, Timeout: postTimeout}
			transport := &http.Transport{DialContext: dialer.DialContext, DisableKeepAlives: true}
			defer transport.CloseIdleConnections()
			c := &apiClient{http: &http.Client{Timeout: postTimeout, Transport: transport}}
			tokens[i], errs[i] = c.login(ctx, base, phone)
		})
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	failed := 0
	var first error
	for _, err := range errs {
		if err != nil {
			if first == nil {
				first = err
			}
			failed++
		}
	}
	if failed > 0 {
		return nil, fmt.Errorf("%d of %d residents could not sign in, the first: %w", failed, len(phones), first)
	}
	return tokens, nil
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
	resp, err := http.ReadResponse(bufio.NewReaderSize(conn, 2048), nil) //nolint:bodyclose // the stream's body is read from conn, which the caller closes
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
	defer func() { _ = resp.Body.Close() }()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode/100 != 2 {
		return &statusError{method: method, path: req.URL.Path, status: resp.StatusCode, body: string(b)}
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(b, out)
}

// statusError is an answer other than 2xx.
type statusError struct {
	method, path string
	status       int
	body         string
}

func (e *statusError) Error() string {
	return fmt.Sprintf("%s %s answered %d: %s", e.method, e.path, e.status, oneLine(errors.New(e.body)))
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

// createCall raises an assistance call as the resident and returns its id.
func (a *apiClient) createCall(ctx context.Context, base, token string) (string, error) {
	var out struct {
		ID     string `json:"id"`
		Status string `json:"status"`
	}
	body := map[string]string{"category": "other", "message": "bench"}
	if err := a.do(ctx, http.MethodPost, base+"/api/v1/assistance-calls", token, body, &out); err != nil {
		return "", fmt.Errorf("raise a call: %w", err)
	}
	if out.ID == "" || out.Status != "open" {
		return "", fmt.Errorf("raise a call: the answer has id %q and status %q, want an id and open", out.ID, out.Status)
	}
	return out.ID, nil
}

// cancelCall cancels the resident's call.
func (a *apiClient) cancelCall(ctx context.Context, base, token, id string) error {
	var out struct {
		Status string `json:"status"`
	}
	u := base + "/api/v1/assistance-calls/" + url.PathEscape(id) + "/transitions"
	if err := a.do(ctx, http.MethodPost, u, token, map[string]string{"to": "cancelled"}, &out); err != nil {
		return fmt.Errorf("cancel call %s: %w", id, err)
	}
	if out.Status != "cancelled" {
		return fmt.Errorf("cancel call %s: the answer has status %q", id, out.Status)
	}
	return nil
}

// setDuty puts the officer on duty at the booth named boothName (looked up
// in GET /api/v1/booths): it clocks them in unless GET /api/v1/shifts/current
// shows them on duty there already (a second run against the same database,
// as the two-instance run is). With boothName empty it does nothing. It
// returns the booth's id ("" for off duty).
func (a *apiClient) setDuty(ctx context.Context, base, token, boothName string) (string, error) {
	if boothName == "" {
		return "", nil
	}
	var booths struct {
		Items []struct {
			ID   string `json:"id"`
			Name string `json:"name"`
		} `json:"items"`
	}
	if err := a.do(ctx, http.MethodGet, base+"/api/v1/booths", token, nil, &booths); err != nil {
		return "", fmt.Errorf("list booths: %w", err)
	}
	boothID := ""
	for _, b := range booths.Items {
		if b.Name == boothName {
			boothID = b.ID
			break
		}
	}
	if boothID == "" {
		return "", fmt.Errorf("no booth is named %q", boothName)
	}
	var current struct {
		BoothID string `json:"booth_id"`
	}
	err := a.do(ctx, http.MethodGet, base+"/api/v1/shifts/current", token, nil, &current)
	var se *statusError
	switch {
	case err == nil && current.BoothID == boothID:
		return boothID, nil
	case err == nil:
		return "", fmt.Errorf("the officer is on duty at booth id %s, not at %s", current.BoothID, boothName)
	case !errors.As(err, &se) || se.status != http.StatusNotFound:
		return "", fmt.Errorf("read the officer's current shift: %w", err)
	}
	if err := a.do(ctx, http.MethodPost, base+"/api/v1/shifts/clock-in", token, map[string]string{"booth_id": boothID}, nil); err != nil {
		return "", fmt.Errorf("clock the officer in: %w", err)
	}
	return boothID, nil
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
	defer func() { _ = resp.Body.Close() }()
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
