package web

// supportRoutes are the routes of reports of problems (see routes.go):
// anyone reports and follows a report by its code, applicants list theirs,
// and support (help desk, agents, admins) answers them; the help desk and
// admins read the incidents.
func (s *Server) supportRoutes() []route {
	return append([]route{
		{"GET /signaler", anyone, s.reportForm},
		{"POST /signaler", anyone, s.report},
		{"GET /suivi", anyone, s.lookupForm},
		{"POST /suivi", anyone, s.lookup},
		{"GET /suivi/{token}", anyone, s.follow},
		{"POST /suivi/{token}", anyone, s.replyFollow},
		{"GET /suivi/{token}/capture", anyone, s.followScreenshot},

		{"GET /mes-signalements", applicant, s.myReports},
		{"GET /mes-signalements/{id}", applicant, s.myReport},
		{"POST /mes-signalements/{id}", applicant, s.replyMine},
		{"GET /mes-signalements/{id}/capture", applicant, s.myScreenshot},

		{"GET /support", support, s.supportQueue},
		{"GET /support/signalements/{id}", support, s.supportReport},
		{"GET /support/signalements/{id}/capture", support, s.supportScreenshot},
		{"GET /support/incidents", helpDesk, s.incidents},
	}, s.supportRoutesActions()...)
}
