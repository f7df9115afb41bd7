package web_test

import (
	"bytes"
	"encoding/json"
	"image/jpeg"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
)

// uploadScreenshot posts a picture as multipart field "screenshot" to a
// fraud report.
func (ts *testServer) uploadScreenshot(t *testing.T, reportID, token string, data []byte) (*http.Response, []byte) {
	t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	fw, _ := w.CreateFormFile("screenshot", "Screenshot_2026.jpg")
	fw.Write(data)
	w.Close()
	req, _ := http.NewRequest("POST", ts.URL+"/api/v1/fraud-reports/"+reportID+"/screenshots", &body)
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

// A screenshot goes through the photo pipeline (upright, no metadata, a
// thumbnail), is seen by its reporter and the station's officers only, is
// added by the reporter only, and a report holds five at most.
func TestFraudScreenshotsAreTheReportersAndTheStations(t *testing.T) {
	ts := newTestServer(t, nil)
	ts.demo(t)
	resident := ts.login(t, "13900000001").AccessToken
	resident2 := ts.login(t, "13900000002").AccessToken
	officer := ts.login(t, "13800000001").AccessToken
	var rep struct{ ID string }
	if resp := ts.api(t, "POST", "/api/v1/fraud-reports", resident, map[string]any{"kind": "sms", "value": "【银行】您的账户异常", "description": "短信"}, &rep); resp.StatusCode != 201 {
		t.Fatalf("report: %d", resp.StatusCode)
	}
	if resp, body := ts.uploadScreenshot(t, rep.ID, resident2, cameraPhoto(t)); resp.StatusCode != 404 {
		t.Errorf("another resident adds a screenshot: %d %s, want 404", resp.StatusCode, body)
	}
	if resp, body := ts.uploadScreenshot(t, rep.ID, resident, []byte("<html>not a picture</html>")); resp.StatusCode != 415 {
		t.Errorf("not a picture: %d %s, want 415", resp.StatusCode, body)
	}
	resp, body := ts.uploadScreenshot(t, rep.ID, resident, cameraPhoto(t))
	var sc struct {
		ID, URL       string
		ThumbURL      string `json:"thumb_url"`
		Width, Height int
	}
	if resp.StatusCode != 201 || json.Unmarshal(body, &sc) != nil || sc.Width != 200 || sc.Height != 400 {
		t.Fatalf("upload: %d %s, want 201 upright (200x400)", resp.StatusCode, body)
	}
	auth := func(tok string) map[string]string { return map[string]string{"Authorization": "Bearer " + tok} }
	for who, tok := range map[string]string{"reporter": resident, "officer": officer} {
		r, img := ts.do(t, "GET", sc.URL, "", auth(tok))
		if r.StatusCode != 200 || r.Header.Get("Content-Type") != "image/jpeg" {
			t.Fatalf("%s reads the screenshot: %d %s", who, r.StatusCode, r.Header.Get("Content-Type"))
		}
		for _, secret := range []string{"Exif", cameraSerial, "GPS"} {
			if strings.Contains(img, secret) {
				t.Errorf("the screenshot still holds %q", secret)
			}
		}
		if cfg, err := jpeg.DecodeConfig(strings.NewReader(img)); err != nil || cfg.Width != 200 || cfg.Height != 400 {
			t.Errorf("%s: %dx%d %v", who, cfg.Width, cfg.Height, err)
		}
		if r, _ := ts.do(t, "GET", sc.ThumbURL, "", auth(tok)); r.StatusCode != 200 {
			t.Errorf("%s reads the thumbnail: %d", who, r.StatusCode)
		}
	}
	if r, _ := ts.do(t, "GET", sc.URL, "", auth(resident2)); r.StatusCode != 404 {
		t.Errorf("another resident reads the screenshot: %d, want 404", r.StatusCode)
	}
	var got struct{ Screenshots []struct{ ID string } }
	ts.api(t, "GET", "/api/v1/fraud-reports/"+rep.ID, officer, nil, &got)
	if len(got.Screenshots) != 1 || got.Screenshots[0].ID != sc.ID {
		t.Errorf("the report's screenshots: %+v", got.Screenshots)
	}
	if _, page := ts.do(t, "GET", "/fraud/"+rep.ID, "", auth(officer)); !strings.Contains(page, `src="`+sc.ThumbURL) || strings.Contains(page, `name="screenshot"`) {
		t.Error("the officer's page: want the thumbnail, without the upload form")
	}
	for i := 2; i <= 5; i++ {
		if resp, body := ts.uploadScreenshot(t, rep.ID, resident, cameraPhoto(t)); resp.StatusCode != 201 {
			t.Fatalf("screenshot %d: %d %s", i, resp.StatusCode, body)
		}
	}
	if resp, body := ts.uploadScreenshot(t, rep.ID, resident, cameraPhoto(t)); resp.StatusCode != 409 || !strings.Contains(string(body), "5") {
		t.Errorf("a sixth screenshot: %d %s, want 409", resp.StatusCode, body)
	}
}
