package web_test

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"slices"
	"strings"
	"testing"
)

// hostileFiles are uploads that lie about what they are. Each is sent as a
// .png or .jpg with an image content type, under both field names the
// upload routes read.
func hostileFiles(t *testing.T) map[string][]byte {
	html := []byte("<!doctype html><html><script>alert(document.cookie)</script></html>")
	pdfThenHTML := append([]byte("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"), html...)
	return map[string][]byte{
		"HTML named scan.png":           html,
		"script named scan.jpg":         []byte("alert(1)//" + strings.Repeat(" ", 600)),
		"SVG with script":               []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`),
		"GIF and JavaScript (GIFAR)":    append([]byte("GIF89a/*\x01\x00\x01\x00\x00\x00\x00*/=1;alert(1);//"), make([]byte, 64)...),
		"PNG signature, then HTML":      append([]byte("\x89PNG\r\n\x1a\n"), html...),
		"JPEG markers, then HTML":       append([]byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00"), html...),
		"PDF with HTML after its end":   pdfThenHTML,
		"PNG of 60000 × 60000 (bomb)":   pngHeaderOnly(60000, 60000),
		"PNG of 1 × 2000000000 (bomb)":  pngHeaderOnly(1, 2_000_000_000),
		"ZIP named scan.png":            append([]byte("PK\x03\x04"), make([]byte, 100)...),
		"empty file":                    {},
		"executable named scan.png":     append([]byte("\x7fELF\x02\x01\x01"), make([]byte, 100)...),
		"truncated JPEG":                realJPEG(t)[:40],
		"JPEG with a GPS position only": exifOnly(),
		"11 MB past the limit":          append(realJPEG(t), make([]byte, 11<<20)...),
	}
}

// pngHeaderOnly is a PNG signature and an IHDR chunk claiming the given
// size: a few bytes that a careless decoder would allocate gigabytes for.
func pngHeaderOnly(w, h uint32) []byte {
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = 8, 6 // 8-bit RGBA
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	chunk := func(typ string, data []byte) {
		_ = binary.Write(&b, binary.BigEndian, uint32(len(data)))
		b.WriteString(typ)
		b.Write(data)
		_ = binary.Write(&b, binary.BigEndian, crc32.ChecksumIEEE(append([]byte(typ), data...)))
	}
	chunk("IHDR", ihdr)
	chunk("IDAT", []byte{0x78, 0x9c, 0x63, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01})
	chunk("IEND", nil)
	return b.Bytes()
}

func realJPEG(t *testing.T) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 16, 16))
	img.Set(3, 3, color.RGBA{10, 200, 30, 255})
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// exifOnly is a JPEG start and an APP1 Exif segment with no picture.
func exifOnly() []byte {
	exif := []byte("Exif\x00\x00MM\x00*GPSLatitude 39.9 GPSLongitude 116.3")
	seg := []byte{0xff, 0xe1, byte((len(exif) + 2) >> 8), byte(len(exif) + 2)}
	return append(append([]byte("\xff\xd8"), seg...), exif...)
}

// withEXIF puts an APP1 Exif segment with a GPS position after a JPEG's
// start marker, as a phone camera does.
func withEXIF(jpg []byte) []byte {
	app1 := exifOnly()[2:]
	return slices.Concat(jpg[:2], app1, jpg[2:])
}

func TestUploadsThatLieAreRefusedAndPhotosLoseTheirMetadata(t *testing.T) {
	w := newMatrixWorld(t)
	ts := w.ts
	cells := append(slices.Clone(matrixOthers), matrix...)
	routes := 0
	for _, route := range ts.routes {
		if !isUploadRoute(route) {
			continue
		}
		routes++
		cell, who, _ := usableCell(cells, route)
		path := w.placeholders.Replace(cell.path)
		before := w.snapshot(t)
		for name, data := range hostileFiles(t) {
			for _, ctype := range []string{"image/png", "image/jpeg"} {
				resp, body := multipartUpload(t, ts, path, w.tokens[who], ctype, data)
				if resp.StatusCode < 400 || resp.StatusCode >= 500 {
					t.Errorf("%s as %s, %s as %s: %d, want a 4xx (%s)", route, who, name, ctype, resp.StatusCode, body)
				}
			}
		}
		w.unchanged(t, route+" with lying uploads", before)

		// A real photo with a GPS position and HTML after its end: what
		// is stored keeps the picture and nothing else.
		if !strings.HasPrefix(route, "POST /api/") || !strings.HasSuffix(route, "/attachments") {
			continue // the page and photo routes prove the same in their own tests
		}
		photo := append(withEXIF(realJPEG(t)), []byte("<html><script>alert(1)</script>")...)
		resp, body := multipartUpload(t, ts, path, w.tokens[who], "image/jpeg", photo)
		if resp.StatusCode != 201 {
			t.Fatalf("%s: a real photo: %d %s", route, resp.StatusCode, body)
		}
		var a struct{ URL string }
		if err := json.Unmarshal([]byte(body), &a); err != nil {
			t.Fatal(err)
		}
		got, stored := ts.do(t, "GET", a.URL, "", map[string]string{"Authorization": "Bearer " + w.tokens[who]})
		if got.StatusCode != 200 || !strings.HasPrefix(stored, "\xff\xd8") {
			t.Fatalf("%s: the stored photo: %d", a.URL, got.StatusCode)
		}
		if strings.Contains(stored, "Exif") || strings.Contains(stored, "GPS") || strings.Contains(stored, "<script") {
			t.Errorf("%s: metadata or a payload survived the upload", a.URL)
		}
		if _, _, err := image.Decode(strings.NewReader(stored)); err != nil {
			t.Errorf("%s: the stored photo does not decode: %v", a.URL, err)
		}
	}
	if routes == 0 {
		t.Fatal("no upload route found")
	}
}

// multipartUpload sends data as the file of the fields "file", "photo" and
// "screenshot",
// named for its claimed type, with that Content-Type on the part.
func multipartUpload(t *testing.T, ts *testServer, path, token, ctype string, data []byte) (*http.Response, string) {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	name := map[string]string{"image/png": "scan.png", "image/jpeg": "scan.jpg"}[ctype]
	for _, field := range []string{"file", "photo", "screenshot"} {
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", `form-data; name="`+field+`"; filename="`+name+`"`)
		h.Set("Content-Type", ctype)
		pw, err := mw.CreatePart(h)
		if err != nil {
			t.Fatal(err)
		}
		pw.Write(data)
	}
	mw.Close()
	return ts.do(t, "POST", path, body.String(), map[string]string{"Authorization": "Bearer " + token, "Content-Type": mw.FormDataContentType()})
}
