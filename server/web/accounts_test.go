package web_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"policebooth/server/app"
	"policebooth/server/notify/notifytest"
	"policebooth/server/store"
	"policebooth/server/store/storetest"
)

// api sends a JSON request with an optional bearer token and decodes the
// answer into out (when not nil).
func (ts *testServer) api(t *testing.T, method, path, token string, body any, out any) *http.Response {
	t.Helper()
	var raw string
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		raw = string(b)
	}
	h := map[string]string{}
	if token != "" {
		h["Authorization"] = "Bearer " + token
	}
	resp, text := ts.do(t, method, path, raw, h)
	if out != nil {
		if err := json.Unmarshal([]byte(text), out); err != nil {
			t.Fatalf("%s %s: %d %q: %v", method, path, resp.StatusCode, text, err)
		}
	}
	return resp
}

type pair struct {
	User struct {
		ID, Phone, Role, Name string
		PhoneVerified         bool `json:"phone_verified"`
	} `json:"user"`
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
	ExpiresIn    int    `json:"expires_in"`
}

func (ts *testServer) login(t *testing.T, phone string) pair {
	t.Helper()
	var p pair
	if resp := ts.api(t, "POST", "/api/v1/auth/login", "", map[string]string{"phone": phone, "password": store.DemoPassword}, &p); resp.StatusCode != 200 {
		t.Fatalf("login %s: %d", phone, resp.StatusCode)
	}
	return p
}

func TestResidentSignsUpVerifiesAndSignsIn(t *testing.T) {
	sms := notifytest.NewGateway(t)
	ts := newTestServer(t, map[string]string{"POLICEBOOTH_NOTIFY_WEBHOOK": sms.URL})
	ts.demo(t)

	var sent map[string]string
	resp := ts.api(t, "POST", "/api/v1/auth/register", "", map[string]any{
		"phone": "+86 139-1234-5678", "password": "garden-path-7", "name": "张桂兰", "lat": 39.96, "lng": 116.30, "privacy_version": app.PrivacyVersion,
	}, &sent)
	if resp.StatusCode != 202 || len(sent) != 1 || sent["status"] != "code_sent" {
		t.Fatalf("register: %d %+v", resp.StatusCode, sent)
	}
	// A second sign-up with the number answers alike; its owner is texted.
	var again202 map[string]string
	if resp := ts.api(t, "POST", "/api/v1/auth/register", "", map[string]any{"phone": "13912345678", "password": "another-pass-1", "name": "x", "privacy_version": app.PrivacyVersion}, &again202); resp.StatusCode != 202 || again202["status"] != "code_sent" {
		t.Errorf("second sign-up with the phone: %d %v, want 202 code_sent", resp.StatusCode, again202)
	}
	if msgs := sms.WaitMessages(t, "13912345678", 2); len(msgs) != 2 || !strings.Contains(msgs[1], "注册") {
		t.Errorf("texts to the owner: %q, want the code and a note that someone tried", msgs)
	}

	if resp := ts.api(t, "POST", "/api/v1/auth/verify", "", map[string]string{"phone": "13912345678", "code": "000000"}, nil); resp.StatusCode != 400 {
		t.Errorf("a wrong code: %d, want 400", resp.StatusCode)
	}
	var p pair
	code := regexp.MustCompile(`\d{6}`).FindString(sms.Messages("13912345678")[0])
	resp = ts.api(t, "POST", "/api/v1/auth/verify", "", map[string]string{"phone": "13912345678", "code": code}, &p)
	if resp.StatusCode != 200 || p.AccessToken == "" || p.RefreshToken == "" || p.ExpiresIn != 900 || p.User.Phone != "13912345678" || p.User.Role != "resident" || !p.User.PhoneVerified {
		t.Fatalf("verify with the texted code: %d %+v", resp.StatusCode, p)
	}
	var me struct {
		HomeBoothID string `json:"home_booth_id"`
		Language    string
	}
	ts.api(t, "GET", "/api/v1/me", p.AccessToken, nil, &me)
	if me.HomeBoothID == "" || me.Language != "zh-CN" {
		t.Errorf("me after sign-up: %+v (want the nearest booth and Chinese)", me)
	}

	var e struct {
		Error struct{ Code, Message string }
	}
	resp = ts.api(t, "POST", "/api/v1/auth/login", "", map[string]string{"phone": "13912345678", "password": "wrong-password-1"}, &e)
	if resp.StatusCode != 401 || e.Error.Code != "unauthenticated" || e.Error.Message != "wrong phone number or password" {
		t.Errorf("wrong password: %d %+v", resp.StatusCode, e)
	}
	var again pair
	if resp := ts.api(t, "POST", "/api/v1/auth/login", "", map[string]string{"phone": "139 1234 5678", "password": "garden-path-7"}, &again); resp.StatusCode != 200 || !again.User.PhoneVerified {
		t.Fatalf("sign-in: %d %+v", resp.StatusCode, again)
	}
}

func TestForgottenPasswordIsResetByCode(t *testing.T) {
	sms := notifytest.NewGateway(t)
	ts := newTestServer(t, map[string]string{"POLICEBOOTH_NOTIFY_WEBHOOK": sms.URL})
	ts.demo(t)
	old := ts.login(t, "13900000001")
	if resp := ts.api(t, "POST", "/api/v1/auth/codes", "", map[string]string{"phone": "13900000001", "purpose": "reset"}, nil); resp.StatusCode != 202 {
		t.Fatalf("codes: %d", resp.StatusCode)
	}
	// An unknown number gets the same answer, so nobody learns who has an account.
	if resp := ts.api(t, "POST", "/api/v1/auth/codes", "", map[string]string{"phone": "13955555555", "purpose": "reset"}, nil); resp.StatusCode != 202 {
		t.Fatalf("codes for an unknown number: %d", resp.StatusCode)
	}
	code := sms.Code(t, "13900000001")
	if resp := ts.api(t, "POST", "/api/v1/auth/reset", "", map[string]string{"phone": "13900000001", "code": code, "password": "new-secret-22"}, nil); resp.StatusCode != 200 {
		t.Fatalf("reset: %d", resp.StatusCode)
	}
	if resp := ts.api(t, "POST", "/api/v1/auth/reset", "", map[string]string{"phone": "13900000001", "code": code, "password": "again-secret-3"}, nil); resp.StatusCode != 400 {
		t.Errorf("the code used twice: %d, want 400", resp.StatusCode)
	}
	if resp := ts.api(t, "GET", "/api/v1/me", old.AccessToken, nil, nil); resp.StatusCode != 401 {
		t.Errorf("a session from before the reset: %d, want 401", resp.StatusCode)
	}
	if resp := ts.api(t, "POST", "/api/v1/auth/login", "", map[string]string{"phone": "13900000001", "password": "new-secret-22"}, nil); resp.StatusCode != 200 {
		t.Errorf("sign-in with the new password: %d", resp.StatusCode)
	}
}

func TestRefreshTokensRotate(t *testing.T) {
	ts := newTestServer(t, nil)
	ts.demo(t)
	first := ts.login(t, "13900000001")
	var second, retry pair
	if resp := ts.api(t, "POST", "/api/v1/auth/refresh", "", map[string]string{"refresh_token": first.RefreshToken}, &second); resp.StatusCode != 200 {
		t.Fatalf("refresh: %d", resp.StatusCode)
	}
	if second.RefreshToken == first.RefreshToken || second.AccessToken == "" {
		t.Fatal("refresh did not rotate")
	}
	// A retry with the same token (the response was lost) gets the same pair.
	ts.api(t, "POST", "/api/v1/auth/refresh", "", map[string]string{"refresh_token": first.RefreshToken}, &retry)
	if retry.RefreshToken != second.RefreshToken || retry.AccessToken != second.AccessToken {
		t.Fatalf("retry within 10 s gave a different pair")
	}
	var third pair
	if resp := ts.api(t, "POST", "/api/v1/auth/refresh", "", map[string]string{"refresh_token": second.RefreshToken}, &third); resp.StatusCode != 200 {
		t.Fatalf("second refresh: %d", resp.StatusCode)
	}
	// The first token again, after its successor was spent: a stolen token
	// is being replayed, so the whole session ends.
	if resp := ts.api(t, "POST", "/api/v1/auth/refresh", "", map[string]string{"refresh_token": first.RefreshToken}, nil); resp.StatusCode != 401 {
		t.Fatalf("replayed token: %d, want 401", resp.StatusCode)
	}
	if resp := ts.api(t, "POST", "/api/v1/auth/refresh", "", map[string]string{"refresh_token": third.RefreshToken}, nil); resp.StatusCode != 401 {
		t.Errorf("the newest token after a replay: %d, want 401 (family revoked)", resp.StatusCode)
	}
	if resp := ts.api(t, "GET", "/api/v1/me", third.AccessToken, nil, nil); resp.StatusCode != 401 {
		t.Errorf("an access token of the revoked session: %d, want 401", resp.StatusCode)
	}
}

func TestForgedAndExpiredTokensAreRefused(t *testing.T) {
	ts := newTestServer(t, nil)
	ts.demo(t)
	good := ts.login(t, "13900000001")
	key, err := ts.store.Key(context.Background(), "signing", 32)
	if err != nil {
		t.Fatal(err)
	}
	parsed, _, err := jwt.NewParser().ParseUnverified(good.AccessToken, jwt.MapClaims{})
	if err != nil {
		t.Fatal(err)
	}
	base := parsed.Claims.(jwt.MapClaims)
	with := func(k string, v any) jwt.MapClaims {
		c := jwt.MapClaims{}
		for kk, vv := range base {
			c[kk] = vv
		}
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
		return c
	}
	sign := func(c jwt.MapClaims, k []byte) string {
		s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString(k)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	none, _ := jwt.NewWithClaims(jwt.SigningMethodNone, base).SignedString(jwt.UnsafeAllowNoneSignatureType)
	hs512, _ := jwt.NewWithClaims(jwt.SigningMethodHS512, base).SignedString(key)
	parts := strings.Split(good.AccessToken, ".")
	tampered := parts[0] + "." + strings.TrimRight(jwtSeg(t, with("role", "admin")), "=") + "." + parts[2]
	cases := map[string]string{
		"alg none":         none,
		"another key":      sign(base, []byte("0123456789abcdef0123456789abcdef")),
		"another audience": sign(with("aud", "someone-else"), key),
		"another issuer":   sign(with("iss", "evil"), key),
		"expired":          sign(with("exp", time.Now().Add(-time.Minute).Unix()), key),
		"no expiry":        sign(with("exp", nil), key),
		"HS512":            hs512,
		"tampered payload": tampered,
		"garbage":          "not.a.token",
	}
	if resp := ts.api(t, "GET", "/api/v1/me", good.AccessToken, nil, nil); resp.StatusCode != 200 {
		t.Fatalf("the good token: %d", resp.StatusCode)
	}
	for name, token := range cases {
		if resp := ts.api(t, "GET", "/api/v1/me", token, nil, nil); resp.StatusCode != 401 {
			t.Errorf("%s: %d, want 401", name, resp.StatusCode)
		}
		// The same token as a browser's session cookie is no session.
		if resp, _ := ts.doNoRedirect(t, "GET", "/password", "", map[string]string{"Cookie": "pb_access=" + token}); resp.StatusCode != http.StatusSeeOther {
			t.Errorf("%s as a cookie: %d, want 303 to sign in", name, resp.StatusCode)
		}
	}
}

func jwtSeg(t *testing.T, c jwt.MapClaims) string {
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func TestStaffManagement(t *testing.T) {
	ts := newTestServer(t, nil)
	ts.demo(t)
	admin := ts.login(t, "13700000000")
	head := ts.login(t, "13800000000")
	officer := ts.login(t, "13800000001")
	resident := ts.login(t, "13900000001")

	if resp := ts.api(t, "GET", "/api/v1/staff", resident.AccessToken, nil, nil); resp.StatusCode != 403 {
		t.Errorf("a resident lists staff: %d, want 403", resp.StatusCode)
	}
	// The admin makes a second station with its own head and officer.
	var st2 struct{ ID string }
	if resp := ts.api(t, "POST", "/api/v1/stations", admin.AccessToken, map[string]string{"name": "朝阳派出所", "name_en": "Chaoyang Station"}, &st2); resp.StatusCode != 201 {
		t.Fatalf("create station: %d", resp.StatusCode)
	}
	if resp := ts.api(t, "POST", "/api/v1/stations", head.AccessToken, map[string]string{"name": "x"}, nil); resp.StatusCode != 403 {
		t.Errorf("a head creates a station: %d, want 403", resp.StatusCode)
	}
	var head2, other struct{ ID string }
	ts.api(t, "POST", "/api/v1/staff", admin.AccessToken, map[string]string{"phone": "13600000009", "name": "赵所长", "password": "first-pass-9", "role": "head", "station_id": st2.ID}, &head2)
	ts.api(t, "POST", "/api/v1/staff", admin.AccessToken, map[string]string{"phone": "13600000010", "name": "孙警官", "password": "first-pass-9", "badge_no": "220001", "station_id": st2.ID}, &other)
	if head2.ID == "" || other.ID == "" {
		t.Fatal("the admin could not create staff of the second station")
	}

	// Head of station 1 cannot see or change station 2's officer.
	var staff struct{ Items []struct{ ID, Name string } }
	ts.api(t, "GET", "/api/v1/staff", head.AccessToken, nil, &staff)
	for _, u := range staff.Items {
		if u.ID == other.ID {
			t.Errorf("head 1 sees station 2's officer")
		}
	}
	for _, action := range []string{"disable", "enable"} {
		if resp := ts.api(t, "POST", "/api/v1/staff/"+other.ID+"/"+action, head.AccessToken, nil, nil); resp.StatusCode != 404 {
			t.Errorf("head 1 %ss station 2's officer: %d, want 404", action, resp.StatusCode)
		}
	}
	if resp := ts.api(t, "POST", "/api/v1/staff/"+other.ID+"/reset-password", head.AccessToken, map[string]string{"password": "takeover-99"}, nil); resp.StatusCode != 404 {
		t.Errorf("head 1 resets station 2's officer: %d, want 404", resp.StatusCode)
	}

	// The head creates an officer of their own station; the officer must
	// change the initial password before doing anything else.
	var created struct {
		ID                 string
		StationID          string `json:"station_id"`
		MustChangePassword bool   `json:"must_change_password"`
	}
	if resp := ts.api(t, "POST", "/api/v1/staff", head.AccessToken, map[string]string{"phone": "13800000007", "name": "周警官", "password": "first-pass-7", "badge_no": "110007", "station_id": st2.ID, "role": "head"}, &created); resp.StatusCode != 201 {
		t.Fatalf("head creates officer: %d", resp.StatusCode)
	}
	var mine struct {
		StationID string `json:"station_id"`
	}
	ts.api(t, "GET", "/api/v1/me", head.AccessToken, nil, &mine)
	if created.StationID != mine.StationID || !created.MustChangePassword {
		t.Errorf("the head's officer: %+v, want the head's own station %s and a password to change", created, mine.StationID)
	}

	// A disabled officer's access token stops at once, and so does its refresh token.
	var offMe struct{ ID string }
	ts.api(t, "GET", "/api/v1/me", officer.AccessToken, nil, &offMe)
	if resp := ts.api(t, "POST", "/api/v1/staff/"+offMe.ID+"/disable", head.AccessToken, nil, nil); resp.StatusCode != 200 {
		t.Fatalf("disable: %d", resp.StatusCode)
	}
	if resp := ts.api(t, "GET", "/api/v1/me", officer.AccessToken, nil, nil); resp.StatusCode != 401 {
		t.Errorf("the disabled officer's access token: %d, want 401", resp.StatusCode)
	}
	if resp := ts.api(t, "POST", "/api/v1/auth/refresh", "", map[string]string{"refresh_token": officer.RefreshToken}, nil); resp.StatusCode != 401 {
		t.Errorf("the disabled officer's refresh token: %d, want 401", resp.StatusCode)
	}
	if resp := ts.api(t, "POST", "/api/v1/auth/login", "", map[string]string{"phone": "13800000001", "password": store.DemoPassword}, nil); resp.StatusCode != 401 {
		t.Errorf("the disabled officer signs in: %d, want 401", resp.StatusCode)
	}
	ts.api(t, "POST", "/api/v1/staff/"+offMe.ID+"/enable", head.AccessToken, nil, nil)
	ts.login(t, "13800000001")

	// Every action is in the head's audit log; another head sees none of it.
	var audit struct {
		Items []struct {
			Action  string
			ActorID string `json:"actor_id"`
		}
	}
	ts.api(t, "GET", "/api/v1/audit?action=officer", head.AccessToken, nil, &audit)
	var actions []string
	for _, a := range audit.Items {
		actions = append(actions, a.Action)
		if a.ActorID == "" {
			t.Errorf("audit entry %s has no actor", a.Action)
		}
	}
	if strings.Join(actions, ",") != "officer.enable,officer.disable,officer.create" {
		t.Errorf("audit actions %v", actions)
	}
	head2Login := pair{}
	ts.api(t, "POST", "/api/v1/auth/login", "", map[string]string{"phone": "13600000009", "password": "first-pass-9"}, &head2Login)
	ts.api(t, "PATCH", "/api/v1/me", head2Login.AccessToken, map[string]string{"current_password": "first-pass-9", "password": "second-pass-9"}, nil)
	var audit2 struct{ Items []struct{ Action string } }
	if resp := ts.api(t, "GET", "/api/v1/audit?action=officer.disable", head2Login.AccessToken, nil, &audit2); resp.StatusCode != 200 || len(audit2.Items) != 0 {
		t.Errorf("head 2 reads head 1's audit: %d %+v", resp.StatusCode, audit2)
	}
}

func TestPasswordMustChangeAfterReset(t *testing.T) {
	ts := newTestServer(t, nil)
	ts.demo(t)
	head := ts.login(t, "13800000000")
	officer := ts.login(t, "13800000001")
	var me struct{ ID string }
	ts.api(t, "GET", "/api/v1/me", officer.AccessToken, nil, &me)
	if resp := ts.api(t, "POST", "/api/v1/staff/"+me.ID+"/reset-password", head.AccessToken, map[string]string{"password": "one-time-77"}, nil); resp.StatusCode != 200 {
		t.Fatalf("reset: %d", resp.StatusCode)
	}
	if resp := ts.api(t, "GET", "/api/v1/me", officer.AccessToken, nil, nil); resp.StatusCode != 401 {
		t.Errorf("the officer's old session after a reset: %d, want 401", resp.StatusCode)
	}
	var p pair
	ts.api(t, "POST", "/api/v1/auth/login", "", map[string]string{"phone": "13800000001", "password": "one-time-77"}, &p)
	if resp := ts.api(t, "POST", "/api/v1/auth/logout", p.AccessToken, nil, nil); resp.StatusCode != 204 {
		t.Errorf("logout must stay open: %d", resp.StatusCode)
	}
	ts.api(t, "POST", "/api/v1/auth/login", "", map[string]string{"phone": "13800000001", "password": "one-time-77"}, &p)
	other := ts.login(t, "13900000001") // a resident's session must be unaffected
	var out struct {
		MustChangePassword bool `json:"must_change_password"`
	}
	if resp := ts.api(t, "PATCH", "/api/v1/me", p.AccessToken, map[string]string{"current_password": "one-time-77", "password": "my-own-pass-5"}, &out); resp.StatusCode != 200 || out.MustChangePassword {
		t.Fatalf("change password: %d %+v", resp.StatusCode, out)
	}
	if resp := ts.api(t, "GET", "/api/v1/me", p.AccessToken, nil, nil); resp.StatusCode != 200 {
		t.Errorf("the session that changed the password: %d, want 200", resp.StatusCode)
	}
	if resp := ts.api(t, "GET", "/api/v1/me", other.AccessToken, nil, nil); resp.StatusCode != 200 {
		t.Errorf("another user's session: %d", resp.StatusCode)
	}
}

func TestSignInThrottleHoldsAcrossInstances(t *testing.T) {
	dsn, path := storetest.DSN(t)
	open := func() *testServer { return newTestServerOn(t, storetest.OpenAt(t, dsn, path), nil) }
	a, b := open(), open()
	a.demo(t)
	wrong := map[string]string{"phone": "13900000001", "password": "not-the-password"}
	for i := range 5 {
		srv := a
		if i%2 == 1 {
			srv = b
		}
		if resp := srv.api(t, "POST", "/api/v1/auth/login", "", wrong, nil); resp.StatusCode != 401 {
			t.Fatalf("attempt %d: %d, want 401", i+1, resp.StatusCode)
		}
	}
	resp := b.api(t, "POST", "/api/v1/auth/login", "", map[string]string{"phone": "13900000001", "password": store.DemoPassword}, nil)
	if resp.StatusCode != 429 || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("sixth attempt on the other instance, right password: %d Retry-After %q, want 429", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
}

// Successful sign-ins do not use up an address's limit (a booth's Wi-Fi, a
// carrier's NAT): more than the limit of them from one address all go
// through, and wrong tries from it are still refused past the limit.
func TestSignInThrottleCountsOnlyWrongTries(t *testing.T) {
	ts := newTestServer(t, nil)
	ts.demo(t)
	phones := []string{"13900000001", "13900000002", "13800000001", "13800000002", "13800000000"}
	for i := range 35 {
		resp := ts.api(t, "POST", "/api/v1/auth/login", "", map[string]string{"phone": phones[i%len(phones)], "password": store.DemoPassword}, nil)
		if resp.StatusCode != 200 {
			t.Fatalf("successful sign-in %d from one address: %d, want 200", i+1, resp.StatusCode)
		}
	}
	refused := 0
	for i := range 31 {
		// A different unknown phone each time: only the address's limit applies.
		resp := ts.api(t, "POST", "/api/v1/auth/login", "", map[string]string{"phone": fmt.Sprintf("1370009%04d", i), "password": "wrong-password"}, nil)
		if resp.StatusCode == 429 {
			refused++
		}
	}
	if refused != 1 {
		t.Errorf("31 wrong tries from one address: %d refused, want the 31st", refused)
	}
}
