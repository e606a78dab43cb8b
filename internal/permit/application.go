package permit

import (
	"strings"
	"time"
)

// Kind is the kind of an application.
type Kind string

// The kinds of application.
const (
	KindFirstIssue     Kind = "first_issue"      // première demande
	KindRenewal        Kind = "renewal"          // renouvellement
	KindChangeOfStatus Kind = "change_of_status" // changement de statut
)

// Kinds lists every kind, in the order forms show them.
var Kinds = []Kind{KindFirstIssue, KindRenewal, KindChangeOfStatus}

// Valid reports whether k is a known kind.
func (k Kind) Valid() bool {
	for _, v := range Kinds {
		if v == k {
			return true
		}
	}
	return false
}

// Application is one request (demande) on one ground.
type Application struct {
	ID           int64
	PersonID     int64
	PrefectureID int64
	Ground       GroundID
	Kind         Kind
	State        State
	CreatedAt    time.Time
	UpdatedAt    time.Time
	SubmittedAt  *time.Time
	FeeStamp     string // timbre fiscal number, 16 digits
	// PhotoCode is the e-photo code (code e-photo) of an approved photo
	// booth, typed by the applicant; its shape is the catalogue's.
	PhotoCode string
	// PlanVersion counts the changes of what the application's
	// attestations depend on; the issuer records its plan only if it has
	// not moved since it read the application.
	PlanVersion int64
}

// IssueMark is an application the issuer must look at, and the day it
// became due (the sweep's place in its list).
type IssueMark struct {
	ApplicationID int64
	Day           time.Time
}

// Editable reports whether the applicant may still change the file's
// documents: while drafting, and while the prefecture asks for more.
func (a *Application) Editable() bool {
	return a.State == StateDraft || a.State == StateIncomplete
}

// ValidFeeStamp reports whether s has the shape of a timbre fiscal
// électronique number: 16 digits. Spaces are allowed between groups.
func ValidFeeStamp(s string) bool {
	s = strings.ReplaceAll(s, " ", "")
	return len(s) == 16 && strings.Trim(s, "0123456789") == ""
}

// Document is one version of one file of an application. Replacing a
// document adds a version; removing one marks it removed; nothing is
// deleted, so the history keeps every version.
type Document struct {
	ID            int64
	ApplicationID int64
	Slot          string // the catalogue's document id, or "message"
	MessageID     int64  // for attachments of a message
	BlobSum       string // SHA-256 of the content, in the blob store
	Filename      string
	Kind          string // pdf, jpeg or png, as checked from the content
	Size          int64
	UploadedAt    time.Time
	UploadedBy    int64
	RemovedAt     *time.Time // taken out of its slot by the applicant
	// ReplacedBy is the file that took this one's place in a slot that
	// holds one file; 0 while it was not replaced.
	ReplacedBy int64
	// ReusedFrom is the file first given for another application, whose
	// content (the same blob) this one reuses; 0 for a file uploaded here.
	ReusedFrom int64
}

// Current reports whether the file is one of its slot's current files:
// neither removed nor replaced, and not a message's attachment. Every
// version stays in the history either way.
func (d *Document) Current() bool {
	return d.MessageID == 0 && d.RemovedAt == nil && d.ReplacedBy == 0
}

// Filing is an immutable record of what was filed, made at each
// submission; its number is the filing receipt's number.
type Filing struct {
	ID            int64
	ApplicationID int64
	Number        string
	FiledAt       time.Time
	Snapshot      []byte // JSON of what was filed
}

// CompletionRequest is the prefecture asking for documents: which, why,
// and by when (demande de pièces complémentaires).
type CompletionRequest struct {
	ID            int64
	ApplicationID int64
	Slots         []string
	Reason        string
	DueOn         time.Time
	RequestedAt   time.Time
	RequestedBy   int64
	AnsweredAt    *time.Time
}

// Message is one message of an application's thread between the
// applicant and the prefecture.
type Message struct {
	ID            int64
	ApplicationID int64
	Sender        Actor
	Body          string
	CreatedAt     time.Time
	Attachments   []*Document
}

// Event records one transition of an application: who did it, when, and why.
type Event struct {
	ID            int64
	ApplicationID int64
	From          State
	To            State
	Actor         Actor
	At            time.Time
	Reason        string
	UndoOf        int64 // for an undo: the event it takes back
}

// ActorKind says who took an action.
type ActorKind string

// The kinds of actor.
const (
	ActorApplicant ActorKind = "applicant"
	ActorAgent     ActorKind = "agent"
	ActorSystem    ActorKind = "system"
)

// Actor is who took an action: an account, or the system itself.
type Actor struct {
	Kind      ActorKind
	AccountID int64 // zero for the system
}

// System is the actor of automatic transitions (jobs, sweeps).
var System = Actor{Kind: ActorSystem}

// Overview is what an applicant's dashboard shows, read from the
// database at once: the person of an account (nil before they gave a
// profile), their current permit (nil when none), their applications,
// newest first, with, by application id, their documents and completion
// requests (oldest first) and their attestations (every version, oldest
// first); the prefectures of those applications by id; the account's
// replayed filing attempts and the declarations naming the person,
// newest first.
type Overview struct {
	Person       *Person
	Permit       *Permit
	Applications []*Application
	Prefectures  map[int64]*Prefecture
	Documents    map[int64][]*Document
	Requests     map[int64][]*CompletionRequest
	Attestations map[int64][]*Attestation
	Attempts     []*FilingAttempt
	Declarations []*Declaration
}
