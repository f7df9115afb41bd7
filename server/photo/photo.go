// Package photo turns an uploaded family photo into what the booth keeps:
// the type read from the bytes, the size and pixel count checked before
// anything is decoded, the EXIF orientation applied, every byte of metadata
// dropped by re-encoding, and a display copy and a thumbnail made. At most
// as many photos as the machine has cores are processed at once, so memory
// stays bounded however many uploads arrive together.
package photo

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"image/png"
	"net/http"
	"runtime"

	"github.com/kovidgoyal/imaging"

	"policebooth/server/app"
)

// Limits of an uploaded photo.
const (
	// MaxBytes is the largest upload accepted (a 12 MP phone JPEG is 3 to 8 MB).
	MaxBytes = 12 << 20
	// MaxPixels is the most pixels a photo may declare: 24 MP, twice a
	// phone camera's usual 12 MP. Larger ones are refused before decoding.
	MaxPixels = 24_000_000
	// maxDecodedBytes caps the memory a decoded image may take (a 16-bit
	// PNG takes 8 bytes a pixel); JPEGs decode to at most 3 bytes a pixel.
	maxDecodedBytes = 72 << 20
	// DisplaySize is the longest side of the display copy.
	DisplaySize = 1600
	// ThumbSize is the longest side of the thumbnail.
	ThumbSize = 320
	// Quality is the JPEG quality of every stored copy.
	Quality = 85
)

// Result is a processed photo: three JPEGs without metadata, upright.
type Result struct {
	Full, Display, Thumb []byte
	Width, Height        int // of Full, after orientation
}

// Processor processes photos, at most a fixed number at a time.
type Processor struct {
	slots chan struct{}
}

// NewProcessor returns a processor that works on at most n photos at once;
// n ≤ 0 means one per core.
func NewProcessor(n int) *Processor {
	if n <= 0 {
		n = runtime.NumCPU()
	}
	return &Processor{slots: make(chan struct{}, n)}
}

// Process checks and converts an upload. It waits for a free slot (or ctx).
// EUNSUPPORTED for anything but a JPEG or PNG, ETOOLARGE for an upload over
// MaxBytes or an image over the pixel limits, EINVALID for a damaged image.
func (p *Processor) Process(ctx context.Context, data []byte) (*Result, error) {
	if len(data) > MaxBytes {
		return nil, app.Errorf(app.ETOOLARGE, "a photo may be at most %d MB", MaxBytes>>20)
	}
	kind := http.DetectContentType(data)
	if kind != "image/jpeg" && kind != "image/png" {
		return nil, app.Errorf(app.EUNSUPPORTED, "a photo must be a JPEG or PNG image")
	}
	// The header alone says how large the image is: a decompression bomb is
	// refused here, before a byte of its pixels is allocated.
	cfg, err := decodeConfig(kind, data)
	if err != nil {
		return nil, app.Errorf(app.EINVALID, "the photo could not be read as an image")
	}
	if err := checkSize(cfg); err != nil {
		return nil, err
	}
	select {
	case p.slots <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-p.slots }()
	return process(kind, data)
}

func decodeConfig(kind string, data []byte) (image.Config, error) {
	if kind == "image/jpeg" {
		return jpeg.DecodeConfig(bytes.NewReader(data))
	}
	return png.DecodeConfig(bytes.NewReader(data))
}

// checkSize refuses an image whose declared size is over the limits.
func checkSize(cfg image.Config) error {
	px := int64(cfg.Width) * int64(cfg.Height)
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return app.Errorf(app.EINVALID, "the photo has no pixels")
	}
	if px > MaxPixels || px*bytesPerPixel(cfg.ColorModel) > maxDecodedBytes {
		return app.Errorf(app.ETOOLARGE, "a photo may have at most %d megapixels", MaxPixels/1_000_000)
	}
	return nil
}

// bytesPerPixel is what a decoded pixel of the model takes at most.
func bytesPerPixel(m color.Model) int64 {
	switch m {
	case color.GrayModel:
		return 1
	case color.Gray16Model:
		return 2
	case color.YCbCrModel:
		return 3
	case color.RGBA64Model, color.NRGBA64Model:
		return 8
	}
	if _, ok := m.(color.Palette); ok {
		return 1
	}
	return 4
}

// process decodes, orients, resizes and re-encodes. The encoders write no
// metadata at all, so whatever the upload carried (EXIF, GPS, XMP, ICC,
// comments, PNG text chunks) is gone.
func process(kind string, data []byte) (*Result, error) {
	orientation := 1
	var img image.Image
	var err error
	if kind == "image/jpeg" {
		orientation = jpegOrientation(data)
		img, err = jpeg.Decode(bytes.NewReader(data))
	} else {
		img, err = png.Decode(bytes.NewReader(data))
	}
	if err != nil {
		return nil, app.Errorf(app.EINVALID, "the photo could not be read as an image")
	}
	img = orient(img, orientation)
	b := img.Bounds()
	res := &Result{Width: b.Dx(), Height: b.Dy()}
	if res.Full, err = encode(img); err != nil {
		return nil, err
	}
	display := img
	if max(b.Dx(), b.Dy()) > DisplaySize {
		display = imaging.Fit(halveTowards(img, DisplaySize), DisplaySize, DisplaySize, imaging.Linear)
	}
	img = nil // the full-size pixels may go before the copies are encoded
	if res.Display, err = encode(display); err != nil {
		return nil, err
	}
	thumb := imaging.Fit(display, ThumbSize, ThumbSize, imaging.Linear)
	if res.Thumb, err = encode(thumb); err != nil {
		return nil, err
	}
	return res, nil
}

// encode writes img as a JPEG; transparency lies on white.
func encode(img image.Image) ([]byte, error) {
	if !opaque(img) {
		flat := image.NewRGBA(img.Bounds())
		draw.Draw(flat, flat.Bounds(), image.White, image.Point{}, draw.Src)
		draw.Draw(flat, flat.Bounds(), img, img.Bounds().Min, draw.Over)
		img = flat
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: Quality}); err != nil {
		return nil, fmt.Errorf("photo: encode: %w", err)
	}
	return buf.Bytes(), nil
}

func opaque(img image.Image) bool {
	if o, ok := img.(interface{ Opaque() bool }); ok {
		return o.Opaque()
	}
	return true
}

// orient applies an EXIF orientation. A YCbCr image (what a camera JPEG
// decodes to) is turned plane by plane, so it takes no more memory than it
// did; anything else is turned as it is, through NRGBA when needed.
func orient(img image.Image, o int) image.Image {
	if o <= 1 || o > 8 {
		return img
	}
	switch m := img.(type) {
	case *image.YCbCr:
		if out, ok := orientYCbCr(m, o); ok {
			return out
		}
	case *image.Gray:
		pix, w, h := orientPlane(m.Pix[m.PixOffset(m.Rect.Min.X, m.Rect.Min.Y):], m.Rect.Dx(), m.Rect.Dy(), m.Stride, 1, o)
		return &image.Gray{Pix: pix, Stride: w, Rect: image.Rect(0, 0, w, h)}
	}
	n := imaging.Clone(img)
	pix, w, h := orientPlane(n.Pix, n.Rect.Dx(), n.Rect.Dy(), n.Stride, 4, o)
	return &image.NRGBA{Pix: pix, Stride: 4 * w, Rect: image.Rect(0, 0, w, h)}
}

// chromaSize is the size of the chroma planes of a w×h YCbCr image.
func chromaSize(r image.YCbCrSubsampleRatio, w, h int) (int, int) {
	switch r {
	case image.YCbCrSubsampleRatio422:
		return (w + 1) / 2, h
	case image.YCbCrSubsampleRatio420:
		return (w + 1) / 2, (h + 1) / 2
	case image.YCbCrSubsampleRatio440:
		return w, (h + 1) / 2
	}
	return w, h
}

// halveTowards halves a YCbCr image by averaging 2×2 blocks while it stays
// at least size on its longest side: a cheap, alias-free first step that
// leaves the resampling filter a quarter of the pixels or fewer.
func halveTowards(img image.Image, size int) image.Image {
	m, ok := img.(*image.YCbCr)
	if !ok {
		return img
	}
	if _, ok := turnedRatio(m.SubsampleRatio); !ok {
		return img
	}
	for max(m.Rect.Dx(), m.Rect.Dy())/2 >= size {
		m = halveYCbCr(m)
	}
	return m
}

func halveYCbCr(m *image.YCbCr) *image.YCbCr {
	w, h := m.Rect.Dx()/2, m.Rect.Dy()/2
	out := image.NewYCbCr(image.Rect(0, 0, w, h), m.SubsampleRatio)
	halvePlane(out.Y, w, h, out.YStride, m.Y[m.YOffset(m.Rect.Min.X, m.Rect.Min.Y):], m.YStride)
	cw, ch := chromaSize(m.SubsampleRatio, w, h)
	sw, sh := chromaSize(m.SubsampleRatio, m.Rect.Dx(), m.Rect.Dy())
	off := m.COffset(m.Rect.Min.X, m.Rect.Min.Y)
	for _, p := range [][2][]byte{{out.Cb, m.Cb[off:]}, {out.Cr, m.Cr[off:]}} {
		if 2*cw <= sw && 2*ch <= sh {
			halvePlane(p[0], cw, ch, out.CStride, p[1], m.CStride)
			continue
		}
		// An odd-sized chroma plane: take the nearest sample for the last row or column.
		for y := 0; y < ch; y++ {
			for x := 0; x < cw; x++ {
				p[0][y*out.CStride+x] = p[1][min(2*y, sh-1)*m.CStride+min(2*x, sw-1)]
			}
		}
	}
	return out
}

// halvePlane writes into dst (w×h) the 2×2 averages of src.
func halvePlane(dst []byte, w, h, dstStride int, src []byte, srcStride int) {
	for y := 0; y < h; y++ {
		r0 := src[2*y*srcStride:]
		r1 := src[(2*y+1)*srcStride:]
		d := dst[y*dstStride : y*dstStride+w]
		for x := range d {
			d[x] = uint8((int(r0[2*x]) + int(r0[2*x+1]) + int(r1[2*x]) + int(r1[2*x+1]) + 2) / 4) // #nosec G115 -- the mean of four bytes is a byte
		}
	}
}

// turnedRatio is the chroma subsampling of a YCbCr image after a quarter
// turn; ok is false for ratios without a turned counterpart.
func turnedRatio(r image.YCbCrSubsampleRatio) (image.YCbCrSubsampleRatio, bool) {
	switch r {
	case image.YCbCrSubsampleRatio444, image.YCbCrSubsampleRatio420:
		return r, true
	case image.YCbCrSubsampleRatio422:
		return image.YCbCrSubsampleRatio440, true
	case image.YCbCrSubsampleRatio440:
		return image.YCbCrSubsampleRatio422, true
	}
	return r, false
}

func orientYCbCr(m *image.YCbCr, o int) (*image.YCbCr, bool) {
	ratio, ok := turnedRatio(m.SubsampleRatio)
	if !ok {
		return nil, false
	}
	if !transposes(o) {
		ratio = m.SubsampleRatio
	}
	if m.Rect.Min != (image.Point{}) {
		return nil, false
	}
	w, h := m.Rect.Dx(), m.Rect.Dy()
	y, dw, dh := orientPlane(m.Y, w, h, m.YStride, 1, o)
	cw, ch := chromaSize(m.SubsampleRatio, w, h)
	cb, cdw, _ := orientPlane(m.Cb, cw, ch, m.CStride, 1, o)
	cr, _, _ := orientPlane(m.Cr, cw, ch, m.CStride, 1, o)
	out := &image.YCbCr{Y: y, Cb: cb, Cr: cr, YStride: dw, CStride: cdw, SubsampleRatio: ratio, Rect: image.Rect(0, 0, dw, dh)}
	if len(out.Y) < dw*dh || out.COffset(dw-1, dh-1) >= len(out.Cb) {
		return nil, false
	}
	return out, true
}
