package simulate

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sync"
	"syscall"
	"time"

	"github.com/riverqueue/river/rivertype"

	"github.com/sejour/sejour/internal/jobs"
)

// Bounds of the engine process, in real time.
const (
	// settleBound is how long a night may wait for the engine to work
	// what is due; beyond it the run stops with an error.
	settleBound = 3 * time.Minute
	// stuckLimit is the longest a job may stay "running" after the
	// process working it was killed: River's rescue delay (5 min, see
	// internal/jobs) and its rescuer's pass (30 s), with room to spare.
	// Beyond it the run is broken (Summary.OK).
	stuckLimit = 10 * time.Minute
	// nightKillWindow is how long after the night's sweep is queued a
	// night kill may fall: most sweeps are still running then.
	nightKillWindow = 400 * time.Millisecond
	// settlePoll is how often a night looks at the queue.
	settlePoll = 20 * time.Millisecond
	// opBound bounds each read or write of River's table and the wait
	// for a killed engine to be gone: a hang is an error that says where.
	opBound = 30 * time.Second
)

// engineProc is the engine run as a child process (Options.Engine): the
// simulation starts it, kills it with SIGKILL at random moments and
// starts it again, and reads River's table through its own queue
// (never started: it only inserts and reads) to know when a night's work
// is done and how long the jobs of a killed process stayed "running".
type engineProc struct {
	argv []string
	env  []string
	log  io.Writer
	q    *jobs.Queue

	cmd    *exec.Cmd
	exited chan struct{}
	tail   *tailBuffer

	kills    int
	current  string               // River's name for the engine process running now
	dead     map[string]time.Time // the names of the killed ones, and when each was killed
	orphans  map[int64]time.Time  // jobs left running by a killed process, and when it was killed
	stuckMax time.Duration
	released int // orphans that left "running" during the run (River's rescue)
	left     int // orphans still "running" at the end, measured up to it
}

// newEngineProc prepares the engine's command: the spec in its
// environment, the control file in dir.
func newEngineProc(opts Options, env map[string]string, dir string, q *jobs.Queue) (*engineProc, string, error) {
	control := filepath.Join(dir, "simulation-control.json")
	spec, err := json.Marshal(engineSpec{Control: control, Start: opts.Start, Seed: opts.Seed, CrashRate: opts.CrashRate, NoSweep: opts.NoSweep})
	if err != nil {
		return nil, "", err
	}
	e := &engineProc{argv: opts.Engine, env: os.Environ(), log: opts.EngineLog, q: q, orphans: map[int64]time.Time{}, dead: map[string]time.Time{}}
	if e.log == nil {
		e.log = io.Discard
	}
	for k, v := range env {
		e.env = append(e.env, k+"="+v)
	}
	e.env = append(e.env, EngineEnv+"="+string(spec))
	return e, control, nil
}

// start starts a new engine process.
func (e *engineProc) start() error {
	e.tail = &tailBuffer{}
	e.current = fmt.Sprintf("simulate-engine-%d-%d", os.Getpid(), e.kills)
	cmd := exec.Command(e.argv[0], e.argv[1:]...)
	cmd.Env = append(e.env, EngineIDEnv+"="+e.current)
	cmd.Stdout, cmd.Stderr = e.log, io.MultiWriter(e.log, e.tail)
	dieWithParent(cmd)
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("simulate: start the engine %q: %w", e.argv[0], err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	e.cmd, e.exited = cmd, exited
	return nil
}

// died returns an error if the engine ended by itself.
func (e *engineProc) died() error {
	select {
	case <-e.exited:
		return fmt.Errorf("simulate: the engine stopped by itself (%v): %s", e.cmd.ProcessState, e.tail.String())
	default:
		return nil
	}
}

// kill kills the engine with SIGKILL, notes the jobs it left running,
// and starts a new one.
func (e *engineProc) kill(ctx context.Context) error {
	if err := e.died(); err != nil {
		return err
	}
	e.cmd.Process.Signal(syscall.SIGKILL)
	select {
	case <-e.exited:
	case <-time.After(opBound):
		return fmt.Errorf("simulate: the engine (pid %d) did not end within %s of SIGKILL", e.cmd.Process.Pid, opBound)
	}
	e.dead[e.current] = time.Now()
	e.kills++
	return e.start()
}

// stop asks the engine to stop (SIGTERM), kills it if it does not within
// half a minute, and measures the jobs still left running by a killed
// one, up to now.
func (e *engineProc) stop(ctx context.Context) error {
	if e.cmd == nil {
		return nil
	}
	var err error
	if err = e.died(); err == nil {
		e.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-e.exited:
		case <-time.After(30 * time.Second):
			e.cmd.Process.Signal(syscall.SIGKILL)
			<-e.exited
			err = errors.New("simulate: the engine did not stop within 30 s of SIGTERM")
		}
	}
	running, lerr := e.jobs(ctx, rivertype.JobStateRunning)
	e.track(running, true)
	return errors.Join(err, lerr)
}

// orphan reports whether a running job is a killed process's, and
// notes it so.
func (e *engineProc) orphan(j *rivertype.JobRow) bool {
	if _, ok := e.orphans[j.ID]; ok {
		return true
	}
	if n := len(j.AttemptedBy); n > 0 {
		if killed, ok := e.dead[j.AttemptedBy[n-1]]; ok {
			e.orphans[j.ID] = killed
			return true
		}
	}
	return false
}

// track notes the orphans among the running jobs, and measures those
// that left "running" and, at the end, those still in it.
func (e *engineProc) track(running []*rivertype.JobRow, end bool) {
	still := map[int64]bool{}
	for _, j := range running {
		still[j.ID] = true
		e.orphan(j)
	}
	now := time.Now()
	for id, killed := range e.orphans {
		switch {
		case !still[id]:
			e.released++
		case !end:
			continue
		default:
			e.left++
		}
		e.stuckMax = max(e.stuckMax, now.Sub(killed))
		delete(e.orphans, id)
	}
}

// night queues the night's sweep, kills the engine after each of the
// given delays (queuing the sweep again after each restart: the killed
// one may stay "running" until River rescues it), then waits until the
// queue has nothing left to do now: the last sweep queued completed (or
// was given up), no job waiting, none running but the killed process's.
// Jobs waiting for their retry are made available at once: the hours
// until the next simulated morning would pass their back-off. It returns
// how many times the sweep was retried and whether it never completed.
func (e *engineProc) night(ctx context.Context, mark time.Time, kills []time.Duration) (retries int, unfinished bool, err error) {
	id, err := e.sweepNow(ctx, mark)
	if err != nil {
		return 0, false, err
	}
	began := time.Now()
	for i, after := range kills {
		time.Sleep(time.Until(began.Add(after)))
		if err := e.kill(ctx); err != nil {
			return 0, false, err
		}
		if id, err = e.sweepNow(ctx, mark.Add(time.Duration(i+1))); err != nil {
			return 0, false, err
		}
	}
	deadline := time.Now().Add(settleBound)
	again := 0
	for {
		if err := e.died(); err != nil {
			return 0, false, err
		}
		busy, err := e.busy(ctx)
		if err != nil {
			return 0, false, err
		}
		opCtx, cancel := context.WithTimeout(ctx, opBound)
		sweep, err := e.q.Job(opCtx, id)
		cancel()
		if err != nil {
			return 0, false, err
		}
		switch sweep.State {
		case rivertype.JobStateCompleted, rivertype.JobStateDiscarded, rivertype.JobStateCancelled:
			if !busy {
				return sweep.Attempt - 1, sweep.State != rivertype.JobStateCompleted, nil
			}
		case rivertype.JobStateRunning:
			if e.orphan(sweep) { // taken by a killed process: it waits for River's rescue; queue another
				again++
				if id, err = e.sweepNow(ctx, mark.Add(time.Duration(len(kills)+again))); err != nil {
					return 0, false, err
				}
			}
		}
		if time.Now().After(deadline) {
			return 0, false, fmt.Errorf("simulate: the engine did not finish the night's work within %s (sweep job %d %s)", settleBound, id, sweep.State)
		}
		time.Sleep(settlePoll)
	}
}

// jobs lists the jobs in some states, within opBound.
func (e *engineProc) jobs(ctx context.Context, states ...rivertype.JobState) ([]*rivertype.JobRow, error) {
	ctx, cancel := context.WithTimeout(ctx, opBound)
	defer cancel()
	return e.q.Jobs(ctx, 10000, states...)
}

// sweepNow queues a sweep, within opBound.
func (e *engineProc) sweepNow(ctx context.Context, mark time.Time) (int64, error) {
	ctx, cancel := context.WithTimeout(ctx, opBound)
	defer cancel()
	return e.q.SweepAttestationsNow(ctx, mark)
}

// busy reports whether the queue has work to do now, retrying at once
// what waits for a retry, and measures the orphans.
func (e *engineProc) busy(ctx context.Context) (bool, error) {
	rows, err := e.jobs(ctx, rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRunning,
		rivertype.JobStateRetryable, rivertype.JobStateScheduled)
	if err != nil {
		return false, err
	}
	var running []*rivertype.JobRow
	busy := false
	soon := time.Now().Add(5 * time.Second)
	for _, j := range rows {
		switch j.State {
		case rivertype.JobStateRunning:
			running = append(running, j)
			busy = busy || !e.orphan(j)
		case rivertype.JobStateRetryable:
			opCtx, cancel := context.WithTimeout(ctx, opBound)
			err := e.q.RetryNow(opCtx, j.ID)
			cancel()
			if err != nil {
				return false, err
			}
			busy = true
		case rivertype.JobStateScheduled:
			busy = busy || j.ScheduledAt.Before(soon) // a snoozed sweep; not tomorrow's periodic one
		default:
			busy = true
		}
	}
	e.track(running, false)
	return busy, nil
}

// killPlan is when the engine is killed on one simulated day: before the
// events of some persons, and some delays into the night.
type killPlan struct {
	morning map[int]int // person index → kills before their events
	night   []time.Duration
}

// planKills draws day d's kills: a Poisson number of mean rate, each in
// the morning (before a random person's events, while the engine works
// the jobs the earlier ones queued) or at night (a random delay after the
// sweep is queued).
func planKills(rng *rand.Rand, rate float64, persons int) killPlan {
	plan := killPlan{morning: map[int]int{}}
	n, p, limit := 0, rng.Float64(), math.Exp(-rate)
	for p > limit {
		n++
		p *= rng.Float64()
	}
	for range n {
		if rng.IntN(2) == 0 {
			plan.morning[rng.IntN(persons)]++
		} else {
			plan.night = append(plan.night, time.Duration(rng.Int64N(int64(nightKillWindow))))
		}
	}
	slices.Sort(plan.night)
	return plan
}

// tailBuffer keeps the last few kilobytes an engine wrote on stderr, to
// say why it stopped.
type tailBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.b.Write(p)
	if t.b.Len() > 4096 {
		rest := t.b.Bytes()[t.b.Len()-4096:]
		t.b = *bytes.NewBuffer(append([]byte(nil), rest...))
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.b.String()
}
