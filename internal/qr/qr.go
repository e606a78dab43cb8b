// Package qr draws the QR code printed on an attestation and reads it back
// from a photo or a scan of the paper.
//
// The code carries a signed string such as "SJ1:" followed by base45 text.
// The base45 alphabet (RFC 9285) is exactly the QR alphanumeric set, so
// the string is encoded in alphanumeric mode, at 5.5 bits a character
// instead of 8 in byte mode: with error correction level Q, a 450-character
// code fits in version 16 (81×81 modules) rather than version 20 (97×97),
// which keeps its modules large enough for a phone camera. Printed 45 mm
// wide, they are half a millimetre, 3 pixels in a photo of the whole A4
// page 1600 pixels high, about as few as can be read.
//
// Reading is meant for a public page where anyone, an employer or a bank,
// uploads what they were handed: a straight PNG export, a crooked photo
// taken under a desk lamp, a JPEG squeezed by a messaging application. The
// image is bounded before it is decoded, and the reader tries a few
// cleaned-up versions of it before giving up. Reading is CPU-bound: about
// 50 ms for a phone photo of 2 megapixels, 0.3 s when it holds no code,
// and up to about 1.5 s at MaxPixels, so callers should bound how many
// reads run at once.
package qr

import "errors"

// Errors of Decode and DecodeBytes. They are returned wrapped, with
// details for the logs; test them with errors.Is.
var (
	// ErrNoCode means that no QR code could be read: there is none, or
	// it is too small, blurred or damaged to be read. The person
	// uploading can act on it by sending a sharper, closer picture.
	ErrNoCode = errors.New("qr: no readable QR code in the image")
	// ErrTooLarge means that the image has more than MaxPixels pixels,
	// or would take more than MaxDecodeBytes to decode. It is known from
	// the header alone, before any pixel is decoded.
	ErrTooLarge = errors.New("qr: image too large")
	// ErrNotImage means that the bytes are not a JPEG or PNG image that
	// decodes.
	ErrNotImage = errors.New("qr: not a JPEG or PNG image")
)

// MaxPixels bounds the images read, width times height. 40 megapixels is
// more than the photos of common phone cameras (12 by default, up to 50 at
// full resolution with some) and than an A4 page scanned at 600 dpi (35).
const MaxPixels = 40_000_000

// MaxDecodeBytes bounds the memory decoding one image takes, read from its
// header (upload.ReadHeader) before any pixel is decoded. 64 MB decodes a
// colour photo (a JPEG subsampled 4:2:0) up to MaxPixels (60 MB) and a
// 12-megapixel progressive one (54 MB), a PNG of 8-bit colour up to 16
// megapixels, of grey up to MaxPixels; it refuses at once the 16-bit
// 40-megapixel PNG of 300 KB that took 370 MB to decode (issue 13). A
// phone's photo, an export or a screenshot of an attestation is far
// below.
const MaxDecodeBytes = 64 << 20
