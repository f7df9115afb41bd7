package push_test

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"policebooth/server/app"
	"policebooth/server/push"
	"policebooth/server/push/pushtest"
	"policebooth/server/store"
	"policebooth/server/store/storetest"
)

// contact is the operator's address the tests' VAPID tokens name.
const contact = "https://booth.example"

func newPushService(t testing.TB) *pushtest.Service { return pushtest.NewService(t, contact) }

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

func TestSendEncryptsForTheBrowserAndSignsWithTheSharedKey(t *testing.T) {
	s := newStaff(t)
	ctx := context.Background()
	ps := newPushService(t)
	sub := ps.Subscribe(t, s.st, s.officer, "officer-phone", 0)
	vapid := loadVAPID(t, s.st)
	sender := push.NewSender(s.st, vapid, push.Options{Contact: contact, Client: ps.Client(push.Timeout), Log: storetest.Logger(t)})
	payload := []byte(`{"type":"assistance.created","id":"7","category":"crime","url":"/calls/7"}`)
	topic := "0123456789abcdef0123456789abcdef"
	if err := sender.Send(ctx, *sub, push.Message{Payload: payload, Urgency: app.PushUrgencyHigh, TTL: time.Minute, Topic: topic}); err != nil {
		t.Fatal(err)
	}
	got := ps.Taken()
	if len(got) != 1 || got[0].Err != nil {
		t.Fatalf("push service took %+v, want one good message", got)
	}
	d := got[0]
	if string(d.Plaintext) != string(payload) {
		t.Errorf("decrypted %q, want %q", d.Plaintext, payload)
	}
	if d.VAPIDKey != vapid.PublicKey() {
		t.Errorf("signed with key %s, want the VAPID key %s", d.VAPIDKey, vapid.PublicKey())
	}
	if d.TTL != "60" || d.Urgency != "high" || d.Topic != topic {
		t.Errorf("TTL %q, Urgency %q, Topic %q; want 60, high, %s", d.TTL, d.Urgency, d.Topic, topic)
	}
}

func TestSendDeletesASubscriptionThePushServiceNoLongerKnows(t *testing.T) {
	s := newStaff(t)
	ctx := context.Background()
	ps := newPushService(t)
	sender := push.NewSender(s.st, loadVAPID(t, s.st), push.Options{Contact: contact, Client: ps.Client(push.Timeout)})
	for _, status := range []int{http.StatusNotFound, http.StatusGone} {
		sub := ps.Subscribe(t, s.st, s.officer, fmt.Sprintf("answers-%d", status), status)
		if err := sender.Send(ctx, *sub, push.Message{Payload: []byte(`{"type":"test"}`), Urgency: app.PushUrgencyHigh, TTL: time.Minute}); !errors.Is(err, push.ErrGone) {
			t.Fatalf("Send to a subscription answered %d: %v, want ErrGone", status, err)
		}
	}
	if subs, _ := s.st.UserPushSubscriptions(ctx, s.officer.ID); len(subs) != 0 {
		t.Fatalf("after 404 and 410 the officer still has %+v", subs)
	}
}

func TestSendRecordsAFailureOnTheSubscriptionWithoutItsEndpoint(t *testing.T) {
	s := newStaff(t)
	ctx := context.Background()
	ps := newPushService(t)
	busy := ps.Subscribe(t, s.st, s.head, "head-laptop", http.StatusTooManyRequests)
	hanging := ps.Subscribe(t, s.st, s.officer, "unreachable", -1)
	const timeout = 300 * time.Millisecond
	sender := push.NewSender(s.st, loadVAPID(t, s.st), push.Options{Contact: contact, Client: ps.Client(timeout)})
	m := push.Message{Payload: []byte(`{"type":"test"}`), Urgency: app.PushUrgencyHigh, TTL: time.Minute}
	for _, sub := range []*app.PushSubscription{busy, hanging} {
		start := time.Now()
		if err := sender.Send(ctx, *sub, m); err == nil || errors.Is(err, push.ErrGone) {
			t.Fatalf("Send to %d: %v, want a failure", sub.ID, err)
		}
		if took := time.Since(start); took > timeout+2*time.Second {
			t.Fatalf("Send took %s with a client timeout of %s", took, timeout)
		}
	}
	for _, c := range []struct {
		user *app.User
		id   int64
		want string
	}{{s.head, busy.ID, "429"}, {s.officer, hanging.ID, ""}} {
		subs, err := s.st.UserPushSubscriptions(ctx, c.user.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(subs) != 1 || subs[0].ID != c.id || subs[0].FailedAt == nil || subs[0].LastError == "" || !strings.Contains(subs[0].LastError, c.want) {
			t.Fatalf("subscription %d is %+v, want it kept with its failure (%q) recorded", c.id, subs, c.want)
		}
		if strings.Contains(subs[0].LastError, ps.URL()) {
			t.Fatalf("the failure quotes the endpoint: %q", subs[0].LastError)
		}
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
