package casework

import (
	"context"
	"errors"
	"io"
	"runtime"
	"strings"

	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/rules"
	"github.com/sejour/sejour/internal/upload"
)

// Upload adds a file to a slot of an editable application, while the
// slot holds fewer than the catalogue's most (a slot of one file has it
// replaced). The content is checked by parsing it (PDF, JPEG or PNG only),
// and counts against the person's quota.
func (s *Documents) Upload(ctx context.Context, acc *permit.Account, appID int64, slot, filename string, data []byte) (*permit.Document, error) {
	c, doc, err := s.slot(ctx, acc, appID, slot)
	if err != nil {
		return nil, err
	}
	if !doc.TakesFiles() {
		return nil, permit.Errorf(permit.EINVALID, "slots.error.code_only")
	}
	// Said before the content is checked and stored; the store checks it
	// again in the transaction that records the file.
	if n := len(c.CurrentDocuments(slot)); n >= doc.MaxFiles && doc.MaxFiles > 1 {
		return nil, permit.Errorf(permit.EINVALID, "slots.error.full", doc.MaxFiles)
	}
	a := c.App
	d, err := s.store(ctx, c.Person, acc, filename, data)
	if err != nil {
		return nil, err
	}
	return d, s.Store.AddDocuments(acting(ctx, acc, a, "counter_upload", slot), a.ID, slot, []*permit.Document{d}, doc.MaxFiles, s.Quota)
}

// slot reads an editable application an account works on as the
// applicant, and the document of its checklist named slot.
func (s *Documents) slot(ctx context.Context, acc *permit.Account, appID int64, slot string) (*Case, *rules.Document, error) {
	p, a, err := s.applicantSide(ctx, acc, appID)
	if err != nil {
		return nil, nil, err
	}
	if !a.Editable() {
		return nil, nil, permit.Errorf(permit.ECONFLICT, "document.error.not_editable")
	}
	c, err := s.load(ctx, p, a, false)
	if err != nil {
		return nil, nil, err
	}
	for _, it := range c.Checklist {
		if it.Doc.ID == slot {
			return c, it.Doc, nil
		}
	}
	return nil, nil, errNotFound
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

// RemoveDocument removes one current file of a slot while the
// application is editable; the version stays in the history.
func (s *Documents) RemoveDocument(ctx context.Context, acc *permit.Account, appID int64, slot string, docID int64) error {
	_, a, err := s.applicantSide(ctx, acc, appID)
	if err != nil {
		return err
	}
	if !a.Editable() {
		return permit.Errorf(permit.ECONFLICT, "document.error.not_editable")
	}
	return s.Store.RemoveDocument(acting(ctx, acc, a, "counter_remove_document", slot), a.ID, slot, docID)
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

// SetPhotoCode records the e-photo code while the application is
// editable (the prefecture may ask for a new photo), checked for the
// catalogue's shape: letters and digits, spaces and hyphens ignored.
func (s *Documents) SetPhotoCode(ctx context.Context, acc *permit.Account, appID int64, code string) error {
	_, a, err := s.applicantSide(ctx, acc, appID)
	if err != nil {
		return err
	}
	if !a.Editable() {
		return permit.Errorf(permit.ECONFLICT, "document.error.not_editable")
	}
	norm, ok := s.photoCode(code)
	if !ok {
		return permit.InvalidWith(map[string]string{PhotoCodeField: "ephoto.error.format"}, map[string][]any{PhotoCodeField: {s.codeLength()}})
	}
	return s.Store.SetPhotoCode(acting(ctx, acc, a, "counter_photo_code", ""), a.ID, norm)
}

// Typed is what the filing form carries besides its button: the fee
// stamp and the e-photo code as typed, which may not have been saved yet.
type Typed struct {
	FeeStamp, PhotoCode string
}

// SaveTyped records the values typed on the filing form that differ from
// those recorded, before the application is filed or sent back, so that
// pressing "File" before "Save" loses nothing; an empty value changes
// nothing. The errors of both fields come back together.
func (s *Documents) SaveTyped(ctx context.Context, acc *permit.Account, appID int64, t Typed) error {
	_, a, err := s.applicantSide(ctx, acc, appID)
	if err != nil {
		return err
	}
	var errs []error
	if t.FeeStamp != "" && stripSpaces(t.FeeStamp) != a.FeeStamp {
		errs = append(errs, s.SetFeeStamp(ctx, acc, appID, t.FeeStamp))
	}
	if code, _ := s.photoCode(t.PhotoCode); t.PhotoCode != "" && code != a.PhotoCode {
		errs = append(errs, s.SetPhotoCode(ctx, acc, appID, t.PhotoCode))
	}
	return joinInvalid(errs...)
}

// joinInvalid merges the field errors of errs into one form error; an
// error that is not about fields is returned as it is.
func joinInvalid(errs ...error) error {
	fields, args := map[string]string{}, map[string][]any{}
	for _, err := range errs {
		var e *permit.Error
		if err == nil {
			continue
		} else if !errors.As(err, &e) || e.Fields == nil {
			return err
		}
		for f, key := range e.Fields {
			fields[f], args[f] = key, e.FieldArgs[f]
		}
	}
	return permit.InvalidWith(fields, args)
}

// PhotoCodeField is the form field of the e-photo code, which its errors
// name.
const PhotoCodeField = "photo_code"

// photoCode puts a typed e-photo code in its stored form (upper case,
// without spaces or hyphens) and says whether it has the catalogue's
// shape.
func (s *core) photoCode(code string) (string, bool) {
	n := s.codeLength()
	code = strings.ToUpper(strings.NewReplacer(" ", "", "-", "", "\t", "").Replace(code))
	if n == 0 || len(code) != n {
		return code, false
	}
	for _, r := range code {
		if (r < 'A' || r > 'Z') && (r < '0' || r > '9') {
			return code, false
		}
	}
	return code, true
}

// codeLength is the length of an e-photo code in the catalogue; 0 when no
// document takes one.
func (s *core) codeLength() int {
	for _, d := range s.Rules.Documents() {
		if d.Code != nil && d.Code.Kind == rules.CodeEPhoto {
			return d.Code.Length
		}
	}
	return 0
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
