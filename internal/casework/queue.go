package casework

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/sejour/sejour/internal/audit"
	"github.com/sejour/sejour/internal/permit"
)

// QueueStore is what the work queue reads.
type QueueStore interface {
	Queue(ctx context.Context, f permit.QueueFilter) ([]*permit.QueueItem, error)
	QueueEach(ctx context.Context, f permit.QueueFilter, fn func(*permit.QueueItem) error) error
	QueueCounts(ctx context.Context, prefectures []int64) (map[permit.State]int, error)
}

// QueuePageSize is how many applications a page of the queue lists.
const QueuePageSize = 50

// QueueForm is the queue's filter as typed in the page's query string.
type QueueForm struct {
	Prefecture string   // a prefecture's id; empty for all of the account's
	States     []string // empty for every state of the queue
	Ground     string
	Kind       string
	From, To   string // YYYY-MM-DD, filing days in Paris, both included
	After      string // where the page starts: the mark of the previous page's last row
}

// QueueRow is one application of the queue, with its deadline counted
// from today.
type QueueRow struct {
	*permit.QueueItem
	DaysLeft int // civil days in Paris to the deadline; negative when overdue
}

// Overdue reports whether the row's deadline has passed.
func (r QueueRow) Overdue() bool { return r.Deadline != nil && r.DaysLeft < 0 }

// StateCount is how many queued applications are in one state.
type StateCount struct {
	State permit.State
	Count int
}

// QueuePage is one page of the work queue.
type QueuePage struct {
	Rows        []QueueRow
	Counts      []StateCount         // every queue state, for the same prefectures, whatever the other filters
	Prefectures []*permit.Prefecture // those the account may choose among
	Next        string               // the After of the next page, empty on the last
}

// Queue returns a page of the work queue of the account's prefectures:
// filed, open applications, the most urgent first (overdue, then the
// soonest deadline, then the oldest filing). An agent sees the
// prefectures they work for, and may choose one; an admin sees all. A
// prefecture the account does not work for is "not found"; an applicant
// gets nothing.
func (s *WorkQueue) Queue(ctx context.Context, acc *permit.Account, form QueueForm) (*QueuePage, error) {
	qs, f, prefs, err := s.queueFilter(ctx, acc, form)
	if err != nil {
		return nil, err
	}
	page := &QueuePage{Prefectures: prefs}
	counts := map[permit.State]int{}
	if f.Prefectures != nil || acc.Admin() {
		if counts, err = qs.QueueCounts(ctx, f.Prefectures); err != nil {
			return nil, err
		}
		f.Limit = QueuePageSize + 1
		items, err := qs.Queue(ctx, f)
		if err != nil {
			return nil, err
		}
		if len(items) > QueuePageSize {
			items = items[:QueuePageSize]
			page.Next = formatMark(items[len(items)-1].Mark)
		}
		now := s.Clock.Now()
		for _, it := range items {
			page.Rows = append(page.Rows, s.queueRow(it, now))
		}
	}
	for _, st := range permit.QueueStates {
		page.Counts = append(page.Counts, StateCount{State: st, Count: counts[st]})
	}
	return page, nil
}

// ExportQueue calls fn with every row of the filtered queue, in the
// queue's order and from its start (form.After is ignored), for the CSV
// export. The same rules decide who sees what as for Queue.
func (s *WorkQueue) ExportQueue(ctx context.Context, acc *permit.Account, form QueueForm, fn func(QueueRow) error) error {
	form.After = ""
	qs, f, _, err := s.queueFilter(ctx, acc, form)
	if err != nil {
		return err
	}
	if f.Prefectures == nil && !acc.Admin() {
		return nil
	}
	// An export takes personal data out of the portal: the trail keeps who
	// took which prefecture's list, with which filter, before any row goes.
	detail := strings.Join(append([]string{form.Ground, form.Kind, form.From, form.To}, form.States...), " ")
	actx := ctx
	for _, id := range f.Prefectures {
		actx = audit.With(actx, audit.Entry{ActorAccountID: acc.ID, Action: ActionQueueExport, PrefectureID: id, Detail: strings.TrimSpace(detail)})
	}
	if f.Prefectures == nil { // an admin's export of every prefecture
		actx = audit.With(actx, audit.Entry{ActorAccountID: acc.ID, Action: ActionQueueExport, Detail: strings.TrimSpace(detail)})
	}
	if err := s.People.RecordAudit(actx); err != nil {
		return err
	}
	now := s.Clock.Now()
	return qs.QueueEach(ctx, f, func(it *permit.QueueItem) error { return fn(s.queueRow(it, now)) })
}

func (s *WorkQueue) queueRow(it *permit.QueueItem, now time.Time) QueueRow {
	r := QueueRow{QueueItem: it}
	if it.Deadline != nil {
		r.DaysLeft = it.Deadline.DaysLeft(now)
	}
	return r
}

// queueFilter checks who asks and what, and returns the store's filter.
// Its Prefectures is nil only for an admin who chose none (every
// prefecture) or an agent who works for none (nothing to see).
func (s *WorkQueue) queueFilter(ctx context.Context, acc *permit.Account, form QueueForm) (QueueStore, permit.QueueFilter, []*permit.Prefecture, error) {
	var f permit.QueueFilter
	if !acc.Staff() {
		return nil, f, nil, errNotFound
	}
	qs := s.Store
	all, err := s.People.Prefectures(ctx)
	if err != nil {
		return nil, f, nil, err
	}
	var mine []*permit.Prefecture
	for _, p := range all {
		if acc.WorksFor(p.ID) {
			mine = append(mine, p)
		}
	}
	errs := map[string]string{}
	if form.Prefecture != "" {
		id, err := strconv.ParseInt(form.Prefecture, 10, 64)
		if err != nil {
			errs["prefecture"] = "queue.error.prefecture"
		} else if !hasPrefecture(mine, id) {
			return nil, f, nil, errNotFound
		} else {
			f.Prefectures = []int64{id}
		}
	} else if !acc.Admin() {
		for _, p := range mine {
			f.Prefectures = append(f.Prefectures, p.ID)
		}
	}
	for _, st := range form.States {
		if !slices.Contains(permit.QueueStates, permit.State(st)) {
			errs["state"] = "queue.error.state"
			continue
		}
		f.States = append(f.States, permit.State(st))
	}
	if form.Ground != "" {
		if _, ok := s.Rules.Ground(permit.GroundID(form.Ground)); !ok {
			errs["ground"] = "queue.error.ground"
		}
		f.Ground = permit.GroundID(form.Ground)
	}
	if form.Kind != "" {
		if !permit.Kind(form.Kind).Valid() {
			errs["kind"] = "queue.error.kind"
		}
		f.Kind = permit.Kind(form.Kind)
	}
	var fromOK, toOK bool
	if f.FiledFrom, fromOK = parisMidnight(form.From, 0); !fromOK {
		errs["from"] = "queue.error.date"
	}
	if f.FiledBefore, toOK = parisMidnight(form.To, 1); !toOK {
		errs["to"] = "queue.error.date"
	}
	if fromOK && toOK && !f.FiledFrom.IsZero() && !f.FiledBefore.IsZero() && !f.FiledFrom.Before(f.FiledBefore) {
		errs["to"] = "queue.error.range"
	}
	if form.After != "" {
		m, ok := parseMark(form.After)
		if !ok {
			errs["page"] = "queue.error.page"
		}
		f.After = m
	}
	if err := permit.Invalid(errs); err != nil {
		return nil, f, mine, err
	}
	return qs, f, mine, nil
}

func hasPrefecture(ps []*permit.Prefecture, id int64) bool {
	for _, p := range ps {
		if p.ID == id {
			return true
		}
	}
	return false
}

// parisMidnight returns the instant a civil day (YYYY-MM-DD, or
// DD/MM/YYYY as typed) starts in Paris, plus days; the zero time for an
// empty string.
func parisMidnight(s string, days int) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, true
	}
	d, err := time.ParseInLocation(time.DateOnly, s, permit.Paris)
	if err != nil {
		// A browser without a date picker sends what was typed.
		d, err = time.ParseInLocation("02/01/2006", s, permit.Paris)
	}
	if err != nil || d.Year() < 2000 || d.Year() > 2100 {
		return time.Time{}, false
	}
	return d.AddDate(0, 0, days).UTC(), true
}

// formatMark writes a row's place in the queue for a link: its deadline
// day, its filing instant (Unix nanoseconds) and its id.
func formatMark(m permit.QueueMark) string {
	return fmt.Sprintf("%s.%d.%d", m.DueOn.Format("20060102"), m.FiledAt.UnixNano(), m.ID)
}

func parseMark(s string) (*permit.QueueMark, bool) {
	parts := strings.Split(s, ".")
	if len(parts) != 3 {
		return nil, false
	}
	due, err1 := time.Parse("20060102", parts[0])
	filed, err2 := strconv.ParseInt(parts[1], 10, 64)
	id, err3 := strconv.ParseInt(parts[2], 10, 64)
	if err1 != nil || err2 != nil || err3 != nil || id <= 0 {
		return nil, false
	}
	return &permit.QueueMark{DueOn: due, FiledAt: time.Unix(0, filed).UTC(), ID: id}, true
}

// Prefectures lists every prefecture, to name them in the back office's
// pages and exports.
func (s *WorkQueue) Prefectures(ctx context.Context) ([]*permit.Prefecture, error) {
	return s.People.Prefectures(ctx)
}
