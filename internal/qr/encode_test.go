package qr

import (
	"bytes"
	"image"
	"image/png"
	"io"
	"strings"
	"testing"

	"github.com/go-pdf/fpdf"
	"github.com/makiuchi-d/gozxing"
	zxqr "github.com/makiuchi-d/gozxing/qrcode"
	qrcode "github.com/skip2/go-qrcode"
)

func TestImage(t *testing.T) {
	code := payload()
	tests := []struct {
		name    string
		text    string
		size    int
		wantErr bool
	}{
		{name: "attestation code", text: code, size: 600},
		{name: "one pixel a module", text: code, size: 89},
		{name: "size not a multiple of the modules", text: code, size: 500},
		{name: "lowercase, in byte mode", text: strings.ToLower(code), size: 600},
		{name: "short text", text: "SJ1:0", size: 100},
		{name: "too few pixels", text: code, size: 88, wantErr: true},
		{name: "no pixels", text: code, size: 0, wantErr: true},
		{name: "empty text", text: "", size: 600, wantErr: true},
		{name: "too long for any version", text: strings.Repeat("A", 4300), size: 2000, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			img, err := Image(tt.text, tt.size)
			if tt.wantErr {
				if err == nil {
					t.Fatalf("Image = %v, nil; want an error", img.Bounds())
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := img.Bounds(); got != image.Rect(0, 0, tt.size, tt.size) {
				t.Fatalf("Image bounds = %v; want %d×%d", got, tt.size, tt.size)
			}
			checkModules(t, img, tt.text)
		})
	}
}

// checkModules fails unless img draws the code of text with square
// modules of a whole number of pixels each, centred, in a white margin
// of at least 4 modules.
func checkModules(t *testing.T, img image.Image, text string) {
	t.Helper()
	code, err := qrcode.New(text, level)
	if err != nil {
		t.Fatal(err)
	}
	code.DisableBorder = true
	bits := code.Bitmap()
	n, size := len(bits), img.Bounds().Dx()
	scale := size / (n + 8)
	origin := (size - n*scale) / 2
	if origin < 4*scale {
		t.Fatalf("margin of %d pixels; want at least 4 modules of %d", origin, scale)
	}
	for y := range size {
		for x := range size {
			mx, my := (x-origin)/scale, (y-origin)/scale
			want := x >= origin && y >= origin && mx < n && my < n && bits[my][mx]
			if r, _, _, _ := img.At(x, y).RGBA(); (r == 0) != want {
				t.Fatalf("pixel (%d, %d) dark = %v; want %v (module (%d, %d) of %d, %d pixels a module)",
					x, y, r == 0, want, mx, my, n, scale)
			}
		}
	}
}

// TestEncodeMode checks that a code in the QR alphanumeric set is encoded
// in alphanumeric mode, which keeps it small, by reading the mode
// indicator that starts its data back from the PNG.
func TestEncodeMode(t *testing.T) {
	const (
		numeric      = 0b0001
		alphanumeric = 0b0010
		byteMode     = 0b0100
	)
	code := payload()
	tests := []struct {
		name        string
		text        string
		wantMode    byte
		wantVersion int
	}{
		// Byte mode would need version 20.
		{name: "attestation code", text: code, wantMode: alphanumeric, wantVersion: 16},
		{name: "lowercase", text: strings.ToLower(code[:100]) + "é", wantMode: byteMode, wantVersion: 8},
		{name: "digits", text: "0123456789", wantMode: numeric, wantVersion: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data, err := Encode(tt.text, 1000)
			if err != nil {
				t.Fatal(err)
			}
			img, err := png.Decode(bytes.NewReader(data))
			if err != nil {
				t.Fatal(err)
			}
			bmp, err := gozxing.NewBinaryBitmapFromImage(img)
			if err != nil {
				t.Fatal(err)
			}
			res, err := zxqr.NewQRCodeReader().Decode(bmp, nil)
			if err != nil {
				t.Fatal(err)
			}
			if res.GetText() != tt.text {
				t.Errorf("text = %q; want %q", res.GetText(), tt.text)
			}
			if mode := res.GetRawBytes()[0] >> 4; mode != tt.wantMode {
				t.Errorf("mode indicator = %04b; want %04b", mode, tt.wantMode)
			}
			q, err := qrcode.New(tt.text, level)
			if err != nil {
				t.Fatal(err)
			}
			if q.VersionNumber != tt.wantVersion {
				t.Errorf("version = %d; want %d", q.VersionNumber, tt.wantVersion)
			}
			t.Logf("%d characters: version %d, %d×%d modules, PNG of %d bytes",
				len(tt.text), q.VersionNumber, 17+4*q.VersionNumber, 17+4*q.VersionNumber, len(data))
		})
	}
}

// TestEncodePDF checks that a PDF library takes the PNG, written at one
// bit a pixel, as it is.
func TestEncodePDF(t *testing.T) {
	data, err := Encode(payload(), 400)
	if err != nil {
		t.Fatal(err)
	}
	doc := fpdf.New("P", "mm", "A4", "")
	doc.AddPage()
	opt := fpdf.ImageOptions{ImageType: "PNG"}
	doc.RegisterImageOptionsReader("qr", opt, bytes.NewReader(data))
	doc.ImageOptions("qr", 140, 230, 50, 50, false, opt, 0, "")
	if err := doc.Output(io.Discard); err != nil {
		t.Fatal(err)
	}
}

func BenchmarkEncode(b *testing.B) {
	code := payload()
	for b.Loop() {
		if _, err := Encode(code, 600); err != nil {
			b.Fatal(err)
		}
	}
}
