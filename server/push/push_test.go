package push_test

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"slices"
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
	ps.Subscribe(t, s.st, s.officer, "officer-phone", 0)
	gone := ps.Subscribe(t, s.st, s.officer, "officer-old-tablet", http.StatusGone)
	ps.Subscribe(t, s.st, s.head, "head-desk", 0)
	busy := ps.Subscribe(t, s.st, s.head, "head-laptop", http.StatusTooManyRequests)
	ps.Subscribe(t, s.st, s.disabled, "disabled-phone", 0)
	ps.Subscribe(t, s.st, s.otherStationsOfficer, "other-station", 0)
	ps.Subscribe(t, s.st, s.citizen, "citizen-phone", 0)
	if err := s.st.SetDisabledByOperator(ctx, s.disabled.ID, true); err != nil {
		t.Fatal(err)
	}

	vapid := loadVAPID(t, s.st)
	sender := push.NewSender(s.st, vapid, push.Options{Contact: contact, Client: ps.Client(push.Timeout), Log: storetest.Logger(t)})
	payload := push.CallAlert(push.CallCreated, &app.AssistanceCall{ID: 7, Category: "crime", Message: "有人闯入"})
	sender.NotifyStation(ctx, s.station, payload)
	sender.Wait()

	var devices []string
	for _, d := range ps.Taken() {
		devices = append(devices, d.Device)
		if d.Err != nil {
			t.Errorf("%s: %v", d.Device, d.Err)
			continue
		}
		if string(d.Plaintext) != string(payload) {
			t.Errorf("%s decrypted %q, want %q", d.Device, d.Plaintext, payload)
		}
		if d.VAPIDKey != vapid.PublicKey() {
			t.Errorf("%s: signed with key %s, want the VAPID key %s", d.Device, d.VAPIDKey, vapid.PublicKey())
		}
		if d.TTL != "60" || d.Urgency != "high" {
			t.Errorf("%s: TTL %q, Urgency %q; want 60, high", d.Device, d.TTL, d.Urgency)
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
	if strings.Contains(byID[busy.ID].LastError, ps.URL()) {
		t.Fatalf("the failure quotes the endpoint: %q", byID[busy.ID].LastError)
	}
}

func TestSendDeletesASubscriptionThePushServiceNoLongerKnows(t *testing.T) {
	s := newStaff(t)
	ctx := context.Background()
	ps := newPushService(t)
	sender := push.NewSender(s.st, loadVAPID(t, s.st), push.Options{Contact: contact, Client: ps.Client(push.Timeout)})
	for _, status := range []int{http.StatusNotFound, http.StatusGone} {
		sub := ps.Subscribe(t, s.st, s.officer, fmt.Sprintf("answers-%d", status), status)
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
	hanging := ps.Subscribe(t, s.st, s.officer, "unreachable", -1)
	ps.Subscribe(t, s.st, s.head, "head-desk", 0)
	const timeout = 500 * time.Millisecond
	sender := push.NewSender(s.st, loadVAPID(t, s.st), push.Options{Contact: contact, Client: ps.Client(timeout)})

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

	if got := ps.Taken(); len(got) != 1 || got[0].Device != "head-desk" || got[0].Err != nil {
		t.Fatalf("delivered %+v, want the head's desk despite the hanging service and the ended request", got)
	}
	subs, err := s.st.UserPushSubscriptions(ctx, s.officer.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(subs) != 1 || subs[0].ID != hanging.ID || subs[0].FailedAt == nil || subs[0].LastError == "" {
		t.Fatalf("the unreachable subscription is %+v, want it kept with its failure recorded", subs)
	}
	if strings.Contains(subs[0].LastError, ps.URL()) {
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
