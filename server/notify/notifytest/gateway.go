// Package notifytest is a local SMS gateway for tests: the server's webhook
// notifier posts to it, and tests read the codes it received.
package notifytest

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sync"
	"testing"
	"time"
)

// Gateway records every text message posted to it.
type Gateway struct {
	*httptest.Server
	mu       sync.Mutex
	messages map[string][]string
}

// NewGateway starts a gateway, closed when the test ends. Its URL is what
// POLICEBOOTH_NOTIFY_WEBHOOK should be.
func NewGateway(t testing.TB) *Gateway {
	g := &Gateway{messages: map[string][]string{}}
	g.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var m struct{ Phone, Text string }
		if err := json.NewDecoder(r.Body).Decode(&m); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		g.mu.Lock()
		g.messages[m.Phone] = append(g.messages[m.Phone], m.Text)
		g.mu.Unlock()
	}))
	t.Cleanup(g.Close)
	return g
}

var sixDigits = regexp.MustCompile(`\b\d{6}\b`)

// Code returns the six-digit code in the last message sent to phone,
// failing the test when none arrives within 10 seconds (texts go out
// through the server's outbox, a moment after the request).
func (g *Gateway) Code(t testing.TB, phone string) string {
	t.Helper()
	texts := g.WaitMessages(t, phone, 1)
	return sixDigits.FindString(texts[len(texts)-1])
}

// WaitMessages waits up to 10 seconds for at least n texts to phone and
// returns every text sent to it, failing the test when fewer arrive.
func (g *Gateway) WaitMessages(t testing.TB, phone string, n int) []string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		texts := g.Messages(phone)
		if len(texts) >= n {
			return texts
		}
		if time.Now().After(deadline) {
			t.Fatalf("notifytest: %d text messages to %s within 10 s, want %d", len(texts), phone, n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Messages returns every text sent to phone, oldest first.
func (g *Gateway) Messages(phone string) []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]string(nil), g.messages[phone]...)
}
