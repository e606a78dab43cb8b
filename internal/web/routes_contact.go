package web

// contactRoutes are the applicant's change of contact data (issue 6 §3):
// the page under the profile, the links mailed for an e-mail change, and
// the back office's list of files that moved between prefectures.
func (s *Server) contactRoutes() []route {
	return []route{
		{"GET /profil/coordonnees", applicant, s.contactForm},
		{"POST /profil/coordonnees", applicant, s.changeContact},
		{"POST /profil/coordonnees/courriel/annuler", applicant, s.cancelEmail},
		// The links are followed from a mailbox, on any device, logged in
		// or not: the secret in the path is what counts.
		{"GET /coordonnees/courriel/{token}", anyone, s.confirmEmailChange},
		{"GET /coordonnees/annuler/{token}", anyone, s.cancelEmailForm},
		{"POST /coordonnees/annuler/{token}", anyone, s.cancelEmailByLink},

		{"GET /agent/transferts", staff, s.transfers},
	}
}
