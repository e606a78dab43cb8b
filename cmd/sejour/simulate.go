package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/sejour/sejour/internal/simulate"
)

// runSimulation runs `sejour simulate`: the zero-gap invariant measured on
// the real engine over a simulated period. It prints one line of JSON and
// fails (exit 1) when the invariant broke, saying where.
func runSimulation(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("simulate", flag.ContinueOnError)
	fs.SetOutput(os.Stderr)
	o := simulate.Options{}
	fs.IntVar(&o.Persons, "persons", 1000, "permit holders to simulate")
	fs.IntVar(&o.Days, "days", 400, "simulated days")
	fs.Uint64Var(&o.Seed, "seed", 1, "seed of the population and its events")
	fs.Float64Var(&o.CrashRate, "crash-rate", 0.01, "probability that an issuing step crashes")
	fs.Float64Var(&o.FaultRate, "fault-rate", 0.01, "probability that a filing or a decision fails before or after its commit, or hangs up")
	fs.IntVar(&o.OutageDays, "outage-days", 0, "whole days in a row, from a third of the run, when nothing is issued")
	fs.IntVar(&o.Rotations, "rotations", 1, "signing-key rotations during the run")
	fs.Float64Var(&o.CorrectionRate, "correction-rate", 0, "share of holders who ask, after filing, for their surname to be corrected (an agent accepts four in five; accepted, their attestations are reissued)")
	fs.Float64Var(&o.CounterRate, "counter-rate", 0, "share of holders filed for at the counter by an agent, without an account or e-mail address")
	fs.Float64Var(&o.MoveRate, "move-rate", 0, "share of holders who move, after filing, to an address under another prefecture (their application follows)")
	fs.Float64Var(&o.UndoRate, "undo-rate", 0, "share of decisions a supervisor takes back a few days later (taken again weeks later)")
	fs.Float64Var(&o.KillRate, "kill-rate", 0, "kills per simulated day: the engine (job queue) runs as a process of its own, killed with SIGKILL at random moments and started again")
	fs.IntVar(&o.BreakIssuingOn, "break-issuing-on", 0, "a simulated day (counted from 0; 0 for none) on which issuing silently does nothing, as a broken build would: the run must fail")
	fs.StringVar(&o.Database, "db", "sqlite", `"sqlite" (a temporary file) or a postgres:// URL (a schema of its own, dropped at the end)`)
	start := fs.String("start", simulate.DefaultStart.Format(time.DateOnly), "first simulated day, YYYY-MM-DD")
	progress := fs.Bool("progress", false, "print progress every 10 simulated days on stderr")
	verbose := fs.Bool("verbose", false, "log the engine's warnings on stderr")
	if err := fs.Parse(args); err != nil {
		return &exitError{2, err.Error()}
	}
	if fs.NArg() > 0 {
		return &exitError{2, "usage: sejour simulate [--persons N] [--days N] [--seed N] [--crash-rate P] [--fault-rate P] [--rotations N] [--outage-days N] [--correction-rate P] [--counter-rate P] [--move-rate P] [--undo-rate P] [--kill-rate R] [--break-issuing-on DAY] [--db sqlite|postgres://...] [--start YYYY-MM-DD]"}
	}
	var err error
	if o.Start, err = time.Parse(time.DateOnly, *start); err != nil {
		return &exitError{2, fmt.Sprintf("--start: %q is not a date YYYY-MM-DD", *start)}
	}
	if *progress {
		o.Progress = os.Stderr
	}
	if *verbose {
		o.Logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
		o.EngineLog = os.Stderr
	}
	if o.KillRate > 0 {
		self, err := os.Executable()
		if err != nil {
			return fmt.Errorf("--kill-rate: find sejour's own binary: %w", err)
		}
		o.Engine = []string{self, "simulate-engine"}
	}
	sum, err := simulate.Run(ctx, o)
	if err != nil {
		return err
	}
	line, err := json.Marshal(sum)
	if err != nil {
		return err
	}
	fmt.Fprintln(out, string(line))
	if !sum.OK() {
		return &exitError{1, sum.Failure()}
	}
	return nil
}

// runSimulationEngine runs `sejour simulate-engine`, the engine that
// `sejour simulate --kill-rate` starts and kills (not for direct use: it
// needs the spec the simulation puts in its environment).
func runSimulationEngine(ctx context.Context, getenv func(string) string) error {
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	return simulate.Engine(ctx, getenv, logger)
}
