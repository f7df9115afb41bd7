package browsertest

import (
	"policebooth/server/app"

	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"policebooth/server/store"
)

// TestADisabledOfficersTabletServesNothingOffline: an officer on duty reads
// a call on the booth's tablet (kept for offline reading during the
// shift); the head disables the officer (a lost tablet); the next page the
// tablet loads shows it is signed out, and from then on, offline, it serves
// no page of that officer: not the call, not the board, not their home.
func TestADisabledOfficersTabletServesNothingOffline(t *testing.T) {
	srv := startDemo(t, nil)
	var booths struct{ Items []struct{ ID string } }
	apiCall(t, srv.URL, "GET", "/api/v1/booths", "13800000001", nil, &booths)
	apiCall(t, srv.URL, "POST", "/api/v1/shifts/clock-in", "13800000001", map[string]string{"booth_id": booths.Items[0].ID}, nil)
	var call struct{ ID string }
	const words = "楼道里有人摔倒了，请快来"
	apiCall(t, srv.URL, "POST", "/api/v1/assistance-calls", "13900000001", map[string]string{"category": "medical", "message": words}, &call)
	var officer struct{ ID, Name string }
	apiCall(t, srv.URL, "GET", "/api/v1/me", "13800000001", nil, &officer)

	tablet := NewBrowser(t).Page(t, Tablet, "zh-CN")
	tablet.signIn(srv.URL, "13800000001")
	tablet.Open(srv.URL + "/")
	tablet.waitForServiceWorker()
	tablet.Open(srv.URL + "/board")
	tablet.Open(srv.URL + "/calls/" + call.ID)
	if !strings.Contains(Eval[string](tablet, `document.body.innerText`), words) {
		t.Fatal("the call page does not show the caller's words")
	}
	// During the shift the call is readable offline: that is what the
	// cache is for.
	tablet.SetOffline(true)
	tablet.WaitFor(`!navigator.onLine`)
	tablet.Open(srv.URL + "/calls/" + call.ID)
	if !strings.Contains(Eval[string](tablet, `document.body.innerText`), words) {
		t.Fatal("on duty, the call page is not readable offline")
	}
	tablet.SetOffline(false)
	tablet.WaitFor(`navigator.onLine`)

	disable(t, srv.URL, officer.ID)
	time.Sleep(3500 * time.Millisecond) // the server's session cache
	tablet.Open(srv.URL + "/board")     // answers the sign-in page: nobody is signed in any more
	tablet.WaitFor(`location.pathname === "/login"`)
	tablet.WaitFor(`caches.keys().then(k => !k.some(n => n.startsWith("policebooth-pages-") && n !== "policebooth-pages-meta"))`)

	tablet.SetOffline(true)
	tablet.WaitFor(`!navigator.onLine`)
	for _, path := range []string{"/calls/" + call.ID, "/board", "/"} {
		tablet.Open(srv.URL + path)
		if text := Eval[string](tablet, `document.body.innerText`); strings.Contains(text, words) || strings.Contains(text, officer.Name) {
			t.Errorf("offline after the disable, %s serves a page of the officer: %.300q", path, text)
		}
	}
	tablet.Screenshot("disabled-offline")
}

// disable has the head disable an officer (POST with no body).
func disable(t *testing.T, srvURL, id string) {
	t.Helper()
	login, _ := json.Marshal(map[string]string{"phone": "13800000000", "password": store.DemoPassword})
	resp, err := http.Post(srvURL+"/api/v1/auth/login", "application/json", bytes.NewReader(login))
	if err != nil {
		t.Fatal(err)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	json.NewDecoder(resp.Body).Decode(&tok)
	resp.Body.Close()
	req, _ := http.NewRequest("POST", srvURL+"/api/v1/staff/"+id+"/disable", nil)
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("disable: %d", resp.StatusCode)
	}
}

// TestAnUnverifiedResidentIsShownTheVerifyStepAnd110: a resident who signed
// up but has not entered the code opens the help page and is offered the
// verify step and, big, 110; the page is accessible.
func TestAnUnverifiedResidentIsShownTheVerifyStepAnd110(t *testing.T) {
	srv := startDemo(t, nil)
	body, _ := json.Marshal(map[string]string{"phone": "13712340000", "password": "peony-garden-8", "name": "刘淑珍", "privacy_version": app.PrivacyVersion})
	resp, err := http.Post(srv.URL+"/api/v1/auth/register", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 202 {
		t.Fatalf("register: %d", resp.StatusCode)
	}
	p := NewBrowser(t).Page(t, Phone, "zh-CN")
	p.Open(srv.URL + "/login")
	p.fill(map[string]string{"f-phone": "13712340000", "f-password": "peony-garden-8"}, "main form button[type=submit]")
	p.Open(srv.URL + "/help")
	text := p.text()
	if !strings.Contains(text, "请先验证手机号") || !Eval[bool](p, `document.querySelector('main a[href="/verify"]') !== null && document.querySelector('main a[href="tel:110"]') !== null`) {
		t.Fatalf("the help page of an unverified resident: %s", text)
	}
	if Eval[bool](p, `document.getElementById("help-form") !== null`) {
		t.Error("an unverified resident is offered the help button")
	}
	p.Screenshot("unverified-help")
	p.Axe()
}
