package backoffice

import (
	"net/http"

	"github.com/sejour/sejour/internal/casework"
	"github.com/sejour/sejour/internal/paths"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/web"
)

// counterCaseView is an application the agent prepares for the person.
type counterCaseView struct {
	*web.Page
	Case *casework.CounterCase
}

// Checklist is the application's documents with the forms that change
// them while the agent assists the person and the file is editable.
func (v *counterCaseView) Checklist() web.Checklist {
	return web.Checklist{Page: v.Page, Case: v.Case.Case, Paths: web.CounterDesk,
		Edit: v.Case.OnBehalf.Assisted() && v.Case.App.Editable()}
}

// FeeField is the timbre fiscal input, showing what was recorded.
func (v *counterCaseView) FeeField() web.Field { return web.FeeField(v.Page, v.Case.Case) }

// counterNotices are the notices a redirect asks the counter page for.
var counterNotices = web.Notices{
	"envoye":  "document.uploaded",
	"retire":  "document.removed",
	"repris":  "reuse.done",
	"ephoto":  "ephoto.saved",
	"timbre":  "fee.saved",
	"renvoye": "complete.done",
}

func (s *counter) counterCase(w http.ResponseWriter, r *http.Request) error {
	p := s.Page(r, "counter.case.title")
	counterNotices.Set(p, r)
	return s.renderCounterCase(w, r, http.StatusOK, p)
}

func (s *counter) renderCounterCase(w http.ResponseWriter, r *http.Request, status int, p *web.Page) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	c, err := s.Counter.CounterView(r.Context(), web.Account(r), id)
	if err != nil {
		return err
	}
	p.Staff = true
	s.Render(w, r, status, "counter_case", &counterCaseView{Page: p, Case: c})
	return nil
}

// counterFormError re-renders the counter page of an application with a
// form's errors, or returns err when it is not about the form.
func (s *counter) counterFormError(w http.ResponseWriter, r *http.Request, err error, values map[string]string) error {
	return s.RenderFormError(w, r, "counter.case.title", err, values, s.renderCounterCase)
}

// counterDesk is the counter's page of an application as the place the
// documents and fee stamp of a person filed on behalf are worked on, and
// the file sent back.
func (s *counter) counterDesk() web.Desk {
	return web.Desk{Server: s.Server, Applications: s.Applications, Documents: s.Documents,
		URL: paths.CounterCase.Format, FormError: s.counterFormError}
}

func (s *counter) counterUpload(w http.ResponseWriter, r *http.Request) error {
	return s.counterDesk().Upload(w, r)
}

func (s *counter) counterRemove(w http.ResponseWriter, r *http.Request) error {
	return s.counterDesk().Remove(w, r)
}

func (s *counter) counterReuse(w http.ResponseWriter, r *http.Request) error {
	return s.counterDesk().Reuse(w, r)
}

func (s *counter) counterTyped(w http.ResponseWriter, r *http.Request) error {
	return s.counterDesk().Typed(w, r)
}

func (s *counter) counterFile(w http.ResponseWriter, r *http.Request) error {
	if err := web.ParseForm(w, r); err != nil {
		return err
	}
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	values, err := s.counterDesk().KeepTyped(r, id)
	if err == nil {
		_, err = s.Counter.FileOnBehalf(r.Context(), web.Account(r), id, r.PostForm.Get("confirm") == "oui")
	}
	if err != nil {
		return s.counterFormError(w, r, err, values)
	}
	http.Redirect(w, r, paths.CounterReceipt.Format(id), http.StatusSeeOther)
	return nil
}

func (s *counter) counterResubmit(w http.ResponseWriter, r *http.Request) error {
	return s.counterDesk().Resubmit(w, r)
}

// staffReceiptOf is the receipt of the application the path names,
// without a claim code.
func (s *counter) staffReceiptOf(r *http.Request) (*casework.Receipt, error) {
	id, err := web.PathID(r, "id")
	if err != nil {
		return nil, err
	}
	return s.Counter.StaffReceipt(r.Context(), web.Account(r), id, "")
}

func (s *counter) counterReceipt(w http.ResponseWriter, r *http.Request) error {
	rc, err := s.staffReceiptOf(r)
	if err != nil {
		return err
	}
	p := s.Page(r, "counter.receipt.title")
	p.Staff = true
	s.Render(w, r, http.StatusOK, "receipt", &web.ReceiptView{Page: p, Receipt: rc, Counter: true})
	return nil
}

// counterReceiptPDF serves the receipt's PDF; posted with the claim code
// just issued, it prints the code too.
func (s *counter) counterReceiptPDF(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	code := ""
	if r.Method == http.MethodPost {
		if err := web.ParseForm(w, r); err != nil {
			return err
		}
		code = r.PostForm.Get("code")
	}
	rc, err := s.Counter.StaffReceipt(r.Context(), web.Account(r), id, code)
	if err != nil {
		return err
	}
	return web.ServeReceiptPDF(w, s.Receipts, rc)
}

// Channel names a channel.
func (v *counterCaseView) Channel(c permit.Channel) string {
	return v.T("counter.channel." + string(c))
}

// ConsentHow names how consent was given.
func (v *counterCaseView) ConsentHow(w string) string { return v.T("counter.consent_how." + w) }
