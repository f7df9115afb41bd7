package web

import (
	"context"

	"policebooth/server/app"
)

// pageOpened and pageClosed keep a resident's record of an open page
// (users.stream_seen_at) true as their event streams open and close, so an
// officer's step on their call is texted only while no page of theirs is
// open; the periodic record (CheckStreams) keeps it up meanwhile.
func (s *Server) pageOpened(ctx context.Context, p *principal) {
	if p.Role != app.RoleResident {
		return
	}
	if err := s.store.PageOpened(ctx, p.UserID, s.now()); err != nil {
		s.log.Warn("page opened not recorded", "user_id", p.UserID, "err", err)
	}
}

func (s *Server) pageClosed(ctx context.Context, p *principal) {
	if p.Role != app.RoleResident || s.streams.open(p.UserID) {
		return
	}
	if err := s.store.PageClosed(context.WithoutCancel(ctx), p.UserID); err != nil {
		s.log.Warn("page closed not recorded", "user_id", p.UserID, "err", err)
	}
}
