package simulate

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	mrand "math/rand/v2"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/riverqueue/river/rivertype"

	"github.com/sejour/sejour/internal/app"
	"github.com/sejour/sejour/internal/casework"
	"github.com/sejour/sejour/internal/clock"
	"github.com/sejour/sejour/internal/config"
	"github.com/sejour/sejour/internal/password"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/rules"
	"github.com/sejour/sejour/internal/store"
)

// sweepAttempts is how many times a failed daily sweep runs in one
// simulated day: River retries a failed job after about attempt⁴
// seconds, so a dozen attempts fit in a day.
const sweepAttempts = 10

// sim is one running simulation.
type sim struct {
	opts  Options
	main  *app.Main
	files *casework.UseCases
	db    *store.DB
	rules *rules.Catalogue
	clock *clock.Fixed
	days  calendar
	iss   *issuer
	staff *permit.Account
	// supervisor undoes decisions; moverHash is the password hash of
	// the holders who move (a move asks for the password again).
	supervisor *permit.Account
	moverHash  string
	scan       []byte
	people     []*person
	began      time.Time // in real time

	faults                                       *faults
	counterFilings, moves, undos                 int
	outageGapDays                                int
	eng                                          *engineProc // the engine's process, with KillRate
	control                                      string      // its control file
	killRng                                      *mrand.Rand
	completionRequests, corrections              int
	sweeps, retries, unfinished                  int
	owedDays, gapDays, requestFaults             int
	receiptsMissing                              int
	proofsChecked, proofsBad                     int
	rotations, outageDays                        int
	kids                                         map[string]bool
	firstGap, firstBadProof, firstMissingReceipt *Finding
}

// Run simulates opts.Days days of opts.Persons permit holders on the real
// engine and returns what it measured. An error means the simulation
// itself could not run (a use case refused a step it should accept, the
// database failed); a broken invariant is reported in the Summary.
func Run(ctx context.Context, opts Options) (*Summary, error) {
	if err := opts.check(); err != nil {
		return nil, err
	}
	began := clock.System{}.Now()
	days := newCalendar(opts.Start)
	clk := clock.NewFixed(days.at(0, morning-1))
	m, env, closeEngine, err := openEngine(ctx, opts, clk)
	if err != nil {
		return nil, err
	}
	defer closeEngine()
	s := &sim{opts: opts, main: m, files: m.UseCases, db: m.DB, rules: m.Rules, clock: clk, days: days, scan: scanImage(), began: began}
	if opts.KillRate > 0 {
		if s.eng, s.control, err = newEngineProc(opts, env, m.Config.DataDir, m.Queue); err != nil {
			return nil, err
		}
		s.killRng = mrand.New(mrand.NewPCG(opts.Seed, 0x6b696c6c))
	}
	s.iss = newIssuer(m.UseCases.Attestations.Store, clk, days, opts.Seed, opts.CrashRate)
	s.iss.noSweep = opts.NoSweep
	m.UseCases.Attestations.Store = s.iss
	s.faults = &faults{seed: opts.Seed, rate: opts.FaultRate, tries: map[string]int{}}
	m.UseCases.Applications.Store = faultyFilings{m.UseCases.Applications.Store, s.faults}
	m.UseCases.Decisions.Store = faultyDecisions{m.UseCases.Decisions.Store, s.faults}
	s.kids = map[string]bool{}
	if err := s.setUp(ctx); err != nil {
		return nil, err
	}
	if err := s.runDays(ctx); err != nil {
		return nil, err
	}
	sum, err := s.audit(ctx)
	if err != nil {
		return nil, err
	}
	sum.RunSeconds = float64(clock.System{}.Now().Sub(began).Milliseconds()/10) / 100
	return sum, nil
}

func (o *Options) check() error {
	switch {
	case o.Persons < 1 || o.Persons > 1_000_000:
		return errors.New("simulate: persons must be between 1 and 1,000,000")
	case o.Days < 1 || o.Days > 3650:
		return errors.New("simulate: days must be between 1 and 3650")
	case o.CrashRate < 0 || o.CrashRate >= 1:
		return errors.New("simulate: the crash rate must be at least 0 and less than 1")
	case o.FaultRate < 0 || o.FaultRate >= 1:
		return errors.New("simulate: the fault rate must be at least 0 and less than 1")
	case o.OutageDays < 0 || o.OutageDays > o.Days/2:
		return errors.New("simulate: outage days must be between 0 and half the days")
	case o.Rotations < 0 || o.Rotations > o.Days:
		return errors.New("simulate: rotations must be between 0 and the number of days")
	case o.CorrectionRate < 0 || o.CorrectionRate > 1:
		return errors.New("simulate: the correction rate must be between 0 and 1")
	case o.CounterRate < 0 || o.CounterRate > 1 || o.MoveRate < 0 || o.MoveRate > 1 || o.UndoRate < 0 || o.UndoRate > 1:
		return errors.New("simulate: the counter, move and undo rates must be between 0 and 1")
	case o.KillRate < 0 || o.KillRate > 50:
		return errors.New("simulate: the kill rate must be between 0 and 50 a day")
	case o.KillRate > 0 && len(o.Engine) == 0:
		return errors.New("simulate: a kill rate needs the engine's command (Options.Engine)")
	case o.BreakIssuingOn < 0 || o.BreakIssuingOn >= o.Days:
		return errors.New("simulate: the broken day must be one of the simulated days")
	case o.Database != "sqlite" && !strings.HasPrefix(o.Database, "postgres://") && !strings.HasPrefix(o.Database, "postgresql://"):
		return errors.New(`simulate: the database must be "sqlite" or a postgres:// URL`)
	}
	if o.Start.IsZero() {
		o.Start = DefaultStart
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return nil
}

// runDays lives the simulated days with the job queue running, and stops
// it before the audit.
func (s *sim) runDays(ctx context.Context) error {
	if s.eng != nil {
		return s.runDaysKilled(ctx)
	}
	queueCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	defer cancel()
	if err := s.main.Queue.Start(queueCtx); err != nil {
		return fmt.Errorf("simulate: start the job queue: %w", err)
	}
	err := s.everyDay(ctx)
	stopCtx, cancelStop := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancelStop()
	return errors.Join(err, s.main.Queue.Stop(stopCtx))
}

// runDaysKilled lives the simulated days with the job queue in the
// engine's process, which is killed and started again along the way;
// once it has stopped, the simulation reads what it did last.
func (s *sim) runDaysKilled(ctx context.Context) error {
	if err := s.setClock(s.days.at(0, morning-1), 0); err != nil {
		return err
	}
	if err := s.eng.start(); err != nil {
		return err
	}
	err := s.everyDay(ctx)
	stopCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
	defer cancel()
	err = errors.Join(err, s.eng.stop(stopCtx))
	if err == nil {
		err = s.observe(ctx, s.opts.Days-1)
	}
	return err
}

// setClock moves the simulated clock to t, on day d: the engine's too,
// with the day's outage and broken build, when it runs apart.
func (s *sim) setClock(t time.Time, d int) error {
	s.clock.Set(t)
	down, broken := s.outage(d), s.opts.BreakIssuingOn > 0 && d == s.opts.BreakIssuingOn
	s.iss.setDay(down, broken)
	if s.eng == nil {
		return nil
	}
	return writeControl(s.control, control{Now: t, Down: down, Broken: broken})
}

// observe reads, in a run with kills, what the engine issued and signed
// for every filed application by the end of day d.
func (s *sim) observe(ctx context.Context, d int) error {
	if s.eng == nil {
		return nil
	}
	for _, p := range s.people {
		if p.app == 0 || p.filed == notFiled {
			continue
		}
		atts, err := s.db.Attestations(ctx, p.app)
		if err != nil {
			return err
		}
		s.iss.observe(atts, d)
	}
	return nil
}

// night has the engine process sweep, with the night's kills, in a run
// with kills.
func (s *sim) night(ctx context.Context, d int, plan killPlan) error {
	if s.outage(d) {
		for range plan.night {
			if err := s.eng.kill(ctx); err != nil {
				return err
			}
		}
		return nil
	}
	s.sweeps++
	retries, unfinished, err := s.eng.night(ctx, s.clock.Now(), plan.night)
	if err != nil {
		return fmt.Errorf("simulate: night of %s: %w", s.days.date(d), err)
	}
	s.retries += retries
	if unfinished {
		s.unfinished++
	}
	return nil
}

// everyDay sets the clock to each day's morning, applies everyone's
// events, then to its night, issues, and checks the invariant.
func (s *sim) everyDay(ctx context.Context) error {
	for d := range s.opts.Days {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := s.setClock(s.days.at(d, morning), d); err != nil {
			return err
		}
		if err := s.rotate(ctx, d); err != nil {
			return err
		}
		var kills killPlan
		if s.eng != nil {
			kills = planKills(s.killRng, s.opts.KillRate, len(s.people))
		}
		for i, p := range s.people {
			for range kills.morning[i] {
				if err := s.eng.kill(ctx); err != nil {
					return err
				}
			}
			if err := s.live(ctx, p, d); err != nil {
				return err
			}
		}
		if err := s.setClock(s.days.at(d, night), d); err != nil {
			return err
		}
		if s.outage(d) {
			s.outageDays++
		}
		switch {
		case s.eng != nil:
			if err := s.night(ctx, d, kills); err != nil {
				return err
			}
			if err := s.observe(ctx, d); err != nil {
				return err
			}
		case !s.outage(d):
			if err := s.settle(ctx); err != nil {
				return fmt.Errorf("simulate: the queue of %s: %w", s.days.date(d), err)
			}
			if err := s.sweep(ctx); err != nil {
				return fmt.Errorf("simulate: sweep of %s: %w", s.days.date(d), err)
			}
		}
		s.check(d)
		if err := s.checkProofs(ctx, d); err != nil {
			return err
		}
		if s.opts.Progress != nil && (d%10 == 9 || d == s.opts.Days-1) {
			fmt.Fprintf(s.opts.Progress, "day %d/%d (%s): %d attestations, %d owed days, %d gap days, %d crashes, %d kills, %.0f s\n",
				d+1, s.opts.Days, s.days.date(d), s.iss.count(), s.owedDays, s.gapDays, s.iss.crashCount(), s.kills(), clock.System{}.Now().Sub(s.began).Seconds())
		}
	}
	return nil
}

// outage reports whether day d falls in the outage: OutageDays whole days
// from a third of the run, when the worker is down. Nothing is issued,
// neither by the queue nor at once by a request, and the daily sweep
// does not run; the next day, the sweep catches up.
func (s *sim) outage(d int) bool {
	first := s.opts.Days / 3
	return s.opts.OutageDays > 0 && d >= first && d < first+s.opts.OutageDays
}

// sweep runs the daily sweep, again after a crash, as River would retry it.
func (s *sim) sweep(ctx context.Context) error {
	s.sweeps++
	for attempt := 1; ; attempt++ {
		_, err := s.files.Attestations.SweepAttestations(ctx)
		switch {
		case err == nil:
			return nil
		case !errors.Is(err, errCrash):
			return err
		case attempt == sweepAttempts:
			s.unfinished++
			return nil
		}
		s.retries++
	}
}

// check counts day d for every complete, in-time renewal that is owed
// proof of legal stay on it, and the days it had none.
func (s *sim) check(d int) {
	for _, p := range s.people {
		if !s.outage(d) { // nothing can be issued that day; the sweep after must catch up
			s.checkReceipt(p, d)
		}
		if !p.inTime || d <= p.lastDay || !owesProof(p.state) {
			continue
		}
		s.owedDays++
		if s.iss.covered(p.app, d) {
			continue
		}
		if s.outage(d) && !owesProof(p.stateOn(s.opts.Days/3-1)) {
			// The application became complete during the outage (its
			// filing, or documents that came in): no attestation could
			// be issued since, nor ahead, as a permit's end allows.
			// Counted apart, as receipts are not checked then.
			s.outageGapDays++
			continue
		}
		s.gapDays++
		if s.firstGap == nil {
			s.firstGap = &Finding{Person: p.n, Application: p.app, Day: s.days.date(d),
				Detail: fmt.Sprintf("%s, permit ended %s: no extension or favourable-decision attestation valid and available that day", p.state, s.days.date(p.lastDay))}
		}
	}
}

// owesProof reports whether a complete, in-time renewal in state st is
// owed an extension or favourable-decision attestation: permit.OwesProof,
// the one rule the public statistics count gaps with too.
func owesProof(st permit.State) bool { return permit.OwesProof(st) }

// setUp creates the prefectures, the agent who works for all of them,
// and the population.
func (s *sim) setUp(ctx context.Context) error {
	var ids []int64
	for _, pr := range prefectures {
		p := &permit.Prefecture{Code: pr.code, Name: pr.name, Departments: []string{pr.code}}
		if err := s.db.Files().CreatePrefecture(ctx, p); err != nil {
			return err
		}
		ids = append(ids, p.ID)
	}
	now := s.clock.Now()
	s.staff = &permit.Account{Email: "agent@simulation.sejour.localhost", Role: permit.RoleAgent, Lang: "fr", ConfirmedAt: &now, Prefectures: ids}
	if err := s.db.Accounts().CreateAccount(ctx, s.staff, "!", nil, nil); err != nil {
		return err
	}
	s.supervisor = &permit.Account{Email: "superviseur@simulation.sejour.localhost", Role: permit.RoleAgent, Supervisor: true, Lang: "fr", ConfirmedAt: &now, Prefectures: ids}
	if err := s.db.Accounts().CreateAccount(ctx, s.supervisor, "!", nil, nil); err != nil {
		return err
	}
	if s.opts.MoveRate > 0 {
		var err error
		if s.moverHash, err = password.Hash(moverPassword, cheapHash); err != nil {
			return err
		}
	}
	s.people = make([]*person, s.opts.Persons)
	for n := range s.people {
		p := newPerson(n, mrand.New(mrand.NewPCG(s.opts.Seed, uint64(n)+1)), &s.opts, s.rules)
		p.planMore(mrand.New(mrand.NewPCG(s.opts.Seed^0x6d6f7265, uint64(n)+1)), &s.opts)
		s.people[n] = p
	}
	return nil
}

// openEngine assembles sejour as `sejour serve` does, on a temporary
// directory and a fresh database: an SQLite file in the directory, or a
// new schema on the PostgreSQL server. The function it returns removes
// them.
func openEngine(ctx context.Context, opts Options, clk clock.Clock) (*app.Main, map[string]string, func(), error) {
	dir, err := os.MkdirTemp("", "sejour-simulate-")
	if err != nil {
		return nil, nil, nil, err
	}
	cleanups := []func(){func() { os.RemoveAll(dir) }}
	closeAll := func() {
		for i := len(cleanups) - 1; i >= 0; i-- {
			cleanups[i]()
		}
	}
	env := map[string]string{"SEJOUR_DATA_DIR": dir}
	if opts.Database != "sqlite" {
		dsn, drop, err := postgresSchema(ctx, opts.Database)
		if err != nil {
			closeAll()
			return nil, nil, nil, err
		}
		cleanups = append(cleanups, drop)
		env["SEJOUR_DATABASE_URL"] = dsn
	}
	cfg, err := config.FromEnv(func(k string) string { return env[k] })
	if err != nil {
		closeAll()
		return nil, nil, nil, err
	}
	m := app.New(cfg, opts.Logger)
	m.Clock = clk
	// The nightly settle waits for the queue's next fetch.
	m.QueuePoll = enginePoll
	if opts.KillRate > 0 { // River on the wall clock, as in the engine's process (Engine)
		m.QueueClock = clock.System{}
	}
	cleanups = append(cleanups, func() { m.Close() })
	if err := m.OpenDBNoCheck(ctx); err != nil {
		closeAll()
		return nil, nil, nil, err
	}
	if _, err := m.Migrate(ctx); err != nil {
		closeAll()
		return nil, nil, nil, err
	}
	if err := m.Open(ctx); err != nil {
		closeAll()
		return nil, nil, nil, err
	}
	return m, env, closeAll, nil
}

// postgresSchema creates a schema of its own on the server of dsn and
// returns a URL that uses it, and a function that drops it.
func postgresSchema(ctx context.Context, dsn string) (string, func(), error) {
	b := make([]byte, 6)
	rand.Read(b)
	schema := "sejour_simulate_" + hex.EncodeToString(b)
	u, err := url.Parse(dsn)
	if err != nil {
		return "", nil, fmt.Errorf("simulate: --db is not a URL: %w", err)
	}
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		return "", nil, err
	}
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		admin.Close()
		return "", nil, fmt.Errorf("simulate: create a schema on PostgreSQL: %w", err)
	}
	drop := func() {
		dropCtx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		admin.ExecContext(dropCtx, "DROP SCHEMA "+schema+" CASCADE")
		admin.Close()
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String(), drop, nil
}

// kills returns how many times the engine process was killed.
func (s *sim) kills() int {
	if s.eng == nil {
		return 0
	}
	return s.eng.kills
}

// settle waits, each night of an in-process run, until the job queue has
// nothing due: the jobs the day's writes queued in their transactions
// (issuing after a request that failed after its commit) are worked, and
// one waiting for a retry is retried now. The run squeezes a day into
// milliseconds, so without it a job River had not reached yet, or one it
// would retry ten simulated seconds later on its real-time scheduler,
// counted as never worked.
func (s *sim) settle(ctx context.Context) error {
	q := s.main.Queue
	if q == nil {
		return nil
	}
	deadline := time.Now().Add(settleBound)
	for {
		opCtx, cancel := context.WithTimeout(ctx, opBound)
		rows, err := q.Jobs(opCtx, 10000, rivertype.JobStateAvailable, rivertype.JobStatePending,
			rivertype.JobStateRunning, rivertype.JobStateRetryable)
		cancel()
		if err != nil {
			return err
		}
		if len(rows) == 0 {
			return nil
		}
		for _, j := range rows {
			if j.State == rivertype.JobStateRetryable {
				opCtx, cancel := context.WithTimeout(ctx, opBound)
				err := q.RetryNow(opCtx, j.ID)
				cancel()
				if err != nil {
					return err
				}
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("jobs still due after %s: %d, the first %s #%d %s", settleBound, len(rows), rows[0].Kind, rows[0].ID, rows[0].State)
		}
		time.Sleep(settlePoll)
	}
}
