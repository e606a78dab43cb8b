package public

import (
	"net/http"

	"github.com/sejour/sejour/internal/casework"
	"github.com/sejour/sejour/internal/paths"
	"github.com/sejour/sejour/internal/web"
)

func (s *Pages) signUp(w http.ResponseWriter, r *http.Request) error {
	err := web.ParseForm(w, r)
	if err := s.Limit("signup-ip", web.ClientIP(r)); err != nil {
		return err
	}
	f := casework.SignUpForm{
		Email:    r.PostForm.Get("email"),
		Password: r.PostForm.Get("password"),
		Confirm:  r.PostForm.Get("confirm"),
		Lang:     web.Lang(r),
	}
	if err == nil {
		err = s.Accounts.SignUp(r.Context(), f)
	}
	if err != nil {
		p := s.Page(r, "signup.title")
		if err := web.FormError(p, err); err != nil {
			return err
		}
		p.Values = map[string]string{"email": f.Email}
		s.Render(w, r, http.StatusUnprocessableEntity, "signup", p)
		return nil
	}
	http.Redirect(w, r, paths.SignUpSent.String(), http.StatusSeeOther)
	return nil
}

// confirm consumes the link of the confirmation mail. A used or expired
// link says so and offers to log in or ask for a new link.
func (s *Pages) confirm(w http.ResponseWriter, r *http.Request) error {
	if err := s.Limit("confirm-ip", web.ClientIP(r)); err != nil {
		return err
	}
	p := s.Page(r, "confirm.title")
	if _, err := s.Accounts.Confirm(r.Context(), r.PathValue("token")); err != nil {
		if err := web.FormError(p, err); err != nil && !web.IsNotFound(err) {
			return err
		}
		p.Notice = "confirm.invalid"
		s.Render(w, r, http.StatusNotFound, "confirm", p)
		return nil
	}
	p.Notice = "confirm.done"
	s.Render(w, r, http.StatusOK, "confirm", p)
	return nil
}
