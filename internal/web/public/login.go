package web

import (
	"net/http"

	"github.com/sejour/sejour/internal/casework"
	"github.com/sejour/sejour/internal/permit"
)

var errInvalidForm = permit.Errorf(permit.EINVALID, "error.form_unreadable")

func isNotFound(err error) bool { return permit.ErrorCode(err) == permit.ENOTFOUND }

func (s *Server) logInForm(w http.ResponseWriter, r *http.Request) error {
	p := s.page(r, "login.title")
	if r.URL.Query().Has("reinitialise") {
		p.Notice = "reset.done"
	}
	s.render(w, r, http.StatusOK, "login", p)
	return nil
}

// logIn checks the password, rotates the session and goes to the page the
// person wanted, or their home.
func (s *Server) logIn(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	f := casework.LogInForm{Email: r.PostForm.Get("email"), Password: r.PostForm.Get("password")}
	if err := s.limits.check("login-ip", clientIP(r), "login-email", permit.NormalizeEmail(f.Email)); err != nil {
		return err
	}
	old := ""
	if c, err := r.Cookie(sessionCookie); err == nil {
		old = c.Value
	}
	a, secret, err := s.Accounts.LogIn(r.Context(), f, old)
	if err != nil {
		code := permit.ErrorCode(err)
		if code != permit.EINVALID && code != permit.EFORBIDDEN {
			return err
		}
		p := s.page(r, "login.title")
		key, _ := permit.ErrorMessage(err)
		p.Errors = map[string]string{"email": key}
		p.Values = map[string]string{"email": f.Email}
		s.render(w, r, http.StatusUnprocessableEntity, "login", p)
		return nil
	}
	setCookie(w, sessionCookie, secret, s.Accounts.SessionTTL)
	http.Redirect(w, r, nextTarget(r, homeOf(a)), http.StatusSeeOther)
	return nil
}

func (s *Server) logOut(w http.ResponseWriter, r *http.Request) error {
	if c, err := r.Cookie(sessionCookie); err == nil {
		if err := s.Accounts.LogOut(r.Context(), c.Value); err != nil {
			return err
		}
	}
	clearCookie(w, sessionCookie)
	http.Redirect(w, r, "/?deconnecte", http.StatusSeeOther)
	return nil
}
