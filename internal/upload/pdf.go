package upload

import (
	"bytes"
	"context"
	"errors"
	"time"

	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/validate"
)

// maxPDFObjects bounds the objects a PDF may declare, since pdfcpu
// allocates for what the cross-reference data announces. A 10 MB file holds
// far fewer objects than this.
const maxPDFObjects = 1 << 20

// pdfEOFWindow is how near its end a PDF must carry its end-of-file
// marker, as Acrobat also requires. A file without one was most likely cut
// short during the upload, and pdfcpu would otherwise rebuild what
// remains of it and accept a document with pages missing.
const pdfEOFWindow = 1024

var pdfEOF = []byte("%%EOF")

// checkPDF reads data with pdfcpu, inflates its streams and validates it
// in relaxed mode, the mode that accepts the small deviations of common
// producers (scanners, office suites, phone apps). It refuses an encrypted
// PDF, even one that opens without a password, because agents must be able
// to open, print and archive the document. It returns once lim.Timeout has
// passed, whether pdfcpu has finished or not.
func checkPDF(data []byte, lim Limits) error {
	if !bytes.Contains(data[max(0, len(data)-pdfEOFWindow):], pdfEOF) {
		return invalid(KeyPDFCorrupt)
	}
	timeout := lim.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	return withTimeout(timeout, func(ctx context.Context) error { return readPDF(ctx, data) })
}

// withTimeout runs f and returns its error, or a KeyPDFCorrupt error if f
// panics or once timeout has passed. pdfcpu reports some faults by
// panicking, which must not bring the server down. After a timeout,
// reading stops at pdfcpu's next check of ctx; validation, which takes no
// context, runs on in the background to its end, bounded by the budget of
// inflateStreams.
func withTimeout(timeout time.Duration, f func(context.Context) error) error {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	done := make(chan error, 1)
	go func() {
		defer func() {
			if recover() != nil {
				done <- invalid(KeyPDFCorrupt)
			}
		}()
		done <- f(ctx)
	}()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return invalid(KeyPDFCorrupt)
	}
}

// readPDF parses and validates a PDF.
func readPDF(ctx context.Context, data []byte) error {
	pc, err := pdfcpu.ReadWithContext(ctx, bytes.NewReader(data), pdfConfig(len(data)))
	if isEncryption(err) {
		return invalid(KeyPDFEncrypted)
	} else if err != nil {
		return invalid(KeyPDFCorrupt)
	}
	if pc.Encrypt != nil || pc.E != nil {
		return invalid(KeyPDFEncrypted)
	}
	// Looked for in the objects as read: validation drops some of them
	// (a form without fields, with its XML form).
	if hasActiveContent(pc) {
		return invalid(KeyPDFActive)
	}
	// Inflating comes first, as a bound on what validation will parse.
	if err := inflateStreams(ctx, pc, defaultBudget); err != nil {
		return invalid(KeyPDFCorrupt)
	}
	if err := validate.XRefTable(pc); err != nil {
		return invalid(KeyPDFCorrupt)
	}
	return nil
}

// isEncryption reports whether pdfcpu could not read a file because it is
// encrypted: with a password to open it, or with a scheme pdfcpu does not
// support.
func isEncryption(err error) bool {
	return errors.Is(err, pdfcpu.ErrWrongPassword) ||
		errors.Is(err, pdfcpu.ErrUnsupportedEncryptionFeature) ||
		errors.Is(err, pdfcpu.ErrPermissionDenied) ||
		errors.Is(err, pdfcpu.ErrEncrypted)
}

// pdfConfig returns the pdfcpu configuration for checking a file of size
// bytes. It is built here rather than by model.NewDefaultConfiguration,
// which installs a configuration directory (with fonts and certificates)
// in the user's home on first use.
func pdfConfig(size int) *model.Configuration {
	limits := model.DefaultResourceLimits()
	limits.MaxStreamBytes = int64(size)
	limits.MaxDecodeBytes = maxStreamBytes
	limits.MaxObjectCount = maxPDFObjects
	limits.MaxXRefEntries = maxPDFObjects
	return &model.Configuration{
		Version:                   model.VersionStr,
		Reader15:                  true,
		ValidationMode:            model.ValidationRelaxed,
		UnsupportedResourcePolicy: model.UnsupportedResourceSkip,
		Cmd:                       model.VALIDATE,
		Eol:                       types.EolLF,
		Offline:                   true,
		Limits:                    limits,
	}
}
