package web

import (
	"context"
	"errors"
	"sync"
	"time"
)

// openStreams tracks the sessions of this instance's event streams, so one
// query every few seconds ends the streams of revoked sessions and of
// disabled users, however many streams are open.
type openStreams struct {
	mu       sync.Mutex
	sessions map[int64]map[chan struct{}]struct{}
	users    map[int64]int64 // session → user, for the dark-tablet check
}

func newOpenStreams() *openStreams {
	return &openStreams{sessions: map[int64]map[chan struct{}]struct{}{}, users: map[int64]int64{}}
}

// add registers a stream of a session; ended closes when the session ends.
func (o *openStreams) add(session, user int64) (ended chan struct{}, remove func()) {
	ended = make(chan struct{})
	o.mu.Lock()
	o.users[session] = user
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
				delete(o.users, session)
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
	delete(o.users, session)
}

// userIDs lists the users with a stream open here.
func (o *openStreams) userIDs() []int64 {
	o.mu.Lock()
	defer o.mu.Unlock()
	seen := map[int64]bool{}
	ids := make([]int64, 0, len(o.users))
	for _, u := range o.users {
		if !seen[u] {
			seen[u] = true
			ids = append(ids, u)
		}
	}
	return ids
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

// Dark tablets: how often open streams are recorded in the database, and
// how long an on-duty booth may have no live stream before its head is
// told.
const (
	streamTouch = 20 * time.Second
	darkGrace   = time.Minute
)

// CheckStreams is one run of the check_streams job, which runs on every
// instance (the streams are the instance's own): it ends the streams whose
// session is no longer active; every streamTouch it records which users
// have live streams and reports on-duty booths whose tablets have gone
// dark (the texts to their heads are queued, once per dark spell, with
// the mark).
func (s *Server) CheckStreams(ctx context.Context, now time.Time) error {
	var errs []error
	if now.Sub(s.lastTouch) >= streamTouch {
		s.lastTouch = now
		if err := s.store.TouchStreams(ctx, s.streams.userIDs(), now); err != nil {
			errs = append(errs, err)
		}
		dark, err := s.store.DarkBooths(ctx, now, darkGrace)
		if err != nil {
			errs = append(errs, err)
		}
		for _, b := range dark {
			s.log.Warn("on-duty booth has no live tablet", "booth_id", b.ID, "station_id", b.StationID)
		}
	}
	if ids := s.streams.ids(); len(ids) > 0 {
		active, err := s.store.ActiveSessions(ctx, ids)
		if err != nil {
			return errors.Join(append(errs, err)...)
		}
		for _, id := range ids {
			if !active[id] {
				s.streams.end(id)
			}
		}
	}
	return errors.Join(errs...)
}

// ReportGaps is one run of the coverage_gaps job: it opens a gap for each
// booth nobody has covered for longer than its grace (once per gap, on one
// instance; the texts to the heads are queued with it). The coverage.gap
// event reaches their pages live.
func (s *Server) ReportGaps(ctx context.Context, now time.Time) error {
	gaps, err := s.store.FindGaps(ctx, now)
	s.ops.gaps.Add(float64(len(gaps)))
	for _, g := range gaps {
		s.log.Warn("booth not covered", "booth_id", g.BoothID, "station_id", g.StationID, "since", g.StartedAt)
	}
	return err
}
