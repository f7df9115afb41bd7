package jobs_test

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"policebooth/server/app"
	"policebooth/server/i18n"
	"policebooth/server/jobs"
	"policebooth/server/notify"
	"policebooth/server/push"
	"policebooth/server/push/pushtest"
	"policebooth/server/store"
	"policebooth/server/store/storetest"
)

// contact is the operator's address the tests' VAPID tokens name.
const contact = "https://booth.example"

// pushWorld is the demo station on a test clock, a fake push service and
// the outbox's sender delivering to it.
type pushWorld struct {
	st    *store.Store
	clock *storetest.Clock
	ps    *pushtest.Service
	users map[string]*app.User
}

func newPushWorld(t *testing.T) *pushWorld {
	t.Helper()
	ctx := context.Background()
	w := &pushWorld{st: storetest.Open(t), clock: storetest.NewClock(time.Now()), ps: pushtest.NewService(t, contact), users: map[string]*app.User{}}
	w.st.SetClock(w.clock.Now)
	if err := w.st.LoadDemo(ctx, storetest.Logger(t)); err != nil {
		t.Fatal(err)
	}
	for _, phone := range []string{"13800000000", "13800000001", "13800000002", "13900000001", "13900000002"} {
		u, err := w.st.FindUserByPhone(ctx, phone)
		if err != nil {
			t.Fatal(err)
		}
		w.users[phone] = u
	}
	return w
}

// sender returns an instance's send_messages job delivering to the fake
// push service.
func (w *pushWorld) sender(t *testing.T) *jobs.Sender {
	t.Helper()
	texts, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	p, err := push.Load(context.Background(), w.st, push.Options{Contact: contact, Client: w.ps.Client(push.Timeout), Log: storetest.Logger(t)})
	if err != nil {
		t.Fatal(err)
	}
	s, err := jobs.NewSender(w.st, notify.Log{Logger: storetest.Logger(t)}, p, texts, w.clock.Now, storetest.Logger(t), prometheus.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// pending counts the pushes waiting in the outbox, and those given up.
func (w *pushWorld) pending(t *testing.T) (pending, failed int64) {
	t.Helper()
	n, err := w.st.CountMessages(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n[app.ChannelPush][app.MessagePending], n[app.ChannelPush][app.MessageFailed]
}

func (w *pushWorld) run(t *testing.T, s *jobs.Sender) {
	t.Helper()
	if err := s.Run(context.Background(), w.clock.Now()); err != nil {
		t.Fatal(err)
	}
}

// delivered counts the deliveries the push service took, per device.
func delivered(ps *pushtest.Service) map[string]int {
	out := map[string]int{}
	for _, d := range ps.Taken() {
		if d.Err == nil && d.Status == http.StatusCreated {
			out[d.Device]++
		}
	}
	return out
}

func TestACallsPushIsQueuedWithTheCallAndDeliveredOnceToEachStaffDeviceWithRetries(t *testing.T) {
	w := newPushWorld(t)
	ctx := context.Background()
	head, officer, other, resident := w.users["13800000000"], w.users["13800000001"], w.users["13800000002"], w.users["13900000001"]
	w.ps.Subscribe(t, w.st, officer, "officer-tablet", 0)
	w.ps.Subscribe(t, w.st, officer, "officer-old-phone", http.StatusGone)
	w.ps.Subscribe(t, w.st, head, "head-desk", http.StatusInternalServerError)
	w.ps.Subscribe(t, w.st, other, "disabled-officer", 0)
	w.ps.Subscribe(t, w.st, resident, "resident-phone", 0)
	if err := w.st.SetDisabledByOperator(ctx, other.ID, true); err != nil {
		t.Fatal(err)
	}

	// At every commit, a call stored has its pushes stored with it.
	var mu sync.Mutex
	var seen [][2]int64
	w.st.OnCommit(func() {
		var calls, pushes int64
		w.st.DB().Table("assistance_calls").Count(&calls)
		w.st.DB().Table("outbox_messages").Where("channel = ?", app.ChannelPush).Count(&pushes)
		mu.Lock()
		seen = append(seen, [2]int64{calls, pushes})
		mu.Unlock()
	})
	call, err := w.st.CreateCall(ctx, app.NewCall{CallerID: resident.ID, Category: "medical"}, w.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	w.st.OnCommit(nil)
	if p, _ := w.pending(t); p != 3 {
		t.Fatalf("%d pushes queued with the call, want 3: the enabled staff's devices", p)
	}
	mu.Lock()
	for _, s := range seen {
		if s[0] > 0 && s[1] != 3 {
			t.Fatalf("a commit saw %d calls and %d pushes: the pushes were not written in the call's transaction", s[0], s[1])
		}
	}
	if len(seen) == 0 {
		t.Fatal("the call's commit was not seen")
	}
	mu.Unlock()
	// A call the store refuses (one is open) queues nothing.
	if _, err := w.st.CreateCall(ctx, app.NewCall{CallerID: resident.ID, Category: "crime"}, w.clock.Now()); app.ErrorCode(err) != app.ECONFLICT {
		t.Fatalf("a second open call: %v, want ECONFLICT", err)
	}
	if p, _ := w.pending(t); p != 3 {
		t.Fatalf("%d pushes queued after a refused call, want still 3", p)
	}
	if len(w.ps.Taken()) != 0 {
		t.Fatal("something was pushed before send_messages ran")
	}

	// Two instances run the job at once: each push goes once.
	a, b := w.sender(t), w.sender(t)
	var wg sync.WaitGroup
	for _, s := range []*jobs.Sender{a, b} {
		wg.Go(func() { w.run(t, s) })
	}
	wg.Wait()
	if got, want := delivered(w.ps), map[string]int{"officer-tablet": 1}; !mapsEqual(got, want) {
		t.Fatalf("after the first run the push service delivered %v, want %v", got, want)
	}
	if subs, _ := w.st.UserPushSubscriptions(ctx, officer.ID); len(subs) != 1 {
		t.Fatalf("after a 410 the officer has %d subscriptions, want 1", len(subs))
	}
	if p, _ := w.pending(t); p != 1 {
		t.Fatalf("%d pushes pending after the first run, want 1: the head's desk, to retry (the gone phone's went with it)", p)
	}

	// Not before its backoff; then once the push service is back.
	w.run(t, a)
	if n := len(w.ps.Taken()); n != 3 {
		t.Fatalf("the push service took %d messages, want 3: no retry before the backoff", n)
	}
	w.ps.Answer("head-desk", 0)
	w.clock.Advance(2 * time.Second)
	w.run(t, b)
	w.clock.Advance(time.Minute)
	w.run(t, a)
	if got, want := delivered(w.ps), map[string]int{"officer-tablet": 1, "head-desk": 1}; !mapsEqual(got, want) {
		t.Fatalf("after the retry the push service delivered %v, want %v", got, want)
	}
	if p, f := w.pending(t); p != 0 || f != 0 {
		t.Fatalf("%d pending and %d failed after every push went, want none", p, f)
	}
	var payload map[string]string
	for _, d := range w.ps.Taken() {
		if d.Device == "head-desk" && d.Status == http.StatusCreated {
			if err := json.Unmarshal(d.Plaintext, &payload); err != nil {
				t.Fatal(err)
			}
			if d.Urgency != "high" || d.Topic == "" {
				t.Fatalf("head's push: urgency %q, topic %q", d.Urgency, d.Topic)
			}
			if ttl, _ := strconv.Atoi(d.TTL); ttl <= 0 || ttl > 58 {
				t.Fatalf("the retried push has TTL %s, want what is left of the call's minute", d.TTL)
			}
		}
	}
	if id := strconv.FormatInt(call.ID, 10); payload["type"] != "assistance.created" || payload["id"] != id {
		t.Fatalf("head's push says %v, want assistance.created of %s", payload, id)
	}
}

func TestAPushThePushServiceKeepsRefusingIsGivenUpWhenItsTTLEnds(t *testing.T) {
	w := newPushWorld(t)
	ctx := context.Background()
	w.ps.Subscribe(t, w.st, w.users["13800000001"], "officer-tablet", http.StatusServiceUnavailable)
	if _, err := w.st.CreateCall(ctx, app.NewCall{CallerID: w.users["13900000001"].ID, Category: "other"}, w.clock.Now()); err != nil {
		t.Fatal(err)
	}
	s := w.sender(t)
	for range 4 {
		w.run(t, s)
		w.clock.Advance(20 * time.Second)
	}
	if p, f := w.pending(t); p != 0 || f != 1 {
		t.Fatalf("after a minute of refusals: %d pending, %d failed; want the push given up", p, f)
	}
	tries := len(w.ps.Taken())
	if tries < 3 {
		t.Fatalf("the push was tried %d times, want a retry each run", tries)
	}
	w.clock.Advance(time.Hour)
	w.run(t, s)
	if len(w.ps.Taken()) != tries {
		t.Fatal("a push given up was tried again")
	}
	// The heads' audit lists texts only: a device that was offline is no
	// undelivered text.
	failed, err := w.st.FailedMessages(ctx, *w.users["13800000000"].StationID, 10)
	if err != nil || len(failed) != 0 {
		t.Fatalf("failed texts %+v, %v: want none", failed, err)
	}
}

func TestAnUrgentNoticeIsPushedOnceToTheResidentsOfItsArea(t *testing.T) {
	w := newPushWorld(t)
	ctx := context.Background()
	officer, residentA, residentB := w.users["13800000001"], w.users["13900000001"], w.users["13900000002"]
	booths, err := w.st.ListBooths(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var boothA, boothB int64
	for _, b := range booths {
		if b.Name == "A" {
			boothA = b.ID
		} else {
			boothB = b.ID
		}
	}
	if _, err := w.st.UpdateUser(ctx, residentB.ID, app.UserUpdate{HomeBoothID: &boothB}); err != nil {
		t.Fatal(err)
	}
	w.ps.Subscribe(t, w.st, residentA, "resident-a-phone", 0)
	w.ps.Subscribe(t, w.st, residentA, "resident-a-tablet", 0)
	w.ps.Subscribe(t, w.st, residentB, "resident-b-phone", 0)
	w.ps.Subscribe(t, w.st, officer, "officer-tablet", 0)
	s := w.sender(t)

	actor := app.Actor{ID: officer.ID}
	title, body := "紧急：冒充公检法诈骗", "接到自称公安的电话要求转账，一律是诈骗。"
	kind, sev, urgent := app.NoticeAntiFraud, app.SeverityExtreme, true
	n, err := w.st.CreateNotice(ctx, actor, app.NoticeDraft{Title: &title, Body: &body, Kind: &kind,
		Severity: &sev, Urgent: &urgent, BoothIDs: &[]int64{boothA}}, w.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	w.run(t, s)
	if got, want := delivered(w.ps), map[string]int{"resident-a-phone": 1, "resident-a-tablet": 1}; !mapsEqual(got, want) {
		t.Fatalf("pushed %v, want %v: the residents of booth A only", got, want)
	}
	for _, d := range w.ps.Taken() {
		if ttl, _ := strconv.Atoi(d.TTL); ttl < 43100 || ttl > 43200 || string(d.Plaintext) != string(app.NoticeAlert(n).Payload) {
			t.Fatalf("%s: TTL %s, payload %s", d.Device, d.TTL, d.Plaintext)
		}
	}

	// A correction does not ring the phones again.
	corrected := title + "（更正）"
	if _, err := w.st.UpdateNotice(ctx, actor, n.ID, app.NoticeDraft{Title: &corrected}, w.clock.Now()); err != nil {
		t.Fatal(err)
	}
	// One written ahead goes when it is announced.
	starts := w.clock.Now().Add(time.Minute)
	ahead, err := w.st.CreateNotice(ctx, actor, app.NoticeDraft{Title: &title, Body: &body, Kind: &kind,
		Severity: &sev, Urgent: &urgent, StartsAt: &starts, BoothIDs: &[]int64{boothA}}, w.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	w.run(t, s)
	if p, _ := w.pending(t); p != 0 || len(w.ps.Taken()) != 2 {
		t.Fatalf("after a correction and a notice written ahead: %d pending, %d taken; want nothing more", p, len(w.ps.Taken()))
	}
	w.clock.Advance(2 * time.Minute)
	if _, err := w.st.AnnounceDue(ctx, w.clock.Now()); err != nil {
		t.Fatal(err)
	}
	w.run(t, s)
	if got, want := delivered(w.ps), map[string]int{"resident-a-phone": 2, "resident-a-tablet": 2}; !mapsEqual(got, want) {
		t.Fatalf("after the announcement pushed %v, want %v", got, want)
	}
	if !slices.ContainsFunc(w.ps.Taken(), func(d pushtest.Delivery) bool {
		return string(d.Plaintext) == string(app.NoticeAlert(ahead).Payload)
	}) {
		t.Fatal("no push of the notice written ahead")
	}
}

func mapsEqual(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}
