package upload

import (
	"bytes"
	"context"
	"errors"
	"os"
	"reflect"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu"

	"github.com/sejour/sejour/internal/permit"
)

// testLimits keeps files small, so that a regression that makes a parser
// slow shows as a slow test rather than a hang.
var testLimits = Limits{MaxBytes: 2 * MB, MaxPixels: 50 * Megapixels}

func TestCheck(t *testing.T) {
	pdf := pdfFile(t, nil, "", "")
	scanPDF := pdfFile(t, jpegFile(t, 200, 100, 0), "", "")
	jpg := jpegFile(t, 64, 48, 0)
	photo := jpegFile(t, 200, 150, 256)
	pngf := pngFile(t, 64, 48)
	tests := []struct {
		name     string
		data     []byte
		lim      Limits // testLimits if zero
		wantKind Kind
		wantKey  string // "" for no error
		wantArgs []any
	}{
		{name: "PDF", data: pdf, wantKind: PDF},
		{name: "PDF with a scanned image", data: scanPDF, wantKind: PDF},
		{name: "JPEG", data: jpg, wantKind: JPEG},
		{name: "PNG", data: pngf, wantKind: PNG},

		{name: "empty", data: []byte{}, wantKey: KeyEmpty},
		{name: "nil", data: nil, wantKey: KeyEmpty},
		{name: "exactly MaxBytes", data: padded(jpg, 2*MB), wantKind: JPEG},
		{name: "one byte over MaxBytes", data: padded(jpg, 2*MB+1), wantKey: KeyTooLarge, wantArgs: []any{2}},
		{name: "over the default limit", data: padded(pdf, 10*MB+1), lim: DefaultLimits, wantKey: KeyTooLarge, wantArgs: []any{10}},

		{name: "PDF with an owner password only", data: pdfFile(t, nil, "", "proprietaire"), wantKey: KeyPDFEncrypted},
		{name: "PDF with a password to open", data: pdfFile(t, nil, "ouvrir", "proprietaire"), wantKey: KeyPDFEncrypted},
		{name: "PDF cut in half", data: pdf[:len(pdf)/2], wantKey: KeyPDFCorrupt},
		{name: "PDF header only", data: pdf[:9], wantKey: KeyPDFCorrupt},
		{name: "PDF header then garbage", data: append([]byte("%PDF-1.7\n"), bytes.Repeat([]byte("garbage \x00\xff"), 100)...), wantKey: KeyPDFCorrupt},
		{name: "handmade PDF", data: onePage(""), wantKind: PDF},
		{name: "PDF with a compressed page", data: onePage("/Contents 4 0 R", flateStream(1000)), wantKind: PDF},
		{name: "PDF whose page inflates past 16 MB", data: onePage("/Contents 4 0 R", flateStream(16*MB+1)), wantKey: KeyPDFCorrupt},
		{name: "PDF with a corrupt compressed page", data: corruptStream(onePage("/Contents 4 0 R", flateStream(1000))), wantKey: KeyPDFCorrupt},
		{name: "PDF without pages", data: handmadePDF("<< /Type /Catalog >>"), wantKey: KeyPDFCorrupt},
		{name: "PDF page without a size", data: handmadePDF(
			"<< /Type /Catalog /Pages 2 0 R >>",
			"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
			"<< /Type /Page /Parent 2 0 R >>",
		), wantKey: KeyPDFCorrupt},
		{name: "PDF page whose contents are a number", data: onePage("/Contents 42"), wantKey: KeyPDFCorrupt},
		{name: "PDF font without a name", data: onePage("/Resources << /Font << /F1 4 0 R >> >>", "<< /Type /Font /Subtype /Type1 >>"), wantKey: KeyPDFCorrupt},
		{name: "PDF page tree in a loop", data: handmadePDF(
			"<< /Type /Catalog /Pages 2 0 R >>",
			"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
			"<< /Type /Pages /Parent 2 0 R /Kids [2 0 R] /Count 1 >>",
		), wantKey: KeyPDFCorrupt},
		{name: "PDF stream whose length is itself", data: onePage("/Contents 4 0 R", "<< /Length 4 0 R >>\nstream\nxx\nendstream"), wantKey: KeyPDFCorrupt},
		// Deep nesting is legal, and pdfcpu parses it without recursing.
		{name: "PDF nested 100000 deep", data: onePage("/X " + strings.Repeat("[", 100000) + strings.Repeat("]", 100000)), wantKind: PDF},
		{name: "PDF without its end marker", data: pdf[:len(pdf)-7], wantKey: KeyPDFCorrupt},
		{name: "PDF with its end marker 1 KB from the end", data: append(bytes.Clone(pdf), bytes.Repeat([]byte("\n"), 1024-6)...), wantKind: PDF},
		{name: "PDF with its end marker further away", data: append(bytes.Clone(pdf), bytes.Repeat([]byte("\n"), 1024-5)...), wantKey: KeyPDFCorrupt},
		{name: "PDF with a small object stream", data: objectStreams(1, 1000), wantKind: PDF},
		{name: "PDF whose object streams inflate past 4 MB", data: objectStreams(2, 3*MB), wantKey: KeyPDFCorrupt},
		{name: "PDF not read in time", data: pdf, lim: Limits{MaxBytes: MB, Timeout: time.Nanosecond}, wantKey: KeyPDFCorrupt},

		{name: "JPEG cut short", data: photo[:len(photo)*2/3], wantKey: KeyImageCorrupt},
		{name: "JPEG without its end marker", data: photo[:len(photo)-2], wantKey: KeyImageCorrupt},
		{name: "JPEG headers only", data: jpg[:bytes.LastIndex(jpg, sosMarker)], wantKey: KeyImageCorrupt},
		{name: "JPEG header only", data: jpg[:3], wantKey: KeyImageCorrupt},
		{name: "JPEG with 100 scans", data: manyScans(t, 100), wantKind: JPEG},
		{name: "JPEG with 101 scans", data: manyScans(t, 101), wantKey: KeyImageCorrupt},
		{name: "JPEG over MaxPixels", data: jpg, lim: Limits{MaxBytes: MB, MaxPixels: 64*48 - 1}, wantKey: KeyImageTooBig},
		{name: "JPEG at MaxPixels", data: jpg, lim: Limits{MaxBytes: MB, MaxPixels: 64 * 48}, wantKind: JPEG},
		{name: "PNG cut short", data: pngf[:len(pngf)-20], wantKey: KeyImageCorrupt},
		{name: "PNG with a bad checksum", data: corruptByte(pngf, 40), wantKey: KeyImageCorrupt},
		// 8-bit RGB decodes to 4 bytes a pixel: 33 megapixels fit in 128 MB.
		{name: "PNG of 100000×100000 pixels", data: pngHeaderOnly(t, 100000, 100000), wantKey: KeyImageTooBig, wantArgs: []any{33}},
		{name: "PNG of 0×0 pixels", data: pngHeaderOnly(t, 0, 0), wantKey: KeyImageCorrupt},

		{name: "executable renamed .pdf", data: append([]byte("\x7fELF\x02\x01\x01\x00"), bytes.Repeat([]byte{0x90}, 512)...), wantKey: KeyType},
		{name: "zip", data: append([]byte("PK\x03\x04\x14\x00\x00\x00"), bytes.Repeat([]byte{0}, 64)...), wantKey: KeyType},
		{name: "HTML", data: []byte("<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"), wantKey: KeyType},
		{name: "GIF", data: gifFile(t), wantKey: KeyType},
		{name: "text", data: []byte("Je certifie sur l'honneur..."), wantKey: KeyType},
		{name: "PDF after junk", data: append([]byte("junk\n"), pdf...), wantKey: KeyType},
		{name: "PDF after a newline", data: append([]byte("\n"), pdf...), wantKey: KeyType},
		{name: "JPEG signature then a PDF", data: append([]byte{0xff, 0xd8, 0xff}, pdf...), wantKey: KeyImageCorrupt},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lim := tt.lim
			if lim == (Limits{}) {
				lim = testLimits
			}
			kind, err := Check(tt.data, lim)
			if tt.wantKey == "" {
				if err != nil || kind != tt.wantKind {
					t.Fatalf("Check = %q, %v; want %q, nil", kind, err, tt.wantKind)
				}
				return
			}
			var e *permit.Error
			if !errors.As(err, &e) {
				t.Fatalf("Check = %q, %v; want *permit.Error %s", kind, err, tt.wantKey)
			}
			if e.Code != permit.EINVALID || e.Message != tt.wantKey {
				t.Errorf("Check error = %s %s; want %s %s", e.Code, e.Message, permit.EINVALID, tt.wantKey)
			}
			if tt.wantArgs != nil && !reflect.DeepEqual(e.Args, tt.wantArgs) {
				t.Errorf("Check error args = %#v; want %#v", e.Args, tt.wantArgs)
			}
			if kind != "" {
				t.Errorf("Check kind = %q with an error; want \"\"", kind)
			}
		})
	}
}

// corruptByte returns data with the byte at i changed.
func corruptByte(data []byte, i int) []byte {
	data = bytes.Clone(data)
	data[i] ^= 0xff
	return data
}

// corruptStream returns a PDF with a byte changed in the middle of its
// first stream's data.
func corruptStream(pdf []byte) []byte {
	start := bytes.Index(pdf, []byte("stream\n")) + len("stream\n")
	end := bytes.Index(pdf, []byte("\nendstream"))
	return corruptByte(pdf, (start+end)/2)
}

// TestWithTimeout checks that a PDF check returns in time even if pdfcpu
// does not, as its validation takes no context, and survives its panics.
func TestWithTimeout(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	err := withTimeout(10*time.Millisecond, func(context.Context) error {
		<-release
		return nil
	})
	if msg, _ := permit.ErrorMessage(err); msg != KeyPDFCorrupt {
		t.Errorf("withTimeout = %v; want %s", err, KeyPDFCorrupt)
	}
	err = withTimeout(time.Minute, func(context.Context) error { panic("pdfcpu fault") })
	if msg, _ := permit.ErrorMessage(err); msg != KeyPDFCorrupt {
		t.Errorf("withTimeout after a panic = %v; want %s", err, KeyPDFCorrupt)
	}
	want := errors.New("done")
	if err := withTimeout(time.Minute, func(context.Context) error { return want }); err != want {
		t.Errorf("withTimeout = %v; want %v", err, want)
	}
}

// TestCheckConcurrently gives the race detector something to find, should
// pdfcpu keep global state while reading.
func TestCheckConcurrently(t *testing.T) {
	files := [][]byte{
		pdfFile(t, jpegFile(t, 100, 100, 256), "", ""),
		pdfFile(t, nil, "", "proprietaire"),
		onePage("/Resources << /Font << /F1 4 0 R >> >>", "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"),
		jpegFile(t, 100, 100, 256),
	}
	want := []string{"", KeyPDFEncrypted, "", ""}
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			for range 10 {
				_, err := Check(files[i%len(files)], testLimits)
				if msg, _ := permit.ErrorMessage(err); msg != want[i%len(files)] {
					t.Errorf("file %d: Check = %v; want %q", i%len(files), err, want[i%len(files)])
					return
				}
			}
		})
	}
	wg.Wait()
}

// TestNoConfigurationDirectory checks that reading a PDF leaves the home
// directory alone: pdfcpu's default configuration would install fonts and
// certificates there.
func TestNoConfigurationDirectory(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", dir)
	t.Setenv("HOME", dir)
	if _, err := Check(pdfFile(t, nil, "", ""), testLimits); err != nil {
		t.Fatal(err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) > 0 {
		t.Errorf("Check created %s in the configuration directory", entries[0].Name())
	}
}

// TestInflateStreamsBudget checks the bounds on the total that a PDF's
// streams inflate to, which no single stream exceeds.
func TestInflateStreamsBudget(t *testing.T) {
	streams := onePage("/Contents [4 0 R 5 0 R 6 0 R]", flateStream(4*MB), flateStream(4*MB), flateStream(4*MB))
	objects := objectStreams(3, 4*MB)
	tests := []struct {
		name    string
		data    []byte
		budget  budget
		wantErr bool
	}{
		{"streams within budget", streams, budget{streams: 16 * MB}, false},
		{"streams spend budget exactly", streams, budget{streams: 12 * MB}, false},
		{"streams over budget", streams, budget{streams: 12*MB - 1}, true},
		{"streams far over budget", streams, budget{streams: MB, objects: 100 * MB}, true},
		{"object streams within budget", objects, budget{objects: 16 * MB}, false},
		{"object streams over budget", objects, budget{objects: 12*MB - 1}, true},
		{"object streams far over budget", objects, budget{streams: 100 * MB, objects: MB}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pc, err := pdfcpu.ReadWithContext(context.Background(), bytes.NewReader(tt.data), pdfConfig(len(tt.data)))
			if err != nil {
				t.Fatal(err)
			}
			err = inflateStreams(context.Background(), pc, tt.budget)
			if (err != nil) != tt.wantErr {
				t.Errorf("inflateStreams = %v; want error: %t", err, tt.wantErr)
			}
		})
	}
}

// TestBombIsRefusedWithoutAllocating checks that the pixel limit applies
// before decoding: decoding this PNG would take 30 GB.
func TestBombIsRefusedWithoutAllocating(t *testing.T) {
	bomb := pngHeaderOnly(t, 100000, 100000)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := Check(bomb, DefaultLimits)
	runtime.ReadMemStats(&after)
	if permit.ErrorCode(err) != permit.EINVALID {
		t.Fatalf("Check = %v; want EINVALID", err)
	}
	if n := after.TotalAlloc - before.TotalAlloc; n > MB {
		t.Errorf("Check allocated %d bytes; want under 1 MB", n)
	}
}

// BenchmarkCheckJPEG checks a 2400×1800 photo of about 1.1 MB: the
// density of a phone photo, whose decoding dominates the cost.
func BenchmarkCheckJPEG(b *testing.B) {
	data := jpegFile(b, 2400, 1800, 12)
	benchmarkCheck(b, data, JPEG)
}

// BenchmarkCheckPDF checks a three-page PDF of about 1.1 MB, most of it
// the same photo as a scanned page. pdfcpu does not decode images, so the
// cost is that of the structure.
func BenchmarkCheckPDF(b *testing.B) {
	data := pdfFile(b, jpegFile(b, 2400, 1800, 12), "", "")
	benchmarkCheck(b, data, PDF)
}

func benchmarkCheck(b *testing.B, data []byte, want Kind) {
	b.Logf("%d bytes", len(data))
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if kind, err := Check(data, DefaultLimits); err != nil || kind != want {
			b.Fatalf("Check = %q, %v", kind, err)
		}
	}
}
