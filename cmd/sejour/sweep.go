package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"time"

	"github.com/sejour/sejour/internal/app"
	"github.com/sejour/sejour/internal/casework"
	"github.com/sejour/sejour/internal/permit"
)

// sweepReport is the last line `sejour sweep --once` prints, as JSON.
type sweepReport struct {
	Pending int     `json:"pending"` // applications the issuer watches
	Due     int     `json:"due"`     // of them, due by today
	Issued  int     `json:"issued"`  // attestations issued by this sweep
	Seconds float64 `json:"seconds"` // how long the sweep took
}

// sweepCommand runs `sejour sweep --once`: one sweep of the attestations
// owed, in this process, as the server's daily job does (issue 15, part
// 6), then a JSON line of what it found and did. The mails it owes are
// queued in the same transactions and sent by a running server. Killed,
// it is run again: what it issued is not issued twice.
func sweepCommand(ctx context.Context, m *app.Main, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("sweep", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	once := fs.Bool("once", false, "run one sweep and stop")
	if err := fs.Parse(args); err != nil || !*once || fs.NArg() > 0 {
		return &exitError{2, "usage: sejour sweep --once"}
	}
	if err := m.Open(ctx); err != nil {
		return err
	}
	today := permit.ParisDay(m.Clock.Now())
	var rep sweepReport
	var err error
	if rep.Pending, rep.Due, err = m.DB.Issuance().SweepCounts(ctx, today); err != nil {
		return err
	}
	began := time.Now()
	for {
		n, err := m.UseCases.Attestations.SweepAttestations(ctx)
		rep.Issued += n
		if errors.Is(err, casework.ErrSweepUnfinished) && ctx.Err() == nil {
			continue
		}
		if err != nil {
			return err
		}
		break
	}
	rep.Seconds = time.Since(began).Seconds()
	return json.NewEncoder(out).Encode(rep)
}
