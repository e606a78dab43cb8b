package permit

import (
	"crypto/rand"
	"strings"
	"time"
)

// ReportCategory is what a report of a problem (signalement) is about, as
// the reporter chose it; support may change it when triaging.
type ReportCategory string

// The categories of reports.
const (
	ReportSiteFails   ReportCategory = "site_fails"  // the site fails: an error, a page that does not work
	ReportDataWrong   ReportCategory = "data_wrong"  // my data is wrong
	ReportAttestation ReportCategory = "attestation" // an attestation is missing or wrong
	ReportOther       ReportCategory = "other"
)

// ReportCategories lists the categories in the order forms show them.
var ReportCategories = []ReportCategory{ReportSiteFails, ReportDataWrong, ReportAttestation, ReportOther}

// ReportStatus is where a report stands.
type ReportStatus string

// The statuses of a report. A new report waits for support; triage or
// assignment puts it in progress; an answer waits for the reporter; a
// resolution closes it until the reporter replies or support reopens it.
const (
	ReportNew        ReportStatus = "new"
	ReportInProgress ReportStatus = "in_progress"
	ReportAnswered   ReportStatus = "answered"
	ReportResolved   ReportStatus = "resolved"
)

// ReportStatuses lists the statuses in the order filters show them.
var ReportStatuses = []ReportStatus{ReportNew, ReportInProgress, ReportAnswered, ReportResolved}

// ReportPriority orders the support queue.
type ReportPriority string

// The priorities, from the most pressing.
const (
	PriorityHigh   ReportPriority = "high"
	PriorityNormal ReportPriority = "normal"
	PriorityLow    ReportPriority = "low"
)

// ReportPriorities lists the priorities, most pressing first.
var ReportPriorities = []ReportPriority{PriorityHigh, PriorityNormal, PriorityLow}

// Report is a problem someone reported: with or without an account, from
// any page, perhaps quoting the reference of an error page.
type Report struct {
	ID        int64
	Reference string // SIG-XXXX-XXXX, read aloud on the phone
	// FollowHash is the SHA-256 of the secret follow code; the code
	// itself is shown once to the reporter and never stored.
	FollowHash  string
	Category    ReportCategory
	Priority    ReportPriority
	Status      ReportStatus
	Description string
	Page        string // the local path the report was made from, without query
	ErrorRef    string // the ERR- reference quoted, if any
	// AccountID is the reporter's account; 0 for a report without one.
	AccountID     int64
	PersonID      int64 // the person the report is about, when known
	ApplicationID int64 // the application the report is about, when known
	// PrefectureID scopes the report for agents: the application's
	// prefecture, else the person's competent one; 0 when unlinked.
	PrefectureID int64
	Email        string // where answers are mailed; may be empty
	Phone        string
	Lang         string // of the mails
	Screenshot   *Screenshot
	AssigneeID   int64
	CreatedAt    time.Time
	UpdatedAt    time.Time
	// FirstAnswerAt is when support first answered; ResolvedAt when it was
	// last resolved (cleared by a reopening).
	FirstAnswerAt *time.Time
	ResolvedAt    *time.Time
	// Version counts the changes; a change made on a stale copy is
	// refused (ECONFLICT).
	Version int
}

// Screenshot is the image (or PDF) a reporter attached, kept in the blob
// store like documents.
type Screenshot struct {
	BlobSum  string
	Filename string
	Kind     string // pdf, jpeg, png
	Size     int64
}

// Open reports whether the report still waits for something.
func (r *Report) Open() bool { return r.Status != ReportResolved }

// ReportEventKind names one step of a report's thread.
type ReportEventKind string

// The kinds of steps. Reporters see replies, answers, resolutions and
// reopenings; triage and assignment are support's own.
const (
	ReportCreated ReportEventKind = "created"
	ReportReply   ReportEventKind = "reply"  // the reporter writes
	ReportAnswer  ReportEventKind = "answer" // support writes to the reporter
	ReportTriage  ReportEventKind = "triage"
	ReportAssign  ReportEventKind = "assign"
	ReportResolve ReportEventKind = "resolve"
	ReportReopen  ReportEventKind = "reopen"
)

// ReportEvent is one step of a report's thread.
type ReportEvent struct {
	ID       int64
	ReportID int64
	Kind     ReportEventKind
	// ActorID is the account that acted; 0 for a reporter without one.
	ActorID int64
	Body    string // the text written, or a short description of the change
	At      time.Time
}

// Public reports whether the reporter sees this step.
func (e *ReportEvent) Public() bool {
	switch e.Kind {
	case ReportCreated, ReportReply, ReportAnswer, ReportResolve, ReportReopen:
		return true
	}
	return false
}

// ReportScope is which reports a support reader sees: all of them, or
// those of some prefectures.
type ReportScope struct {
	All         bool
	Prefectures []int64
}

// ReportFilter narrows the support queue; zero fields do not filter.
type ReportFilter struct {
	Scope      ReportScope
	Status     ReportStatus
	Category   ReportCategory
	AssigneeID int64
	Before     int64 // keyset: only reports with a smaller id
	Limit      int
}

// ReportTiming is what the support figures are computed from.
type ReportTiming struct {
	CreatedAt     time.Time
	FirstAnswerAt *time.Time
	ResolvedAt    *time.Time
	Status        ReportStatus
}

// Incident is a failure of the portal itself: a server error a page
// showed with its reference, or a background job that failed. It is
// staff-only and carries no personal data: a path without its query,
// and the error's text.
type Incident struct {
	ID        int64
	Reference string // ERR-XXXX-XXXX for pages, JOB-XXXX-XXXX for jobs
	Source    string // IncidentWeb or IncidentJob
	Kind      string // "http_500", "http_503", or the job's kind
	Method    string
	Path      string
	Status    int
	Attempt   int // the job's attempt that failed
	Cause     string
	Day       string // YYYY-MM-DD in Paris, for the counts
	At        time.Time
}

// The sources of incidents.
const (
	IncidentWeb = "web"
	IncidentJob = "job"
)

// MaxIncidentCause bounds the cause kept for an incident, in bytes.
const MaxIncidentCause = 2000

// IncidentCount is how many incidents of a kind happened on a day.
type IncidentCount struct {
	Day    string
	Source string
	Kind   string
	Count  int
}

// referenceAlphabet has no 0/O nor 1/I: a reference is read aloud.
const referenceAlphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"

// NewReference returns prefix-XXXX-XXXX, drawn from referenceAlphabet
// without bias: the reference an error page shows, or a failed job's.
func NewReference(prefix string) string {
	var sb strings.Builder
	sb.WriteString(prefix + "-")
	b := make([]byte, 1)
	for n := 0; n < 8; {
		rand.Read(b) // never fails: crypto/rand panics rather than return an error
		if n == 4 {
			sb.WriteByte('-')
		}
		// 256 is a multiple of 32: every byte maps without bias.
		sb.WriteByte(referenceAlphabet[int(b[0])%len(referenceAlphabet)])
		n++
	}
	return sb.String()
}

// IsErrorReference reports whether s looks like the reference of an error
// page, ERR-XXXX-XXXX.
func IsErrorReference(s string) bool {
	if len(s) != 13 || !strings.HasPrefix(s, "ERR-") || s[8] != '-' {
		return false
	}
	return strings.Trim(s[4:8]+s[9:], referenceAlphabet) == ""
}
