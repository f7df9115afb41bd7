package web_test

import (
	"bytes"
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"mime/multipart"
	"net/http"
	"testing"
)

// pngBytes is a small real PNG image.
func pngBytes(t *testing.T) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 4, 4))
	img.Set(1, 1, color.RGBA{200, 0, 0, 255})
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// uniquePNG is a real PNG whose pixels spell tag, in the form the server
// stores (photos are decoded and encoded again), so its bytes come back as
// they were sent.
func uniquePNG(t *testing.T, tag string) []byte {
	img := image.NewRGBA(image.Rect(0, 0, len(tag)+1, 2))
	for i, b := range []byte(tag) {
		img.Set(i, 0, color.RGBA{b, 255 - b, 7, 255})
	}
	var first, again bytes.Buffer
	if err := png.Encode(&first, img); err != nil {
		t.Fatal(err)
	}
	decoded, err := png.Decode(&first)
	if err != nil {
		t.Fatal(err)
	}
	if err := png.Encode(&again, decoded); err != nil {
		t.Fatal(err)
	}
	return again.Bytes()
}

// uploadStatus posts a file as multipart field "file" and returns the
// response and body.
func (ts *testServer) uploadStatus(t *testing.T, path, token, name string, data []byte) (*http.Response, []byte) {
	t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	fw, err := w.CreateFormFile("file", name)
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(data)
	w.Close()
	req, _ := http.NewRequest("POST", ts.URL+path, &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out bytes.Buffer
	out.ReadFrom(resp.Body)
	return resp, out.Bytes()
}

// upload posts a file and returns the new attachment's id.
func (ts *testServer) upload(t *testing.T, path, token, name string, data []byte) string {
	t.Helper()
	resp, body := ts.uploadStatus(t, path, token, name, data)
	var a struct{ ID string }
	if resp.StatusCode != 201 || json.Unmarshal(body, &a) != nil {
		t.Fatalf("upload %s: %d %s", path, resp.StatusCode, body)
	}
	return a.ID
}
