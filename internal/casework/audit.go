package casework

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/sejour/sejour/internal/audit"
	"github.com/sejour/sejour/internal/permit"
)

// What staff opening things is recorded as. Actions that change an
// application are recorded under the name of their transition
// (permit.Action: "start_review", "request_completion"...). The names are
// written in two parts only so that the catalogue test, which collects
// every dotted string, does not take them for translation keys.
const (
	ActionCaseView     = "case" + ".view"     // a person's file (the staff case page)
	ActionDocumentView = "document" + ".view" // one document version
	ActionMessagePost  = "message" + ".post"  // a message from the prefecture
	ActionQueueExport  = "queue_export"       // the work queue taken out as CSV
	ActionPersonView   = "person" + ".view"   // a person's page at the counter
)

// AuditStore reads the audit trail and the moves between prefectures.
type AuditStore interface {
	// AuditTrail returns the lines a filter selects, newest first.
	AuditTrail(ctx context.Context, f audit.Filter) ([]*audit.Line, error)
	// TransfersOf returns the moves out of or into prefectures, newest
	// first; every move when prefectureIDs is nil.
	TransfersOf(ctx context.Context, prefectureIDs []int64, limit int) ([]*permit.Transfer, error)
}

// acting returns ctx carrying the audit entry of a staff action on an
// application; an applicant's own actions are not the trail's business.
// Pass the result to the one store write that performs the action.
func acting(ctx context.Context, acc *permit.Account, a *permit.Application, action, detail string) context.Context {
	if !acc.Staff() {
		return ctx
	}
	return audit.With(ctx, entryFor(acc, a, action, detail))
}

func entryFor(acc *permit.Account, a *permit.Application, action, detail string) audit.Entry {
	return audit.Entry{ActorAccountID: acc.ID, Action: action, PrefectureID: a.PrefectureID,
		PersonID: a.PersonID, ApplicationID: a.ID, Detail: detail}
}

// seen records that staff opened an application's file (docID 0) or one
// of its documents. It does nothing for the applicant. A view that cannot
// be recorded is not served.
func (s *core) seen(ctx context.Context, acc *permit.Account, a *permit.Application, docID int64) error {
	if !acc.Staff() {
		return nil
	}
	e := entryFor(acc, a, ActionCaseView, "")
	if docID != 0 {
		e.Action, e.DocumentID = ActionDocumentView, docID
	}
	return s.People.RecordAudit(audit.With(ctx, e))
}

// TrailPageSize is how many lines a page of the audit trail shows.
const TrailPageSize = 50

// TrailQuery is what a reader of the audit trail asks for; every field is
// optional. Dates are civil days in Paris, both included.
type TrailQuery struct {
	Prefecture  string // an id
	Application string // an application number
	Person      string // a person's number
	Actor       string // a staff e-mail address
	From, To    string // YYYY-MM-DD
	Page        int    // from 1
}

// Trail is one page of the audit trail.
type Trail struct {
	Lines []*audit.Line
	Page  int
	More  bool // a next page exists
	// Prefectures are those the reader may read, for the filter's choices.
	Prefectures []*permit.Prefecture
}

// AuditTrail returns a page of the audit trail to a supervisor (their
// prefectures' entries only) or an admin (every entry). Anyone else gets
// ENOTFOUND, as does a supervisor asking for another prefecture.
func (s *Journal) AuditTrail(ctx context.Context, acc *permit.Account, q TrailQuery) (*Trail, error) {
	if !acc.Supervises() {
		return nil, errNotFound
	}
	all, err := s.People.Prefectures(ctx)
	if err != nil {
		return nil, err
	}
	t := &Trail{Page: max(q.Page, 1)}
	for _, p := range all {
		if acc.WorksFor(p.ID) {
			t.Prefectures = append(t.Prefectures, p)
		}
	}
	f := audit.Filter{ActorEmail: permit.NormalizeEmail(q.Actor), Offset: (t.Page - 1) * TrailPageSize, Limit: TrailPageSize + 1}
	errs := map[string]string{}
	pref, ok := parseID(q.Prefecture)
	switch {
	case !ok || (pref != 0 && !acc.WorksFor(pref)):
		return nil, errNotFound
	case pref != 0:
		f.Prefectures = []int64{pref}
	case acc.Admin():
		f.Everywhere = true
	default:
		f.Prefectures = acc.Prefectures
	}
	if f.ApplicationID, ok = parseID(q.Application); !ok {
		errs["application"] = "audit.error.number"
	}
	if f.PersonID, ok = parseID(q.Person); !ok {
		errs["person"] = "audit.error.number"
	}
	if f.From, err = parisDay(q.From, 0); err != nil {
		errs["from"] = "audit.error.date"
	}
	if f.To, err = parisDay(q.To, 1); err != nil {
		errs["to"] = "audit.error.date"
	} else if !f.From.IsZero() && !f.To.IsZero() && !f.To.After(f.From) {
		errs["to"] = "audit.error.range"
	}
	if err := permit.Invalid(errs); err != nil {
		return t, err
	}
	if t.Lines, err = s.Store.AuditTrail(ctx, f); err != nil {
		return nil, err
	}
	if len(t.Lines) > TrailPageSize {
		t.Lines, t.More = t.Lines[:TrailPageSize], true
	}
	return t, nil
}

// parisDay returns the start of a civil day in Paris, plus days days, as
// an instant; "" is no bound.
func parisDay(s string, days int) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	d, err := time.ParseInLocation(time.DateOnly, s, permit.Paris)
	if err != nil {
		return time.Time{}, err
	}
	return d.AddDate(0, 0, days), nil
}

// Access is one visit of a staff member to an applicant's file, as the
// applicant is told of it: when it began, the role of who came (agent,
// supervisor, admin) and for which prefecture, but not the staff member's
// name or address, which are the prefecture's to give; and what was
// opened. Opening a case page opens its documents' previews too, each an
// entry of the audit trail: the trail keeps every entry, the applicant
// reads one line a visit.
type Access struct {
	At         time.Time // the visit's first entry
	Until      time.Time // its last
	Title      string    // translation key of the role: role.agent...
	Prefecture string
	Opened     []Opened // in the order first opened
	// WorkCheck names the organisation that checked the person's right to
	// work with one of their share codes (its name, SIRET and the record's
	// number); empty for the prefecture's visits. A check is a line of its
	// own, never part of a visit.
	WorkCheck string
	// Declared: the line is an organisation's pre-hire declaration naming
	// the person (WorkCheck then names the organisation and the
	// declaration's number), not a check.
	Declared bool
}

// Opened is one kind of thing opened during a visit.
type Opened struct {
	What          string // one of the Opened… constants
	ApplicationID int64  // for a file or documents
	Count         int    // documents: how many different ones; else 1
}

// What a visit may open.
const (
	OpenedFile       = "file"       // an application's case page
	OpenedDocuments  = "documents"  // documents of an application
	OpenedPerson     = "person"     // the person's page at the counter (identity and every application)
	OpenedCorrection = "correction" // a correction request of the identity, or its evidence
	OpenedReport     = "report"     // one of the person's reports of a problem
)

// openedBy is what each recorded action opened.
var openedBy = map[string]string{
	ActionCaseView: OpenedFile, ActionDocumentView: OpenedDocuments, ActionPersonView: OpenedPerson,
	ActionCorrectionView: OpenedCorrection, ActionReportView: OpenedReport,
}

// VisitGap is the longest pause between two entries of one staff member
// that still makes one visit: reading a file and its documents takes
// minutes, coming back after a break is another visit.
const VisitGap = 30 * time.Minute

// maxAccesses bounds how many entries an applicant's visits are made of,
// newest first.
const maxAccesses = 1000

// FileAccesses tells an applicant when the prefecture's staff opened
// their file or their documents, one line a visit, and when an
// organisation checked their right to work with one of their share codes,
// newest first.
func (s *Journal) FileAccesses(ctx context.Context, acc *permit.Account) ([]Access, error) {
	if acc == nil || acc.Role != permit.RoleApplicant {
		return nil, errNotFound
	}
	p, err := s.People.PersonByAccount(ctx, acc.ID)
	if permit.ErrorCode(err) == permit.ENOTFOUND {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	lines, err := s.Store.AuditTrail(ctx, audit.Filter{Everywhere: true, PersonID: p.ID,
		Actions: []string{ActionCaseView, ActionDocumentView, ActionPersonView, ActionCorrectionView, ActionReportView, ActionWorkCheck, ActionDeclaration}, Limit: maxAccesses})
	if err != nil {
		return nil, err
	}
	return Visits(lines, VisitGap), nil
}

// Visits groups lines of the audit trail, newest first, into visits,
// newest first: the entries of one staff member for one prefecture that
// follow one another with no more than gap between two of them. An entry
// of someone else in between ends the visit.
func Visits(lines []*audit.Line, gap time.Duration) []Access {
	var out []Access
	for start := 0; start < len(lines); {
		end := start + 1
		for end < len(lines) && sameVisit(lines[end-1], lines[end], gap) {
			end++
		}
		out = append(out, visit(lines[start:end]))
		start = end
	}
	return out
}

// byEmployer reports whether a line is an organisation's: a check or a
// declaration, each a line of its own.
func byEmployer(l *audit.Line) bool {
	return l.Action == ActionWorkCheck || l.Action == ActionDeclaration
}

// sameVisit reports whether older follows newer's visit.
func sameVisit(newer, older *audit.Line, gap time.Duration) bool {
	if byEmployer(newer) || byEmployer(older) {
		return false
	}
	return newer.ActorAccountID == older.ActorAccountID && newer.PrefectureID == older.PrefectureID && newer.At.Sub(older.At) <= gap
}

// visit is one visit's lines, newest first, as the applicant reads it.
func visit(lines []*audit.Line) Access {
	first, last := lines[len(lines)-1], lines[0]
	if byEmployer(first) {
		return Access{At: first.At, Until: first.At, WorkCheck: first.Detail, Declared: first.Action == ActionDeclaration}
	}
	who := permit.Account{Role: permit.Role(first.ActorRole), Supervisor: first.ActorSupervisor}
	v := Access{At: first.At, Until: last.At, Title: who.StaffTitle(), Prefecture: first.PrefectureName}
	type thing struct {
		what     string
		app, doc int64
	}
	seen := map[thing]bool{} // each document counted once, the rest named once
	for i := len(lines) - 1; i >= 0; i-- {
		l := lines[i]
		o := Opened{What: openedBy[l.Action], ApplicationID: l.ApplicationID}
		t := thing{o.What, l.ApplicationID, l.DocumentID}
		if seen[t] {
			continue
		}
		seen[t] = true
		if j := slices.IndexFunc(v.Opened, func(p Opened) bool { return p.What == o.What && p.ApplicationID == o.ApplicationID }); j >= 0 {
			v.Opened[j].Count++
			continue
		}
		o.Count = 1
		v.Opened = append(v.Opened, o)
	}
	return v
}

// parseID reads an optional identifier from a form: "" is 0.
func parseID(s string) (int64, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, true
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil && n > 0
}
