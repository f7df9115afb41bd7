package web

import (
	"context"
	"fmt"
	"time"

	"policebooth/server/app"
	"policebooth/server/notify"
	"policebooth/server/push"
)

// escalate runs the escalation worker until ctx ends: every second it takes
// the calls whose alert is due (each step once across instances) and texts
// the station's heads. Streams learn of it from the escalation events.
func (s *Server) escalate(ctx context.Context) {
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		steps, err := s.store.EscalateDue(ctx, time.Now())
		if err != nil {
			if ctx.Err() == nil {
				s.log.Warn("escalation failed", "err", err)
			}
			continue
		}
		s.ops.escalations.Add(float64(len(steps)))
		for _, e := range steps {
			s.log.Warn("assistance call escalated", "call_id", e.Call.ID, "level", e.Level, "station_id", e.Call.StationID)
			s.textHeads(ctx, e)
			s.push.NotifyStation(ctx, e.Call.StationID, push.CallAlert(push.CallEscalated, &e.Call))
		}
	}
}

// textHeads tells the station's heads of an escalation by text message.
func (s *Server) textHeads(ctx context.Context, e app.Escalation) {
	lz := s.i18n.Localizer(app.LanguageChinese)
	s.textStationHeads(ctx, e.Call.StationID, lz.T("sms.escalation", "ID", fmt.Sprint(e.Call.ID), "Level", e.Level))
}

// textStationHeads texts every enabled head of a station.
func (s *Server) textStationHeads(ctx context.Context, station int64, text string) {
	staff, err := s.store.ListStaff(ctx, station)
	if err != nil {
		s.log.Warn("text heads: list staff", "err", err)
		return
	}
	for _, u := range staff {
		if u.Role != app.RoleHead || u.Disabled {
			continue
		}
		if err := s.notifier.Send(ctx, u.Phone, text); err != nil {
			s.log.Warn("text to head not sent", "to", notify.MaskPhone(u.Phone), "err", err)
		}
	}
}
