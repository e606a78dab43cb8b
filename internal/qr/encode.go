package qr

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"

	qrcode "github.com/skip2/go-qrcode"
)

// level is the error correction level of every code drawn: Q, which
// restores up to 25% of the codewords, rather than M and its 15%. Q needs
// a larger symbol, 81 modules a side instead of 69 for a 450-character
// code, so at the same printed width its modules are smaller. Yet in
// simulated photos of codes of the same width the two levels were read
// about as often down to 2 or 3 pixels a module, while only Q survived a
// stain or a patch of glare 40% of the code's width across, or a band of
// faded print an eighth of its width: what befalls a paper carried in a
// bag for months.
const level = qrcode.High

// Image returns the QR code of text as a size×size image, for embedding
// into a PDF. Every module is drawn as the same whole number of pixels,
// as unequal modules are harder to read once printed, and the code is
// centred in a white margin of at least 4 modules, the quiet zone a reader
// needs to find it. Characters of the QR alphanumeric set (digits,
// uppercase letters and " $%*+-./:") are encoded in alphanumeric mode,
// others in byte mode.
//
// It fails if text is empty or too long for a QR code (2420 characters of
// the alphanumeric set), or if size is too small to give each module and
// the quiet zone a pixel (89 for a 450-character code).
func Image(text string, size int) (image.Image, error) {
	code, err := qrcode.New(text, level)
	if err != nil {
		return nil, fmt.Errorf("qr: encode: %w", err)
	}
	return render(code.Bitmap(), size)
}

// Encode returns the QR code of text as a PNG image of size×size pixels:
// see Image.
func Encode(text string, size int) ([]byte, error) {
	img, err := Image(text, size)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	if err := enc.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("qr: encode: %w", err)
	}
	return buf.Bytes(), nil
}

// palette draws codes in black on white, which the PNG encoder writes at
// one bit a pixel.
var palette = color.Palette{color.White, color.Black}

// render draws bitmap, whose true cells are dark modules and which already
// includes the quiet zone, as a size×size image.
func render(bitmap [][]bool, size int) (*image.Paletted, error) {
	n := len(bitmap)
	scale := size / n
	if scale < 1 {
		return nil, fmt.Errorf("qr: encode: %d pixels are too few for %d modules", size, n)
	}
	img := image.NewPaletted(image.Rect(0, 0, size, size), palette)
	margin := (size - n*scale) / 2
	for y, row := range bitmap {
		for x, dark := range row {
			if dark {
				r := image.Rect(x*scale, y*scale, (x+1)*scale, (y+1)*scale).Add(image.Pt(margin, margin))
				fill(img, r)
			}
		}
	}
	return img, nil
}

// fill paints r in black on img.
func fill(img *image.Paletted, r image.Rectangle) {
	for y := r.Min.Y; y < r.Max.Y; y++ {
		i := img.PixOffset(r.Min.X, y)
		for x := range r.Dx() {
			img.Pix[i+x] = 1
		}
	}
}
