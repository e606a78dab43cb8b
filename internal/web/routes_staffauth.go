package web

// staffAuthRoutes are this part of the back office's routes (see routes.go).
func (s *Server) staffAuthRoutes() []route {
	return nil
}
