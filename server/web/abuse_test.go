package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"policebooth/server/app"
	"policebooth/server/auth"
	"policebooth/server/notify/notifytest"
	"policebooth/server/store"
)

// resident makes a resident account straight in the store, verified or
// not, and signs it in. Tests that need residents beyond the demo's use it
// (sign-up answers no tokens: a new resident verifies or signs in).
func (ts *testServer) resident(t *testing.T, phone, name, boothID string, verified bool) pair {
	t.Helper()
	hash, err := auth.HashPassword(store.DemoPassword)
	if err != nil {
		t.Fatal(err)
	}
	u := &app.User{Role: app.RoleResident, Phone: phone, Name: name, Language: app.LanguageChinese, PasswordHash: hash, PhoneVerified: verified}
	if boothID != "" {
		var id int64
		fmt.Sscan(boothID, &id)
		u.HomeBoothID = &id
	}
	if err := ts.store.CreateUser(context.Background(), u); err != nil {
		t.Fatal(err)
	}
	return ts.login(t, phone)
}

// verifiedResident is a resident who has proved their phone.
func (ts *testServer) verifiedResident(t *testing.T, phone, name, boothID string) pair {
	t.Helper()
	return ts.resident(t, phone, name, boothID, true)
}

// from is a header set that makes a request come from addr, through the
// loopback proxy the abuse tests trust.
func from(addr string, h map[string]string) map[string]string {
	out := map[string]string{"X-Forwarded-For": addr}
	for k, v := range h {
		out[k] = v
	}
	return out
}

var behindProxy = map[string]string{"POLICEBOOTH_TRUSTED_PROXIES": "127.0.0.1/32,::1/128"}

func TestAnUnverifiedResidentReadsButCannotAct(t *testing.T) {
	ts := newTestServer(t, nil)
	ts.demo(t)
	var booths struct{ Items []struct{ ID string } }
	ts.api(t, "GET", "/api/v1/booths", "", nil, &booths)
	p := ts.resident(t, "13911110000", "未验证", booths.Items[0].ID, false)
	bearer := map[string]string{"Authorization": "Bearer " + p.AccessToken}

	if resp := ts.api(t, "GET", "/api/v1/me", p.AccessToken, nil, nil); resp.StatusCode != 200 {
		t.Errorf("reading their own account: %d", resp.StatusCode)
	}
	writes := []struct{ method, path, body string }{
		{"POST", "/api/v1/assistance-calls", `{"category":"other"}`},
		{"POST", "/api/v1/service-requests", `{"services":["passport_renewal"]}`},
		{"PATCH", "/api/v1/me", `{"name":"别人"}`},
		{"POST", "/api/v1/service-requests/1/family", `{"phone":"13900000002"}`},
	}
	for _, w := range writes {
		resp, body := ts.do(t, w.method, w.path, w.body, bearer)
		if resp.StatusCode != 403 || apiErrorCode(t, body) != "phone_unverified" || !strings.Contains(body, "110") {
			t.Errorf("%s %s unverified: %d %s, want 403 phone_unverified naming 110", w.method, w.path, resp.StatusCode, body)
		}
	}
	resp, body := ts.do(t, "GET", "/help", "", bearer)
	if resp.StatusCode != 403 || !strings.Contains(body, `href="/verify"`) || !strings.Contains(body, `href="tel:110"`) {
		t.Errorf("the help page unverified: %d, want the verify step and 110", resp.StatusCode)
	}
	if n, _ := ts.store.CountOpenRequests(context.Background()); n != 0 {
		t.Errorf("%d requests stored", n)
	}

	if err := ts.store.MarkPhoneVerified(context.Background(), idOf(t, p.User.ID)); err != nil {
		t.Fatal(err)
	}
	time.Sleep(3100 * time.Millisecond) // the session cache
	if resp := ts.api(t, "POST", "/api/v1/assistance-calls", p.AccessToken, map[string]string{"category": "other"}, nil); resp.StatusCode != 201 {
		t.Errorf("a call once verified: %d, want 201", resp.StatusCode)
	}
}

func idOf(t *testing.T, s string) int64 {
	t.Helper()
	var id int64
	if _, err := fmt.Sscan(s, &id); err != nil {
		t.Fatal(err)
	}
	return id
}

func TestOpenRequestsPerResidentAreBounded(t *testing.T) {
	ts := newTestServer(t, map[string]string{"POLICEBOOTH_MAX_OPEN_REQUESTS": "2"})
	ts.demo(t)
	token := ts.login(t, "13900000001").AccessToken
	for i := range 2 {
		if resp := ts.api(t, "POST", "/api/v1/service-requests", token, map[string]any{"services": []string{"other"}, "fields": map[string]any{"other": map[string]string{"subject": "咨询"}}}, nil); resp.StatusCode != 201 {
			t.Fatalf("request %d: %d", i+1, resp.StatusCode)
		}
	}
	resp, body := ts.do(t, "POST", "/api/v1/service-requests", `{"services":["other"],"fields":{"other":{"subject":"咨询"}}}`, map[string]string{"Authorization": "Bearer " + token})
	if resp.StatusCode != 409 || apiErrorCode(t, body) != "conflict" {
		t.Errorf("a third open request: %d %s, want 409", resp.StatusCode, body)
	}
	// Another resident is not held back by it.
	if resp := ts.api(t, "POST", "/api/v1/service-requests", ts.login(t, "13900000002").AccessToken, map[string]any{"services": []string{"other"}, "fields": map[string]any{"other": map[string]string{"subject": "咨询"}}}, nil); resp.StatusCode != 201 {
		t.Errorf("another resident: %d", resp.StatusCode)
	}
}

func TestAFullHashingPoolAnswers503WithRetryAfter(t *testing.T) {
	env := map[string]string{"POLICEBOOTH_HASHING_MEMORY_MIB": "64"}
	for k, v := range behindProxy {
		env[k] = v
	}
	ts := newTestServer(t, env)
	var mu sync.Mutex
	statuses := map[int]int{}
	retry := true
	var wg sync.WaitGroup
	for i := range 80 {
		wg.Go(func() {
			body := fmt.Sprintf(`{"phone":"1390000%04d","password":"whatever-1"}`, i)
			resp, _ := ts.do(t, "POST", "/api/v1/auth/login", body, from(fmt.Sprintf("10.0.%d.1", i%20), nil))
			mu.Lock()
			defer mu.Unlock()
			statuses[resp.StatusCode]++
			if resp.StatusCode == 503 && resp.Header.Get("Retry-After") == "" {
				retry = false
			}
		})
	}
	wg.Wait()
	if statuses[503] == 0 || statuses[401] == 0 || statuses[401]+statuses[503] != 80 || !retry {
		t.Errorf("80 sign-ins at once through a pool of one hash: %v (Retry-After on every 503: %v), want some 401 and some 503", statuses, retry)
	}
}

func TestStreamsAreCappedPerPersonAndPerAddress(t *testing.T) {
	ts := newTestServer(t, map[string]string{"POLICEBOOTH_STREAMS_PER_USER": "2", "POLICEBOOTH_STREAMS_PER_ADDRESS": "3"})
	ts.demo(t)
	resident := ts.login(t, "13900000001").AccessToken
	first := ts.stream(t, resident, "")
	ts.stream(t, resident, "")
	ts.stream(t, resident, "") // the third closes the first: moving between pages never meets a refusal
	select {
	case <-first.closed:
	case <-time.After(5 * time.Second):
		t.Fatal("the oldest stream stayed open past the per-person cap")
	}
	ts.stream(t, ts.login(t, "13800000001").AccessToken, "") // the address's third
	req, _ := http.NewRequest("GET", ts.URL+"/api/v1/events", nil)
	req.Header.Set("Authorization", "Bearer "+ts.login(t, "13800000002").AccessToken)
	resp, err := ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 429 {
		t.Errorf("a fourth stream from the address: %d, want 429", resp.StatusCode)
	}
}

func TestSignUpAnswersAlikeForEveryNumber(t *testing.T) {
	sms := notifytest.NewGateway(t)
	ts := newTestServer(t, map[string]string{"POLICEBOOTH_NOTIFY_WEBHOOK": sms.URL})
	ts.demo(t)
	for _, phone := range []string{"13800000001", "13900000001", "13912121212"} {
		resp, body := ts.do(t, "POST", "/api/v1/auth/register", fmt.Sprintf(`{"phone":%q,"password":"garden-path-7","name":"某人","privacy_version":"2026-12"}`, phone), nil)
		if resp.StatusCode != 202 || strings.TrimSpace(body) != `{"status":"code_sent"}` {
			t.Errorf("sign-up with %s: %d %s, want 202 code_sent", phone, resp.StatusCode, body)
		}
	}
	if m := sms.WaitMessages(t, "13800000001", 1); len(m) != 1 || !strings.Contains(m[0], "注册") {
		t.Errorf("the officer who owns the number was texted %q, want that someone tried", m)
	}
	if u, _ := ts.store.FindUserByPhone(context.Background(), "13800000001"); u.Role != app.RoleOfficer || u.Name == "某人" {
		t.Errorf("the officer's account changed: %+v", u)
	}
	if m := sms.WaitMessages(t, "13912121212", 1); len(m) != 1 || len(sms.Code(t, "13912121212")) != 6 {
		t.Errorf("the new number was texted %q, want its code", m)
	}
}

func TestResetCodesAreThrottledAlikeForEveryNumber(t *testing.T) {
	ts := newTestServer(t, nil)
	ts.demo(t)
	for _, phone := range []string{"13900000001", "13955555555"} {
		var got []int
		for range 6 {
			resp, _ := ts.do(t, "POST", "/api/v1/auth/codes", fmt.Sprintf(`{"phone":%q,"purpose":"reset"}`, phone), nil)
			got = append(got, resp.StatusCode)
		}
		if fmt.Sprint(got) != "[202 202 202 202 202 429]" {
			t.Errorf("six reset codes for %s: %v, want five 202 then 429", phone, got)
		}
	}
}

func TestWrongPasswordsElsewhereDoNotLockTheOwnerOut(t *testing.T) {
	ts := newTestServer(t, behindProxy)
	ts.demo(t)
	wrong := `{"phone":"13800000001","password":"not-the-password-1"}`
	right := `{"phone":"13800000001","password":"` + store.DemoPassword + `"}`
	for range 5 {
		ts.do(t, "POST", "/api/v1/auth/login", wrong, from("203.0.113.9", nil))
	}
	if resp, _ := ts.do(t, "POST", "/api/v1/auth/login", right, from("203.0.113.9", nil)); resp.StatusCode != 429 {
		t.Errorf("the attacker's address after 5 wrong tries: %d, want 429", resp.StatusCode)
	}
	if resp, _ := ts.do(t, "POST", "/api/v1/auth/login", right, from("198.51.100.7", nil)); resp.StatusCode != 200 {
		t.Errorf("the officer from the booth: %d, want 200", resp.StatusCode)
	}
	// IPv6 is counted per /64: another address of the same /64 is the same
	// client, one of another /64 is not.
	for i := range 5 {
		ts.do(t, "POST", "/api/v1/auth/login", wrong, from(fmt.Sprintf("2001:db8:1:2::%x", i+1), nil))
	}
	if resp, _ := ts.do(t, "POST", "/api/v1/auth/login", wrong, from("2001:db8:1:2:ffff::1", nil)); resp.StatusCode != 429 {
		t.Errorf("the same /64: %d, want 429", resp.StatusCode)
	}
	if resp, _ := ts.do(t, "POST", "/api/v1/auth/login", wrong, from("2001:db8:1:3::1", nil)); resp.StatusCode != 401 {
		t.Errorf("another /64: %d, want 401", resp.StatusCode)
	}
}

func TestManyAddressesSlowAPhoneDownButNeverLockIt(t *testing.T) {
	if testing.Short() {
		t.Skip("21 password checks and a 2 s delay")
	}
	ts := newTestServer(t, behindProxy)
	ts.demo(t)
	wrong := `{"phone":"13900000002","password":"not-the-password-1"}`
	for i := range 20 {
		if resp, _ := ts.do(t, "POST", "/api/v1/auth/login", wrong, from(fmt.Sprintf("192.0.2.%d", i+1), nil)); resp.StatusCode != 401 {
			t.Fatalf("wrong try %d: %d", i+1, resp.StatusCode)
		}
	}
	start := time.Now()
	resp, _ := ts.do(t, "POST", "/api/v1/auth/login", `{"phone":"13900000002","password":"`+store.DemoPassword+`"}`, from("198.51.100.7", nil))
	if took := time.Since(start); resp.StatusCode != 200 || took < 2*time.Second {
		t.Errorf("the owner after 20 wrong tries from 20 addresses: %d in %v, want 200 after a delay", resp.StatusCode, took)
	}
}

func TestCodeTriesAreCountedAcrossCodes(t *testing.T) {
	sms := notifytest.NewGateway(t)
	ts := newTestServer(t, map[string]string{"POLICEBOOTH_NOTIFY_WEBHOOK": sms.URL})
	ts.demo(t)
	guess := func() int {
		resp, _ := ts.do(t, "POST", "/api/v1/auth/reset", `{"phone":"13900000001","code":"000000","password":"new-secret-22"}`, nil)
		return resp.StatusCode
	}
	ts.do(t, "POST", "/api/v1/auth/codes", `{"phone":"13900000001","purpose":"reset"}`, nil)
	for range 5 {
		guess()
	}
	ts.do(t, "POST", "/api/v1/auth/codes", `{"phone":"13900000001","purpose":"reset"}`, nil) // a new code
	for i := range 5 {
		if st := guess(); st != 400 {
			t.Fatalf("wrong try %d with the new code: %d", i+6, st)
		}
	}
	if st := guess(); st != 429 {
		t.Errorf("the 11th wrong try across two codes: %d, want 429", st)
	}
	code := sms.Code(t, "13900000001")
	if resp, _ := ts.do(t, "POST", "/api/v1/auth/reset", `{"phone":"13900000001","code":"`+code+`","password":"new-secret-22"}`, nil); resp.StatusCode != 429 {
		t.Errorf("even the right code within the hour: %d, want 429", resp.StatusCode)
	}
}

func TestTextCapsHoldBackCodesButNeverACall(t *testing.T) {
	sms := notifytest.NewGateway(t)
	ts := newTestServer(t, map[string]string{"POLICEBOOTH_NOTIFY_WEBHOOK": sms.URL,
		"POLICEBOOTH_TEXTS_PER_PHONE_DAILY": "2", "POLICEBOOTH_TEXTS_HOURLY_BUDGET": "3"})
	ts.demo(t)
	var got []int
	for range 3 {
		resp, _ := ts.do(t, "POST", "/api/v1/auth/codes", `{"phone":"13900000001","purpose":"reset"}`, nil)
		got = append(got, resp.StatusCode)
	}
	if fmt.Sprint(got) != "[202 202 429]" || len(sms.WaitMessages(t, "13900000001", 2)) != 2 {
		t.Errorf("three codes to one number a day with a cap of 2: %v, %d texts", got, len(sms.Messages("13900000001")))
	}
	ts.do(t, "POST", "/api/v1/auth/codes", `{"phone":"13900000002","purpose":"reset"}`, nil) // the budget's third
	ts.do(t, "POST", "/api/v1/auth/codes", `{"phone":"13800000001","purpose":"reset"}`, nil) // over it
	if m := sms.Messages("13800000001"); len(m) != 0 {
		t.Errorf("a code past the hourly budget was sent: %q", m)
	}
	_, metrics := ts.do(t, "GET", "/metrics", "", nil)
	if !strings.Contains(metrics, "policebooth_text_budget_near 1") || !strings.Contains(metrics, "policebooth_texts_capped_this_hour 3") {
		t.Errorf("metrics do not show the budget spent:\n%s", grepLines(metrics, "policebooth_text"))
	}
	// Nobody is on duty: a call escalates at once and the head is texted,
	// budget or not.
	if resp := ts.api(t, "POST", "/api/v1/assistance-calls", ts.login(t, "13900000002").AccessToken, map[string]string{"category": "medical"}, nil); resp.StatusCode != 201 {
		t.Fatalf("call: %d", resp.StatusCode)
	}
	deadline := time.Now().Add(5 * time.Second)
	for len(sms.Messages("13800000000")) == 0 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if len(sms.Messages("13800000000")) == 0 {
		t.Error("the head was not texted about the call past the text budget")
	}
}

func grepLines(s, sub string) string {
	var out []string
	for l := range strings.Lines(s) {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "")
}

func TestSmallerBoundsOnAnswersAndBodies(t *testing.T) {
	ts := newTestServer(t, nil)
	ts.demo(t)
	resident := ts.login(t, "13900000001").AccessToken
	head := ts.login(t, "13800000000").AccessToken
	resp := ts.api(t, "GET", "/api/v1/me", resident, nil, nil)
	if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("GET /me Cache-Control %q, want no-store", cc)
	}
	for _, at := range []string{"0001-01-01T00:00:00Z", time.Now().Add(time.Hour).Format(time.RFC3339)} {
		resp, body := ts.do(t, "POST", "/api/v1/assistance-calls", `{"category":"other","written_at":"`+at+`"}`, map[string]string{"Authorization": "Bearer " + resident})
		if resp.StatusCode != 400 {
			t.Errorf("a call written at %s: %d %s, want 400", at, resp.StatusCode, body)
		}
	}
	ids := make([]string, 70000)
	for i := range ids {
		ids[i] = `"1"`
	}
	resp, body := ts.do(t, "POST", "/api/v1/notices", `{"title":"t","body":"b","kind":"safety","severity":"minor","booth_ids":[`+strings.Join(ids, ",")+`]}`, map[string]string{"Authorization": "Bearer " + head})
	if resp.StatusCode != 400 {
		t.Errorf("a notice with 70,000 booth_ids: %d %.200s, want 400", resp.StatusCode, body)
	}
}

func TestRedirectTargetsStayOnTheSite(t *testing.T) {
	ts := newTestServer(t, nil)
	ts.demo(t)
	form := map[string]string{"Content-Type": "application/x-www-form-urlencoded"}
	for _, next := range []string{"/\t/evil.example", "/\\evil.example", "/\r\n/evil.example", "//evil.example", "/%09/evil.example/../x"} {
		body := "phone=13900000001&password=" + url.QueryEscape(store.DemoPassword) + "&next=" + url.QueryEscape(next)
		resp, _ := ts.doNoRedirect(t, "POST", "/login", body, form)
		if loc := resp.Header.Get("Location"); loc != "/" && !strings.HasPrefix(loc, "/%09") {
			t.Errorf("sign-in with next=%q goes to %q, want /", next, loc)
		}
		cookie := ""
		for _, c := range resp.Cookies() {
			cookie += c.Name + "=" + c.Value + "; "
		}
		h := map[string]string{"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie}
		resp, _ = ts.doNoRedirect(t, "POST", "/elder", "elder=1&next="+url.QueryEscape(next), h)
		if loc := resp.Header.Get("Location"); loc != "/" && !strings.HasPrefix(loc, "/%09") {
			t.Errorf("/elder with next=%q goes to %q, want /", next, loc)
		}
	}
}

func TestEndingASessionClearsTheSiteAndCallsLeaveWithTheShift(t *testing.T) {
	ts := newTestServer(t, nil)
	ts.demo(t)
	resp, _ := ts.doNoRedirect(t, "GET", "/", "", map[string]string{"Cookie": "pb_refresh=spent-or-forged"})
	if resp.Header.Get("Clear-Site-Data") == "" {
		t.Error("a failed silent refresh cleared the cookies without Clear-Site-Data")
	}
	officer := ts.login(t, "13800000001").AccessToken
	resident := ts.login(t, "13900000001").AccessToken
	var call struct{ ID string }
	ts.api(t, "POST", "/api/v1/assistance-calls", resident, map[string]string{"category": "other"}, &call)
	bearer := map[string]string{"Authorization": "Bearer " + officer}
	if resp, _ := ts.do(t, "GET", "/calls/"+call.ID, "", bearer); resp.Header.Get("X-Booth-Offline") != "no" {
		t.Error("an off-duty officer's call page may be kept offline")
	}
	if resp, _ := ts.do(t, "GET", "/shift", "", bearer); resp.Header.Get("X-Booth-Forget") != "/calls/" {
		t.Error("the off-duty shift page does not tell the tablet to forget calls")
	}
	var booths struct{ Items []struct{ ID string } }
	ts.api(t, "GET", "/api/v1/booths", "", nil, &booths)
	ts.api(t, "POST", "/api/v1/shifts/clock-in", officer, map[string]string{"booth_id": booths.Items[0].ID}, nil)
	if resp, _ := ts.do(t, "GET", "/calls/"+call.ID, "", bearer); resp.StatusCode != 200 || resp.Header.Get("X-Booth-Offline") != "" {
		t.Errorf("an on-duty officer's call page: %d %q, want it kept", resp.StatusCode, resp.Header.Get("X-Booth-Offline"))
	}
}

// The care register and fraud reports are resident writes like any other:
// an account that has not proved its phone can neither enrol, leave (an
// officer may have enrolled the real owner of the number), report fraud
// nor send the forms, and nothing is stored or removed.
func TestCareAndFraudWritesNeedAVerifiedPhone(t *testing.T) {
	ts := newTestServer(t, nil)
	ts.demo(t)
	ctx := context.Background()
	var booths struct {
		Items []struct {
			ID        string
			StationID string `json:"station_id"`
		}
	}
	ts.api(t, "GET", "/api/v1/booths", "", nil, &booths)
	p := ts.resident(t, "13911110001", "未验证", booths.Items[0].ID, false)
	e, err := ts.store.Enrol(ctx, app.NewEnrolment{ResidentID: idOf(t, p.User.ID), EnrolledBy: idOf(t, p.User.ID), ByStaff: true, ConsentBy: "resident",
		Reasons: []string{"elderly"}, Cadence: "weekly"}, idOf(t, booths.Items[0].StationID), ts.store.Now())
	if err != nil {
		t.Fatal(err)
	}
	bearer := map[string]string{"Authorization": "Bearer " + p.AccessToken}
	form := map[string]string{"Authorization": "Bearer " + p.AccessToken, "Content-Type": "application/x-www-form-urlencoded"}
	writes := []struct {
		method, path, body string
		header             map[string]string
	}{
		{"POST", "/api/v1/care-enrolments", `{"reasons":["elderly"],"cadence":"weekly"}`, bearer},
		{"DELETE", fmt.Sprintf("/api/v1/care-enrolments/%d", e.ID), "", bearer},
		{"POST", "/api/v1/fraud-reports", `{"kind":"phone","value":"17012345678","description":"冒充客服"}`, bearer},
		{"POST", "/care", "reasons=elderly&cadence=weekly", form},
		{"POST", "/care/leave", "", form},
		{"POST", "/fraud", "kind=phone&value=17012345678&description=x", form},
	}
	for _, w := range writes {
		resp, body := ts.doNoRedirect(t, w.method, w.path, w.body, w.header)
		if resp.StatusCode != 403 {
			t.Errorf("%s %s unverified: %d %.200s, want 403", w.method, w.path, resp.StatusCode, body)
			continue
		}
		if strings.HasPrefix(w.path, "/api/") && apiErrorCode(t, body) != "phone_unverified" {
			t.Errorf("%s %s unverified: %s, want phone_unverified", w.method, w.path, body)
		}
	}
	if list, err := ts.store.ListEnrolments(ctx, store.CareScope{ResidentID: idOf(t, p.User.ID)}, 0); err != nil || len(list) != 1 {
		t.Errorf("the enrolment after the refused writes: %+v %v, want the officer's one, still on", list, err)
	}
	if list, err := ts.store.ListFraudReports(ctx, store.FraudScope{ReporterID: idOf(t, p.User.ID)}, 10); err != nil || len(list) != 0 {
		t.Errorf("%d fraud reports stored (%v)", len(list), err)
	}
}
