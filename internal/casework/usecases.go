package casework

// Config is what the use cases are made of. Every field but the stores
// is shared by all of them.
type Config = core

// UseCases are sejour's use cases on applicants' files, one type per room:
// what the web and job layers call. Accounts (sign-up, log-in, staff) are
// apart, in Accounts.
type UseCases struct {
	Applications *Applications // profile, applications, filing, withdrawal, the applicant's views
	Documents    *Documents    // uploads, removal, downloads, the fee stamp
	Messages     *Messages     // messages between the applicant and the prefecture
	Decisions    *Decisions    // the prefecture's steps on a case
	Queue        *WorkQueue    // the prefecture's work queue and its export
	Counter      *Counter      // filing at the counter, by phone or on paper; claim codes
	Corrections  *Corrections  // corrections of a person's civil data
	Reports      *Reports      // reports of problems, the reporter's side; incidents
	Support      *SupportDesk  // the support queue
	Export       *DataExport   // an applicant's data export
	Journal      *Journal      // the audit trail's readers and the moves between prefectures
	Attestations *Attestations // issuing attestations, at once and by the sweep
	Verifier     *Verifier     // checking an attestation's code
	Contacts     *Contacts     // contact data and moves; needs Accounts
}

// Applications are the applicant's file: profile, applications, filing,
// completion, withdrawal, the dashboard and an application's page.
type Applications struct {
	*core
	attest *Attestations
}

// Documents are the uploads of a file, their removal and download, and the
// fee stamp.
type Documents struct{ *core }

// Messages are the messages of an application, from either side.
type Messages struct{ *core }

// Decisions are the prefecture's steps on a case, from the review to the
// hand-over of the card, and the case page.
type Decisions struct {
	*core
	attest *Attestations
}

// WorkQueue is the prefecture's list of applications to work on.
type WorkQueue struct{ *core }

// Counter is filing for a person at the counter, by phone or on paper,
// and the claim codes that hand the file over to the person's account.
type Counter struct {
	*core
	apps *Applications
	desk *Decisions
}

// Corrections are requests to correct a person's civil data.
type Corrections struct {
	*core
	attest *Attestations
}

// Reports are reports of problems, the reporter's side, and the incidents
// recorded for them.
type Reports struct{ *core }

// SupportDesk is the support queue: triage, answers, incidents.
type SupportDesk struct{ *core }

// DataExport is an applicant's copy of everything kept about them.
type DataExport struct{ *core }

// Journal reads the audit trail and the moves between prefectures.
type Journal struct{ *core }

// Attestations issue what a case is owed, at once and by the daily sweep.
type Attestations struct{ *core }

// Verifier checks an attestation's code.
type Verifier struct{ *core }

// New assembles the use cases from their configuration; accounts is
// needed by the contact changes (password check, mailed links).
func New(cfg *Config, accounts *Accounts) *UseCases {
	c := cfg
	at := &Attestations{c}
	apps := &Applications{core: c, attest: at}
	dec := &Decisions{core: c, attest: at}
	return &UseCases{
		Applications: apps,
		Documents:    &Documents{c},
		Messages:     &Messages{c},
		Decisions:    dec,
		Queue:        &WorkQueue{c},
		Counter:      &Counter{core: c, apps: apps, desk: dec},
		Corrections:  &Corrections{core: c, attest: at},
		Reports:      &Reports{c},
		Support:      &SupportDesk{c},
		Export:       &DataExport{c},
		Journal:      &Journal{c},
		Attestations: at,
		Verifier:     &Verifier{c},
		Contacts:     &Contacts{Accounts: accounts, core: c},
	}
}
