package store_test

import (
	"context"
	"crypto/ecdh"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"policebooth/server/app"
	"policebooth/server/store"
	"policebooth/server/store/storetest"
)

// browserKeys returns a browser's subscription keys: a fresh P-256 public
// key and a 16-byte auth secret, base64url.
func browserKeys(t testing.TB) (p256dh, auth string) {
	t.Helper()
	k, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	secret := make([]byte, 16)
	_, _ = rand.Read(secret)
	return base64.RawURLEncoding.EncodeToString(k.PublicKey().Bytes()), base64.RawURLEncoding.EncodeToString(secret)
}

// subscribe saves a subscription of u's browser at endpoint.
func subscribe(t testing.TB, st *store.Store, u *app.User, endpoint string) *app.PushSubscription {
	t.Helper()
	p256dh, auth := browserKeys(t)
	s := &app.PushSubscription{UserID: u.ID, Endpoint: endpoint, P256dh: p256dh, Auth: auth}
	if err := st.SavePushSubscription(context.Background(), s); err != nil {
		t.Fatalf("SavePushSubscription(%s, %s): %v", u.Name, endpoint, err)
	}
	return s
}

func endpoints(subs []app.PushSubscription) []string {
	var out []string
	for _, s := range subs {
		out = append(out, s.Endpoint)
	}
	return out
}

func stationEndpoints(t testing.TB, st *store.Store, stationID int64) []string {
	t.Helper()
	subs, err := st.StationPushSubscriptions(context.Background(), stationID)
	if err != nil {
		t.Fatal(err)
	}
	return endpoints(subs)
}

func userEndpoints(t testing.TB, st *store.Store, userID int64) []string {
	t.Helper()
	subs, err := st.UserPushSubscriptions(context.Background(), userID)
	if err != nil {
		t.Fatal(err)
	}
	return endpoints(subs)
}

const fcm = "https://fcm.googleapis.com/fcm/send/"

func TestStationPushSubscriptionsAreItsEnabledStaffs(t *testing.T) {
	c := newCounter(t)
	st, ctx := c.st, context.Background()

	officer := subscribe(t, st, c.officer, fcm+"officer")
	if officer.ID == 0 || officer.StationID == nil || *officer.StationID != c.station.ID || officer.CreatedAt.IsZero() {
		t.Fatalf("officer's subscription %+v: want an id, the officer's station, a time", officer)
	}
	subscribe(t, st, c.head, fcm+"head")
	subscribe(t, st, c.officer2, fcm+"officer2")
	subscribe(t, st, c.otherOfficer, fcm+"other-station")
	resident := subscribe(t, st, c.resident, fcm+"resident")
	if resident.StationID != nil {
		t.Fatalf("resident's subscription has station %d, want none", *resident.StationID)
	}
	if err := st.SetDisabledByOperator(ctx, c.officer2.ID, true); err != nil {
		t.Fatal(err)
	}

	if got, want := stationEndpoints(t, st, c.station.ID), []string{fcm + "officer", fcm + "head"}; !slices.Equal(got, want) {
		t.Fatalf("station's subscriptions %v, want %v: enabled officers and heads of the station only", got, want)
	}
	if got, want := stationEndpoints(t, st, c.otherStation.ID), []string{fcm + "other-station"}; !slices.Equal(got, want) {
		t.Fatalf("other station's subscriptions %v, want %v", got, want)
	}
	if got := userEndpoints(t, st, c.resident.ID); !slices.Equal(got, []string{fcm + "resident"}) {
		t.Fatalf("resident's subscriptions %v", got)
	}

	// A head moved to another station no longer gets this one's alerts,
	// nor the new station's until the browser subscribes again.
	if err := st.DB().Model(&app.User{}).Where("id = ?", c.head.ID).Update("station_id", c.otherStation.ID).Error; err != nil {
		t.Fatal(err)
	}
	if got := stationEndpoints(t, st, c.station.ID); !slices.Equal(got, []string{fcm + "officer"}) {
		t.Fatalf("after the head moved: %v, want the officer's only", got)
	}
	if got := stationEndpoints(t, st, c.otherStation.ID); !slices.Equal(got, []string{fcm + "other-station"}) {
		t.Fatalf("the moved head's old subscription reached the new station: %v", got)
	}
	subscribe(t, st, c.head, fcm+"head")
	if got := stationEndpoints(t, st, c.otherStation.ID); !slices.Equal(got, []string{fcm + "head", fcm + "other-station"}) {
		t.Fatalf("after the moved head subscribed again: %v", got)
	}
}

func TestResubscribingMovesTheDeviceToTheNewUser(t *testing.T) {
	c := newCounter(t)
	st, ctx := c.st, context.Background()

	first := subscribe(t, st, c.officer, fcm+"shared-tablet")
	if err := st.MarkPushFailed(ctx, first.ID, "push service answered 500"); err != nil {
		t.Fatal(err)
	}
	// Another officer signs in on the same tablet; its browser keeps the
	// endpoint and may bring new keys.
	second := subscribe(t, st, c.officer2, fcm+"shared-tablet")
	if second.ID != first.ID {
		t.Fatalf("re-subscribing made subscription %d, want %d kept", second.ID, first.ID)
	}
	if got := userEndpoints(t, st, c.officer.ID); len(got) != 0 {
		t.Fatalf("the first officer still has %v", got)
	}
	subs, err := st.UserPushSubscriptions(ctx, c.officer2.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(subs) != 1 || subs[0].P256dh != second.P256dh || subs[0].Auth != second.Auth || subs[0].LastError != "" || subs[0].FailedAt != nil {
		t.Fatalf("second officer's subscriptions %+v: want the tablet with the new keys and no failure", subs)
	}

	// A resident signing in on it takes it out of the station's alerts.
	subscribe(t, st, c.resident, fcm+"shared-tablet")
	if got := stationEndpoints(t, st, c.station.ID); len(got) != 0 {
		t.Fatalf("a resident's device gets the station's alerts: %v", got)
	}
}

func TestPushSubscriptionIsValidated(t *testing.T) {
	c := newCounter(t)
	st, ctx := c.st, context.Background()
	p256dh, auth := browserKeys(t)
	raw, _ := base64.RawURLEncoding.DecodeString(p256dh)
	notOnCurve := append([]byte{4}, make([]byte, 64)...)
	for _, tc := range []struct {
		name                   string
		endpoint, p256dh, auth string
	}{
		{"http endpoint", "http://push.example/1", p256dh, auth},
		{"loopback http endpoint", "http://127.0.0.1:8080/push", p256dh, auth},
		{"no endpoint", "", p256dh, auth},
		{"relative endpoint", "/push/1", p256dh, auth},
		{"endpoint with a password", "https://user:pw@push.example/1", p256dh, auth},
		{"endpoint too long", "https://push.example/" + strings.Repeat("a", 2000), p256dh, auth},
		{"short public key", fcm + "1", base64.RawURLEncoding.EncodeToString(raw[:64]), auth},
		{"public key off the curve", fcm + "1", base64.RawURLEncoding.EncodeToString(notOnCurve), auth},
		{"public key not base64url", fcm + "1", strings.Repeat("*", 87), auth},
		{"no auth", fcm + "1", p256dh, ""},
		{"short auth", fcm + "1", p256dh, base64.RawURLEncoding.EncodeToString(make([]byte, 15))},
	} {
		s := &app.PushSubscription{UserID: c.officer.ID, Endpoint: tc.endpoint, P256dh: tc.p256dh, Auth: tc.auth}
		if err := st.SavePushSubscription(ctx, s); app.ErrorCode(err) != app.EINVALID {
			t.Errorf("%s: %v, want invalid", tc.name, err)
		}
	}
	if got := userEndpoints(t, st, c.officer.ID); len(got) != 0 {
		t.Fatalf("invalid subscriptions were stored: %v", got)
	}

	// Padded base64url, as some browsers' older APIs give it, is stored
	// unpadded.
	padded := &app.PushSubscription{UserID: c.officer.ID, Endpoint: fcm + "padded",
		P256dh: base64.URLEncoding.EncodeToString(raw), Auth: auth + "=="}
	if err := st.SavePushSubscription(ctx, padded); err != nil {
		t.Fatal(err)
	}
	if padded.P256dh != p256dh || padded.Auth != auth {
		t.Fatalf("padded keys stored as %q, %q; want %q, %q", padded.P256dh, padded.Auth, p256dh, auth)
	}
	longest := "https://push.example/" + strings.Repeat("a", app.MaxPushEndpointLen-len("https://push.example/"))
	subscribe(t, st, c.officer, longest)

	if err := st.SavePushSubscription(ctx, &app.PushSubscription{UserID: 999999, Endpoint: fcm + "nobody", P256dh: p256dh, Auth: auth}); app.ErrorCode(err) != app.ENOTFOUND {
		t.Fatalf("subscription of a missing user: %v, want not found", err)
	}
	if err := st.SetDisabledByOperator(ctx, c.officer2.ID, true); err != nil {
		t.Fatal(err)
	}
	if err := st.SavePushSubscription(ctx, &app.PushSubscription{UserID: c.officer2.ID, Endpoint: fcm + "disabled", P256dh: p256dh, Auth: auth}); app.ErrorCode(err) != app.EFORBIDDEN {
		t.Fatalf("subscription of a disabled user: %v, want forbidden", err)
	}
}

func TestAUsersOldestDevicesGoPastTheLimit(t *testing.T) {
	c := newCounter(t)
	st := c.st
	var want []string
	for i := range app.MaxPushSubscriptionsPerUser + 2 {
		e := fmt.Sprintf("%sdevice-%02d", fcm, i)
		subscribe(t, st, c.officer, e)
		want = append(want, e)
	}
	subscribe(t, st, c.head, fcm+"head")
	if got := userEndpoints(t, st, c.officer.ID); !slices.Equal(got, want[2:]) {
		t.Fatalf("officer's subscriptions %v, want the newest %d: %v", got, app.MaxPushSubscriptionsPerUser, want[2:])
	}
	if got := userEndpoints(t, st, c.head.ID); len(got) != 1 {
		t.Fatalf("another user's subscription went with the officer's: %v", got)
	}
}

func TestDeletingAndMarkingPushSubscriptions(t *testing.T) {
	c := newCounter(t)
	st, ctx := c.st, context.Background()
	phone := subscribe(t, st, c.officer, fcm+"phone")
	tablet := subscribe(t, st, c.officer, fcm+"tablet")

	if err := st.DeletePushSubscription(ctx, c.officer2.ID, fcm+"phone"); app.ErrorCode(err) != app.ENOTFOUND {
		t.Fatalf("deleting another user's subscription: %v, want not found", err)
	}
	if err := st.DeletePushSubscription(ctx, c.officer.ID, fcm+"phone"); err != nil {
		t.Fatal(err)
	}
	if err := st.DeletePushSubscription(ctx, c.officer.ID, fcm+"phone"); app.ErrorCode(err) != app.ENOTFOUND {
		t.Fatalf("deleting it again: %v, want not found", err)
	}

	long := strings.Repeat("服务", 400) + "\xff\x00"
	if err := st.MarkPushFailed(ctx, tablet.ID, long); err != nil {
		t.Fatal(err)
	}
	subs, err := st.UserPushSubscriptions(ctx, c.officer.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(subs) != 1 || subs[0].FailedAt == nil || subs[0].LastError != strings.Repeat("服务", 250) {
		t.Fatalf("after a failure: %+v, want the tablet with the first 500 characters of the failure and its time", subs)
	}
	if err := st.MarkPushFailed(ctx, phone.ID, "gone already"); err != nil {
		t.Fatalf("marking a deleted subscription: %v, want no error", err)
	}

	for range 2 {
		if err := st.DeletePushSubscriptionByID(ctx, tablet.ID); err != nil {
			t.Fatalf("DeletePushSubscriptionByID: %v", err)
		}
	}
	if got := userEndpoints(t, st, c.officer.ID); len(got) != 0 {
		t.Fatalf("after deleting by id: %v", got)
	}
}

func TestKeyWithGeneratesOnceAcrossInstances(t *testing.T) {
	dsn, path := storetest.DSN(t)
	ctx := context.Background()
	stores := make([]*store.Store, 4)
	for i := range stores {
		st, err := store.Open(dsn, path, storetest.Logger(t))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		if i == 0 {
			if err := st.Migrate(ctx, storetest.Logger(t)); err != nil {
				t.Fatal(err)
			}
		}
		stores[i] = st
	}
	keys := make([][]byte, len(stores))
	errs := make([]error, len(stores))
	var wg sync.WaitGroup
	for i, st := range stores {
		wg.Go(func() {
			keys[i], errs[i] = st.KeyWith(ctx, "made", func() ([]byte, error) { return []byte{byte(i), 1, 2, 3}, nil })
		})
	}
	wg.Wait()
	for i := range stores {
		if errs[i] != nil {
			t.Fatalf("instance %d: %v", i, errs[i])
		}
		if len(keys[i]) != 4 || string(keys[i]) != string(keys[0]) {
			t.Fatalf("instances got keys %x: want one shared key", keys)
		}
	}
	called := false
	again, err := stores[1].KeyWith(ctx, "made", func() ([]byte, error) { called = true; return nil, nil })
	if err != nil || string(again) != string(keys[0]) || called {
		t.Fatalf("asking again: %x, %v, generated %v; want the stored key without generating", again, err, called)
	}
}
