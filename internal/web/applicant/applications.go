package applicant

import (
	"context"
	"errors"
	"net/http"

	"github.com/sejour/sejour/internal/attempts"
	"github.com/sejour/sejour/internal/casework"
	"github.com/sejour/sejour/internal/paths"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/rules"
	"github.com/sejour/sejour/internal/web"
)

// dashboardView lists the applicant's applications.
type dashboardView struct {
	*web.Page
	*casework.Dashboard
	// Pending are the filings attempted during an outage still waiting
	// in the journal; the dashboard has what became of the others.
	Pending []attempts.Record
}

// heldAttestation is one of the person's current attestations on the
// dashboard, with the application it belongs to and the addresses of its
// page (the filing receipt's own; for the others, their accessible text,
// or the application's list while not yet signed) and of its PDF (""
// while it is not yet signed).
type heldAttestation struct {
	casework.AttestationView
	App       *permit.Application
	Ground    *rules.Ground
	Page, PDF string
}

// Held lists the current attestations of every application, the
// applications in the dashboard's order.
func (v *dashboardView) Held() []heldAttestation {
	var out []heldAttestation
	for _, sum := range v.Apps {
		for _, a := range sum.Attestations {
			h := heldAttestation{AttestationView: a, App: sum.App, Ground: sum.Ground,
				Page: paths.Application.Format(sum.App.ID) + "#attestations"}
			switch {
			case a.Kind == permit.AttestationFilingReceipt:
				h.Page, h.PDF = paths.Receipt.Format(sum.App.ID), paths.ReceiptPDF.Format(sum.App.ID)
			case a.Code != "":
				h.Page, h.PDF = paths.AttestationText.FormatIDs(sum.App.ID, a.ID), paths.Attestation.FormatIDs(sum.App.ID, a.ID)
			}
			out = append(out, h)
		}
	}
	return out
}

// dashboardNotices are the notices a redirect asks the dashboard for.
var dashboardNotices = web.Notices{"retiree": "withdraw.done", "repris": "claim.done"}

func (s *Pages) dashboard(w http.ResponseWriter, r *http.Request) error {
	d, err := s.Applications.Dashboard(r.Context(), web.Account(r))
	if err != nil {
		return err
	}
	p := s.Page(r, "dashboard.title")
	dashboardNotices.Set(p, r)
	p.Banner = s.Banner(r)
	v := &dashboardView{Page: p, Dashboard: d, Pending: s.Attempts.Pending(web.Account(r))}
	s.Render(w, r, http.StatusOK, "dashboard", v)
	return nil
}

// startView offers the kinds and grounds of a new application.
type startView struct {
	*web.Page
	Kinds     []permit.Kind
	Grounds   []*rules.Ground
	Duplicate int64 // the open application on the chosen ground
}

func (s *Pages) startForm(w http.ResponseWriter, r *http.Request) error {
	s.renderStart(w, r, http.StatusOK, s.Page(r, "start.title"), 0)
	return nil
}

func (s *Pages) renderStart(w http.ResponseWriter, r *http.Request, status int, p *web.Page, dup int64) {
	kinds, grounds := s.Applications.Choices()
	s.Render(w, r, status, "start", &startView{Page: p, Kinds: kinds, Grounds: grounds, Duplicate: dup})
}

func (s *Pages) start(w http.ResponseWriter, r *http.Request) error {
	err := web.ParseForm(w, r)
	f := casework.StartForm{Kind: permit.Kind(r.PostForm.Get("kind")), Ground: permit.GroundID(r.PostForm.Get("ground"))}
	var id int64
	if err == nil {
		id, err = s.Once(r, permit.ResendApplication, r.PostForm.Get(web.OnceField), func(ctx context.Context) (int64, error) {
			a, err := s.Applications.Start(ctx, web.Account(r), f)
			if err != nil {
				return 0, err
			}
			return a.ID, nil
		})
	}
	if err != nil {
		p := s.Page(r, "start.title")
		p.Values = map[string]string{"kind": string(f.Kind), "ground": string(f.Ground), web.OnceField: r.PostForm.Get(web.OnceField)}
		var dup *permit.DuplicateError
		var noProfile *permit.ProfileFirstError
		switch {
		case errors.As(err, &dup):
			p.Notice, _ = permit.ErrorMessage(err)
			s.renderStart(w, r, http.StatusConflict, p, dup.Existing)
			return nil
		case errors.As(err, &noProfile):
			http.Redirect(w, r, paths.Profile.String()+"?suite="+web.SafeNext(paths.NewApplication.String()), http.StatusSeeOther)
			return nil
		}
		if err := web.FormError(p, err); err != nil {
			return err
		}
		s.renderStart(w, r, http.StatusUnprocessableEntity, p, 0)
		return nil
	}
	http.Redirect(w, r, paths.Application.Format(id), http.StatusSeeOther)
	return nil
}

// caseView is one application as its applicant sees it.
type caseView struct {
	*web.Page
	Case *casework.Case
	// Ticket is carried by the filing form: with it, a filing the portal
	// cannot take is recorded as an attempt (decision 0009).
	Ticket string
	// Collection is, once the card is ready, the collection booking or
	// the slots to pick from (nil when an agent typed an appointment,
	// the way before issue 18).
	Collection *casework.Collection
}

func (s *Pages) application(w http.ResponseWriter, r *http.Request) error {
	return s.renderCase(w, r, http.StatusOK, s.Page(r, "case.title"))
}

// renderCase shows an application, with whatever errors or notice the
// page carries.
func (s *Pages) renderCase(w http.ResponseWriter, r *http.Request, status int, p *web.Page) error {
	c, err := web.LoadCase(r, p, s.Applications.View)
	if err != nil {
		return err
	}
	v := &caseView{Page: p, Case: c}
	if v.Ticket, err = s.Attempts.Ticket(web.Account(r), c); err != nil {
		return err
	}
	if c.App.State == permit.StateCardReady && c.Appointment == nil && s.Appointments != nil {
		if v.Collection, err = s.Appointments.Collection(r.Context(), web.Account(r), c.App.ID); err != nil {
			return err
		}
	}
	s.Render(w, r, status, "case", v)
	return nil
}
func (s *Pages) typed(w http.ResponseWriter, r *http.Request) error {
	return s.desk().Typed(w, r)
}

// caseFormError re-renders the application page with a form's errors, or
// returns err when it is not about the form.
func (s *Pages) caseFormError(w http.ResponseWriter, r *http.Request, err error, values map[string]string) error {
	return s.RenderFormError(w, r, "case.title", err, values, s.renderCase)
}

func (s *Pages) file(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	arrived := s.Clock.Now()
	if err := web.ParseForm(w, r); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(r.Context(), filingTimeout)
	defer cancel()
	// The fee stamp and e-photo code typed but not saved are saved first:
	// pressing "File" before "Save" keeps them.
	values, err := s.desk().KeepTyped(r.WithContext(ctx), id)
	if err == nil {
		_, err = s.Applications.File(ctx, web.Account(r), id)
	}
	if err != nil {
		if s.attempt(w, r, id, arrived, err) {
			return nil
		}
		if web.OnProof(r) {
			return err // no page can be read back: the error page
		}
		return s.caseFormError(w, r, err, values)
	}
	http.Redirect(w, r, paths.Receipt.Format(id), http.StatusSeeOther)
	return nil
}

func (s *Pages) resubmit(w http.ResponseWriter, r *http.Request) error {
	return s.desk().Resubmit(w, r)
}

func (s *Pages) withdrawForm(w http.ResponseWriter, r *http.Request) error {
	return s.renderWithdraw(w, r, http.StatusOK, s.Page(r, "withdraw.title"))
}

func (s *Pages) renderWithdraw(w http.ResponseWriter, r *http.Request, status int, p *web.Page) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	c, err := s.Applications.View(r.Context(), web.Account(r), id)
	if err != nil {
		return err
	}
	s.Render(w, r, status, "withdraw", &caseView{Page: p, Case: c})
	return nil
}

func (s *Pages) withdraw(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	if err = web.ParseForm(w, r); err == nil {
		err = s.Applications.Withdraw(r.Context(), web.Account(r), id, r.PostForm.Get("reason"))
	}
	if err != nil {
		return s.RenderFormError(w, r, "withdraw.title", err, web.FormValues(r.PostForm), s.renderWithdraw)
	}
	http.Redirect(w, r, paths.Dashboard.String()+"?retiree", http.StatusSeeOther)
	return nil
}

func (s *Pages) postMessage(w http.ResponseWriter, r *http.Request) error {
	return s.desk().Message(w, r)
}

// DocURL is where the applicant downloads a document version.
func (v *caseView) DocURL(d *permit.Document) string {
	return paths.Download.FormatIDs(d.ApplicationID, d.ID)
}

// MessageURL is where the applicant's message form posts.
func (v *caseView) MessageURL() string {
	return paths.Messages.Format(v.Case.App.ID)
}

// URL is the application's page.
func (v *caseView) URL() string { return paths.Application.Format(v.Case.App.ID) }

// Checklist is the application's documents with the forms that change
// them while the file is editable.
func (v *caseView) Checklist() web.Checklist {
	return web.Checklist{Page: v.Page, Case: v.Case, Paths: web.ApplicantDesk, Edit: v.Case.App.Editable()}
}

// FeeField is the timbre fiscal input, showing what was recorded.
func (v *caseView) FeeField() web.Field { return web.FeeField(v.Page, v.Case) }
