package backoffice

import (
	"net/http"
	"strconv"

	"github.com/sejour/sejour/internal/casework"
	"github.com/sejour/sejour/internal/paths"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/rules"
	"github.com/sejour/sejour/internal/web"
)

// staffCaseView is an application as the prefecture's staff see it.
type staffCaseView struct {
	*web.Page
	Case      *casework.Case
	Documents []slotItem // those the ground and kind require
	Others    []slotItem // every other document of the catalogue
	History   []web.HistoryRow
	// Collection is the card collection slot the applicant booked (or
	// the waiting list they are on), once the card is ready.
	Collection *permit.Booking
	acc        *permit.Account
	limits     rules.Limits
	rules      *rules.Catalogue
}

// CollectionWhen says the collection booking's day and time in words.
func (v *staffCaseView) CollectionWhen(b *permit.Booking) string {
	t := b.StartsAt.In(permit.Paris)
	return v.T("appointments.when", v.Date(t), t.Format("15:04"))
}

// slotItem is a document the prefecture may ask for, named in the page's
// language.
type slotItem struct{ ID, Name string }

func (s *Pages) staffCase(w http.ResponseWriter, r *http.Request) error {
	return s.renderStaffCase(w, r, http.StatusOK, s.Page(r, "staff.case.title"))
}

func (s *Pages) renderStaffCase(w http.ResponseWriter, r *http.Request, status int, p *web.Page) error {
	c, err := web.LoadCase(r, p, s.Decisions.StaffView)
	if err != nil {
		return err
	}
	p.Staff = true
	v := &staffCaseView{Page: p, Case: c, acc: web.Account(r), limits: s.Rules.Limits, rules: s.Rules}
	if v.History, err = web.HistoryRows(r.Context(), s.Queue, c.History); err != nil {
		return err
	}
	if c.App.State == permit.StateCardReady && s.Appointments != nil {
		if v.Collection, err = s.Appointments.StaffCollection(r.Context(), v.acc, c.App.ID); err != nil {
			return err
		}
	}
	for _, d := range s.Rules.Documents() {
		item := slotItem{ID: d.ID, Name: p.Text(d.Name)}
		if c.Needs(d.ID) {
			v.Documents = append(v.Documents, item)
		} else {
			v.Others = append(v.Others, item)
		}
	}
	s.Render(w, r, status, "staff_case", v)
	return nil
}

func (s *Pages) staffURL(id int64, notice string) string {
	return paths.Case.Format(id) + "?" + notice
}

func (s *Pages) startReview(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	if err := s.Decisions.StartReview(r.Context(), web.Account(r), id); err != nil {
		return err
	}
	http.Redirect(w, r, s.staffURL(id, "instruit"), http.StatusSeeOther)
	return nil
}

func (s *Pages) requestCompletion(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	err = web.ParseForm(w, r)
	f := casework.CompletionForm{Slots: r.PostForm["slots"], Reason: r.PostForm.Get("reason"), DueOn: r.PostForm.Get("due_on")}
	if err == nil {
		err = s.Decisions.RequestCompletion(r.Context(), web.Account(r), id, f)
	}
	if err != nil {
		return s.staffFormError(w, r, err, map[string]string{"reason": f.Reason, "due_on": f.DueOn})
	}
	http.Redirect(w, r, s.staffURL(id, "demande"), http.StatusSeeOther)
	return nil
}

// staffFormError re-renders the case page with a form's errors, or
// returns err when it is not about the form.
func (s *Pages) staffFormError(w http.ResponseWriter, r *http.Request, err error, values map[string]string) error {
	return s.RenderFormError(w, r, "staff.case.title", err, values, s.renderStaffCase)
}

// staffMessage posts the prefecture's message on the case's thread.
func (s *Pages) staffMessage(w http.ResponseWriter, r *http.Request) error {
	return web.Desk{Server: s.Server, Messages: s.Messages, URL: paths.Case.Format, FormError: s.staffFormError}.Message(w, r)
}

// DocURL is where staff download a document version.
func (v *staffCaseView) DocURL(d *permit.Document) string {
	return paths.CaseDownload.FormatIDs(d.ApplicationID, d.ID)
}

// MessageURL is where the staff's message form posts.
func (v *staffCaseView) MessageURL() string {
	return paths.CaseMessages.Format(v.Case.App.ID)
}

// PreviewURL is where staff see a document version in the browser.
func (v *staffCaseView) PreviewURL(d *permit.Document) string {
	return paths.CasePreview.FormatIDs(d.ApplicationID, d.ID)
}

// ReviewURL is where the verdict on a document version is posted.
func (v *staffCaseView) ReviewURL(d *permit.Document) string {
	return paths.CaseReview.FormatIDs(d.ApplicationID, d.ID)
}

// ReviewErrors reports whether the review form of a document has errors.
func (v *staffCaseView) ReviewErrors(d *permit.Document) bool {
	id := strconv.FormatInt(d.ID, 10)
	_, a := v.Errors["reason-"+id]
	_, b := v.Errors["note-"+id]
	return a || b
}

// Can reports whether the prefecture's staff may take action on this
// application now, as the state machine says (permit.Allowed): the page
// offers a form only where the action would be accepted.
func (v *staffCaseView) Can(action permit.Action) bool {
	return permit.Allowed(v.Case.App.State, action, permit.ActorAgent)
}

// Rejections are the reasons a document may be rejected for.
func (v *staffCaseView) Rejections() []string { return permit.DocumentRejections }

// RefusalReasons are the reasons a refusal may give.
func (v *staffCaseView) RefusalReasons() []string { return permit.RefusalReasons }

// uncheckedItem is one check a favourable decision still needs, in
// words, with the part of the page where it is taken ("" when none).
type uncheckedItem struct{ Text, Anchor string }

// uncheckedItems names what a favourable decision still needs: each
// document by its name and why, then the identity.
func uncheckedItems(p *web.Page, cat *rules.Catalogue, e *permit.UncheckedError) []uncheckedItem {
	var out []uncheckedItem
	for _, d := range e.Documents {
		name := d.Slot
		if doc, ok := cat.Document(d.Slot); ok {
			name = p.Text(doc.Name)
		}
		switch {
		case d.Version == 0:
			out = append(out, uncheckedItem{Text: p.T("grant.missing.absent", name)})
		case d.Rejected:
			out = append(out, uncheckedItem{p.T("grant.missing.rejected", name), "#doc-" + strconv.FormatInt(d.Version, 10)})
		default:
			out = append(out, uncheckedItem{p.T("grant.missing.unreviewed", name), "#doc-" + strconv.FormatInt(d.Version, 10)})
		}
	}
	if e.Identity {
		out = append(out, uncheckedItem{p.T("grant.missing.identity"), "#identite"})
	}
	return out
}

// Unchecked is what a favourable decision still needs; empty when the
// file is checked as the catalogue requires, and the grant is offered.
func (v *staffCaseView) Unchecked() []uncheckedItem {
	if v.Case.Unchecked == nil {
		return nil
	}
	return uncheckedItems(v.Page, v.rules, v.Case.Unchecked)
}

// CanUndo says the page offers to take back the latest step.
func (v *staffCaseView) CanUndo() bool { return v.Case.Undoable && v.acc.Supervises() }
