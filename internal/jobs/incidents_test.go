package jobs

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"

	"github.com/riverqueue/river/rivertype"

	"github.com/sejour/sejour/internal/permit"
)

// TestFailedJobsBecomeIncidents: every failed attempt, error or panic, is
// kept with the job's kind and attempt; the last one says the job is
// discarded; a store that fails does not stop River's handling.
func TestFailedJobsBecomeIncidents(t *testing.T) {
	var got []*permit.Incident
	h := &incidents{logger: slog.New(slog.DiscardHandler), record: func(_ context.Context, inc *permit.Incident) error {
		got = append(got, inc)
		return nil
	}}
	if res := h.HandleError(t.Context(), &rivertype.JobRow{ID: 1, Kind: "deliver_mail", Attempt: 2, MaxAttempts: 25}, errors.New("smtp down")); res != nil {
		t.Errorf("the handler changed River's handling: %+v", res)
	}
	h.HandlePanic(t.Context(), &rivertype.JobRow{ID: 2, Kind: "attestation_sweep", Attempt: 3, MaxAttempts: 3}, "nil map", "goroutine 1")
	if len(got) != 2 {
		t.Fatalf("incidents: %+v", got)
	}
	if g := got[0]; g.Source != permit.IncidentJob || g.Kind != "deliver_mail" || g.Attempt != 2 || g.Cause != "smtp down" ||
		!strings.HasPrefix(g.Reference, "JOB-") {
		t.Errorf("failed attempt: %+v", g)
	}
	if g := got[1]; !strings.HasPrefix(g.Cause, "discarded after the last attempt: panic: nil map") {
		t.Errorf("discarded job: %+v", g)
	}
	h.record = func(context.Context, *permit.Incident) error { return errors.New("database down") }
	if res := h.HandleError(t.Context(), &rivertype.JobRow{Kind: "deliver_mail"}, errors.New("x")); res != nil {
		t.Errorf("a failed recording changed River's handling: %+v", res)
	}
}
