package browsertest

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"policebooth/server/app"
	"policebooth/server/notify/notifytest"
)

// at makes the tab's browser report a position (WGS-84, as a phone's GPS
// does) and lets the page read it.
func (p *Page) at(origin string, lat, lng, accuracy float64) {
	p.t.Helper()
	p.Do(chromedp.Func(func(ctx context.Context, tab *chromedp.Target) error {
		_, err := cdp.Call(ctx, tab, browser.SetPermission, browser.SetPermissionParams{
			Permission: &browser.PermissionDescriptor{Name: "geolocation"}, Setting: browser.PermissionSettingGranted, Origin: origin})
		if err != nil {
			return err
		}
		_, err = cdp.Call(ctx, tab, emulation.SetGeolocationOverride, emulation.SetGeolocationOverrideParams{Latitude: &lat, Longitude: &lng, Accuracy: &accuracy})
		return err
	}))
}

// The "done when": a resident with a safety profile (lives alone,
// hearing, one contact) holds the help button; the officer's board shows
// her name, a ring-back link, the hearing reminder and AMap/Baidu links
// whose coordinates are the GCJ-02/BD-09 conversions of the browser's
// position; the contact's text reaches the gateway; the officer hands the
// call to 120 and the resident sees it.
func TestOfficerCanActOnACallersProfileAndPlace(t *testing.T) {
	sms := notifytest.NewGateway(t)
	srv := startDemo(t, map[string]string{"POLICEBOOTH_NOTIFY_WEBHOOK": sms.URL})
	officer := NewBrowser(t).Page(t, Tablet, "zh-CN")
	officer.signIn(srv.URL, "13800000001")
	officer.Open(srv.URL + "/board")

	resident := NewBrowser(t).Page(t, Phone, "zh-CN")
	resident.signIn(srv.URL, "13900000001")
	resident.Open(srv.URL + "/safety-profile")
	resident.Axe()
	resident.Do(chromedp.Click(chromedp.ID("f-lives-alone")), chromedp.Click(chromedp.ID("f-need-hearing")), chromedp.Click(chromedp.ID("f-notify-contacts")))
	resident.fill(map[string]string{"f-contact-name-1": "王强", "f-contact-phone-1": "13900000099", "f-contact-relation-1": "儿子"}, ".safety-form button[type=submit]")
	resident.WaitFor(`document.body.innerText.includes("已保存")`)

	const lat, lng = 39.96125, 116.30140
	resident.at(srv.URL, lat, lng, 18)
	resident.Open(srv.URL + "/help")
	resident.WaitFor(`document.getElementById("help-lat").value !== ""`)
	resident.Do(chromedp.SendKeys(chromedp.ID("f-message"), "我摔倒了"))
	Eval[bool](resident, `(document.getElementById("help-button").scrollIntoView({block: "center"}), true)`)
	resident.hold("#help-button", 2300*time.Millisecond)
	resident.WaitFor(`location.pathname.startsWith("/calls/")`)

	officer.WaitFor(`document.querySelector(".call-row .caller-name") !== null`)
	text := officer.text()
	for _, want := range []string{"听障：只发文字", "独居", "回拨 13900000001"} {
		if !strings.Contains(text, want) {
			t.Errorf("the board lacks %q:\n%s", want, text)
		}
	}
	if href := Eval[string](officer, `document.querySelector(".call-row .ring-back").getAttribute("href")`); href != "tel:13900000001" {
		t.Errorf("ring-back link %q", href)
	}
	gcj := app.WGS84ToGCJ02(app.LatLng{Lat: lat, Lng: lng})
	bd := app.WGS84ToBD09(app.LatLng{Lat: lat, Lng: lng})
	amap, _ := url.Parse(Eval[string](officer, `document.querySelector(".call-row .map-amap").href`))
	baidu, _ := url.Parse(Eval[string](officer, `document.querySelector(".call-row .map-baidu").href`))
	if got, want := amap.Query().Get("position"), fmt.Sprintf("%.6f,%.6f", gcj.Lng, gcj.Lat); got != want {
		t.Errorf("AMap position %s, want the GCJ-02 %s", got, want)
	}
	if got, want := baidu.Query().Get("location"), fmt.Sprintf("%.6f,%.6f", bd.Lat, bd.Lng); got != want || baidu.Query().Get("coord_type") != "bd09ll" {
		t.Errorf("Baidu location %s (%s), want the BD-09 %s", got, baidu.Query().Get("coord_type"), want)
	}
	officer.Screenshot("board-caller")
	officer.Axe()

	deadline := time.Now().Add(10 * time.Second)
	for len(sms.Messages("13900000099")) == 0 && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	if texts := sms.Messages("13900000099"); len(texts) != 1 || !strings.Contains(texts[0], "求助") {
		t.Errorf("the contact's texts: %q", texts)
	}

	officer.Submit(".call-row a.button[href^='/calls/']")
	officer.WaitFor(`document.querySelector(".handoff-form") !== null`)
	officer.Do(chromedp.SetValue(chromedp.CSS(".handoff-form select"), "120"))
	officer.Submit(".handoff-form button")
	officer.WaitFor(`document.body.innerText.includes("已转 120 急救")`)
	officer.Axe()
	resident.WaitFor(`document.body.innerText.includes("已转 120 急救")`)
	resident.Screenshot("handed-off")
	resident.Axe()
}
