package web

import "net/http"

// dashboard is the applicant's home. With no application yet, it says
// what to do first.
func (s *Server) dashboard(w http.ResponseWriter, r *http.Request) error {
	s.render(w, r, http.StatusOK, "dashboard", s.page(r, "dashboard.title"))
	return nil
}

// agentHome is the back office's entry page.
func (s *Server) agentHome(w http.ResponseWriter, r *http.Request) error {
	s.render(w, r, http.StatusOK, "agent", s.page(r, "agent.title"))
	return nil
}
