package permit

import (
	"slices"
	"time"
)

// Function is one of the portal's functions as the public status page
// names them: what a person can or cannot do during an outage.
type Function string

// The functions of the portal.
const (
	FunctionFiling       Function = "filing"       // filing and completing applications online
	FunctionAttestations Function = "attestations" // issuing and downloading attestations
	FunctionVerification Function = "verification" // checking an attestation's code
	FunctionMail         Function = "mail"         // mails sent by the portal
	FunctionCounter      Function = "counter"      // booking and filing at the prefecture's counter
)

// Functions lists the functions in the order the status page shows them.
var Functions = []Function{FunctionFiling, FunctionAttestations, FunctionVerification, FunctionMail, FunctionCounter}

// OutageKind says how an outage came to be known.
type OutageKind string

// The kinds of outages.
const (
	OutageDetected OutageKind = "detected" // opened by the portal when a check failed long enough
	OutageDeclared OutageKind = "declared" // declared by an administrator
	OutagePlanned  OutageKind = "planned"  // planned maintenance, announced ahead
)

// OutageKinds lists the kinds in the order forms show them.
var OutageKinds = []OutageKind{OutageDeclared, OutagePlanned, OutageDetected}

// Outage is a period during which functions of the portal did not work,
// or will not (planned maintenance). It is public: the status page shows
// it with its description and its effect on deadlines.
type Outage struct {
	ID        int64
	Kind      OutageKind
	Functions []Function
	// Check is the health check that opened a detected outage
	// ("database", "writes", "blobs", "mail"); empty otherwise.
	Check     string
	StartedAt time.Time
	EndedAt   *time.Time // nil while it goes on
	// Description is the public text in each language ("fr", "en");
	// empty for a detected outage, which the page describes by its check.
	Description map[string]string
	// Relieves says the outage relieves deadlines: a renewal whose window
	// ended during it is in time when filed soon after its end (the
	// catalogue's outage_relief_days).
	Relieves   bool
	Cancelled  bool // declared by mistake: kept, but shown nowhere
	DeclaredBy int64
	CreatedAt  time.Time
	UpdatedAt  time.Time
	Version    int // counts changes, so that one made on a stale copy is refused
}

// Affects reports whether the outage stopped function f.
func (o *Outage) Affects(f Function) bool { return slices.Contains(o.Functions, f) }

// Ongoing reports whether the outage has started by now and not ended.
func (o *Outage) Ongoing(now time.Time) bool {
	return !o.Cancelled && !o.StartedAt.After(now) && (o.EndedAt == nil || o.EndedAt.After(now))
}

// Upcoming reports whether the outage is planned to start after now.
func (o *Outage) Upcoming(now time.Time) bool { return !o.Cancelled && o.StartedAt.After(now) }

// OutageAction is a step of an outage's trail.
type OutageAction string

// The steps of an outage's trail.
const (
	OutageOpened  OutageAction = "opened"    // detected: a check failed long enough
	OutageClosed  OutageAction = "closed"    // detected: the check recovered
	OutageDeclare OutageAction = "declared"  // an administrator declared it
	OutageCorrect OutageAction = "corrected" // an administrator changed it
	OutageCancel  OutageAction = "cancelled" // an administrator withdrew it
)

// OutageActions lists the steps of a trail.
var OutageActions = []OutageAction{OutageOpened, OutageClosed, OutageDeclare, OutageCorrect, OutageCancel}

// OutageChecks lists the health checks whose failure is an outage.
var OutageChecks = []string{"database", "writes", "blobs", "mail"}

// OutageEvent is one step of an outage's trail: who did what, why, and
// what the outage looked like after.
type OutageEvent struct {
	ID       int64
	OutageID int64
	Action   OutageAction
	ActorID  int64 // 0 for the portal itself
	Reason   string
	State    string // the outage after the step, as JSON
	At       time.Time
}

// OutageFunctionsOf returns the functions a failing health check stops.
func OutageFunctionsOf(check string) []Function {
	switch check {
	case "database":
		// The verifier checks signatures without the database; only
		// revocations wait for it.
		return []Function{FunctionFiling, FunctionAttestations, FunctionMail, FunctionCounter}
	case "writes":
		return []Function{FunctionFiling, FunctionAttestations, FunctionCounter}
	case "blobs":
		return []Function{FunctionFiling, FunctionAttestations}
	case "mail":
		return []Function{FunctionMail}
	}
	return nil
}
