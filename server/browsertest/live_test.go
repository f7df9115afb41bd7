package browsertest

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"policebooth/server/store"
)

// apiCall sends a JSON request as a demo account and decodes the answer.
func apiCall(t *testing.T, srvURL, method, path, phone string, body, out any) {
	t.Helper()
	login, _ := json.Marshal(map[string]string{"phone": phone, "password": store.DemoPassword})
	resp, err := http.Post(srvURL+"/api/v1/auth/login", "application/json", bytes.NewReader(login))
	if err != nil {
		t.Fatal(err)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	json.NewDecoder(resp.Body).Decode(&tok)
	resp.Body.Close()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest(method, srvURL+path, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 {
		t.Fatalf("%s %s: %d", method, path, resp.StatusCode)
	}
	if out != nil {
		json.NewDecoder(resp.Body).Decode(out)
	}
}

func TestPagesUpdateLive(t *testing.T) {
	srv := startDemo(t, nil)
	officer := NewBrowser(t).Page(t, Tablet, "zh-CN")
	officer.signIn(srv.URL, "13800000001")
	officer.Open(srv.URL + "/queue")
	if !strings.Contains(officer.text(), "队列中没有待办的业务") {
		t.Fatalf("the queue is not empty:\n%s", officer.text())
	}

	// A resident's new request appears in the officer's queue without a reload.
	var r struct{ ID, Ticket string }
	apiCall(t, srv.URL, "POST", "/api/v1/service-requests", "13900000001",
		map[string]any{"services": []string{"other"}, "fields": map[string]any{"other": map[string]string{"subject": "开证明"}}}, &r)
	officer.Do(chromedp.WaitVisible(chromedp.CSS(".request-row .ticket")))
	// Its ticket comes when the resident arrives; the row shows it live.
	apiCall(t, srv.URL, "POST", "/api/v1/service-requests/"+r.ID+"/arrival", "13800000001", map[string]any{}, &r)
	officer.WaitFor(`document.querySelector("main").innerText.includes("` + r.Ticket + `")`)
	if !strings.Contains(officer.text(), r.Ticket) {
		t.Fatalf("the queue does not show %s:\n%s", r.Ticket, officer.text())
	}

	// The resident's open page shows the officer's change without a reload.
	resident := NewBrowser(t).Page(t, Phone, "zh-CN")
	resident.signIn(srv.URL, "13900000001")
	resident.Open(srv.URL + "/requests/" + r.ID)
	Eval[bool](resident, `(window.renderedOnce = true, true)`)
	apiCall(t, srv.URL, "POST", "/api/v1/service-requests/"+r.ID+"/transitions", "13800000001", map[string]string{"to": "accepted"}, nil)
	resident.Do(chromedp.WaitVisible(chromedp.CSS("#live-status .status-accepted")))
	if !Eval[bool](resident, `window.renderedOnce === true`) {
		t.Error("the page was reloaded")
	}
	resident.WaitFor(`document.getElementById("live-timeline").innerText.includes("状态：已受理")`)
	resident.Screenshot("live-accepted")
	resident.Axe()

	// A change that lands while the page is still fetching the one before
	// is shown too. Answers reach the page three seconds late here, as on a
	// slow phone network; the second change comes while the first is in
	// flight.
	Eval[bool](resident, `(() => {
		const send = XMLHttpRequest.prototype.send;
		XMLHttpRequest.prototype.send = function (body) {
			const onload = this.onload, xhr = this;
			this.onload = function () { setTimeout(() => onload.apply(xhr, arguments), 3000); };
			return send.call(this, body);
		};
		return true;
	})()`)
	apiCall(t, srv.URL, "POST", "/api/v1/service-requests/"+r.ID+"/transitions", "13800000001", map[string]string{"to": "in_progress"}, nil)
	resident.WaitFor(`document.getElementById("live-status").classList.contains("htmx-request")`)
	apiCall(t, srv.URL, "POST", "/api/v1/service-requests/"+r.ID+"/transitions", "13800000001", map[string]string{"to": "completed"}, nil)
	resident.Do(chromedp.WaitVisible(chromedp.CSS("#live-status .status-completed")))
	if !Eval[bool](resident, `window.renderedOnce === true`) {
		t.Error("the page was reloaded")
	}
}
