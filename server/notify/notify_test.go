package notify_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"policebooth/server/notify"
)

func TestWebhookPostsJSON(t *testing.T) {
	type message struct{ Phone, Text string }
	got := make(chan message, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" {
			t.Errorf("%s with Content-Type %q: want a JSON POST", r.Method, r.Header.Get("Content-Type"))
		}
		if k := r.Header.Get("Idempotency-Key"); k != "msg-1" {
			t.Errorf("Idempotency-Key %q, want the message's key", k)
		}
		var m map[string]string
		if err := json.NewDecoder(r.Body).Decode(&m); err != nil {
			t.Error(err)
		}
		got <- message{m["phone"], m["text"]}
		w.WriteHeader(http.StatusAccepted)
	}))
	defer srv.Close()

	w := notify.NewWebhook(srv.URL)
	if w.Client.Timeout != 5*time.Second {
		t.Errorf("webhook timeout %v, want 5s", w.Client.Timeout)
	}
	if err := w.Send(context.Background(), "msg-1", "13800138000", "验证码 123456"); err != nil {
		t.Fatal(err)
	}
	if m := <-got; m.Phone != "13800138000" || m.Text != "验证码 123456" {
		t.Fatalf("gateway received %+v", m)
	}
}

func TestWebhookFailures(t *testing.T) {
	failing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "quota exceeded", http.StatusTooManyRequests)
	}))
	defer failing.Close()
	err := notify.NewWebhook(failing.URL).Send(context.Background(), "k", "13800138000", "x")
	if err == nil || !strings.Contains(err.Error(), "429") {
		t.Fatalf("429 from the gateway: %v, want an error naming the status", err)
	}
	if strings.Contains(err.Error(), "13800138000") {
		t.Errorf("error %q holds the whole phone number", err)
	}

	release := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer slow.Close()
	defer close(release)
	w := notify.NewWebhook(slow.URL)
	w.Client.Timeout = 100 * time.Millisecond
	start := time.Now()
	if err := w.Send(context.Background(), "k", "13800138000", "x"); err == nil {
		t.Fatal("a gateway that never answers: want a timeout error")
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Fatalf("Send waited %v for a silent gateway", took)
	}
}

func TestLogMasksThePhone(t *testing.T) {
	var buf bytes.Buffer
	l := notify.Log{Logger: slog.New(slog.NewTextHandler(&buf, nil))}
	if err := l.Send(context.Background(), "k", "13800138000", "验证码 654321"); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if strings.Contains(out, "13800138000") || !strings.Contains(out, "138****8000") || !strings.Contains(out, "654321") {
		t.Fatalf("log line %q: want the code and the phone masked as 138****8000", out)
	}
	if got := notify.MaskPhone("abc"); got != "***" {
		t.Errorf("MaskPhone(abc) = %q", got)
	}
}
