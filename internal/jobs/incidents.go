package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/sejour/sejour/internal/permit"
)

// incidents is River's error handler: every failed attempt of a job
// (an error or a panic) is kept as an incident of the portal, with the
// job's kind, the attempt and the error, under a JOB- reference. River
// goes on retrying as configured; the last attempt says the job is
// discarded. Recording never changes what River does with the job.
type incidents struct {
	record func(ctx context.Context, inc *permit.Incident) error
	logger *slog.Logger
}

// recordTimeout bounds the recording: the database may be what failed.
const recordTimeout = 5 * time.Second

func (h *incidents) HandleError(ctx context.Context, job *rivertype.JobRow, err error) *river.ErrorHandlerResult {
	h.keep(ctx, job, err.Error())
	return nil
}

func (h *incidents) HandlePanic(ctx context.Context, job *rivertype.JobRow, panicVal any, trace string) *river.ErrorHandlerResult {
	h.keep(ctx, job, fmt.Sprintf("panic: %v\n%s", panicVal, trace))
	return nil
}

func (h *incidents) keep(ctx context.Context, job *rivertype.JobRow, cause string) {
	if job.Attempt >= job.MaxAttempts {
		cause = "discarded after the last attempt: " + cause
	}
	inc := &permit.Incident{Reference: permit.NewReference("JOB"), Source: permit.IncidentJob, Kind: job.Kind,
		Attempt: job.Attempt, Cause: cause}
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), recordTimeout)
	defer cancel()
	if err := h.record(rctx, inc); err != nil {
		h.logger.WarnContext(ctx, "job incident not recorded", "kind", job.Kind, "job", job.ID, "err", err)
	}
}
