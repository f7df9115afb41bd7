package browsertest

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"policebooth/server/store"
)

// TestShiftHandoverSwitchAndSignOff walks a day at booth A on one tablet:
// 李明 clocks in, acknowledges the night shift's handover, takes a call and
// a request (the log records them on its own), writes a visit and corrects
// it, and clocks out with a handover; 张伟 takes the tablet over with his
// PIN, clocks in and acknowledges it, and his entry carries his name; the
// head reviews the shift, signs it off, and a later entry is refused.
func TestShiftHandoverSwitchAndSignOff(t *testing.T) {
	srv := startDemo(t, nil)
	tablet := NewBrowser(t).Page(t, Tablet, "zh-CN")
	tablet.signIn(srv.URL, "13800000001")
	tablet.Open(srv.URL + "/shift")
	tablet.Axe()
	tablet.Submit(`form[action="/shift/clock-in"] button[type=submit]`)
	text := tablet.text()
	for _, want := range []string{"已上班打卡。", "正在 A 值班", "张伟 于", "3 号楼独居老人王大爷"} {
		if !strings.Contains(text, want) {
			t.Fatalf("after clocking in the page lacks %q:\n%s", want, text)
		}
	}
	tablet.Screenshot("shift-handover")
	tablet.Axe()
	tablet.Submit(`form[action^="/shift/handover/"] button`)
	if !strings.Contains(tablet.text(), "已确认交接。") {
		t.Fatalf("handover not acknowledged:\n%s", tablet.text())
	}

	// A call and a request at booth A appear in the log on their own.
	var call, req struct{ ID string }
	apiCall(t, srv.URL, "POST", "/api/v1/assistance-calls", "13900000001", map[string]string{"category": "medical"}, &call)
	apiCall(t, srv.URL, "POST", "/api/v1/service-requests", "13900000002", map[string]any{"services": []string{"other"},
		"fields": map[string]any{"other": map[string]string{"subject": "开具证明"}}}, &req)
	tablet.WaitFor(`document.querySelector("#live-log").innerText.includes("求助 #` + call.ID + `")`)
	tablet.Open(srv.URL + "/calls/" + call.ID)
	tablet.Submit(`button[name="to"][value="acknowledged"]`)
	apiCall(t, srv.URL, "POST", "/api/v1/service-requests/"+req.ID+"/transitions", "13800000001", map[string]string{"to": "accepted"}, nil)
	tablet.Open(srv.URL + "/shift")
	text = tablet.text()
	for _, want := range []string{"求助 #" + call.ID + "：民警已接警", "办件 #" + req.ID + " 提交", "办件 #" + req.ID + "：已受理"} {
		if !strings.Contains(text, want) {
			t.Errorf("the log lacks %q:\n%s", want, text)
		}
	}

	// A visit, then its correction, shown beneath it.
	tablet.Do(chromedp.Click(chromedp.ID("kind-visit")))
	tablet.fill(map[string]string{"f-text": "走访独居老人陈秀英，身体不错"}, `form[action$="/entries"] button[type=submit]`)
	tablet.Do(chromedp.Click(`.entry-visit details.correct summary`))
	id := Eval[string](tablet, `document.querySelector(".entry-visit details.correct textarea").id`)
	tablet.fill(map[string]string{id: "更正：血压偏高，已提醒就医"}, `.entry-visit details.correct button`)
	if n := Eval[int](tablet, `document.querySelectorAll(".entry-visit .corrections .correction").length`); n != 1 {
		t.Fatalf("the correction is not beneath the visit (%d):\n%s", n, tablet.text())
	}
	tablet.Screenshot("shift-log")
	tablet.Axe()
	shiftID := Eval[string](tablet, `document.querySelector('form[action$="/entries"]').getAttribute("action").split("/")[2]`)

	// Clocking out needs a handover note (the field is required).
	if !Eval[bool](tablet, `document.getElementById("f-handover_note").required`) {
		t.Error("the handover note is not required")
	}
	tablet.fill(map[string]string{"f-handover_note": "陈秀英血压偏高，明天上午回访"}, `form[action="/shift/clock-out"] button[type=submit]`)
	if !strings.Contains(tablet.text(), "已下班打卡") {
		t.Fatalf("clock-out:\n%s", tablet.text())
	}

	// 张伟 takes the same tablet over with his PIN.
	zhang := Eval[string](tablet, `[...document.querySelectorAll("#f-officer_id option")].find(o => o.textContent === "张伟").value`)
	tablet.Do(chromedp.SetValue(chromedp.ID("f-officer_id"), zhang))
	tablet.fill(map[string]string{"f-pin": "000000"}, `form[action="/shift/switch"] button[type=submit]`)
	if !strings.Contains(tablet.text(), "PIN 不对") {
		t.Fatalf("a wrong PIN:\n%s", tablet.text())
	}
	tablet.Do(chromedp.SetValue(chromedp.ID("f-officer_id"), zhang))
	tablet.fill(map[string]string{"f-pin": store.DemoPin}, `form[action="/shift/switch"] button[type=submit]`)
	if !strings.Contains(tablet.text(), "这台平板当前由 张伟 操作") {
		t.Fatalf("after the switch:\n%s", tablet.text())
	}
	tablet.Submit(`form[action="/shift/clock-in"] button[type=submit]`)
	if !strings.Contains(tablet.text(), "李明 于") || !strings.Contains(tablet.text(), "陈秀英血压偏高") {
		t.Fatalf("张伟 does not see 李明's handover:\n%s", tablet.text())
	}
	tablet.Submit(`form[action^="/shift/handover/"] button`)
	tablet.Do(chromedp.Click(chromedp.ID("kind-patrol")))
	tablet.fill(map[string]string{"f-text": "接班巡逻"}, `form[action$="/entries"] button[type=submit]`)
	if who := Eval[string](tablet, `document.querySelector(".entry-patrol .muted").innerText`); who != "张伟" {
		t.Errorf("the entry is recorded under %q, want 张伟", who)
	}

	// The head reviews the shift, sees figures and charts, and signs off.
	head := NewBrowser(t).Page(t, Tablet, "zh-CN")
	head.signIn(srv.URL, "13800000000")
	head.Open(srv.URL + "/shifts")
	head.Screenshot("review")
	head.Axe()
	if n := Eval[int](head, `document.querySelectorAll("figure.chart svg rect.chart-bar").length`); n < 24 {
		t.Errorf("the review draws %d bars", n)
	}
	head.Open(srv.URL + "/shifts/" + shiftID)
	text = head.text()
	for _, want := range []string{"李明 在 A 的班次", "接警用时（中位数）", "陈秀英血压偏高，明天上午回访", "张伟，", "更正：血压偏高"} {
		if !strings.Contains(text, want) {
			t.Errorf("the shift page lacks %q:\n%s", want, text)
		}
	}
	head.Axe()
	head.fill(map[string]string{"f-comment": "记录完整"}, `form[action$="/sign-off"] button`)
	head.WaitFor(`document.querySelector(".confirm-step") !== null`)
	head.Axe()
	head.Submit(`.confirm-step button[name="confirm"][value="1"]`)
	if !strings.Contains(head.text(), "已审核，日志已封存。") {
		t.Fatalf("sign-off:\n%s", head.text())
	}
	head.Screenshot("signed-off")

	// Sealed: 李明 can add nothing more; the head's note still goes in.
	status := apiStatus(t, srv.URL, "POST", "/api/v1/shifts/"+shiftID+"/entries", "13800000001", map[string]string{"kind": "note", "text": "补记"})
	if status != http.StatusConflict {
		t.Errorf("an entry on a sealed shift: %d, want 409", status)
	}
	head.fill(map[string]string{"f-head-note": "已阅"}, `form[action$="/entries"] button`)
	if !strings.Contains(head.text(), "所长批注") || !strings.Contains(head.text(), "已阅") {
		t.Errorf("the head's note:\n%s", head.text())
	}

	// The CSV starts with a BOM and reads back in Chinese.
	body := apiGet(t, srv.URL, "/api/v1/shifts.csv", "13800000000")
	if !bytes.HasPrefix(body, []byte("\xef\xbb\xbf")) {
		t.Fatalf("the CSV has no UTF-8 BOM: %q", body[:min(20, len(body))])
	}
	rows, err := csv.NewReader(bytes.NewReader(body[3:])).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	joined := ""
	for _, r := range rows {
		joined += strings.Join(r, "|") + "\n"
	}
	for _, want := range []string{"班次|警务亭|民警", "李明", "陈秀英血压偏高，明天上午回访", "走访独居老人陈秀英，身体不错", "所长批注|王建国|已阅"} {
		if !strings.Contains(joined, want) {
			t.Errorf("the CSV lacks %q:\n%s", want, joined)
		}
	}

	// The pages read in English too.
	en := NewBrowser(t).Page(t, Tablet, "en")
	en.signIn(srv.URL, "13800000000")
	en.Open(srv.URL + "/shifts/" + shiftID)
	en.Axe()
	en.Open(srv.URL + "/shifts")
	en.Axe()
	enOfficer := NewBrowser(t).Page(t, Tablet, "en")
	enOfficer.signIn(srv.URL, "13800000001")
	enOfficer.Open(srv.URL + "/shift")
	enOfficer.Screenshot("shift-en")
	enOfficer.Axe()
}

// apiStatus sends a JSON request as a demo account and returns the status.
func apiStatus(t *testing.T, srvURL, method, path, phone string, body any) int {
	t.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest(method, srvURL+path, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+apiToken(t, srvURL, phone))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// apiGet fetches a path as a demo account.
func apiGet(t *testing.T, srvURL, path, phone string) []byte {
	t.Helper()
	req, _ := http.NewRequest("GET", srvURL+path, nil)
	req.Header.Set("Authorization", "Bearer "+apiToken(t, srvURL, phone))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d %s", path, resp.StatusCode, b)
	}
	return b
}

func apiToken(t *testing.T, srvURL, phone string) string {
	t.Helper()
	login, _ := json.Marshal(map[string]string{"phone": phone, "password": store.DemoPassword})
	resp, err := http.Post(srvURL+"/api/v1/auth/login", "application/json", bytes.NewReader(login))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	json.NewDecoder(resp.Body).Decode(&tok)
	return tok.AccessToken
}
