package web

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Requests that miss the cache together (a session's entry running out
// under load) wait for one load instead of each querying the database,
// and all get its value.
func TestCacheLoadsAKeyOnceForRequestsThatMissTogether(t *testing.T) {
	c := newTTLCache[int64, string](sessionCacheTTL)
	var loads atomic.Int32
	release := make(chan struct{})
	started := make(chan struct{})
	const n = 32
	got := make([]string, n)
	var wg sync.WaitGroup
	wg.Go(func() {
		got[0], _ = c.get(7, func() (string, error) {
			loads.Add(1)
			close(started)
			<-release
			return "陈秀英", nil
		})
	})
	<-started
	for i := 1; i < n; i++ {
		wg.Go(func() {
			got[i], _ = c.get(7, func() (string, error) {
				loads.Add(1)
				return "陈秀英", nil
			})
		})
	}
	time.Sleep(50 * time.Millisecond) // let the others reach the cache while the first load runs
	close(release)
	wg.Wait()
	if loads.Load() > 2 {
		t.Errorf("%d loads for %d requests missing together, want one (two at most, for a request that came after it finished)", loads.Load(), n)
	}
	for i, v := range got {
		if v != "陈秀英" {
			t.Fatalf("request %d got %q", i, v)
		}
	}
	if v, _ := c.get(7, func() (string, error) { loads.Add(1); return "", nil }); v != "陈秀英" || loads.Load() > 2 {
		t.Errorf("a later request loaded again (%q): the value should be cached", v)
	}
}
