package casework

import (
	"context"
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

// Access is one time the prefecture opened an applicant's file or one of
// their documents, as the applicant is told of it: when, the role of who
// opened it (agent, supervisor, admin) and for which prefecture, but not
// the staff member's name or address, which are the prefecture's to give.
type Access struct {
	At            time.Time
	ApplicationID int64
	Document      bool   // a document, rather than the file
	Person        bool   // the person's page at the counter (identity and every application)
	Correction    bool   // a correction request of the identity, or its evidence
	Report        bool   // one of the person's reports of a problem
	Title         string // translation key of the role: role.agent...
	Prefecture    string
	// WorkCheck names the organisation that checked the person's right to
	// work with one of their share codes (its name, SIRET and the record's
	// number); empty for the prefecture's accesses.
	WorkCheck string
}

// maxAccesses bounds how many accesses an applicant is shown, newest first.
const maxAccesses = 200

// FileAccesses tells an applicant when the prefecture's staff opened
// their file or their documents, and when an organisation checked their
// right to work with one of their share codes, newest first.
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
		Actions: []string{ActionCaseView, ActionDocumentView, ActionPersonView, ActionCorrectionView, ActionReportView, ActionWorkCheck}, Limit: maxAccesses})
	if err != nil {
		return nil, err
	}
	out := make([]Access, 0, len(lines))
	for _, l := range lines {
		who := permit.Account{Role: permit.Role(l.ActorRole), Supervisor: l.ActorSupervisor}
		out = append(out, Access{At: l.At, ApplicationID: l.ApplicationID, Document: l.Action == ActionDocumentView,
			Person: l.Action == ActionPersonView, Correction: l.Action == ActionCorrectionView, Report: l.Action == ActionReportView,
			Title: who.StaffTitle(), Prefecture: l.PrefectureName})
		if l.Action == ActionWorkCheck {
			out[len(out)-1] = Access{At: l.At, WorkCheck: l.Detail}
		}
	}
	return out, nil
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
