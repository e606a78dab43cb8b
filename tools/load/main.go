// Command load measures how many requests sejour answers on this machine,
// next to the machine's own ceiling measured in the same run: a bare
// net/http server answering bodies of the same sizes. It starts both in
// this process on 127.0.0.1, hits each route of each for a fixed time with
// a fixed number of concurrent clients, the two servers taking turns, and
// prints a markdown table for docs/performance.md.
//
//	go run ./tools/load [-duration 10s] [-concurrency 16] [-think 0] [-demo] [-postgres URL]
//
// With -think, each client pauses between its requests as a person reading
// a page would: -concurrency 200 -think 1s is 200 people using the portal
// at once, about 200 requests a second.
//
// The verify suite measures the public verifier instead, against a bare
// net/http server making one ES256 verification, and against
// PocketBase's record view when given its binary (see pocketbase.go):
//
//	go run ./tools/load -suite verify -concurrency 64 -duration 5s [-pocketbase /tmp/pb/base]
//
// With -write-doc docs/performance.md, the table, the date, the machine
// and its load average go into that file too, between the suite's
// markers (appended at the end the first time); the rest of the file
// stays as it is.
//
// It sends requests to loopback addresses only, refuses any other target,
// bounds every phase in time and in count, and stops by itself.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"runtime/pprof"
	"slices"
	"strings"
	"time"
)

// options are the command-line flags, checked.
type options struct {
	duration    time.Duration // of each phase (one route on one server)
	concurrency int           // clients sending requests at once
	maxRequests int           // per phase, whatever the duration
	demo        bool          // load the demonstration data first
	postgres    string        // run sejour on this PostgreSQL server instead of SQLite
	suite       string        // "pages" or "verify"
	pocketbase  string        // PocketBase's examples/base binary, measured beside the verifier
	writeDoc    string        // a markdown file to write the figures into
	cpuProfile  string        // a file for the CPU profile of the whole run
	think       time.Duration // a client's pause between two requests (0: none), as a person reading a page
}

// Bounds on the flags, so that a run stays a short, local measurement.
const (
	maxDuration    = 60 * time.Second
	maxConcurrency = 256
	maxRequestCap  = 5_000_000
)

func parseFlags(args []string) (options, error) {
	var o options
	fs := flag.NewFlagSet("load", flag.ContinueOnError)
	fs.DurationVar(&o.duration, "duration", 10*time.Second, "how long each phase (one route on one server) lasts, at most 60s")
	fs.IntVar(&o.concurrency, "concurrency", 16, "clients sending requests at once")
	fs.IntVar(&o.maxRequests, "max-requests", 1_000_000, "requests per phase at most, whatever the duration")
	fs.BoolVar(&o.demo, "demo", false, "load the demonstration data before measuring")
	fs.StringVar(&o.postgres, "postgres", "", "postgres:// URL of a loopback server: run sejour on it, in a schema of its own dropped at the end")
	fs.StringVar(&o.suite, "suite", "pages", "what to measure: pages (the routes below) or verify (POST /api/v1/verify)")
	fs.StringVar(&o.pocketbase, "pocketbase", "", "path of PocketBase's examples/base binary: the verify suite measures its record view too")
	fs.StringVar(&o.writeDoc, "write-doc", "", "markdown file (docs/performance.md) to write the figures into, between the suite's markers")
	fs.DurationVar(&o.think, "think", 0, "each client pauses about this long (from half to one and a half times) between requests, as people reading a page do; 0 sends without pause, at most 10s")
	fs.StringVar(&o.cpuProfile, "cpuprofile", "", "write the CPU profile of the run (every server and the clients: focus on one with pprof -focus) to this file")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	switch {
	case o.duration <= 0 || o.duration > maxDuration:
		return o, fmt.Errorf("-duration must be more than 0 and at most %s", maxDuration)
	case o.think < 0 || o.think > 10*time.Second:
		return o, errors.New("-think must be between 0 and 10s")
	case o.concurrency < 1 || o.concurrency > maxConcurrency:
		return o, fmt.Errorf("-concurrency must be between 1 and %d", maxConcurrency)
	case o.maxRequests < 1 || o.maxRequests > maxRequestCap:
		return o, fmt.Errorf("-max-requests must be between 1 and %d", maxRequestCap)
	case o.suite != "pages" && o.suite != "verify":
		return o, fmt.Errorf("-suite must be pages or verify, not %q", o.suite)
	case o.pocketbase != "" && o.suite != "verify":
		return o, errors.New("-pocketbase goes with -suite verify")
	}
	if o.suite == "verify" {
		o.demo = true // its code is a demo applicant's
	}
	if o.postgres != "" {
		if err := loopbackURL(o.postgres); err != nil {
			return o, fmt.Errorf("-postgres: %w", err)
		}
	}
	return o, nil
}

func main() {
	o, err := parseFlags(os.Args[1:])
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "load:", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	// A watchdog: whatever happens, the run ends after its phases and a
	// margin for starting and stopping the servers.
	phases := 2 * len(routes)
	if o.suite == "verify" {
		phases = 3
	}
	total := time.Duration(phases) * o.duration
	ctx, cancel := context.WithTimeout(ctx, total+3*time.Minute)
	defer cancel()
	fmt.Fprintf(os.Stderr, "load: %d phases of %s (in %d turns) with %d clients, about %s in all\n", phases, o.duration, rounds, o.concurrency, total)
	m := observe()
	if o.cpuProfile != "" {
		f, err := os.Create(o.cpuProfile)
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "load:", err)
			os.Exit(1)
		}
		defer f.Close()
	}
	var table string
	if o.suite == "verify" {
		table, err = runVerify(ctx, o)
	} else {
		table, err = run(ctx, o)
	}
	pprof.StopCPUProfile() // the run's only: not the writing below
	if err != nil {
		fmt.Fprintln(os.Stderr, "load:", err)
		os.Exit(1)
	}
	m.end, m.load1 = time.Now().UTC(), loadAverage()
	text := section(o.suite, "go run ./tools/load "+strings.Join(os.Args[1:], " "), table, m)
	fmt.Print(text)
	if o.writeDoc != "" {
		if err := writeDoc(o.writeDoc, o.suite, text); err != nil {
			fmt.Fprintln(os.Stderr, "load:", err)
			os.Exit(1)
		}
	}
}

// routes are the pages measured. A logged-in route is requested with the
// session cookie of an applicant.
var routes = []struct {
	path     string
	loggedIn bool
}{
	{"/", false},
	{"/connexion", false},
	{"/healthz", false},
	{"/tableau-de-bord", true},
}

// run starts both servers, measures every route on each, and returns the
// table.
func run(ctx context.Context, o options) (string, error) {
	sj, err := startSejour(ctx, o)
	if err != nil {
		return "", err
	}
	defer sj.stop()
	sizes := map[string]int{}
	for _, rt := range routes {
		n, err := bodySize(ctx, getTarget(sj.url+rt.path, func(w int) string { return sj.cookie(w, rt.loggedIn) }))
		if err != nil {
			return "", fmt.Errorf("sejour %s: %w", rt.path, err)
		}
		sizes[rt.path] = n
	}
	bare, err := startBare(sizes)
	if err != nil {
		return "", err
	}
	defer bare.stop()
	var rows []row
	for _, rt := range routes {
		cookie := func(w int) string { return sj.cookie(w, rt.loggedIn) }
		rs, err := compare(ctx, o, getTarget(sj.url+rt.path, cookie), getTarget(bare.url+rt.path, cookie))
		if err != nil {
			return "", err
		}
		rows = append(rows, row{path: rt.path, size: sizes[rt.path], sejour: rs[0], bare: rs[1]})
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d clients, %s per route and server (%d turns each), sejour on %s.\n\n", o.concurrency, o.duration, rounds, sj.database)
	printTable(&b, rows)
	return b.String(), ctx.Err()
}

// rounds is how many slices each phase is cut into. The two servers take
// turns, slice by slice, so that whatever else the machine does during the
// run weighs on both alike and the ratio stays fair.
const rounds = 5

// warmUp is how many requests each server answers on a route, unmeasured,
// before its turns: connections, caches and the heap settle first.
const warmUp = 500

// compare measures the same request on each target, in turns, and
// returns their results in the order of targets. Every target answers
// warmUp requests first, unmeasured.
func compare(ctx context.Context, o options, targets ...target) ([]result, error) {
	out := make([]result, len(targets))
	warm := o
	warm.maxRequests = warmUp
	for _, t := range targets {
		if _, err := hammer(ctx, t, warm); err != nil {
			return nil, err
		}
	}
	slice := o
	slice.duration = o.duration / rounds
	slice.maxRequests = max(1, o.maxRequests/rounds)
	for range rounds {
		for i, t := range targets {
			r, err := hammer(ctx, t, slice)
			if err != nil {
				return nil, err
			}
			out[i] = out[i].add(r)
		}
	}
	for i := range out {
		slices.Sort(out[i].lat)
	}
	return out, nil
}
