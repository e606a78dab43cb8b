package permit

import "time"

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
