package applicant

import (
	"context"
	"net/http"

	"github.com/sejour/sejour/internal/casework"
	"github.com/sejour/sejour/internal/paths"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/web"
)

// correctionView is the applicant's correction request form.
type correctionView struct {
	*web.Page
	Person    *permit.Person
	Pending   *permit.Correction
	HasPermit bool // a current permit is declared: its dates may be corrected
}

func (s *Pages) correctionForm(w http.ResponseWriter, r *http.Request) error {
	return s.renderCorrection(w, r, http.StatusOK, s.Page(r, "correction.title"), nil)
}

func (s *Pages) renderCorrection(w http.ResponseWriter, r *http.Request, status int, p *web.Page, values map[string]string) error {
	prof, err := s.Applications.Profile(r.Context(), web.Account(r))
	if err != nil {
		return err
	}
	if prof.Person == nil {
		http.Redirect(w, r, paths.Profile.String(), http.StatusSeeOther)
		return nil
	}
	if values == nil {
		values = profileValues(prof)
	}
	p.Values = values
	s.Render(w, r, status, "correction", &correctionView{Page: p, Person: prof.Person, Pending: prof.Pending(), HasPermit: prof.Permit != nil})
	return nil
}

func (s *Pages) requestCorrection(w http.ResponseWriter, r *http.Request) error {
	name, data, v, err := s.ReadUpload(w, r, "evidence")
	if err == nil {
		_, err = s.Once(r, permit.ResendCorrection, v[web.OnceField], func(ctx context.Context) (int64, error) {
			c, err := s.Corrections.RequestCorrection(ctx, web.Account(r), casework.CorrectionForm{
				Identity:    web.PersonForm(func(k string) string { return v[k] }),
				Explanation: v["explanation"], Filename: name, Evidence: data})
			if err != nil {
				return 0, err
			}
			return c.ID, nil
		})
	}
	if err != nil {
		p := s.Page(r, "correction.title")
		if err := web.FormError(p, err); err != nil {
			if permit.ErrorCode(err) != permit.ECONFLICT {
				return err
			}
			p.Errors = map[string]string{"identity": "correction.error.pending"}
		}
		if v == nil {
			v = map[string]string{}
		}
		return s.renderCorrection(w, r, http.StatusUnprocessableEntity, p, v)
	}
	http.Redirect(w, r, paths.Profile.String()+"?correction#corrections", http.StatusSeeOther)
	return nil
}

func (s *Pages) withdrawCorrection(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "correction")
	if err != nil {
		return err
	}
	if err := s.Corrections.WithdrawCorrection(r.Context(), web.Account(r), id); err != nil {
		return err
	}
	http.Redirect(w, r, paths.Profile.String()+"?correction_retiree#corrections", http.StatusSeeOther)
	return nil
}

// correctionEvidence serves a request's evidence to its applicant, as a
// download.
func (s *Pages) correctionEvidence(w http.ResponseWriter, r *http.Request) error {
	return web.ServeEvidence(w, r, s.Corrections, nil)
}
