package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// TestSweepOnce loads the demonstration, runs `sejour sweep --once` and
// reads its JSON line (the demonstration's attestations are issued as it
// loads: the sweep finds the applications due today and re-plans them);
// a second sweep finds nothing due and issues nothing. What a sweep
// issues is tested in casework and jobs.
func TestSweepOnce(t *testing.T) {
	ctx := context.Background()
	getenv := env(map[string]string{"SEJOUR_DATA_DIR": t.TempDir(), "SEJOUR_LOG_LEVEL": "error"})
	var out bytes.Buffer
	if err := run(ctx, []string{"demo", "--load-only"}, getenv, &out); err != nil {
		t.Fatalf("demo: %v\n%s", err, out.String())
	}
	sweep := func() sweepReport {
		t.Helper()
		out.Reset()
		if err := run(ctx, []string{"sweep", "--once"}, getenv, &out); err != nil {
			t.Fatalf("sweep: %v\n%s", err, out.String())
		}
		lines := strings.Split(strings.TrimSpace(out.String()), "\n")
		var rep sweepReport
		dec := json.NewDecoder(strings.NewReader(lines[len(lines)-1]))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&rep); err != nil {
			t.Fatalf("the last line %q is not the report: %v", lines[len(lines)-1], err)
		}
		return rep
	}
	first := sweep()
	if first.Pending == 0 || first.Due > first.Pending || first.Seconds <= 0 {
		t.Fatalf("first sweep: %+v; want the demonstration's pending applications", first)
	}
	if second := sweep(); second.Issued != 0 || second.Due != 0 || second.Pending > first.Pending {
		t.Fatalf("second sweep: %+v after %+v; want nothing more due or issued", second, first)
	}
	var exit *exitError
	if err := run(ctx, []string{"sweep"}, getenv, &out); !errors.As(err, &exit) || exit.code != 2 {
		t.Fatalf("sweep without --once: %v", err)
	}
	t.Logf("first sweep %+v", first)
}
