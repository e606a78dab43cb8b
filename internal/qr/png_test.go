package qr

import (
	"bytes"
	"image"
	"image/png"
	"strings"
	"testing"
)

// TestPNGIsImage decodes PNG's images with image/png and compares them,
// pixel by pixel, with Image's: codes of several sizes, some whose
// modules fill the width exactly and some centred in a wider margin.
func TestPNGIsImage(t *testing.T) {
	for _, c := range []struct {
		text string
		size int
	}{
		{"SJ1:" + strings.Repeat("6BFOXN*TS0BI$ZD", 25), qrPixelsForTest},
		{"SJ1:" + strings.Repeat("6BFOXN*TS0BI$ZD", 25), 531},
		{"https://sejour.example.fr/suivi/K7MQ4X2HP", 200},
		{"otpauth://totp/sejour:a@example.org?secret=JBSWY3DPEHPK3PXP", 264},
		{"A", 29},
	} {
		want, err := Image(c.text, c.size)
		if err != nil {
			t.Fatal(err)
		}
		b, err := PNG(c.text, c.size)
		if err != nil {
			t.Fatal(err)
		}
		got, err := png.Decode(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("%d px: %v", c.size, err)
		}
		if got.Bounds() != want.Bounds() {
			t.Fatalf("%d px: bounds %v, want %v", c.size, got.Bounds(), want.Bounds())
		}
		if p, ok := got.(*image.Paletted); !ok || len(p.Palette) != 2 {
			t.Errorf("%d px: decoded as %T, want a two-colour palette", c.size, got)
		}
		for y := range c.size {
			for x := range c.size {
				gr, gg, gb, _ := got.At(x, y).RGBA()
				wr, wg, wb, _ := want.At(x, y).RGBA()
				if gr != wr || gg != wg || gb != wb {
					t.Fatalf("%d px: pixel (%d, %d) differs", c.size, x, y)
				}
			}
		}
	}
	if _, err := PNG("SJ1:"+strings.Repeat("6BFOXN*TS0BI$ZD", 25), 40); err == nil {
		t.Error("a code drawn in fewer pixels than modules")
	}
}

// qrPixelsForTest is the width package attest draws attestations' codes
// at (600 dpi over 45 mm).
const qrPixelsForTest = 45 * 600 * 10 / 254
