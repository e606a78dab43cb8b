// Package notify delivers the mails of the outbox. The outbox itself is a
// table of the store, written in the same transaction as the action that
// causes a mail; notify only knows how to hand one mail to the outside
// world. The jobs package decides when, and retries.
package notify

import (
	"context"
	"errors"

	"github.com/wneessen/go-mail"

	"github.com/sejour/sejour/internal/clock"
	"github.com/sejour/sejour/internal/config"
	"github.com/sejour/sejour/internal/permit"
)

// Sender hands one mail of the outbox to the outside world. A nil error
// means the mail was accepted for delivery and may be marked sent.
type Sender interface {
	Send(ctx context.Context, m *permit.Mail) error
}

// ErrKept is what Keep returns: the mail was not sent on purpose and stays
// in the outbox, unsent and without a failed attempt, where the
// development outbox page shows it.
var ErrKept = errors.New("notify: no SMTP server configured, the mail is kept in the outbox")

// Keep is the Sender of an installation without SMTP server (a developer's
// machine, a demonstration): it sends nothing and returns ErrKept.
type Keep struct{}

// Send returns ErrKept.
func (Keep) Send(context.Context, *permit.Mail) error { return ErrKept }

// New returns the Sender the configuration asks for: SMTP when a host is
// set, Keep otherwise.
func New(cfg *config.Config, clk clock.Clock) (Sender, error) {
	if !cfg.SMTPEnabled() {
		return Keep{}, nil
	}
	return NewSMTP(cfg, clk)
}

// RecipientRefused says whether a Send failed because the server refused
// the recipient (RCPT TO): the relay works and other mails go through.
// Any other failure (unreachable, refusing mail altogether, timing out)
// is the relay's, and a later success means it has recovered.
func RecipientRefused(err error) bool {
	var sendErr *mail.SendError
	return errors.As(err, &sendErr) && sendErr.Reason == mail.ErrSMTPRcptTo
}
