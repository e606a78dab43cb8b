package web

// auditRoutes are this part of the back office's routes (see routes.go):
// the journal (audit trail) for supervisors, and for applicants the list
// of times the prefecture opened their file.
func (s *Server) auditRoutes() []route {
	return []route{
		{"GET /agent/journal", supervisor, s.journal},
		{"GET /consultations", applicant, s.accesses},
	}
}
