package applicant

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/sejour/sejour/internal/paths"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/web"
)

// claimView is the form where an applicant enters a claim code.
type claimView struct{ *web.Page }

func (s *Pages) claimForm(w http.ResponseWriter, r *http.Request) error {
	s.Render(w, r, http.StatusOK, "claim", &claimView{Page: s.Page(r, "claim.title")})
	return nil
}

func (s *Pages) claim(w http.ResponseWriter, r *http.Request) error {
	err := web.ParseForm(w, r)
	code := r.PostForm.Get("code")
	p := s.Page(r, "claim.title")
	p.Values = map[string]string{"code": code}
	acc := web.Account(r)
	if err == nil {
		err = s.Limit("claim-ip", web.ClientIP(r), "claim-account", strconv.FormatInt(acc.ID, 10))
	}
	if err == nil {
		_, err = s.Counter.Claim(r.Context(), acc, code)
	}
	var blocked *permit.ClaimBlockedError
	switch key, _ := permit.ErrorMessage(err); {
	case err == nil:
		http.Redirect(w, r, paths.Dashboard.String()+"?repris", http.StatusSeeOther)
		return nil
	case permit.ErrorCode(err) == permit.ERATELIMIT, errors.As(err, &blocked):
		p.Errors = map[string]string{"code": key}
		status := http.StatusTooManyRequests
		if blocked != nil {
			status = http.StatusConflict
		}
		s.Render(w, r, status, "claim", &claimView{Page: p})
		return nil
	}
	if err := web.FormError(p, err); err != nil {
		return err
	}
	s.Render(w, r, http.StatusUnprocessableEntity, "claim", &claimView{Page: p})
	return nil
}
