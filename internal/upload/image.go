package upload

import (
	"bytes"
	"image"
	"image/jpeg"
	"image/png"
	"io"
)

// maxJPEGScans bounds the scans of a JPEG. A progressive JPEG is decoded
// once per scan over the whole image, and the format lets a small file
// hold thousands of near-empty scans that keep a decoder busy for hours
// (the "LJT-01-003" issue of libjpeg-turbo; Go's decoder has no limit of
// its own). Real encoders write 1 scan, or about 10 for a progressive
// image.
const maxJPEGScans = 100

// sosMarker starts a JPEG scan.
var sosMarker = []byte{0xff, 0xda}

// checkJPEG refuses a JPEG that is too big or does not decode.
func checkJPEG(data []byte, lim Limits) error {
	// Every scan the decoder reads starts with these two bytes, which the
	// entropy-coded data cannot contain, so the count is never too low;
	// it can be a little high, counting a thumbnail in the Exif data.
	if bytes.Count(data, sosMarker) > maxJPEGScans {
		return invalid(KeyImageCorrupt)
	}
	return checkImage(data, lim, jpeg.Decode)
}

// checkPNG refuses a PNG that is too big or does not decode.
func checkPNG(data []byte, lim Limits) error {
	return checkImage(data, lim, png.Decode)
}

// checkImage reads the header of an image to refuse one with too many
// pixels, or too costly to decode, without allocating them, then decodes
// it in full, so that a truncated or corrupt file is refused too. The
// decoders are passed in, rather than found by image.Decode, so that no
// other registered format can slip through.
func checkImage(data []byte, lim Limits, decode func(io.Reader) (image.Image, error)) error {
	hd, err := ReadHeader(data)
	if err != nil {
		return invalid(KeyImageCorrupt)
	}
	if err := imageTooBig(hd, lim); err != nil {
		return err
	}
	if _, err := decode(bytes.NewReader(data)); err != nil {
		return invalid(KeyImageCorrupt)
	}
	if hiddenAfterEnd(data, hd.Kind) {
		return invalid(KeyPolyglot)
	}
	return nil
}
