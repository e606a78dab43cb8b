package qr

import (
	"bytes"
	"errors"
	"image"
	"image/color"
	"image/draw"
	"math/rand/v2"
	"runtime"
	"testing"
	"time"
)

// TestDecodeBytes reads the code back from files an employer or a bank
// might upload: the PNG itself, the page it is printed on, scans and
// photos of that page.
func TestDecodeBytes(t *testing.T) {
	code := payload()
	encoded, err := Encode(code, 600)
	if err != nil {
		t.Fatal(err)
	}
	plain := luminance(decodePNG(t, encoded))
	// An A4 page at 150 dpi with the code printed 3 pixels a module.
	small, err := Encode(code, 89*3)
	if err != nil {
		t.Fatal(err)
	}
	pg := page(1240, 1754, luminance(decodePNG(t, small)), image.Pt(850, 1450), rand.New(rand.NewPCG(1, 1)))
	fine := scaled(mustImage(t, code, 10), 0.29)

	faded, turned, tiny, large := phone, phone, phone, phone
	faded.light, faded.dark, faded.ink, faded.noise = 0.35, 0.3, 0.85, 1
	turned.angle = 45
	tiny.module = 2.6
	large.w, large.h, large.module, large.noise = 2400, 3200, 10, 12

	tests := []struct {
		name    string
		data    []byte
		wantErr error // nil to want code
	}{
		{name: "PNG from Encode", data: encoded},
		{name: "small, on a page with text", data: encodePNG(t, pg)},
		{name: "turned 90°", data: encodePNG(t, rotate90(plain))},
		{name: "JPEG at quality 60", data: encodeJPEG(t, plain, 60)},
		{name: "page as a JPEG at quality 60", data: encodeJPEG(t, pg, 60)},
		{name: "modules of 2.9 pixels", data: encodePNG(t, fine)},
		{name: "modules of 2.9 pixels, JPEG at quality 60", data: encodeJPEG(t, fine, 60)},
		{name: "phone photo", data: photo(t, code, phone)},
		{name: "phone photo of a faded print in dim light", data: photo(t, code, faded)},
		{name: "phone photo turned 45°", data: photo(t, code, turned)},
		{name: "phone photo from afar", data: photo(t, code, tiny)},
		// As it is, the noise breaks the finder patterns up.
		{name: "noisy phone photo of 8 megapixels", data: photo(t, code, large)},

		{name: "blank", data: encodePNG(t, image.NewGray(image.Rect(0, 0, 800, 600))), wantErr: ErrNoCode},
		{name: "phone photo of a page without a code", data: photo(t, "", phone), wantErr: ErrNoCode},

		{name: "PDF", data: []byte("%PDF-1.7\n%âãÏÓ\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"), wantErr: ErrNotImage},
		{name: "text", data: []byte(code), wantErr: ErrNotImage},
		{name: "empty", data: nil, wantErr: ErrNotImage},
		{name: "GIF", data: []byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;"), wantErr: ErrNotImage},
		{name: "PNG cut short", data: encoded[:len(encoded)/2], wantErr: ErrNotImage},
		{name: "JPEG cut short", data: encodeJPEG(t, plain, 60)[:2000], wantErr: ErrNotImage},
		{name: "JPEG of 101 scans", data: append([]byte{0xff, 0xd8, 0xff}, bytes.Repeat(sosMarker, 101)...), wantErr: ErrNotImage},
		{name: "PNG of 0×0 pixels", data: pngHeader(0, 0), wantErr: ErrNotImage},
		// At the limit, the header passes and the missing pixels fail.
		{name: "PNG header of 8000×5000 pixels", data: pngHeader(8000, 5000), wantErr: ErrNotImage},
		{name: "PNG header of 8000×5001 pixels", data: pngHeader(8000, 5001), wantErr: ErrTooLarge},
		{name: "PNG header of 100000×100000 pixels", data: pngHeader(100000, 100000), wantErr: ErrTooLarge},
		{name: "JPEG header of 65535×65535 pixels", data: jpegHeader(65535, 65535), wantErr: ErrTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := DecodeBytes(tt.data)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) || got != "" {
					t.Fatalf("DecodeBytes = %q, %v; want \"\", %v", got, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("DecodeBytes: %v", err)
			}
			if got != code {
				t.Fatalf("DecodeBytes = %q; want %q", got, code)
			}
		})
	}
}

// TestDecodeBytesTooLargeAllocates checks that an image refused for its
// size is refused from its header, before its pixels are allocated.
func TestDecodeBytesTooLargeAllocates(t *testing.T) {
	data := pngHeader(100000, 100000)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := DecodeBytes(data)
	runtime.ReadMemStats(&after)
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("DecodeBytes = %v; want %v", err, ErrTooLarge)
	}
	if n := after.TotalAlloc - before.TotalAlloc; n > 64<<10 {
		t.Errorf("DecodeBytes allocated %d bytes; want under 64 KB", n)
	}
}

// TestDecodeBytesRefusesCostlyImagesFromTheHeader checks the memory bound
// of the anonymous verifier: a 40-megapixel PNG of 16-bit colour (issue
// 13: 300 KB that took 370 MB to decode) or of 8-bit colour has few
// enough pixels, but takes more than MaxDecodeBytes to decode, and is
// refused from its header.
func TestDecodeBytesRefusesCostlyImagesFromTheHeader(t *testing.T) {
	for _, tt := range []struct {
		name          string
		depth, colour byte
	}{{"16-bit colour", 16, 6}, {"8-bit colour", 8, 6}, {"16-bit grey", 16, 0}} {
		t.Run(tt.name, func(t *testing.T) {
			data := pngHeaderOf(8000, 5000, tt.depth, tt.colour)
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			_, err := DecodeBytes(data)
			runtime.ReadMemStats(&after)
			if !errors.Is(err, ErrTooLarge) {
				t.Fatalf("DecodeBytes = %v; want %v", err, ErrTooLarge)
			}
			if n := after.TotalAlloc - before.TotalAlloc; n > 64<<10 {
				t.Errorf("DecodeBytes allocated %d bytes; want under 64 KB", n)
			}
			if c := Cost(data); c > 64<<10 {
				t.Errorf("Cost = %d; want 64 KB for an image refused from its header", c)
			}
		})
	}
}

// TestDecodeBytesStaysWithinItsCost reads a colour JPEG of 8 megapixels
// of noise: what reading it allocates, every try included (there is no
// code), stays within Cost, the weight the verifier reserves for it in
// the process's gate. Before the image was shrunk before reading, it took
// more: a full-size grey copy, and a first read at full size.
func TestDecodeBytesStaysWithinItsCost(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	noise := image.NewRGBA(image.Rect(0, 0, 2400, 3200))
	for i := range noise.Pix {
		noise.Pix[i] = uint8(rng.IntN(256)) | 0x80
	}
	data := encodeJPEG(t, noise, 80)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := DecodeBytes(data)
	runtime.ReadMemStats(&after)
	if !errors.Is(err, ErrNoCode) {
		t.Fatalf("DecodeBytes = %v; want %v", err, ErrNoCode)
	}
	n, c := after.TotalAlloc-before.TotalAlloc, Cost(data)
	t.Logf("allocated %d bytes, Cost %d", n, c)
	if int64(n) > c {
		t.Errorf("DecodeBytes allocated %d bytes; Cost says %d", n, c)
	}
}

// TestDecode reads the code from the kinds of image that decoders return,
// and from a part of a larger one.
func TestDecode(t *testing.T) {
	code := payload()
	img, err := Image(code, 500)
	if err != nil {
		t.Fatal(err)
	}
	// The code in black on a transparent background.
	transparent := image.NewNRGBA(img.Bounds())
	draw.DrawMask(transparent, transparent.Rect, image.Black, image.Point{}, invert(img), image.Point{}, draw.Src)
	framed := image.NewRGBA(image.Rect(0, 0, 700, 700))
	draw.Draw(framed, framed.Rect, image.NewUniform(color.RGBA{R: 200, A: 255}), image.Point{}, draw.Src)
	draw.Draw(framed, image.Rect(100, 100, 600, 600), img, image.Point{}, draw.Src)

	tests := []struct {
		name    string
		img     image.Image
		wantErr error
	}{
		{name: "paletted", img: img},
		{name: "grey", img: luminance(img)},
		{name: "YCbCr", img: ycbcr(img)},
		{name: "RGBA", img: convert(img, image.NewRGBA)},
		{name: "NRGBA", img: convert(img, image.NewNRGBA)},
		{name: "NRGBA, transparent", img: transparent},
		{name: "RGBA64", img: convert(img, image.NewRGBA64)},
		{name: "NRGBA64", img: convert(img, image.NewNRGBA64)},
		{name: "grey, 16 bits", img: convert(img, image.NewGray16)},
		{name: "CMYK, converted pixel by pixel", img: convert(img, image.NewCMYK)},
		{name: "part of a larger image", img: framed.SubImage(image.Rect(50, 50, 650, 650))},
		{name: "part of a larger grey image", img: luminance(framed).SubImage(image.Rect(50, 50, 650, 650))},
		{name: "part of a larger YCbCr image", img: ycbcr(framed).SubImage(image.Rect(50, 50, 650, 650))},
		{name: "empty", img: image.NewGray(image.Rectangle{}), wantErr: ErrNoCode},
		{name: "of no end", img: image.NewUniform(color.White), wantErr: ErrTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Decode(tt.img)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("Decode = %q, %v; want %v", got, err, tt.wantErr)
				}
				return
			}
			if err != nil || got != code {
				t.Fatalf("Decode = %q, %v; want %q", got, err, code)
			}
		})
	}
}

// convert returns img drawn onto an image made by newImage.
func convert[T draw.Image](img image.Image, newImage func(image.Rectangle) T) T {
	out := newImage(img.Bounds())
	draw.Draw(out, img.Bounds(), img, img.Bounds().Min, draw.Src)
	return out
}

// ycbcr returns img as a JPEG decoder would, in YCbCr 4:2:0.
func ycbcr(img image.Image) *image.YCbCr {
	b := img.Bounds()
	out := image.NewYCbCr(b, image.YCbCrSubsampleRatio420)
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			yy, cb, cr := color.RGBToYCbCr(uint8(r>>8), uint8(g>>8), uint8(bl>>8))
			out.Y[out.YOffset(x, y)] = yy
			out.Cb[out.COffset(x, y)] = cb
			out.Cr[out.COffset(x, y)] = cr
		}
	}
	return out
}

// invert returns a mask opaque where img is dark.
func invert(img image.Image) *image.Alpha {
	b := img.Bounds()
	out := image.NewAlpha(b)
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if r, _, _, _ := img.At(x, y).RGBA(); r < 0x8000 {
				out.Pix[out.PixOffset(x, y)] = 255
			}
		}
	}
	return out
}

// TestDecodeBounded checks that images crafted to make the reader work
// hard are given up on in reasonable time.
func TestDecodeBounded(t *testing.T) {
	noise := image.NewGray(image.Rect(0, 0, 7300, 5479))
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range noise.Pix {
		noise.Pix[i] = uint8(rng.IntN(256))
	}
	tests := []struct {
		name string
		img  image.Image
	}{
		// Unbounded, the reader would take hours on the patterns and
		// 20 s on the noise.
		{name: "finder patterns of 1 pixel a module", img: finderTiles(1200, 1600, 1)},
		{name: "finder patterns of 2 pixels a module", img: finderTiles(1200, 1600, 2)},
		{name: "noise of 40 megapixels", img: noise},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			done := make(chan error, 1)
			go func() {
				_, err := Decode(tt.img)
				done <- err
			}()
			select {
			case err := <-done:
				if !errors.Is(err, ErrNoCode) {
					t.Errorf("Decode = %v; want %v", err, ErrNoCode)
				}
			case <-time.After(20 * time.Second):
				t.Fatal("Decode still running after 20 s")
			}
		})
	}
}

// BenchmarkDecode reads a phone photo of 1200×1600 pixels, the code's
// modules 4 pixels wide.
func BenchmarkDecode(b *testing.B) {
	code := payload()
	data := photo(b, code, phone)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if got, err := DecodeBytes(data); err != nil || got != code {
			b.Fatalf("DecodeBytes = %q, %v", got, err)
		}
	}
}

// BenchmarkDecodeNoCode reads a phone photo of 1200×1600 pixels without a
// code, which every version of the image is tried on.
func BenchmarkDecodeNoCode(b *testing.B) {
	data := photo(b, "", phone)
	for b.Loop() {
		if _, err := DecodeBytes(data); !errors.Is(err, ErrNoCode) {
			b.Fatalf("DecodeBytes = %v", err)
		}
	}
}

// A code the finder pattern search misses (about one in 3000 of the
// second factor's otpauth URLs at 264 pixels; this one was found by
// trying them): the pure reading of a drawn code gives its text.
func TestDecodeDrawnCodeTheFinderSearchMisses(t *testing.T) {
	text := "otpauth://totp/sejour:nouvel.agent@pref.example?algorithm=SHA1&digits=6&issuer=sejour&period=30&secret=EAFJ53GZNPUYKF3UICDZ7WE4HB2X6BMY"
	png, err := Encode(text, 264)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := DecodeBytes(png); err != nil || got != text {
		t.Fatalf("DecodeBytes = %q, %v; want %q", got, err, text)
	}
}
