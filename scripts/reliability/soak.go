package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// relogin is how often a soak's user signs in again: access tokens last
// 15 minutes.
const relogin = 10 * time.Minute

// runSoak runs a mixed, bounded load against one instance for a set time:
// residents browse and file requests, calls are raised and answered, an
// officer works the queue. (The 1,000 officer streams are held open by
// scripts/benchstream idle, which scripts/soak starts alongside.)
func runSoak(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("soak", flag.ExitOnError)
	base := fs.String("url", "", "base URL of the instance")
	duration := fs.Duration("duration", 10*time.Minute, "how long the load runs")
	browsers := fs.Int("browsers", 8, "residents browsing and filing requests at once")
	think := fs.Duration("think", 250*time.Millisecond, "pause between two steps of one user (bounds the load)")
	callEvery := fs.Duration("call-every", 3*time.Second, "how often a resident raises an assistance call")
	residents := fs.Int("residents", 0, "residents the driver adds and signs in: the browsers, then the callers (0: the browsers and enough callers for five calls an hour each)")
	prefix := fs.String("resident-prefix", "1390003", "phones of the residents the driver adds")
	_ = fs.Parse(args)
	if *base == "" || *duration <= 0 || *browsers < 1 || *think <= 0 || *callEvery <= 0 {
		return setupError{errors.New("soak needs -url, -duration > 0, -browsers >= 1, -think > 0 and -call-every > 0")}
	}
	calls := int(duration.Seconds()/callEvery.Seconds()) + 1
	if *residents == 0 {
		*residents = *browsers + (calls+maxCalls-1)/maxCalls
	}
	if *residents <= *browsers {
		return setupError{errors.New("soak needs more -residents than -browsers: the callers are others")}
	}
	db, err := openDatabase(ctx)
	if err != nil {
		return setupError{err}
	}
	defer db.close()
	if err := db.addResidents(ctx, *prefix, *residents); err != nil {
		return setupError{err}
	}
	l := &load{base: *base, c: newClient(*base), routes: map[string]*route{}}
	k := &keys{run: fmt.Sprintf("soak%d", time.Now().UnixNano()%1e9)}
	w := &writer{c: l.c, keys: k, retryFor: 30 * time.Second}
	officer := &user{account: account{phone: demoOfficer}, source: 0}
	if err := l.signIn(ctx, officer); err != nil {
		return setupError{err}
	}
	if _, err := w.clockIn(ctx, &officer.account); err != nil {
		return setupError{err}
	}
	people := make([]*user, *residents)
	for i := range people {
		people[i] = &user{account: account{phone: fmt.Sprintf("%s%0*d", *prefix, 11-len(*prefix), i+1)}, source: i + 1}
		if err := l.signIn(ctx, people[i]); err != nil {
			return setupError{err}
		}
	}
	start, err := readServerMetrics(ctx, l.c)
	if err != nil {
		return setupError{err}
	}
	progress("soak: %d browsing residents, a call every %v (from %d other residents), the officer on duty, for %v", *browsers, *callEvery, *residents-*browsers, *duration)

	runCtx, cancel := context.WithTimeout(ctx, *duration)
	defer cancel()
	began := time.Now()
	var wg sync.WaitGroup
	for i := range *browsers {
		wg.Go(func() { l.browse(runCtx, w, people[i], *think) })
	}
	wg.Go(func() { l.workQueue(runCtx, officer, *think) })
	wg.Go(func() { l.answerCalls(runCtx, w, officer, people[*browsers:], *callEvery) })
	wg.Wait()
	took := time.Since(began)
	if ctx.Err() != nil {
		return ctx.Err()
	}
	// The load's keep-alive connections go, as its users' would; then the
	// server settles before the last reading.
	l.c.http.CloseIdleConnections()
	time.Sleep(3 * time.Second)
	end, err := readServerMetrics(ctx, l.c)
	if err != nil {
		return err
	}

	var res result
	total, errs := 0, 0
	names := make([]string, 0, len(l.routes))
	for name := range l.routes {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		r := l.routes[name]
		slices.Sort(r.took)
		total += len(r.took) + r.errors
		errs += r.errors
		p50, p99 := 0.0, 0.0
		if len(r.took) > 0 {
			p50, p99 = ms(percentile(r.took, .50)), ms(percentile(r.took, .99))
		}
		res.add("route", "%-44s n=%-6d %6.1f/s p50=%7.1fms p99=%7.1fms errors=%d", name, len(r.took)+r.errors,
			float64(len(r.took)+r.errors)/took.Seconds(), p50, p99, r.errors)
	}
	res.add("seconds", "%.0f", took.Seconds())
	res.add("requests", "%d", total)
	res.add("throughput_per_s", "%.1f", float64(total)/took.Seconds())
	res.add("errors", "%d", errs)
	for _, e := range l.firstErrors {
		res.add("error_example", "%s", oneLine(e))
	}
	res.add("heap_inuse_mib", "start=%.1f end=%.1f", start["go_memstats_heap_inuse_bytes"]/(1<<20), end["go_memstats_heap_inuse_bytes"]/(1<<20))
	res.add("rss_mib", "start=%.1f end=%.1f", start["process_resident_memory_bytes"]/(1<<20), end["process_resident_memory_bytes"]/(1<<20))
	res.add("goroutines", "start=%.0f end=%.0f", start["go_goroutines"], end["go_goroutines"])
	res.add("open_files", "start=%.0f end=%.0f", start["process_open_fds"], end["process_open_fds"])
	res.add("open_streams", "start=%.0f end=%.0f", start["policebooth_open_event_streams"], end["policebooth_open_event_streams"])
	res.add("open_service_requests", "start=%.0f end=%.0f", start["policebooth_open_service_requests"], end["policebooth_open_service_requests"])
	res.print()
	if errs > 0 {
		return fmt.Errorf("%d requests failed", errs)
	}
	return nil
}

// user is a signed-in user of the soak, signed in again before its token
// expires.
type user struct {
	account
	source   int
	signedIn time.Time
}

// route collects the timings of one route.
type route struct {
	took   []time.Duration
	errors int
}

// load is the soak's shared state: one client, the timings per route.
type load struct {
	base string
	c    *client

	mu          sync.Mutex
	routes      map[string]*route
	firstErrors []string
}

func (l *load) signIn(ctx context.Context, u *user) error {
	token, err := fromSource(l.base, u.source).login(ctx, u.phone)
	if err != nil {
		return err
	}
	u.token, u.signedIn = token, time.Now()
	return nil
}

// fresh signs u in again when its token is about to expire.
func (l *load) fresh(ctx context.Context, u *user) {
	if time.Since(u.signedIn) > relogin {
		if err := l.signIn(ctx, u); err != nil {
			l.record("POST /api/v1/auth/login", 0, err)
		}
	}
}

// timed sends r, recording its time under name; a cancelled context at the
// end of the soak is not an error.
func (l *load) timed(ctx context.Context, name string, r request, out any) error {
	start := time.Now()
	_, err := l.c.send(ctx, r, out)
	if ctx.Err() != nil {
		return ctx.Err()
	}
	l.record(name, time.Since(start), err)
	return err
}

func (l *load) record(name string, took time.Duration, err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	r := l.routes[name]
	if r == nil {
		r = &route{}
		l.routes[name] = r
	}
	if err != nil {
		r.errors++
		if len(l.firstErrors) < 5 {
			l.firstErrors = append(l.firstErrors, err.Error())
		}
		return
	}
	r.took = append(r.took, took)
}

func pause(ctx context.Context, d time.Duration) bool {
	select {
	case <-ctx.Done():
		return false
	case <-time.After(d):
		return true
	}
}

// browse is a resident using the app: the catalogue, the booths, their
// requests and home page, and now and then a new request.
func (l *load) browse(ctx context.Context, w *writer, u *user, think time.Duration) {
	cookie := map[string]string{"Cookie": "pb_access=" + u.token}
	for i := 0; ctx.Err() == nil; i++ {
		l.fresh(ctx, u)
		cookie["Cookie"] = "pb_access=" + u.token
		steps := []func() error{
			func() error {
				return l.timed(ctx, "GET / (resident home page)", request{method: "GET", path: "/", header: cookie}, nil)
			},
			func() error {
				return l.timed(ctx, "GET /api/v1/service-types", request{method: "GET", path: "/api/v1/service-types", token: u.token}, nil)
			},
			func() error {
				return l.timed(ctx, "GET /api/v1/booths", request{method: "GET", path: "/api/v1/booths"}, nil)
			},
			func() error {
				return l.timed(ctx, "GET /api/v1/service-requests (own)", request{method: "GET", path: "/api/v1/service-requests", token: u.token}, nil)
			},
		}
		if i%4 == 3 {
			steps = append(steps, func() error {
				start := time.Now()
				_, err := w.fileRequest(ctx, &u.account)
				if ctx.Err() == nil {
					l.record("POST /api/v1/service-requests", time.Since(start), err)
				}
				return err
			})
		}
		for _, step := range steps {
			_ = step()
			if !pause(ctx, think) {
				return
			}
		}
	}
}

// workQueue is the officer at the tablet: the queue page and list, and
// the oldest submitted request taken through to completed, so the queue
// stays bounded.
func (l *load) workQueue(ctx context.Context, officer *user, think time.Duration) {
	for ctx.Err() == nil {
		l.fresh(ctx, officer)
		_ = l.timed(ctx, "GET /queue (officer page)", request{method: "GET", path: "/queue", header: map[string]string{"Cookie": "pb_access=" + officer.token}}, nil)
		var list struct {
			Items []idJSON `json:"items"`
		}
		if l.timed(ctx, "GET /api/v1/service-requests (queue)", request{method: "GET", path: "/api/v1/service-requests?status=submitted", token: officer.token}, &list) == nil && len(list.Items) > 0 {
			id := list.Items[len(list.Items)-1].ID
			for _, to := range []string{"accepted", "in_progress", "completed"} {
				if l.timed(ctx, "POST /api/v1/service-requests/:id/transitions", request{method: "POST", path: "/api/v1/service-requests/" + id + "/transitions",
					token: officer.token, json: map[string]string{"to": to}}, nil) != nil {
					break
				}
			}
		}
		if !pause(ctx, think) {
			return
		}
	}
}

// answerCalls raises a call every interval, as the residents in turn, and
// has the officer acknowledge it and see it through to resolved.
func (l *load) answerCalls(ctx context.Context, w *writer, officer *user, people []*user, every time.Duration) {
	tick := time.NewTicker(every)
	defer tick.Stop()
	for i := 0; ; i++ {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		u := people[i%len(people)]
		if u.calls >= maxCalls {
			continue
		}
		l.fresh(ctx, u)
		u.calls++
		var call idJSON
		err := l.timed(ctx, "POST /api/v1/assistance-calls", request{method: "POST", path: "/api/v1/assistance-calls", token: u.token,
			key: w.keys.next(kindCall), json: map[string]any{"category": "other", "message": "soak"}}, &call)
		if err != nil {
			continue
		}
		for _, to := range []string{"acknowledged", "en_route", "on_scene", "resolved"} {
			if l.timed(ctx, "POST /api/v1/assistance-calls/:id/transitions", request{method: "POST", path: "/api/v1/assistance-calls/" + call.ID + "/transitions",
				token: officer.token, json: map[string]string{"to": to}}, nil) != nil {
				break
			}
		}
	}
}

// readServerMetrics reads the unlabelled samples of /metrics.
func readServerMetrics(ctx context.Context, c *client) (map[string]float64, error) {
	req, err := http.NewRequestWithContext(ctx, "GET", c.base+"/metrics", nil)
	if err != nil {
		return nil, err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode != 200 {
		return nil, fmt.Errorf("GET /metrics answered %d", resp.StatusCode)
	}
	out := map[string]float64{}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 2 && !strings.HasPrefix(f[0], "#") {
			if v, err := strconv.ParseFloat(f[1], 64); err == nil {
				out[f[0]] = v
			}
		}
	}
	return out, sc.Err()
}

// percentile is the nearest-rank percentile of sorted durations.
func percentile(sorted []time.Duration, p float64) time.Duration {
	i := int(math.Ceil(p*float64(len(sorted)))) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
