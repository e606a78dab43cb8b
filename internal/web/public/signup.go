package web

import (
	"net/http"

	"github.com/sejour/sejour/internal/casework"
)

// maxForm bounds the body of a form post: no form of these pages needs more.
const maxForm = 16 << 10

// parseForm reads a bounded form body; an oversized or broken body is
// invalid input, not a server fault.
func parseForm(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	if err := r.ParseForm(); err != nil {
		return errInvalidForm
	}
	return nil
}

func (s *Server) signUpForm(w http.ResponseWriter, r *http.Request) error {
	s.render(w, r, http.StatusOK, "signup", s.page(r, "signup.title"))
	return nil
}

func (s *Server) signUp(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	if err := s.limits.check("signup-ip", clientIP(r)); err != nil {
		return err
	}
	f := casework.SignUpForm{
		Email:    r.PostForm.Get("email"),
		Password: r.PostForm.Get("password"),
		Confirm:  r.PostForm.Get("confirm"),
		Lang:     lang(r),
	}
	if err := s.Accounts.SignUp(r.Context(), f); err != nil {
		p := s.page(r, "signup.title")
		if err := formError(p, err); err != nil {
			return err
		}
		p.Values = map[string]string{"email": f.Email}
		s.render(w, r, http.StatusUnprocessableEntity, "signup", p)
		return nil
	}
	http.Redirect(w, r, "/inscription/envoyee", http.StatusSeeOther)
	return nil
}

func (s *Server) signUpSent(w http.ResponseWriter, r *http.Request) error {
	s.render(w, r, http.StatusOK, "signup_sent", s.page(r, "signup_sent.title"))
	return nil
}

// confirm consumes the link of the confirmation mail. A used or expired
// link says so and offers to log in or ask for a new link.
func (s *Server) confirm(w http.ResponseWriter, r *http.Request) error {
	if err := s.limits.check("confirm-ip", clientIP(r)); err != nil {
		return err
	}
	p := s.page(r, "confirm.title")
	if _, err := s.Accounts.Confirm(r.Context(), r.PathValue("token")); err != nil {
		if err := formError(p, err); err != nil && !isNotFound(err) {
			return err
		}
		p.Notice = "confirm.invalid"
		s.render(w, r, http.StatusNotFound, "confirm", p)
		return nil
	}
	p.Notice = "confirm.done"
	s.render(w, r, http.StatusOK, "confirm", p)
	return nil
}
