package web

import (
	"net/http"

	"github.com/sejour/sejour/internal/permit"
)

// agentHome is the back office's entry page.
func (s *Server) agentHome(w http.ResponseWriter, r *http.Request) error {
	apps, err := s.Files.StaffQueue(r.Context(), account(r))
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "agent", &agentView{Page: s.page(r, "agent.title"), Apps: apps})
	return nil
}

// agentView lists the newest filed applications of the agent's prefectures.
type agentView struct {
	*Page
	Apps []*permit.Application
}
