package backoffice

import (
	"net/http"
	"time"

	"github.com/sejour/sejour/internal/casework"
	"github.com/sejour/sejour/internal/paths"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/rules"
	"github.com/sejour/sejour/internal/web"
)

// declarationsView is the pre-hire declarations waiting for an answer of
// the agent's prefectures, the soonest due first.
type declarationsView struct {
	*web.Page
	Declarations []*permit.Declaration
	Today        time.Time // in Paris
}

// Overdue reports whether a declaration's due day has passed (silence is
// then about to close it).
func (v *declarationsView) Overdue(d *permit.Declaration) bool {
	return v.Today.After(d.DueDate)
}

// declarationView is one declaration, with the answer's form while it is
// referred.
type declarationView struct {
	*web.Page
	D *permit.Declaration
}

// Work says a matched worker's right to work in the catalogue's words.
func (v *declarationView) Work() string {
	if rules.WorkKind(v.D.Work) == rules.WorkLimitedHours {
		return v.T("rights.work.limited_hours", v.D.WorkHours)
	}
	return v.T("rights.work." + v.D.Work)
}

// Outcomes are the answers an agent may give.
func (v *declarationView) Outcomes() []permit.DeclarationStatus {
	return []permit.DeclarationStatus{permit.DeclarationAuthorised, permit.DeclarationRefused}
}

// ReasonError is the reason's error, translated, or "".
func (v *declarationView) ReasonError() string {
	if k, ok := v.Errors["reason"]; ok {
		return v.T(k, v.ErrArgs["reason"]...)
	}
	return ""
}

// OutcomeError is the answer choice's error, translated, or "".
func (v *declarationView) OutcomeError() string {
	if k, ok := v.Errors["outcome"]; ok {
		return v.T(k)
	}
	return ""
}

func (s *Pages) declarationQueue(w http.ResponseWriter, r *http.Request) error {
	list, err := s.Declarations.Queue(r.Context(), web.Account(r))
	if err != nil {
		return err
	}
	p := s.Page(r, "declarations.agent.title")
	if r.URL.Query().Has("repondue") {
		p.Notice = "declarations.agent.answered"
	}
	s.Render(w, r, http.StatusOK, "staff_declarations", &declarationsView{Page: p, Declarations: list, Today: permit.ParisDay(s.Clock.Now())})
	return nil
}

func (s *Pages) staffDeclaration(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	d, err := s.Declarations.ForAgent(r.Context(), web.Account(r), id)
	if err != nil {
		return err
	}
	s.Render(w, r, http.StatusOK, "staff_declaration", &declarationView{Page: s.Page(r, "declarations.agent.detail_title"), D: d})
	return nil
}

// answerDeclaration records the agent's answer and goes back to the
// queue; a form with errors is shown again with them.
func (s *Pages) answerDeclaration(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	if err := web.ParseForm(w, r); err != nil {
		return err
	}
	acc := web.Account(r)
	f := casework.AnswerForm{Outcome: r.PostForm.Get("outcome"), Reason: r.PostForm.Get("reason")}
	_, err = s.Declarations.Answer(r.Context(), acc, id, f)
	if fields := permit.FieldErrors(err); fields != nil {
		d, gerr := s.Declarations.ForAgent(r.Context(), acc, id)
		if gerr != nil {
			return gerr
		}
		p := s.Page(r, "declarations.agent.detail_title")
		if err := web.FormError(p, err); err != nil {
			return err
		}
		p.Values = map[string]string{"outcome": f.Outcome, "reason": f.Reason}
		s.Render(w, r, http.StatusUnprocessableEntity, "staff_declaration", &declarationView{Page: p, D: d})
		return nil
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, paths.AgentDeclarations.String()+"?repondue", http.StatusSeeOther)
	return nil
}
