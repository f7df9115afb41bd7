package web

import (
	"context"
	"time"
)

// ApplyRetention purges what the stations' retention periods say is due at
// now: the coordinates of closed calls and the documents (files too) of
// finished requests. Failures are logged; the next run tries again.
func (s *Server) ApplyRetention(ctx context.Context, now time.Time) {
	for _, run := range []func(context.Context, time.Time) error{s.RetainLocations, s.RetainAttachments, s.PurgeBlobs} {
		if err := run(ctx, now); err != nil && ctx.Err() == nil {
			s.log.Warn("retention", "err", err)
		}
	}
}

// RetainLocations is one run of the retain_locations job: it clears the
// coordinates of closed calls past their station's location period (each
// call once across instances) and deletes their photos.
func (s *Server) RetainLocations(ctx context.Context, now time.Time) error {
	n, err := s.store.PurgeCallLocations(ctx, now)
	if n > 0 {
		s.log.Info("retention: call locations cleared", "calls", n)
	}
	if err != nil {
		return err
	}
	return s.retainCallPhotos(ctx, now)
}

// RetainAttachments is one run of the retain_attachments job: it deletes
// the documents of requests finished longer ago than their station's
// period and queues their files for purge_blobs.
func (s *Server) RetainAttachments(ctx context.Context, now time.Time) error {
	n, err := s.store.PurgeAttachments(ctx, now)
	if n > 0 {
		s.log.Info("retention: attachments deleted", "attachments", n)
	}
	return err
}

// PurgeBlobs is one run of the purge_blobs job: it removes the files
// queued for removal (deleted photos and documents), after the commits
// that queued them.
func (s *Server) PurgeBlobs(ctx context.Context, _ time.Time) error {
	return s.purgePendingBlobs(ctx)
}
