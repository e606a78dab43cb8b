package web

// decisionRoutes are the prefecture's decisions and steps on a case (see
// routes.go): each is a form on the staff's case page.
func (s *Server) decisionRoutes() []route {
	return []route{
		{"POST /agent/demandes/{id}/complet", staff, s.markComplete},
		{"POST /agent/demandes/{id}/identite", staff, s.confirmIdentity},
		{"POST /agent/demandes/{id}/decision/favorable", staff, s.decideFavourable},
		{"POST /agent/demandes/{id}/decision/defavorable", staff, s.decideUnfavourable},
		{"POST /agent/demandes/{id}/carte", staff, s.produceCard},
		{"POST /agent/demandes/{id}/rendez-vous", staff, s.offerAppointment},
		{"POST /agent/demandes/{id}/remise", staff, s.handOver},
		{"POST /agent/demandes/{id}/cloture", staff, s.closeCase},
		{"POST /agent/demandes/{id}/reouverture", staff, s.reopenCase},
		{"POST /agent/demandes/{id}/annulation", supervisor, s.undoStep},
		{"POST /agent/demandes/{id}/fichiers/{doc}/avis", staff, s.reviewDocument},
		{"GET /agent/demandes/{id}/fichiers/{doc}/apercu", staff, s.previewDocument},
	}
}
