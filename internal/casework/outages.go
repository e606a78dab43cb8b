package casework

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/sejour/sejour/internal/audit"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/rules"
)

// What an administrator's steps on outages are recorded as in the audit
// trail.
const (
	ActionOutageDeclare = "outage_declare"
	ActionOutageCorrect = "outage_correct"
	ActionOutageCancel  = "outage_cancel"
)

// OutageCalendar reads the outages that relieve deadlines (the renewal
// window's relief, rules.OutageRules.Relieve).
type OutageCalendar interface {
	// OutagesCovering returns the outages that relieve deadlines and were
	// going on at some time between from and to; cancelled ones left out.
	OutagesCovering(ctx context.Context, from, to time.Time) ([]*permit.Outage, error)
}

// OutageStore is the outages' room.
type OutageStore interface {
	OutageCalendar
	// RecordDetected records an outage a health check observed, once
	// whoever reports it and however often (see store.Outages).
	RecordDetected(ctx context.Context, check string, fns []permit.Function, start time.Time, end *time.Time) (*permit.Outage, bool, error)
	// DeclareOutage stores a declared outage with its first step.
	DeclareOutage(ctx context.Context, o *permit.Outage, ev *permit.OutageEvent) error
	// CorrectOutage saves a change; ECONFLICT on a stale copy.
	CorrectOutage(ctx context.Context, o *permit.Outage, ev *permit.OutageEvent) error
	// Outage returns one outage, or ENOTFOUND.
	Outage(ctx context.Context, id int64) (*permit.Outage, error)
	// OutageEvents returns an outage's trail, oldest first.
	OutageEvents(ctx context.Context, id int64) ([]*permit.OutageEvent, error)
	// OutagesSince returns the outages going on at since or begun after.
	OutagesSince(ctx context.Context, since time.Time, limit int) ([]*permit.Outage, error)
	// AllOutages returns the latest outages, cancelled ones included.
	AllOutages(ctx context.Context, limit int) ([]*permit.Outage, error)
}

// LiveCheck is a health check's state now, as the health monitor sees it.
type LiveCheck struct {
	Check string // "database", "writes", "blobs", "mail"
	OK    bool
	Since time.Time // when it last changed
	Err   string
}

// Outages are the portal's outages: recorded by the portal when a health
// check fails long enough (Observe), declared and corrected by
// administrators, and the public status (Status), which still answers when
// the database does not.
type Outages struct {
	*core
	Store OutageStore
	// Live, when set, returns the health monitor's checks now: the status
	// page shows them even when no outage could be recorded.
	Live func() []LiveCheck

	mu         sync.Mutex
	failing    map[string]time.Time // checks seen failing, since when, until their end is recorded
	known      []*permit.Outage     // the outages last read from the database
	knownAt    time.Time            // when (zero: never)
	writes     int                  // outages written by this instance
	readWrites int                  // how many of them the last read saw
	readFailed bool                 // the last read of the database failed
	everRead   bool                 // the database was read once
	refreshing bool
}

func newOutages(c *core, st OutageStore) *Outages {
	return &Outages{core: c, Store: st, failing: map[string]time.Time{}}
}

// statusTTL is how long the status read from the database is served
// before it is read again; statusRead bounds that read, so that a frozen
// database does not hold the status page.
const (
	statusTTL  = 30 * time.Second
	statusRead = 2 * time.Second
	outageList = 500 // outages read at most for the status page
)

// Observe records what a health check observed: failing (ok false) since
// since, or working again since since. A failure that has lasted the
// catalogue's outages.detect_after_minutes opens an outage dated from its
// start; the check's recovery closes it, dated at the recovery. It may be
// called repeatedly, by several instances, and after the database
// returns: the failure's start is kept in memory until its outage is
// recorded, and the store recognises an outage already recorded. An error
// (the database still down) changes nothing that a later call cannot do.
func (o *Outages) Observe(ctx context.Context, check string, ok bool, since time.Time) error {
	fns := permit.OutageFunctionsOf(check)
	if fns == nil {
		return permit.Errorf(permit.EINVALID, "error.form")
	}
	after := o.Rules.Outages.DetectAfter()
	o.mu.Lock()
	start, had := o.failing[check]
	if !ok {
		if !had || since.Before(start) {
			start = since
			o.failing[check] = since
		}
		o.mu.Unlock()
		if o.Clock.Now().Sub(start) < after {
			return nil
		}
		_, wrote, err := o.Store.RecordDetected(ctx, check, fns, start, nil)
		o.changed(wrote)
		return err
	}
	o.mu.Unlock()
	if !had {
		o.Status(ctx) // an outage another instance, or this one before a restart, left open is closed too
	}
	o.mu.Lock()
	openKnown := o.openIn(o.known, check)
	o.mu.Unlock()
	if !had && !openKnown {
		return nil
	}
	from := start
	if !had || since.Sub(start) < after {
		from = time.Time{} // too short to be an outage: only close one another instance opened
	}
	end := since
	_, wrote, err := o.Store.RecordDetected(ctx, check, fns, from, &end)
	if err != nil {
		return err
	}
	o.mu.Lock()
	if cur, still := o.failing[check]; still && cur.Equal(start) {
		delete(o.failing, check)
	}
	o.mu.Unlock()
	o.changed(wrote || openKnown)
	return nil
}

// openIn reports whether outages hold an open detected outage of check.
func (o *Outages) openIn(outages []*permit.Outage, check string) bool {
	for _, x := range outages {
		if x.Kind == permit.OutageDetected && x.Check == check && x.EndedAt == nil {
			return true
		}
	}
	return false
}

// changed makes the next status read the database again.
func (o *Outages) changed(wrote bool) {
	if wrote {
		o.mu.Lock()
		o.writes++
		o.mu.Unlock()
	}
}

// FunctionState is one function's state now on the status page.
type FunctionState struct {
	Function permit.Function
	State    string     // "ok", "down" or "maintenance"
	Since    *time.Time // when it stopped, if it did
}

// The states of a function.
const (
	StateOK          = "ok"
	StateDown        = "down"
	StateMaintenance = "maintenance"
)

// Status is the public status of the portal: each function now, the
// outages going on, planned and past (over the catalogue's history_days).
type Status struct {
	Now       time.Time
	Functions []FunctionState
	Current   []*permit.Outage // going on now
	Upcoming  []*permit.Outage // planned, not begun
	Past      []*permit.Outage // ended within the history
	// Stale says the database could not be read: the outages are those
	// last read (at ReadAt; zero if never), and the functions' state comes
	// from the health checks seen by this instance.
	Stale  bool
	ReadAt time.Time
	Days   int // the history's length
}

// Down reports whether some function is down or in maintenance now.
func (s *Status) Down() bool {
	for _, f := range s.Functions {
		if f.State != StateOK {
			return true
		}
	}
	return false
}

// Status returns the public status. It reads the database at most every
// statusTTL, one reader at a time and for statusRead at most; otherwise,
// and whenever the database fails, it answers from what it last read and
// from the health checks, so that it answers when nothing else does.
func (o *Outages) Status(ctx context.Context) *Status {
	now := o.Clock.Now()
	o.mu.Lock()
	read := (o.readWrites != o.writes || !o.everRead || now.Sub(o.knownAt) >= statusTTL) && !o.refreshing
	writes := o.writes
	if read {
		o.refreshing = true
	}
	o.mu.Unlock()
	if read {
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), statusRead)
		list, err := o.Store.OutagesSince(rctx, now.AddDate(0, 0, -o.history()), outageList)
		cancel()
		o.mu.Lock()
		o.refreshing, o.readFailed = false, err != nil
		if err == nil {
			o.known, o.knownAt, o.everRead, o.readWrites = list, now, true, writes
		} else if o.Logger != nil {
			o.Logger.Warn("status: outages not read; serving the last known", "err", err)
		}
		o.mu.Unlock()
	}
	o.mu.Lock()
	// Stale: the database failed its last read, or was never read; a read
	// under way for another request leaves the last one, at most
	// statusTTL old, standing.
	known, readAt, stale := o.known, o.knownAt, o.readFailed || !o.everRead
	failing := make(map[string]time.Time, len(o.failing))
	for k, v := range o.failing {
		failing[k] = v
	}
	o.mu.Unlock()
	if o.Live != nil {
		for _, c := range o.Live() {
			if !c.OK {
				if f, had := failing[c.Check]; !had || c.Since.Before(f) {
					failing[c.Check] = c.Since
				}
			} else if f, had := failing[c.Check]; had && !c.Since.Before(f) {
				delete(failing, c.Check) // recovered since; only its record is pending
			}
		}
	}
	return o.assemble(now, known, readAt, stale, failing)
}

func (o *Outages) history() int {
	if d := o.Rules.Outages.HistoryDays; d > 0 {
		return d
	}
	return 90
}

// assemble sorts outages into the status, and sets each function's
// state from the outages going on and the failing checks.
func (o *Outages) assemble(now time.Time, known []*permit.Outage, readAt time.Time, stale bool, failing map[string]time.Time) *Status {
	st := &Status{Now: now, Stale: stale, ReadAt: readAt, Days: o.history()}
	since := map[permit.Function]*time.Time{}
	state := map[permit.Function]string{}
	mark := func(f permit.Function, s string, at time.Time) {
		cur, ok := state[f]
		switch {
		case ok && cur == StateDown && s != StateDown:
			return // down outranks maintenance
		case ok && cur == s && !at.Before(*since[f]):
			return // the earliest start stays
		}
		state[f], since[f] = s, &at
	}
	for _, x := range known {
		switch {
		case x.Ongoing(now):
			st.Current = append(st.Current, x)
			s := StateDown
			if x.Kind == permit.OutagePlanned {
				s = StateMaintenance
			}
			for _, f := range x.Functions {
				mark(f, s, x.StartedAt)
			}
		case x.Upcoming(now):
			st.Upcoming = append(st.Upcoming, x)
		default:
			st.Past = append(st.Past, x)
		}
	}
	for check, at := range failing {
		for _, f := range permit.OutageFunctionsOf(check) {
			mark(f, StateDown, at)
		}
	}
	for _, f := range permit.Functions {
		fs := FunctionState{Function: f, State: StateOK}
		if s, ok := state[f]; ok {
			fs.State, fs.Since = s, since[f]
		}
		st.Functions = append(st.Functions, fs)
	}
	return st
}

// OutageForm is an administrator's declaration or correction of an
// outage, as typed: dates and times in Paris ("2006-01-02T15:04").
type OutageForm struct {
	Kind          string
	Functions     []string
	Start, End    string
	DescriptionFR string
	DescriptionEN string
	Relieves      bool
	Cancel        bool // withdraw a declaration made by mistake
	Reason        string
	Version       int // the version corrected
}

// outageTime is how the form's dates and times are written.
const outageTime = "2006-01-02T15:04"

// maxOutageText bounds the descriptions and the reason.
const maxOutageText = 2000

// FormatOutageTime writes t as the form's fields show it, in Paris.
func FormatOutageTime(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.In(permit.Paris).Format(outageTime)
}

// apply validates the form onto o: per-field translation keys.
func (f *OutageForm) apply(o *permit.Outage) error {
	errs := map[string]string{}
	kind := permit.OutageKind(f.Kind)
	switch {
	case o.Kind == permit.OutageDetected && (kind == "" || kind == permit.OutageDetected):
		// a detected outage keeps its kind
	case kind == permit.OutageDeclared || kind == permit.OutagePlanned:
		o.Kind = kind
	default:
		errs["kind"] = "status.admin.error.kind"
	}
	o.Functions = nil
	for _, s := range f.Functions {
		fn := permit.Function(s)
		known := false
		for _, k := range permit.Functions {
			known = known || k == fn
		}
		if !known {
			errs["functions"] = "status.admin.error.functions"
		} else if !o.Affects(fn) {
			o.Functions = append(o.Functions, fn)
		}
	}
	if len(o.Functions) == 0 {
		errs["functions"] = "status.admin.error.functions"
	}
	start, err := time.ParseInLocation(outageTime, strings.TrimSpace(f.Start), permit.Paris)
	if err != nil {
		errs["start"] = "status.admin.error.start"
	} else {
		o.StartedAt = start.UTC()
	}
	o.EndedAt = nil
	if s := strings.TrimSpace(f.End); s != "" {
		end, err := time.ParseInLocation(outageTime, s, permit.Paris)
		switch {
		case err != nil:
			errs["end"] = "status.admin.error.end"
		case errs["start"] == "" && end.Before(start):
			errs["end"] = "status.admin.error.end_before"
		default:
			e := end.UTC()
			o.EndedAt = &e
		}
	}
	fr, en := strings.TrimSpace(f.DescriptionFR), strings.TrimSpace(f.DescriptionEN)
	if o.Kind != permit.OutageDetected {
		if fr == "" {
			errs["description_fr"] = "status.admin.error.description"
		}
		if en == "" {
			errs["description_en"] = "status.admin.error.description"
		}
	}
	if len(fr) > maxOutageText {
		errs["description_fr"] = "status.admin.error.too_long"
	}
	if len(en) > maxOutageText {
		errs["description_en"] = "status.admin.error.too_long"
	}
	o.Description = map[string]string{}
	if fr != "" {
		o.Description["fr"] = fr
	}
	if en != "" {
		o.Description["en"] = en
	}
	o.Relieves = f.Relieves
	f.Reason = strings.TrimSpace(f.Reason)
	switch {
	case f.Reason == "":
		errs["reason"] = "status.admin.error.reason"
	case len(f.Reason) > maxOutageText:
		errs["reason"] = "status.admin.error.too_long"
	}
	return permit.Invalid(errs)
}

// admin lets only administrators through; anyone else finds nothing.
func outageAdmin(acc *permit.Account) error {
	if !acc.Admin() {
		return permit.Errorf(permit.ENOTFOUND, "error.not_found")
	}
	return nil
}

// Declare records an outage or planned maintenance an administrator
// declares, with the reason, in the outage's trail and the audit trail.
func (o *Outages) Declare(ctx context.Context, acc *permit.Account, f OutageForm) (*permit.Outage, error) {
	if err := outageAdmin(acc); err != nil {
		return nil, err
	}
	out := &permit.Outage{DeclaredBy: acc.ID}
	if err := f.apply(out); err != nil {
		return nil, err
	}
	ctx = audit.With(ctx, audit.Entry{ActorAccountID: acc.ID, Action: ActionOutageDeclare, Detail: f.Reason})
	if err := o.Store.DeclareOutage(ctx, out, &permit.OutageEvent{ActorID: acc.ID, Reason: f.Reason}); err != nil {
		return nil, err
	}
	o.changed(true)
	return out, nil
}

// Correct changes an outage (its period, functions, description, effect
// on deadlines; or withdraws it when f.Cancel), with the reason, in the
// outage's trail and the audit trail. A change made on a stale copy is
// refused (ECONFLICT).
func (o *Outages) Correct(ctx context.Context, acc *permit.Account, id int64, f OutageForm) (*permit.Outage, error) {
	if err := outageAdmin(acc); err != nil {
		return nil, err
	}
	out, err := o.Store.Outage(ctx, id)
	if err != nil {
		return nil, err
	}
	if f.Version != out.Version {
		return nil, permit.Errorf(permit.ECONFLICT, "error.conflict")
	}
	action, step := ActionOutageCorrect, permit.OutageCorrect
	if f.Cancel {
		action, step = ActionOutageCancel, permit.OutageCancel
		out.Cancelled = true
		if f.Reason = strings.TrimSpace(f.Reason); f.Reason == "" {
			return nil, permit.Invalid(map[string]string{"reason": "status.admin.error.reason"})
		}
	} else if err := f.apply(out); err != nil {
		return nil, err
	}
	ctx = audit.With(ctx, audit.Entry{ActorAccountID: acc.ID, Action: action, Detail: f.Reason})
	if err := o.Store.CorrectOutage(ctx, out, &permit.OutageEvent{Action: step, ActorID: acc.ID, Reason: f.Reason}); err != nil {
		return nil, err
	}
	o.changed(true)
	return out, nil
}

// List returns the latest outages for an administrator, cancelled ones
// included.
func (o *Outages) List(ctx context.Context, acc *permit.Account) ([]*permit.Outage, error) {
	if err := outageAdmin(acc); err != nil {
		return nil, err
	}
	return o.Store.AllOutages(ctx, 200)
}

// Get returns an outage and its trail, for an administrator.
func (o *Outages) Get(ctx context.Context, acc *permit.Account, id int64) (*permit.Outage, []*permit.OutageEvent, error) {
	if err := outageAdmin(acc); err != nil {
		return nil, nil, err
	}
	out, err := o.Store.Outage(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	evs, err := o.Store.OutageEvents(ctx, id)
	return out, evs, err
}

// window places a renewal's filing (made at filed, or to be made then)
// against the window of a permit expiring on expiry, relieved by the
// outages that stopped filing on the window's last day.
func (s *core) window(ctx context.Context, expiry, filed time.Time) (rules.Window, error) {
	w := s.Rules.RenewalWindow.Assess(expiry, filed.In(permit.Paris))
	if w.Status != rules.WindowLate || s.Calendar == nil {
		return w, nil
	}
	from := time.Date(w.Closes.Year(), w.Closes.Month(), w.Closes.Day(), 0, 0, 0, 0, permit.Paris)
	cover, err := s.Calendar.OutagesCovering(ctx, from, from.AddDate(0, 0, 1))
	if err != nil {
		return w, err
	}
	return s.Rules.Outages.Relieve(w, filed, cover), nil
}
