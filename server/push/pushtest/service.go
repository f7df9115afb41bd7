// Package pushtest is a fake Web Push service for tests: it checks each
// message's VAPID signature (RFC 8292) and decrypts its payload as the
// subscribed browser would (RFC 8291), so a test sees exactly what a
// device would have been shown.
package pushtest

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"policebooth/server/app"
)

// Browser is the receiving side of a subscription: the key pair and auth
// secret a browser makes when it subscribes.
type Browser struct {
	key  *ecdh.PrivateKey
	auth []byte
}

// NewBrowser makes a browser's keys.
func NewBrowser(t testing.TB) *Browser {
	t.Helper()
	k, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	b := &Browser{key: k, auth: make([]byte, 16)}
	_, _ = rand.Read(b.auth)
	return b
}

// Decrypt opens an aes128gcm body (RFC 8188) encrypted for the browser as
// RFC 8291 says, and returns the plaintext without its padding.
func (b *Browser) Decrypt(body []byte) ([]byte, error) {
	if len(body) < 21 {
		return nil, errors.New("body shorter than the aes128gcm header")
	}
	salt, rs, idLen := body[:16], binary.BigEndian.Uint32(body[16:20]), int(body[20])
	if len(body) < 21+idLen {
		return nil, errors.New("body shorter than its key id")
	}
	senderKey, ciphertext := body[21:21+idLen], body[21+idLen:]
	if len(ciphertext) > int(rs) {
		return nil, fmt.Errorf("%d bytes of ciphertext in records of %d: want one record", len(ciphertext), rs)
	}
	sender, err := ecdh.P256().NewPublicKey(senderKey)
	if err != nil {
		return nil, fmt.Errorf("key id is no P-256 public key: %w", err)
	}
	shared, err := b.key.ECDH(sender)
	if err != nil {
		return nil, err
	}
	info := "WebPush: info\x00" + string(b.key.PublicKey().Bytes()) + string(senderKey)
	ikm, err := hkdf.Key(sha256.New, shared, b.auth, info, 32)
	if err != nil {
		return nil, err
	}
	cek, err := hkdf.Key(sha256.New, ikm, salt, "Content-Encoding: aes128gcm\x00", 16)
	if err != nil {
		return nil, err
	}
	nonce, err := hkdf.Key(sha256.New, ikm, salt, "Content-Encoding: nonce\x00", 12)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(cek)
	if err != nil {
		return nil, err
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	plain, err := gcm.Open(nil, nonce, ciphertext, nil)
	if err != nil {
		return nil, fmt.Errorf("decrypt: %w", err)
	}
	// The last record ends with the delimiter 2 and any zero padding.
	end := len(plain) - 1
	for end >= 0 && plain[end] == 0 {
		end--
	}
	if end < 0 || plain[end] != 2 {
		return nil, errors.New("no last-record delimiter")
	}
	return plain[:end], nil
}

// CheckVAPID verifies an Authorization header as RFC 8292 says: a JWT
// signed with ES256 by the key k, for the push service's origin, not
// expired, naming contact as its subject; it returns k.
func CheckVAPID(header, origin, contact string) (string, error) {
	rest, ok := strings.CutPrefix(header, "vapid ")
	if !ok {
		return "", fmt.Errorf("authorization %q: want the vapid scheme", header)
	}
	var token, k string
	for part := range strings.SplitSeq(rest, ",") {
		part = strings.TrimSpace(part)
		if v, ok := strings.CutPrefix(part, "t="); ok {
			token = v
		} else if v, ok := strings.CutPrefix(part, "k="); ok {
			k = v
		}
	}
	raw, err := base64.RawURLEncoding.DecodeString(k)
	if err != nil {
		return "", fmt.Errorf("k=%q: %w", k, err)
	}
	pub, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), raw)
	if err != nil {
		return "", fmt.Errorf("k is no P-256 public key: %w", err)
	}
	claims := jwt.MapClaims{}
	_, err = jwt.ParseWithClaims(token, claims, func(*jwt.Token) (any, error) { return pub, nil },
		jwt.WithValidMethods([]string{"ES256"}), jwt.WithAudience(origin), jwt.WithExpirationRequired())
	if err != nil {
		return "", fmt.Errorf("token: %w", err)
	}
	if exp, _ := claims.GetExpirationTime(); exp.After(time.Now().Add(24 * time.Hour)) {
		return "", fmt.Errorf("token expires at %s, more than 24 hours ahead", exp)
	}
	if claims["sub"] != contact {
		return "", fmt.Errorf("token sub %v, want %s", claims["sub"], contact)
	}
	return k, nil
}

// Delivery is one message the fake push service took.
type Delivery struct {
	Device    string
	Plaintext []byte
	VAPIDKey  string // the public key the message was signed with
	TTL       string
	Urgency   string
	Topic     string
	Status    int   // what the service answered
	Err       error // what was wrong with it, if anything
}

// Service is a fake push service over TLS: each device is a path, and it
// answers each as told (201 by default).
type Service struct {
	srv     *httptest.Server
	contact string

	mu         sync.Mutex
	browsers   map[string]*Browser
	answers    map[string]int
	deliveries []Delivery
	hold       chan struct{} // closed to let held requests through
	arrived    chan struct{}
}

// NewService starts a push service whose VAPID tokens must name contact
// (as their "sub" claim: an https URL, or "mailto:" and an address).
func NewService(t testing.TB, contact string) *Service {
	t.Helper()
	p := &Service{contact: contact, browsers: map[string]*Browser{}, answers: map[string]int{},
		hold: make(chan struct{}), arrived: make(chan struct{}, 1000)}
	p.srv = httptest.NewTLSServer(http.HandlerFunc(p.serve))
	t.Cleanup(p.srv.Close)
	t.Cleanup(p.release) // runs before Close: held handlers must end first
	return p
}

// URL is the service's origin.
func (p *Service) URL() string { return p.srv.URL }

func (p *Service) release() {
	p.mu.Lock()
	defer p.mu.Unlock()
	select {
	case <-p.hold:
	default:
		close(p.hold)
	}
}

func (p *Service) serve(w http.ResponseWriter, r *http.Request) {
	device := strings.TrimPrefix(r.URL.Path, "/")
	p.mu.Lock()
	b, answer := p.browsers[device], p.answers[device]
	p.mu.Unlock()
	if answer == -1 { // hang until released or the sender gives up
		select {
		case <-p.hold:
		case <-r.Context().Done():
			return
		}
		answer = 0
	}
	d := Delivery{Device: device, TTL: r.Header.Get("TTL"), Urgency: r.Header.Get("Urgency"), Topic: r.Header.Get("Topic")}
	body, err := io.ReadAll(r.Body)
	switch {
	case err != nil:
		d.Err = err
	case r.Method != http.MethodPost || r.Header.Get("Content-Encoding") != "aes128gcm":
		d.Err = fmt.Errorf("%s with Content-Encoding %q: want POST, aes128gcm", r.Method, r.Header.Get("Content-Encoding"))
	case b == nil:
		d.Err = fmt.Errorf("no browser at %s", device)
	default:
		d.VAPIDKey, d.Err = CheckVAPID(r.Header.Get("Authorization"), p.srv.URL, p.contact)
		if d.Err == nil {
			d.Plaintext, d.Err = b.Decrypt(body)
		}
	}
	if answer == 0 {
		answer = http.StatusCreated
	}
	if d.Err != nil {
		answer = http.StatusBadRequest
	}
	d.Status = answer
	p.mu.Lock()
	p.deliveries = append(p.deliveries, d)
	p.mu.Unlock()
	select {
	case p.arrived <- struct{}{}:
	default:
	}
	if d.Err != nil {
		http.Error(w, d.Err.Error(), answer)
		return
	}
	w.WriteHeader(answer)
	if answer >= 400 {
		fmt.Fprint(w, "overloaded, try later")
	}
}

// Saver stores subscriptions (the store).
type Saver interface {
	SavePushSubscription(ctx context.Context, s *app.PushSubscription) error
}

// NewDevice makes a browser for device, answered with status (0: 201, -1:
// hang), and returns the subscription it would hand to the PWA
// (PushSubscription.toJSON()).
func (p *Service) NewDevice(t testing.TB, device string, status int) app.BrowserSubscription {
	t.Helper()
	b := NewBrowser(t)
	p.mu.Lock()
	p.browsers[device], p.answers[device] = b, status
	p.mu.Unlock()
	var sub app.BrowserSubscription
	sub.Endpoint = p.srv.URL + "/" + device
	sub.Keys.P256dh = base64.RawURLEncoding.EncodeToString(b.key.PublicKey().Bytes())
	sub.Keys.Auth = base64.RawURLEncoding.EncodeToString(b.auth)
	return sub
}

// Answer makes the service answer device's next messages with status (0:
// 201, -1: hang).
func (p *Service) Answer(device string, status int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.answers[device] = status
}

// Subscribe makes a browser for device as NewDevice does and saves its
// subscription for u.
func (p *Service) Subscribe(t testing.TB, st Saver, u *app.User, device string, status int) *app.PushSubscription {
	t.Helper()
	s := p.NewDevice(t, device, status).Subscription(u.ID)
	if err := st.SavePushSubscription(context.Background(), s); err != nil {
		t.Fatal(err)
	}
	return s
}

// Taken returns the messages taken so far, ordered by device.
func (p *Service) Taken() []Delivery {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := slices.Clone(p.deliveries)
	slices.SortFunc(out, func(a, b Delivery) int { return strings.Compare(a.Device, b.Device) })
	return out
}

// WaitFor waits until n messages have been taken, or fails the test after
// timeout.
func (p *Service) WaitFor(t testing.TB, n int, timeout time.Duration) []Delivery {
	t.Helper()
	deadline := time.After(timeout)
	for {
		if got := p.Taken(); len(got) >= n {
			return got
		}
		select {
		case <-p.arrived:
		case <-deadline:
			t.Fatalf("the push service took %d messages within %s, want %d", len(p.Taken()), timeout, n)
		}
	}
}

// Client returns an HTTP client that trusts the fake service, with a
// timeout.
func (p *Service) Client(timeout time.Duration) *http.Client {
	c := p.srv.Client()
	c.Timeout = timeout
	return c
}
