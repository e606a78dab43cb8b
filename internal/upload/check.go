// Package upload decides whether a file an applicant sends as a supporting
// document (pièce justificative) is one the portal accepts: a PDF, a JPEG
// or a PNG that actually parses, within size limits, and that an agent
// will be able to open.
//
// The decision rests on the content alone. The file name and the
// Content-Type the browser sends are the applicant's to choose, and the
// first bytes only say what a file claims to be: an executable renamed
// passeport.pdf, a PDF locked with a password or a photo cut short by a
// failed upload from a phone are all refused here, with a reason the
// applicant can act on. Images are checked for decompression bombs before
// they are decoded, and reading a PDF is bounded in time and in the
// decompression it may cause.
package upload

import (
	"bytes"
	"time"

	"github.com/sejour/sejour/internal/permit"
)

// Kind is the format of an accepted file.
type Kind string

// The accepted formats.
const (
	PDF  Kind = "pdf"
	JPEG Kind = "jpeg"
	PNG  Kind = "png"
)

// Translation keys of the errors Check returns, for the web layer's
// catalogue. KeyTooLarge carries the size limit in megabytes (an int) as
// its argument and KeyImageTooBig the pixel limit in megapixels (an int).
const (
	KeyEmpty        = "upload.empty"
	KeyTooLarge     = "upload.too_large"
	KeyType         = "upload.type"
	KeyPDFEncrypted = "upload.pdf_encrypted"
	KeyPDFCorrupt   = "upload.pdf_corrupt"
	KeyImageCorrupt = "upload.image_corrupt"
	KeyImageTooBig  = "upload.image_too_big"
	KeyPDFActive    = "upload.pdf_active"
	KeyPolyglot     = "upload.polyglot"
)

// Units of the limits, as they are shown to applicants.
const (
	MB         = 1 << 20
	Megapixels = 1_000_000
)

// Limits bound the work Check does for one file, and so what an upload can
// cost the server.
type Limits struct {
	// MaxBytes is the largest file accepted.
	MaxBytes int64
	// MaxPixels is the largest image accepted, width times height. It is
	// checked from the image header, before any pixel is decoded.
	MaxPixels int
	// MaxDecodeBytes bounds the memory decoding one image may take, read
	// from its header before any pixel is decoded (a decoded image takes
	// 1 to 8 bytes a pixel, and more when interlaced or progressive:
	// ReadHeader); zero means DefaultMaxDecodeBytes.
	MaxDecodeBytes int64
	// Timeout bounds the reading of a PDF; zero means DefaultTimeout. A
	// PDF not read in time is refused as corrupt.
	Timeout time.Duration
}

// DefaultTimeout bounds the reading of a PDF when Limits.Timeout is zero.
// A legitimate 10 MB scan reads in well under a second.
const DefaultTimeout = 10 * time.Second

// DefaultMaxDecodeBytes bounds the decoding of one image when
// Limits.MaxDecodeBytes is zero. 128 MB decodes a phone photo at 50
// megapixels (a JPEG subsampled 4:2:0 takes 75 MB), a 12-megapixel
// progressive JPEG (90 MB) and an A4 page scanned in colour at 400 dpi and
// saved as PNG (15.5 megapixels, 62 MB); it refuses an 8-bit colour PNG
// over 33 megapixels and a 16-bit one over 16, which no scanner or phone
// writes for a document: 400 MB for the 16-bit 7000×7000 PNG of issue 13.
const DefaultMaxDecodeBytes = 128 * MB

// DefaultLimits suit scans and phone photos: 10 MB is ample for a
// multi-page scan, and 50 megapixels is the full resolution of common
// phone cameras, whose photos are of 12 megapixels by default.
var DefaultLimits = Limits{MaxBytes: 10 * MB, MaxPixels: 50 * Megapixels, MaxDecodeBytes: DefaultMaxDecodeBytes, Timeout: DefaultTimeout}

// decodeBytes is lim.MaxDecodeBytes, or its default.
func (lim Limits) decodeBytes() int64 {
	if lim.MaxDecodeBytes <= 0 {
		return DefaultMaxDecodeBytes
	}
	return lim.MaxDecodeBytes
}

// Check returns the format of data if it is a PDF, JPEG or PNG file that
// parses completely within lim, and an error otherwise. The leading bytes
// only choose the parser; the file is accepted only if that parser reads it
// to the end. The name and declared type of the upload play no part.
//
// Errors are *permit.Error with code permit.EINVALID and one of the Key
// constants as message.
//
// Check is safe for concurrent use, but costly: about 80 ms and 6 MB for a
// 1 MB photo, and within DefaultLimits up to about 1 s and 128 MB for an
// image (Cost says how much before it starts). Callers should bound the
// checks that run at once: a Gate does. After a PDF timeout the reading
// goes on in the background for a while, so data must not be modified
// once passed to Check.
func Check(data []byte, lim Limits) (Kind, error) {
	if len(data) == 0 {
		return "", invalid(KeyEmpty)
	}
	if int64(len(data)) > lim.MaxBytes {
		return "", invalid(KeyTooLarge, int(lim.MaxBytes/MB))
	}
	kind := sniff(data)
	if kind != "" && isZip(data) {
		return "", invalid(KeyPolyglot)
	}
	var err error
	switch kind {
	case PDF:
		err = checkPDF(data, lim)
	case JPEG:
		err = checkJPEG(data, lim)
	case PNG:
		err = checkPNG(data, lim)
	default:
		return "", invalid(KeyType)
	}
	if err != nil {
		return "", err
	}
	return kind, nil
}

// Signatures of the accepted formats. A PDF must start with its header:
// the specification tolerates junk before it, and so do readers, but a
// file made that way is more likely a polyglot than a scan.
var (
	pdfMagic  = []byte("%PDF-")
	jpegMagic = []byte{0xff, 0xd8, 0xff}
	pngMagic  = []byte("\x89PNG\r\n\x1a\n")
)

// sniff returns the format data claims to be by its leading bytes, or ""
// for any other.
func sniff(data []byte) Kind {
	switch {
	case bytes.HasPrefix(data, pdfMagic):
		return PDF
	case bytes.HasPrefix(data, jpegMagic):
		return JPEG
	case bytes.HasPrefix(data, pngMagic):
		return PNG
	}
	return ""
}

// invalid returns the EINVALID error for a refused file.
func invalid(key string, args ...any) error {
	return permit.Errorf(permit.EINVALID, key, args...)
}
