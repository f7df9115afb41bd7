package photo

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"runtime"
	"strings"
	"testing"
	"time"

	"policebooth/server/app"
)

// Secrets a camera leaves in a file; none may survive processing.
const (
	secretSerial = "SN-CAMERA-4711-SECRET"
	secretXMP    = "XMP-SECRET-LOCATION"
	secretICC    = "ICC-SECRET-PROFILE"
	secretCom    = "COMMENT-SECRET"
	secretPNG    = "PNG-TEXT-SECRET"
)

// halves is a w×h picture whose left half is red and right half blue.
func halves(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			c := color.RGBA{220, 20, 20, 255}
			if x >= w/2 {
				c = color.RGBA{20, 20, 220, 255}
			}
			img.Set(x, y, c)
		}
	}
	return img
}

// exifTIFF builds a little-endian TIFF block: IFD0 with the orientation, a
// pointer to an Exif IFD holding the body serial number, and a pointer to a
// GPS IFD holding a latitude.
func exifTIFF(orientation uint16) []byte {
	le := binary.LittleEndian
	var b []byte
	u16 := func(v uint16) { b = le.AppendUint16(b, v) }
	u32 := func(v uint32) { b = le.AppendUint32(b, v) }
	entry := func(tag, typ uint16, count, value uint32) { u16(tag); u16(typ); u32(count); u32(value) }
	b = append(b, 'I', 'I')
	u16(42)
	u32(8)
	// IFD0 at 8: 3 entries (2+36+4 = 42 bytes) → ends at 50.
	u16(3)
	entry(0x0112, 3, 1, uint32(orientation))
	entry(0x8769, 4, 1, 50) // Exif IFD
	entry(0x8825, 4, 1, 68) // GPS IFD
	u32(0)
	// Exif IFD at 50: 1 entry (2+12+4 = 18) → ends at 68; serial at 110.
	serial := secretSerial + "\x00"
	u16(1)
	entry(0xA431, 2, uint32(len(serial)), 110)
	u32(0)
	// GPS IFD at 68: 2 entries (2+24+4 = 30) → ends at 98; latitude at 98..122? rationals at 98 need 24 bytes.
	u16(2)
	entry(0x0001, 2, 2, uint32('N'))
	entry(0x0002, 5, 3, 134)
	u32(0)
	for len(b) < 110 {
		b = append(b, 0)
	}
	b = append(b, serial...)
	for len(b) < 134 {
		b = append(b, 0)
	}
	for _, v := range []uint32{39, 1, 57, 1, 2904, 100} { // 39° 57' 29.04"
		u32(v)
	}
	return b
}

func segment(marker byte, payload []byte) []byte {
	s := []byte{0xFF, marker, 0, 0}
	binary.BigEndian.PutUint16(s[2:], uint16(len(payload)+2))
	return append(s, payload...)
}

// cameraJPEG encodes img and adds what a phone camera writes: EXIF with the
// orientation, GPS and serial number, XMP, an ICC profile and a comment.
func cameraJPEG(t testing.TB, img image.Image, orientation uint16) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 95}); err != nil {
		t.Fatal(err)
	}
	plain := buf.Bytes()
	out := append([]byte{}, plain[:2]...)
	out = append(out, segment(0xE1, append([]byte("Exif\x00\x00"), exifTIFF(orientation)...))...)
	out = append(out, segment(0xE1, []byte("http://ns.adobe.com/xap/1.0/\x00<x:xmpmeta>"+secretXMP+"</x:xmpmeta>"))...)
	out = append(out, segment(0xE2, []byte("ICC_PROFILE\x00\x01\x01"+secretICC))...)
	out = append(out, segment(0xFE, []byte(secretCom))...)
	return append(out, plain[2:]...)
}

// chunk is a PNG chunk with its CRC.
func chunk(kind string, data []byte) []byte {
	b := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
	b = append(b, kind...)
	b = append(b, data...)
	return binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(append([]byte(kind), data...)))
}

// pngWithText encodes img and adds tEXt, iTXt and eXIf chunks after IHDR.
func pngWithText(t testing.TB, img image.Image) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	plain := buf.Bytes()
	ihdrEnd := 8 + 4 + 4 + 13 + 4
	out := append([]byte{}, plain[:ihdrEnd]...)
	out = append(out, chunk("tEXt", []byte("Comment\x00"+secretPNG))...)
	out = append(out, chunk("iTXt", []byte("XML:com.adobe.xmp\x00\x00\x00\x00\x00"+secretXMP))...)
	out = append(out, chunk("eXIf", exifTIFF(1))...)
	return append(out, plain[ihdrEnd:]...)
}

// jpegSegments lists the markers of a JPEG up to the start of scan.
func jpegSegments(t *testing.T, b []byte) []byte {
	t.Helper()
	var markers []byte
	i := 2
	for i+4 <= len(b) {
		m := b[i+1]
		markers = append(markers, m)
		if m == 0xDA {
			break
		}
		i += 2 + int(binary.BigEndian.Uint16(b[i+2:]))
	}
	return markers
}

// assertClean checks the bytes of a stored copy: only the segments a bare
// JPEG needs, and none of the secrets anywhere.
func assertClean(t *testing.T, name string, b []byte) {
	t.Helper()
	if len(b) < 2 || b[0] != 0xFF || b[1] != 0xD8 {
		t.Fatalf("%s: not a JPEG", name)
	}
	for _, m := range jpegSegments(t, b) {
		if m >= 0xE0 && m <= 0xEF || m == 0xFE {
			t.Errorf("%s: has an APP%d/COM segment (marker %#x)", name, m-0xE0, m)
		}
	}
	for _, s := range []string{"Exif", "GPS", secretSerial, secretXMP, secretICC, secretCom, secretPNG, "ICC_PROFILE", "http://ns.adobe.com", "tEXt", "iTXt", "eXIf", "JFIF"} {
		if bytes.Contains(b, []byte(s)) {
			t.Errorf("%s: still contains %q", name, s)
		}
	}
}

// colourAt says whether the pixel is mostly red or mostly blue.
func colourAt(img image.Image, x, y int) string {
	r, _, b, _ := img.At(x, y).RGBA()
	switch {
	case r > 2*b:
		return "red"
	case b > 2*r:
		return "blue"
	}
	return "mixed"
}

func TestJPEGLosesMetadataAndStandsUpright(t *testing.T) {
	// Sizes: one resized directly, one halved first (odd sides included).
	for _, size := range [][2]int{{2400, 1200}, {3601, 1801}} {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) { testUpright(t, size[0], size[1]) })
	}
}

func testUpright(t *testing.T, w, h int) {
	p := NewProcessor(1)
	// Stored sideways: red on the left. Orientation 6 says "turn 90°
	// clockwise to view", which puts red on top.
	raw := cameraJPEG(t, halves(w, h), 6)
	for _, s := range []string{secretSerial, secretXMP, "Exif"} {
		if !bytes.Contains(raw, []byte(s)) {
			t.Fatalf("the test file lacks %q", s)
		}
	}
	if o := jpegOrientation(raw); o != 6 {
		t.Fatalf("orientation read as %d, want 6", o)
	}
	res, err := p.Process(context.Background(), raw)
	if err != nil {
		t.Fatal(err)
	}
	if res.Width != h || res.Height != w {
		t.Errorf("full size %dx%d, want %dx%d", res.Width, res.Height, h, w)
	}
	for name, b := range map[string][]byte{"full": res.Full, "display": res.Display, "thumb": res.Thumb} {
		assertClean(t, name, b)
		img, err := jpeg.Decode(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		bd := img.Bounds()
		if bd.Dy() <= bd.Dx() {
			t.Errorf("%s: %dx%d is not upright (portrait)", name, bd.Dx(), bd.Dy())
		}
		if top, bottom := colourAt(img, bd.Dx()/2, bd.Dy()/4), colourAt(img, bd.Dx()/2, 3*bd.Dy()/4); top != "red" || bottom != "blue" {
			t.Errorf("%s: top %s, bottom %s; want red above blue", name, top, bottom)
		}
		switch name {
		case "display":
			if max(bd.Dx(), bd.Dy()) != DisplaySize {
				t.Errorf("display copy %dx%d, want longest side %d", bd.Dx(), bd.Dy(), DisplaySize)
			}
		case "thumb":
			if max(bd.Dx(), bd.Dy()) != ThumbSize {
				t.Errorf("thumbnail %dx%d, want longest side %d", bd.Dx(), bd.Dy(), ThumbSize)
			}
		}
	}
}

func TestEveryOrientation(t *testing.T) {
	// Where the red half must end up for each orientation of a picture
	// stored with red on the left.
	want := map[uint16]string{1: "left", 2: "right", 3: "right", 4: "left", 5: "top", 6: "top", 7: "bottom", 8: "bottom"}
	p := NewProcessor(1)
	for o, side := range want {
		res, err := p.Process(context.Background(), cameraJPEG(t, halves(64, 32), o))
		if err != nil {
			t.Fatal(err)
		}
		img, _ := jpeg.Decode(bytes.NewReader(res.Full))
		b := img.Bounds()
		var got string
		switch {
		case colourAt(img, b.Dx()/4, b.Dy()/2) == "red" && colourAt(img, 3*b.Dx()/4, b.Dy()/2) == "blue":
			got = "left"
		case colourAt(img, 3*b.Dx()/4, b.Dy()/2) == "red" && colourAt(img, b.Dx()/4, b.Dy()/2) == "blue":
			got = "right"
		case colourAt(img, b.Dx()/2, b.Dy()/4) == "red" && colourAt(img, b.Dx()/2, 3*b.Dy()/4) == "blue":
			got = "top"
		case colourAt(img, b.Dx()/2, 3*b.Dy()/4) == "red" && colourAt(img, b.Dx()/2, b.Dy()/4) == "blue":
			got = "bottom"
		}
		if got != side {
			t.Errorf("orientation %d: red on the %q, want %q", o, got, side)
		}
	}
}

func TestPNGLosesTextChunks(t *testing.T) {
	src := image.NewNRGBA(image.Rect(0, 0, 300, 200))
	for i := range src.Pix {
		src.Pix[i] = 200
	}
	raw := pngWithText(t, src)
	if _, err := png.Decode(bytes.NewReader(raw)); err != nil {
		t.Fatalf("the test PNG is broken: %v", err)
	}
	res, err := NewProcessor(1).Process(context.Background(), raw)
	if err != nil {
		t.Fatal(err)
	}
	for name, b := range map[string][]byte{"full": res.Full, "display": res.Display, "thumb": res.Thumb} {
		assertClean(t, name, b)
	}
}

// bombPNG declares a huge image whose compressed pixels are tiny.
func bombPNG(w, h uint32) []byte {
	ihdr := binary.BigEndian.AppendUint32(nil, w)
	ihdr = binary.BigEndian.AppendUint32(ihdr, h)
	ihdr = append(ihdr, 8, 2, 0, 0, 0) // 8-bit RGB
	out := []byte("\x89PNG\r\n\x1a\n")
	out = append(out, chunk("IHDR", ihdr)...)
	out = append(out, chunk("IDAT", []byte{0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01})...)
	return append(out, chunk("IEND", nil)...)
}

// bombJPEG is a small JPEG whose frame header claims 60000×60000 pixels.
func bombJPEG(t *testing.T) []byte {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, halves(16, 16), nil); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	i := bytes.Index(b, []byte{0xFF, 0xC0})
	binary.BigEndian.PutUint16(b[i+5:], 60000)
	binary.BigEndian.PutUint16(b[i+7:], 60000)
	return b
}

func TestRefusals(t *testing.T) {
	p := NewProcessor(1)
	cases := []struct {
		name string
		data []byte
		code string
	}{
		{"png bomb", bombPNG(100_000, 100_000), app.ETOOLARGE},
		{"jpeg bomb", bombJPEG(t), app.ETOOLARGE},
		{"just over the pixel cap", bombPNG(6000, 4001), app.ETOOLARGE},
		{"text", []byte(strings.Repeat("not an image ", 100)), app.EUNSUPPORTED},
		{"gif", []byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;"), app.EUNSUPPORTED},
		{"pdf", []byte("%PDF-1.7\n1 0 obj\n"), app.EUNSUPPORTED},
		{"too many bytes", append([]byte("\xFF\xD8\xFF"), make([]byte, MaxBytes)...), app.ETOOLARGE},
		{"damaged jpeg", []byte("\xFF\xD8\xFF\xE0\x00\x10JFIF\x00garbage"), app.EINVALID},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			start := time.Now()
			_, err := p.Process(context.Background(), c.data)
			took := time.Since(start)
			runtime.ReadMemStats(&after)
			if got := app.ErrorCode(err); got != c.code {
				t.Fatalf("error %v (code %q), want code %q", err, got, c.code)
			}
			if took > 250*time.Millisecond { // milliseconds; the margin is for a busy shared machine
				t.Errorf("refused in %v, want milliseconds", took)
			}
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 1<<20 {
				t.Errorf("allocated %d bytes to refuse it", alloc)
			}
		})
	}
}

func TestAtMostNAtOnce(t *testing.T) {
	p := NewProcessor(1)
	p.slots <- struct{}{} // another photo is being processed
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := p.Process(ctx, cameraJPEG(t, halves(32, 32), 1))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("with the only slot taken: %v, want to wait until the deadline", err)
	}
	<-p.slots
	if _, err := p.Process(context.Background(), cameraJPEG(t, halves(32, 32), 1)); err != nil {
		t.Fatalf("with the slot free: %v", err)
	}
}
