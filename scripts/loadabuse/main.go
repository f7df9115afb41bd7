// Command loadabuse is the load half of scripts/load-abuse: it throws at a
// running server (on loopback, trusting X-Forwarded-For from it) the abuse
// of issue 18 and reports what a person would notice.
//
//   - sign-ins: -sign-ins at once, spread over -addresses client addresses
//     (X-Forwarded-For), every one a full password check;
//   - streams: -streams attempts to open GET /api/v1/events with one
//     resident's token, -concurrency at a time, each held until the server
//     closes it (the per-person cap closes the oldest) or for -hold;
//   - meanwhile, every 200 ms, GET /healthz and an officer's sign-in from
//     another address, timed, and reported by phase.
//
// It prints the counts by status, the slowest probe of each kind, and the
// server's peak resident set (VmHWM of -pid, read from /proc). Everything
// it does is bounded: a count, a concurrency, and -timeout overall.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"sort"
	"strings"
	"sync"
	"time"
)

func main() {
	base := flag.String("url", "http://127.0.0.1:18080", "the server")
	pid := flag.Int("pid", 0, "the server's process id, for its peak RSS")
	signIns := flag.Int("sign-ins", 200, "sign-ins sent at once")
	addresses := flag.Int("addresses", 20, "client addresses they come from")
	streams := flag.Int("streams", 20000, "stream attempts with one token")
	concurrency := flag.Int("concurrency", 200, "stream attempts at a time")
	hold := flag.Duration("hold", 2*time.Second, "how long a stream is held at most")
	timeout := flag.Duration("timeout", 10*time.Minute, "bound on the whole run")
	flag.Parse()
	if !strings.HasPrefix(*base, "http://127.0.0.1:") && !strings.HasPrefix(*base, "http://[::1]:") && !strings.HasPrefix(*base, "http://localhost:") {
		fail("-url must be a loopback address")
	}
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64, MaxConnsPerHost: 0}}

	probes := newProbes()
	stopProbes := make(chan struct{})
	var probing sync.WaitGroup
	probing.Go(func() { probes.run(ctx, client, *base, stopProbes) })

	// 1. Sign-ins at once.
	start := time.Now()
	statuses := map[int]int{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	gate := make(chan struct{})
	for i := range *signIns {
		wg.Go(func() {
			<-gate
			phone := fmt.Sprintf("1390000%04d", i%500)
			if i%4 == 0 {
				phone = "13900000001" // a real account among unknown numbers
			}
			body := fmt.Sprintf(`{"phone":%q,"password":"wrong-password-%d"}`, phone, i)
			st := post(ctx, client, *base+"/api/v1/auth/login", body, fmt.Sprintf("10.18.%d.%d", i%*addresses, 1+i%*addresses))
			mu.Lock()
			statuses[st]++
			mu.Unlock()
		})
	}
	close(gate)
	wg.Wait()
	fmt.Printf("sign-ins: %d at once from %d addresses in %v: %s\n", *signIns, *addresses, time.Since(start).Round(time.Millisecond), counts(statuses))
	fmt.Printf("  server peak RSS after the sign-ins: %s\n", peakRSS(*pid))

	// 2. Stream attempts with one token.
	probes.setPhase("streams")
	token := login(ctx, client, *base, "13900000001", "10.19.0.1")
	start = time.Now()
	streamStatus := map[int]int{}
	sem := make(chan struct{}, *concurrency)
	for range *streams {
		if ctx.Err() != nil {
			break
		}
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			st := openStream(ctx, client, *base, token, *hold)
			mu.Lock()
			streamStatus[st]++
			mu.Unlock()
		})
	}
	wg.Wait()
	fmt.Printf("streams: %d attempts with one token, %d at a time, in %v: %s\n", *streams, *concurrency, time.Since(start).Round(time.Millisecond), counts(streamStatus))
	close(stopProbes)
	probing.Wait()
	probes.report()
	fmt.Printf("server peak RSS over the run: %s\n", peakRSS(*pid))
	if ctx.Err() != nil {
		fail("the run hit its time bound (-timeout)")
	}
}

func fail(msg string) {
	fmt.Fprintln(os.Stderr, "loadabuse:", msg)
	os.Exit(1)
}

// post sends a JSON body from a client address and returns the status (0
// when no answer came).
func post(ctx context.Context, client *http.Client, url, body, addr string) int {
	req, err := http.NewRequestWithContext(ctx, "POST", url, strings.NewReader(body))
	if err != nil {
		return 0
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Forwarded-For", addr)
	resp, err := client.Do(req)
	if err != nil {
		return 0
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close() // read to the end; nothing to report
	return resp.StatusCode
}

func login(ctx context.Context, client *http.Client, base, phone, addr string) string {
	req, _ := http.NewRequestWithContext(ctx, "POST", base+"/api/v1/auth/login",
		strings.NewReader(fmt.Sprintf(`{"phone":%q,"password":"booth-demo-2026"}`, phone)))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Forwarded-For", addr)
	resp, err := client.Do(req)
	if err != nil {
		fail("sign-in: " + err.Error())
	}
	defer func() { _ = resp.Body.Close() }()
	var p struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&p); err != nil || p.AccessToken == "" {
		fail(fmt.Sprintf("sign-in of %s: %d", phone, resp.StatusCode))
	}
	return p.AccessToken
}

// openStream opens the event stream and reads it until the server closes
// it or hold passes; it returns the status.
func openStream(ctx context.Context, client *http.Client, base, token string, hold time.Duration) int {
	ctx, cancel := context.WithTimeout(ctx, hold)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", base+"/api/v1/events", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("X-Forwarded-For", "10.19.0.1")
	resp, err := client.Do(req)
	if err != nil {
		return 0
	}
	defer func() { _ = resp.Body.Close() }()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
	}
	return resp.StatusCode
}

// probes times /healthz and an officer's sign-in while the load runs.
type probes struct {
	mu    sync.Mutex
	phase string // what load runs now: probes are reported by phase
	times map[string][]time.Duration
	fails map[string]int
}

func (p *probes) setPhase(phase string) {
	p.mu.Lock()
	p.phase = phase
	p.mu.Unlock()
}

func newProbes() *probes {
	return &probes{phase: "sign-ins", times: map[string][]time.Duration{}, fails: map[string]int{}}
}

func (p *probes) run(ctx context.Context, client *http.Client, base string, stop chan struct{}) {
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	probe := func(name string, do func(context.Context) int, ok int) {
		c, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		start := time.Now()
		st := do(c)
		took := time.Since(start)
		p.mu.Lock()
		defer p.mu.Unlock()
		key := p.phase + ": " + name
		p.times[key] = append(p.times[key], took)
		if st != ok {
			p.fails[key]++
		}
	}
	n := 0
	for {
		n++
		select {
		case <-stop:
			return
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		var wg sync.WaitGroup
		wg.Go(func() {
			probe("/healthz", func(c context.Context) int {
				req, _ := http.NewRequestWithContext(c, "GET", base+"/healthz", nil)
				resp, err := client.Do(req)
				if err != nil {
					return 0
				}
				_ = resp.Body.Close() // read to the end; nothing to report
				return resp.StatusCode
			}, 200)
		})
		wg.Go(func() {
			probe("officer sign-in", func(c context.Context) int {
				return post(c, client, base+"/api/v1/auth/login", `{"phone":"13800000001","password":"booth-demo-2026"}`, fmt.Sprintf("10.20.%d.%d", n/250, n%250))
			}, 200)
		})
		wg.Wait()
	}
}

func (p *probes) report() {
	p.mu.Lock()
	defer p.mu.Unlock()
	names := make([]string, 0, len(p.times))
	for name := range p.times {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		t := p.times[name]
		if len(t) == 0 {
			continue
		}
		sort.Slice(t, func(i, j int) bool { return t[i] < t[j] })
		over := 0
		for _, d := range t {
			if d > time.Second {
				over++
			}
		}
		fmt.Printf("probe %s: %d probes, p50 %v, p99 %v, max %v, %d over 1 s, %d not answered as expected\n", name, len(t),
			t[len(t)/2].Round(time.Millisecond), t[len(t)*99/100].Round(time.Millisecond), t[len(t)-1].Round(time.Millisecond), over, p.fails[name])
	}
}

func counts(m map[int]int) string {
	keys := make([]int, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Ints(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		name := fmt.Sprint(k)
		if k == 0 {
			name = "no answer"
		}
		parts = append(parts, fmt.Sprintf("%s×%d", name, m[k]))
	}
	return strings.Join(parts, " ")
}

// peakRSS reads the process's peak resident set (VmHWM).
func peakRSS(pid int) string {
	if pid == 0 {
		return "unknown (no -pid)"
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return "unknown: " + err.Error()
	}
	for l := range strings.Lines(string(b)) {
		if v, ok := strings.CutPrefix(l, "VmHWM:"); ok {
			var kb int
			_, _ = fmt.Sscan(strings.TrimSpace(v), &kb) // a /proc line: 0 when unreadable
			return fmt.Sprintf("%.0f MiB", float64(kb)/1024)
		}
	}
	return "unknown"
}
