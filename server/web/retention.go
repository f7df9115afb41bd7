package web

import (
	"context"
	"time"
)

// retentionEvery is how often the retention jobs run. Periods are counted
// in days, so a run every few minutes is on time; each run is cheap when
// nothing is due.
const retentionEvery = 5 * time.Minute

// retain applies the stations' retention periods until ctx ends: at start,
// then every retentionEvery. Every instance runs it; each record is purged
// once (see store.PurgeCallLocations and store.PurgeAttachments).
func (s *Server) retain(ctx context.Context) {
	tick := time.NewTicker(retentionEvery)
	defer tick.Stop()
	for {
		s.ApplyRetention(ctx, time.Now())
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// ApplyRetention purges what the stations' retention periods say is due at
// now: the coordinates of closed calls and the documents (files too) of
// finished requests. Failures are logged; the next run tries again.
func (s *Server) ApplyRetention(ctx context.Context, now time.Time) {
	if n, err := s.store.PurgeCallLocations(ctx, now); err != nil {
		if ctx.Err() == nil {
			s.log.Warn("retention: call locations", "err", err)
		}
	} else if n > 0 {
		s.log.Info("retention: call locations cleared", "calls", n)
	}
	if n, err := s.store.PurgeAttachments(ctx, now); err != nil {
		if ctx.Err() == nil {
			s.log.Warn("retention: attachments", "err", err)
		}
	} else if n > 0 {
		s.log.Info("retention: attachments deleted", "attachments", n)
		s.purgePendingBlobs(ctx)
	}
}
