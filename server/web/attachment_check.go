package web

import (
	"bytes"
	"image"
	"image/jpeg"
	"image/png"

	"policebooth/server/app"
)

// maxDocumentPixels bounds a document photo's size in pixels, read from its
// header before any pixel is decoded: a few hundred bytes can claim an image
// of gigabytes (a decompression bomb).
const maxDocumentPixels = 50_000_000

// cleanDocument checks that a document is what its bytes say and returns
// what is stored: photos decoded and encoded again, so no metadata (the GPS
// position of a phone's camera) and nothing hidden after the picture (an
// HTML or archive polyglot) survives; PDFs that end where a PDF ends.
func cleanDocument(ctype string, data []byte) ([]byte, error) {
	switch ctype {
	case "application/pdf":
		tail := data[max(0, len(data)-1024):]
		if !bytes.Contains(tail, []byte("%%EOF")) || bytes.Contains(tail[bytes.LastIndex(tail, []byte("%%EOF")):], []byte("<")) {
			return nil, app.Errorf(app.EUNSUPPORTED, "the PDF is damaged or carries something else")
		}
		return data, nil
	case "image/jpeg", "image/png":
		cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
		if err != nil {
			return nil, app.Errorf(app.EUNSUPPORTED, "the photo is damaged or not an image")
		}
		if cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width*cfg.Height > maxDocumentPixels {
			return nil, app.Errorf(app.EINVALID, "a photo may have at most %d megapixels", maxDocumentPixels/1_000_000)
		}
		img, _, err := image.Decode(bytes.NewReader(data))
		if err != nil {
			return nil, app.Errorf(app.EUNSUPPORTED, "the photo is damaged or not an image")
		}
		var out bytes.Buffer
		if ctype == "image/png" {
			err = png.Encode(&out, img)
		} else {
			err = jpeg.Encode(&out, img, &jpeg.Options{Quality: 90})
		}
		if err != nil {
			return nil, err
		}
		return out.Bytes(), nil
	}
	return nil, app.Errorf(app.EUNSUPPORTED, "a document must be a JPEG or PNG photo or a PDF")
}
