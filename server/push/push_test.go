package push_test

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
	"policebooth/server/push"
	"policebooth/server/store"
	"policebooth/server/store/storetest"
)

// contact is the operator's address the tests' VAPID tokens name.
const contact = "https://booth.example"

// browser is the receiving side of a subscription: the key pair and auth
// secret a browser makes when it subscribes.
type browser struct {
	key  *ecdh.PrivateKey
	auth []byte
}

func newBrowser(t testing.TB) *browser {
	t.Helper()
	k, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	b := &browser{key: k, auth: make([]byte, 16)}
	_, _ = rand.Read(b.auth)
	return b
}

// decrypt opens an aes128gcm body (RFC 8188) encrypted for the browser as
// RFC 8291 says, and returns the plaintext without its padding.
func (b *browser) decrypt(body []byte) ([]byte, error) {
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

// checkVAPID verifies an Authorization header as RFC 8292 says: a JWT
// signed with ES256 by the key k, for the push service's origin, not
// expired, naming the operator; it returns k.
func checkVAPID(header, origin string) (string, error) {
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

// delivery is one message the fake push service took.
type delivery struct {
	device    string
	plaintext []byte
	vapidKey  string
	ttl       string
	urgency   string
	err       error
}

// pushService is a fake push service over TLS: each device is a path, and
// it answers each as told (201 by default).
type pushService struct {
	srv *httptest.Server

	mu         sync.Mutex
	browsers   map[string]*browser
	answers    map[string]int
	deliveries []delivery
	hold       chan struct{} // closed to let held requests through
}

func newPushService(t testing.TB) *pushService {
	t.Helper()
	p := &pushService{browsers: map[string]*browser{}, answers: map[string]int{}, hold: make(chan struct{})}
	p.srv = httptest.NewTLSServer(http.HandlerFunc(p.serve))
	t.Cleanup(p.srv.Close)
	t.Cleanup(p.release) // runs before Close: held handlers must end first
	return p
}

func (p *pushService) release() {
	p.mu.Lock()
	defer p.mu.Unlock()
	select {
	case <-p.hold:
	default:
		close(p.hold)
	}
}

func (p *pushService) serve(w http.ResponseWriter, r *http.Request) {
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
	d := delivery{device: device, ttl: r.Header.Get("TTL"), urgency: r.Header.Get("Urgency")}
	body, err := io.ReadAll(r.Body)
	switch {
	case err != nil:
		d.err = err
	case r.Method != http.MethodPost || r.Header.Get("Content-Encoding") != "aes128gcm":
		d.err = fmt.Errorf("%s with Content-Encoding %q: want POST, aes128gcm", r.Method, r.Header.Get("Content-Encoding"))
	case b == nil:
		d.err = fmt.Errorf("no browser at %s", device)
	default:
		d.vapidKey, d.err = checkVAPID(r.Header.Get("Authorization"), p.srv.URL)
		if d.err == nil {
			d.plaintext, d.err = b.decrypt(body)
		}
	}
	p.mu.Lock()
	p.deliveries = append(p.deliveries, d)
	p.mu.Unlock()
	if d.err != nil {
		http.Error(w, d.err.Error(), http.StatusBadRequest)
		return
	}
	if answer == 0 {
		answer = http.StatusCreated
	}
	w.WriteHeader(answer)
	if answer >= 400 {
		fmt.Fprint(w, "overloaded, try later")
	}
}

// subscribe makes a browser for device, answered with status (0: 201, -1:
// hang), and saves its subscription for u.
func (p *pushService) subscribe(t testing.TB, st *store.Store, u *app.User, device string, status int) *app.PushSubscription {
	t.Helper()
	b := newBrowser(t)
	p.mu.Lock()
	p.browsers[device], p.answers[device] = b, status
	p.mu.Unlock()
	s := &app.PushSubscription{
		UserID:   u.ID,
		Endpoint: p.srv.URL + "/" + device,
		P256dh:   base64.RawURLEncoding.EncodeToString(b.key.PublicKey().Bytes()),
		Auth:     base64.RawURLEncoding.EncodeToString(b.auth),
	}
	if err := st.SavePushSubscription(context.Background(), s); err != nil {
		t.Fatal(err)
	}
	return s
}

func (p *pushService) taken() []delivery {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := slices.Clone(p.deliveries)
	slices.SortFunc(out, func(a, b delivery) int { return strings.Compare(a.device, b.device) })
	return out
}

// client returns an HTTP client that trusts the fake service, with a timeout.
func (p *pushService) client(timeout time.Duration) *http.Client {
	c := p.srv.Client()
	c.Timeout = timeout
	return c
}

// staff is a station with its people.
type staff struct {
	st                            *store.Store
	station, otherStation         int64
	officer, head, disabled       *app.User
	otherStationsOfficer, citizen *app.User
}

func newStaff(t testing.TB) *staff {
	t.Helper()
	ctx := context.Background()
	st := storetest.Open(t)
	s := &staff{st: st}
	stations := make([]int64, 2)
	for i, name := range []string{"海淀派出所", "朝阳派出所"} {
		station := &app.Station{Name: name}
		if err := st.CreateStation(ctx, app.Actor{}, station); err != nil {
			t.Fatal(err)
		}
		stations[i] = station.ID
	}
	s.station, s.otherStation = stations[0], stations[1]
	user := func(role app.Role, phone, name, badge string, station *int64) *app.User {
		u := &app.User{Role: role, Phone: phone, Name: name, BadgeNo: badge, StationID: station, PasswordHash: "not a real hash"}
		if err := st.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		return u
	}
	s.officer = user(app.RoleOfficer, "13800000001", "李明", "110001", &s.station)
	s.head = user(app.RoleHead, "13800000000", "王建国", "", &s.station)
	s.disabled = user(app.RoleOfficer, "13800000002", "张伟", "110002", &s.station)
	s.otherStationsOfficer = user(app.RoleOfficer, "13600000001", "孙强", "120001", &s.otherStation)
	s.citizen = user(app.RoleResident, "13900000001", "陈秀英", "", nil)
	return s
}

func loadVAPID(t testing.TB, st *store.Store) *push.VAPID {
	t.Helper()
	v, err := push.LoadVAPID(context.Background(), st)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestCallAlertCarriesNoMessageOrLocation(t *testing.T) {
	lat, lng := 39.9593, 116.2981
	c := &app.AssistanceCall{ID: 42, Category: "medical", Message: "我父亲摔倒了", Lat: &lat, Lng: &lng}
	for kind, want := range map[string]string{
		push.CallCreated:   `{"type":"assistance.created","id":"42","category":"medical","url":"/calls/42"}`,
		push.CallEscalated: `{"type":"assistance.escalated","id":"42","category":"medical","url":"/calls/42"}`,
	} {
		if got := string(push.CallAlert(kind, c)); got != want {
			t.Errorf("CallAlert(%s) = %s, want %s", kind, got, want)
		}
	}
}

func TestNotifyStationReachesEveryEnabledStaffDeviceEncryptedAndSigned(t *testing.T) {
	s := newStaff(t)
	ctx := context.Background()
	ps := newPushService(t)
	ps.subscribe(t, s.st, s.officer, "officer-phone", 0)
	gone := ps.subscribe(t, s.st, s.officer, "officer-old-tablet", http.StatusGone)
	ps.subscribe(t, s.st, s.head, "head-desk", 0)
	busy := ps.subscribe(t, s.st, s.head, "head-laptop", http.StatusTooManyRequests)
	ps.subscribe(t, s.st, s.disabled, "disabled-phone", 0)
	ps.subscribe(t, s.st, s.otherStationsOfficer, "other-station", 0)
	ps.subscribe(t, s.st, s.citizen, "citizen-phone", 0)
	if err := s.st.SetDisabledByOperator(ctx, s.disabled.ID, true); err != nil {
		t.Fatal(err)
	}

	vapid := loadVAPID(t, s.st)
	sender := push.NewSender(s.st, vapid, push.Options{Contact: contact, Client: ps.client(push.Timeout), Log: storetest.Logger(t)})
	payload := push.CallAlert(push.CallCreated, &app.AssistanceCall{ID: 7, Category: "crime", Message: "有人闯入"})
	sender.NotifyStation(ctx, s.station, payload)
	sender.Wait()

	var devices []string
	for _, d := range ps.taken() {
		devices = append(devices, d.device)
		if d.err != nil {
			t.Errorf("%s: %v", d.device, d.err)
			continue
		}
		if string(d.plaintext) != string(payload) {
			t.Errorf("%s decrypted %q, want %q", d.device, d.plaintext, payload)
		}
		if d.vapidKey != vapid.PublicKey() {
			t.Errorf("%s: signed with key %s, want the VAPID key %s", d.device, d.vapidKey, vapid.PublicKey())
		}
		if d.ttl != "60" || d.urgency != "high" {
			t.Errorf("%s: TTL %q, Urgency %q; want 60, high", d.device, d.ttl, d.urgency)
		}
	}
	if want := []string{"head-desk", "head-laptop", "officer-old-tablet", "officer-phone"}; !slices.Equal(devices, want) {
		t.Fatalf("push service took messages for %v, want %v: the station's enabled staff only", devices, want)
	}

	subs, err := s.st.StationPushSubscriptions(ctx, s.station)
	if err != nil {
		t.Fatal(err)
	}
	byID := map[int64]app.PushSubscription{}
	for _, sub := range subs {
		byID[sub.ID] = sub
	}
	if _, ok := byID[gone.ID]; ok || len(subs) != 3 {
		t.Fatalf("after a 410 the station has %d subscriptions (%v), want 3 without the gone tablet", len(subs), byID)
	}
	if b := byID[busy.ID]; b.FailedAt == nil || !strings.Contains(b.LastError, "429") || !strings.Contains(b.LastError, "overloaded") {
		t.Fatalf("after a 429 the laptop's subscription is %+v, want the failure recorded", b)
	}
	if strings.Contains(byID[busy.ID].LastError, ps.srv.URL) {
		t.Fatalf("the failure quotes the endpoint: %q", byID[busy.ID].LastError)
	}
}

func TestSendDeletesASubscriptionThePushServiceNoLongerKnows(t *testing.T) {
	s := newStaff(t)
	ctx := context.Background()
	ps := newPushService(t)
	sender := push.NewSender(s.st, loadVAPID(t, s.st), push.Options{Contact: contact, Client: ps.client(push.Timeout)})
	for _, status := range []int{http.StatusNotFound, http.StatusGone} {
		sub := ps.subscribe(t, s.st, s.officer, fmt.Sprintf("answers-%d", status), status)
		if err := sender.Send(ctx, *sub, []byte(`{"type":"test"}`), push.UrgencyHigh); !errors.Is(err, push.ErrGone) {
			t.Fatalf("Send to a subscription answered %d: %v, want ErrGone", status, err)
		}
	}
	if subs, _ := s.st.UserPushSubscriptions(ctx, s.officer.ID); len(subs) != 0 {
		t.Fatalf("after 404 and 410 the officer still has %+v", subs)
	}
}

func TestNotifyStationNeverHoldsUpTheCaller(t *testing.T) {
	s := newStaff(t)
	ctx := context.Background()
	ps := newPushService(t)
	hanging := ps.subscribe(t, s.st, s.officer, "unreachable", -1)
	ps.subscribe(t, s.st, s.head, "head-desk", 0)
	const timeout = 500 * time.Millisecond
	sender := push.NewSender(s.st, loadVAPID(t, s.st), push.Options{Contact: contact, Client: ps.client(timeout)})

	callerCtx, cancel := context.WithCancel(ctx)
	start := time.Now()
	sender.NotifyStation(callerCtx, s.station, []byte(`{"type":"assistance.created"}`))
	if took := time.Since(start); took > 100*time.Millisecond {
		t.Fatalf("NotifyStation took %s: the caller waited for the push service", took)
	}
	cancel() // the request that raised the call has ended
	sender.Wait()
	if took := time.Since(start); took > timeout+2*time.Second {
		t.Fatalf("deliveries took %s with a client timeout of %s", took, timeout)
	}

	if got := ps.taken(); len(got) != 1 || got[0].device != "head-desk" || got[0].err != nil {
		t.Fatalf("delivered %+v, want the head's desk despite the hanging service and the ended request", got)
	}
	subs, err := s.st.UserPushSubscriptions(ctx, s.officer.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(subs) != 1 || subs[0].ID != hanging.ID || subs[0].FailedAt == nil || subs[0].LastError == "" {
		t.Fatalf("the unreachable subscription is %+v, want it kept with its failure recorded", subs)
	}
	if strings.Contains(subs[0].LastError, ps.srv.URL) {
		t.Fatalf("the failure quotes the endpoint: %q", subs[0].LastError)
	}
}

func TestVAPIDKeyIsSharedByInstances(t *testing.T) {
	dsn, path := storetest.DSN(t)
	ctx := context.Background()
	stores := make([]*store.Store, 2)
	for i := range stores {
		st, err := store.Open(dsn, path, storetest.Logger(t))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		if err := st.Migrate(ctx, storetest.Logger(t)); err != nil {
			t.Fatal(err)
		}
		stores[i] = st
	}
	keys := make([]string, len(stores))
	var wg sync.WaitGroup
	for i, st := range stores {
		wg.Go(func() {
			v, err := push.LoadVAPID(ctx, st)
			if err != nil {
				t.Error(err)
				return
			}
			keys[i] = v.PublicKey()
		})
	}
	wg.Wait()
	raw, err := base64.RawURLEncoding.DecodeString(keys[0])
	if err != nil || len(raw) != 65 || raw[0] != 4 {
		t.Fatalf("public key %q: want 65 bytes of an uncompressed P-256 point, base64url", keys[0])
	}
	if keys[0] != keys[1] {
		t.Fatalf("two instances have VAPID keys %s and %s: want one", keys[0], keys[1])
	}
	if again := loadVAPID(t, stores[1]).PublicKey(); again != keys[0] {
		t.Fatalf("loading again gave %s, want %s", again, keys[0])
	}
}
