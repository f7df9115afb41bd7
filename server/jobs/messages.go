package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"policebooth/server/app"
	"policebooth/server/i18n"
	"policebooth/server/notify"
	"policebooth/server/push"
)

// Outbox is the store's outbox of texts and pushes as the sender uses it.
type Outbox interface {
	ClaimMessages(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]app.OutboxMessage, error)
	SetMessageBody(ctx context.Context, id int64, body string) (string, error)
	MessageSent(ctx context.Context, id int64, now time.Time) error
	MessageNotSent(ctx context.Context, m *app.OutboxMessage, now time.Time, reason string) (failed bool, err error)
	CountMessages(ctx context.Context) (map[string]map[string]int64, error)
	// PushSubscriptionByID returns a push's subscription; ENOTFOUND once
	// it is gone.
	PushSubscriptionByID(ctx context.Context, id int64) (*app.PushSubscription, error)
}

// Pusher delivers one push to one subscription (push.Sender); it deletes
// a subscription its push service says is gone and returns push.ErrGone.
type Pusher interface {
	Send(ctx context.Context, sub app.PushSubscription, m push.Message) error
}

const (
	// messageLease is how long a claimed message is this sender's: past
	// it (the instance died mid-send) another sends it again, under the
	// same idempotency key.
	messageLease = time.Minute
	// messageBatch is how many messages one run claims at most.
	messageBatch = 100
	// messageSenders is how many messages go out at once: one stalled
	// gateway call does not hold the others back.
	messageSenders = 8
)

// Sender is the send_messages job: it delivers the outbox's texts and
// pushes after the commits that wrote them, with retries and backoff, each
// under its stable idempotency key, and gives a message up at its
// GiveUpAt.
type Sender struct {
	outbox   Outbox
	notifier notify.Notifier
	pusher   Pusher // nil when Web Push could not start
	texts    *i18n.Bundle
	now      func() time.Time
	log      *slog.Logger
	messages *prometheus.GaugeVec
}

// NewSender returns the sender; its gauge of the outbox by channel and
// status is registered in reg. pusher may be nil: pushes then fail until
// they are given up.
func NewSender(outbox Outbox, notifier notify.Notifier, pusher Pusher, texts *i18n.Bundle, now func() time.Time, log *slog.Logger, reg prometheus.Registerer) (*Sender, error) {
	s := &Sender{outbox: outbox, notifier: notifier, pusher: pusher, texts: texts, now: now, log: log,
		messages: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "policebooth_outbox_messages",
			Help: "Messages in the outbox, by channel (sms, push) and status (failed: given up after 24 hours of retries, or a push's TTL).",
		}, []string{"channel", "status"})}
	for _, ch := range []string{app.ChannelSMS, app.ChannelPush} {
		for _, st := range []string{app.MessagePending, app.MessageFailed} {
			s.messages.WithLabelValues(ch, st)
		}
	}
	if err := reg.Register(s.messages); err != nil {
		return nil, err
	}
	return s, nil
}

// Run sends every message due now, until none is left.
func (s *Sender) Run(ctx context.Context, now time.Time) error {
	defer s.count(ctx)
	for {
		batch, err := s.outbox.ClaimMessages(ctx, now, messageLease, messageBatch)
		if err != nil {
			return err
		}
		if len(batch) == 0 {
			return nil
		}
		var wg sync.WaitGroup
		slots := make(chan struct{}, messageSenders)
		for i := range batch {
			slots <- struct{}{}
			wg.Go(func() {
				defer func() { <-slots }()
				s.send(ctx, &batch[i])
			})
		}
		wg.Wait()
		if len(batch) < messageBatch || ctx.Err() != nil {
			return ctx.Err()
		}
		now = s.now()
	}
}

// send delivers one claimed message and records the outcome.
func (s *Sender) send(ctx context.Context, m *app.OutboxMessage) {
	if m.Channel == app.ChannelPush {
		s.sendPush(ctx, m)
		return
	}
	body := m.Body
	if body == "" {
		var err error
		if body, err = s.outbox.SetMessageBody(ctx, m.ID, s.render(m)); err != nil {
			s.log.Warn("text message not rendered", "message_id", m.ID, "err", err)
			return // the claim lapses; the next run tries again
		}
	}
	err := s.notifier.Send(ctx, m.IdempotencyKey, m.Phone, body)
	now := s.now()
	if err == nil {
		if err := s.outbox.MessageSent(ctx, m.ID, now); err != nil {
			s.log.Warn("text message sent but not recorded; it may go again under its key", "message_id", m.ID, "err", err)
		}
		return
	}
	if !s.notSent(ctx, m, now, err) {
		s.log.Warn("text message not sent; retrying", "message_id", m.ID, "kind", m.Kind, "to", notify.MaskPhone(m.Phone), "attempt", m.Attempts, "err", err)
		return
	}
	s.log.Error("text message given up", "message_id", m.ID, "kind", m.Kind, "to", notify.MaskPhone(m.Phone), "attempts", m.Attempts, "err", err)
}

// notSent records a failed attempt and reports whether the message is
// given up.
func (s *Sender) notSent(ctx context.Context, m *app.OutboxMessage, now time.Time, err error) bool {
	failed, rerr := s.outbox.MessageNotSent(ctx, m, now, err.Error())
	if rerr != nil {
		s.log.Warn("message failure not recorded", "message_id", m.ID, "err", rerr)
	}
	return failed
}

// sendPush delivers one claimed push to its subscription. A subscription
// gone (deleted before, or now because its push service said so) takes
// its pushes with it: there is nobody left to deliver to.
func (s *Sender) sendPush(ctx context.Context, m *app.OutboxMessage) {
	var err error
	var sub *app.PushSubscription
	if m.SubscriptionID != nil {
		sub, err = s.outbox.PushSubscriptionByID(ctx, *m.SubscriptionID)
	}
	switch {
	case m.SubscriptionID == nil || app.ErrorCode(err) == app.ENOTFOUND:
		// Its row goes with the subscription; this one raced the delete.
		s.notSent(ctx, m, s.now(), errors.New("push: the subscription is gone"))
		return
	case err != nil:
		s.log.Warn("push: find its subscription", "message_id", m.ID, "err", err)
		return // the claim lapses; the next run tries again
	case s.pusher == nil:
		err = errors.New("web push is disabled: the VAPID key could not be loaded")
	default:
		now := s.now()
		err = s.pusher.Send(ctx, *sub, push.Message{Payload: []byte(m.Body), Urgency: m.Urgency,
			TTL: m.GiveUpAt().Sub(now).Round(time.Second), Topic: m.IdempotencyKey})
	}
	now := s.now()
	switch {
	case err == nil:
		if err := s.outbox.MessageSent(ctx, m.ID, now); err != nil {
			s.log.Warn("push sent but not recorded; it may go again under its topic", "message_id", m.ID, "err", err)
		}
	case errors.Is(err, push.ErrGone):
		s.log.Info("push: subscription gone, deleted with its pushes", "message_id", m.ID, "subscription", sub.ID)
	case s.notSent(ctx, m, now, err):
		s.log.Warn("push given up", "message_id", m.ID, "kind", m.Kind, "subscription", *m.SubscriptionID,
			"service", push.Service(sub.Endpoint), "attempts", m.Attempts, "err", err)
	default:
		s.log.Info("push not sent; retrying", "message_id", m.ID, "kind", m.Kind, "subscription", *m.SubscriptionID,
			"service", push.Service(sub.Endpoint), "attempt", m.Attempts, "err", err)
	}
}

// render fills the message's text in its language.
func (s *Sender) render(m *app.OutboxMessage) string {
	var params map[string]any
	_ = json.Unmarshal([]byte(m.Params), &params) // written by the store as a JSON object
	data := make([]any, 0, 2*len(params))
	for k, v := range params {
		if f, ok := v.(float64); ok && f == float64(int64(f)) {
			v = int64(f) // counts pick their plural form as integers
		}
		data = append(data, k, v)
	}
	return s.texts.Localizer(m.Language).T(m.Kind, data...)
}

func (s *Sender) count(ctx context.Context) {
	n, err := s.outbox.CountMessages(context.WithoutCancel(ctx))
	if err != nil {
		return
	}
	for ch, byStatus := range n {
		for st, v := range byStatus {
			s.messages.WithLabelValues(ch, st).Set(float64(v))
		}
	}
}
