package employer

import (
	"net/http"

	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/web"
)

// membersView is the organisation's members and the invitation form.
type membersView struct {
	*web.Page
	Members []*permit.Account
}

func (s *Pages) members(w http.ResponseWriter, r *http.Request) error {
	return s.renderMembers(w, r, http.StatusOK, s.Page(r, "employers.members.title"))
}

func (s *Pages) renderMembers(w http.ResponseWriter, r *http.Request, status int, p *web.Page) error {
	list, err := s.Employers.Members(r.Context(), web.Account(r))
	if err != nil {
		return err
	}
	s.Render(w, r, status, "employer_members", &membersView{Page: p, Members: list})
	return nil
}

// invite mails a new member their link to choose a password.
func (s *Pages) invite(w http.ResponseWriter, r *http.Request) error {
	if err := web.ParseForm(w, r); err != nil {
		return err
	}
	p := s.Page(r, "employers.members.title")
	email := r.PostForm.Get("email")
	if err := s.Employers.Invite(r.Context(), web.Account(r), email, r.PostForm.Get("lang")); err != nil {
		if err := web.FormError(p, err); err != nil {
			return err
		}
		p.Values = map[string]string{"email": email}
		return s.renderMembers(w, r, http.StatusUnprocessableEntity, p)
	}
	p.Notice = "employers.members.invited"
	return s.renderMembers(w, r, http.StatusOK, p)
}
