package jobs

import (
	"context"
	"log/slog"
	"time"

	"policebooth/server/store"
)

// counter runs the counter queue's periodic work: no-shows, booking
// reminders, and opening the slots of the coming days.
type counter struct {
	st  *store.Store
	log *slog.Logger
}

// markNoShows turns bookings not arrived 15 minutes after their start into
// no-shows; each is marked once however many instances sweep.
func (k counter) markNoShows(ctx context.Context, now time.Time) error {
	marked, err := k.st.MarkNoShows(ctx, now)
	for _, r := range marked {
		k.log.Info("counter: booking not arrived, marked no-show", "request_id", r.ID)
	}
	return err
}

// remindBookings queues the reminders that are due.
func (k counter) remindBookings(ctx context.Context, now time.Time) error {
	n, err := k.st.RemindBookings(ctx, now)
	if n > 0 {
		k.log.Info("counter: booking reminders queued", "texts", n)
	}
	return err
}

// openSlots opens the slots of the day that entered the booking window.
func (k counter) openSlots(ctx context.Context, now time.Time) error {
	n, err := k.st.OpenSlots(ctx, now)
	if n > 0 {
		k.log.Info("counter: slots opened from opening hours", "slots", n)
	}
	return err
}
