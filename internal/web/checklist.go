package web

import (
	"strconv"

	"github.com/sejour/sejour/internal/casework"
	"github.com/sejour/sejour/internal/paths"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/rules"
)

// DeskPaths are the addresses the forms of an application's checklist
// post to: the applicant's own, or the counter's for a person filed on
// their behalf.
type DeskPaths struct {
	Upload, Remove, Reuse, Download paths.IDAnd
	Typed                           paths.ID // the fee stamp and the e-photo code
}

// ApplicantDesk and CounterDesk are the two desks' addresses.
var (
	ApplicantDesk = DeskPaths{Upload: paths.Upload, Remove: paths.RemoveDocument, Reuse: paths.ReuseDocuments,
		Download: paths.Download, Typed: paths.FeeStamp}
	CounterDesk = DeskPaths{Upload: paths.CounterUpload, Remove: paths.CounterRemove, Reuse: paths.CounterReuse,
		Download: paths.CaseDownload, Typed: paths.CounterFeeStamp}
)

// FilingForm is the id of the form that files (or sends back) an
// application: the fee stamp and the e-photo code, wherever the page
// shows them, belong to it, so that pressing "File" before "Save" keeps
// what was typed.
const FilingForm = "documents"

// Checklist is an application's documents as the applicant's page and the
// counter's show them (the "checklist" template), with the forms that
// change them when Edit: each slot's current files, each removable alone,
// "add another file" while the slot holds fewer than its most, the files
// of the person's other applications to reuse, and the e-photo code.
type Checklist struct {
	*Page
	Case  *casework.Case
	Paths DeskPaths
	Edit  bool
}

// FilingForm is the id of the filing form, for the template.
func (v Checklist) FilingForm() string { return FilingForm }

// ID is the application's id, for the forms' addresses.
func (v Checklist) ID() int64 { return v.Case.App.ID }

// UploadURL, RemoveURL and ReuseURL are where a slot's forms post.
func (v Checklist) UploadURL(slot string) string { return v.Paths.Upload.Format(v.ID(), slot) }

// RemoveURL is where one of a slot's files is removed.
func (v Checklist) RemoveURL(slot string) string { return v.Paths.Remove.Format(v.ID(), slot) }

// ReuseURL is where files of other applications are added to a slot.
func (v Checklist) ReuseURL(slot string) string { return v.Paths.Reuse.Format(v.ID(), slot) }

// TypedURL is where the fee stamp and the e-photo code are saved.
func (v Checklist) TypedURL() string { return v.Paths.Typed.Format(v.ID()) }

// DocURL is where a file is downloaded.
func (v Checklist) DocURL(d *permit.Document) string {
	return v.Paths.Download.FormatIDs(d.ApplicationID, d.ID)
}

// CanAdd reports whether a slot takes another file now.
func (v Checklist) CanAdd(d *rules.Document) bool {
	return v.Edit && d.TakesFiles() && len(v.Case.CurrentDocuments(d.ID)) < d.MaxFiles
}

// UploadField is the file input of a slot.
func (v Checklist) UploadField(slot string) Field { return UploadField(v.Page, v.Case, slot) }

// ReuseField names the checkboxes of a slot's reusable files.
func (v Checklist) ReuseField(slot string) string { return casework.ReuseField(slot) }

// ReuseError is the message of a slot's reuse form, if any.
func (v Checklist) ReuseError(slot string) string {
	name := casework.ReuseField(slot)
	if key, ok := v.Errors[name]; ok {
		return v.T(key, v.ErrArgs[name]...)
	}
	return ""
}

// PhotoField is the e-photo code's input, which belongs to the filing
// form, showing what was typed or else what was recorded.
func (v Checklist) PhotoField(code *rules.DocumentCode) Field {
	f := v.Field(casework.PhotoCodeField, "text", "off", "ephoto.label", "")
	f.Hint, f.Form = v.T("ephoto.hint", code.Length), FilingForm
	if f.Value == "" && v.Errors[casework.PhotoCodeField] == "" {
		f.Value = v.Case.App.PhotoCode
	}
	return f
}

// FeeField is the timbre fiscal input, which belongs to the filing form,
// showing what was typed or else what was recorded.
func FeeField(p *Page, c *casework.Case) Field {
	f := p.Field("fee_stamp", "text", "off", "fee.label", "fee.hint")
	f.Form = FilingForm
	if f.Value == "" {
		f.Value = c.App.FeeStamp
	}
	return f
}

// FileName names one of a slot's n files, the i-th from 0: the document's
// name alone when it holds one.
func (p *Page) FileName(d *rules.Document, i, n int) string {
	if n <= 1 {
		return p.Text(d.Name)
	}
	return p.T("slots.file_n", p.Text(d.Name), strconv.Itoa(i+1), strconv.Itoa(n))
}
