package notify

import (
	"context"
	"log/slog"

	"github.com/sejour/sejour/internal/permit"
)

// SMSSender hands one text of the SMS outbox to the outside world (an
// operator's gateway). A nil error means it was accepted and may be
// marked sent. Like mails, texts are written to the outbox with what
// causes them and delivered by a job (jobs.DeliverSMSArgs), so a gateway
// plugged in later changes no caller.
type SMSSender interface {
	SendSMS(ctx context.Context, s *permit.SMS) error
}

// LogSMS is the default SMSSender while no gateway is configured: it
// logs that a text was due (its id, length and the phone number's last
// two digits, never the text or the whole number) and reports it sent.
type LogSMS struct{ Logger *slog.Logger }

// SendSMS logs the text and returns nil.
func (l LogSMS) SendSMS(ctx context.Context, s *permit.SMS) error {
	if l.Logger != nil {
		l.Logger.InfoContext(ctx, "sms (logging sender: nothing sent)", "sms_id", s.ID, "to", maskPhone(s.To), "chars", len([]rune(s.Text)))
	}
	return nil
}

// maskPhone keeps the last two digits of a number.
func maskPhone(p string) string {
	r := []rune(p)
	if len(r) <= 2 {
		return "**"
	}
	out := make([]rune, len(r))
	for i := range r {
		out[i] = '*'
		if i >= len(r)-2 {
			out[i] = r[i]
		}
	}
	return string(out)
}
