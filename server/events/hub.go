// Package events carries the event log to live clients: one reader per
// instance reads the log when woken and fans each event out in memory to
// the streams that may see it.
package events

import (
	"context"
	"log/slog"
	"slices"
	"sync"
	"time"

	"policebooth/server/app"
)

// Log is the event log as the hub reads it.
type Log interface {
	// ReadEvents returns the log's events after a cursor, in cursor order,
	// held ones included and marked.
	ReadEvents(ctx context.Context, after app.EventCursor, limit int) ([]app.LoggedEvent, error)
	// EventCursorNow is the log's position now.
	EventCursorNow(ctx context.Context) (app.EventCursor, error)
}

const (
	// batch is how many events one read takes.
	batch = 500
	// poll is how often the log is read without a wake-up: a safety net for
	// a lost notification, and how the end of a transaction that held
	// events back (and wrote none itself) is noticed.
	poll = time.Second
	// queue is how many events a stream may fall behind before it is cut
	// off; its client reconnects and resumes from its last id.
	queue = 256
	// recheck is how soon events held back behind an older transaction
	// are read again while the hub still waits for it: that transaction's
	// end wakes nobody.
	recheck = 50 * time.Millisecond
	// HoldLimit is the longest the hub waits for an older transaction
	// before it delivers the committed events behind it. The horizon is
	// cluster-wide on PostgreSQL: a transaction in another database, or a
	// session left idle in one, would otherwise stall every stream for as
	// long as it runs. Past the limit the hub delivers ahead and keeps
	// reading the overlap from below the hold, so what the old transaction
	// commits still arrives (late), and nothing arrives twice.
	HoldLimit = time.Second
)

// Hub fans the log out to subscribers.
type Hub struct {
	log  Log
	logf *slog.Logger
	now  func() time.Time
	wake chan struct{}

	mu      sync.Mutex
	subs    map[*Sub]struct{}
	cursor  app.EventCursor // every event up to it is final and delivered
	ready   chan struct{}   // closed once the first cursor is known
	stopped bool            // Run has ended and closed every subscription

	// The bounded hold: the first held event after the cursor and when it
	// was first seen; the events past the cursor delivered ahead of it.
	heldID    int64
	heldSince time.Time
	ahead     map[int64]*app.LoggedEvent
}

// NewHub returns a hub reading log; Run starts it. now is the clock the
// hold is measured by.
func NewHub(log Log, logger *slog.Logger, now func() time.Time) *Hub {
	return &Hub{log: log, logf: logger, now: now, wake: make(chan struct{}, 1), subs: map[*Sub]struct{}{},
		ready: make(chan struct{}), ahead: map[int64]*app.LoggedEvent{}}
}

// Wake asks the hub to read the log soon. Calls coalesce: many wakes
// before a read cause one read.
func (h *Hub) Wake() {
	select {
	case h.wake <- struct{}{}:
	default:
	}
}

// Run reads the log whenever woken, and every poll interval, until ctx
// ends; then it closes every subscription.
func (h *Hub) Run(ctx context.Context) {
	defer h.closeAll()
	for {
		cur, err := h.log.EventCursorNow(ctx)
		if err == nil {
			h.mu.Lock()
			h.cursor = cur
			h.mu.Unlock()
			close(h.ready)
			break
		}
		h.logf.Warn("event log unreadable; retrying", "err", err)
		select {
		case <-ctx.Done():
			return
		case <-time.After(poll):
		}
	}
	tick := time.NewTicker(poll)
	defer tick.Stop()
	var soon <-chan time.Time
	for {
		select {
		case <-ctx.Done():
			return
		case <-h.wake:
		case <-tick.C:
		case <-soon:
		}
		soon = nil
		if again := h.read(ctx); again > 0 {
			soon = time.After(again)
		}
	}
}

// read delivers every finished event after the hub's cursor, and the held
// ones once they have waited HoldLimit; it returns how soon to read again
// for events still held back (0: none are).
func (h *Hub) read(ctx context.Context) (again time.Duration) {
	h.mu.Lock()
	after := h.cursor
	h.mu.Unlock()
	held := false
	for {
		evs, err := h.log.ReadEvents(ctx, after, batch)
		if err != nil {
			if ctx.Err() == nil {
				h.logf.Warn("event log read failed", "err", err)
			}
			return 0
		}
		now := h.now()
		waiting := false
		h.mu.Lock()
		for i := range evs {
			ev := &evs[i]
			if !ev.Held && !held {
				// Final and in order: the cursor moves past it.
				if _, sent := h.ahead[ev.ID]; sent {
					delete(h.ahead, ev.ID)
				} else {
					ev.Resume = ev.Cursor
					h.fanOut(ev)
				}
				h.cursor = ev.Cursor
				continue
			}
			if !held {
				held = true
				if h.heldID != ev.ID {
					h.heldID, h.heldSince = ev.ID, now
				}
			}
			if wait := HoldLimit - now.Sub(h.heldSince); wait > 0 {
				again = min(recheck, wait)
				waiting = true
				break
			}
			if _, sent := h.ahead[ev.ID]; !sent {
				ev.Resume = h.cursor
				h.ahead[ev.ID] = ev
				h.fanOut(ev)
			}
		}
		if !held {
			h.heldID, h.heldSince = 0, time.Time{}
		}
		h.mu.Unlock()
		if waiting || len(evs) < batch {
			break
		}
		after = evs[len(evs)-1].Cursor
	}
	if held && again == 0 {
		again = poll // delivering ahead: the overlap is read again each poll and wake-up
	}
	return again
}

// fanOut hands ev to every subscription that may see it. The hub's lock
// is held.
func (h *Hub) fanOut(ev *app.LoggedEvent) {
	for sub := range h.subs {
		if sub.filter.Match(&ev.Event) {
			sub.send(ev, h)
		}
	}
}

// Position is the hub's cursor, where a page's stream starts: every event
// up to it has been committed, so the page's data (read after) shows it.
// ok is false until the hub has read the log once.
func (h *Hub) Position() (c app.EventCursor, ok bool) {
	select {
	case <-h.ready:
	default:
		return app.EventCursor{}, false
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.cursor, true
}

// Subscribe starts delivering events that f matches, after the hub's
// cursor, which it returns with the matching events it has already
// delivered ahead of a held transaction (in cursor order): the caller
// replays up to the cursor from the log, sends those, then reads Sub.C
// until it closes and calls Unsubscribe.
func (h *Hub) Subscribe(ctx context.Context, f app.EventFilter) (*Sub, app.EventCursor, []*app.LoggedEvent, error) {
	select {
	case <-h.ready:
	case <-ctx.Done():
		return nil, app.EventCursor{}, nil, ctx.Err()
	}
	s := &Sub{C: make(chan *app.LoggedEvent, queue), filter: f}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.stopped {
		close(s.C) // the stream ends at once and its client reconnects elsewhere
		return s, h.cursor, nil, nil
	}
	h.subs[s] = struct{}{}
	var ahead []*app.LoggedEvent
	for _, ev := range h.ahead {
		if f.Match(&ev.Event) {
			ahead = append(ahead, ev)
		}
	}
	slices.SortFunc(ahead, func(a, b *app.LoggedEvent) int {
		switch {
		case a.Cursor.Less(b.Cursor):
			return -1
		case b.Cursor.Less(a.Cursor):
			return 1
		}
		return 0
	})
	return s, h.cursor, ahead, nil
}

// Unsubscribe stops a subscription; calling it twice is harmless.
func (h *Hub) Unsubscribe(s *Sub) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, ok := h.subs[s]; ok {
		delete(h.subs, s)
		close(s.C)
	}
}

// Subscribers is how many streams are open on this instance.
func (h *Hub) Subscribers() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.subs)
}

// Stopped reports whether the hub has stopped (its server is shutting
// down), as opposed to a subscription cut off for falling behind.
func (h *Hub) Stopped() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.stopped
}

func (h *Hub) closeAll() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.stopped = true
	for s := range h.subs {
		delete(h.subs, s)
		close(s.C)
	}
}

// Sub is one stream's subscription.
type Sub struct {
	// C delivers the events; it closes when the stream fell too far behind
	// or the hub stopped.
	C      chan *app.LoggedEvent // pointers: a slot costs 8 bytes, not a whole event
	filter app.EventFilter
}

// send delivers without blocking; a stream too slow to keep up is cut off
// rather than allowed to stall the others. The hub's lock is held.
func (s *Sub) send(ev *app.LoggedEvent, h *Hub) {
	select {
	case s.C <- ev:
	default:
		delete(h.subs, s)
		close(s.C)
	}
}
