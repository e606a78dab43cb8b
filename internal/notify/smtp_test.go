package notify_test

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/sejour/sejour/internal/clock"
	"github.com/sejour/sejour/internal/config"
	"github.com/sejour/sejour/internal/notify"
	"github.com/sejour/sejour/internal/notify/smtptest"
	"github.com/sejour/sejour/internal/permit"
)

var (
	ctx = context.Background()
	now = time.Date(2026, 11, 26, 9, 30, 0, 0, time.UTC)
)

func smtpConfig(srv *smtptest.Server) *config.Config {
	return &config.Config{
		SMTPHost: srv.Host,
		SMTPPort: srv.Port,
		SMTPFrom: "sejour <ne-pas-repondre@sejour.localhost>",
		SMTPTLS:  "none",
	}
}

func confirmation(to string) *permit.Mail {
	return &permit.Mail{
		ID:        42,
		To:        to,
		Subject:   "Confirmez votre adresse – sejour",
		Text:      "Bonjour,\n\nPour confirmer votre adresse, ouvrez ce lien : https://sejour.localhost/confirmer?jeton=abc\n\nÀ bientôt, l'équipe sejour.\n",
		CreatedAt: now.Add(-time.Minute),
	}
}

func newSender(t *testing.T, cfg *config.Config) notify.Sender {
	t.Helper()
	s, err := notify.New(cfg, clock.NewFixed(now))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSMTPSendsUTF8PlainText(t *testing.T) {
	srv := smtptest.Start(t)
	m := confirmation("amina@example.org")
	if err := newSender(t, smtpConfig(srv)).Send(ctx, m); err != nil {
		t.Fatal(err)
	}
	got := srv.Messages()
	if len(got) != 1 {
		t.Fatalf("server received %d messages, want 1", len(got))
	}
	msg := got[0]
	if len(msg.To) != 1 || msg.To[0] != "amina@example.org" {
		t.Errorf("envelope recipients = %q", msg.To)
	}
	if msg.From != "ne-pas-repondre@sejour.localhost" {
		t.Errorf("envelope sender = %q", msg.From)
	}
	if msg.Subject != m.Subject {
		t.Errorf("decoded subject = %q, want %q", msg.Subject, m.Subject)
	}
	if raw := msg.Header.Get("Subject"); !strings.HasPrefix(raw, "=?UTF-8?") {
		t.Errorf("subject not RFC 2047 encoded on the wire: %q", raw)
	}
	if strings.TrimRight(msg.Text, "\n") != strings.TrimRight(m.Text, "\n") {
		t.Errorf("body = %q, want %q", msg.Text, m.Text)
	}
	for header, want := range map[string]string{
		"Date":         "Thu, 26 Nov 2026 09:30:00 +0000",
		"Content-Type": "text/plain; charset=UTF-8",
		"To":           "<amina@example.org>",
	} {
		if got := msg.Header.Get(header); got != want {
			t.Errorf("%s: %q, want %q", header, got, want)
		}
	}
	if id := msg.Header.Get("Message-Id"); !strings.HasPrefix(id, "<mail.42.") || !strings.HasSuffix(id, "@sejour.localhost>") {
		t.Errorf("Message-ID = %q", id)
	}
	if from := msg.Header.Get("From"); !strings.Contains(from, "<ne-pas-repondre@sejour.localhost>") {
		t.Errorf("From = %q", from)
	}
}

func TestSMTPMessageIDIsStablePerMail(t *testing.T) {
	srv := smtptest.Start(t)
	s := newSender(t, smtpConfig(srv))
	for range 2 {
		if err := s.Send(ctx, confirmation("amina@example.org")); err != nil {
			t.Fatal(err)
		}
	}
	other := confirmation("amina@example.org")
	other.ID = 43
	if err := s.Send(ctx, other); err != nil {
		t.Fatal(err)
	}
	got := srv.Messages()
	first, again, third := got[0].Header.Get("Message-Id"), got[1].Header.Get("Message-Id"), got[2].Header.Get("Message-Id")
	if first != again || first == third {
		t.Errorf("Message-IDs %q, %q (same mail) and %q (another)", first, again, third)
	}
}

func TestSMTPRefusedRecipient(t *testing.T) {
	srv := smtptest.Start(t)
	srv.Refuse("inconnu@example.org")
	err := newSender(t, smtpConfig(srv)).Send(ctx, confirmation("inconnu@example.org"))
	if err == nil {
		t.Fatal("Send to a refused recipient returned nil")
	}
	if !strings.Contains(err.Error(), "550") {
		t.Errorf("error does not carry the server's answer: %v", err)
	}
	if !notify.RecipientRefused(err) {
		t.Errorf("RecipientRefused(%v) = false, want true", err)
	}
	if n := len(srv.Messages()); n != 0 {
		t.Errorf("server kept %d messages", n)
	}
}

// A relay that cannot take mail for a while fails every mail, and its
// failure is not a refused recipient: the queue waits for it to recover.
func TestSMTPUnavailableRelay(t *testing.T) {
	srv := smtptest.Start(t)
	srv.Unavailable(true)
	sender := newSender(t, smtpConfig(srv))
	err := sender.Send(ctx, confirmation("amina@example.org"))
	if err == nil || !strings.Contains(err.Error(), "451") {
		t.Fatalf("Send to an unavailable relay: %v, want its 451", err)
	}
	if notify.RecipientRefused(err) {
		t.Errorf("RecipientRefused(%v) = true for the relay's own failure", err)
	}
	srv.Unavailable(false)
	if err := sender.Send(ctx, confirmation("amina@example.org")); err != nil {
		t.Fatalf("Send once the relay is back: %v", err)
	}
	if n := len(srv.Messages()); n != 1 {
		t.Errorf("server received %d messages, want 1", n)
	}
}

func TestSMTPAuth(t *testing.T) {
	srv := smtptest.Start(t)
	srv.RequireAuth("sejour", "s3cret")
	cfg := smtpConfig(srv)
	if err := newSender(t, cfg).Send(ctx, confirmation("amina@example.org")); err == nil {
		t.Fatal("Send without credentials to a server requiring AUTH returned nil")
	}
	cfg.SMTPUser, cfg.SMTPPassword = "sejour", "wrong"
	if err := newSender(t, cfg).Send(ctx, confirmation("amina@example.org")); err == nil {
		t.Fatal("Send with a wrong password returned nil")
	}
	cfg.SMTPPassword = "s3cret"
	if err := newSender(t, cfg).Send(ctx, confirmation("amina@example.org")); err != nil {
		t.Fatal(err)
	}
	if n := len(srv.Messages()); n != 1 {
		t.Errorf("server received %d messages, want 1", n)
	}
}

func TestSMTPStartTLSIsMandatory(t *testing.T) {
	srv := smtptest.Start(t) // offers no STARTTLS
	cfg := smtpConfig(srv)
	cfg.SMTPTLS = "starttls"
	if err := newSender(t, cfg).Send(ctx, confirmation("amina@example.org")); err == nil {
		t.Fatal("starttls mode sent in clear to a server without STARTTLS")
	}
	if n := len(srv.Messages()); n != 0 {
		t.Errorf("server received %d messages in clear", n)
	}
}

func TestSMTPUnreachable(t *testing.T) {
	srv := smtptest.Start(t)
	cfg := smtpConfig(srv)
	cfg.SMTPPort = closedPort(t)
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	err := newSender(t, cfg).Send(ctx, confirmation("amina@example.org"))
	if err == nil {
		t.Fatal("Send to a closed port returned nil")
	}
	if notify.RecipientRefused(err) {
		t.Errorf("RecipientRefused(%v) = true for an unreachable relay", err)
	}
}

// closedPort returns a port of 127.0.0.1 that nothing listens on.
func closedPort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	return port
}

func TestNewKeepsWithoutSMTP(t *testing.T) {
	s := newSender(t, &config.Config{SMTPFrom: "sejour <ne-pas-repondre@sejour.localhost>"})
	if _, ok := s.(notify.Keep); !ok {
		t.Fatalf("New without SMTP host = %T, want notify.Keep", s)
	}
	if err := s.Send(ctx, confirmation("amina@example.org")); !errors.Is(err, notify.ErrKept) {
		t.Fatalf("Keep.Send = %v, want ErrKept", err)
	}
}

func TestNewRejectsBadSettings(t *testing.T) {
	for name, cfg := range map[string]*config.Config{
		"tls mode": {SMTPHost: "127.0.0.1", SMTPPort: 25, SMTPFrom: "a@b.c", SMTPTLS: "maybe"},
		"from":     {SMTPHost: "127.0.0.1", SMTPPort: 25, SMTPFrom: "not an address", SMTPTLS: "none"},
	} {
		if _, err := notify.New(cfg, clock.NewFixed(now)); err == nil {
			t.Errorf("%s: New accepted %+v", name, cfg)
		}
	}
}
