package employer

import (
	"net/http"

	"github.com/sejour/sejour/internal/paths"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/web"
)

// keysView is the organisation's API keys, the form for a new one, and a
// new key's text, shown once.
type keysView struct {
	*web.Page
	Keys   []*permit.APIKey
	NewKey string
}

// RevokeURL is where a key's revocation posts.
func (v *keysView) RevokeURL(id int64) string { return paths.EmployerKeyRevoke.Format(id) }

func (s *Pages) keys(w http.ResponseWriter, r *http.Request) error {
	p := s.Page(r, "employers.keys.title")
	if r.URL.Query().Has("revoquee") {
		p.Notice = "employers.keys.revoked"
	}
	return s.renderKeys(w, r, http.StatusOK, &keysView{Page: p})
}

func (s *Pages) renderKeys(w http.ResponseWriter, r *http.Request, status int, v *keysView) error {
	list, err := s.Employers.APIKeys(r.Context(), web.Account(r))
	if err != nil {
		return err
	}
	v.Keys = list
	s.Render(w, r, status, "employer_keys", v)
	return nil
}

// createKey makes a key and shows its text, this once.
func (s *Pages) createKey(w http.ResponseWriter, r *http.Request) error {
	if err := web.ParseForm(w, r); err != nil {
		return err
	}
	p := s.Page(r, "employers.keys.title")
	text, _, err := s.Employers.CreateAPIKey(r.Context(), web.Account(r), r.PostForm.Get("name"))
	if err != nil {
		if err := web.FormError(p, err); err != nil {
			return err
		}
		p.Values = map[string]string{"name": r.PostForm.Get("name")}
		return s.renderKeys(w, r, http.StatusUnprocessableEntity, &keysView{Page: p})
	}
	return s.renderKeys(w, r, http.StatusOK, &keysView{Page: p, NewKey: text})
}

func (s *Pages) revokeKey(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	if err := s.Employers.RevokeAPIKey(r.Context(), web.Account(r), id); err != nil {
		return err
	}
	http.Redirect(w, r, paths.EmployerKeys.String()+"?revoquee", http.StatusSeeOther)
	return nil
}
