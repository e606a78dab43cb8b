package upload

import (
	"bytes"
	"encoding/binary"
)

// A polyglot is a file that is two at once: a PDF or an image that is
// also a ZIP archive (readers of either format look for their own
// structure and skip the rest), or an image with another file after its
// end. The portal keeps and serves what was uploaded, so a polyglot would
// carry a payload to whoever opens it with the other program. They are
// refused (KeyPolyglot); content before a PDF's header is refused already
// (sniff), and content after its end marker too (pdfEOFWindow).

// Signatures of a ZIP's end of central directory and of the central
// directory's file headers.
var (
	zipEnd       = []byte("PK\x05\x06")
	zipDirectory = []byte("PK\x01\x02")
)

// zipEndSize is the size of the end of central directory record without
// its comment.
const zipEndSize = 22

// isZip reports whether data holds a ZIP archive that a reader would
// open: an end of central directory record whose directory, where the
// record says it is or just before the record (where it is when the
// archive was appended to another file), starts with a file header. The
// 8 bytes that must match make it vanishingly unlikely in compressed data
// by chance, while a lone "PK" signature is not enough to refuse a scan.
func isZip(data []byte) bool {
	for i := bytes.Index(data, zipEnd); i >= 0; {
		if i+zipEndSize <= len(data) {
			size := int64(binary.LittleEndian.Uint32(data[i+12:]))
			offset := int64(binary.LittleEndian.Uint32(data[i+16:]))
			for _, at := range []int64{offset, int64(i) - size} {
				if at >= 0 && at+int64(len(zipDirectory)) <= int64(i) && bytes.HasPrefix(data[at:], zipDirectory) {
					return true
				}
			}
			// An empty archive has no directory at all.
			if size == 0 && binary.LittleEndian.Uint16(data[i+10:]) == 0 {
				return true
			}
		}
		next := bytes.Index(data[i+1:], zipEnd)
		if next < 0 {
			break
		}
		i += 1 + next
	}
	return false
}

// trailerTolerance is how many bytes of any kind an image may carry after
// its end: some cameras and editors leave a few. Zero bytes, padding that
// can carry nothing, are allowed in any number.
const trailerTolerance = 64

// trailer returns what follows the end of a PNG (its IEND chunk) or a
// JPEG (its end-of-image marker), or nil when the image's structure is
// not read to an end here; the decoder refuses such an image anyway.
func trailer(data []byte, kind Kind) []byte {
	var end int
	switch kind {
	case PNG:
		end = pngEnd(data)
	case JPEG:
		end = jpegEnd(data)
	}
	if end <= 0 || end > len(data) {
		return nil
	}
	return data[end:]
}

// hiddenAfterEnd reports whether an image carries more after its end than
// the tolerance allows.
func hiddenAfterEnd(data []byte, kind Kind) bool {
	t := trailer(data, kind)
	if len(t) <= trailerTolerance {
		return false
	}
	for _, b := range t {
		if b != 0 {
			return true
		}
	}
	return false
}

// pngEnd returns the offset just after a PNG's IEND chunk, walking the
// chunks by their lengths, or -1.
func pngEnd(data []byte) int {
	for i := len(pngMagic); i+12 <= len(data); {
		n := int(binary.BigEndian.Uint32(data[i:]))
		if n < 0 || n > len(data)-i-12 {
			return -1
		}
		next := i + 12 + n
		if string(data[i+4:i+8]) == "IEND" {
			return next
		}
		i = next
	}
	return -1
}

// jpegEnd returns the offset just after a JPEG's end-of-image marker, as a
// decoder finds it: segments are skipped by their lengths (so that the
// marker ending an Exif thumbnail is not taken for the image's), and
// entropy-coded data is read up to the next marker that is neither a
// stuffed 0xff nor a restart. It returns -1 if there is none.
func jpegEnd(data []byte) int {
	i := 2
	for i+1 < len(data) {
		if data[i] != 0xff {
			return -1
		}
		m := data[i+1]
		switch {
		case m == 0xff:
			i++
			continue
		case m == 0xd9:
			return i + 2
		case m == 0x01 || (m >= 0xd0 && m <= 0xd7):
			i += 2
			continue
		}
		if i+4 > len(data) {
			return -1
		}
		i += 2 + int(binary.BigEndian.Uint16(data[i+2:]))
		if m != 0xda {
			continue
		}
		// Entropy-coded data follows a scan's header.
		for i+1 < len(data) && (data[i] != 0xff || data[i+1] == 0 || (data[i+1] >= 0xd0 && data[i+1] <= 0xd7)) {
			i++
		}
	}
	return -1
}
