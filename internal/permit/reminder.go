package permit

import (
	"slices"
	"time"
)

// ReminderKind is one kind of reminder of a legal date (issue 16, part
// 3). A person may stop each kind.
type ReminderKind string

// The reminders sent, each once per subject and date.
const (
	// ReminderWindowOpens: the renewal window of the current permit
	// (R.431-5) opened and no renewal is filed.
	ReminderWindowOpens ReminderKind = "window_opens"
	// ReminderWindowClosing: the window closes in ReminderClosingDays
	// days and no renewal is filed.
	ReminderWindowClosing ReminderKind = "window_closing"
	// ReminderAttestationEnding: an attestation ends in
	// ReminderAttestationDays days and nothing replaces it yet.
	ReminderAttestationEnding ReminderKind = "attestation_ending"
	// ReminderCompletionDue: the deadline of an open completion request
	// (demande de pièces complémentaires) is in ReminderCompletionDays
	// days or fewer.
	ReminderCompletionDue ReminderKind = "completion_due"
)

// ReminderKinds lists every kind, in the order the settings page shows
// them.
var ReminderKinds = []ReminderKind{ReminderWindowOpens, ReminderWindowClosing, ReminderAttestationEnding, ReminderCompletionDue}

// Valid reports whether k is a known kind.
func (k ReminderKind) Valid() bool { return slices.Contains(ReminderKinds, k) }

// Lead times of the reminders, in days before the legal date.
const (
	ReminderClosingDays     = 30
	ReminderAttestationDays = 15
	ReminderCompletionDays  = 7
)

// Reminder is one reminder owed to an account: of a kind, about a
// subject ("permit:12", "attestation:API-…", "request:7") and the legal
// date it announces (a civil day, midnight UTC). (AccountID, Kind,
// Subject, Date) is its key: it is written once.
type Reminder struct {
	AccountID int64
	Kind      ReminderKind
	Subject   string
	Date      time.Time
	// ApplicationID is the application it concerns, if any.
	ApplicationID int64
}

// DayKey is Date as the key stores it, YYYY-MM-DD.
func (r *Reminder) DayKey() string { return r.Date.Format(time.DateOnly) }

// ReminderTarget is an account the daily sweep looks at: where its
// reminders go, and in which language.
type ReminderTarget struct {
	AccountID int64
	Email     string
	Lang      string
}

// ReminderWindow bounds what the sweep looks for on one day: permits
// ending in [PermitFrom, PermitTo), attestations ending in
// [AttestationFrom, AttestationTo), open completion requests due in
// [DueFrom, DueTo). The bounds are instants (midnight UTC of civil days).
type ReminderWindow struct {
	PermitFrom, PermitTo           time.Time
	AttestationFrom, AttestationTo time.Time
	DueFrom, DueTo                 time.Time
}

// SMS is one text message of the SMS outbox.
type SMS struct {
	ID        int64
	To        string
	Text      string
	CreatedAt time.Time
	SentAt    *time.Time
	Attempts  int
	LastError string
}

// LegalDateKind is one kind of date of a person's calendar feed.
type LegalDateKind string

// The dates of the calendar feed.
const (
	DateWindowOpens     LegalDateKind = "window_opens"
	DateWindowCloses    LegalDateKind = "window_closes"
	DatePermitEnds      LegalDateKind = "permit_ends"
	DateAttestation     LegalDateKind = "attestation" // a period, Day to End
	DateCompletionDue   LegalDateKind = "completion_due"
	DateImplicitRefusal LegalDateKind = "implicit_rejection"
	DateAppointment     LegalDateKind = "appointment" // timed, At to Until
)

// LegalDate is one event of a person's calendar: an all-day date (Day,
// and End for a period, both civil days, inclusive) or a timed one (At to
// Until). UID is stable across reads, so a calendar updates the event
// rather than adding another.
type LegalDate struct {
	Kind          LegalDateKind
	UID           string
	Day, End      time.Time
	At, Until     time.Time
	ApplicationID int64
	// Detail is what the event's text names: an attestation's number
	// and kind, an appointment's place.
	Detail string
}
