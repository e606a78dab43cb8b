package web

import (
	"net/http"

	"github.com/sejour/sejour/internal/casework"
	"github.com/sejour/sejour/internal/permit"
)

func (s *Server) forgotForm(w http.ResponseWriter, r *http.Request) error {
	s.render(w, r, http.StatusOK, "forgot", s.page(r, "forgot.title"))
	return nil
}

// forgot mails a reset link if the address has an account, and answers
// the same either way.
func (s *Server) forgot(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	email := r.PostForm.Get("email")
	if err := s.limits.check("reset-ip", clientIP(r), "reset-email", permit.NormalizeEmail(email)); err != nil {
		return err
	}
	p := s.page(r, "forgot.title")
	if err := s.Accounts.RequestReset(r.Context(), email, lang(r)); err != nil {
		if err := formError(p, err); err != nil {
			return err
		}
		p.Values = map[string]string{"email": email}
		s.render(w, r, http.StatusUnprocessableEntity, "forgot", p)
		return nil
	}
	p.Notice = "forgot.sent"
	s.render(w, r, http.StatusOK, "forgot", p)
	return nil
}

func (s *Server) resetForm(w http.ResponseWriter, r *http.Request) error {
	s.render(w, r, http.StatusOK, "reset", s.page(r, "reset.title"))
	return nil
}

// reset sets the new password. A used or expired link is refused with an
// offer to ask for a new one; nothing changes.
func (s *Server) reset(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	f := casework.ResetForm{Password: r.PostForm.Get("password"), Confirm: r.PostForm.Get("confirm")}
	err := s.Accounts.ResetPassword(r.Context(), r.PathValue("token"), f)
	if err != nil {
		p := s.page(r, "reset.title")
		status := http.StatusUnprocessableEntity
		if isNotFound(err) {
			p.Notice, status = "reset.invalid", http.StatusNotFound
		} else if err := formError(p, err); err != nil {
			return err
		}
		s.render(w, r, status, "reset", p)
		return nil
	}
	clearCookie(w, sessionCookie)
	http.Redirect(w, r, "/connexion?reinitialise", http.StatusSeeOther)
	return nil
}
