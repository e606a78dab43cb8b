// Command load measures how many requests sejour answers on this machine,
// next to the machine's own ceiling measured in the same run: a bare
// net/http server answering bodies of the same sizes. It starts both in
// this process on 127.0.0.1, hits each route of each for a fixed time with
// a fixed number of concurrent clients, the two servers taking turns, and
// prints a markdown table for docs/performance.md.
//
//	go run ./tools/load [-duration 10s] [-concurrency 16] [-demo] [-postgres URL]
//
// It sends requests to loopback addresses only, refuses any other target,
// bounds every phase in time and in count, and stops by itself.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"slices"
	"time"
)

// options are the command-line flags, checked.
type options struct {
	duration    time.Duration // of each phase (one route on one server)
	concurrency int           // clients sending requests at once
	maxRequests int           // per phase, whatever the duration
	demo        bool          // load the demonstration data first
	postgres    string        // run sejour on this PostgreSQL server instead of SQLite
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
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	switch {
	case o.duration <= 0 || o.duration > maxDuration:
		return o, fmt.Errorf("-duration must be more than 0 and at most %s", maxDuration)
	case o.concurrency < 1 || o.concurrency > maxConcurrency:
		return o, fmt.Errorf("-concurrency must be between 1 and %d", maxConcurrency)
	case o.maxRequests < 1 || o.maxRequests > maxRequestCap:
		return o, fmt.Errorf("-max-requests must be between 1 and %d", maxRequestCap)
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
	total := time.Duration(2*len(routes)) * o.duration
	ctx, cancel := context.WithTimeout(ctx, total+3*time.Minute)
	defer cancel()
	fmt.Fprintf(os.Stderr, "load: %d phases of %s (in %d turns) with %d clients, about %s in all\n", 2*len(routes), o.duration, rounds, o.concurrency, total)
	if err := run(ctx, o, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "load:", err)
		os.Exit(1)
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

// run starts both servers, measures every route on each, and prints the table.
func run(ctx context.Context, o options, out io.Writer) error {
	sj, err := startSejour(ctx, o)
	if err != nil {
		return err
	}
	defer sj.stop()
	sizes := map[string]int{}
	for _, rt := range routes {
		n, err := bodySize(ctx, sj.url+rt.path, sj.cookie(0, rt.loggedIn))
		if err != nil {
			return fmt.Errorf("sejour %s: %w", rt.path, err)
		}
		sizes[rt.path] = n
	}
	bare, err := startBare(sizes)
	if err != nil {
		return err
	}
	defer bare.stop()
	var rows []row
	for _, rt := range routes {
		r, err := compare(ctx, o, sj.url+rt.path, bare.url+rt.path, func(w int) string { return sj.cookie(w, rt.loggedIn) })
		if err != nil {
			return err
		}
		r.path, r.size = rt.path, sizes[rt.path]
		rows = append(rows, r)
	}
	db := "SQLite (WAL, synchronous=FULL)"
	if o.postgres != "" {
		db = "PostgreSQL"
	}
	fmt.Fprintf(out, "Load: %s, %d clients, %s per route and server (%d turns each), sejour on %s; %s, GOMAXPROCS=%d, %s.\n\n",
		time.Now().UTC().Format("2006-01-02 15:04 MST"), o.concurrency, o.duration, rounds, db, runtime.Version(), runtime.GOMAXPROCS(0), runtime.GOARCH)
	printTable(out, rows)
	return ctx.Err()
}

// rounds is how many slices each phase is cut into. The two servers take
// turns, slice by slice, so that whatever else the machine does during the
// run weighs on both alike and the ratio stays fair.
const rounds = 5

// warmUp is how many requests each server answers on a route, unmeasured,
// before its turns: connections, caches and the heap settle first.
const warmUp = 500

// compare measures one route on sejour and on the bare server, in turns.
// Both get the same requests, cookie included; the bare server ignores it.
func compare(ctx context.Context, o options, sejourURL, bareURL string, cookie func(worker int) string) (row, error) {
	var r row
	warm := o
	warm.maxRequests = warmUp
	for _, target := range []string{sejourURL, bareURL} {
		if _, err := hammer(ctx, target, cookie, warm); err != nil {
			return r, err
		}
	}
	slice := o
	slice.duration = o.duration / rounds
	slice.maxRequests = max(1, o.maxRequests/rounds)
	for range rounds {
		s, err := hammer(ctx, sejourURL, cookie, slice)
		if err != nil {
			return r, err
		}
		b, err := hammer(ctx, bareURL, cookie, slice)
		if err != nil {
			return r, err
		}
		r.sejour, r.bare = r.sejour.add(s), r.bare.add(b)
	}
	slices.Sort(r.sejour.lat)
	slices.Sort(r.bare.lat)
	return r, nil
}
