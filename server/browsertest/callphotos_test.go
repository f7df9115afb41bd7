package browsertest

import (
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// A resident adds a photo to her open call from her phone (in English);
// it appears on her call page and, live, on the officer's open call page
// (in Chinese); the officer who takes the call adds one too. Cancelling
// the call then takes a confirmation step.
func TestCallerAndOfficerAddPhotosToACall(t *testing.T) {
	srv := startDemo(t, nil)
	resident := NewBrowser(t).Page(t, Phone, "en")
	resident.signIn(srv.URL, "13900000001")
	resident.Open(srv.URL + "/help")
	resident.hold("#help-button", 2300*time.Millisecond)
	resident.WaitFor(`location.pathname.startsWith("/calls/")`)
	callURL := Eval[string](resident, `location.href`)

	officer := NewBrowser(t).Page(t, Tablet, "zh-CN")
	officer.signIn(srv.URL, "13800000001")
	officer.Open(callURL)
	officer.WaitFor(`document.getElementById("live-call") !== null`)
	if Eval[bool](officer, `document.getElementById("f-call-photo") !== null`) {
		t.Error("an officer who has not taken the call is offered the photo form")
	}

	resident.WaitFor(`document.getElementById("f-call-photo") !== null`)
	resident.Axe()
	resident.Do(chromedp.SetUploadFiles(chromedp.ID("f-call-photo"), []string{fakeCameraFile(t)}))
	resident.Submit(`form[action$="/photos"] button[type=submit]`)
	resident.WaitFor(`document.querySelectorAll(".call-photos img").length === 1 && document.querySelector(".call-photos img").naturalWidth > 0`)
	resident.Screenshot("call-photo-caller")
	resident.Axe()

	// The officer's page shows it without a reload.
	officer.WaitFor(`document.querySelectorAll(".call-photos img").length === 1 && document.querySelector(".call-photos img").naturalWidth > 0`)
	officer.Submit(`button[name="to"][value="acknowledged"]`)
	officer.WaitFor(`document.getElementById("f-call-photo") !== null`)
	officer.Do(chromedp.SetUploadFiles(chromedp.ID("f-call-photo"), []string{fakeCameraFile(t)}))
	officer.Submit(`form[action$="/photos"] button[type=submit]`)
	officer.WaitFor(`document.querySelectorAll(".call-photos img").length === 2`)
	officer.Screenshot("call-photo-officer")
	officer.Axe()
	resident.WaitFor(`document.querySelectorAll(".call-photos img").length === 2`)

	// Cancelling asks once more; confirming ends the call.
	resident.Submit(`form[action$="/move"] button[type=submit]`)
	resident.WaitFor(`document.querySelector(".confirm-step") !== null`)
	resident.Axe()
	resident.Submit(`.confirm-step button[name="confirm"][value="1"]`)
	resident.WaitFor(`document.querySelector(".call-cancelled") !== null && document.getElementById("f-call-photo") === null`)
}
