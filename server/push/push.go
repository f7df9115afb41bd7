// Package push sends Web Push messages (RFC 8030, encrypted for the browser
// as RFC 8291 says, signed with the server's VAPID key as RFC 8292 says) to
// one subscription at a time: the outbox's send_messages job delivers each
// alert the store queued. Push is a best-effort extra beside the live
// streams: some push services (Chrome's among them) are unreachable from
// mainland China, so nothing waits for a push or fails because of one.
package push

import (
	"context"
	"crypto/ecdh"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/SherClockHolmes/webpush-go"

	"policebooth/server/app"
)

// Timeout bounds one request to a push service, and the bookkeeping
// around it.
const Timeout = 5 * time.Second

// ErrGone is returned by Send when the push service says the subscription
// no longer exists (404 or 410); Send has then deleted it.
var ErrGone = errors.New("push: subscription gone")

// vapidKeyName is the name of the VAPID private key among the shared keys.
const vapidKeyName = "vapid"

// Keys keeps the secrets every instance shares (the store).
type Keys interface {
	// KeyWith returns the secret called name, made with generate the
	// first time.
	KeyWith(ctx context.Context, name string, generate func() ([]byte, error)) ([]byte, error)
}

// VAPID is the server's P-256 key pair that identifies it to push services
// (RFC 8292). It is generated once and kept in the database, so every
// instance signs with the same key and a browser's subscription works
// whichever instance sends.
type VAPID struct {
	private string // the private scalar, 32 bytes, base64url
	public  string // the uncompressed public point, 65 bytes, base64url
}

// LoadVAPID returns the VAPID key pair kept in keys, generating it the first
// time.
func LoadVAPID(ctx context.Context, keys Keys) (*VAPID, error) {
	raw, err := keys.KeyWith(ctx, vapidKeyName, func() ([]byte, error) {
		k, err := ecdh.P256().GenerateKey(rand.Reader)
		if err != nil {
			return nil, err
		}
		return k.Bytes(), nil
	})
	if err != nil {
		return nil, fmt.Errorf("push: load VAPID key: %w", err)
	}
	k, err := ecdh.P256().NewPrivateKey(raw)
	if err != nil {
		return nil, fmt.Errorf("push: the stored VAPID key is no P-256 private key: %w", err)
	}
	return &VAPID{
		private: base64.RawURLEncoding.EncodeToString(raw),
		public:  base64.RawURLEncoding.EncodeToString(k.PublicKey().Bytes()),
	}, nil
}

// PublicKey returns the public key, base64url without padding: the
// applicationServerKey a browser subscribes with.
func (v *VAPID) PublicKey() string { return v.public }

// Options configure a Sender.
type Options struct {
	// Contact tells push services whom to reach about this server (the
	// VAPID "sub" claim): an https URL, such as the public base URL, or an
	// e-mail address. Anything else, such as an http URL in development,
	// gives a placeholder address; Apple's push service refuses those.
	Contact string
	// Client sends the requests; nil means a client with a Timeout.
	Client *http.Client
	// Log receives failures; nil discards them.
	Log *slog.Logger
}

// Sender delivers push messages and keeps the subscriptions tidy: one the
// push service says is gone is deleted, any other failure is recorded on
// it.
type Sender struct {
	subs    app.PushService
	vapid   *VAPID
	contact string
	client  *http.Client
	log     *slog.Logger
}

// NewSender returns a Sender that signs with vapid and finds and updates
// subscriptions in subs.
func NewSender(subs app.PushService, vapid *VAPID, opts Options) *Sender {
	client := opts.Client
	if client == nil {
		client = &http.Client{Timeout: Timeout}
	}
	log := opts.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Sender{subs: subs, vapid: vapid, contact: contact(opts.Contact), client: client, log: log}
}

// Store keeps the VAPID key and the subscriptions (the store).
type Store interface {
	Keys
	app.PushService
}

// Load returns a Sender that signs with the VAPID key kept in st (made the
// first time), for the server whose public URL or address is contact.
func Load(ctx context.Context, st Store, opts Options) (*Sender, error) {
	vapid, err := LoadVAPID(ctx, st)
	if err != nil {
		return nil, err
	}
	return NewSender(st, vapid, opts), nil
}

// contact returns the VAPID subject as webpush-go takes it: an https URL as
// it is, an e-mail address without "mailto:" (it adds that).
func contact(c string) string {
	c = strings.TrimSpace(c)
	if u, err := url.Parse(c); err == nil && u.Scheme == "https" && u.Host != "" {
		return c
	}
	c = strings.TrimPrefix(c, "mailto:")
	if at := strings.IndexByte(c, '@'); at > 0 && at < len(c)-1 && !strings.ContainsAny(c, " /:") {
		return c
	}
	return "policebooth@localhost"
}

// Message is one push to one subscription: its payload, its urgency (RFC
// 8030, section 5.3), how long the push service keeps it for a device
// that is offline, and its Topic (up to 32 base64url characters; a retry
// under the same topic replaces the earlier message still waiting at the
// push service instead of adding a second).
type Message struct {
	Payload []byte
	Urgency string
	TTL     time.Duration
	Topic   string
}

// Send encrypts m's payload for one subscription and hands it to its push
// service. When the push service says the subscription is gone, Send
// deletes it and returns ErrGone; other failures are recorded with
// MarkPushFailed and returned. Errors never carry the endpoint, which
// identifies a device.
func (s *Sender) Send(ctx context.Context, sub app.PushSubscription, m Message) error {
	// webpush-go pads the message by appending to it: give it a copy.
	resp, err := webpush.SendNotificationWithContext(ctx, slices.Clone(m.Payload), &webpush.Subscription{
		Endpoint: sub.Endpoint,
		Keys:     webpush.Keys{Auth: sub.Auth, P256dh: sub.P256dh},
	}, &webpush.Options{
		HTTPClient:      s.client,
		Subscriber:      s.contact,
		TTL:             max(int(m.TTL/time.Second), 0),
		Urgency:         webpush.Urgency(m.Urgency),
		Topic:           m.Topic,
		VAPIDPublicKey:  s.vapid.public,
		VAPIDPrivateKey: s.vapid.private,
	})
	if errors.Is(err, webpush.ErrMaxPadExceeded) {
		return fmt.Errorf("push: payload of %d bytes is too large: %w", len(m.Payload), err)
	}
	if err != nil {
		// A url.Error quotes the endpoint; keep only what went wrong.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		s.markFailed(ctx, sub.ID, err.Error())
		return fmt.Errorf("push: subscription %d: %w", sub.ID, err)
	}
	defer func() { _ = resp.Body.Close() }() // read only
	answer, _ := io.ReadAll(io.LimitReader(resp.Body, 300))
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		return nil
	case resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusGone:
		bg, cancel := bookkeeping(ctx)
		defer cancel()
		if err := s.subs.DeletePushSubscriptionByID(bg, sub.ID); err != nil {
			return fmt.Errorf("push: subscription %d is gone but stays: %w", sub.ID, err)
		}
		return fmt.Errorf("push: subscription %d: %w", sub.ID, ErrGone)
	}
	msg := "push service answered " + strconv.Itoa(resp.StatusCode)
	if a := strings.TrimSpace(string(answer)); a != "" {
		msg += ": " + a
	}
	s.markFailed(ctx, sub.ID, msg)
	return fmt.Errorf("push: subscription %d: push service answered %d", sub.ID, resp.StatusCode)
}

// bookkeeping returns a context for recording a delivery's outcome, which
// must happen even when the delivery ran out of time.
func bookkeeping(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), Timeout)
}

func (s *Sender) markFailed(ctx context.Context, id int64, msg string) {
	bg, cancel := bookkeeping(ctx)
	defer cancel()
	if err := s.subs.MarkPushFailed(bg, id, msg); err != nil {
		s.log.Warn("push: record failed delivery", "subscription", id, "err", err)
	}
}

// Service returns the host of a push service's endpoint, which says which
// service it is (fcm.googleapis.com, web.push.apple.com, …) and nothing of
// the device: what a log may say of a delivery.
func Service(endpoint string) string {
	if u, err := url.Parse(endpoint); err == nil {
		return u.Hostname()
	}
	return ""
}
