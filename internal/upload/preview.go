package upload

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"io"
	"runtime"
	"sync"
	"time"

	"github.com/klippa-app/go-pdfium"
	"github.com/klippa-app/go-pdfium/requests"
	"github.com/klippa-app/go-pdfium/webassembly"
	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/experimental"
)

// Staff preview a PDF as a picture of its pages, drawn on the server, so
// that no PDF reader ever opens an applicant's file in the staff's browser
// (issue 13 §11): browsers refuse to show a PDF in a sandboxed document,
// and a PDF shown unsandboxed in the portal's origin is the portal's
// attack surface. The drawing runs PDFium compiled to WebAssembly inside
// the process, a sandbox of its own: it sees no file system (no directory
// is mounted), its memory is bounded (PreviewMemory), it is stopped at
// PreviewTimeout, each file gets a fresh instance (nothing carries over
// from one applicant's file to the next), and PDFium's WebAssembly build
// has no JavaScript engine. What reaches the browser is a JPEG, served
// sandboxed like every uploaded file.
const (
	// PreviewPages is how many pages the picture shows at most; the
	// page says so and the download holds them all.
	PreviewPages = 10
	// PreviewWidth is the width of a page in the picture, in pixels: a
	// line of an A4 page at about 110 dpi, enough to read a payslip.
	PreviewWidth = 900
	// PreviewMemory bounds the memory of one drawing's WebAssembly
	// instance (PDFium, the file and the pages' bitmaps).
	PreviewMemory = 256 * MB
	// PreviewTimeout stops a drawing that takes longer: a file built to
	// make PDFium spin is stopped, not served.
	PreviewTimeout = 15 * time.Second
)

// ErrPreview is returned when a PDF cannot be drawn (damaged past what
// PDFium reads, too costly, or stopped at PreviewTimeout): the staff
// download it instead.
var ErrPreview = errors.New("upload: the PDF cannot be previewed")

// Previewer draws the first pages of checked PDFs as one JPEG, through the
// gate the uploads' checks share (the drawing is weighed like a check).
// The zero value is not usable: use NewPreviewer. PDFium's WebAssembly
// module is compiled on the first preview (about three seconds), not at
// start.
type Previewer struct {
	gate    *Gate
	timeout time.Duration

	once sync.Once
	pool pdfium.Pool
	err  error
}

// NewPreviewer returns a previewer weighing its drawings on gate (nil: a
// gate of its own).
func NewPreviewer(gate *Gate) *Previewer {
	if gate == nil {
		gate = NewGate(DefaultGateMemory, runtime.GOMAXPROCS(0))
	}
	return &Previewer{gate: gate, timeout: PreviewTimeout}
}

// start compiles PDFium once per process.
func (p *Previewer) start() error {
	p.once.Do(func() {
		cfg := wazero.NewRuntimeConfig().
			WithCoreFeatures(api.CoreFeaturesV2 | experimental.CoreFeaturesExceptionHandling).
			WithMemoryLimitPages(uint32(PreviewMemory / (64 << 10))).
			WithCloseOnContextDone(true)
		p.pool, p.err = webassembly.Init(webassembly.Config{
			MinIdle: 0, MaxIdle: 1, MaxTotal: max(1, runtime.GOMAXPROCS(0)),
			RuntimeConfig: cfg,
			FSConfig:      wazero.NewFSConfig(), // nothing mounted
			Stdout:        io.Discard,
			Stderr:        io.Discard,
		})
	})
	return p.err
}

// previewCost is what a drawing may take: PDFium's bounded memory, the
// file, and the picture with its encoding.
func previewCost(size int) int64 {
	picture := int64(PreviewWidth) * int64(PreviewWidth) * 2 * 4 * PreviewPages
	return PreviewMemory + 2*int64(size) + 3*picture
}

// PDF draws the first PreviewPages pages of data, a PDF that passed Check,
// one below the other, each PreviewWidth wide, and returns the JPEG. It
// waits for its turn at the gate; ErrPreview when the file cannot be
// drawn, ctx's error when ctx ends first.
func (p *Previewer) PDF(ctx context.Context, data []byte) ([]byte, error) {
	var out []byte
	err := p.gate.Do(ctx, previewCost(len(data)), func() error {
		if err := p.start(); err != nil {
			return fmt.Errorf("upload: PDFium: %w", err)
		}
		var err error
		out, err = p.draw(ctx, data)
		return err
	})
	return out, err
}

func (p *Previewer) draw(ctx context.Context, data []byte) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, p.timeout)
	defer cancel()
	inst, err := p.pool.GetInstanceWithContext(ctx)
	if err != nil {
		return nil, err
	}
	// A drawing past its time is stopped where it is: Kill ends the
	// instance's context, and the runtime closes a module whose context
	// is done (WithCloseOnContextDone).
	stop := context.AfterFunc(ctx, func() { _ = inst.Kill() })
	defer func() {
		if stop() {
			_ = inst.Close()
		}
	}()

	doc, err := inst.OpenDocument(&requests.OpenDocument{File: &data})
	if err != nil {
		return nil, errors.Join(ErrPreview, err)
	}
	defer inst.FPDF_CloseDocument(&requests.FPDF_CloseDocument{Document: doc.Document})
	count, err := inst.FPDF_GetPageCount(&requests.FPDF_GetPageCount{Document: doc.Document})
	if err != nil || count.PageCount < 1 {
		return nil, errors.Join(ErrPreview, err)
	}
	pages := make([]requests.RenderPageInPixels, min(count.PageCount, PreviewPages))
	for i := range pages {
		pages[i] = requests.RenderPageInPixels{
			Page:  requests.Page{ByIndex: &requests.PageByIndex{Document: doc.Document, Index: i}},
			Width: PreviewWidth, Height: 2 * PreviewWidth,
		}
	}
	res, err := inst.RenderPagesInPixels(&requests.RenderPagesInPixels{Pages: pages, Padding: 16})
	if err != nil {
		return nil, errors.Join(ErrPreview, err)
	}
	defer res.Cleanup()
	if ctx.Err() != nil {
		return nil, errors.Join(ErrPreview, ctx.Err())
	}
	// The gaps between pages are transparent: grey on the picture.
	b := res.Result.RenderedImage.Bounds()
	canvas := image.NewRGBA(b)
	draw.Draw(canvas, b, image.NewUniform(color.Gray{Y: 0xc8}), image.Point{}, draw.Src)
	draw.Draw(canvas, b, res.Result.RenderedImage, b.Min, draw.Over)
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, canvas, &jpeg.Options{Quality: 80}); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
