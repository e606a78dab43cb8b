package permit

import (
	"context"
	"time"
)

// ResendKey is the one-time key a form that creates something carries
// (a message, a reply, an application, a correction request, a report):
// drawn when the form is shown, it comes back with every send of that
// form, so that a send repeated after a cut connection is recognised and
// makes nothing a second time (docs/architecture.md, "Resends").
type ResendKey struct {
	Scope string // whose key: "account:<id>", or "" for a sender without an account
	Key   string // the form's key, as drawn
	Kind  string // what the form makes: ResendMessage, ResendApplication...
}

// What a form with a one-time key makes.
const (
	ResendMessage     = "message"
	ResendReply       = "report_reply"
	ResendApplication = "application"
	ResendCorrection  = "correction"
	ResendReport      = "report"
	ResendDeclaration = "declaration"
	ResendBooking     = "booking"
)

// ResendWindow is how long a key is remembered: a resend comes within
// minutes; a form kept open longer than this makes a new thing.
const ResendWindow = 24 * time.Hour

type resendCtx struct{}

// WithResendKey carries k to the write that creates what the form asks
// for: the store records k in that write's transaction.
func WithResendKey(ctx context.Context, k ResendKey) context.Context {
	return context.WithValue(ctx, resendCtx{}, k)
}

// ResendKeyOf is the key ctx carries, if any.
func ResendKeyOf(ctx context.Context) (ResendKey, bool) {
	k, ok := ctx.Value(resendCtx{}).(ResendKey)
	return k, ok
}
