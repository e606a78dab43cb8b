package casework

import (
	"context"
	"crypto/rand"
	"strconv"

	"github.com/sejour/sejour/internal/permit"
)

// ResendStore is what recognising a resent form needs from the database:
// what a one-time key made, if it made something. The key itself is
// written by the store in the transaction of what its form makes
// (permit.WithResendKey).
type ResendStore interface {
	Resent(ctx context.Context, k permit.ResendKey) (int64, error)
}

// Resends recognise a form sent twice: a message posted again after a
// cut connection, an application started twice (docs/architecture.md,
// "Resends"). A form that creates something carries a one-time key; the
// use case it calls runs on the context Once returns, so the key is
// recorded with what it makes, in the same transaction, and a second
// send of the key makes nothing.
type Resends struct {
	Store ResendStore
}

// Once is the context to create on, carrying the form's key, and the id
// of what the key made already (0: nothing yet, create). A key that is
// not one the form could carry (absent, or not as drawn) is no key: the
// form is taken as sent once, as before keys existed.
func (s *Resends) Once(ctx context.Context, acc *permit.Account, kind, key string) (context.Context, int64, error) {
	if s == nil || s.Store == nil || !ValidResendKey(key) {
		return ctx, 0, nil
	}
	k := permit.ResendKey{Key: key, Kind: kind}
	if acc != nil {
		k.Scope = "account:" + strconv.FormatInt(acc.ID, 10)
	}
	id, err := s.Store.Resent(ctx, k)
	switch {
	case err == nil:
		return ctx, id, nil
	case permit.ErrorCode(err) != permit.ENOTFOUND:
		return ctx, 0, err
	}
	return permit.WithResendKey(ctx, k), 0, nil
}

// NewResendKey draws a form's one-time key: 128 random bits and more, in
// 26 characters of base32.
func NewResendKey() string { return rand.Text() }

// ValidResendKey reports whether key is one NewResendKey could draw.
func ValidResendKey(key string) bool {
	if len(key) != 26 {
		return false
	}
	for _, c := range key {
		if (c < 'A' || c > 'Z') && (c < '2' || c > '7') {
			return false
		}
	}
	return true
}
