package qr

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"math"
	"math/rand/v2"
	"testing"

	qrcode "github.com/skip2/go-qrcode"
)

// base45Alphabet is the alphabet of RFC 9285, the QR alphanumeric set.
const base45Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"

// base45 encodes data as RFC 9285 does: two bytes into three characters,
// least significant first.
func base45(data []byte) string {
	var out []byte
	for i := 0; i < len(data); i += 2 {
		if i+1 == len(data) {
			n := int(data[i])
			out = append(out, base45Alphabet[n%45], base45Alphabet[n/45])
			break
		}
		n := int(data[i])<<8 | int(data[i+1])
		out = append(out, base45Alphabet[n%45], base45Alphabet[n/45%45], base45Alphabet[n/2025])
	}
	return string(out)
}

// payload returns a code as attestations carry them: "SJ1:" then the
// base45 form of 297 bytes of signed data, 450 characters in all. The
// bytes are random, as a signature and compressed claims are.
func payload() string {
	rng := rand.New(rand.NewPCG(1, 2))
	data := make([]byte, 297)
	for i := range data {
		data[i] = byte(rng.UintN(256))
	}
	return "SJ1:" + base45(data)
}

// mustImage returns the code of text drawn with scale pixels a module.
func mustImage(t testing.TB, text string, scale int) *image.Gray {
	t.Helper()
	img, err := Image(text, modules(t, text)*scale)
	if err != nil {
		t.Fatal(err)
	}
	return luminance(img)
}

// modules returns the side of the code of text in modules, quiet zone
// included.
func modules(t testing.TB, text string) int {
	t.Helper()
	code, err := qrcode.New(text, level)
	if err != nil {
		t.Fatal(err)
	}
	return len(code.Bitmap())
}

// encodePNG returns img as a PNG file.
func encodePNG(t testing.TB, img image.Image) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// encodeJPEG returns img as a JPEG file of the given quality.
func encodeJPEG(t testing.TB, img image.Image, quality int) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: quality}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// decodePNG decodes a PNG file made by the test.
func decodePNG(t testing.TB, data []byte) image.Image {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// rotate90 returns img turned a quarter clockwise.
func rotate90(img image.Image) *image.Gray {
	b := img.Bounds()
	out := image.NewGray(image.Rect(0, 0, b.Dy(), b.Dx()))
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			out.Set(b.Max.Y-1-y, x-b.Min.X, img.At(x, y))
		}
	}
	return out
}

// warp returns a w×h image of src seen through inv, which maps a point of
// the result to a point of src. Each pixel averages 4×4 samples, as a
// camera sensor integrates the light over its area; outside src is white.
func warp(src *image.Gray, w, h int, inv func(x, y float64) (float64, float64)) *image.Gray {
	out := image.NewGray(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			sum := 0
			for sy := range 4 {
				for sx := range 4 {
					px, py := inv(float64(x)+(float64(sx)+0.5)/4, float64(y)+(float64(sy)+0.5)/4)
					ix, iy := int(math.Floor(px)), int(math.Floor(py))
					if image.Pt(ix, iy).In(src.Rect) {
						sum += int(src.Pix[src.PixOffset(ix, iy)])
					} else {
						sum += 255
					}
				}
			}
			out.Pix[y*w+x] = uint8(sum / 16)
		}
	}
	return out
}

// scaled returns src scaled by f.
func scaled(src *image.Gray, f float64) *image.Gray {
	w, h := int(float64(src.Rect.Dx())*f), int(float64(src.Rect.Dy())*f)
	return warp(src, w, h, func(x, y float64) (float64, float64) { return x / f, y / f })
}

// page returns a w×h white page covered in lines of text-like marks, with
// code drawn at at, in the clear space a layout leaves around it.
func page(w, h int, code *image.Gray, at image.Point, rng *rand.Rand) *image.Gray {
	out := image.NewGray(image.Rect(0, 0, w, h))
	for i := range out.Pix {
		out.Pix[i] = 255
	}
	clearing := code.Rect.Add(at).Inset(-code.Rect.Dx() / 20)
	const cellW, cellH, lineH = 9, 14, 22
	for top := 30; top+cellH < h-30; top += lineH {
		for left := 40; left+cellW < w-40; left += cellW {
			cell := image.Rect(left, top, left+cellW, top+cellH)
			if cell.Overlaps(clearing) || rng.IntN(6) == 0 { // a space
				continue
			}
			glyph(out, cell, rng)
		}
	}
	for y := range code.Rect.Dy() {
		copy(out.Pix[(at.Y+y)*w+at.X:], code.Pix[y*code.Stride:y*code.Stride+code.Rect.Dx()])
	}
	return out
}

// glyph draws a few random strokes of two pixels in cell, the way a letter
// of body text looks to a barcode reader: dark, small and busy.
func glyph(img *image.Gray, cell image.Rectangle, rng *rand.Rand) {
	for range 2 + rng.IntN(3) {
		x, y := cell.Min.X+1+rng.IntN(cell.Dx()-3), cell.Min.Y+1+rng.IntN(cell.Dy()-3)
		vertical := rng.IntN(2) == 0
		for range 2 + rng.IntN(8) {
			if !image.Pt(x+1, y+1).In(cell) {
				break
			}
			for _, p := range []image.Point{{x, y}, {x + 1, y}, {x, y + 1}, {x + 1, y + 1}} {
				img.SetGray(p.X, p.Y, color.Gray{Y: 40})
			}
			if vertical {
				y++
			} else {
				x++
			}
		}
	}
}

// camera describes how a photo of a page is taken.
type camera struct {
	w, h        int     // size of the photo
	module      float64 // width of a module in the photo, in pixels
	angle       float64 // rotation of the page, in degrees
	tilt        float64 // perspective: how much further the top of the page is than its bottom
	light, dark float64 // light on the paper at the top left and at the bottom right, from 0 to 1
	ink         float64 // reflectance of the ink, from 0 (black) to 1 (none)
	noise       float64 // standard deviation of the sensor noise, in levels
}

// phone is a photo of a page as a phone takes it, then shrunk by a
// messaging application: turned a little, tilted, lit by a lamp from the
// side, noisy.
var phone = camera{w: 1200, h: 1600, module: 4, angle: 4, tilt: 0.15, light: 0.9, dark: 0.55, ink: 0.12, noise: 6}

// pageScale is the width of a module on the page that photo shoots, in
// pixels.
const pageScale = 6

// photo returns a JPEG photo taken with c of an A4 page at 150 dpi, with
// lines of text and, near its bottom right corner, the code of text, or
// none if text is empty.
func photo(t testing.TB, text string, c camera) []byte {
	t.Helper()
	rng := rand.New(rand.NewPCG(3, 4))
	code := image.NewGray(image.Rect(0, 0, 1, 1))
	code.Pix[0] = 255
	if text != "" {
		code = mustImage(t, text, pageScale)
	}
	pg := page(1240, 1754, code, image.Pt(1240-code.Rect.Dx()-80, 1754-code.Rect.Dy()-120), rng)
	return encodeJPEG(t, c.shoot(pg), 75)
}

// shoot returns a colour photo of pg taken with c, its centre at the
// centre of the photo.
func (c camera) shoot(pg *image.Gray) *image.RGBA {
	scale := c.module / pageScale
	sin, cos := math.Sincos(c.angle * math.Pi / 180)
	pw, ph := float64(pg.Rect.Dx()), float64(pg.Rect.Dy())
	cx, cy := float64(c.w)/2, float64(c.h)/2
	flat := warp(pg, c.w, c.h, func(x, y float64) (float64, float64) {
		// Further rows look smaller: undo it by growing them.
		k := 1 + c.tilt*(cy-y)/float64(c.h)
		dx, dy := (x-cx)*k/scale, (y-cy)*k/scale
		return dx*cos + dy*sin + pw/2, -dx*sin + dy*cos + ph/2
	})
	rng := rand.New(rand.NewPCG(5, 6))
	out := image.NewRGBA(flat.Rect)
	for y := range c.h {
		for x := range c.w {
			light := c.light + (c.dark-c.light)*(float64(x)/float64(c.w)+float64(y)/float64(c.h))/2
			refl := c.ink + (1-c.ink)*float64(flat.Pix[y*c.w+x])/255
			v := 255*light*refl + rng.NormFloat64()*c.noise
			// A warm lamp: less blue than red.
			out.SetRGBA(x, y, color.RGBA{R: level8(v), G: level8(v * 0.94), B: level8(v * 0.82), A: 255})
		}
	}
	return out
}

// level8 clamps v to a colour level.
func level8(v float64) uint8 {
	return uint8(math.Max(0, math.Min(255, math.Round(v))))
}

// finderTiles returns a w×h image tiled with finder patterns, the squares
// in three corners of a QR code, of m pixels a module, 2 pixels apart.
func finderTiles(w, h, m int) *image.Gray {
	out := image.NewGray(image.Rect(0, 0, w, h))
	for i := range out.Pix {
		out.Pix[i] = 255
	}
	side := 7 * m
	for top := 0; top+side <= h; top += side + 2 {
		for left := 0; left+side <= w; left += side + 2 {
			for y := range side {
				for x := range side {
					// Rings of modules from the outside: dark, light, then a dark 3×3 core.
					mx, my := x/m, y/m
					if min(mx, my, 6-mx, 6-my) != 1 {
						out.Pix[(top+y)*w+left+x] = 0
					}
				}
			}
		}
	}
	return out
}

// pngHeader returns the signature and header chunk of a PNG of w×h grey
// pixels, all a decoder reads to learn the size, without the pixels.
func pngHeader(w, h uint32) []byte { return pngHeaderOf(w, h, 8, 0) } // 8-bit grey

// pngHeaderOf is pngHeader with the given bit depth and colour type.
func pngHeaderOf(w, h uint32, depth, colour byte) []byte {
	ihdr := binary.BigEndian.AppendUint32([]byte("IHDR"), w)
	ihdr = binary.BigEndian.AppendUint32(ihdr, h)
	ihdr = append(ihdr, depth, colour, 0, 0, 0) // no interlace
	out := []byte("\x89PNG\r\n\x1a\n")
	out = binary.BigEndian.AppendUint32(out, uint32(len(ihdr)-4))
	out = append(out, ihdr...)
	return binary.BigEndian.AppendUint32(out, crc32.ChecksumIEEE(ihdr))
}

// jpegHeader returns the start of a baseline JPEG of w×h grey pixels: its
// frame header and the start of a scan, without tables or pixels.
func jpegHeader(w, h uint16) []byte {
	sof := []byte{0xff, 0xd8, 0xff, 0xc0, 0, 11, 8}
	sof = binary.BigEndian.AppendUint16(sof, h)
	sof = binary.BigEndian.AppendUint16(sof, w)
	sof = append(sof, 1, 1, 0x11, 0)
	return append(sof, 0xff, 0xda, 0, 8)
}
