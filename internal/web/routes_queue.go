package web

// queueRoutes are this part of the back office's routes (see routes.go):
// the work queue, which is the back office's home, and its export.
func (s *Server) queueRoutes() []route {
	return []route{
		{"GET /agent", staff, s.queue},
		{"GET /agent/export.csv", staff, s.queueExport},
	}
}
