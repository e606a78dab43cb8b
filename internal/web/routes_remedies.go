package web

// remedyRoutes are the applicant's remedies (issue 6): seeing and taking
// their data.
func (s *Server) remedyRoutes() []route {
	return []route{
		{"GET /mes-donnees", applicant, s.myData},
		{"GET /mes-donnees/sejour-donnees.zip", applicant, s.exportData},
	}
}
