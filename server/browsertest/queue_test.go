package browsertest

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestCounterQueueInTheBrowser walks the counter as the issue tells it: the
// head sets the hours; a resident books, arrives by the booth's QR code and
// gets A-001; a walk-in arrives second; the resident's phone follows the
// line live; the officer calls the next number and the display (a third
// browser) shows and speaks A-001; the visit is completed and rated 5. A
// rating of 1 without a comment is refused; with one, the head answers and
// the resident sees the answer.
func TestCounterQueueInTheBrowser(t *testing.T) {
	srv := startDemo(t, nil)
	var booths struct{ Items []struct{ ID string } }
	apiCall(t, srv.URL, "GET", "/api/v1/booths", "13800000000", nil, &booths)
	booth := booths.Items[0].ID

	// The head's counter page: every day 00:00–23:55 in 5-minute slots, so
	// a slot is always coming today, whenever the test runs.
	head := NewBrowser(t).Page(t, Tablet, "zh-CN")
	head.signIn(srv.URL, "13800000000")
	head.Open(srv.URL + "/counter")
	head.Axe()
	fields := map[string]string{}
	for d := '1'; d <= '7'; d++ {
		day := string(d)
		Eval[bool](head, `(document.querySelector('[name="opens_`+day+`"]').value = "00:00", document.querySelector('[name="closes_`+day+`"]').value = "23:55", true)`)
		fields["slot_"+day], fields["capacity_"+day] = "5", "2"
	}
	for name, v := range fields {
		Eval[bool](head, `(document.querySelector('[name="`+name+`"]').value = "`+v+`", true)`)
	}
	head.Submit(`form[action$="/hours"] button[type=submit]`)
	if !strings.Contains(head.text(), "已保存。") {
		t.Fatalf("saving the hours:\n%s", head.text())
	}
	head.Screenshot("counter")

	// The resident files, books the first time offered, and arrives by the
	// printed QR code's address.
	var mine struct{ ID string }
	apiCall(t, srv.URL, "POST", "/api/v1/service-requests", "13900000001",
		map[string]any{"services": []string{"other"}, "fields": map[string]any{"other": map[string]string{"subject": "开无犯罪记录证明"}}}, &mine)
	resident := NewBrowser(t).Page(t, Phone, "zh-CN")
	resident.signIn(srv.URL, "13900000001")
	resident.Open(srv.URL + "/requests/" + mine.ID)
	if !strings.Contains(resident.text(), "到达警务亭后取号") {
		t.Fatalf("before arrival the page should say the number comes on arrival:\n%s", resident.text())
	}
	resident.Submit(`form[action$="/booking"] button[type=submit]`)
	if !strings.Contains(resident.text(), "已预约：") {
		t.Fatalf("after booking:\n%s", resident.text())
	}
	resident.Axe()
	var qr struct{ URL string }
	apiCall(t, srv.URL, "GET", "/api/v1/booths/"+booth+"/arrival-code", "13800000000", nil, &qr)
	resident.Open(qr.URL)
	resident.Axe()
	resident.Submit(`form[action^="/arrive/"] button[type=submit]`)
	if text := resident.text(); !strings.Contains(text, "您已到达，号码是 A-001。") || !strings.Contains(text, "前面还有 0 人") {
		t.Fatalf("after arriving by the QR code:\n%s", text)
	}
	resident.Screenshot("ticket")
	resident.Axe()
	Eval[bool](resident, `(window.renderedOnce = true, true)`)

	// The display on the booth's TV, opened with a key the head made.
	var key struct{ URL string }
	apiCall(t, srv.URL, "POST", "/api/v1/booths/"+booth+"/display-keys", "13800000000", map[string]any{}, &key)
	display := NewBrowser(t).Page(t, Tablet, "zh-CN")
	display.Open(key.URL)
	display.Axe()
	if got := Eval[string](display, `document.getElementById("display-next").innerText`); !strings.Contains(got, "A-001") {
		t.Fatalf("the display is served without the waiting A-001: %q", got)
	}

	// A walk-in at the counter, filed by the officer on the tablet.
	apiCall(t, srv.URL, "POST", "/api/v1/shifts/clock-in", "13800000001", map[string]string{"booth_id": booth}, nil)
	officer := NewBrowser(t).Page(t, Tablet, "zh-CN")
	officer.signIn(srv.URL, "13800000001")
	officer.Open(srv.URL + "/queue")
	officer.Axe()
	officer.Do(chromedp.Click(chromedp.CSS("details.card summary")))
	officer.fill(map[string]string{"f-walkin-name": "王大爷", "f-walkin-phone": "13900000077", "f-walkin-subject": "咨询户口"}, `form[action="/queue/walk-in"] button`)
	if !strings.Contains(officer.text(), "A-002") {
		t.Fatalf("the walk-in's page:\n%s", officer.text())
	}
	display.WaitFor(`document.getElementById("display-next").innerText.includes("A-002")`)

	// The officer calls the next number: A-001 to window 1, on the display
	// and spoken, and on the resident's phone without a reload.
	officer.Open(srv.URL + "/queue")
	officer.Submit(`form[action="/queue/next"] button`)
	if !strings.Contains(officer.text(), "A-001") {
		t.Fatalf("after calling the next number:\n%s", officer.text())
	}
	display.WaitFor(`document.getElementById("display-ticket").innerText.includes("A-001")`)
	display.WaitFor(`(document.getElementById("display").getAttribute("data-spoken") || "").includes("请 A-001 号到 1 号窗口")`)
	display.Screenshot("calling")
	resident.WaitFor(`document.getElementById("live-queue").innerText.includes("请到 1 号窗口办理")`)
	if !Eval[bool](resident, `window.renderedOnce === true`) {
		t.Error("the resident's page was reloaded")
	}
	resident.Screenshot("called")

	// Completed at the window; the resident rates it 5.
	for _, step := range []string{"in_progress", "completed"} {
		officer.Submit(`button[name="to"][value="` + step + `"]`)
	}
	resident.Open(srv.URL + "/requests/" + mine.ID)
	resident.Do(chromedp.Click(chromedp.ID("f-score-5")))
	resident.Submit(`form[action$="/rating"] button[type=submit]`)
	if !strings.Contains(resident.text(), "您的评价： 非常满意") && !strings.Contains(resident.text(), "您的评价：非常满意") {
		t.Fatalf("after rating 5:\n%s", resident.text())
	}
	resident.Axe()

	// Another visit, rated 1: refused without a comment, kept with one; the
	// head answers and the resident reads the answer.
	var second struct{ ID string }
	apiCall(t, srv.URL, "POST", "/api/v1/service-requests", "13900000001",
		map[string]any{"services": []string{"other"}, "fields": map[string]any{"other": map[string]string{"subject": "第二次"}}}, &second)
	apiCall(t, srv.URL, "POST", "/api/v1/service-requests/"+second.ID+"/arrival", "13800000001", map[string]any{}, nil)
	for _, to := range []string{"accepted", "in_progress", "completed"} {
		apiCall(t, srv.URL, "POST", "/api/v1/service-requests/"+second.ID+"/transitions", "13800000001", map[string]string{"to": to}, nil)
	}
	resident.Open(srv.URL + "/requests/" + second.ID)
	resident.Do(chromedp.Click(chromedp.ID("f-score-1")))
	resident.Submit(`form[action$="/rating"] button[type=submit]`)
	if !strings.Contains(resident.text(), "请写明原因") {
		t.Fatalf("a 1 without a comment was not refused:\n%s", resident.text())
	}
	resident.Axe()
	resident.Do(chromedp.Click(chromedp.ID("f-score-1")))
	resident.fill(map[string]string{"f-rating-comment": "等了很久没人理"}, `form[action$="/rating"] button[type=submit]`)
	if !strings.Contains(resident.text(), "非常不满意") {
		t.Fatalf("after rating 1 with a comment:\n%s", resident.text())
	}
	head.Open(srv.URL + "/counter")
	if !strings.Contains(head.text(), "等了很久没人理") {
		t.Fatalf("the head's counter page lacks the bad rating:\n%s", head.text())
	}
	head.Axe()
	head.Do(chromedp.SendKeys(chromedp.CSS(`#bad-title ~ .rating textarea`), "抱歉，已安排专人回访。"))
	head.Submit(`#bad-title ~ .rating form button[type=submit]`)
	resident.Open(srv.URL + "/requests/" + second.ID)
	if !strings.Contains(resident.text(), "所长答复： 抱歉，已安排专人回访。") && !strings.Contains(resident.text(), "所长答复：抱歉，已安排专人回访。") {
		t.Fatalf("the resident does not see the head's answer:\n%s", resident.text())
	}
	resident.Screenshot("answer")
	resident.Axe()

	// In elder mode the queue card, the rating and the arrival page keep
	// MIIT's sizes.
	resident.Open(srv.URL + "/")
	resident.Submit(`.elder-switch button[value="1"]`)
	resident.Open(srv.URL + "/requests/" + second.ID)
	checkElderSizes(t, resident, "/requests/{id} with its rating")
	resident.Open(qr.URL)
	checkElderSizes(t, resident, "/arrive/{booth}")
	resident.Axe()
}
