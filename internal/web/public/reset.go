package public

import (
	"net/http"

	"github.com/sejour/sejour/internal/casework"
	"github.com/sejour/sejour/internal/paths"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/web"
)

// forgot mails a reset link if the address has an account, and answers
// the same either way.
func (s *Pages) forgot(w http.ResponseWriter, r *http.Request) error {
	err := web.ParseForm(w, r)
	email := r.PostForm.Get("email")
	if err == nil {
		if err := s.Limit("reset-ip", web.ClientIP(r), "reset-email", permit.NormalizeEmail(email)); err != nil {
			return err
		}
		err = s.Accounts.RequestReset(r.Context(), email)
	}
	p := s.Page(r, "forgot.title")
	if err != nil {
		if err := web.FormError(p, err); err != nil {
			return err
		}
		p.Values = map[string]string{"email": email}
		s.Render(w, r, http.StatusUnprocessableEntity, "forgot", p)
		return nil
	}
	p.Notice = "forgot.sent"
	s.Render(w, r, http.StatusOK, "forgot", p)
	return nil
}

// reset sets the new password. A used or expired link is refused with an
// offer to ask for a new one; nothing changes.
func (s *Pages) reset(w http.ResponseWriter, r *http.Request) error {
	err := web.ParseForm(w, r)
	if err := s.Limit("reset-token", web.ClientIP(r)); err != nil {
		return err
	}
	f := casework.ResetForm{Password: r.PostForm.Get("password"), Confirm: r.PostForm.Get("confirm")}
	if err == nil {
		err = s.Accounts.ResetPassword(r.Context(), r.PathValue("token"), f)
	}
	if err != nil {
		p := s.Page(r, "reset.title")
		status := http.StatusUnprocessableEntity
		if web.IsNotFound(err) {
			p.Notice, status = "reset.invalid", http.StatusNotFound
		} else if err := web.FormError(p, err); err != nil {
			return err
		}
		s.Render(w, r, status, "reset", p)
		return nil
	}
	web.EndSession(w)
	http.Redirect(w, r, paths.LogIn.String()+"?reinitialise", http.StatusSeeOther)
	return nil
}
