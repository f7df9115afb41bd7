// Package notify sends short texts to phones: one-time codes and alerts.
// Production posts to an SMS gateway's webhook; development writes the log.
package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"
)

// Notifier sends a text message to a phone number.
type Notifier interface {
	// Send delivers text to phone, or returns why it could not. key is the
	// message's idempotency key: the same on every retry of one message,
	// so a gateway that honours it sends the message once.
	Send(ctx context.Context, key, phone, text string) error
}

// WebhookTimeout bounds one webhook call, so a slow gateway cannot hold a
// request (and a sign-up) open.
const WebhookTimeout = 5 * time.Second

// Webhook posts {"phone","text"} as JSON to an SMS gateway's URL.
type Webhook struct {
	URL    string
	Client *http.Client
}

// New returns the notifier of the configuration: the SMS gateway's
// webhook at url, or, when url is empty (development), the log.
func New(url string, log *slog.Logger) Notifier {
	if url == "" {
		return Log{Logger: log}
	}
	return NewWebhook(url)
}

// NewWebhook returns a Webhook posting to url with WebhookTimeout.
func NewWebhook(url string) *Webhook {
	return &Webhook{URL: url, Client: &http.Client{Timeout: WebhookTimeout}}
}

// Send posts the message with its Idempotency-Key header; any status but
// 2xx is an error.
func (w *Webhook) Send(ctx context.Context, key, phone, text string) error {
	body, err := json.Marshal(struct {
		Phone string `json:"phone"`
		Text  string `json:"text"`
	}{phone, text})
	if err != nil {
		return fmt.Errorf("notify: encode: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.URL, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("notify: webhook request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", key)
	resp, err := w.Client.Do(req)
	if err != nil {
		return fmt.Errorf("notify: send to %s: %w", MaskPhone(phone), err)
	}
	defer func() { _ = resp.Body.Close() }() // read to the end: nothing is lost if closing fails
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("notify: send to %s: webhook answered %s", MaskPhone(phone), resp.Status)
	}
	return nil
}

// Log writes messages to the log instead of sending them, for development:
// the codes can be read there.
type Log struct {
	Logger *slog.Logger
}

// Send logs the message with the phone number masked.
func (l Log) Send(ctx context.Context, _, phone, text string) error {
	l.Logger.InfoContext(ctx, "text message (not sent: no POLICEBOOTH_NOTIFY_WEBHOOK)", "phone", MaskPhone(phone), "text", text)
	return nil
}

// MaskPhone hides the middle four digits of an 11-digit number
// (138****8000), so logs do not hold whole phone numbers.
func MaskPhone(phone string) string {
	if len(phone) != 11 {
		return "***"
	}
	return phone[:3] + "****" + phone[7:]
}

var (
	_ Notifier = (*Webhook)(nil)
	_ Notifier = Log{}
)
