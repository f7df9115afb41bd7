package push_test

import (
	"context"
	"slices"
	"strconv"
	"testing"
	"time"

	"policebooth/server/app"
	"policebooth/server/push"
	"policebooth/server/store/storetest"
)

func TestNotifyNoticeReachesTheResidentsOfItsAreaOnly(t *testing.T) {
	ctx := context.Background()
	st := storetest.Open(t)
	if err := st.LoadDemo(ctx, storetest.Logger(t)); err != nil {
		t.Fatal(err)
	}
	user := func(phone string) *app.User {
		u, err := st.FindUserByPhone(ctx, phone)
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	officer, residentA, residentB := user("13800000001"), user("13900000001"), user("13900000002")
	booths, err := st.ListBooths(ctx)
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
	if _, err := st.UpdateUser(ctx, residentB.ID, app.UserUpdate{HomeBoothID: &boothB}); err != nil {
		t.Fatal(err)
	}
	ps := newPushService(t)
	ps.Subscribe(t, st, residentA, "resident-a-phone", 0)
	ps.Subscribe(t, st, residentA, "resident-a-tablet", 0)
	ps.Subscribe(t, st, residentB, "resident-b-phone", 0)
	ps.Subscribe(t, st, officer, "officer-tablet", 0)

	title, body := "紧急：冒充公检法诈骗", "接到自称公安的电话要求转账，一律是诈骗。"
	kind, sev, urgent := app.NoticeAntiFraud, app.SeverityExtreme, true
	n, err := st.CreateNotice(ctx, app.Actor{ID: officer.ID}, app.NoticeDraft{Title: &title, Body: &body, Kind: &kind,
		Severity: &sev, Urgent: &urgent, BoothIDs: &[]int64{boothA}}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	vapid := loadVAPID(t, st)
	sender := push.NewSender(st, vapid, push.Options{Contact: contact, Client: ps.Client(push.Timeout), Log: storetest.Logger(t)})
	payload := push.NoticeAlert(n)
	sender.NotifyNotice(ctx, n, payload)
	sender.Wait()

	var devices []string
	for _, d := range ps.Taken() {
		devices = append(devices, d.Device)
		if d.Err != nil {
			t.Fatalf("%s: %v", d.Device, d.Err)
		}
		if string(d.Plaintext) != string(payload) || d.VAPIDKey != vapid.PublicKey() {
			t.Fatalf("%s decrypted %q signed by %s, want %q signed by %s", d.Device, d.Plaintext, d.VAPIDKey, payload, vapid.PublicKey())
		}
		if d.TTL != "43200" || d.Urgency != "high" {
			t.Fatalf("%s: TTL %q, Urgency %q; want 43200 (12 h), high", d.Device, d.TTL, d.Urgency)
		}
	}
	if want := []string{"resident-a-phone", "resident-a-tablet"}; !slices.Equal(devices, want) {
		t.Fatalf("pushed to %v, want %v: the residents of booth A only", devices, want)
	}
	if string(payload) != `{"type":"notice.published","id":"`+strconv.FormatInt(n.ID, 10)+`","title":"紧急：冒充公检法诈骗","lang":"zh-CN","severity":"extreme","url":"/notices/`+strconv.FormatInt(n.ID, 10)+`"}` {
		t.Fatalf("payload %s carries more than the notice's id, title and severity", payload)
	}
}
