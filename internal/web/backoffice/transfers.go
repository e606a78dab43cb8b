package backoffice

import (
	"net/http"

	"github.com/sejour/sejour/internal/casework"
	"github.com/sejour/sejour/internal/web"
)

// transfersView is the back office's list of files that moved.
type transfersView struct {
	*web.Page
	List *casework.TransferList
}

func (s *Pages) transfers(w http.ResponseWriter, r *http.Request) error {
	l, err := s.Journal.Transfers(r.Context(), web.Account(r))
	if err != nil {
		return err
	}
	p := s.Page(r, "transfers.title")
	p.Staff = true
	s.Render(w, r, http.StatusOK, "contact_transfers", &transfersView{Page: p, List: l})
	return nil
}
