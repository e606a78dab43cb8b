package simulate

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/sejour/sejour/internal/app"
	"github.com/sejour/sejour/internal/clock"
	"github.com/sejour/sejour/internal/config"
)

// EngineEnv is the environment variable that makes a process the
// simulation's engine (`sejour simulate-engine`, or a test binary): it
// holds the engine's spec in JSON, written by the simulation that starts
// it. The rest of the configuration is sejour's own (SEJOUR_DATA_DIR,
// SEJOUR_DATABASE_URL).
const EngineEnv = "SEJOUR_SIMULATE_ENGINE"

// EngineIDEnv names, in each engine process's environment, the name
// the process goes by in River's tables: a job "running" under the name
// of a killed process is that process's, whatever it did after the kill
// was sent (a query already on its way may still take a job).
const EngineIDEnv = "SEJOUR_SIMULATE_ENGINE_ID"

// enginePoll is how often the engine looks for jobs the simulation
// queued: on SQLite no notification crosses processes.
const enginePoll = 50 * time.Millisecond

// engineSpec is what the simulation tells its engine.
type engineSpec struct {
	Control   string    `json:"control"` // the control file: the simulated instant, outages
	Start     time.Time `json:"start"`
	Seed      uint64    `json:"seed"`
	CrashRate float64   `json:"crash_rate"`
	NoSweep   bool      `json:"no_sweep"`
}

// control is what the simulation shares with its engine through the
// control file: the simulated instant (the engine's clock stands still on
// it until the next write), whether the issuing worker is down (an
// outage), and whether this day's build is broken (Options.BreakIssuingOn).
type control struct {
	Now    time.Time `json:"now"`
	Down   bool      `json:"down"`
	Broken bool      `json:"broken"`
}

// writeControl replaces the control file at once: the engine reads
// either the old content or the new one, never half of it.
func writeControl(path string, c control) error {
	b, err := json.Marshal(c)
	if err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// sharedClock is the engine's clock: the instant the simulation last
// wrote in the control file, read at every call (a few microseconds), so
// that a write is seen by the very next reading. If the file cannot be
// read, the last reading stands.
type sharedClock struct {
	path string
	mu   sync.Mutex
	last control
}

func (c *sharedClock) read() control {
	c.mu.Lock()
	defer c.mu.Unlock()
	if b, err := os.ReadFile(c.path); err == nil {
		var ctl control
		if json.Unmarshal(b, &ctl) == nil {
			c.last = ctl
		}
	}
	return c.last
}

// Now returns the simulated instant.
func (c *sharedClock) Now() time.Time { return c.read().Now }

// Engine is the simulation's engine in a process of its own: sejour's
// job queue, as `sejour serve` runs it (River's real workers, timeouts,
// retries and rescue, on the wall clock), working the jobs that the
// simulation's requests queue, on cases that live on the simulated
// clock of the control file. The simulation kills it with SIGKILL at
// random moments and starts it again; it stops cleanly when ctx ends
// (SIGTERM). Issuing goes through the simulation's issuer, which crashes
// at the spec's rate, and fails during an outage.
func Engine(ctx context.Context, getenv func(string) string, logger *slog.Logger) error {
	var spec engineSpec
	if err := json.Unmarshal([]byte(getenv(EngineEnv)), &spec); err != nil || spec.Control == "" {
		return fmt.Errorf("simulate engine: %s must hold the engine's spec (it is started by sejour simulate --kill-rate)", EngineEnv)
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	cfg, err := config.FromEnv(getenv)
	if err != nil {
		return err
	}
	clk := &sharedClock{path: spec.Control}
	if clk.Now().IsZero() {
		return errors.New("simulate engine: the control file gives no time")
	}
	m := app.New(cfg, logger)
	m.Clock, m.QueueClock, m.QueuePoll, m.QueueID = clk, clock.System{}, enginePoll, getenv(EngineIDEnv)
	defer m.Close()
	if err := m.OpenDBNoCheck(ctx); err != nil { // the simulation migrated it
		return err
	}
	if err := m.Open(ctx); err != nil {
		return err
	}
	iss := newIssuer(m.UseCases.Attestations.Store, clk, newCalendar(spec.Start), spec.Seed, spec.CrashRate)
	iss.noSweep, iss.control = spec.NoSweep, clk
	m.UseCases.Attestations.Store = iss
	queueCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	defer cancel()
	if err := m.Queue.Start(queueCtx); err != nil {
		return err
	}
	<-ctx.Done()
	stopCtx, cancelStop := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancelStop()
	return m.Queue.Stop(stopCtx)
}
