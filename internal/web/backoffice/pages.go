// Package backoffice serves the prefecture's staff: the work queue (their
// home) and its export, the case page with its decisions, filing at the
// counter, the review of correction requests, the journal, the files that
// moved between prefectures, and the second factor every back-office page
// asks for first.
package backoffice

import (
	"github.com/sejour/sejour/internal/paths"

	"github.com/sejour/sejour/internal/casework"
	"github.com/sejour/sejour/internal/upload"
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
	Declarations *casework.Declarations // the pre-hire declarations referred to the prefecture
	Appointments *casework.Appointments
	Receipts     web.ReceiptRenderer
	// Previews draws the PDFs staff preview (web.Options.Previews).
	Previews *upload.Previewer
}

// counter is the counter's pages (filing for a person at the counter, by
// phone or from a paper form, issue 5 §5): the back office's use cases,
// with handlers of their own.
type counter struct{ *Pages }

// Routes are the back office's routes.
func (s *Pages) Routes() []web.Route {
	c := &counter{s}
	return []web.Route{
		{Pattern: paths.Get(paths.SecondFactor), Who: web.StaffPending, Handler: s.secondFactorForm},
		{Pattern: paths.Post(paths.SecondFactor), Who: web.StaffPending, Handler: s.secondFactor},
		{Pattern: paths.Get(paths.SecondFactorQR), Who: web.StaffPending, Handler: s.enrolmentQR},
		{Pattern: paths.Post(paths.SecondFactorEnrol), Who: web.StaffPending, Handler: s.enrol},

		// The work queue is the back office's home.
		{Pattern: paths.Get(paths.Agent), Who: web.Staff, Handler: s.queue},
		{Pattern: paths.Get(paths.QueueExport), Who: web.Staff, Handler: s.queueExport},

		// The pre-hire declarations referred to the prefecture (R.5221-41).
		{Pattern: paths.Get(paths.AgentDeclarations), Who: web.Staff, Handler: s.declarationQueue},
		{Pattern: paths.Get(paths.AgentDeclaration), Who: web.Staff, Handler: s.staffDeclaration},
		{Pattern: paths.Post(paths.AgentDeclarationAnswer), Who: web.Staff, Handler: s.answerDeclaration},

		{Pattern: paths.Get(paths.Case), Who: web.Staff, Handler: s.staffCase},
		{Pattern: paths.Post(paths.CaseStartReview), Who: web.Staff, Handler: s.startReview},
		{Pattern: paths.Post(paths.CaseAskDocuments), Who: web.Staff, Handler: s.requestCompletion},
		{Pattern: paths.Post(paths.CaseMessages), Who: web.Staff, Handler: s.staffMessage},
		{Pattern: paths.Get(paths.CaseDownload), Who: web.Staff, Handler: s.downloadDocument},

		// The prefecture's decisions and steps: each is a form on the case page.
		{Pattern: paths.Post(paths.CaseComplete), Who: web.Staff, Handler: s.markComplete},
		{Pattern: paths.Post(paths.CaseIdentity), Who: web.Staff, Handler: s.confirmIdentity},
		{Pattern: paths.Post(paths.CaseGrant), Who: web.Staff, Handler: s.decideFavourable},
		{Pattern: paths.Post(paths.CaseRefuse), Who: web.Staff, Handler: s.decideUnfavourable},
		{Pattern: paths.Post(paths.CaseCard), Who: web.Staff, Handler: s.produceCard},
		{Pattern: paths.Post(paths.CaseHandOver), Who: web.Staff, Handler: s.handOver},
		{Pattern: paths.Post(paths.CaseClose), Who: web.Staff, Handler: s.closeCase},
		{Pattern: paths.Post(paths.CaseReopen), Who: web.Staff, Handler: s.reopenCase},
		{Pattern: paths.Post(paths.CaseUndo), Who: web.Supervisor, Handler: s.undoStep},
		{Pattern: paths.Post(paths.CaseReview), Who: web.Staff, Handler: s.reviewDocument},
		{Pattern: paths.Get(paths.CasePreview), Who: web.Staff, Handler: s.previewDocument},

		// Filing at the counter, by phone or from a paper form.
		{Pattern: paths.Get(paths.Counter), Who: web.Staff, Handler: c.counterSearch},
		{Pattern: paths.Get(paths.CounterNewPerson), Who: web.Staff, Handler: c.counterPersonForm},
		{Pattern: paths.Post(paths.CounterNewPerson), Who: web.Staff, Handler: c.counterCreatePerson},
		{Pattern: paths.Get(paths.CounterPerson), Who: web.Staff, Handler: c.counterPerson},
		{Pattern: paths.Post(paths.CounterStart), Who: web.Staff, Handler: c.counterStart},
		{Pattern: paths.Post(paths.CounterClaimCode), Who: web.Staff, Handler: c.counterIssueCode},
		{Pattern: paths.Get(paths.CounterCase), Who: web.Staff, Handler: c.counterCase},
		{Pattern: paths.Post(paths.CounterUpload), Who: web.Staff, Handler: c.counterUpload},
		{Pattern: paths.Post(paths.CounterRemove), Who: web.Staff, Handler: c.counterRemove},
		{Pattern: paths.Post(paths.CounterReuse), Who: web.Staff, Handler: c.counterReuse},
		{Pattern: paths.Post(paths.CounterFeeStamp), Who: web.Staff, Handler: c.counterTyped},
		{Pattern: paths.Post(paths.CounterFile), Who: web.Staff, Handler: c.counterFile},
		{Pattern: paths.Post(paths.CounterResubmit), Who: web.Staff, Handler: c.counterResubmit},
		{Pattern: paths.Get(paths.CounterReceipt), Who: web.Staff, Handler: c.counterReceipt},
		{Pattern: paths.Get(paths.CounterReceiptPDF), Who: web.Staff, Handler: c.counterReceiptPDF},
		{Pattern: paths.Get(paths.CounterReceiptQR), Who: web.Staff, Handler: web.ReceiptQR(c.staffReceiptOf)},
		{Pattern: paths.Post(paths.CounterReceiptPDF), Who: web.Staff, Handler: c.counterReceiptPDF},

		{Pattern: paths.Get(paths.Corrections), Who: web.Staff, Handler: s.staffCorrections},
		{Pattern: paths.Get(paths.CorrectionReview), Who: web.Staff, Handler: s.staffCorrection},
		{Pattern: paths.Get(paths.CorrectionFile), Who: web.Staff, Handler: s.correctionEvidence},
		{Pattern: paths.Post(paths.CorrectionAccept), Who: web.Staff, Handler: s.acceptCorrection},
		{Pattern: paths.Post(paths.CorrectionRefuse), Who: web.Staff, Handler: s.refuseCorrection},

		{Pattern: paths.Get(paths.Journal), Who: web.Supervisor, Handler: s.journal},
		{Pattern: paths.Get(paths.Transfers), Who: web.Staff, Handler: s.transfers},

		// Counter appointments: the prefecture's agenda and waiting list.
		{Pattern: paths.Get(paths.StaffAppointments), Who: web.Staff, Handler: s.staffAgendas},
		{Pattern: paths.Get(paths.StaffAgenda), Who: web.Staff, Handler: s.staffAgenda},
		{Pattern: paths.Post(paths.StaffAgendaSession), Who: web.Supervisor, Handler: s.addSession},
		{Pattern: paths.Post(paths.StaffAgendaClosure), Who: web.Supervisor, Handler: s.addClosure},
		{Pattern: paths.Post(paths.StaffAgendaNoShow), Who: web.Staff, Handler: s.noShow},
		// The counter reads a booking's code: the person has arrived.
		{Pattern: paths.Get(paths.StaffArrival), Who: web.Staff, Handler: s.arrivalForm},
		{Pattern: paths.Post(paths.StaffArrival), Who: web.Staff, Handler: s.readCode},
		{Pattern: paths.Get(paths.StaffArrivalBooking), Who: web.Staff, Handler: s.arrivalBooking},
	}
}
