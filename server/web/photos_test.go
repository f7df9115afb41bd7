package web_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"policebooth/server/app"
	"policebooth/server/notify/notifytest"
)

const cameraSerial = "SN-WEB-CAMERA-0042"

// cameraPhoto is a landscape JPEG (red left, blue right) carrying what a
// phone writes: EXIF orientation 6 (turn 90° clockwise), a GPS IFD and the
// camera's serial number.
func cameraPhoto(t testing.TB) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 400, 200))
	for y := 0; y < 200; y++ {
		for x := 0; x < 400; x++ {
			c := color.RGBA{220, 20, 20, 255}
			if x >= 200 {
				c = color.RGBA{20, 20, 220, 255}
			}
			img.Set(x, y, c)
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, nil); err != nil {
		t.Fatal(err)
	}
	le := binary.LittleEndian
	tiff := []byte{'I', 'I', 42, 0, 8, 0, 0, 0}
	entry := func(tag, typ uint16, count, value uint32) {
		tiff = le.AppendUint16(tiff, tag)
		tiff = le.AppendUint16(tiff, typ)
		tiff = le.AppendUint32(tiff, count)
		tiff = le.AppendUint32(tiff, value)
	}
	serial := cameraSerial + "\x00"
	tiff = le.AppendUint16(tiff, 3)
	entry(0x0112, 3, 1, 6)                    // orientation
	entry(0x8825, 4, 1, 50)                   // GPS IFD at 50
	entry(0xA431, 2, uint32(len(serial)), 68) // body serial number at 68
	tiff = le.AppendUint32(tiff, 0)           // 8+2+36+4 = 50
	tiff = le.AppendUint16(tiff, 1)           // GPS IFD: one entry
	entry(0x0001, 2, 2, uint32('N'))          // latitude ref
	tiff = le.AppendUint32(tiff, 0)           // 50+2+12+4 = 68
	tiff = append(tiff, serial...)
	app1 := append([]byte("Exif\x00\x00"), tiff...)
	seg := binary.BigEndian.AppendUint16([]byte{0xFF, 0xE1}, uint16(len(app1)+2))
	plain := buf.Bytes()
	out := append([]byte{}, plain[:2]...)
	out = append(out, append(seg, app1...)...)
	return append(out, plain[2:]...)
}

// uploadPhoto posts a photo as multipart field "photo".
func (ts *testServer) uploadPhoto(t *testing.T, requestID, token string, data []byte) (*http.Response, []byte) {
	t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	fw, _ := w.CreateFormFile("photo", "IMG_0001.JPG")
	fw.Write(data)
	w.Close()
	req, _ := http.NewRequest("POST", ts.URL+"/api/v1/service-requests/"+requestID+"/photos", &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out bytes.Buffer
	out.ReadFrom(resp.Body)
	return resp, out.Bytes()
}

// newbornBody is a newborn registration as the API takes it.
func newbornBody(birth string, guardians ...map[string]string) map[string]any {
	return map[string]any{"services": []string{"newborn_registration"}, "newborn": map[string]any{
		"baby_name": "陈小宝", "sex": "male", "birth_date": birth, "birth_place": "海淀妇幼保健院",
		"birth_certificate_no": "Q110654321", "guardians": guardians,
	}}
}

var father = map[string]string{"name": "陈大明", "relation": "father", "phone": "13900000009"}

// fileNewborn files a newborn registration as the resident and returns its id.
func (ts *testServer) fileNewborn(t *testing.T, token string) string {
	t.Helper()
	var r struct{ ID string }
	if resp := ts.api(t, "POST", "/api/v1/service-requests", token, newbornBody("2026-11-01", father, map[string]string{"name": "陈秀英", "relation": "mother"}), &r); resp.StatusCode != 201 {
		t.Fatalf("file newborn: %d", resp.StatusCode)
	}
	return r.ID
}

// photoFixtures makes the records the authorisation matrix names: the demo
// resident's newborn registration with two consents, two photos and a share
// link. It returns the placeholders and their values.
func photoFixtures(t *testing.T, ts *testServer, resident, officer string) []string {
	t.Helper()
	newborn := ts.fileNewborn(t, resident)
	var c1, c2, p1, p2, link struct{ ID, URL string }
	ts.api(t, "POST", "/api/v1/service-requests/"+newborn+"/photo-consents", officer, map[string]any{"guardian": "陈大明", "keep_in_account": true}, &c1)
	ts.api(t, "POST", "/api/v1/service-requests/"+newborn+"/photo-consents", officer, map[string]any{"guardian": "陈秀英", "keep_in_account": true}, &c2)
	for _, p := range []*struct{ ID, URL string }{&p1, &p2} {
		resp, body := ts.uploadPhoto(t, newborn, officer, cameraPhoto(t))
		if resp.StatusCode != 201 || json.Unmarshal(body, p) != nil {
			t.Fatalf("fixture photo: %d %s", resp.StatusCode, body)
		}
	}
	ts.api(t, "POST", "/api/v1/photos/"+p1.ID+"/share-links", resident, map[string]any{}, &link)
	token := link.URL[strings.LastIndex(link.URL, "/")+1:]
	// An offer of the photos to the other demo resident.
	if resp := ts.api(t, "POST", "/api/v1/service-requests/"+newborn+"/family", resident, map[string]string{"phone": "13900000002"}, nil); resp.StatusCode != 202 {
		t.Fatalf("the matrix invitation: %d", resp.StatusCode)
	}
	invitee, err := ts.store.FindUserByPhone(context.Background(), "13900000002")
	if err != nil {
		t.Fatal(err)
	}
	offers, err := ts.store.ListFamilyInvitations(context.Background(), invitee.ID)
	if err != nil || len(offers) != 1 {
		t.Fatalf("the matrix invitation: %v %v", offers, err)
	}
	return []string{"{invitation}", strconv.FormatInt(offers[0].ID, 10), "{newborn}", newborn, "{consent}", c1.ID, "{consent2}", c2.ID, "{photo}", p1.ID, "{photo2}", p2.ID, "{sharelink}", link.ID, "{token}", token}
}

func TestNewbornRegistrationIsValidatedAndShown(t *testing.T) {
	ts := newTestServer(t, nil)
	ts.demo(t)
	resident := ts.login(t, "13900000001").AccessToken
	tomorrow := time.Now().In(time.FixedZone("CST", 8*3600)).AddDate(0, 0, 2).Format(time.DateOnly)
	for name, body := range map[string]map[string]any{
		"born in the future": newbornBody(tomorrow, father),
		"no guardian":        newbornBody("2026-11-01"),
	} {
		resp, text := ts.do(t, "POST", "/api/v1/service-requests", mustJSON(t, body), map[string]string{"Authorization": "Bearer " + resident})
		if resp.StatusCode != 400 || !strings.Contains(text, "newborn.") {
			t.Errorf("%s: %d %s, want 400 naming the newborn field", name, resp.StatusCode, text)
		}
	}
	id := ts.fileNewborn(t, resident)
	officer := ts.login(t, "13800000001").AccessToken
	_, page := ts.do(t, "GET", "/requests/"+id, "", map[string]string{"Authorization": "Bearer " + officer})
	for _, want := range []string{"陈小宝", "2026-11-01", "海淀妇幼保健院", "Q110654321", "陈大明 · 139****0009", "陈秀英", "全家福"} {
		if !strings.Contains(page, want) {
			t.Errorf("request page lacks %q", want)
		}
	}
	if strings.Contains(page, "13900000009") || strings.Contains(page, "新生儿登记已办结") {
		t.Error("the page shows the guardian's full number, or offers the photo zone before completion")
	}
	for _, to := range []string{"accepted", "in_progress", "completed"} {
		if resp := ts.api(t, "POST", "/api/v1/service-requests/"+id+"/transitions", officer, map[string]string{"to": to}, nil); resp.StatusCode != 200 {
			t.Fatalf("move to %s: %d", to, resp.StatusCode)
		}
	}
	_, page = ts.do(t, "GET", "/requests/"+id, "", map[string]string{"Authorization": "Bearer " + officer})
	if !strings.Contains(page, "新生儿登记已办结") || !strings.Contains(page, "/photo-consent") {
		t.Error("a completed registration does not offer the photo zone")
	}
}

func mustJSON(t *testing.T, v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// blobFiles lists the stored photo copies under the data dir.
func blobFiles(t *testing.T, dir string) []string {
	var files []string
	filepath.WalkDir(filepath.Join(dir, "blobs", "photos"), func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			files = append(files, p)
		}
		return nil
	})
	return files
}

func TestFamilyPhotoThroughTheAPI(t *testing.T) {
	dir := t.TempDir()
	gw := notifytest.NewGateway(t)
	ts := newTestServer(t, map[string]string{"POLICEBOOTH_DATA_DIR": dir, "POLICEBOOTH_NOTIFY_WEBHOOK": gw.URL})
	ts.demo(t)
	resident := ts.login(t, "13900000001").AccessToken
	resident2 := ts.login(t, "13900000002").AccessToken
	officer := ts.login(t, "13800000001").AccessToken
	head := ts.login(t, "13800000000").AccessToken
	id := ts.fileNewborn(t, resident)

	// No consent, no upload.
	resp, body := ts.uploadPhoto(t, id, officer, cameraPhoto(t))
	if resp.StatusCode != 400 || !strings.Contains(string(body), "consent") {
		t.Fatalf("upload before consent: %d %s, want 400 about consent", resp.StatusCode, body)
	}
	var consent struct {
		ID           string
		Relation     string
		WelcomeBoard bool `json:"welcome_board"`
	}
	if resp := ts.api(t, "POST", "/api/v1/service-requests/"+id+"/photo-consents", officer, map[string]any{"guardian": "陈大明", "keep_in_account": true}, &consent); resp.StatusCode != 201 || consent.Relation != "father" || consent.WelcomeBoard {
		t.Fatalf("consent: %d %+v", resp.StatusCode, consent)
	}

	// Refused before any work: not an image, a decompression bomb, too many bytes.
	ihdr := []byte("IHDR\x00\x01\x86\xa0\x00\x01\x86\xa0\x08\x02\x00\x00\x00") // 100000 × 100000
	bomb := append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\x0d"), ihdr...)
	bomb = binary.BigEndian.AppendUint32(bomb, crc32.ChecksumIEEE(ihdr))
	bomb = append(bomb, make([]byte, 64)...)
	for name, c := range map[string]struct {
		data []byte
		want int
	}{
		"text":  {[]byte(strings.Repeat("hello ", 50)), 415},
		"bomb":  {bomb, 413},
		"large": {append([]byte("\xFF\xD8\xFF\xE0"), make([]byte, 12<<20+100)...), 413},
	} {
		if resp, body := ts.uploadPhoto(t, id, officer, c.data); resp.StatusCode != c.want {
			t.Errorf("%s: %d %s, want %d", name, resp.StatusCode, body, c.want)
		}
	}
	if files := blobFiles(t, dir); len(files) != 0 {
		t.Fatalf("refused uploads left files: %v", files)
	}

	var p struct {
		ID, URL  string
		FullURL  string `json:"full_url"`
		ThumbURL string `json:"thumb_url"`
		Width    int
		Height   int
	}
	resp, body = ts.uploadPhoto(t, id, officer, cameraPhoto(t))
	if resp.StatusCode != 201 || json.Unmarshal(body, &p) != nil || p.Width != 200 || p.Height != 400 {
		t.Fatalf("upload: %d %s, want 201 with the photo upright (200x400)", resp.StatusCode, body)
	}
	if files := blobFiles(t, dir); len(files) != 3 {
		t.Fatalf("stored copies %v, want full, display and thumbnail", files)
	}
	auth := func(tok string) map[string]string { return map[string]string{"Authorization": "Bearer " + tok} }
	r, full := ts.do(t, "GET", p.FullURL, "", auth(resident))
	if r.StatusCode != 200 || !strings.HasPrefix(r.Header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("download: %d %v", r.StatusCode, r.Header)
	}
	for _, secret := range []string{"Exif", cameraSerial, "GPS"} {
		if strings.Contains(full, secret) {
			t.Errorf("the downloaded photo still holds %q", secret)
		}
	}
	cfg, err := jpeg.DecodeConfig(strings.NewReader(full))
	if err != nil || cfg.Width != 200 || cfg.Height != 400 {
		t.Errorf("downloaded photo %dx%d, %v: want 200x400", cfg.Width, cfg.Height, err)
	}

	// Another resident: 404. Staff of the station see it, and each view is audited.
	if r, _ := ts.do(t, "GET", p.URL, "", auth(resident2)); r.StatusCode != 404 {
		t.Errorf("another resident: %d, want 404", r.StatusCode)
	}
	for _, tok := range []string{officer, head} {
		if r, _ := ts.do(t, "GET", p.ThumbURL, "", auth(tok)); r.StatusCode != 200 || r.Header.Get("Content-Type") != "image/jpeg" {
			t.Errorf("staff view: %d %s", r.StatusCode, r.Header.Get("Content-Type"))
		}
	}
	var audit struct {
		Items []struct{ Action, Target string }
	}
	ts.api(t, "GET", "/api/v1/audit?action=photo.view", head, nil, &audit)
	if len(audit.Items) != 2 || audit.Items[0].Target != "photo/"+p.ID {
		t.Errorf("audit of staff views: %+v, want two", audit.Items)
	}

	// Share link: works until revoked, or until it expires.
	var link struct{ ID, URL string }
	if resp := ts.api(t, "POST", "/api/v1/photos/"+p.ID+"/share-links", resident, map[string]int{"days": 31}, nil); resp.StatusCode != 400 {
		t.Errorf("31-day link: %d, want 400", resp.StatusCode)
	}
	ts.api(t, "POST", "/api/v1/photos/"+p.ID+"/share-links", resident, map[string]int{"days": 3}, &link)
	shared := strings.TrimPrefix(link.URL, "http://localhost:8080")
	if r, text := ts.do(t, "GET", shared, "", nil); r.StatusCode != 200 || strings.Contains(text, "陈小宝") || !strings.Contains(text, shared+"/image") {
		t.Errorf("shared page: %d; want the photo and nothing about the family", r.StatusCode)
	}
	if r, _ := ts.do(t, "GET", shared+"/image", "", nil); r.StatusCode != 200 || r.Header.Get("Content-Type") != "image/jpeg" {
		t.Errorf("shared image: %d", r.StatusCode)
	}
	if r, _ := ts.do(t, "DELETE", "/api/v1/share-links/"+link.ID, "", auth(resident2)); r.StatusCode != 404 {
		t.Errorf("another resident revokes: %d", r.StatusCode)
	}
	if r, _ := ts.do(t, "DELETE", "/api/v1/share-links/"+link.ID, "", auth(resident)); r.StatusCode != 204 {
		t.Errorf("revoke: %d", r.StatusCode)
	}
	if r, _ := ts.do(t, "GET", shared+"/image", "", nil); r.StatusCode != 404 {
		t.Errorf("revoked link: %d, want 404", r.StatusCode)
	}
	ts.api(t, "POST", "/api/v1/photos/"+p.ID+"/share-links", resident, map[string]any{}, &link)
	shared = strings.TrimPrefix(link.URL, "http://localhost:8080")
	if r, _ := ts.do(t, "GET", shared+"/image", "", nil); r.StatusCode != 200 {
		t.Errorf("second link: %d", r.StatusCode)
	}
	ts.store.DB().Model(&app.ShareLink{}).Where("id = ?", link.ID).Update("expires_at", time.Now().Add(-time.Minute).UTC())
	if r, _ := ts.do(t, "GET", shared+"/image", "", nil); r.StatusCode != 404 {
		t.Errorf("expired link: %d, want 404", r.StatusCode)
	}

	// Delete: every stored copy goes.
	if r, _ := ts.do(t, "DELETE", "/api/v1/photos/"+p.ID, "", auth(resident2)); r.StatusCode != 404 {
		t.Errorf("another resident deletes: %d", r.StatusCode)
	}
	if r, _ := ts.do(t, "DELETE", "/api/v1/photos/"+p.ID, "", auth(resident)); r.StatusCode != 204 {
		t.Fatalf("delete: %d", r.StatusCode)
	}
	if files := blobFiles(t, dir); len(files) != 0 {
		t.Errorf("copies left after delete: %v", files)
	}
	if r, _ := ts.do(t, "GET", p.URL, "", auth(officer)); r.StatusCode != 404 {
		t.Errorf("deleted photo: %d", r.StatusCode)
	}
}

func TestRetentionDeletesOnScheduleAndSparesKeep(t *testing.T) {
	dir := t.TempDir()
	gw := notifytest.NewGateway(t)
	ts := newTestServer(t, map[string]string{"POLICEBOOTH_DATA_DIR": dir, "POLICEBOOTH_NOTIFY_WEBHOOK": gw.URL})
	ts.demo(t)
	resident := ts.login(t, "13900000001").AccessToken
	officer := ts.login(t, "13800000001").AccessToken
	id := ts.fileNewborn(t, resident)
	ts.api(t, "POST", "/api/v1/service-requests/"+id+"/photo-consents", officer, map[string]any{"guardian": "陈秀英", "keep_in_account": true}, nil)
	var kept, expiring struct{ ID, URL string }
	for _, p := range []any{&kept, &expiring} {
		_, body := ts.uploadPhoto(t, id, officer, cameraPhoto(t))
		json.Unmarshal(body, p)
	}
	if resp := ts.api(t, "POST", "/api/v1/photos/"+kept.ID+"/keep", resident, map[string]bool{"keep": true}, nil); resp.StatusCode != 200 {
		t.Fatalf("keep: %d", resp.StatusCode)
	}
	ctx := context.Background()
	now := time.Now()

	// 80 days on (the demo station keeps photos 90 days): nothing to say.
	if err := ts.srv.RunPhotoRetention(ctx, now.AddDate(0, 0, 80)); err != nil {
		t.Fatal(err)
	}
	if msgs := gw.Messages("13900000001"); len(msgs) != 0 {
		t.Fatalf("told at day 80: %v", msgs)
	}
	// 85 days on: the family is told once, of the photo not kept.
	for range 2 {
		if err := ts.srv.RunPhotoRetention(ctx, now.AddDate(0, 0, 85)); err != nil {
			t.Fatal(err)
		}
	}
	gw.WaitMessages(t, "13900000001", 1)
	time.Sleep(500 * time.Millisecond) // a second text would have arrived by now
	msgs := gw.Messages("13900000001")
	if len(msgs) != 1 || !strings.Contains(msgs[0], "1 张全家福") {
		t.Fatalf("texts %v, want one about 1 photo", msgs)
	}
	// The page says so too, once the deletion is within a week.
	ts.store.DB().Model(&app.Photo{}).Where("id = ?", expiring.ID).Update("delete_after", now.Add(72*time.Hour).UTC())
	_, page := ts.do(t, "GET", "/photos", "", map[string]string{"Authorization": "Bearer " + resident})
	if !strings.Contains(page, "data-retention-notice") || !strings.Contains(page, "有 1 张照片将于") {
		t.Error("the photos page shows no notice of the coming deletion")
	}
	// Past the period: the photo not kept is gone with its copies; the kept one stays.
	if err := ts.srv.RunPhotoRetention(ctx, now.AddDate(0, 0, 91)); err != nil {
		t.Fatal(err)
	}
	if r, _ := ts.do(t, "GET", expiring.URL, "", map[string]string{"Authorization": "Bearer " + resident}); r.StatusCode != 404 {
		t.Errorf("expired photo: %d, want 404", r.StatusCode)
	}
	if r, _ := ts.do(t, "GET", kept.URL, "", map[string]string{"Authorization": "Bearer " + resident}); r.StatusCode != 200 {
		t.Errorf("kept photo: %d, want 200", r.StatusCode)
	}
	if files := blobFiles(t, dir); len(files) != 3 {
		t.Errorf("stored copies %d, want the kept photo's 3", len(files))
	}
}

func TestSecondGuardianIsInvitedByPhone(t *testing.T) {
	ts := newTestServer(t, nil)
	ts.demo(t)
	resident := ts.login(t, "13900000001").AccessToken
	resident2 := ts.login(t, "13900000002").AccessToken
	officer := ts.login(t, "13800000001").AccessToken
	id := ts.fileNewborn(t, resident)
	ts.api(t, "POST", "/api/v1/service-requests/"+id+"/photo-consents", officer, map[string]any{"guardian": "陈秀英", "keep_in_account": true}, nil)
	var p struct{ ID, URL string }
	_, body := ts.uploadPhoto(t, id, officer, cameraPhoto(t))
	json.Unmarshal(body, &p)
	auth := map[string]string{"Authorization": "Bearer " + resident2}
	if r, _ := ts.do(t, "GET", p.URL, "", auth); r.StatusCode != 404 {
		t.Fatalf("before the invitation: %d", r.StatusCode)
	}
	if resp := ts.api(t, "POST", "/api/v1/service-requests/"+id+"/family", resident2, map[string]string{"phone": "13900000002"}, nil); resp.StatusCode != 404 {
		t.Errorf("the other resident invites themselves: %d, want 404", resp.StatusCode)
	}
	// The filer's answer is the same for a number with an account and one without.
	for _, phone := range []string{"139 0000 0002", "13911118888"} {
		resp, body := ts.do(t, "POST", "/api/v1/service-requests/"+id+"/family", `{"phone":"`+phone+`"}`, map[string]string{"Authorization": "Bearer " + resident})
		if resp.StatusCode != 202 || strings.TrimSpace(body) != `{"status":"invited"}` {
			t.Fatalf("invite %s: %d %s", phone, resp.StatusCode, body)
		}
	}
	// An offer, not access: the invitee sees who offered, and nothing else yet.
	if r, _ := ts.do(t, "GET", p.URL, "", auth); r.StatusCode != 404 {
		t.Errorf("the invited guardian before accepting: %d, want 404", r.StatusCode)
	}
	if r, _ := ts.do(t, "GET", "/api/v1/service-requests/"+id, "", auth); r.StatusCode != 404 {
		t.Errorf("the registration before accepting: %d, want 404", r.StatusCode)
	}
	var offers struct {
		Items []struct {
			ID, From, Status string
			RequestID        string `json:"request_id"`
		}
	}
	ts.api(t, "GET", "/api/v1/family-invitations", resident2, nil, &offers)
	if len(offers.Items) != 1 || offers.Items[0].From != "陈秀英" || offers.Items[0].Status != "offered" || offers.Items[0].RequestID != "" {
		t.Fatalf("the invitee's offers: %+v, want one from 陈秀英 without the registration", offers.Items)
	}
	if resp := ts.api(t, "POST", "/api/v1/family-invitations/"+offers.Items[0].ID+"/accept", resident, nil, nil); resp.StatusCode != 404 {
		t.Errorf("the filer accepts their own offer: %d, want 404", resp.StatusCode)
	}
	var accepted struct {
		Status    string
		RequestID string `json:"request_id"`
	}
	if resp := ts.api(t, "POST", "/api/v1/family-invitations/"+offers.Items[0].ID+"/accept", resident2, nil, &accepted); resp.StatusCode != 200 || accepted.Status != "accepted" || accepted.RequestID != id {
		t.Fatalf("accept: %d %+v", resp.StatusCode, accepted)
	}
	if resp := ts.api(t, "POST", "/api/v1/family-invitations/"+offers.Items[0].ID+"/decline", resident2, nil, nil); resp.StatusCode != 409 {
		t.Errorf("declining an accepted offer: %d, want 409", resp.StatusCode)
	}
	if r, _ := ts.do(t, "GET", p.URL, "", auth); r.StatusCode != 200 {
		t.Errorf("the invited guardian: %d, want 200", r.StatusCode)
	}
	var list struct{ Items []struct{ ID string } }
	ts.api(t, "GET", "/api/v1/photos", resident2, nil, &list)
	if len(list.Items) != 1 || list.Items[0].ID != p.ID {
		t.Errorf("the invited guardian's list: %+v", list.Items)
	}
	if _, page := ts.do(t, "GET", "/photos", "", auth); !strings.Contains(page, "陈小宝 的全家福") || strings.Contains(page, "邀请另一位监护人") {
		t.Error("the invited guardian's page: want the photos, without inviting others")
	}
}

func TestNewbornFormSaysWhatIsWrongByTheField(t *testing.T) {
	ts := newTestServer(t, nil)
	ts.demo(t)
	resident := ts.login(t, "13900000001").AccessToken
	future := time.Now().AddDate(0, 0, 3).Format(time.DateOnly)
	form := "service=newborn_registration&nb_baby_name=陈小宝&nb_sex=male&nb_birth_date=" + future +
		"&nb_birth_place=海淀妇幼保健院&nb_certificate=Q110654321&nb_guardian_name=陈大明&nb_guardian_relation=father&idempotency_key=nb-form-1"
	resp, page := ts.do(t, "POST", "/requests/new", form, map[string]string{"Authorization": "Bearer " + resident, "Content-Type": "application/x-www-form-urlencoded"})
	if resp.StatusCode != 400 || !strings.Contains(page, "出生日期不能晚于今天。") {
		t.Errorf("a birth date in the future: %d, want 400 saying so by the field", resp.StatusCode)
	}
}
