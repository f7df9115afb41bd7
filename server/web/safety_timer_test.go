package web_test

import (
	"strings"
	"testing"
	"time"

	"policebooth/server/notify/notifytest"
	"policebooth/server/store/storetest"
)

// Two instances, each sweeping safety timers every second, on one
// database and one clock: a one-minute timer not checked in raises exactly
// one call once its 30-second alert has passed; a checked-in one none.
func TestSafetyTimerRaisesOneCallAcrossTwoInstances(t *testing.T) {
	dsn, path := storetest.DSN(t)
	env := map[string]string{}
	if dsn != "" {
		env["DATABASE_URL"] = dsn
	}
	clock := storetest.NewClock(time.Now())
	var instances []*testServer
	for range 2 {
		st := storetest.OpenAt(t, dsn, path)
		st.SetClock(clock.Now)
		instances = append(instances, newTestServerOn(t, st, env))
	}
	a, b := instances[0], instances[1]
	a.demo(t)
	forgot := a.login(t, "13900000001").AccessToken
	safe := b.login(t, "13900000002").AccessToken

	var timer, other struct{ ID, Status string }
	if resp := a.api(t, "POST", "/api/v1/safety-timers", forgot, map[string]any{"minutes": 1, "note": "见网友", "lat": 39.97, "lng": 116.31, "accuracy_m": 20}, &timer); resp.StatusCode != 201 {
		t.Fatalf("start a timer: %d", resp.StatusCode)
	}
	if resp := a.api(t, "POST", "/api/v1/safety-timers", forgot, map[string]any{"minutes": 5}, nil); resp.StatusCode != 409 {
		t.Errorf("a second timer: %d, want 409", resp.StatusCode)
	}
	if resp := b.api(t, "POST", "/api/v1/safety-timers", safe, map[string]any{"minutes": 1}, &other); resp.StatusCode != 201 {
		t.Fatalf("start the other timer: %d", resp.StatusCode)
	}
	if resp := a.api(t, "POST", "/api/v1/safety-timers/"+timer.ID+"/check-in", safe, nil, nil); resp.StatusCode != 404 {
		t.Errorf("checking in another resident's timer: %d, want 404", resp.StatusCode)
	}
	clock.Advance(50 * time.Second)
	if resp := a.api(t, "POST", "/api/v1/safety-timers/"+other.ID+"/check-in", safe, nil, &other); resp.StatusCode != 200 || other.Status != "checked_in" {
		t.Fatalf("check in: %d %+v", resp.StatusCode, other)
	}

	db := a.store.DB()
	calls := func(phone string) int {
		var n int
		db.Raw("SELECT count(*) FROM assistance_calls c JOIN users u ON u.id = c.caller_id WHERE u.phone = ?", phone).Scan(&n)
		return n
	}
	// In the alert: nothing yet.
	clock.Advance(20 * time.Second) // 70 s and the real seconds the test took: past 60 s, before 90 s
	time.Sleep(2500 * time.Millisecond)
	if n := calls("13900000001"); n != 0 {
		t.Fatalf("%d calls during the 30-second alert", n)
	}
	clock.Advance(25 * time.Second) // past 95 s
	deadline := time.Now().Add(10 * time.Second)
	for calls("13900000001") == 0 && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	time.Sleep(2500 * time.Millisecond) // both sweeps have ticked again
	if n := calls("13900000001"); n != 1 {
		t.Fatalf("%d calls raised by the timer, want exactly 1", n)
	}
	if n := calls("13900000002"); n != 0 {
		t.Fatalf("%d calls for the checked-in timer", n)
	}
	var list struct {
		Items []struct {
			Message string
			Lat     float64
		}
	}
	a.api(t, "GET", "/api/v1/assistance-calls", forgot, nil, &list)
	if len(list.Items) != 1 || !strings.Contains(list.Items[0].Message, "见网友") || list.Items[0].Lat != 39.97 {
		t.Fatalf("the raised call: %+v", list.Items)
	}
	if resp := a.api(t, "POST", "/api/v1/safety-timers/"+timer.ID+"/check-in", forgot, nil, nil); resp.StatusCode != 409 {
		t.Errorf("checking in after the call was raised: %d, want 409", resp.StatusCode)
	}
}

// Emergency contacts hear who called and which booth responds, never where.
func TestEmergencyContactsAreTold(t *testing.T) {
	sms := notifytest.NewGateway(t)
	ts := newTestServer(t, map[string]string{"POLICEBOOTH_NOTIFY_WEBHOOK": sms.URL})
	ts.demo(t)
	resident := ts.login(t, "13900000001").AccessToken
	profile := map[string]any{"emergency_contacts": []map[string]string{{"name": "王强", "phone": "13900000099", "relation": "儿子"}}, "notify_contacts": true}
	if resp := ts.api(t, "PUT", "/api/v1/me/safety-profile", resident, profile, nil); resp.StatusCode != 200 {
		t.Fatalf("profile: %d", resp.StatusCode)
	}
	var call struct{ ID string }
	ts.api(t, "POST", "/api/v1/assistance-calls", resident, map[string]any{"category": "medical", "lat": 39.9612, "lng": 116.3012, "accuracy_m": 9}, &call)
	wait := func(n int) []string {
		deadline := time.Now().Add(5 * time.Second)
		for len(sms.Messages("13900000099")) < n && time.Now().Before(deadline) {
			time.Sleep(50 * time.Millisecond)
		}
		return sms.Messages("13900000099")
	}
	got := wait(1)
	if len(got) != 1 || !strings.Contains(got[0], "求助") || !strings.Contains(got[0], "A") {
		t.Fatalf("the contact's texts: %q", got)
	}
	ts.api(t, "POST", "/api/v1/assistance-calls/"+call.ID+"/transitions", resident, map[string]string{"to": "cancelled"}, nil)
	got = wait(2)
	if len(got) != 2 || !strings.Contains(got[1], "取消") {
		t.Fatalf("the contact's texts after cancelling: %q", got)
	}
	for _, text := range got {
		if strings.Contains(text, "39.96") || strings.Contains(text, "116.30") {
			t.Errorf("a contact's text holds the location: %q", text)
		}
	}
	// Without notify_contacts nobody is texted.
	ts.api(t, "PUT", "/api/v1/me/safety-profile", resident, map[string]any{"emergency_contacts": profile["emergency_contacts"]}, nil)
	ts.api(t, "POST", "/api/v1/assistance-calls", resident, map[string]any{"category": "other"}, nil)
	time.Sleep(time.Second)
	if n := len(sms.Messages("13900000099")); n != 2 {
		t.Errorf("%d texts with notify_contacts off, want still 2", n)
	}
}
