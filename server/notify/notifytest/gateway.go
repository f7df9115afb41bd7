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
// failing the test when none was sent.
func (g *Gateway) Code(t testing.TB, phone string) string {
	t.Helper()
	g.mu.Lock()
	defer g.mu.Unlock()
	texts := g.messages[phone]
	if len(texts) == 0 {
		t.Fatalf("notifytest: no text message was sent to %s", phone)
	}
	return sixDigits.FindString(texts[len(texts)-1])
}

// Messages returns every text sent to phone, oldest first.
func (g *Gateway) Messages(phone string) []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]string(nil), g.messages[phone]...)
}
