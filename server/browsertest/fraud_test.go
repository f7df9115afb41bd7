package browsertest

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"policebooth/server/notify/notifytest"
)

// TestFraudReportWithLossConfirmedAndLookedUp: 刘德福 reports the number
// +86 170-1234-5678 with a loss and is told, on his page and by text, to
// call 110 and 96110; 李明 confirms it, records the calls and opens the
// prefilled notice; 陈秀英's check of 17012345678 shows one confirmed
// report and nothing about who reported it, and his report is 404 to her.
func TestFraudReportWithLossConfirmedAndLookedUp(t *testing.T) {
	sms := notifytest.NewGateway(t)
	srv := startDemo(t, map[string]string{"POLICEBOOTH_NOTIFY_WEBHOOK": sms.URL})
	reporter := NewBrowser(t).Page(t, Phone, "zh-CN")
	reporter.signIn(srv.URL, "13900000002")
	reporter.Open(srv.URL + "/fraud")
	reporter.Axe()
	reporter.fill(map[string]string{"f-value": "+86 170-1234-5678", "f-description": "冒充快递客服要求退款", "f-loss_yuan": "5000"},
		`form[action="/fraud"] button[type=submit]`)
	text := reporter.text()
	for _, want := range []string{"请立即拨打 110 和反诈专线 96110", "5000 元", "待核查"} {
		if !strings.Contains(text, want) {
			t.Fatalf("after reporting, his page lacks %q:\n%s", want, text)
		}
	}
	if n := Eval[int](reporter, `document.querySelectorAll('a[href="tel:110"], a[href="tel:96110"]').length`); n < 2 {
		t.Errorf("the advice has %d call links, want 110 and 96110", n)
	}
	reporter.Screenshot("fraud-advice")
	reporter.Axe()
	report := strings.TrimPrefix(Eval[string](reporter, `location.pathname`), "/fraud/")
	deadline := time.Now().Add(10 * time.Second)
	for !slicesContain(sms.Messages("13900000002"), "96110") {
		if time.Now().After(deadline) {
			t.Fatalf("no text with the 110/96110 advice: %q", sms.Messages("13900000002"))
		}
		time.Sleep(100 * time.Millisecond)
	}

	officer := NewBrowser(t).Page(t, Tablet, "zh-CN")
	officer.signIn(srv.URL, "13800000001")
	officer.Open(srv.URL + "/fraud")
	officer.Submit(`a[href="/fraud/` + report + `"]`)
	officer.Axe()
	officer.fill(map[string]string{"f-note": "核实为冒充客服诈骗"}, `button[name="to"][value="confirmed"]`)
	officer.Submit(`form[action$="/advice"] button`)
	text = officer.text()
	for _, want := range []string{"已确认涉诈", "李明 于", "已拨打 110 和 96110"} {
		if !strings.Contains(text, want) {
			t.Fatalf("after triage the report lacks %q:\n%s", want, text)
		}
	}
	officer.Submit(`a[href="/fraud/` + report + `/notice"]`)
	if title := Eval[string](officer, `document.getElementById("f-title").value`); !strings.Contains(title, "17012345678") {
		t.Errorf("the notice is not prefilled from the report: title %q", title)
	}

	other := NewBrowser(t).Page(t, Phone, "zh-CN")
	other.signIn(srv.URL, "13900000001")
	other.Open(srv.URL + "/fraud/check")
	other.fill(map[string]string{"f-value": "17012345678"}, `form[action="/fraud/check"] button[type=submit]`)
	text = other.text()
	if !strings.Contains(text, "已被确认涉诈 1 次") {
		t.Fatalf("the check does not show one confirmed report:\n%s", text)
	}
	for _, leak := range []string{"刘德福", "13900000002", "冒充快递客服", "5000"} {
		if strings.Contains(text, leak) {
			t.Errorf("the check shows %q about the reporter:\n%s", leak, text)
		}
	}
	other.Axe()
	var lookup map[string]any
	apiCall(t, srv.URL, "GET", "/api/v1/fraud-reports/lookup?kind=phone&value=17012345678", "13900000001", nil, &lookup)
	if len(lookup) != 4 || lookup["confirmed_reports"] != float64(1) || lookup["value"] != "17012345678" {
		t.Errorf("the lookup answers %v, want kind, value, confirmed_reports 1 and last_confirmed_at only", lookup)
	}
	if status := apiStatus(t, srv.URL, "GET", "/api/v1/fraud-reports/"+report, "13900000001", nil); status != http.StatusNotFound {
		t.Errorf("his report for another resident: %d, want 404", status)
	}
	if status := apiStatus(t, srv.URL, "GET", "/api/v1/fraud-reports/"+report, "13900000002", nil); status != http.StatusOK {
		t.Errorf("his report for him: %d", status)
	}
}

func slicesContain(texts []string, part string) bool {
	for _, s := range texts {
		if strings.Contains(s, part) {
			return true
		}
	}
	return false
}
