package upload

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"runtime"
	"testing"
	"time"

	"github.com/sejour/sejour/internal/permit"
)

// allocated returns the bytes f allocates.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// TestReadHeaderCost checks the cost model against what Go's decoders
// allocate, for every layout they decode into: the model must not be
// below (the bound would not hold) nor far above (files would be refused
// for nothing).
func TestReadHeaderCost(t *testing.T) {
	const w, h = 1200, 900
	rect := image.Rect(0, 0, w, h)
	encode := func(img image.Image) []byte {
		var buf bytes.Buffer
		if err := png.Encode(&buf, img); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	encodeJPEG := func(img image.Image) []byte {
		var buf bytes.Buffer
		if err := jpeg.Encode(&buf, img, nil); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	tests := []struct {
		name     string
		data     []byte
		decode   func([]byte) (image.Image, error)
		perPixel float64 // what the model says, as a reader would count it
	}{
		{"PNG grey", encode(image.NewGray(rect)), decodePNG, 1},
		{"PNG grey 16-bit", encode(image.NewGray16(rect)), decodePNG, 2},
		{"PNG palette", encode(image.NewPaletted(rect, color.Palette{color.Black, color.White})), decodePNG, 1},
		{"PNG colour", encode(image.NewNRGBA(rect)), decodePNG, 4},
		{"PNG colour 16-bit", encode(image.NewNRGBA64(rect)), decodePNG, 8},
		{"PNG grey with alpha 16-bit", zeroPNG(t, w, h, 16, 4), decodePNG, 8},
		{"PNG colour 16-bit without alpha", zeroPNG(t, w, h, 16, 2), decodePNG, 8},
		{"JPEG grey", encodeJPEG(image.NewGray(rect)), decodeJPEG, 1},
		{"JPEG colour 4:2:0", encodeJPEG(picture(w, h, 0)), decodeJPEG, 1.5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hd, err := ReadHeader(tt.data)
			if err != nil {
				t.Fatal(err)
			}
			if hd.Width != w || hd.Height != h {
				t.Errorf("ReadHeader size = %d×%d; want %d×%d", hd.Width, hd.Height, w, h)
			}
			if got := float64(hd.Bytes-decoderOverhead) / (w * h); got < tt.perPixel || got > tt.perPixel*1.02 {
				t.Errorf("ReadHeader = %.2f bytes a pixel; want %.2f", got, tt.perPixel)
			}
			n := allocated(func() {
				if _, err := tt.decode(tt.data); err != nil {
					t.Fatal(err)
				}
			})
			if int64(n) > hd.Bytes {
				t.Errorf("decoding allocated %d bytes; the model says %d", n, hd.Bytes)
			}
			if int64(n) < hd.Bytes*9/10 {
				t.Errorf("decoding allocated %d bytes; the model says %d, 10%% more", n, hd.Bytes)
			}
		})
	}
}

func decodePNG(data []byte) (image.Image, error)  { return png.Decode(bytes.NewReader(data)) }
func decodeJPEG(data []byte) (image.Image, error) { return jpeg.Decode(bytes.NewReader(data)) }

// TestSixteenBitBomb is issue 13's file: a 16-bit 7000×7000 PNG, a few
// hundred kilobytes on disk, that took 390 MB and 1.4 s to check. It is
// refused from its header: the test bounds what the check allocates and
// the limit it states (16 megapixels at 8 bytes a pixel in 128 MB).
func TestSixteenBitBomb(t *testing.T) {
	bomb := zeroPNG(t, 7000, 7000, 16, 6)
	t.Logf("%d bytes on disk", len(bomb))
	if _, err := png.DecodeConfig(bytes.NewReader(bomb)); err != nil {
		t.Fatalf("the fixture is not a PNG: %v", err)
	}
	var err error
	start := time.Now()
	n := allocated(func() { _, err = Check(bomb, DefaultLimits) })
	t.Logf("refused in %v, %d bytes allocated", time.Since(start), n)
	if msg, args := permit.ErrorMessage(err); msg != KeyImageTooBig || len(args) != 1 || args[0] != 16 {
		t.Fatalf("Check = %v; want %s 16", err, KeyImageTooBig)
	}
	if n > 64<<10 {
		t.Errorf("Check allocated %d bytes; want under 64 KB", n)
	}
	if c := Cost(bomb, DefaultLimits); c > decoderOverhead {
		t.Errorf("Cost = %d; want %d for a file refused from its header", c, decoderOverhead)
	}
}

// TestAcceptedImageStaysWithinItsCost checks a large image the limits
// accept (a 16-bit PNG of 15 megapixels, 120 MB decoded): what checking
// it allocates stays within Cost, the weight a Gate reserves for it.
func TestAcceptedImageStaysWithinItsCost(t *testing.T) {
	data := zeroPNG(t, 5000, 3000, 16, 6)
	cost := Cost(data, DefaultLimits)
	var err error
	n := allocated(func() { _, err = Check(data, DefaultLimits) })
	if err != nil {
		t.Fatal(err)
	}
	if int64(n) > cost || cost > DefaultMaxDecodeBytes {
		t.Errorf("Check allocated %d bytes, Cost = %d; want at most Cost, itself at most %d", n, cost, DefaultMaxDecodeBytes)
	}
}
