package audit

import "time"

// Filter selects lines of the trail, newest first.
type Filter struct {
	// Prefectures limits the lines to these prefectures' cases, unless
	// Everywhere is set. Empty without Everywhere selects nothing.
	Prefectures []int64
	Everywhere  bool

	ApplicationID int64
	PersonID      int64
	ActorEmail    string   // the acting account's address, exactly
	Actions       []string // only these actions, when set
	From, To      time.Time

	Offset, Limit int
}

// Line is a record as it is read back, with who acted and for which
// prefecture, named.
type Line struct {
	Record
	ActorEmail      string
	ActorRole       string // "agent", "admin"... as stored on the account
	ActorSupervisor bool
	PrefectureName  string
}

// Report is what verifying the whole chain found.
type Report struct {
	Count int64  // entries that checked out, from the first
	Head  string // the hash of the last of them
	Break *Break // the first broken link, or nil when the chain is whole
}
