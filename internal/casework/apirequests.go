package casework

import (
	"context"

	"github.com/sejour/sejour/internal/permit"
)

// APIRequestStore is what the API's idempotency keys need from the
// database: the answer kept for a key, and keeping the answer of a
// request that created nothing. The answer of a request that creates
// something is written by the store in the transaction of what it
// creates (permit.WithAPIRequest).
type APIRequestStore interface {
	APIAnswer(ctx context.Context, keyID int64, key string) (*permit.APIAnswer, error)
	SaveAPIAnswer(ctx context.Context, a *permit.APIAnswer) error
}

// APIRequests keep the answers of the API's POSTs sent with an
// Idempotency-Key (issue 14, part 6; docs/employers.md): a request sent
// again after a cut connection gets the first answer, and creates
// nothing a second time.
type APIRequests struct {
	Store APIRequestStore
}

// Answer returns the answer kept for the key's Idempotency-Key, or nil
// when there is none (the request is new).
func (s *APIRequests) Answer(ctx context.Context, key *permit.APIKey, idem string) (*permit.APIAnswer, error) {
	if s == nil || s.Store == nil || key == nil {
		return nil, nil
	}
	a, err := s.Store.APIAnswer(ctx, key.ID, idem)
	if permit.ErrorCode(err) == permit.ENOTFOUND {
		return nil, nil
	}
	return a, err
}

// Keep keeps the answer of a request that created nothing (an invalid
// body, no match): replayed, it gets the same answer.
func (s *APIRequests) Keep(ctx context.Context, a *permit.APIAnswer) error {
	if s == nil || s.Store == nil {
		return nil
	}
	return s.Store.SaveAPIAnswer(ctx, a)
}
