package employer

import (
	"errors"
	"net/http"

	"github.com/sejour/sejour/internal/casework"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/rules"
	"github.com/sejour/sejour/internal/web"
)

// checkView is the check's form and, once checked, its answer: the
// record, or "no match".
type checkView struct {
	*web.Page
	Record  *permit.WorkCheck
	NoMatch bool
}

// Work says the record's right to work in the catalogue's words.
func (v *checkView) Work() string { return WorkWords(v.Page, v.Record) }

// WorkWords says a record's right to work in the catalogue's words.
func WorkWords(p *web.Page, rec *permit.WorkCheck) string {
	if rules.WorkKind(rec.Work) == rules.WorkLimitedHours {
		return p.T("rights.work.limited_hours", rec.WorkHours)
	}
	return p.T("rights.work." + rec.Work)
}

func (s *Pages) checkForm(w http.ResponseWriter, r *http.Request) error {
	s.Render(w, r, http.StatusOK, "employer_check", &checkView{Page: s.Page(r, "employers.check.title")})
	return nil
}

// check answers a check typed by a member. A match shows the answer and
// the link to its signed record; anything else shows the one "no match",
// with the same status, and the form with what was typed.
func (s *Pages) check(w http.ResponseWriter, r *http.Request) error {
	if err := web.ParseForm(w, r); err != nil {
		return err
	}
	acc := web.Account(r)
	o, err := s.WorkChecks.Organisation(r.Context(), acc)
	if err != nil {
		return err
	}
	p := s.Page(r, "employers.check.title")
	f := casework.CheckForm{ShareCode: r.PostForm.Get("share_code"), BirthDate: r.PostForm.Get("birth_date")}
	p.Values = map[string]string{"share_code": f.ShareCode, "birth_date": f.BirthDate}
	if err := s.limitCheck(o, web.ClientIP(r)); err != nil {
		p.Errors = map[string]string{"share_code": "error.rate_limited"}
		s.Render(w, r, http.StatusTooManyRequests, "employer_check", &checkView{Page: p})
		return nil
	}
	rec, err := s.WorkChecks.Check(r.Context(), casework.Checker{Organisation: o, Account: acc}, f)
	switch {
	case errors.Is(err, casework.ErrNoMatch):
		p.TitleKey = "employers.check.no_match"
		s.Render(w, r, http.StatusNotFound, "employer_check", &checkView{Page: p, NoMatch: true})
		return nil
	case err != nil:
		if err := web.FormError(p, err); err != nil {
			return err
		}
		s.Render(w, r, http.StatusUnprocessableEntity, "employer_check", &checkView{Page: p})
		return nil
	}
	p.TitleKey, p.Values = "employers.check.match", nil
	s.Render(w, r, http.StatusOK, "employer_check", &checkView{Page: p, Record: rec})
	return nil
}
