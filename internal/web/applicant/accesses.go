package applicant

import (
	"net/http"

	"github.com/sejour/sejour/internal/casework"
	"github.com/sejour/sejour/internal/web"
)

// accessesView tells an applicant who at the prefecture opened their file.
type accessesView struct {
	*web.Page
	Accesses []casework.Access
}

// accesses lists when the prefecture's staff opened the applicant's file
// or documents.
func (s *Pages) accesses(w http.ResponseWriter, r *http.Request) error {
	list, err := s.Journal.FileAccesses(r.Context(), web.Account(r))
	if err != nil {
		return err
	}
	s.Render(w, r, http.StatusOK, "accesses", &accessesView{Page: s.Page(r, "accesses.title"), Accesses: list})
	return nil
}
