package storetest

import (
	"sync"
	"time"
)

// Clock is a test's clock: it starts at a pinned instant and runs on with
// real time (so leases and timeouts still pass), and a test can move it.
// Tests pin a store to one so that nothing they check depends on the
// machine's date.
type Clock struct {
	mu    sync.Mutex
	at    time.Time // what Now said at start
	start time.Time // the real time (monotonic) it said so
}

// NewClock returns a clock that reads at now and runs on from there.
func NewClock(at time.Time) *Clock { return &Clock{at: at, start: time.Now()} }

// Now is the clock's current time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.at.Add(time.Since(c.start))
}

// Set moves the clock to at; it runs on from there.
func (c *Clock) Set(at time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.at, c.start = at, time.Now()
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) { c.Set(c.Now().Add(d)) }
