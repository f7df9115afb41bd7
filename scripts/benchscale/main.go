// Command benchscale times the event stream's replay for scripts/bench-scale:
// it opens GET /api/v1/events with a Last-Event-ID, reads the replayed
// events until the stream has been quiet for -quiet, and reports how long
// the replay took (from the request to the last replayed event) over -n
// sequential runs, as "p50_ms p99_ms events".
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"log"
	"net/http"
	"slices"
	"strings"
	"time"
)

func main() {
	url := flag.String("url", "", "the stream's URL, e.g. http://127.0.0.1:8080/api/v1/events")
	token := flag.String("token", "", "a Bearer access token")
	from := flag.String("from", "", "the Last-Event-ID to resume from")
	n := flag.Int("n", 20, "runs")
	quiet := flag.Duration("quiet", 300*time.Millisecond, "silence that ends the replay")
	flag.Parse()
	if *url == "" || *token == "" || *from == "" || *n < 1 || *n > 10_000 {
		log.Fatal("benchscale: give -url, -token, -from and -n (1 to 10000)")
	}
	var took []time.Duration
	events := 0
	for range *n {
		d, got, err := replay(*url, *token, *from, *quiet)
		if err != nil {
			log.Fatal("benchscale: ", err)
		}
		took, events = append(took, d), got
	}
	slices.Sort(took)
	p := func(q float64) float64 {
		return float64(took[min(len(took)-1, int(q*float64(len(took))))].Microseconds()) / 1000
	}
	fmt.Printf("%.1f %.1f %d\n", p(0.5), p(0.99), events)
}

// replay reads one replay: the time from the request to the last event
// before the stream fell quiet, and how many events came.
func replay(url, token, from string, quiet time.Duration) (time.Duration, int, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, 0, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Last-Event-ID", from)
	start := time.Now()
	res, err := http.DefaultClient.Do(req) // #nosec G107 G704 -- a loopback URL the script gives
	if err != nil {
		return 0, 0, err
	}
	defer func() { _ = res.Body.Close() }()
	if res.StatusCode != http.StatusOK {
		return 0, 0, fmt.Errorf("the stream answered %s", res.Status)
	}
	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(res.Body)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	var last time.Duration
	events := 0
	timer := time.NewTimer(5 * time.Second) // the first event may take a while on a large log
	for {
		select {
		case line, ok := <-lines:
			if !ok {
				return last, events, nil
			}
			if strings.HasPrefix(line, "id:") {
				events++
				last = time.Since(start)
				timer.Reset(quiet)
			}
		case <-timer.C:
			cancel()
			for range lines { // let the reader end
			}
			return last, events, nil
		}
	}
}
