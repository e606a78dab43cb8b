package casework

import (
	"context"

	"github.com/sejour/sejour/internal/paths"
	"github.com/sejour/sejour/internal/permit"
)

// ResetRequests are the store's reset requests: written by the page
// without looking the address up, answered by a job.
type ResetRequests interface {
	// RequestReset writes a request and owes the job that answers it.
	RequestReset(ctx context.Context, email string) error
	// ResetRequest is a request's address; ENOTFOUND once answered.
	ResetRequest(ctx context.Context, id int64) (email string, err error)
	// PendingResetRequests lists requests not answered yet, oldest first.
	PendingResetRequests(ctx context.Context, limit int) ([]int64, error)
	// AnswerReset deletes a request, storing tok and m with it when not nil.
	AnswerReset(ctx context.Context, id int64, tok *permit.Token, m *permit.Mail) error
}

// AnswerReset is the job that answers a reset request: when the address
// has an account, a link is mailed (token and mail committed with the
// request's deletion); when it has none, the request is deleted and
// nothing else happens. Answering twice mails once.
func (s *Accounts) AnswerReset(ctx context.Context, id int64) error {
	email, err := s.Resets.ResetRequest(ctx, id)
	if permit.ErrorCode(err) == permit.ENOTFOUND {
		return nil
	} else if err != nil {
		return err
	}
	a, _, err := s.Store.AccountByEmail(ctx, email)
	if permit.ErrorCode(err) == permit.ENOTFOUND {
		return s.Resets.AnswerReset(ctx, id, nil, nil)
	} else if err != nil {
		return err
	}
	tok, m := s.linkToken(a, permit.TokenResetPassword, ResetTTL, "mail.reset", paths.Reset)
	return s.Resets.AnswerReset(ctx, id, tok, m)
}

// resetBatch bounds the requests one sweep answers.
const resetBatch = 500

// AnswerPendingResets answers the requests written while no job queue
// was set: run once at start. It returns how many it answered.
func (s *Accounts) AnswerPendingResets(ctx context.Context) (int, error) {
	ids, err := s.Resets.PendingResetRequests(ctx, resetBatch)
	if err != nil {
		return 0, err
	}
	for i, id := range ids {
		if err := s.AnswerReset(ctx, id); err != nil {
			return i, err
		}
	}
	return len(ids), nil
}
