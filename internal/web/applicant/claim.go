package web

import (
	"net/http"
	"strconv"

	"github.com/sejour/sejour/internal/permit"
)

// claimView is the form where an applicant enters a claim code.
type claimView struct{ *Page }

func (s *Server) claimForm(w http.ResponseWriter, r *http.Request) error {
	s.render(w, r, http.StatusOK, "claim", &claimView{Page: s.page(r, "claim.title")})
	return nil
}

func (s *Server) claim(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	code := r.PostForm.Get("code")
	p := s.page(r, "claim.title")
	p.Values = map[string]string{"code": code}
	acc := account(r)
	err := s.limits.check("claim-ip", clientIP(r), "claim-account", strconv.FormatInt(acc.ID, 10))
	if err == nil {
		_, err = s.Counter.Claim(r.Context(), acc, code)
	}
	switch key, _ := permit.ErrorMessage(err); {
	case err == nil:
		http.Redirect(w, r, "/tableau-de-bord?repris", http.StatusSeeOther)
		return nil
	case permit.ErrorCode(err) == permit.ERATELIMIT, key == "claim.error.has_profile":
		p.Errors = map[string]string{"code": key}
		status := http.StatusTooManyRequests
		if key == "claim.error.has_profile" {
			status = http.StatusConflict
		}
		s.render(w, r, status, "claim", &claimView{Page: p})
		return nil
	}
	if err := formError(p, err); err != nil {
		return err
	}
	s.render(w, r, http.StatusUnprocessableEntity, "claim", &claimView{Page: p})
	return nil
}
