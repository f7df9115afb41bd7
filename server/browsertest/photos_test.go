package browsertest

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/jpeg"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"policebooth/server/app"
)

// fakeCameraFile writes the JPEG a tablet camera would hand the page.
func fakeCameraFile(t *testing.T) string {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 640, 480))
	for y := 0; y < 480; y++ {
		for x := 0; x < 640; x++ {
			img.Set(x, y, color.RGBA{uint8(x / 3), uint8(y / 2), 160, 255})
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, nil); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "IMG_0001.JPG")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestOfficerTakesTheFamilyPhotoAndTheFamilySeesIt: at tablet size an
// officer completes a newborn registration, is offered the photo zone,
// records the father's consent and takes a photo through the page (a fake
// camera file); the resident's phone shows it, in Chinese and English.
func TestOfficerTakesTheFamilyPhotoAndTheFamilySeesIt(t *testing.T) {
	srv := startDemo(t, nil)
	ctx := context.Background()
	resident, err := srv.Store.FindUserByPhone(ctx, "13900000001")
	if err != nil {
		t.Fatal(err)
	}
	r, err := srv.Store.CreateRequest(ctx, app.NewRequest{ResidentID: resident.ID, Services: []string{app.NewbornCode}, Newborn: &app.Newborn{
		BabyName: "陈小宝", Sex: "male", BirthDate: "2026-11-01", BirthPlace: "海淀妇幼保健院", BirthCertificateNo: "Q110654321",
		Guardians: []app.Guardian{{Name: "陈大明", Relation: "father"}, {Name: "陈秀英", Relation: "mother"}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	id := strconv.FormatInt(r.ID, 10)

	officer := NewBrowser(t).Page(t, Tablet, "zh-CN")
	officer.signIn(srv.URL, "13800000001")
	officer.Open(srv.URL + "/requests/" + id)
	for _, step := range []string{"accepted", "in_progress", "completed"} {
		officer.Submit(`button[name="to"][value="` + step + `"]`)
	}
	if got := Eval[string](officer, `location.hash`); got != "#photos" {
		t.Errorf("completing the registration lands on %q, want the photo zone", got)
	}
	text := officer.text()
	if !strings.Contains(text, "新生儿登记已办结") || !strings.Contains(text, "请先记录监护人同意") {
		t.Fatalf("the completed registration does not offer the photo zone:\n%s", text)
	}
	officer.Axe()
	officer.Do(
		chromedp.SetValue(chromedp.ID("f-guardian"), "陈大明"),
		chromedp.Click(chromedp.ID("f-keep-in-account")),
	)
	officer.Submit(`form.consent-form button[type=submit]`)
	text = officer.text()
	if !strings.Contains(text, "陈大明（父亲）") || !strings.Contains(text, "保存在家庭账户") {
		t.Fatalf("the consent is not shown:\n%s", text)
	}
	if got := Eval[string](officer, `document.getElementById("f-photo").getAttribute("accept") + " " + document.getElementById("f-photo").getAttribute("capture")`); got != "image/jpeg,image/png environment" {
		t.Errorf("the camera input: %q", got)
	}
	// The resident watches the registration on their phone meanwhile.
	watcher := NewBrowser(t).Page(t, Phone, "zh-CN")
	watcher.signIn(srv.URL, "13900000001")
	watcher.Open(srv.URL + "/requests/" + id)
	if !strings.Contains(watcher.text(), "还没有照片") {
		t.Fatalf("the resident's page before the photo:\n%s", watcher.text())
	}
	officer.Do(chromedp.SetUploadFiles(chromedp.ID("f-photo"), []string{fakeCameraFile(t)}))
	officer.WaitFor(`!document.querySelector(".photo-preview").hidden && document.querySelector("[data-photo-preview]").naturalWidth === 640`)
	officer.WaitFor(`!document.querySelector("[data-photo-retake]").hidden`)
	officer.Screenshot("preview")
	officer.Axe()
	// The script uploads, then loads the page again: Submit waits for that load.
	officer.Submit(`form.photo-capture button[type=submit]`)
	officer.WaitFor(`location.search.startsWith("?taken=") && document.readyState === "complete" && document.body.innerText.includes("照片已上传") && document.querySelector(".photo-grid img") !== null`)
	officer.WaitFor(`document.querySelector(".photo-grid img").complete && document.querySelector(".photo-grid img").naturalWidth === 320`)
	officer.Screenshot("taken")
	officer.Axe()
	watcher.WaitFor(`document.querySelector("#photos .photo-grid img") !== null`)
	watcher.Axe()

	for _, lang := range []string{"zh-CN", "en"} {
		family := NewBrowser(t).Page(t, Phone, lang)
		family.signIn(srv.URL, "13900000001")
		if lang == "en" {
			family.Submit(".lang-switch button")
		}
		family.Open(srv.URL + "/photos")
		family.WaitFor(`document.querySelector(".family-photo img") !== null && document.querySelector(".family-photo img").complete && document.querySelector(".family-photo img").naturalWidth === 640`)
		text := family.text()
		want := map[string]string{"zh-CN": "陈小宝 的全家福", "en": "陈小宝's family photos"}[lang]
		if !strings.Contains(text, want) {
			t.Errorf("%s: the family page lacks %q:\n%s", lang, want, text)
		}
		family.Screenshot("family")
		family.Axe()
	}
}
