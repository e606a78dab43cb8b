// Package backoffice serves the prefecture's staff: the work queue (their
// home) and its export, the case page with its decisions, filing at the
// counter, the review of correction requests, the journal, the files that
// moved between prefectures, and the second factor every back-office page
// asks for first.
package backoffice

import (
	"github.com/sejour/sejour/internal/casework"
	"github.com/sejour/sejour/internal/web"
)

// Pages are the back office's pages. They render through the core server
// and call only the use cases named here.
type Pages struct {
	*web.Server
	Accounts     *casework.Accounts // the second factor
	Applications *casework.Applications
	Documents    *casework.Documents
	Messages     *casework.Messages
	Decisions    *casework.Decisions
	Queue        *casework.WorkQueue
	Counter      *casework.Counter
	Corrections  *casework.Corrections
	Journal      *casework.Journal
	Receipts     web.ReceiptRenderer
}

// counter is the counter's pages (filing for a person at the counter, by
// phone or from a paper form, issue 5 §5): the back office's use cases,
// with handlers of their own.
type counter struct{ *Pages }

// Routes are the back office's routes.
func (s *Pages) Routes() []web.Route {
	c := &counter{s}
	return []web.Route{
		{Pattern: "GET " + web.SecondFactorPath, Who: web.StaffPending, Handler: s.secondFactorForm},
		{Pattern: "POST " + web.SecondFactorPath, Who: web.StaffPending, Handler: s.secondFactor},
		{Pattern: "GET " + web.SecondFactorPath + "/qr.png", Who: web.StaffPending, Handler: s.enrolmentQR},
		{Pattern: "POST " + web.SecondFactorPath + "/enrolement", Who: web.StaffPending, Handler: s.enrol},

		// The work queue is the back office's home.
		{Pattern: "GET /agent", Who: web.Staff, Handler: s.queue},
		{Pattern: "GET /agent/export.csv", Who: web.Staff, Handler: s.queueExport},

		{Pattern: "GET /agent/demandes/{id}", Who: web.Staff, Handler: s.staffCase},
		{Pattern: "POST /agent/demandes/{id}/instruction", Who: web.Staff, Handler: s.startReview},
		{Pattern: "POST /agent/demandes/{id}/pieces", Who: web.Staff, Handler: s.requestCompletion},
		{Pattern: "POST /agent/demandes/{id}/messages", Who: web.Staff, Handler: s.staffMessage},
		{Pattern: "GET /agent/demandes/{id}/fichiers/{doc}", Who: web.Staff, Handler: s.downloadDocument},

		// The prefecture's decisions and steps: each is a form on the case page.
		{Pattern: "POST /agent/demandes/{id}/complet", Who: web.Staff, Handler: s.markComplete},
		{Pattern: "POST /agent/demandes/{id}/identite", Who: web.Staff, Handler: s.confirmIdentity},
		{Pattern: "POST /agent/demandes/{id}/decision/favorable", Who: web.Staff, Handler: s.decideFavourable},
		{Pattern: "POST /agent/demandes/{id}/decision/defavorable", Who: web.Staff, Handler: s.decideUnfavourable},
		{Pattern: "POST /agent/demandes/{id}/carte", Who: web.Staff, Handler: s.produceCard},
		{Pattern: "POST /agent/demandes/{id}/rendez-vous", Who: web.Staff, Handler: s.offerAppointment},
		{Pattern: "POST /agent/demandes/{id}/remise", Who: web.Staff, Handler: s.handOver},
		{Pattern: "POST /agent/demandes/{id}/cloture", Who: web.Staff, Handler: s.closeCase},
		{Pattern: "POST /agent/demandes/{id}/reouverture", Who: web.Staff, Handler: s.reopenCase},
		{Pattern: "POST /agent/demandes/{id}/annulation", Who: web.Supervisor, Handler: s.undoStep},
		{Pattern: "POST /agent/demandes/{id}/fichiers/{doc}/avis", Who: web.Staff, Handler: s.reviewDocument},
		{Pattern: "GET /agent/demandes/{id}/fichiers/{doc}/apercu", Who: web.Staff, Handler: s.previewDocument},

		// Filing at the counter, by phone or from a paper form.
		{Pattern: "GET /agent/guichet", Who: web.Staff, Handler: c.counterSearch},
		{Pattern: "GET /agent/guichet/personnes/nouvelle", Who: web.Staff, Handler: c.counterPersonForm},
		{Pattern: "POST /agent/guichet/personnes/nouvelle", Who: web.Staff, Handler: c.counterCreatePerson},
		{Pattern: "GET /agent/guichet/personnes/{person}", Who: web.Staff, Handler: c.counterPerson},
		{Pattern: "POST /agent/guichet/personnes/{person}/demandes", Who: web.Staff, Handler: c.counterStart},
		{Pattern: "POST /agent/guichet/personnes/{person}/code", Who: web.Staff, Handler: c.counterIssueCode},
		{Pattern: "GET /agent/guichet/demandes/{id}", Who: web.Staff, Handler: c.counterCase},
		{Pattern: "POST /agent/guichet/demandes/{id}/documents/{slot}", Who: web.Staff, Handler: c.counterUpload},
		{Pattern: "POST /agent/guichet/demandes/{id}/documents/{slot}/retirer", Who: web.Staff, Handler: c.counterRemove},
		{Pattern: "POST /agent/guichet/demandes/{id}/timbre", Who: web.Staff, Handler: c.counterFeeStamp},
		{Pattern: "POST /agent/guichet/demandes/{id}/deposer", Who: web.Staff, Handler: c.counterFile},
		{Pattern: "POST /agent/guichet/demandes/{id}/completer", Who: web.Staff, Handler: c.counterResubmit},
		{Pattern: "GET /agent/guichet/demandes/{id}/recepisse", Who: web.Staff, Handler: c.counterReceipt},
		{Pattern: "GET /agent/guichet/demandes/{id}/recepisse.pdf", Who: web.Staff, Handler: c.counterReceiptPDF},
		{Pattern: "POST /agent/guichet/demandes/{id}/recepisse.pdf", Who: web.Staff, Handler: c.counterReceiptPDF},

		{Pattern: "GET /agent/corrections", Who: web.Staff, Handler: s.staffCorrections},
		{Pattern: "GET /agent/corrections/{correction}", Who: web.Staff, Handler: s.staffCorrection},
		{Pattern: "GET /agent/corrections/{correction}/piece", Who: web.Staff, Handler: s.correctionEvidence},
		{Pattern: "POST /agent/corrections/{correction}/accepter", Who: web.Staff, Handler: s.acceptCorrection},
		{Pattern: "POST /agent/corrections/{correction}/refuser", Who: web.Staff, Handler: s.refuseCorrection},

		{Pattern: "GET /agent/journal", Who: web.Supervisor, Handler: s.journal},
		{Pattern: "GET /agent/transferts", Who: web.Staff, Handler: s.transfers},
	}
}
