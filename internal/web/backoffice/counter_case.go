package web

import (
	"bytes"
	"net/http"
	"strconv"

	"github.com/sejour/sejour/internal/casework"
	"github.com/sejour/sejour/internal/permit"
)

// counterCaseView is an application the agent prepares for the person.
type counterCaseView struct {
	*Page
	Case *casework.CounterCase
}

// Euros writes an amount in cents as euros.
func (v *counterCaseView) Euros(cents int64) string { return strconv.FormatInt(cents/100, 10) + " €" }

// URL is the application's counter page.
func (v *counterCaseView) URL() string { return counterCaseURL(v.Case.App.ID) }

// DocURL is where staff download a document version.
func (v *counterCaseView) DocURL(d *permit.Document) string {
	return "/agent/demandes/" + strconv.FormatInt(d.ApplicationID, 10) + "/fichiers/" + strconv.FormatInt(d.ID, 10)
}

// UploadField is the file input of one document, named for screen readers.
func (v *counterCaseView) UploadField(slot string) Field {
	label := slot
	for _, it := range v.Case.Checklist {
		if it.Doc.ID == slot {
			label = v.Text(it.Doc.Name)
		}
	}
	f := Field{Name: "file-" + slot, Type: "file", Label: v.T("case.doc_file", label), Hint: v.T("upload.hint")}
	if key, ok := v.Errors[f.Name]; ok {
		f.Error = v.T(key, v.ErrArgs[f.Name]...)
	}
	return f
}

// FeeField is the timbre fiscal input, showing what was recorded.
func (v *counterCaseView) FeeField() Field {
	f := v.Field("fee_stamp", "text", "off", "fee.label", "fee.hint")
	if f.Value == "" {
		f.Value = v.Case.App.FeeStamp
	}
	return f
}

// counterNotices are the notices a redirect asks the counter page for.
var counterNotices = map[string]string{
	"envoye":  "document.uploaded",
	"retire":  "document.removed",
	"timbre":  "fee.saved",
	"renvoye": "complete.done",
}

func (s *Server) counterCase(w http.ResponseWriter, r *http.Request) error {
	p := s.page(r, "counter.case.title")
	for q, key := range counterNotices {
		if r.URL.Query().Has(q) {
			p.Notice = key
		}
	}
	return s.renderCounterCase(w, r, http.StatusOK, p)
}

func (s *Server) renderCounterCase(w http.ResponseWriter, r *http.Request, status int, p *Page) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	c, err := s.Counter.CounterView(r.Context(), account(r), id)
	if err != nil {
		return err
	}
	p.Staff = true
	s.render(w, r, status, "counter_case", &counterCaseView{Page: p, Case: c})
	return nil
}

// counterFormError re-renders the counter page of an application with a
// form's errors, or returns err when it is not about the form.
func (s *Server) counterFormError(w http.ResponseWriter, r *http.Request, err error, values map[string]string) error {
	p := s.page(r, "counter.case.title")
	if err := formError(p, err); err != nil {
		return err
	}
	p.Values = values
	return s.renderCounterCase(w, r, http.StatusUnprocessableEntity, p)
}

func (s *Server) counterUpload(w http.ResponseWriter, r *http.Request) error {
	return s.uploadAt(w, r, counterDesk)
}

func (s *Server) counterRemove(w http.ResponseWriter, r *http.Request) error {
	return s.removeAt(w, r, counterDesk)
}

func (s *Server) counterFeeStamp(w http.ResponseWriter, r *http.Request) error {
	return s.feeStampAt(w, r, counterDesk)
}

func (s *Server) counterFile(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if _, err := s.Counter.FileOnBehalf(r.Context(), account(r), id, r.PostForm.Get("confirm") == "oui"); err != nil {
		return s.counterFormError(w, r, err, nil)
	}
	http.Redirect(w, r, counterCaseURL(id)+"/recepisse", http.StatusSeeOther)
	return nil
}

func (s *Server) counterResubmit(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if _, err := s.Applications.Resubmit(r.Context(), account(r), id); err != nil {
		return s.counterFormError(w, r, err, nil)
	}
	http.Redirect(w, r, counterCaseURL(id)+"?renvoye", http.StatusSeeOther)
	return nil
}

func (s *Server) counterReceipt(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	rc, err := s.Counter.StaffReceipt(r.Context(), account(r), id, "")
	if err != nil {
		return err
	}
	p := s.page(r, "counter.receipt.title")
	p.Staff = true
	s.render(w, r, http.StatusOK, "receipt", &receiptView{Page: p, Receipt: rc, Counter: true})
	return nil
}

// counterReceiptPDF serves the receipt's PDF; posted with the claim code
// just issued, it prints the code too.
func (s *Server) counterReceiptPDF(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	code := ""
	if r.Method == http.MethodPost {
		if err := parseForm(w, r); err != nil {
			return err
		}
		code = r.PostForm.Get("code")
	}
	rc, err := s.Counter.StaffReceipt(r.Context(), account(r), id, code)
	if err != nil {
		return err
	}
	name := "attestation-de-depot-"
	if rc.Paper() {
		name = "recepisse-de-depot-"
	}
	return servePDF(w, name+rc.Filing.Number+".pdf", func(b *bytes.Buffer) error {
		return s.Receipts.RenderReceipt(b, rc)
	})
}

// Channel names a channel.
func (v *counterCaseView) Channel(c permit.Channel) string {
	return v.T("counter.channel." + string(c))
}

// ConsentHow names how consent was given.
func (v *counterCaseView) ConsentHow(w string) string { return v.T("counter.consent_how." + w) }
