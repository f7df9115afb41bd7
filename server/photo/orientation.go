package photo

import "encoding/binary"

// jpegOrientation reads the EXIF orientation (1 to 8) from a JPEG's APP1
// segment without decoding anything else; 1 when there is none or it cannot
// be read. Only the segments before the image data are looked at.
func jpegOrientation(b []byte) int {
	if len(b) < 4 || b[0] != 0xFF || b[1] != 0xD8 {
		return 1
	}
	i := 2
	for i+4 <= len(b) {
		if b[i] != 0xFF {
			return 1
		}
		marker := b[i+1]
		if marker == 0xFF { // fill byte
			i++
			continue
		}
		if marker == 0xDA || marker == 0xD9 { // start of scan, end of image
			return 1
		}
		size := int(binary.BigEndian.Uint16(b[i+2:]))
		if size < 2 || i+2+size > len(b) {
			return 1
		}
		seg := b[i+4 : i+2+size]
		if marker == 0xE1 && len(seg) > 6 && string(seg[:6]) == "Exif\x00\x00" {
			if o := tiffOrientation(seg[6:]); o != 0 {
				return o
			}
		}
		i += 2 + size
	}
	return 1
}

// tiffOrientation finds tag 0x0112 in IFD0 of a TIFF structure; 0 when
// absent or malformed.
func tiffOrientation(t []byte) int {
	if len(t) < 8 {
		return 0
	}
	var bo binary.ByteOrder
	switch string(t[:2]) {
	case "II":
		bo = binary.LittleEndian
	case "MM":
		bo = binary.BigEndian
	default:
		return 0
	}
	off := int(bo.Uint32(t[4:]))
	if off < 8 || off+2 > len(t) {
		return 0
	}
	n := int(bo.Uint16(t[off:]))
	for k := 0; k < n; k++ {
		e := off + 2 + 12*k
		if e+12 > len(t) {
			return 0
		}
		if bo.Uint16(t[e:]) != 0x0112 {
			continue
		}
		if bo.Uint16(t[e+2:]) != 3 { // SHORT
			return 0
		}
		if v := int(bo.Uint16(t[e+8:])); v >= 1 && v <= 8 {
			return v
		}
		return 0
	}
	return 0
}

// transposes reports whether an orientation swaps width and height.
func transposes(o int) bool { return o >= 5 && o <= 8 }

// orientPlane returns a copy of a plane of w×h pixels of bpp bytes each
// (rows stride bytes apart) turned the way EXIF orientation o asks, with
// its new width and height. Orientation 1 copies it unchanged.
func orientPlane(src []byte, w, h, stride, bpp, o int) (dst []byte, dw, dh int) {
	dw, dh = w, h
	if transposes(o) {
		dw, dh = h, w
	}
	dst = make([]byte, dw*dh*bpp)
	for sy := 0; sy < h; sy++ {
		row := src[sy*stride : sy*stride+w*bpp]
		// Where the row's first pixel lands and how far apart its next
		// pixels are, in pixels of dst.
		var start, step int
		switch o {
		case 2: // mirrored horizontally
			start, step = sy*dw+w-1, -1
		case 3: // turned 180°
			start, step = (h-1-sy)*dw+w-1, -1
		case 4: // mirrored vertically
			start, step = (h-1-sy)*dw, 1
		case 5: // transposed
			start, step = sy, dw
		case 6: // needs turning 90° clockwise
			start, step = h-1-sy, dw
		case 7: // transversed
			start, step = (w-1)*dw+h-1-sy, -dw
		case 8: // needs turning 90° anticlockwise
			start, step = (w-1)*dw+sy, -dw
		default:
			start, step = sy*dw, 1
		}
		if bpp == 1 {
			at := start
			for _, v := range row {
				dst[at] = v
				at += step
			}
			continue
		}
		at := start * bpp
		for sx := 0; sx < w; sx++ {
			copy(dst[at:at+bpp], row[sx*bpp:(sx+1)*bpp])
			at += step * bpp
		}
	}
	return dst, dw, dh
}
