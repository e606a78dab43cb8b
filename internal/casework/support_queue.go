package casework

import (
	"context"
	"io"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/sejour/sejour/internal/audit"
	"github.com/sejour/sejour/internal/permit"
)

// supportScope says which reports a back-office account answers: the
// help desk and admins all of them; an agent (a supervisor too) those
// linked to a person or an application of their prefectures. Reports
// linked to nothing are the help desk's. Anyone else sees none.
func supportScope(acc *permit.Account) (permit.ReportScope, bool) {
	switch {
	case acc.HelpDesk() || acc.Admin():
		return permit.ReportScope{All: true}, true
	case acc.Staff():
		return permit.ReportScope{Prefectures: acc.Prefectures}, true
	}
	return permit.ReportScope{}, false
}

// mayAnswer reports whether acc sees report r in the support queue.
func mayAnswer(acc *permit.Account, r *permit.Report) bool {
	sc, ok := supportScope(acc)
	return ok && (sc.All || (r.PrefectureID != 0 && slices.Contains(sc.Prefectures, r.PrefectureID)))
}

// supportReport returns a report support may answer, or ENOTFOUND.
func (s *SupportDesk) supportReport(ctx context.Context, acc *permit.Account, id int64) (*permit.Report, error) {
	r, err := s.Store.Report(ctx, id)
	if err != nil || !mayAnswer(acc, r) {
		return nil, errNotFound
	}
	return r, nil
}

// supportEntry is the audit entry of a support action on a report.
func supportEntry(acc *permit.Account, r *permit.Report, action, detail string) audit.Entry {
	d := r.Reference
	if detail != "" {
		d += " " + detail
	}
	return audit.Entry{ActorAccountID: acc.ID, Action: action, PrefectureID: r.PrefectureID,
		PersonID: r.PersonID, ApplicationID: r.ApplicationID, Detail: d}
}

// SupportPageSize is how many reports a page of the support queue shows.
const SupportPageSize = 50

// SupportQuery is what a reader of the support queue asks for.
type SupportQuery struct {
	Status   string
	Category string
	Mine     bool   // only the reports assigned to the reader
	Before   string // keyset: reports older than this id
}

// SupportQueue is one page of the support queue, with its figures.
type SupportQueue struct {
	Reports []*permit.Report
	Next    int64 // the Before of the next page; 0 on the last
	Figures SupportFigures
}

// Queue lists the reports the reader answers, newest first, filtered.
func (s *SupportDesk) SupportQueue(ctx context.Context, acc *permit.Account, q SupportQuery) (*SupportQueue, error) {
	sc, ok := supportScope(acc)
	if !ok {
		return nil, errNotFound
	}
	errs := map[string]string{}
	f := permit.ReportFilter{Scope: sc, Status: permit.ReportStatus(q.Status), Category: permit.ReportCategory(q.Category), Limit: SupportPageSize + 1}
	if f.Status != "" && !slices.Contains(permit.ReportStatuses, f.Status) {
		errs["status"] = "support.error.status"
	}
	if f.Category != "" && !slices.Contains(permit.ReportCategories, f.Category) {
		errs["category"] = "support.error.category"
	}
	if q.Mine {
		f.AssigneeID = acc.ID
	}
	if before, ok := parseID(q.Before); ok {
		f.Before = before
	}
	if err := permit.Invalid(errs); err != nil {
		return nil, err
	}
	list, err := s.Store.Reports(ctx, f)
	if err != nil {
		return nil, err
	}
	out := &SupportQueue{Reports: list}
	if len(list) > SupportPageSize {
		out.Reports = list[:SupportPageSize]
		out.Next = out.Reports[SupportPageSize-1].ID
	}
	if out.Figures, err = s.supportFigures(ctx, sc); err != nil {
		return nil, err
	}
	return out, nil
}

// FiguresDays is the period the support figures cover.
const FiguresDays = 90

// SupportFigures sum up how fast support answers, over the reports made
// in the last FiguresDays days: the median and the 90th percentile of the
// time to the first answer (reports answered) and to the resolution
// (reports resolved), and what is still open.
type SupportFigures struct {
	Reports, Open, Unanswered    int
	Answered, Resolved           int
	AnswerMedian, AnswerP90      time.Duration
	ResolveMedian, ResolveP90    time.Duration
	OldestUnanswered             time.Duration // the age of the oldest open report without an answer
	AnswerKnown, ResolutionKnown bool
}

func (s *SupportDesk) supportFigures(ctx context.Context, sc permit.ReportScope) (SupportFigures, error) {
	now := s.Clock.Now()
	ts, err := s.Store.ReportTimings(ctx, sc, now.AddDate(0, 0, -FiguresDays))
	if err != nil {
		return SupportFigures{}, err
	}
	return figures(ts, now), nil
}

// figures computes the support figures from the reports' times.
func figures(ts []permit.ReportTiming, now time.Time) SupportFigures {
	f := SupportFigures{Reports: len(ts)}
	var answer, resolve []time.Duration
	for _, t := range ts {
		if t.FirstAnswerAt != nil {
			answer = append(answer, t.FirstAnswerAt.Sub(t.CreatedAt))
		}
		if t.Status == permit.ReportResolved && t.ResolvedAt != nil {
			resolve = append(resolve, t.ResolvedAt.Sub(t.CreatedAt))
			continue
		}
		f.Open++
		if t.FirstAnswerAt == nil {
			f.Unanswered++
			f.OldestUnanswered = max(f.OldestUnanswered, now.Sub(t.CreatedAt))
		}
	}
	f.Answered, f.Resolved = len(answer), len(resolve)
	f.AnswerMedian, f.AnswerP90, f.AnswerKnown = percentiles(answer)
	f.ResolveMedian, f.ResolveP90, f.ResolutionKnown = percentiles(resolve)
	return f
}

// percentiles returns the median and the 90th percentile (nearest rank).
func percentiles(ds []time.Duration) (median, p90 time.Duration, ok bool) {
	if len(ds) == 0 {
		return 0, 0, false
	}
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	rank := func(p int) time.Duration { return ds[(p*len(ds)+99)/100-1] }
	return rank(50), rank(90), true
}

// SupportCase is one report as support sees it: the whole thread, the
// person and application it is linked to, the incidents its quoted
// reference matches, and who it may be assigned to.
type SupportCase struct {
	Report      *permit.Report
	Events      []*permit.ReportEvent
	Actors      map[int64]string // account id -> e-mail, for the thread
	Person      *permit.Person
	Application *permit.Application
	// CanOpenCase tells whether the reader may open the linked
	// application's case page (agents of its prefecture, admins).
	CanOpenCase bool
	Incidents   []*permit.Incident
	Assignees   []*permit.Account
}

// SupportCase opens a report for support, and records that it was opened.
func (s *SupportDesk) SupportCase(ctx context.Context, acc *permit.Account, id int64) (*SupportCase, error) {
	r, err := s.supportReport(ctx, acc, id)
	if err != nil {
		return nil, err
	}
	c := &SupportCase{Report: r, Actors: map[int64]string{}}
	if c.Events, err = s.Store.ReportEvents(ctx, r.ID); err != nil {
		return nil, err
	}
	if r.PersonID != 0 {
		if c.Person, err = s.People.Person(ctx, r.PersonID); err != nil {
			return nil, err
		}
	}
	if r.ApplicationID != 0 {
		if c.Application, err = s.People.Application(ctx, r.ApplicationID); err != nil {
			return nil, err
		}
		c.CanOpenCase = acc.WorksFor(c.Application.PrefectureID)
	}
	if r.ErrorRef != "" {
		if c.Incidents, err = s.Store.Incidents(ctx, r.ErrorRef, 10); err != nil {
			return nil, err
		}
	}
	staff, err := s.People.StaffAccounts(ctx)
	if err != nil {
		return nil, err
	}
	for _, a := range staff {
		c.Actors[a.ID] = a.Email
		if a.DisabledAt == nil && a.Confirmed() && mayAnswer(a, r) {
			c.Assignees = append(c.Assignees, a)
		}
	}
	if err := s.People.RecordAudit(audit.With(ctx, supportEntry(acc, r, ActionReportView, ""))); err != nil {
		return nil, err
	}
	return c, nil
}

// SupportScreenshot opens a report's screenshot for support.
func (s *SupportDesk) SupportScreenshot(ctx context.Context, acc *permit.Account, id int64) (*permit.Screenshot, io.ReadCloser, error) {
	r, err := s.supportReport(ctx, acc, id)
	if err != nil {
		return nil, nil, err
	}
	return s.openScreenshot(ctx, r)
}

// TriageForm is support's classification of a report.
type TriageForm struct{ Category, Priority string }

// TriageReport sets a report's category and priority; a new report is
// then in progress.
func (s *SupportDesk) TriageReport(ctx context.Context, acc *permit.Account, id int64, f TriageForm) error {
	r, err := s.supportReport(ctx, acc, id)
	if err != nil {
		return err
	}
	errs := map[string]string{}
	if !slices.Contains(permit.ReportCategories, permit.ReportCategory(f.Category)) {
		errs["category"] = "support.error.category"
	}
	if !slices.Contains(permit.ReportPriorities, permit.ReportPriority(f.Priority)) {
		errs["priority"] = "support.error.priority"
	}
	if err := permit.Invalid(errs); err != nil {
		return err
	}
	r.Category, r.Priority = permit.ReportCategory(f.Category), permit.ReportPriority(f.Priority)
	if r.Status == permit.ReportNew {
		r.Status = permit.ReportInProgress
	}
	detail := f.Category + " " + f.Priority
	ev := &permit.ReportEvent{Kind: permit.ReportTriage, ActorID: acc.ID, Body: detail}
	return s.Store.UpdateReport(audit.With(ctx, supportEntry(acc, r, ActionReportTriage, detail)), r, ev, nil)
}

// AssignReport gives a report to a support account that may answer it
// (the reader themself included); 0 takes it back from anyone.
func (s *SupportDesk) AssignReport(ctx context.Context, acc *permit.Account, id int64, assignee string) error {
	r, err := s.supportReport(ctx, acc, id)
	if err != nil {
		return err
	}
	to, ok := parseID(assignee)
	if !ok {
		return permit.Invalid(map[string]string{"assignee": "support.error.assignee"})
	}
	detail := ""
	if to != 0 {
		a, err := s.People.AccountByID(ctx, to)
		if err != nil || a.DisabledAt != nil || !mayAnswer(a, r) {
			return permit.Invalid(map[string]string{"assignee": "support.error.assignee"})
		}
		detail = a.Email
	}
	r.AssigneeID = to
	if r.Status == permit.ReportNew {
		r.Status = permit.ReportInProgress
	}
	ev := &permit.ReportEvent{Kind: permit.ReportAssign, ActorID: acc.ID, Body: detail}
	return s.Store.UpdateReport(audit.With(ctx, supportEntry(acc, r, ActionReportAssign, detail)), r, ev, nil)
}

// AnswerReport writes to the reporter, by mail when there is an address
// (the answer is in the mail) and in the report's thread. The first
// answer's time is kept. A resolved report must be reopened first.
func (s *SupportDesk) AnswerReport(ctx context.Context, acc *permit.Account, id int64, body string) error {
	r, err := s.supportReport(ctx, acc, id)
	if err != nil {
		return err
	}
	if body, err = reportText("answer", body); err != nil {
		return err
	}
	if r.Status == permit.ReportResolved {
		return permit.Errorf(permit.ECONFLICT, "support.error.resolved")
	}
	now := s.Clock.Now()
	r.Status = permit.ReportAnswered
	if r.FirstAnswerAt == nil {
		r.FirstAnswerAt = &now
	}
	m := s.reportMail(r, "support.mail.answer", body)
	ev := &permit.ReportEvent{Kind: permit.ReportAnswer, ActorID: acc.ID, Body: body}
	if err := s.Store.UpdateReport(audit.With(ctx, supportEntry(acc, r, ActionReportAnswer, "")), r, ev, m); err != nil {
		return err
	}
	return nil
}

// ResolveReport closes a report with a note to the reporter (mailed like
// an answer, and counted as one when it is the first).
func (s *SupportDesk) ResolveReport(ctx context.Context, acc *permit.Account, id int64, note string) error {
	r, err := s.supportReport(ctx, acc, id)
	if err != nil {
		return err
	}
	if note, err = reportText("note", note); err != nil {
		return err
	}
	if r.Status == permit.ReportResolved {
		return permit.Errorf(permit.ECONFLICT, "support.error.resolved")
	}
	now := s.Clock.Now()
	r.Status, r.ResolvedAt = permit.ReportResolved, &now
	if r.FirstAnswerAt == nil {
		r.FirstAnswerAt = &now
	}
	m := s.reportMail(r, "support.mail.resolved", note)
	ev := &permit.ReportEvent{Kind: permit.ReportResolve, ActorID: acc.ID, Body: note}
	if err := s.Store.UpdateReport(audit.With(ctx, supportEntry(acc, r, ActionReportResolve, "")), r, ev, m); err != nil {
		return err
	}
	return nil
}

// ReopenReport takes a resolved report back into the queue, with a reason.
func (s *SupportDesk) ReopenReport(ctx context.Context, acc *permit.Account, id int64, reason string) error {
	r, err := s.supportReport(ctx, acc, id)
	if err != nil {
		return err
	}
	if reason, err = reportText("reason", reason); err != nil {
		return err
	}
	if r.Status != permit.ReportResolved {
		return permit.Errorf(permit.ECONFLICT, "support.error.not_resolved")
	}
	r.Status, r.ResolvedAt = permit.ReportInProgress, nil
	ev := &permit.ReportEvent{Kind: permit.ReportReopen, ActorID: acc.ID, Body: reason}
	return s.Store.UpdateReport(audit.With(ctx, supportEntry(acc, r, ActionReportReopen, "")), r, ev, nil)
}

// IncidentDays is the period the incident counts cover.
const IncidentDays = 30

// IncidentsView is the portal's failures, for the help desk and admins:
// counts per day and kind, and the latest incidents (or those of one
// reference).
type IncidentsView struct {
	Counts    []permit.IncidentCount
	Incidents []*permit.Incident
	Reference string
}

// Incidents reads the portal's failures. Agents are not shown them: the
// incidents of a reference quoted in a report they answer are shown with
// the report.
func (s *SupportDesk) Incidents(ctx context.Context, acc *permit.Account, ref string) (*IncidentsView, error) {
	if !acc.HelpDesk() && !acc.Admin() {
		return nil, errNotFound
	}
	v := &IncidentsView{Reference: strings.ToUpper(strings.TrimSpace(ref))}
	if v.Reference != "" && !permit.IsErrorReference(v.Reference) && !isJobReference(v.Reference) {
		return nil, permit.Invalid(map[string]string{"ref": "support.error.error_ref"})
	}
	since := s.Clock.Now().In(permit.Paris).AddDate(0, 0, -IncidentDays+1).Format(time.DateOnly)
	var err error
	if v.Counts, err = s.Store.IncidentCounts(ctx, since); err != nil {
		return nil, err
	}
	if v.Incidents, err = s.Store.Incidents(ctx, v.Reference, 100); err != nil {
		return nil, err
	}
	return v, nil
}

// isJobReference reports whether s looks like a failed job's reference.
func isJobReference(s string) bool {
	return strings.HasPrefix(s, "JOB-") && permit.IsErrorReference("ERR-"+strings.TrimPrefix(s, "JOB-"))
}
