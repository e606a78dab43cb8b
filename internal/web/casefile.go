package web

import (
	"bytes"
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/sejour/sejour/internal/casework"
	"github.com/sejour/sejour/internal/paths"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/qr"
)

// This file holds what the applicant's pages and the back office's share
// about one application's file: the desk its documents are worked on, the
// reading of the case with its notice, the receipt page, a person's form
// and the history of their data.

// Desk is where an application's file is worked on: the applicant's own
// page, the back office's case page, or the counter's page for a person
// filed on their behalf. The same use cases answer them all; only the page
// that shows the result differs, and each fills in the use cases its
// actions need.
type Desk struct {
	*Server
	Applications *casework.Applications
	Documents    *casework.Documents
	Messages     *casework.Messages
	URL          func(id int64) string // the application's page
	// FormError re-renders the application's page with a form's errors,
	// or returns err when it is not about the form.
	FormError func(w http.ResponseWriter, r *http.Request, err error, values map[string]string) error
}

// Upload adds a version of a document of the checklist.
func (d Desk) Upload(w http.ResponseWriter, r *http.Request) error {
	id, err := PathID(r, "id")
	if err != nil {
		return err
	}
	slot := r.PathValue("slot")
	field := "file-" + slot
	name, data, _, err := d.ReadUpload(w, r, field)
	if err == nil {
		_, err = d.Documents.Upload(r.Context(), Account(r), id, slot, name, data)
		err = permit.AsField(field, err)
	}
	if err != nil {
		return d.FormError(w, r, err, nil)
	}
	http.Redirect(w, r, d.URL(id)+"?envoye#doc-"+slot, http.StatusSeeOther)
	return nil
}

// Remove marks one current file of a slot removed (the form names it).
func (d Desk) Remove(w http.ResponseWriter, r *http.Request) error {
	if err := ParseForm(w, r); err != nil {
		return err
	}
	id, err := PathID(r, "id")
	if err != nil {
		return err
	}
	// A missing or malformed id names no file: not found, once the use
	// case has said whether the file may change at all.
	doc, _ := strconv.ParseInt(r.PostForm.Get("document"), 10, 64)
	slot := r.PathValue("slot")
	if err := d.Documents.RemoveDocument(r.Context(), Account(r), id, slot, doc); err != nil {
		return err
	}
	http.Redirect(w, r, d.URL(id)+"?retire#doc-"+slot, http.StatusSeeOther)
	return nil
}

// Reuse adds to a slot the files of the person's other applications that
// the form's checkboxes chose.
func (d Desk) Reuse(w http.ResponseWriter, r *http.Request) error {
	if err := ParseForm(w, r); err != nil {
		return err
	}
	id, err := PathID(r, "id")
	if err != nil {
		return err
	}
	slot := r.PathValue("slot")
	var docs []int64
	for _, v := range r.PostForm[casework.ReuseField(slot)] {
		doc, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return permit.Errorf(permit.ENOTFOUND, "error.not_found")
		}
		docs = append(docs, doc)
	}
	if err := d.Documents.Reuse(r.Context(), Account(r), id, slot, docs); err != nil {
		return d.FormError(w, r, err, nil)
	}
	http.Redirect(w, r, d.URL(id)+"?repris#doc-"+slot, http.StatusSeeOther)
	return nil
}

// Typed saves the fee stamp and the e-photo code, both carried by the
// filing form, whichever "Save" button was pressed (Enter in one field
// presses the first). Nothing typed at all is an error on the field of the
// button pressed.
func (d Desk) Typed(w http.ResponseWriter, r *http.Request) error {
	if err := ParseForm(w, r); err != nil {
		return err
	}
	id, err := PathID(r, "id")
	if err != nil {
		return err
	}
	t, values := TypedOf(r)
	photo := r.PostForm.Get(saveButton) == casework.PhotoCodeField
	switch {
	case t.FeeStamp == "" && t.PhotoCode == "" && photo:
		err = d.Documents.SetPhotoCode(r.Context(), Account(r), id, "") // says what a code is
	case t.FeeStamp == "" && t.PhotoCode == "":
		err = permit.Invalid(map[string]string{"fee_stamp": "fee.error.format"})
	default:
		err = d.Documents.SaveTyped(r.Context(), Account(r), id, t)
	}
	if err != nil {
		return d.FormError(w, r, err, values)
	}
	notice := "?timbre#timbre"
	if t.PhotoCode != "" && (photo || t.FeeStamp == "") {
		notice = "?ephoto#" + casework.PhotoCodeField
	}
	http.Redirect(w, r, d.URL(id)+notice, http.StatusSeeOther)
	return nil
}

// saveButton is the name of the buttons that save the fee stamp or the
// e-photo code; its value is the field of the button.
const saveButton = "enregistrer"

// TypedOf reads the fee stamp and the e-photo code a filing form carries,
// with the values to show again if the form comes back.
func TypedOf(r *http.Request) (casework.Typed, map[string]string) {
	t := casework.Typed{FeeStamp: r.PostForm.Get("fee_stamp"), PhotoCode: r.PostForm.Get(casework.PhotoCodeField)}
	return t, map[string]string{"fee_stamp": t.FeeStamp, casework.PhotoCodeField: t.PhotoCode}
}

// KeepTyped saves what the filing form carries before the application is
// filed or sent back.
func (d Desk) KeepTyped(r *http.Request, id int64) (map[string]string, error) {
	t, values := TypedOf(r)
	return values, d.Documents.SaveTyped(r.Context(), Account(r), id, t)
}

// Resubmit sends a file back to the prefecture once the documents it
// asked for are there.
func (d Desk) Resubmit(w http.ResponseWriter, r *http.Request) error {
	id, err := PathID(r, "id")
	if err != nil {
		return err
	}
	if err := ParseForm(w, r); err != nil {
		return err
	}
	values, err := d.KeepTyped(r, id)
	if err == nil {
		_, err = d.Applications.Resubmit(r.Context(), Account(r), id)
	}
	if err != nil {
		return d.FormError(w, r, err, values)
	}
	http.Redirect(w, r, d.URL(id)+"?renvoye", http.StatusSeeOther)
	return nil
}

// Message posts a message, with its attachment if any, on the
// application's thread: the applicant's or the staff's, as casework
// decides from the account.
func (d Desk) Message(w http.ResponseWriter, r *http.Request) error {
	id, err := PathID(r, "id")
	if err != nil {
		return err
	}
	f, err := d.ReadMessage(w, r)
	if err == nil {
		_, err = d.Once(r, permit.ResendMessage, f.Once, func(ctx context.Context) (int64, error) {
			msg, err := d.Messages.PostMessage(ctx, Account(r), id, f.Body, f.Attachment)
			if err != nil {
				return 0, err
			}
			return msg.ID, nil
		})
	}
	if err != nil {
		return d.FormError(w, r, err, map[string]string{"body": f.Body, OnceField: f.Once})
	}
	http.Redirect(w, r, d.URL(id)+"?message#messages", http.StatusSeeOther)
	return nil
}

// RenderFormError re-renders a page titled title, by render, with a
// form's errors and the values typed; it returns err when err is not
// about the form.
func (s *Server) RenderFormError(w http.ResponseWriter, r *http.Request, title string, err error, values map[string]string,
	render func(http.ResponseWriter, *http.Request, int, *Page) error) error {
	p := s.Page(r, title)
	if err := FormError(p, err); err != nil {
		return err
	}
	p.Values = values
	return render(w, r, http.StatusUnprocessableEntity, p)
}

// UploadField is the file input of one document of a case's checklist,
// its label naming the document for screen readers.
func UploadField(p *Page, c *casework.Case, slot string) Field {
	label := slot
	for _, it := range c.Checklist {
		if it.Doc.ID == slot {
			label = p.Text(it.Doc.Name)
		}
	}
	f := Field{Name: "file-" + slot, Type: "file", Label: p.T("case.doc_file", label), Hint: p.T("upload.hint")}
	if key, ok := p.Errors[f.Name]; ok {
		f.Error = p.T(key, p.ErrArgs[f.Name]...)
	}
	return f
}

// LoadCase reads the application of the path through view (the
// applicant's or the staff's, which decide who may see it), and sets the
// notice a redirect asked for.
func LoadCase(r *http.Request, p *Page, view func(context.Context, *permit.Account, int64) (*casework.Case, error)) (*casework.Case, error) {
	id, err := PathID(r, "id")
	if err != nil {
		return nil, err
	}
	c, err := view(r.Context(), Account(r), id)
	if err != nil {
		return nil, err
	}
	if p.Notice == "" {
		caseNotices.Set(p, r)
	}
	return c, nil
}

// caseNotices are the notices of the case pages, the applicant's and the
// staff's.
var caseNotices = Notices{
	"envoye":   "document.uploaded",
	"retire":   "document.removed",
	"repris":   "reuse.done",
	"ephoto":   "ephoto.saved",
	"timbre":   "fee.saved",
	"message":  "message.sent",
	"renvoye":  "complete.done",
	"instruit": "staff.review_started",
	"demande":  "staff.completion_sent",
	// The back office's steps on the case page.
	"complet":     "staff.done.complete",
	"favorable":   "staff.done.favourable",
	"defavorable": "staff.done.unfavourable",
	"carte":       "staff.done.card",
	"rdv":         "staff.done.appointment",
	"remise":      "staff.done.handed_over",
	"cloture":     "staff.done.closed",
	"reouverture": "staff.done.reopened",
	"annulation":  "staff.done.undone",
	"avis":        "staff.done.reviewed",
	"identite":    "staff.done.identity",
}

// Notices are the messages a redirect after an action asks the next page
// to show, by a query parameter: each parameter's catalogue key.
type Notices map[string]string

// Set gives the page the notice its query asks for, if any.
func (n Notices) Set(p *Page, r *http.Request) {
	q := r.URL.Query()
	for param, key := range n {
		if q.Has(param) {
			p.Notice = key
			return
		}
	}
}

// ReceiptView is the filing receipt as a page.
type ReceiptView struct {
	*Page
	Receipt *casework.Receipt
	Counter bool // printed at the counter, for a person filed on behalf
}

// CaseURL is the application's page the receipt belongs to: the
// applicant's, or the counter's.
func (v *ReceiptView) CaseURL() string {
	if v.Counter {
		return paths.CounterCase.Format(v.Receipt.Case.App.ID)
	}
	return paths.Application.Format(v.Receipt.Case.App.ID)
}

// PDFURL is the address of the receipt's PDF.
func (v *ReceiptView) PDFURL() string {
	if v.Counter {
		return paths.CounterReceiptPDF.Format(v.Receipt.Case.App.ID)
	}
	return paths.ReceiptPDF.Format(v.Receipt.Case.App.ID)
}

// QRURL is the address of the receipt's QR code image.
func (v *ReceiptView) QRURL() string {
	if v.Counter {
		return paths.CounterReceiptQR.Format(v.Receipt.Case.App.ID)
	}
	return paths.ReceiptQR.Format(v.Receipt.Case.App.ID)
}

// ReceiptQR is the handler that serves, as a QR code image, the signed
// code of the receipt that of reads from the request (the applicant's or
// the counter's); a receipt not yet signed has none.
func ReceiptQR(of func(*http.Request) (*casework.Receipt, error)) HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		rc, err := of(r)
		if err != nil {
			return err
		}
		code := rc.Code()
		if code == "" {
			return permit.Errorf(permit.ENOTFOUND, "error.not_found")
		}
		return ServeQR(w, code, 480)
	}
}

// ServeReceiptPDF sends a filing receipt as a PDF named after its number:
// a récépissé when it was filed on paper, else an attestation de dépôt.
func ServeReceiptPDF(w http.ResponseWriter, receipts ReceiptRenderer, rc *casework.Receipt) error {
	name := "attestation-de-depot-"
	if rc.Paper() {
		name = "recepisse-de-depot-"
	}
	return ServePDF(w, name+rc.Number()+".pdf", func(b *bytes.Buffer) error {
		return receipts.RenderReceipt(b, rc)
	})
}

// ServeQR sends text as a QR code image of px pixels, never cached: it
// carries a secret or a person's proof.
func ServeQR(w http.ResponseWriter, text string, px int) error {
	png, err := qr.Encode(text, px)
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "image/png")
	h.Set("Cache-Control", "private, no-store")
	h.Set("Content-Length", strconv.Itoa(len(png)))
	_, err = w.Write(png)
	return err
}

// PersonForm reads a person's form (the applicant's profile, the
// counter's new person, the civil part of a correction request) from its
// fields, whatever carries them.
func PersonForm(get func(string) string) casework.ProfileForm {
	return casework.ProfileForm{
		GivenNames: get("given_names"), Surname: get("surname"), BirthDate: get("birth_date"),
		BirthPlace: get("birth_place"), Nationality: get("nationality"), ForeignerNumber: get("foreigner_number"),
		AddressLine: get("address_line"), Postcode: get("postcode"), City: get("city"), Phone: get("phone"),
		HasPermit: get("has_permit") == "oui", PermitGround: get("permit_ground"), PermitNumber: get("permit_number"),
		PermitFrom: get("permit_from"), PermitTo: get("permit_to"),
	}
}

// ParsePersonForm reads a posted person's form; on a field error (a
// control character in a name) the form is returned all the same, as
// ParseForm leaves it, for the page to show again.
func ParsePersonForm(w http.ResponseWriter, r *http.Request) (casework.ProfileForm, error) {
	err := ParseForm(w, r)
	return PersonForm(r.PostForm.Get), err
}

// HistoryRow is one change of a person's data, in words.
type HistoryRow struct {
	At       time.Time
	Name     string // the field (permit.Field…)
	Field    string // a catalogue key
	Old, New string
	Source   string // a catalogue key
}

// HistoryRows turns a person's history into rows, naming prefectures
// rather than giving their ids.
func HistoryRows(ctx context.Context, queue *casework.WorkQueue, changes []permit.PersonChange) ([]HistoryRow, error) {
	names := map[string]string{}
	for _, c := range changes {
		if c.Field == permit.FieldPrefecture {
			prefs, err := queue.Prefectures(ctx)
			if err != nil {
				return nil, err
			}
			for _, p := range prefs {
				names[strconv.FormatInt(p.ID, 10)] = p.Name
			}
			break
		}
	}
	out := make([]HistoryRow, 0, len(changes))
	for i := len(changes) - 1; i >= 0; i-- { // newest first
		c := changes[i]
		row := HistoryRow{At: c.At, Name: c.Field, Field: "field." + c.Field, Old: c.Old, New: c.New, Source: "change_source." + string(c.Source)}
		if c.Field == permit.FieldPrefecture {
			row.Old, row.New = names[c.Old], names[c.New]
		}
		out = append(out, row)
	}
	return out, nil
}
