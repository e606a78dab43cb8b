package web

// auditRoutes are this part of the back office's routes (see routes.go).
func (s *Server) auditRoutes() []route {
	return nil
}
