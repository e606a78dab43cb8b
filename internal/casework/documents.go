package casework

import (
	"context"
	"errors"
	"io"
	"runtime"

	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/upload"
)

// Upload adds a version of a document to an editable application. The
// content is checked by parsing it (PDF, JPEG or PNG only), and counts
// against the person's quota.
func (s *Documents) Upload(ctx context.Context, acc *permit.Account, appID int64, slot, filename string, data []byte) (*permit.Document, error) {
	p, a, err := s.applicantSide(ctx, acc, appID)
	if err != nil {
		return nil, err
	}
	if !a.Editable() {
		return nil, permit.Errorf(permit.ECONFLICT, "document.error.not_editable")
	}
	c, err := s.load(ctx, p, a, false)
	if err != nil {
		return nil, err
	}
	ok := false
	for _, it := range c.Checklist {
		ok = ok || it.Doc.ID == slot
	}
	if !ok {
		return nil, errNotFound
	}
	d, err := s.store(ctx, p, acc, filename, data)
	if err != nil {
		return nil, err
	}
	d.ApplicationID, d.Slot = a.ID, slot
	return d, s.Store.AddDocument(acting(ctx, acc, a, "counter_upload", slot), d, s.Quota)
}

// store checks a file and puts it in the blob store; the caller records
// it, and the store checks the quota again in that write's transaction,
// where concurrent uploads cannot all pass it. It is checked here first
// as it costs nothing, while parsing the content may cost a second and a
// hundred megabytes for a large image (checks go through the process's
// gate).
func (s *core) store(ctx context.Context, p *permit.Person, acc *permit.Account, filename string, data []byte) (*permit.Document, error) {
	used, err := s.People.StorageUsed(ctx, p.ID)
	if err != nil {
		return nil, err
	}
	if used+int64(len(data)) > s.Quota {
		return nil, permit.Errorf(permit.EINVALID, "upload.quota", s.Quota>>20)
	}
	kind, err := s.check(ctx, data)
	if err != nil {
		return nil, err
	}
	sum, err := s.Blobs.Put(ctx, data)
	if err != nil {
		return nil, err
	}
	return &permit.Document{BlobSum: sum, Filename: upload.SafeFilename(filename, kind), Kind: string(kind),
		Size: int64(len(data)), UploadedBy: acc.ID}, nil
}

// check parses an uploaded file's content (PDF, JPEG or PNG only) and
// returns its kind, through the process's gate: it waits while the checks
// running take the processors or the memory it needs.
func (s *core) check(ctx context.Context, data []byte) (upload.Kind, error) {
	kind, err := s.gate().Check(ctx, data, s.Limits)
	if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
		return "", permit.Errorf(permit.EUNAVAILABLE, "error.unavailable")
	}
	return kind, err
}

// RemoveDocument removes the current version of a document while the
// application is editable; the version stays in the history.
func (s *Documents) RemoveDocument(ctx context.Context, acc *permit.Account, appID int64, slot string) error {
	_, a, err := s.applicantSide(ctx, acc, appID)
	if err != nil {
		return err
	}
	if !a.Editable() {
		return permit.Errorf(permit.ECONFLICT, "document.error.not_editable")
	}
	return s.Store.RemoveDocument(acting(ctx, acc, a, "counter_remove_document", slot), a.ID, slot)
}

// OpenDocument returns a document version of an application the account
// may see (its applicant, or the prefecture's staff), with its content.
func (s *Documents) OpenDocument(ctx context.Context, acc *permit.Account, appID, docID int64) (*permit.Document, io.ReadCloser, error) {
	var a *permit.Application
	var err error
	if acc != nil && acc.Role == permit.RoleApplicant {
		_, a, err = s.own(ctx, acc, appID)
	} else {
		a, err = s.staff(ctx, acc, appID)
	}
	if err != nil {
		return nil, nil, err
	}
	d, err := s.Cases.Document(ctx, docID)
	if err != nil || d.ApplicationID != a.ID {
		return nil, nil, errNotFound
	}
	if err := s.seen(ctx, acc, a, d.ID); err != nil {
		return nil, nil, err
	}
	r, err := s.Blobs.Open(ctx, d.BlobSum)
	if err != nil {
		return nil, nil, err
	}
	return d, r, nil
}

// SetFeeStamp records the timbre fiscal number, checked for its format.
func (s *Documents) SetFeeStamp(ctx context.Context, acc *permit.Account, appID int64, stamp string) error {
	_, a, err := s.applicantSide(ctx, acc, appID)
	if err != nil {
		return err
	}
	if a.State != permit.StateDraft {
		return permit.Errorf(permit.ECONFLICT, "document.error.not_editable")
	}
	if !permit.ValidFeeStamp(stamp) {
		return permit.Invalid(map[string]string{"fee_stamp": "fee.error.format"})
	}
	return s.Store.SetFeeStamp(acting(ctx, acc, a, "counter_fee_stamp", ""), a.ID, stripSpaces(stamp))
}

func stripSpaces(s string) string {
	out := make([]rune, 0, len(s))
	for _, r := range s {
		if r != ' ' {
			out = append(out, r)
		}
	}
	return string(out)
}

// gate is Config.Checks, or a gate of the default memory and one slot a
// processor when the configuration has none (unit tests).
func (s *core) gate() *upload.Gate {
	s.gateOnce.Do(func() {
		s.checks = s.Checks
		if s.checks == nil {
			s.checks = upload.NewGate(upload.DefaultGateMemory, runtime.GOMAXPROCS(0))
		}
	})
	return s.checks
}
