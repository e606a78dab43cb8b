package upload

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/jpeg"
	"testing"
	"time"

	"github.com/go-pdf/fpdf"
)

// pagesPDF returns a PDF of n A4 pages, each with a black band across its
// top third and nothing else.
func pagesPDF(t testing.TB, n int) []byte {
	t.Helper()
	doc := fpdf.New("P", "mm", "A4", "")
	doc.SetCreationDate(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))
	for range n {
		doc.AddPage()
		doc.SetFillColor(0, 0, 0)
		doc.Rect(0, 0, 210, 99, "F")
	}
	var buf bytes.Buffer
	if err := doc.Output(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func previewImage(t *testing.T, b []byte) image.Image {
	t.Helper()
	img, err := jpeg.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("the preview is not a JPEG: %v", err)
	}
	return img
}

func dark(img image.Image, x, y int) bool {
	r, g, b, _ := img.At(x, y).RGBA()
	return r+g+b < 3*0x2000
}

// TestPreviewDrawsThePages draws PDFs as staff would see them: each page
// PreviewWidth wide, one below the other, what is black on the page black
// in the picture and what is white white; at most PreviewPages pages.
func TestPreviewDrawsThePages(t *testing.T) {
	p := NewPreviewer(nil)
	ctx := context.Background()

	out, err := p.PDF(ctx, pagesPDF(t, 2))
	if err != nil {
		t.Fatal(err)
	}
	img := previewImage(t, out)
	b := img.Bounds()
	if b.Dx() != PreviewWidth {
		t.Errorf("width %d, want %d", b.Dx(), PreviewWidth)
	}
	page := PreviewWidth * 297 / 210 // an A4 page's height at that width
	if b.Dy() < 2*page || b.Dy() > 2*page+64 {
		t.Errorf("height %d, want two A4 pages of %d px with a gap", b.Dy(), page)
	}
	for _, y := range []int{page / 6, page + 16 + page/6} {
		if !dark(img, PreviewWidth/2, y) {
			t.Errorf("(%d, %d) is light: the page's black band is not drawn", PreviewWidth/2, y)
		}
	}
	if dark(img, PreviewWidth/2, page*2/3) {
		t.Errorf("the page's white part is drawn dark")
	}

	out, err = p.PDF(ctx, pagesPDF(t, PreviewPages+3))
	if err != nil {
		t.Fatal(err)
	}
	if h := previewImage(t, out).Bounds().Dy(); h > PreviewPages*(page+16) {
		t.Errorf("a %d-page PDF drew %d px, more than %d pages", PreviewPages+3, h, PreviewPages)
	}
}

// TestPreviewRefusesWhatItCannotDraw: a file that is not a PDF, and a
// drawing stopped at its deadline, give ErrPreview; the previewer still
// draws the next file.
func TestPreviewRefusesWhatItCannotDraw(t *testing.T) {
	p := NewPreviewer(nil)
	ctx := context.Background()
	if _, err := p.PDF(ctx, []byte("%PDF-1.7\nnot really a PDF")); !errors.Is(err, ErrPreview) {
		t.Errorf("a broken PDF: %v, want ErrPreview", err)
	}

	if err := p.start(); err != nil {
		t.Fatal(err)
	}
	p.timeout = time.Millisecond
	if _, err := p.PDF(ctx, pagesPDF(t, PreviewPages)); err == nil {
		t.Errorf("a drawing past its deadline was served")
	}
	p.timeout = PreviewTimeout
	if _, err := p.PDF(ctx, pagesPDF(t, 1)); err != nil {
		t.Errorf("after a stopped drawing: %v", err)
	}
}

// TestPreviewWaitsAtTheGate: a drawing weighs on the uploads' gate, and
// one that cannot get its turn before its context ends is not drawn.
func TestPreviewWaitsAtTheGate(t *testing.T) {
	gate := NewGate(previewCost(1<<20), 1)
	p := NewPreviewer(gate)
	hold := make(chan struct{})
	held := make(chan struct{})
	go gate.Do(context.Background(), previewCost(1<<20), func() error { close(held); <-hold; return nil })
	<-held
	defer close(hold)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := p.PDF(ctx, pagesPDF(t, 1)); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("with the gate full: %v, want the context's deadline", err)
	}
}
