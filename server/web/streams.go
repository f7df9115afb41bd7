package web

import (
	"context"
	"sync"
	"time"
)

// openStreams tracks the sessions of this instance's event streams, so one
// query every few seconds ends the streams of revoked sessions and of
// disabled users, however many streams are open.
type openStreams struct {
	mu       sync.Mutex
	sessions map[int64]map[chan struct{}]struct{}
}

func newOpenStreams() *openStreams {
	return &openStreams{sessions: map[int64]map[chan struct{}]struct{}{}}
}

// add registers a stream of a session; ended closes when the session ends.
func (o *openStreams) add(session int64) (ended chan struct{}, remove func()) {
	ended = make(chan struct{})
	o.mu.Lock()
	if o.sessions[session] == nil {
		o.sessions[session] = map[chan struct{}]struct{}{}
	}
	o.sessions[session][ended] = struct{}{}
	o.mu.Unlock()
	return ended, func() {
		o.mu.Lock()
		defer o.mu.Unlock()
		if set, ok := o.sessions[session]; ok {
			if _, ok := set[ended]; ok {
				delete(set, ended)
				close(ended)
			}
			if len(set) == 0 {
				delete(o.sessions, session)
			}
		}
	}
}

// end closes every stream of a session.
func (o *openStreams) end(session int64) {
	o.mu.Lock()
	defer o.mu.Unlock()
	for ended := range o.sessions[session] {
		close(ended)
	}
	delete(o.sessions, session)
}

func (o *openStreams) ids() []int64 {
	o.mu.Lock()
	defer o.mu.Unlock()
	ids := make([]int64, 0, len(o.sessions))
	for id := range o.sessions {
		ids = append(ids, id)
	}
	return ids
}

// checkStreams ends, every streamRecheck, the streams whose session is no
// longer active, until ctx ends.
func (s *Server) checkStreams(ctx context.Context) {
	tick := time.NewTicker(streamRecheck)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		ids := s.streams.ids()
		if len(ids) == 0 {
			continue
		}
		active, err := s.store.ActiveSessions(ctx, ids)
		if err != nil {
			if ctx.Err() == nil {
				s.log.Warn("stream session check failed", "err", err)
			}
			continue
		}
		for _, id := range ids {
			if !active[id] {
				s.streams.end(id)
			}
		}
	}
}
