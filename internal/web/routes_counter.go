package web

// counterRoutes are this part of the back office's routes (see routes.go).
func (s *Server) counterRoutes() []route {
	return nil
}
