package casework

import "context"

// Stores are the rooms of the database each use case is given; the
// store package provides one value for each (store.DB and its rooms).
type Stores struct {
	Core         CoreStore
	Cases        CaseStore
	Applications ApplicationStore
	Documents    DocumentStore
	Messages     MessageStore
	Decisions    DecisionStore
	Queue        QueueStore
	Counter      CounterStore
	Corrections  CorrectionStore
	Support      SupportStore
	Export       ExportStore
	Audit        AuditStore
	Attestations AttestationStore
	Versions     VersionStore
	Contacts     ContactStore
	Outages      OutageStore
	Attempts     AttemptStore
	Resends      ResendStore
	Employers    EmployerStore
	WorkChecks   WorkCheckStore
	Declarations DeclarationStore
	FollowUps    FollowUpStore
	APIRequests  APIRequestStore
	Appointments AppointmentStore
	Reminders    ReminderStore
	Statistics   StatisticsStore
	// Snapshots lets the reads of one page share a read transaction; nil
	// reads each in its own.
	Snapshots Snapshotter
}

// Snapshotter runs fn with a context whose reads share one read
// transaction (store.Snapshots).
type Snapshotter interface {
	InSnapshot(ctx context.Context, fn func(context.Context) error) error
}

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
	Outages      *Outages      // outages detected and declared, the public status
	Attempts     *Attempts     // filings attempted during an outage, and their replay
	Resends      *Resends      // forms sent twice, recognised by their one-time key
	Employers    *Employers    // employers' organisations, their members and API keys; needs Accounts
	WorkChecks   *WorkChecks   // share codes and the right-to-work checks made with them
	Declarations *Declarations // pre-hire declarations, their answers and the silence sweep
	FollowUps    *FollowUps    // employers' follow-ups of a right to work, their events and webhooks
	APIRequests  *APIRequests  // the answers kept for the API's idempotency keys
	Appointments *Appointments // counter appointments, the waiting list and its offers
	Reminders    *Reminders    // reminders of legal dates, their stops, the calendar feed
	Statistics   *Statistics   // the public statistics on processing times, computed daily
}

// Applications are the applicant's file: profile, applications, filing,
// completion, withdrawal, the dashboard and an application's page.
type Applications struct {
	*core
	Store  ApplicationStore
	attest *Attestations
}

// Documents are the uploads of a file, their removal and download, and the
// fee stamp.
type Documents struct {
	*core
	Store DocumentStore
}

// Messages are the messages of an application, from either side.
type Messages struct {
	*core
	Store MessageStore
}

// Decisions are the prefecture's steps on a case, from the review to the
// hand-over of the card, and the case page.
type Decisions struct {
	*core
	Store  DecisionStore
	attest *Attestations
}

// WorkQueue is the prefecture's list of applications to work on.
type WorkQueue struct {
	*core
	Store QueueStore
}

// Counter is filing for a person at the counter, by phone or on paper,
// and the claim codes that hand the file over to the person's account.
type Counter struct {
	*core
	Store    CounterStore
	Profiles ProfileStore
	apps     *Applications
	desk     *Decisions
}

// Corrections are requests to correct a person's civil data.
type Corrections struct {
	*core
	Store  CorrectionStore
	attest *Attestations
}

// Reports are reports of problems, the reporter's side, and the incidents
// recorded for them.
type Reports struct {
	*core
	Store SupportStore
}

// SupportDesk is the support queue: triage, answers, incidents.
type SupportDesk struct {
	*core
	Store SupportStore
}

// DataExport is an applicant's copy of everything kept about them.
type DataExport struct {
	*core
	Store ExportStore
}

// Journal reads the audit trail and the moves between prefectures.
type Journal struct {
	*core
	Store AuditStore
}

// Attestations issue what a case is owed, at once and by the daily sweep.
type Attestations struct {
	*core
	Store AttestationStore
}

// Verifier checks an attestation's code.
type Verifier struct {
	*core
	Store VersionStore
}

// New assembles the use cases from their configuration and the rooms of
// the database; accounts is needed by the contact changes (password
// check, mailed links).
func New(cfg Config, st Stores, accounts *Accounts) *UseCases {
	c := &core{Config: cfg, People: st.Core, Cases: st.Cases, Snapshots: st.Snapshots}
	if st.Outages != nil {
		c.Calendar = st.Outages
	}
	at := &Attestations{core: c, Store: st.Attestations}
	apps := &Applications{core: c, Store: st.Applications, attest: at}
	dec := &Decisions{core: c, Store: st.Decisions, attest: at}
	checks := &WorkChecks{core: c, Store: st.WorkChecks}
	return &UseCases{
		Applications: apps,
		Documents:    &Documents{core: c, Store: st.Documents},
		Messages:     &Messages{core: c, Store: st.Messages},
		Decisions:    dec,
		Queue:        &WorkQueue{core: c, Store: st.Queue},
		Counter:      &Counter{core: c, Store: st.Counter, Profiles: st.Applications, apps: apps, desk: dec},
		Corrections:  &Corrections{core: c, Store: st.Corrections, attest: at},
		Reports:      &Reports{core: c, Store: st.Support},
		Support:      &SupportDesk{core: c, Store: st.Support},
		Export:       &DataExport{core: c, Store: st.Export},
		Journal:      &Journal{core: c, Store: st.Audit},
		Attestations: at,
		Verifier:     &Verifier{core: c, Store: st.Versions},
		Contacts:     &Contacts{Accounts: accounts, core: c, Store: st.Contacts},
		Outages:      newOutages(c, st.Outages),
		Attempts:     &Attempts{core: c, Store: st.Attempts, attest: at},
		Resends:      &Resends{Store: st.Resends},
		Employers:    &Employers{Accounts: accounts, Store: st.Employers},
		WorkChecks:   checks,
		Declarations: &Declarations{core: c, Store: st.Declarations, checks: checks},
		FollowUps:    &FollowUps{core: c, Store: st.FollowUps, checks: checks},
		APIRequests:  &APIRequests{Store: st.APIRequests},
		Appointments: newAppointments(c, st.Appointments),
		Reminders:    &Reminders{core: c, Store: st.Reminders},
		Statistics:   &Statistics{core: c, Store: st.Statistics},
	}
}
