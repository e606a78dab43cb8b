package notify

import (
	"context"
	"fmt"
	netmail "net/mail"
	"strconv"
	"strings"
	"time"

	"github.com/wneessen/go-mail"

	"github.com/sejour/sejour/internal/clock"
	"github.com/sejour/sejour/internal/config"
	"github.com/sejour/sejour/internal/permit"
)

// smtpTimeout bounds a whole SMTP conversation (dial, TLS, AUTH, DATA), so
// that a stuck relay holds a delivery job for at most this long.
const smtpTimeout = 30 * time.Second

// SMTP sends each mail as UTF-8 plain text through an SMTP server, on a
// connection of its own. It is safe for concurrent use.
type SMTP struct {
	client *mail.Client
	from   string
	domain string // of the From address, for Message-IDs
	clock  clock.Clock
}

// NewSMTP builds a sender from the SMTP settings of cfg. With SMTPTLS
// "none" and credentials, the password is sent only to a server on the
// loopback interface (a local relay): go-mail refuses plain AUTH in clear
// over the network, which is what we want.
func NewSMTP(cfg *config.Config, clk clock.Clock) (*SMTP, error) {
	from, err := netmail.ParseAddress(cfg.SMTPFrom)
	if err != nil {
		return nil, fmt.Errorf("notify: SEJOUR_SMTP_FROM %q: %w", cfg.SMTPFrom, err)
	}
	opts := []mail.Option{mail.WithPort(cfg.SMTPPort), mail.WithTimeout(smtpTimeout)}
	switch cfg.SMTPTLS {
	case "none":
		opts = append(opts, mail.WithTLSPolicy(mail.NoTLS))
	case "starttls":
		opts = append(opts, mail.WithTLSPolicy(mail.TLSMandatory))
	case "tls":
		opts = append(opts, mail.WithSSL())
	default:
		return nil, fmt.Errorf("notify: SEJOUR_SMTP_TLS %q must be none, starttls or tls", cfg.SMTPTLS)
	}
	if cfg.SMTPUser != "" {
		auth := mail.SMTPAuthAutoDiscover
		if cfg.SMTPTLS == "none" {
			auth = mail.SMTPAuthPlain
		}
		opts = append(opts, mail.WithSMTPAuth(auth), mail.WithUsername(cfg.SMTPUser), mail.WithPassword(cfg.SMTPPassword))
	}
	client, err := mail.NewClient(cfg.SMTPHost, opts...)
	if err != nil {
		return nil, fmt.Errorf("notify: SMTP client for %s: %w", cfg.SMTPHost, err)
	}
	domain := from.Address[strings.LastIndexByte(from.Address, '@')+1:]
	return &SMTP{client: client, from: from.String(), domain: domain, clock: clk}, nil
}

// Send delivers m. An error means the server did not take the mail (it
// could not be reached, refused the recipient, ...): the mail stays in the
// outbox and the caller retries later.
func (s *SMTP) Send(ctx context.Context, m *permit.Mail) error {
	msg := mail.NewMsg(mail.WithNoDefaultUserAgent())
	if err := msg.From(s.from); err != nil {
		return fmt.Errorf("notify: from %q: %w", s.from, err)
	}
	if err := msg.To(m.To); err != nil {
		return fmt.Errorf("notify: mail %d: recipient %q: %w", m.ID, m.To, err)
	}
	msg.Subject(m.Subject)
	msg.SetDateWithValue(s.clock.Now())
	msg.SetMessageIDWithValue(s.messageID(m))
	msg.SetBodyString(mail.TypeTextPlain, m.Text)
	if err := s.client.DialAndSendWithContext(ctx, msg); err != nil {
		return fmt.Errorf("notify: mail %d: %w", m.ID, err)
	}
	return nil
}

// messageID is derived from the mail itself, not drawn at random, so that
// if a mail is sent twice (the server took it but we could not record that
// before a crash) the copies carry the same Message-ID and mail clients
// show one.
func (s *SMTP) messageID(m *permit.Mail) string {
	return "mail." + strconv.FormatInt(m.ID, 10) + "." + strconv.FormatInt(m.CreatedAt.UnixMicro(), 36) + "@" + s.domain
}
