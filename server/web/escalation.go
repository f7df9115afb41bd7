package web

import (
	"context"
	"time"

	"policebooth/server/push"
)

// Escalate is one run of the escalate job: it takes the calls whose alert
// is due (each step once across instances; the step queues the texts to
// the station's heads in its transaction) and pushes the alert. Streams
// learn of it from the escalation events.
func (s *Server) Escalate(ctx context.Context, now time.Time) error {
	steps, err := s.store.EscalateDue(ctx, now)
	s.ops.escalations.Add(float64(len(steps)))
	for _, e := range steps {
		s.log.Warn("assistance call escalated", "call_id", e.Call.ID, "level", e.Level, "station_id", e.Call.StationID)
		s.push.NotifyStation(ctx, e.Call.StationID, push.CallAlert(push.CallEscalated, &e.Call))
	}
	return err
}
