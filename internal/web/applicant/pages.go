// Package applicant serves an applicant's own pages: the dashboard, the
// profile and its contact data, applications with their documents,
// filing, receipts and attestations, messages, withdrawal, corrections of
// civil data, the data export, the list of the prefecture's accesses, the
// claim of a file started at the counter, and the applicant's reports.
package applicant

import (
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
}

// Routes are the applicant's routes; the links mailed for a change of
// e-mail address are followed by anyone holding them.
func (s *Pages) Routes() []web.Route {
	return []web.Route{
		{Pattern: "GET /tableau-de-bord", Who: web.Applicant, Handler: s.dashboard},
		{Pattern: "GET /profil", Who: web.Applicant, Handler: s.profileForm},
		{Pattern: "POST /profil", Who: web.Applicant, Handler: s.saveProfile},
		{Pattern: "GET /demandes/nouvelle", Who: web.Applicant, Handler: s.startForm},
		{Pattern: "POST /demandes/nouvelle", Who: web.Applicant, Handler: s.start},
		{Pattern: "GET /demandes/{id}", Who: web.Applicant, Handler: s.application},
		{Pattern: "POST /demandes/{id}/documents/{slot}", Who: web.Applicant, Handler: s.uploadDocument},
		{Pattern: "POST /demandes/{id}/documents/{slot}/retirer", Who: web.Applicant, Handler: s.removeDocument},
		{Pattern: "GET /demandes/{id}/fichiers/{doc}", Who: web.Applicant, Handler: s.downloadDocument},
		{Pattern: "POST /demandes/{id}/timbre", Who: web.Applicant, Handler: s.feeStamp},
		{Pattern: "POST /demandes/{id}/deposer", Who: web.Applicant, Handler: s.file},
		{Pattern: "GET /demandes/{id}/recepisse", Who: web.Applicant, Handler: s.receipt},
		{Pattern: "GET /demandes/{id}/recepisse.pdf", Who: web.Applicant, Handler: s.receiptPDF},
		{Pattern: "GET /demandes/{id}/attestations/{att}", Who: web.Applicant, Handler: s.attestationPDF},
		{Pattern: "POST /demandes/{id}/messages", Who: web.Applicant, Handler: s.postMessage},
		{Pattern: "POST /demandes/{id}/completer", Who: web.Applicant, Handler: s.resubmit},
		{Pattern: "GET /demandes/{id}/retrait", Who: web.Applicant, Handler: s.withdrawForm},
		{Pattern: "POST /demandes/{id}/retrait", Who: web.Applicant, Handler: s.withdraw},

		{Pattern: "GET /consultations", Who: web.Applicant, Handler: s.accesses},
		{Pattern: "GET /reprendre", Who: web.Applicant, Handler: s.claimForm},
		{Pattern: "POST /reprendre", Who: web.Applicant, Handler: s.claim},

		{Pattern: "GET /mes-donnees", Who: web.Applicant, Handler: s.myData},
		{Pattern: "GET /mes-donnees/sejour-donnees.zip", Who: web.Applicant, Handler: s.exportData},
		{Pattern: "GET /profil/correction", Who: web.Applicant, Handler: s.correctionForm},
		{Pattern: "POST /profil/correction", Who: web.Applicant, Handler: s.requestCorrection},
		{Pattern: "GET /profil/corrections/{correction}/piece", Who: web.Applicant, Handler: s.correctionEvidence},
		{Pattern: "POST /profil/corrections/{correction}/retirer", Who: web.Applicant, Handler: s.withdrawCorrection},

		{Pattern: "GET /profil/coordonnees", Who: web.Applicant, Handler: s.contactForm},
		{Pattern: "POST /profil/coordonnees", Who: web.Applicant, Handler: s.changeContact},
		{Pattern: "POST /profil/coordonnees/courriel/annuler", Who: web.Applicant, Handler: s.cancelEmail},
		// The links are followed from a mailbox, on any device, logged in
		// or not: the secret in the path is what counts.
		{Pattern: "GET /coordonnees/courriel/{token}", Who: web.Anyone, Handler: s.confirmEmailChange},
		{Pattern: "GET /coordonnees/annuler/{token}", Who: web.Anyone, Handler: s.cancelEmailForm},
		{Pattern: "POST /coordonnees/annuler/{token}", Who: web.Anyone, Handler: s.cancelEmailByLink},

		{Pattern: "GET /mes-signalements", Who: web.Applicant, Handler: s.myReports},
		{Pattern: "GET /mes-signalements/{id}", Who: web.Applicant, Handler: s.myReport},
		{Pattern: "POST /mes-signalements/{id}", Who: web.Applicant, Handler: s.replyMine},
		{Pattern: "GET /mes-signalements/{id}/capture", Who: web.Applicant, Handler: s.myScreenshot},
	}
}
