package browsertest

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"

	"policebooth/server/app"
)

// uploadFamilyPhoto has the demo officer take a newborn registration's
// photo through the API, the father's consent recorded first.
func uploadFamilyPhoto(t *testing.T, srv *Server, requestID string) {
	t.Helper()
	if code := apiStatus(t, srv.URL, "POST", "/api/v1/service-requests/"+requestID+"/photo-consents", "13800000001",
		map[string]any{"guardian": "陈大明", "keep_in_account": true}); code != 201 {
		t.Fatalf("consent: %d", code)
	}
	jpg, err := os.ReadFile(fakeCameraFile(t))
	if err != nil {
		t.Fatal(err)
	}
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	part, _ := w.CreateFormFile("photo", "IMG_0001.JPG")
	part.Write(jpg)
	w.Close()
	req, _ := http.NewRequest("POST", srv.URL+"/api/v1/service-requests/"+requestID+"/photos", &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+apiToken(t, srv.URL, "13800000001"))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 201 {
		t.Fatalf("photo: %d", resp.StatusCode)
	}
}

// TestFamilyInvitationIsAnOfferTheInviteeAccepts: 陈秀英 invites the number
// of 刘德福 to her newborn's photos on her phone; the page says the same as
// for any number and names nobody. 刘德福's home tells him of the offer;
// his family page (in English, and in elder mode in Chinese) shows who
// offered and no photo; once he accepts, the photo is his to see and
// 陈秀英's page names him.
func TestFamilyInvitationIsAnOfferTheInviteeAccepts(t *testing.T) {
	srv := startDemo(t, nil)
	ctx := context.Background()
	filer, err := srv.Store.FindUserByPhone(ctx, "13900000001")
	if err != nil {
		t.Fatal(err)
	}
	r, err := srv.Store.CreateRequest(ctx, app.NewRequest{ResidentID: filer.ID, Services: []string{app.NewbornCode}, Newborn: &app.Newborn{
		BabyName: "陈小宝", Sex: "male", BirthDate: "2026-11-01", BirthPlace: "海淀妇幼保健院", BirthCertificateNo: "Q110654321",
		Guardians: []app.Guardian{{Name: "陈大明", Relation: "father"}, {Name: "陈秀英", Relation: "mother"}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	uploadFamilyPhoto(t, srv, strconv.FormatInt(r.ID, 10))

	mother := NewBrowser(t).Page(t, Phone, "zh-CN")
	mother.signIn(srv.URL, "13900000001")
	mother.Open(srv.URL + "/photos")
	mother.fill(map[string]string{"f-invite-" + strconv.FormatInt(r.ID, 10): "139 0000 0002"}, `form[action$="/family"] button[type=submit]`)
	if text := mother.text(); !strings.Contains(text, "邀请已发出") || strings.Contains(text, "刘德福") {
		t.Fatalf("after inviting, the filer's page:\n%s", text)
	}
	mother.Axe()

	father := NewBrowser(t).Page(t, Phone, "zh-CN")
	father.signIn(srv.URL, "13900000002")
	father.Open(srv.URL + "/")
	father.Submit(`.elder-offer button[value="1"]`)
	if text := father.text(); !strings.Contains(text, "您有 1 个全家福邀请") {
		t.Fatalf("the invitee's home does not tell of the offer:\n%s", text)
	}
	father.Submit(`main a[href="/photos#invitations"]`)
	text := father.text()
	if !strings.Contains(text, "陈秀英 邀请您查看宝宝的全家福。") || strings.Contains(text, "陈小宝") {
		t.Fatalf("the offer before accepting (the baby is named only after):\n%s", text)
	}
	if Eval[bool](father, `document.querySelector(".family-photo img") !== null`) {
		t.Fatal("a photo is shown before the offer is accepted")
	}
	checkElderSizes(t, father, "/photos")
	father.Axe()
	english := NewBrowser(t).Page(t, Phone, "en")
	english.signIn(srv.URL, "13900000002")
	english.Submit(".lang-switch button")
	english.Open(srv.URL + "/photos")
	if text := english.text(); !strings.Contains(text, "陈秀英 invites you to see their newborn's family photos.") || !strings.Contains(text, "Accept") {
		t.Errorf("the English offer:\n%s", text)
	}
	english.Axe()
	english.Submit(".lang-switch button") // back to Chinese, kept with the account

	father.Submit(`form[action$="/accept"] button[type=submit]`)
	father.WaitFor(`document.querySelector(".family-photo img") !== null && document.querySelector(".family-photo img").complete && document.querySelector(".family-photo img").naturalWidth === 640`)
	if text := father.text(); !strings.Contains(text, "已接受邀请") || !strings.Contains(text, "陈小宝 的全家福") {
		t.Errorf("after accepting:\n%s", text)
	}
	father.Axe()

	mother.Open(srv.URL + "/photos")
	if text := mother.text(); !strings.Contains(text, "已加入： 刘德福") {
		t.Errorf("the filer's page once accepted:\n%s", text)
	}
}
