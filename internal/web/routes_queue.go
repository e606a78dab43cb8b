package web

// queueRoutes are this part of the back office's routes (see routes.go).
func (s *Server) queueRoutes() []route {
	return nil
}
