package web

// remedyRoutes are the applicant's remedies (issue 6): seeing and taking
// their data, and correcting their civil data through a request an agent
// reviews.
func (s *Server) remedyRoutes() []route {
	return []route{
		{"GET /mes-donnees", applicant, s.myData},
		{"GET /mes-donnees/sejour-donnees.zip", applicant, s.exportData},

		{"GET /profil/correction", applicant, s.correctionForm},
		{"POST /profil/correction", applicant, s.requestCorrection},
		{"GET /profil/corrections/{correction}/piece", applicant, s.correctionEvidence},
		{"POST /profil/corrections/{correction}/retirer", applicant, s.withdrawCorrection},

		{"GET /agent/corrections", staff, s.staffCorrections},
		{"GET /agent/corrections/{correction}", staff, s.staffCorrection},
		{"GET /agent/corrections/{correction}/piece", staff, s.correctionEvidence},
		{"POST /agent/corrections/{correction}/accepter", staff, s.acceptCorrection},
		{"POST /agent/corrections/{correction}/refuser", staff, s.refuseCorrection},
	}
}
