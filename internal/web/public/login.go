package public

import (
	"net/http"

	"github.com/sejour/sejour/internal/casework"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/web"
)

func (s *Pages) logInForm(w http.ResponseWriter, r *http.Request) error {
	p := s.Page(r, "login.title")
	if r.URL.Query().Has("reinitialise") {
		p.Notice = "reset.done"
	}
	s.Render(w, r, http.StatusOK, "login", p)
	return nil
}

// logIn checks the password, rotates the session and goes to the page the
// person wanted, or their home.
func (s *Pages) logIn(w http.ResponseWriter, r *http.Request) error {
	if err := web.ParseForm(w, r); err != nil {
		return err
	}
	f := casework.LogInForm{Email: r.PostForm.Get("email"), Password: r.PostForm.Get("password")}
	if err := s.Limit("login-ip", web.ClientIP(r), "login-email", permit.NormalizeEmail(f.Email)); err != nil {
		return err
	}
	old := ""
	if c, err := r.Cookie(web.SessionCookie); err == nil {
		old = c.Value
	}
	a, secret, err := s.Accounts.LogIn(r.Context(), f, old)
	if err != nil {
		code := permit.ErrorCode(err)
		if code != permit.EINVALID && code != permit.EFORBIDDEN {
			return err
		}
		p := s.Page(r, "login.title")
		key, _ := permit.ErrorMessage(err)
		p.Errors = map[string]string{"email": key}
		p.Values = map[string]string{"email": f.Email}
		s.Render(w, r, http.StatusUnprocessableEntity, "login", p)
		return nil
	}
	web.SetCookie(w, web.SessionCookie, secret, s.Accounts.SessionTTL)
	http.Redirect(w, r, web.NextTarget(r, web.HomeOf(a)), http.StatusSeeOther)
	return nil
}

func (s *Pages) logOut(w http.ResponseWriter, r *http.Request) error {
	if c, err := r.Cookie(web.SessionCookie); err == nil {
		if err := s.Accounts.LogOut(r.Context(), c.Value); err != nil {
			return err
		}
	}
	web.EndSession(w)
	http.Redirect(w, r, "/?deconnecte", http.StatusSeeOther)
	return nil
}
