package employer

import (
	"bytes"
	"context"
	"net/http"

	"github.com/sejour/sejour/internal/attest"
	"github.com/sejour/sejour/internal/casework"
	"github.com/sejour/sejour/internal/paths"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/web"
)

// declarationsView is the organisation's pre-hire declarations, newest
// first, with the form of a new one.
type declarationsView struct {
	*web.Page
	Declarations []*permit.Declaration
	Contracts    []permit.ContractKind
	Notice       int // working days of notice, for the form's hint
}

// ContractError is the contract choice's error, translated, or "".
func (v *declarationsView) ContractError() string {
	if k, ok := v.Errors["contract"]; ok {
		return v.T(k)
	}
	return ""
}

// declarationView is one declaration, with its outcome and its record.
type declarationView struct {
	*web.Page
	D *permit.Declaration
}

// Work says a matched worker's right to work in the catalogue's words.
func (v *declarationView) Work() string {
	return WorkWords(v.Page, &permit.WorkCheck{Work: v.D.Work, WorkHours: v.D.WorkHours})
}

func (s *Pages) declarations(w http.ResponseWriter, r *http.Request) error {
	return s.renderDeclarations(w, r, http.StatusOK, s.Page(r, "declarations.title"))
}

func (s *Pages) renderDeclarations(w http.ResponseWriter, r *http.Request, status int, p *web.Page) error {
	list, err := s.Declarations.List(r.Context(), casework.Checker{Account: web.Account(r)})
	if err != nil {
		return err
	}
	s.Render(w, r, status, "employer_declarations", &declarationsView{Page: p, Declarations: list,
		Contracts: permit.ContractKinds, Notice: s.Rules.Declarations.NoticeWorkingDays})
	return nil
}

// declarationFields are the form's fields, in the form's order.
var declarationFields = []string{"share_code", "birth_date", "surname", "given_names", "start_date", "job", "weekly_hours", "contract"}

// declare records a declaration typed by a member, once per one-time
// key, and shows it: its outcome when covered at once, else that the
// prefecture examines it.
func (s *Pages) declare(w http.ResponseWriter, r *http.Request) error {
	if err := web.ParseForm(w, r); err != nil {
		return err
	}
	acc := web.Account(r)
	o, err := s.WorkChecks.Organisation(r.Context(), acc)
	if err != nil {
		return err
	}
	p := s.Page(r, "declarations.title")
	p.Values = map[string]string{web.OnceField: r.PostForm.Get(web.OnceField)}
	for _, f := range declarationFields {
		p.Values[f] = r.PostForm.Get(f)
	}
	if err := s.limitCheck(o, web.ClientIP(r)); err != nil {
		p.Errors = map[string]string{"share_code": "error.rate_limited"}
		return s.renderDeclarations(w, r, http.StatusTooManyRequests, p)
	}
	f := casework.DeclarationForm{ShareCode: p.Values["share_code"], BirthDate: p.Values["birth_date"], Surname: p.Values["surname"],
		GivenNames: p.Values["given_names"], StartDate: p.Values["start_date"], Job: p.Values["job"],
		WeeklyHours: p.Values["weekly_hours"], Contract: p.Values["contract"]}
	id, err := s.Once(r, permit.ResendDeclaration, p.Values[web.OnceField], func(ctx context.Context) (int64, error) {
		d, err := s.Declarations.Declare(ctx, casework.Checker{Organisation: o, Account: acc}, f)
		if err != nil {
			return 0, err
		}
		return d.ID, nil
	})
	if err != nil {
		if err := web.FormError(p, err); err != nil {
			return err
		}
		return s.renderDeclarations(w, r, http.StatusUnprocessableEntity, p)
	}
	http.Redirect(w, r, paths.EmployerDeclaration.Format(id), http.StatusSeeOther)
	return nil
}

func (s *Pages) declaration(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	d, err := s.Declarations.Get(r.Context(), casework.Checker{Account: web.Account(r)}, id)
	if err != nil {
		return err
	}
	s.Render(w, r, http.StatusOK, "employer_declaration", &declarationView{Page: s.Page(r, "declarations.detail.title"), D: d})
	return nil
}

// declarationRecord sends a declaration's signed record as a PDF; a
// declaration still referred has none yet (not found).
func (s *Pages) declarationRecord(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	return s.sendDeclarationRecord(w, r, casework.Checker{Account: web.Account(r)}, id)
}

func (s *Pages) sendDeclarationRecord(w http.ResponseWriter, r *http.Request, by casework.Checker, id int64) error {
	d, err := s.Declarations.Get(r.Context(), by, id)
	if err != nil {
		return err
	}
	if d.Code == "" {
		return permit.Errorf(permit.ENOTFOUND, "error.not_found")
	}
	return web.ServePDF(w, attest.DeclarationFileName(d.Number), func(b *bytes.Buffer) error {
		return s.Records.RenderDeclaration(b, d, s.BaseURL+paths.Verify.String())
	})
}
