package web

// decisionRoutes are this part of the back office's routes (see routes.go).
func (s *Server) decisionRoutes() []route {
	return nil
}
