package jobs

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"policebooth/server/store"
)

// housekeeping purges what has outlived its use.
type housekeeping struct {
	st     *store.Store
	log    *slog.Logger
	replay time.Duration // how long the event log keeps events
}

// purgeIdempotency deletes stored answers past their lifetime (never
// longer than the shortest location retention) and the records of texts
// delivered long ago.
func (h housekeeping) purgeIdempotency(ctx context.Context, now time.Time) error {
	answers, err := h.st.PurgeIdempotent(ctx, now)
	sent, serr := h.st.PurgeSentMessages(ctx, now)
	if answers+sent > 0 {
		h.log.Info("housekeeping: stored answers and sent texts deleted", "answers", answers, "texts", sent)
	}
	return errors.Join(err, serr)
}

// pruneEvents deletes events older than the replay window.
func (h housekeeping) pruneEvents(ctx context.Context, now time.Time) error {
	n, err := h.st.PruneEvents(ctx, now.Add(-h.replay))
	if n > 0 {
		h.log.Info("housekeeping: events past the replay window deleted", "events", n)
	}
	return err
}

// purgeSessions deletes expired sessions, refresh tokens, codes and
// throttle windows.
func (h housekeeping) purgeSessions(ctx context.Context, now time.Time) error {
	n, err := h.st.PurgeExpired(ctx, now)
	if n > 0 {
		h.log.Info("housekeeping: expired sessions, codes and throttles deleted", "rows", n)
	}
	return err
}

// summarizeDays writes the requests completed per station, booth and day
// for the days that are over, for the head's figures over long periods.
func (h housekeeping) summarizeDays(ctx context.Context, now time.Time) error {
	n, err := h.st.SummarizeRequestDays(ctx, now)
	if n > 0 {
		h.log.Info("housekeeping: days of requests summarized", "station_days", n)
	}
	return err
}
