package web_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"hash/crc32"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// postPhoto sends data as the multipart field "photo" to path.
func (ts *testServer) postPhoto(t *testing.T, path, token string, data []byte) (*http.Response, []byte) {
	t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	fw, _ := w.CreateFormFile("photo", "IMG_0002.JPG")
	fw.Write(data)
	w.Close()
	req, _ := http.NewRequest("POST", ts.URL+path, &body)
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

// callBlobFiles are the stored copies of call photos under dir.
func callBlobFiles(dir string) []string {
	var files []string
	filepath.WalkDir(filepath.Join(dir, "blobs", "calls"), func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			files = append(files, p)
		}
		return nil
	})
	return files
}

type callPhotoOut struct {
	ID       string
	CallID   string `json:"call_id"`
	URL      string
	FullURL  string `json:"full_url"`
	ThumbURL string `json:"thumb_url"`
	Width    int
	Height   int
}

func TestCallPhotosFromTheCallerAndTheResponder(t *testing.T) {
	ts, _, dir := newRightsServer(t)
	resident := ts.login(t, "13900000001").AccessToken
	resident2 := ts.login(t, "13900000002").AccessToken
	officer := ts.login(t, "13800000001").AccessToken
	officer2 := ts.login(t, "13800000002").AccessToken
	head := ts.login(t, "13800000000").AccessToken
	var call struct{ ID string }
	if resp := ts.api(t, "POST", "/api/v1/assistance-calls", resident, map[string]string{"category": "traffic"}, &call); resp.StatusCode != 201 {
		t.Fatalf("call: %d", resp.StatusCode)
	}
	photos := "/api/v1/assistance-calls/" + call.ID + "/photos"

	// Refused before anything is stored: not an image, a pixel bomb.
	ihdr := []byte("IHDR\x00\x01\x86\xa0\x00\x01\x86\xa0\x08\x02\x00\x00\x00") // 100000 × 100000
	bomb := append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\x0d"), ihdr...)
	bomb = binary.BigEndian.AppendUint32(bomb, crc32.ChecksumIEEE(ihdr))
	bomb = append(bomb, make([]byte, 64)...)
	for name, c := range map[string]struct {
		data []byte
		want int
	}{"text": {[]byte(strings.Repeat("hello ", 50)), 415}, "bomb": {bomb, 413}} {
		if resp, body := ts.postPhoto(t, photos, resident, c.data); resp.StatusCode != c.want {
			t.Errorf("%s: %d %s, want %d", name, resp.StatusCode, body, c.want)
		}
	}
	if files := callBlobFiles(dir); len(files) != 0 {
		t.Fatalf("refused uploads left files: %v", files)
	}

	// The caller adds one; the officer only once they have taken the call.
	var mine callPhotoOut
	resp, body := ts.postPhoto(t, photos, resident, cameraPhoto(t))
	if resp.StatusCode != 201 || json.Unmarshal(body, &mine) != nil || mine.CallID != call.ID || mine.Width != 200 || mine.Height != 400 {
		t.Fatalf("the caller's photo: %d %s, want 201, upright 200x400", resp.StatusCode, body)
	}
	if resp, body := ts.postPhoto(t, photos, officer, cameraPhoto(t)); resp.StatusCode != 403 {
		t.Fatalf("an officer who has not taken the call: %d %s, want 403", resp.StatusCode, body)
	}
	if resp := ts.api(t, "POST", "/api/v1/assistance-calls/"+call.ID+"/transitions", officer, map[string]string{"to": "acknowledged"}, nil); resp.StatusCode != 200 {
		t.Fatalf("acknowledge: %d", resp.StatusCode)
	}
	if resp, _ := ts.postPhoto(t, photos, officer2, cameraPhoto(t)); resp.StatusCode != 403 {
		t.Errorf("another officer of the station: %d, want 403", resp.StatusCode)
	}
	if resp, body := ts.postPhoto(t, photos, officer, cameraPhoto(t)); resp.StatusCode != 201 {
		t.Fatalf("the responding officer's photo: %d %s", resp.StatusCode, body)
	}
	if files := callBlobFiles(dir); len(files) != 6 {
		t.Fatalf("stored copies %v, want three of each photo", files)
	}

	// The caller and the station's staff see both, without metadata;
	// another resident gets 404.
	auth := func(tok string) map[string]string { return map[string]string{"Authorization": "Bearer " + tok} }
	for who, tok := range map[string]string{"caller": resident, "officer": officer, "head": head} {
		var list struct{ Items []callPhotoOut }
		if resp := ts.api(t, "GET", photos, tok, nil, &list); resp.StatusCode != 200 || len(list.Items) != 2 {
			t.Fatalf("%s lists %d photos (%d), want 2", who, len(list.Items), resp.StatusCode)
		}
		r, full := ts.do(t, "GET", list.Items[0].FullURL, "", auth(tok))
		if r.StatusCode != 200 || r.Header.Get("Content-Type") != "image/jpeg" {
			t.Fatalf("%s downloads: %d %s", who, r.StatusCode, r.Header.Get("Content-Type"))
		}
		for _, secret := range []string{"Exif", cameraSerial, "GPS"} {
			if strings.Contains(full, secret) {
				t.Errorf("%s: the photo still holds %q", who, secret)
			}
		}
	}
	for _, path := range []string{photos, mine.URL, mine.ThumbURL} {
		if r, _ := ts.do(t, "GET", path, "", auth(resident2)); r.StatusCode != 404 {
			t.Errorf("another resident on %s: %d, want 404", path, r.StatusCode)
		}
	}
	// The call page shows them to the caller and the staff.
	for who, tok := range map[string]string{"caller": resident, "officer": officer} {
		_, page := ts.do(t, "GET", "/calls/"+call.ID, "", auth(tok))
		if !strings.Contains(page, mine.ThumbURL) {
			t.Errorf("the %s's call page does not show the photo", who)
		}
	}
	// A staff member opening a photo is audited.
	var audit struct {
		Items []struct{ Action, Target string }
	}
	ts.api(t, "GET", "/api/v1/audit?action=call_photo.view", head, nil, &audit)
	if len(audit.Items) == 0 || !strings.HasPrefix(audit.Items[0].Target, "call/"+call.ID+"/photo/") {
		t.Errorf("audit of staff views: %+v", audit.Items)
	}

	// A closed call takes no more photos.
	if resp := ts.api(t, "POST", "/api/v1/assistance-calls/"+call.ID+"/transitions", officer, map[string]string{"to": "resolved"}, nil); resp.StatusCode != 200 {
		t.Fatalf("resolve: %d", resp.StatusCode)
	}
	if resp, _ := ts.postPhoto(t, photos, resident, cameraPhoto(t)); resp.StatusCode != 409 {
		t.Errorf("a photo on a resolved call: %d, want 409", resp.StatusCode)
	}

	// The caller's data export holds their photo, once.
	_, export := ts.do(t, "GET", "/api/v1/me/export", "", auth(resident))
	z, err := zip.NewReader(strings.NewReader(export), int64(len(export)))
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for _, f := range z.File {
		seen[f.Name]++
	}
	if seen["files/calls/"+call.ID+"/"+mine.ID+".jpg"] != 1 {
		t.Errorf("the export holds the caller's photo %d times, want once", seen["files/calls/"+call.ID+"/"+mine.ID+".jpg"])
	}
	for name, n := range seen {
		if n > 1 {
			t.Errorf("the export holds %s %d times", name, n)
		}
	}
}

func TestCallPhotosAreKeptLikeTheCallsLocation(t *testing.T) {
	ts, srv, dir := newRightsServer(t)
	resident := ts.login(t, "13900000001").AccessToken
	officer := ts.login(t, "13800000001").AccessToken
	head := ts.login(t, "13800000000").AccessToken
	var call struct{ ID string }
	ts.api(t, "POST", "/api/v1/assistance-calls", resident, map[string]any{"category": "other", "lat": 39.96, "lng": 116.31, "accuracy_m": 15}, &call)
	if resp, body := ts.postPhoto(t, "/api/v1/assistance-calls/"+call.ID+"/photos", resident, cameraPhoto(t)); resp.StatusCode != 201 {
		t.Fatalf("photo: %d %s", resp.StatusCode, body)
	}
	var station struct {
		StationID string `json:"station_id"`
	}
	ts.api(t, "GET", "/api/v1/me", head, nil, &station)
	ts.api(t, "PATCH", "/api/v1/stations/"+station.StationID+"/retention", head, map[string]int{"location_retention_days": 7}, nil)
	ctx := context.Background()
	now := ts.store.Now()
	// An open call keeps its photos whatever the date.
	srv.ApplyRetention(ctx, now.Add(30*24*time.Hour))
	if files := callBlobFiles(dir); len(files) != 3 {
		t.Fatalf("an open call's photo files: %v, want 3", files)
	}
	ts.api(t, "POST", "/api/v1/assistance-calls/"+call.ID+"/transitions", officer, map[string]string{"to": "acknowledged"}, nil)
	ts.api(t, "POST", "/api/v1/assistance-calls/"+call.ID+"/transitions", officer, map[string]string{"to": "resolved"}, nil)
	srv.ApplyRetention(ctx, now.Add(6*24*time.Hour))
	var list struct{ Items []callPhotoOut }
	if ts.api(t, "GET", "/api/v1/assistance-calls/"+call.ID+"/photos", officer, nil, &list); len(list.Items) != 1 || len(callBlobFiles(dir)) != 3 {
		t.Fatalf("within the period: %d photos, files %v", len(list.Items), callBlobFiles(dir))
	}
	srv.ApplyRetention(ctx, now.Add(8*24*time.Hour))
	list.Items = nil
	if ts.api(t, "GET", "/api/v1/assistance-calls/"+call.ID+"/photos", officer, nil, &list); len(list.Items) != 0 {
		t.Errorf("after the location period: %d photos, want none", len(list.Items))
	}
	if files := callBlobFiles(dir); len(files) != 0 {
		t.Errorf("after the location period the files remain: %v", files)
	}
	var c struct{ Lat *float64 }
	if ts.api(t, "GET", "/api/v1/assistance-calls/"+call.ID, officer, nil, &c); c.Lat != nil {
		t.Errorf("the location stayed while the photos went")
	}
}
