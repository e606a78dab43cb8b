package permit

import (
	"context"
	"time"
)

// APIRequest is a POST of the API sent with an Idempotency-Key (issue 14,
// part 6): the key it came with, its API key, and the fingerprint of what
// it asked. The web layer carries it in the context; the write that
// creates what the request asks for records the answer with it, in its
// own transaction (APIAnswerOf), so that nothing is ever created without
// its answer being kept.
type APIRequest struct {
	KeyID       int64  // the API key that sent it
	Key         string // its Idempotency-Key
	Fingerprint string // hex SHA-256 of its method, path and body
	// Answer renders the answer from what the write made (the record the
	// write passes to the store's transaction); set by the handler before
	// it calls the use case. Nil: the request creates nothing, its answer
	// is kept after it is sent.
	Answer func(made any) (*APIAnswer, error)
	// Recorded is set when a write recorded the answer in its
	// transaction.
	Recorded bool
}

// APIAnswer is the answer kept for an Idempotency-Key: what a replay of
// the same request gets back.
type APIAnswer struct {
	KeyID       int64
	Key         string
	Fingerprint string
	Status      int
	ContentType string
	Body        []byte
	CreatedAt   time.Time
}

// APIAnswerWindow is how long an answer is kept: a replay comes within
// minutes or hours; a key sent again after a day asks anew.
const APIAnswerWindow = 24 * time.Hour

type apiRequestCtx struct{}

// WithAPIRequest carries r to the write that creates what it asks for.
func WithAPIRequest(ctx context.Context, r *APIRequest) context.Context {
	return context.WithValue(ctx, apiRequestCtx{}, r)
}

// APIRequestOf is the request ctx carries, if any.
func APIRequestOf(ctx context.Context) (*APIRequest, bool) {
	r, ok := ctx.Value(apiRequestCtx{}).(*APIRequest)
	return r, ok && r != nil
}
