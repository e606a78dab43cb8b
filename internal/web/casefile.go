package web

import (
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
// page, or the counter's page for a person filed on their behalf. The same
// use cases answer both; only the page that shows the result differs.
type Desk struct {
	*Server
	Documents *casework.Documents
	URL       func(id int64) string // the application's page
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

// Remove marks a document of the checklist removed.
func (d Desk) Remove(w http.ResponseWriter, r *http.Request) error {
	id, err := PathID(r, "id")
	if err != nil {
		return err
	}
	if err := d.Documents.RemoveDocument(r.Context(), Account(r), id, r.PathValue("slot")); err != nil {
		return err
	}
	http.Redirect(w, r, d.URL(id)+"?retire#doc-"+r.PathValue("slot"), http.StatusSeeOther)
	return nil
}

// FeeStamp records the number of the timbre fiscal.
func (d Desk) FeeStamp(w http.ResponseWriter, r *http.Request) error {
	if err := ParseForm(w, r); err != nil {
		return err
	}
	id, err := PathID(r, "id")
	if err != nil {
		return err
	}
	if err := d.Documents.SetFeeStamp(r.Context(), Account(r), id, r.PostForm.Get("fee_stamp")); err != nil {
		return d.FormError(w, r, err, map[string]string{"fee_stamp": r.PostForm.Get("fee_stamp")})
	}
	http.Redirect(w, r, d.URL(id)+"?timbre#timbre", http.StatusSeeOther)
	return nil
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
		p.Notice = NoticeFromQuery(r)
	}
	return c, nil
}

// notices are the messages a redirect after an action asks the next page
// to show, by a query parameter.
var notices = map[string]string{
	"envoye":   "document.uploaded",
	"retire":   "document.removed",
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

// NoticeFromQuery is the notice a redirect asked for, if any.
func NoticeFromQuery(r *http.Request) string {
	for q, key := range notices {
		if r.URL.Query().Has(q) {
			return key
		}
	}
	return ""
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

// ServeReceiptQR sends a filing receipt's signed code as a QR code image;
// a receipt not yet signed has none.
func ServeReceiptQR(w http.ResponseWriter, rc *casework.Receipt) error {
	code := rc.Code()
	if code == "" {
		return permit.Errorf(permit.ENOTFOUND, "error.not_found")
	}
	return ServeQR(w, code, 480)
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

// HistoryRow is one change of a person's data, in words.
type HistoryRow struct {
	At       time.Time
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
		row := HistoryRow{At: c.At, Field: "field." + c.Field, Old: c.Old, New: c.New, Source: "change_source." + string(c.Source)}
		if c.Field == permit.FieldPrefecture {
			row.Old, row.New = names[c.Old], names[c.New]
		}
		out = append(out, row)
	}
	return out, nil
}
