package qr

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"io"
	"strings"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"

	"github.com/sejour/sejour/internal/upload"
)

// shrinkTo is the longer side, in pixels, of the grey copy of an image
// that Decode reads: a larger image is shrunk to it before any reading. A
// photo of an A4 page at that size still gives the modules of a code
// printed 45 mm wide about 3 pixels each, and it bounds the cost of the
// reads: the reader does not need 40 megapixels, and the full-size grey
// copy it was given before took 40 MB and a second and a half.
const shrinkTo = 1600

// tries are the versions of an image that Decode reads in turn until one
// gives a code, from the likeliest to succeed to the costliest. Each is
// made from the image in grey, shrunk to at most shrinkTo pixels, and is
// nil if it would be the same as one already read.
var tries = []struct {
	name string
	make func(small *image.Gray) *image.Gray
	pure bool // read as a pure code: no finder pattern search
}{
	// A scan, a PDF export, a photo taken close; a large photo, whose
	// sensor noise and JPEG artefacts break the finder patterns up at
	// full size: averaged over the pixels they cover, they are gone.
	{"as is", func(small *image.Gray) *image.Gray { return small }, false},
	// A faded print or a dim photo, whose modules differ by fewer levels
	// than the reader's binarizer takes for an edge (24 of 256).
	{"contrast stretched", stretch, false},
	// A code of 2 to 3 pixels a module, whose finder patterns the reader
	// locates too roughly to sample the grid: interpolated, their edges
	// fall between pixels where they belong.
	{"enlarged", enlarge, false},
	// A code turned by about 45 degrees, at which the reader, scanning
	// rows for finder patterns, fails even at 8 pixels a module.
	{"turned 45°", turn45, false},
	// A code drawn by a program (the portal's own PNGs, a PDF exported at
	// its size), square to the image: read from its bounds without the
	// finder pattern search, which misses about one such code in 3000
	// whose modules happen to mimic a finder's ratios nearby.
	{"pure", func(small *image.Gray) *image.Gray { return small }, true},
}

// Decode returns the text of the QR code in img. It reads img in grey,
// shrunk to at most 1600 pixels on its longer side, then, if that fails,
// that copy with its contrast stretched, enlarged twice and turned by 45
// degrees, and returns the first text read.
//
// Errors wrap ErrNoCode or ErrTooLarge.
func Decode(img image.Image) (string, error) {
	b := img.Bounds()
	if int64(b.Dx())*int64(b.Dy()) > MaxPixels {
		return "", fmt.Errorf("%w: %d×%d pixels", ErrTooLarge, b.Dx(), b.Dy())
	}
	if b.Empty() {
		return "", fmt.Errorf("%w: empty image", ErrNoCode)
	}
	small := shrink(img, shrinkTo)
	var failures []string
	for _, try := range tries {
		g := try.make(small)
		if g == nil {
			continue
		}
		text, err := read(g, try.pure)
		if err == nil {
			return text, nil
		}
		failures = append(failures, fmt.Sprintf("%s: %v", try.name, err))
	}
	return "", fmt.Errorf("%w: %s", ErrNoCode, strings.Join(failures, "; "))
}

// maxCandidates bounds the places a read may take for a finder pattern,
// the squares in three corners of a code. The reader picks the best three
// by trying every triple of candidates, so its time grows as their number
// cubed: a PNG of a few kilobytes tiled with finder-like squares would
// keep it busy for hours. A photo of a page has at most a few dozen; one
// of random noise of 12 megapixels, a few hundred.
const maxCandidates = 200

// errCandidates stops a read that found too many candidates.
var errCandidates = errors.New("too many finder pattern candidates")

// read returns the text of the QR code in g.
func read(g *image.Gray, pure bool) (text string, err error) {
	defer func() {
		// gozxing is a port of Java code that threw exceptions on some
		// malformed codes, and panics on them where it has not been
		// fixed; a crafted upload must not take the verifier down.
		if r := recover(); r != nil {
			if r != errCandidates {
				r = fmt.Errorf("reader panicked: %v", r)
			}
			text, err = "", r.(error)
		}
	}()
	candidates := 0
	hints := map[gozxing.DecodeHintType]any{
		// Search every row of the image for finder patterns, not one
		// in several: slower, but a photo is read once.
		gozxing.DecodeHintType_TRY_HARDER: true,
		// The reader calls this for every new candidate, and has no
		// other way to be stopped.
		gozxing.DecodeHintType_NEED_RESULT_POINT_CALLBACK: gozxing.ResultPointCallback(func(gozxing.ResultPoint) {
			if candidates++; candidates > maxCandidates {
				panic(errCandidates)
			}
		}),
	}
	if pure {
		hints[gozxing.DecodeHintType_PURE_BARCODE] = true
	}
	w, h := g.Rect.Dx(), g.Rect.Dy()
	src, err := gozxing.NewPlanarYUVLuminanceSource(g.Pix, w, h, 0, 0, w, h, false)
	if err != nil {
		return "", err
	}
	bmp, err := gozxing.NewBinaryBitmap(gozxing.NewHybridBinarizer(src))
	if err != nil {
		return "", err
	}
	res, err := qrcode.NewQRCodeReader().Decode(bmp, hints)
	if err != nil {
		return "", err
	}
	return res.GetText(), nil
}

// DecodeBytes returns the text of the QR code in a JPEG or PNG image: see
// Decode. The image's size and the memory its decoding takes are read from
// its header, and an image of more than MaxPixels pixels or
// MaxDecodeBytes refused, before any pixel is decoded. Bounding the length
// of data is the caller's business, and so is bounding the reads that run
// at once: Cost says what this one takes.
//
// Errors wrap ErrNotImage, ErrTooLarge or ErrNoCode.
func DecodeBytes(data []byte) (string, error) {
	img, err := decodeImage(data)
	if err != nil {
		return "", err
	}
	return Decode(img)
}

// Signatures of the formats read, and the marker that starts a JPEG scan.
var (
	jpegMagic = []byte{0xff, 0xd8, 0xff}
	pngMagic  = []byte("\x89PNG\r\n\x1a\n")
	sosMarker = []byte{0xff, 0xda}
)

// maxJPEGScans bounds the scans of a JPEG, as internal/upload does and for
// the same reason: a progressive JPEG is decoded once per scan over the
// whole image, and a small crafted file can hold thousands of them.
const maxJPEGScans = 100

// decodeImage decodes data as a JPEG or a PNG, chosen by its signature.
// The decoders are named rather than found by image.Decode, so that no
// other format registered in the program (TIFF, WebP, BMP...) is read from
// an anonymous upload.
func decodeImage(data []byte) (image.Image, error) {
	var decode func(io.Reader) (image.Image, error)
	switch {
	case bytes.HasPrefix(data, jpegMagic):
		if n := bytes.Count(data, sosMarker); n > maxJPEGScans {
			return nil, fmt.Errorf("%w: JPEG of %d scans", ErrNotImage, n)
		}
		decode = jpeg.Decode
	case bytes.HasPrefix(data, pngMagic):
		decode = png.Decode
	default:
		return nil, ErrNotImage
	}
	hd, err := upload.ReadHeader(data)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotImage, err)
	}
	if hd.Pixels() > MaxPixels || hd.Bytes > MaxDecodeBytes {
		return nil, fmt.Errorf("%w: %d×%d pixels, %d bytes to decode", ErrTooLarge, hd.Width, hd.Height, hd.Bytes)
	}
	img, err := decode(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotImage, err)
	}
	return img, nil
}

// readCost bounds what reading a grey image of at most shrinkTo pixels
// a side takes, every try included: the enlarged copy (4 bytes a pixel of
// the grey one), the turned one (2), the reader's bit matrices.
const readCost = 12 * shrinkTo * shrinkTo

// Cost is the memory DecodeBytes(data) takes: the decoded image as its
// header says, its grey copy shrunk, and the reads. An image refused from
// its header costs next to nothing.
func Cost(data []byte) int64 {
	hd, err := upload.ReadHeader(data)
	if err != nil || hd.Pixels() > MaxPixels || hd.Bytes > MaxDecodeBytes {
		return 64 << 10
	}
	return hd.Bytes + readCost
}
