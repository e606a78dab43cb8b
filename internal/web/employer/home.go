package employer

import (
	"net/http"

	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/web"
)

// homeView is a member's home: the organisation and what they can do.
type homeView struct {
	*web.Page
	Organisation *permit.Organisation
}

func (s *Pages) home(w http.ResponseWriter, r *http.Request) error {
	o, err := s.Employers.Organisation(r.Context(), web.Account(r))
	if err != nil {
		return err
	}
	s.Render(w, r, http.StatusOK, "employer_home", &homeView{Page: s.Page(r, "employers.home.title"), Organisation: o})
	return nil
}
