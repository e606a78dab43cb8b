package web

// counterRoutes are the backup channel's routes (issue 5 §5): the counter
// pages, under /agent/guichet, and the applicant's claim of a file an
// agent started for them.
func (s *Server) counterRoutes() []route {
	return []route{
		{"GET /agent/guichet", staff, s.counterSearch},
		{"GET /agent/guichet/personnes/nouvelle", staff, s.counterPersonForm},
		{"POST /agent/guichet/personnes/nouvelle", staff, s.counterCreatePerson},
		{"GET /agent/guichet/personnes/{person}", staff, s.counterPerson},
		{"POST /agent/guichet/personnes/{person}/demandes", staff, s.counterStart},
		{"POST /agent/guichet/personnes/{person}/code", staff, s.counterIssueCode},
		{"GET /agent/guichet/demandes/{id}", staff, s.counterCase},
		{"POST /agent/guichet/demandes/{id}/documents/{slot}", staff, s.counterUpload},
		{"POST /agent/guichet/demandes/{id}/documents/{slot}/retirer", staff, s.counterRemove},
		{"POST /agent/guichet/demandes/{id}/timbre", staff, s.counterFeeStamp},
		{"POST /agent/guichet/demandes/{id}/deposer", staff, s.counterFile},
		{"POST /agent/guichet/demandes/{id}/completer", staff, s.counterResubmit},
		{"GET /agent/guichet/demandes/{id}/recepisse", staff, s.counterReceipt},
		{"GET /agent/guichet/demandes/{id}/recepisse.pdf", staff, s.counterReceiptPDF},
		{"POST /agent/guichet/demandes/{id}/recepisse.pdf", staff, s.counterReceiptPDF},

		{"GET /reprendre", applicant, s.claimForm},
		{"POST /reprendre", applicant, s.claim},
	}
}
