package web_test

import (
	"context"

	"strings"
	"testing"

	"policebooth/server/app"
	"policebooth/server/auth"
	"policebooth/server/store"
)

// TestRefusalsSpeakTheReadersLanguage: a refusal from the store reaches
// the API and the page in the account's language, never as raw English on
// a Chinese page.
func TestRefusalsSpeakTheReadersLanguage(t *testing.T) {
	ts := newTestServer(t, nil)
	ts.demo(t)
	resident := ts.login(t, "13900000001").AccessToken
	officer := ts.login(t, "13800000001").AccessToken
	var r requestOut
	if resp := ts.apiKey(t, "POST", "/api/v1/service-requests", resident, "visit-zh", migrationAndPassport, &r); resp.StatusCode != 201 {
		t.Fatalf("create: %d", resp.StatusCode)
	}
	for _, to := range []string{"accepted", "in_progress", "completed"} {
		if resp := ts.api(t, "POST", "/api/v1/service-requests/"+r.ID+"/transitions", officer, map[string]string{"to": to}, nil); resp.StatusCode != 200 {
			t.Fatalf("move to %s: %d", to, resp.StatusCode)
		}
	}
	cancel := `{"to":"cancelled"}`
	bearer := map[string]string{"Authorization": "Bearer " + resident}
	resp, body := ts.do(t, "POST", "/api/v1/service-requests/"+r.ID+"/transitions", cancel, bearer)
	if resp.StatusCode != 409 || apiErrorCode(t, body) != "conflict" || !strings.Contains(body, "这项申请已在办理或已结束，不能再取消") {
		t.Errorf("a Chinese account's refused cancel: %d %s", resp.StatusCode, body)
	}
	page := map[string]string{"Authorization": "Bearer " + resident, "Content-Type": "application/x-www-form-urlencoded"}
	resp, body = ts.do(t, "POST", "/requests/"+r.ID+"/move", "to=cancelled", page)
	if resp.StatusCode != 409 || !strings.Contains(body, "这项申请已在办理或已结束，不能再取消") || strings.Contains(body, "no longer") {
		t.Errorf("the Chinese page's refused cancel: %d %s", resp.StatusCode, body)
	}

	if resp := ts.api(t, "PATCH", "/api/v1/me", resident, map[string]string{"language": "en"}, nil); resp.StatusCode != 200 {
		t.Fatalf("switch to English: %d", resp.StatusCode)
	}
	resp, body = ts.do(t, "POST", "/api/v1/service-requests/"+r.ID+"/transitions", cancel, bearer)
	if resp.StatusCode != 409 || !strings.Contains(body, "it can no longer be cancelled") || strings.Contains(body, "不能") {
		t.Errorf("an English account's refused cancel: %d %s", resp.StatusCode, body)
	}
	// Without an account the reader's Accept-Language decides.
	resp, body = ts.do(t, "POST", "/api/v1/auth/register", `{"phone":"13912340001","password":"garden-path-7","name":"王芳"}`, map[string]string{"Accept-Language": "en-GB,en;q=0.9"})
	if resp.StatusCode != 400 || !strings.Contains(body, "Please read and tick to accept the privacy policy") {
		t.Errorf("an English sign-up without the policy: %d %s", resp.StatusCode, body)
	}
}

// TestPrivacyPolicyIsAcceptedAtSignUpAndAgain: sign-up names the policy in
// force; a resident who accepted none or an older one is asked on every
// page, never blocked.
func TestPrivacyPolicyIsAcceptedAtSignUpAndAgain(t *testing.T) {
	ts := newTestServer(t, nil)
	ts.demo(t)
	var policy struct{ Version, URL string }
	if resp := ts.api(t, "GET", "/api/v1/privacy", "", nil, &policy); resp.StatusCode != 200 || policy.Version != app.PrivacyVersion || !strings.HasSuffix(policy.URL, "/privacy") {
		t.Fatalf("GET /api/v1/privacy: %d %+v", resp.StatusCode, policy)
	}
	for _, version := range []any{nil, "", "2025-01"} {
		body := map[string]any{"phone": "13912340002", "password": "garden-path-7", "name": "王芳"}
		if version != nil {
			body["privacy_version"] = version
		}
		resp, text := ts.do(t, "POST", "/api/v1/auth/register", mustJSON(t, body), nil)
		if resp.StatusCode != 400 || apiErrorCode(t, text) != "invalid" {
			t.Errorf("sign-up with privacy_version %v: %d %s, want 400", version, resp.StatusCode, text)
		}
	}
	if resp := ts.api(t, "POST", "/api/v1/auth/register", "", map[string]any{"phone": "13912340002", "password": store.DemoPassword, "name": "王芳", "privacy_version": policy.Version}, nil); resp.StatusCode != 202 {
		t.Fatalf("sign-up accepting the policy: %d", resp.StatusCode)
	}
	p := ts.login(t, "13912340002")
	var me struct {
		PrivacyVersion    string `json:"privacy_version"`
		PrivacyAcceptedAt string `json:"privacy_accepted_at"`
	}
	ts.api(t, "GET", "/api/v1/me", p.AccessToken, nil, &me)
	if me.PrivacyVersion != app.PrivacyVersion || me.PrivacyAcceptedAt == "" {
		t.Errorf("the accepted version is not recorded: %+v", me)
	}
	demo := ts.login(t, "13900000001").AccessToken
	ts.api(t, "GET", "/api/v1/me", demo, nil, &me)
	if me.PrivacyVersion != app.PrivacyVersion {
		t.Errorf("a demo resident accepted %q, want the current version", me.PrivacyVersion)
	}
	if _, body := ts.do(t, "GET", "/help", "", map[string]string{"Authorization": "Bearer " + demo}); strings.Contains(body, `action="/privacy/accept"`) {
		t.Error("a resident who accepted the current policy is asked again")
	}

	// A resident who accepted an older policy (here: none).
	hash, err := auth.HashPassword("garden-path-7")
	if err != nil {
		t.Fatal(err)
	}
	old := &app.User{Role: app.RoleResident, Phone: "13912340003", Name: "赵大爷", Language: "zh-CN", PasswordHash: hash, PhoneVerified: true}
	if err := ts.store.CreateUser(context.Background(), old); err != nil {
		t.Fatal(err)
	}
	var op pair
	if resp := ts.api(t, "POST", "/api/v1/auth/login", "", map[string]string{"phone": old.Phone, "password": "garden-path-7"}, &op); resp.StatusCode != 200 {
		t.Fatalf("login: %d", resp.StatusCode)
	}
	bearer := map[string]string{"Authorization": "Bearer " + op.AccessToken}
	resp, body := ts.do(t, "GET", "/help", "", bearer)
	if resp.StatusCode != 200 || !strings.Contains(body, `action="/privacy/accept"`) || !strings.Contains(body, `id="help-button"`) {
		t.Fatalf("/help for a resident with an old policy: %d, want the page with the question", resp.StatusCode)
	}
	if resp := ts.api(t, "POST", "/api/v1/assistance-calls", op.AccessToken, map[string]any{"category": "other"}, nil); resp.StatusCode != 201 {
		t.Errorf("a call from a resident with an old policy: %d, want 201", resp.StatusCode)
	}
	if resp := ts.api(t, "POST", "/api/v1/me/privacy", op.AccessToken, map[string]string{"version": "2025-01"}, nil); resp.StatusCode != 400 {
		t.Errorf("accepting another version: %d, want 400", resp.StatusCode)
	}
	form := map[string]string{"Authorization": "Bearer " + op.AccessToken, "Content-Type": "application/x-www-form-urlencoded"}
	if resp, _ := ts.do(t, "POST", "/privacy/accept", "version="+app.PrivacyVersion+"&next=/notices", form); resp.Request.URL.Path != "/notices" {
		t.Errorf("accepting on the page went to %s, want back to /notices", resp.Request.URL.Path)
	}
	ts.api(t, "GET", "/api/v1/me", op.AccessToken, nil, &me)
	if me.PrivacyVersion != app.PrivacyVersion {
		t.Errorf("after accepting: %+v", me)
	}
	if _, body := ts.do(t, "GET", "/notices", "", bearer); strings.Contains(body, `action="/privacy/accept"`) {
		t.Error("the question stays after accepting")
	}
	for _, path := range []string{"/privacy", "/terms"} {
		resp, body := ts.do(t, "GET", path, "", map[string]string{"Accept-Language": "en"})
		if resp.StatusCode != 200 || !strings.Contains(body, app.PrivacyVersion) || !strings.Contains(body, "110") && path == "/terms" {
			t.Errorf("%s: %d", path, resp.StatusCode)
		}
	}
}

// TestSixthCallInAnHourIsStoredAndMarkedRepeated: the help button never
// refuses; the officer sees how often the caller has called.
func TestSixthCallInAnHourIsStoredAndMarkedRepeated(t *testing.T) {
	ts := newTestServer(t, nil)
	ts.demo(t)
	resident := ts.login(t, "13900000001").AccessToken
	officer := ts.login(t, "13800000001").AccessToken
	for i := 1; i <= 6; i++ {
		var call struct {
			ID            string
			Repeated      bool
			CallsThisHour int `json:"calls_this_hour"`
		}
		if resp := ts.api(t, "POST", "/api/v1/assistance-calls", resident, map[string]any{"category": "medical"}, &call); resp.StatusCode != 201 {
			t.Fatalf("call %d: %d, want 201", i, resp.StatusCode)
		}
		if call.CallsThisHour != i || call.Repeated != (i == 6) {
			t.Fatalf("call %d: %+v", i, call)
		}
		if i == 6 {
			_, board := ts.do(t, "GET", "/board", "", map[string]string{"Authorization": "Bearer " + officer})
			if !strings.Contains(board, "重复求助：本小时第 6 次") {
				t.Errorf("the board does not mark the sixth call repeated")
			}
			break
		}
		if resp := ts.api(t, "POST", "/api/v1/assistance-calls/"+call.ID+"/transitions", resident, map[string]string{"to": "cancelled"}, nil); resp.StatusCode != 200 {
			t.Fatalf("cancel %d: %d", i, resp.StatusCode)
		}
	}
}
