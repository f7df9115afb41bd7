package jobs

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"policebooth/server/config"
	"policebooth/server/notify"
	"policebooth/server/push"
	"policebooth/server/store"
	"policebooth/server/web"
)

// Names of the jobs, as /metrics labels them.
const (
	Escalate          = "escalate"
	FireSafetyTimers  = "fire_safety_timers"
	CheckStreams      = "check_streams"
	CoverageGaps      = "coverage_gaps"
	AnnounceNotices   = "announce_notices"
	RetainLocations   = "retain_locations"
	RetainAttachments = "retain_attachments"
	RetainPhotos      = "retain_photos"
	PurgeBlobs        = "purge_blobs"
	SendMessages      = "send_messages"
	PurgeIdempotency  = "purge_idempotency"
	PruneEvents       = "prune_events"
	PurgeSessions     = "purge_sessions"
	MarkNoShows       = "mark_no_shows"
	RemindBookings    = "remind_bookings"
	OpenSlots         = "open_slots"
	SummarizeDays     = "summarize_days"
)

// Delivery is how the outbox's messages leave the process: texts through
// Notifier, pushes through Pusher (nil when Web Push could not start).
type Delivery struct {
	Notifier notify.Notifier
	Pusher   Pusher
}

// NewDelivery returns the delivery of the configuration: the SMS
// gateway's webhook (the log when none is set), and Web Push signed with
// the shared VAPID key through client (nil: a client with push.Timeout).
// Web Push that cannot start is logged and left out: it is best effort.
func NewDelivery(ctx context.Context, cfg config.Config, st push.Store, client *http.Client, log *slog.Logger) Delivery {
	d := Delivery{Notifier: notify.New(cfg.NotifyWebhook, log)}
	p, err := push.Load(ctx, st, push.Options{Contact: cfg.BaseURL.String(), Client: client, Log: log})
	if err != nil {
		log.Warn("Web Push disabled", "err", err)
		return d
	}
	d.Pusher = p
	return d
}

// Start builds the server's jobs and runs them until ctx ends; the
// returned channel closes when every job has stopped. A new message wakes
// send_messages at once.
func Start(ctx context.Context, cfg config.Config, st *store.Store, srv *web.Server, out Delivery, now func() time.Time, log *slog.Logger) (<-chan struct{}, error) {
	sender, err := NewSender(st, out.Notifier, out.Pusher, srv.Texts(), now, log, srv.Metrics())
	if err != nil {
		return nil, err
	}
	h := housekeeping{st: st, log: log, replay: cfg.EventReplayWindow}
	k := counter{st: st, log: log}
	list := []Job{
		{Name: Escalate, Every: time.Second, Everywhere: true, Run: srv.Escalate},                 // each step claimed by row
		{Name: FireSafetyTimers, Every: time.Second, Everywhere: true, Run: srv.FireSafetyTimers}, // each timer claimed by row
		{Name: CheckStreams, Every: 5 * time.Second, Everywhere: true, Run: srv.CheckStreams},
		{Name: CoverageGaps, Every: 20 * time.Second, Run: srv.ReportGaps},
		{Name: AnnounceNotices, Every: 2 * time.Second, Run: srv.AnnounceNotices},
		{Name: RetainLocations, Every: 5 * time.Minute, Run: srv.RetainLocations},
		{Name: RetainAttachments, Every: 5 * time.Minute, Run: srv.RetainAttachments},
		{Name: RetainPhotos, Every: time.Minute, Run: srv.RunPhotoRetention},
		{Name: PurgeBlobs, Every: time.Minute, Run: srv.PurgeBlobs},
		{Name: SendMessages, Every: time.Second, Everywhere: true, Run: sender.Run}, // each message claimed by row
		{Name: PurgeIdempotency, Every: 10 * time.Minute, Run: h.purgeIdempotency},
		{Name: PruneEvents, Every: 10 * time.Minute, Run: h.pruneEvents},
		{Name: PurgeSessions, Every: 10 * time.Minute, Run: h.purgeSessions},
		{Name: MarkNoShows, Every: 30 * time.Second, Run: k.markNoShows},
		{Name: RemindBookings, Every: time.Minute, Run: k.remindBookings},
		{Name: OpenSlots, Every: 30 * time.Minute, Run: k.openSlots},
		{Name: SummarizeDays, Every: 10 * time.Minute, Run: h.summarizeDays},
	}
	r, err := New(st, now, log, srv.Metrics(), list)
	if err != nil {
		return nil, err
	}
	st.OnMessage(func() { r.Wake(SendMessages) })
	done := make(chan struct{})
	go func() {
		defer close(done)
		r.Run(ctx)
	}()
	return done, nil
}
