package web

import (
	"context"
	"time"
)

// Escalate is one run of the escalate job: it takes the calls whose alert
// is due (each step once across instances; the step queues the texts to
// the station's heads and the pushes to its staff in its transaction).
// Streams learn of it from the escalation events.
func (s *Server) Escalate(ctx context.Context, now time.Time) error {
	steps, err := s.store.EscalateDue(ctx, now)
	s.ops.escalations.Add(float64(len(steps)))
	for _, e := range steps {
		s.log.Warn("assistance call escalated", "call_id", e.Call.ID, "level", e.Level, "station_id", e.Call.StationID)
	}
	return err
}
