package upload

import (
	"bytes"
	"context"

	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu"
)

// PDFKeywords returns the Keywords entry of a PDF's document information
// dictionary, "" when it has none. It reads the file as Check does,
// within lim.Timeout and pdfcpu's limits, and renders nothing; it does not
// decide whether the file is acceptable: call Check first. A file it
// cannot read gets Check's KeyPDFCorrupt error.
func PDFKeywords(data []byte, lim Limits) (string, error) {
	timeout := lim.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	var keywords string
	err := withTimeout(timeout, func(ctx context.Context) error {
		pc, err := pdfcpu.ReadWithContext(ctx, bytes.NewReader(data), pdfConfig(len(data)))
		if err != nil {
			return invalid(KeyPDFCorrupt)
		}
		if pc.Info == nil {
			return nil
		}
		info, err := pc.DereferenceDict(*pc.Info)
		if err != nil {
			return invalid(KeyPDFCorrupt)
		}
		o, ok := info["Keywords"]
		if !ok {
			return nil
		}
		kw, err := pc.DereferenceText(o)
		if err != nil {
			return invalid(KeyPDFCorrupt)
		}
		keywords = kw
		return nil
	})
	if err != nil {
		return "", err
	}
	return keywords, nil
}
