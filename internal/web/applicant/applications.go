package web

import (
	"context"
	"net/http"
	"strconv"

	"github.com/sejour/sejour/internal/casework"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/rules"
)

// pathID reads a numeric path parameter; anything else is "not found".
func pathID(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, permit.Errorf(permit.ENOTFOUND, "error.not_found")
	}
	return id, nil
}

// dashboardView lists the applicant's applications.
type dashboardView struct {
	*Page
	Apps       []casework.Summary
	HasProfile bool
}

func (s *Server) dashboard(w http.ResponseWriter, r *http.Request) error {
	apps, err := s.Applications.Dashboard(r.Context(), account(r))
	if err != nil {
		return err
	}
	prof, err := s.Applications.Profile(r.Context(), account(r))
	if err != nil {
		return err
	}
	p := s.page(r, "dashboard.title")
	if r.URL.Query().Has("retiree") {
		p.Notice = "withdraw.done"
	} else if r.URL.Query().Has("repris") {
		p.Notice = "claim.done"
	}
	s.render(w, r, http.StatusOK, "dashboard", &dashboardView{Page: p, Apps: apps, HasProfile: prof.Person != nil})
	return nil
}

// startView offers the kinds and grounds of a new application.
type startView struct {
	*Page
	Kinds     []permit.Kind
	Grounds   []*rules.Ground
	Duplicate int64 // the open application on the chosen ground
}

func (s *Server) startForm(w http.ResponseWriter, r *http.Request) error {
	s.renderStart(w, r, http.StatusOK, s.page(r, "start.title"), 0)
	return nil
}

func (s *Server) renderStart(w http.ResponseWriter, r *http.Request, status int, p *Page, dup int64) {
	kinds, grounds := s.Applications.Choices()
	s.render(w, r, status, "start", &startView{Page: p, Kinds: kinds, Grounds: grounds, Duplicate: dup})
}

func (s *Server) start(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	f := casework.StartForm{Kind: permit.Kind(r.PostForm.Get("kind")), Ground: permit.GroundID(r.PostForm.Get("ground"))}
	a, err := s.Applications.Start(r.Context(), account(r), f)
	if err != nil {
		p := s.page(r, "start.title")
		p.Values = map[string]string{"kind": string(f.Kind), "ground": string(f.Ground)}
		key, args := permit.ErrorMessage(err)
		switch {
		case key == "start.error.duplicate":
			p.Notice = key
			s.renderStart(w, r, http.StatusConflict, p, args[0].(int64))
			return nil
		case key == "start.error.profile_first":
			http.Redirect(w, r, "/profil?suite="+safeNext("/demandes/nouvelle"), http.StatusSeeOther)
			return nil
		}
		if err := formError(p, err); err != nil {
			return err
		}
		s.renderStart(w, r, http.StatusUnprocessableEntity, p, 0)
		return nil
	}
	http.Redirect(w, r, "/demandes/"+strconv.FormatInt(a.ID, 10), http.StatusSeeOther)
	return nil
}

// caseView is one application as its applicant sees it.
type caseView struct {
	*Page
	Case *casework.Case
}

// Euros writes an amount in cents as euros.
func (v *caseView) Euros(cents int64) string {
	return strconv.FormatInt(cents/100, 10) + " €"
}

func (s *Server) application(w http.ResponseWriter, r *http.Request) error {
	return s.renderCase(w, r, http.StatusOK, s.page(r, "case.title"))
}

// renderCase shows an application, with whatever errors or notice the
// page carries.
func (s *Server) renderCase(w http.ResponseWriter, r *http.Request, status int, p *Page) error {
	c, err := s.loadCase(r, p, s.Applications.View)
	if err != nil {
		return err
	}
	s.render(w, r, status, "case", &caseView{Page: p, Case: c})
	return nil
}

// loadCase reads the application of the path through view (the
// applicant's or the staff's, which decide who may see it), and sets the
// notice a redirect asked for.
func (s *Server) loadCase(r *http.Request, p *Page, view func(context.Context, *permit.Account, int64) (*casework.Case, error)) (*casework.Case, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	c, err := view(r.Context(), account(r), id)
	if err != nil {
		return nil, err
	}
	if p.Notice == "" {
		p.Notice = noticeFromQuery(r)
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
}

func noticeFromQuery(r *http.Request) string {
	for q, key := range notices {
		if r.URL.Query().Has(q) {
			return key
		}
	}
	return ""
}

func (s *Server) caseURL(r *http.Request, notice string) string {
	return "/demandes/" + r.PathValue("id") + "?" + notice
}

func (s *Server) feeStamp(w http.ResponseWriter, r *http.Request) error {
	return s.feeStampAt(w, r, applicantDesk)
}

func (s *Server) feeStampAt(w http.ResponseWriter, r *http.Request, d desk) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := s.Documents.SetFeeStamp(r.Context(), account(r), id, r.PostForm.Get("fee_stamp")); err != nil {
		return d.formError(s, w, r, err, map[string]string{"fee_stamp": r.PostForm.Get("fee_stamp")})
	}
	http.Redirect(w, r, d.url(id)+"?timbre#timbre", http.StatusSeeOther)
	return nil
}

// caseFormError re-renders the application page with a form's errors, or
// returns err when it is not about the form.
func (s *Server) caseFormError(w http.ResponseWriter, r *http.Request, err error, values map[string]string) error {
	p := s.page(r, "case.title")
	if err := formError(p, err); err != nil {
		return err
	}
	p.Values = values
	return s.renderCase(w, r, http.StatusUnprocessableEntity, p)
}

func (s *Server) file(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if _, err := s.Applications.File(r.Context(), account(r), id); err != nil {
		return s.caseFormError(w, r, err, nil)
	}
	http.Redirect(w, r, "/demandes/"+r.PathValue("id")+"/recepisse", http.StatusSeeOther)
	return nil
}

func (s *Server) resubmit(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if _, err := s.Applications.Resubmit(r.Context(), account(r), id); err != nil {
		return s.caseFormError(w, r, err, nil)
	}
	http.Redirect(w, r, s.caseURL(r, "renvoye"), http.StatusSeeOther)
	return nil
}

func (s *Server) withdrawForm(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	c, err := s.Applications.View(r.Context(), account(r), id)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "withdraw", &caseView{Page: s.page(r, "withdraw.title"), Case: c})
	return nil
}

func (s *Server) withdraw(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := s.Applications.Withdraw(r.Context(), account(r), id, r.PostForm.Get("reason")); err != nil {
		return err
	}
	http.Redirect(w, r, "/tableau-de-bord?retiree", http.StatusSeeOther)
	return nil
}

func (s *Server) postMessage(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	body, att, err := s.readMessage(w, r)
	if err == nil {
		_, err = s.Messages.PostMessage(r.Context(), account(r), id, body, att)
	}
	if err != nil {
		return s.caseFormError(w, r, err, map[string]string{"body": body})
	}
	http.Redirect(w, r, s.caseURL(r, "message")+"#messages", http.StatusSeeOther)
	return nil
}

// DocURL is where the applicant downloads a document version.
func (v *caseView) DocURL(d *permit.Document) string {
	return "/demandes/" + strconv.FormatInt(d.ApplicationID, 10) + "/fichiers/" + strconv.FormatInt(d.ID, 10)
}

// MessageURL is where the applicant's message form posts.
func (v *caseView) MessageURL() string {
	return "/demandes/" + strconv.FormatInt(v.Case.App.ID, 10) + "/messages"
}

// URL is the application's page.
func (v *caseView) URL() string { return "/demandes/" + strconv.FormatInt(v.Case.App.ID, 10) }

// UploadField is the file input of one document of the checklist, its
// label naming the document for screen readers.
func (v *caseView) UploadField(slot string) Field {
	name := "file-" + slot
	label := slot
	for _, it := range v.Case.Checklist {
		if it.Doc.ID == slot {
			label = v.Text(it.Doc.Name)
		}
	}
	f := Field{Name: name, Type: "file", Label: v.T("case.doc_file", label), Hint: v.T("upload.hint")}
	if key, ok := v.Errors[name]; ok {
		f.Error = v.T(key, v.ErrArgs[name]...)
	}
	return f
}

// FeeField is the timbre fiscal input, showing what was recorded.
func (v *caseView) FeeField() Field {
	f := v.Field("fee_stamp", "text", "off", "fee.label", "fee.hint")
	if f.Value == "" {
		f.Value = v.Case.App.FeeStamp
	}
	return f
}
