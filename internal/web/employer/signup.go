package employer

import (
	"net/http"

	"github.com/sejour/sejour/internal/casework"
	"github.com/sejour/sejour/internal/paths"
	"github.com/sejour/sejour/internal/web"
)

// signUp creates an organisation and its first member, who is mailed the
// confirmation link; a form in error comes back with what was typed
// (the passwords excepted).
func (s *Pages) signUp(w http.ResponseWriter, r *http.Request) error {
	if err := web.ParseForm(w, r); err != nil {
		return err
	}
	if err := s.Limit("signup-ip", web.ClientIP(r)); err != nil {
		return err
	}
	v := r.PostForm
	f := casework.EmployerSignUpForm{Name: v.Get("name"), SIRET: v.Get("siret"), AddressLine: v.Get("address"),
		Postcode: v.Get("postcode"), City: v.Get("city"), Email: v.Get("email"), Password: v.Get("password"),
		Confirm: v.Get("confirm"), Lang: web.Lang(r)}
	if err := s.Employers.SignUp(r.Context(), f); err != nil {
		p := s.Page(r, "employers.signup.title")
		if err := web.FormError(p, err); err != nil {
			return err
		}
		p.Values = web.FormValues(v)
		s.Render(w, r, http.StatusUnprocessableEntity, "employer_signup", p)
		return nil
	}
	http.Redirect(w, r, paths.SignUpSent.String(), http.StatusSeeOther)
	return nil
}
