// Package events carries the event log to live clients: one reader per
// instance reads the log when woken and fans each event out in memory to
// the streams that may see it.
package events

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"policebooth/server/app"
)

// Log is the event log as the hub reads it.
type Log interface {
	// EventsAfter returns finished events after a cursor, in cursor order.
	// held reports committed events waiting behind an older transaction.
	EventsAfter(ctx context.Context, after app.EventCursor, f app.EventFilter, minID int64, limit int) (evs []app.LoggedEvent, held bool, err error)
	// EventCursorNow is the log's position now.
	EventCursorNow(ctx context.Context) (app.EventCursor, error)
}

const (
	// batch is how many events one read takes.
	batch = 500
	// poll is how often the log is read without a wake-up: a safety net for
	// a lost notification, and how events of long transactions that were
	// held back get delivered.
	poll = time.Second
	// queue is how many events a stream may fall behind before it is cut
	// off; its client reconnects and resumes from its last id.
	queue = 256
	// recheck is how soon events held back behind an older transaction
	// are read again: that transaction's end wakes nobody.
	recheck = 20 * time.Millisecond
)

// Hub fans the log out to subscribers.
type Hub struct {
	log  Log
	logf *slog.Logger
	wake chan struct{}

	mu      sync.Mutex
	subs    map[*Sub]struct{}
	cursor  app.EventCursor
	ready   chan struct{} // closed once the first cursor is known
	stopped bool          // Run has ended and closed every subscription
}

// NewHub returns a hub reading log; Run starts it.
func NewHub(log Log, logger *slog.Logger) *Hub {
	return &Hub{log: log, logf: logger, wake: make(chan struct{}, 1), subs: map[*Sub]struct{}{}, ready: make(chan struct{})}
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
		if h.read(ctx) {
			soon = time.After(recheck)
		}
	}
}

// read delivers every finished event after the hub's cursor; it reports
// whether committed events are held back behind an older transaction.
func (h *Hub) read(ctx context.Context) (held bool) {
	for {
		h.mu.Lock()
		after := h.cursor
		h.mu.Unlock()
		evs, held, err := h.log.EventsAfter(ctx, after, app.EventFilter{}, 0, batch)
		if err != nil {
			if ctx.Err() == nil {
				h.logf.Warn("event log read failed", "err", err)
			}
			return false
		}
		h.mu.Lock()
		for i := range evs {
			ev := &evs[i]
			for sub := range h.subs {
				if sub.filter.Match(&ev.Event) {
					sub.send(ev, h)
				}
			}
			h.cursor = ev.Cursor
		}
		h.mu.Unlock()
		if held || len(evs) < batch {
			return held
		}
	}
}

// Cursor is the position up to which the hub has delivered.
func (h *Hub) Cursor(ctx context.Context) (app.EventCursor, error) {
	select {
	case <-h.ready:
	case <-ctx.Done():
		return app.EventCursor{}, ctx.Err()
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.cursor, nil
}

// Subscribe starts delivering events that f matches, from the hub's cursor
// on. The caller reads Sub.C until it closes and calls Unsubscribe.
func (h *Hub) Subscribe(ctx context.Context, f app.EventFilter) (*Sub, app.EventCursor, error) {
	select {
	case <-h.ready:
	case <-ctx.Done():
		return nil, app.EventCursor{}, ctx.Err()
	}
	s := &Sub{C: make(chan *app.LoggedEvent, queue), filter: f}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.stopped {
		close(s.C) // the stream ends at once and its client reconnects elsewhere
		return s, h.cursor, nil
	}
	h.subs[s] = struct{}{}
	return s, h.cursor, nil
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
