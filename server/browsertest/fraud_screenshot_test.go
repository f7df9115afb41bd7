package browsertest

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestFraudReportScreenshotIsSeenByTheStation: 刘德福 reports a text
// message and adds its screenshot on his phone, in elder mode; the page
// shows it, in Chinese and English; 李明's tablet shows it on the report,
// without a form to add one.
func TestFraudReportScreenshotIsSeenByTheStation(t *testing.T) {
	srv := startDemo(t, nil)
	reporter := NewBrowser(t).Page(t, Phone, "zh-CN")
	reporter.signIn(srv.URL, "13900000002")
	reporter.Open(srv.URL + "/")
	reporter.Submit(`.elder-offer button[value="1"]`)
	reporter.Open(srv.URL + "/fraud")
	reporter.Do(chromedp.SetValue(chromedp.ID("f-kind"), "sms"))
	reporter.fill(map[string]string{"f-value": "【某银行】您的账户存在异常，请点击链接", "f-description": "收到的短信"}, `form[action="/fraud"] button[type=submit]`)
	if text := reporter.text(); !strings.Contains(text, "还没有截图") {
		t.Fatalf("a new report's page:\n%s", text)
	}
	reporter.Axe()
	reporter.Do(chromedp.SetUploadFiles(chromedp.ID("f-screenshot"), []string{fakeCameraFile(t)}))
	reporter.Submit(`form.screenshot-form button[type=submit]`)
	reporter.WaitFor(`document.querySelector(".fraud-screenshots img") !== null && document.querySelector(".fraud-screenshots img").complete && document.querySelector(".fraud-screenshots img").naturalWidth > 0`)
	if text := reporter.text(); !strings.Contains(text, "截图已添加") {
		t.Errorf("after the upload:\n%s", text)
	}
	checkElderSizes(t, reporter, "/fraud/:id")
	reporter.Axe()
	report := strings.TrimPrefix(Eval[string](reporter, `location.pathname`), "/fraud/")
	reporter.Submit(".lang-switch button")
	reporter.Open(srv.URL + "/fraud/" + report)
	if text := reporter.text(); !strings.Contains(text, "Screenshots") || !strings.Contains(text, "Add a screenshot") {
		t.Errorf("the English page:\n%s", text)
	}
	reporter.Axe()

	officer := NewBrowser(t).Page(t, Tablet, "zh-CN")
	officer.signIn(srv.URL, "13800000001")
	officer.Open(srv.URL + "/fraud/" + report)
	officer.WaitFor(`document.querySelector(".fraud-screenshots img") !== null && document.querySelector(".fraud-screenshots img").complete && document.querySelector(".fraud-screenshots img").naturalWidth > 0`)
	if Eval[bool](officer, `document.getElementById("f-screenshot") !== null`) {
		t.Error("the officer is offered to add a screenshot to a resident's report")
	}
	officer.Axe()
}
