// Package applicant serves an applicant's own pages: the dashboard, the
// profile and its contact data, applications with their documents,
// filing, receipts and attestations, messages, withdrawal, corrections of
// civil data, the data export, the list of the prefecture's accesses, the
// claim of a file started at the counter, and the applicant's reports.
package applicant

import (
	"github.com/sejour/sejour/internal/paths"

	"github.com/sejour/sejour/internal/casework"
	"github.com/sejour/sejour/internal/web"
)

// Pages are the applicant's pages. They render through the core server
// and call only the use cases named here.
type Pages struct {
	*web.Server
	Applications *casework.Applications
	Documents    *casework.Documents
	Messages     *casework.Messages
	Corrections  *casework.Corrections
	Contacts     *casework.Contacts
	Counter      *casework.Counter // the claim of a file started on the applicant's behalf
	Journal      *casework.Journal // who at the prefecture opened the file
	Export       *casework.DataExport
	Reports      *casework.Reports
	Queue        *casework.WorkQueue // the names of prefectures in a person's history
	Receipts     web.ReceiptRenderer
	Attempts     *casework.Attempts     // filings attempted during an outage
	WorkChecks   *casework.WorkChecks   // share codes, and the checks made with them
	Declarations *casework.Declarations // the pre-hire declarations naming the person
	FollowUps    *casework.FollowUps    // employers following the person's right to work
	Appointments *casework.Appointments // the card collection slot the applicant picks
	Reminders    *casework.Reminders    // reminders of legal dates, and the calendar feed
}

// Routes are the applicant's routes; the links mailed for a change of
// e-mail address are followed by anyone holding them.
func (s *Pages) Routes() []web.Route {
	return []web.Route{
		{Pattern: paths.Get(paths.Dashboard), Who: web.Applicant, Handler: s.dashboard},
		{Pattern: paths.Get(paths.Profile), Who: web.Applicant, Handler: s.profileForm},
		{Pattern: paths.Post(paths.Profile), Who: web.Applicant, Handler: s.saveProfile},
		{Pattern: paths.Get(paths.NewApplication), Who: web.Applicant, Handler: s.startForm},
		{Pattern: paths.Post(paths.NewApplication), Who: web.Applicant, Handler: s.start},
		{Pattern: paths.Get(paths.Application), Who: web.Applicant, Handler: s.application},
		{Pattern: paths.Post(paths.Upload), Who: web.Applicant, Handler: s.uploadDocument},
		{Pattern: paths.Post(paths.RemoveDocument), Who: web.Applicant, Handler: s.removeDocument},
		{Pattern: paths.Post(paths.ReuseDocuments), Who: web.Applicant, Handler: s.reuseDocuments},
		{Pattern: paths.Get(paths.Download), Who: web.Applicant, Handler: s.downloadDocument},
		{Pattern: paths.Post(paths.FeeStamp), Who: web.Applicant, Handler: s.typed},
		{Pattern: paths.Post(paths.CaseCollection), Who: web.Applicant, Handler: collection{s}.book},
		{Pattern: paths.Post(paths.File), Who: web.Applicant, Handler: s.file},
		{Pattern: paths.Post(paths.AttemptPDF), Who: web.Applicant, Handler: s.attemptPDF},
		{Pattern: paths.Get(paths.Receipt), Who: web.Applicant, Handler: s.receipt},
		{Pattern: paths.Get(paths.ReceiptPDF), Who: web.Applicant, Handler: s.receiptPDF},
		{Pattern: paths.Get(paths.ReceiptQR), Who: web.Applicant, Handler: web.ReceiptQR(s.receiptOf)},
		{Pattern: paths.Get(paths.Attestation), Who: web.Applicant, Handler: s.attestationPDF},
		{Pattern: paths.Get(paths.AttestationText), Who: web.Applicant, Handler: s.attestationText},
		{Pattern: paths.Post(paths.Messages), Who: web.Applicant, Handler: s.postMessage},
		{Pattern: paths.Post(paths.Resubmit), Who: web.Applicant, Handler: s.resubmit},
		{Pattern: paths.Get(paths.Withdraw), Who: web.Applicant, Handler: s.withdrawForm},
		{Pattern: paths.Post(paths.Withdraw), Who: web.Applicant, Handler: s.withdraw},

		{Pattern: paths.Get(paths.Accesses), Who: web.Applicant, Handler: s.accesses},
		{Pattern: paths.Get(paths.Claim), Who: web.Applicant, Handler: s.claimForm},
		{Pattern: paths.Post(paths.Claim), Who: web.Applicant, Handler: s.claim},

		{Pattern: paths.Get(paths.MyData), Who: web.Applicant, Handler: s.Show("mydata", "mydata.title")},
		{Pattern: paths.Get(paths.MyDataArchive), Who: web.Applicant, Handler: s.exportData},
		{Pattern: paths.Get(paths.Correction), Who: web.Applicant, Handler: s.correctionForm},
		{Pattern: paths.Post(paths.Correction), Who: web.Applicant, Handler: s.requestCorrection},
		{Pattern: paths.Get(paths.CorrectionEvidence), Who: web.Applicant, Handler: s.correctionEvidence},
		{Pattern: paths.Post(paths.CorrectionWithdraw), Who: web.Applicant, Handler: s.withdrawCorrection},

		{Pattern: paths.Get(paths.Contact), Who: web.Applicant, Handler: s.contactForm},
		{Pattern: paths.Post(paths.Contact), Who: web.Applicant, Handler: s.changeContact},
		{Pattern: paths.Post(paths.ContactCancelEmail), Who: web.Applicant, Handler: s.cancelEmail},
		// The links are followed from a mailbox, on any device, logged in
		// or not: the secret in the path is what counts.
		{Pattern: paths.Get(paths.ContactLink), Who: web.Anyone, Handler: s.confirmEmailChange},
		// Where the link mailed to the former address leads: a button that
		// cancels. Opening the link changes nothing, so that a mail scanner
		// fetching every link cannot cancel the change by itself.
		{Pattern: paths.Get(paths.ContactUndo), Who: web.Anyone, Handler: s.Show("contact_cancel", "contact.cancel_title")},
		{Pattern: paths.Post(paths.ContactUndo), Who: web.Anyone, Handler: s.cancelEmailByLink},

		{Pattern: paths.Get(paths.Share), Who: web.Applicant, Handler: s.shareCodes},
		{Pattern: paths.Post(paths.Share), Who: web.Applicant, Handler: s.createShareCode},
		{Pattern: paths.Post(paths.ShareRevoke), Who: web.Applicant, Handler: s.revokeShareCode},
		{Pattern: paths.Post(paths.FollowUpAccept), Who: web.Applicant, Handler: s.answerFollowUp(true)},
		{Pattern: paths.Post(paths.FollowUpDecline), Who: web.Applicant, Handler: s.answerFollowUp(false)},
		{Pattern: paths.Post(paths.FollowUpWorkerEnd), Who: web.Applicant, Handler: s.endFollowUp},

		{Pattern: paths.Get(paths.Reminders), Who: web.Applicant, Handler: reminders{s}.show},
		{Pattern: paths.Post(paths.Reminders), Who: web.Applicant, Handler: reminders{s}.saveReminders},
		{Pattern: paths.Post(paths.ReminderFeed), Who: web.Applicant, Handler: reminders{s}.newFeed},
		{Pattern: paths.Post(paths.ReminderFeedRevoke), Who: web.Applicant, Handler: reminders{s}.revokeFeed},
		// The feed is read by a calendar application, never logged in:
		// the token in the path is the credential, limited like the
		// public checks so that it cannot be guessed by trying.
		{Pattern: paths.Get(paths.Calendar), Who: web.Anyone, Handler: reminders{s}.calendarFeed, Limit: "verify-ip"},

		{Pattern: paths.Get(paths.MyReports), Who: web.Applicant, Handler: s.myReports},
		{Pattern: paths.Get(paths.MyReport), Who: web.Applicant, Handler: s.myReport},
		{Pattern: paths.Post(paths.MyReport), Who: web.Applicant, Handler: s.replyMine},
		{Pattern: paths.Get(paths.MyReportShot), Who: web.Applicant, Handler: s.myScreenshot},
	}
}
