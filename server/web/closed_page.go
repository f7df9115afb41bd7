package web

import (
	"context"
	"strings"

	"policebooth/server/app"
	"policebooth/server/push"
)

// pushClosedPage pushes to a caller whose page is closed (app.PageOpen)
// that an officer took or wrote on their call; the store queued the text
// (kind) in the step's own transaction. Pushes do not go through the
// outbox yet, so this one is sent after the commit, best effort, to the
// devices the resident subscribed.
func (s *Server) pushClosedPage(ctx context.Context, call *app.AssistanceCall, kind string) {
	if call.CallerID == nil {
		return
	}
	u, err := s.store.FindUser(ctx, *call.CallerID)
	if err != nil {
		s.log.Warn("push to a closed page: load caller", "call_id", call.ID, "err", err)
		return
	}
	if app.PageOpen(u.StreamSeenAt, s.store.Now()) {
		return
	}
	title := s.i18n.Localizer(u.Language).T("push." + strings.TrimPrefix(kind, "sms."))
	s.push.NotifyUser(ctx, u.ID, push.CallerAlert(call, title))
}

// pageOpened and pageClosed keep a resident's record of an open page
// (users.stream_seen_at) true as their event streams open and close, so an
// officer's step on their call is texted only while no page of theirs is
// open; the periodic record (CheckStreams) keeps it up meanwhile.
func (s *Server) pageOpened(ctx context.Context, p *principal) {
	if p.Role != app.RoleResident {
		return
	}
	if err := s.store.PageOpened(ctx, p.UserID, s.store.Now()); err != nil {
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
