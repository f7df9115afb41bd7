package web

import (
	"context"
	"errors"
	"slices"
	"sync"
	"time"

	"policebooth/server/app"
)

// openStreams tracks the sessions of this instance's event streams, so one
// query every few seconds ends the streams of revoked sessions and of
// disabled users, however many streams are open. It also caps them: a
// person's oldest stream closes when they open one too many (moving
// between pages never meets a refusal), and an address past its cap is
// refused.
type openStreams struct {
	mu       sync.Mutex
	sessions map[int64]map[chan struct{}]struct{}
	users    map[int64]int64 // session → user, for the dark-tablet check

	perUser, perAddress int
	byUser              map[int64][]chan struct{} // oldest first
	byAddress           map[string]int
	opens               map[int64]*openRate // a person's recent opens
	openBurst           float64             // streamOpenBurst, or more when perUser is raised
}

// openRate is a token bucket of stream opens: streamOpenBurst at once (three
// times POLICEBOOTH_STREAMS_PER_USER when that is raised), then
// streamOpenRate a second. A person moving between pages opens one stream
// a page and never meets it; a script opening thousands with one token is
// refused before the stream costs anything.
type openRate struct {
	tokens float64
	at     time.Time
}

const (
	streamOpenBurst = 30
	streamOpenRate  = 2.0 // a second
)

// allowOpen takes a token of the user's bucket (o.mu held).
func (o *openStreams) allowOpen(user int64, now time.Time) bool {
	r := o.opens[user]
	if r == nil {
		r = &openRate{tokens: o.openBurst, at: now}
		o.opens[user] = r
	}
	r.tokens = min(o.openBurst, r.tokens+now.Sub(r.at).Seconds()*streamOpenRate)
	r.at = now
	if r.tokens < 1 {
		return false
	}
	r.tokens--
	return true
}

func newOpenStreams(perUser, perAddress int) *openStreams {
	return &openStreams{sessions: map[int64]map[chan struct{}]struct{}{}, users: map[int64]int64{},
		perUser: perUser, perAddress: perAddress, byUser: map[int64][]chan struct{}{}, byAddress: map[string]int{},
		opens: map[int64]*openRate{}, openBurst: float64(max(streamOpenBurst, 3*perUser))}
}

// errTooManyStreams answers a stream from an address past its cap, or a
// person opening streams faster than pages can be opened.
var errTooManyStreams = app.Errorf(app.ERATELIMIT, "too many live connections from your network; close some pages and try again")

// add registers a stream of a session; ended closes when the session ends
// or when it is the user's oldest and they open one too many.
func (o *openStreams) add(session, user int64, address string) (ended chan struct{}, remove func(), err error) {
	o.mu.Lock()
	if o.byAddress[address] >= o.perAddress || !o.allowOpen(user, time.Now()) {
		o.mu.Unlock()
		return nil, nil, errTooManyStreams
	}
	for len(o.byUser[user]) >= o.perUser {
		oldest := o.byUser[user][0]
		o.byUser[user] = o.byUser[user][1:]
		for sess, set := range o.sessions { // absent when end already closed it
			if _, ok := set[oldest]; ok {
				delete(set, oldest)
				close(oldest)
				if len(set) == 0 {
					delete(o.sessions, sess)
					delete(o.users, sess)
				}
				break
			}
		}
	}
	ended = make(chan struct{})
	o.users[session] = user
	if o.sessions[session] == nil {
		o.sessions[session] = map[chan struct{}]struct{}{}
	}
	o.sessions[session][ended] = struct{}{}
	o.byUser[user] = append(o.byUser[user], ended)
	o.byAddress[address]++
	o.mu.Unlock()
	return ended, func() {
		o.mu.Lock()
		defer o.mu.Unlock()
		if o.byAddress[address]--; o.byAddress[address] <= 0 {
			delete(o.byAddress, address)
		}
		if i := slices.Index(o.byUser[user], ended); i >= 0 {
			o.byUser[user] = slices.Delete(o.byUser[user], i, i+1)
		}
		if len(o.byUser[user]) == 0 {
			delete(o.byUser, user)
			// Forget the open rate once it would be full again anyway.
			if r := o.opens[user]; r != nil && r.tokens+time.Since(r.at).Seconds()*streamOpenRate >= o.openBurst {
				delete(o.opens, user)
			}
		}
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
	}, nil
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

// open reports whether a user has a stream open here.
func (o *openStreams) open(user int64) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	return len(o.byUser[user]) > 0
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
	darkGrace   = app.TabletLiveWithin // the dashboard's "tablet live" is the same rule
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
