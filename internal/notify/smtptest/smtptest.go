// Package smtptest runs a real SMTP server on the loopback interface for
// tests, and keeps every message it accepts, decoded, so that a test can
// read what a user would read: the subject, the text, and the links in it.
// The notify tests use it to check the SMTP sender; web and end-to-end tests
// use it to follow confirmation links.
package smtptest

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Message is one message the server accepted.
type Message struct {
	From    string   // envelope sender (MAIL FROM)
	To      []string // envelope recipients (RCPT TO)
	Raw     []byte   // the message as received, headers and encoded body
	Header  mail.Header
	Subject string // decoded from its RFC 2047 encoded words
	Text    string // the body, with its transfer encoding undone
}

// Server is an SMTP server listening on 127.0.0.1. Its zero value is not
// usable; call Start.
type Server struct {
	Host string // always 127.0.0.1
	Port int

	srv *smtp.Server

	mu       sync.Mutex
	messages []Message
	refused  map[string]bool
	down     bool
	user     string
	password string
	arrived  chan struct{} // closed and replaced on each new message
}

// Start starts a server on a free port of 127.0.0.1 and stops it when the
// test ends. It accepts any sender and recipient, without authentication,
// until told otherwise by Refuse or RequireAuth.
func Start(t testing.TB) *Server {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("smtptest: listen: %v", err)
	}
	s := &Server{
		Host:    "127.0.0.1",
		Port:    l.Addr().(*net.TCPAddr).Port,
		refused: map[string]bool{},
		arrived: make(chan struct{}),
	}
	s.srv = smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) {
		return &session{server: s}, nil
	}))
	s.srv.Domain = "smtptest.localhost"
	s.srv.AllowInsecureAuth = true
	s.srv.EnableSMTPUTF8 = true
	s.srv.ReadTimeout = 10 * time.Second
	s.srv.WriteTimeout = 10 * time.Second
	logger := &testLogger{t: t}
	s.srv.ErrorLog = logger
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := s.srv.Serve(l); err != nil && !errors.Is(err, smtp.ErrServerClosed) {
			t.Errorf("smtptest: serve: %v", err)
		}
	}()
	t.Cleanup(func() {
		s.srv.Close()
		<-done
		logger.stop()
	})
	return s
}

// Addr is host:port, for a client that takes one string.
func (s *Server) Addr() string { return net.JoinHostPort(s.Host, strconv.Itoa(s.Port)) }

// Refuse makes the server answer 550 to RCPT TO for these addresses, as a
// server does for a mailbox that does not exist.
func (s *Server) Refuse(addrs ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, a := range addrs {
		s.refused[strings.ToLower(a)] = true
	}
}

// Unavailable makes the server answer 451 to MAIL FROM while down is
// true, as a relay does when it cannot take mail for a while (its queue
// is full, its own upstream is down); false accepts mail again.
func (s *Server) Unavailable(down bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.down = down
}

// RequireAuth makes the server accept mail only after AUTH PLAIN with
// these credentials.
func (s *Server) RequireAuth(user, password string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.user, s.password = user, password
}

// Messages returns a copy of the messages received so far, oldest first.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.messages...)
}

// WaitFor waits until a message for the recipient to has arrived, and
// returns the latest one; it fails the test after timeout.
func (s *Server) WaitFor(t testing.TB, to string, timeout time.Duration) Message {
	t.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		s.mu.Lock()
		arrived := s.arrived
		for i := len(s.messages) - 1; i >= 0; i-- {
			for _, rcpt := range s.messages[i].To {
				if strings.EqualFold(rcpt, to) {
					m := s.messages[i]
					s.mu.Unlock()
					return m
				}
			}
		}
		s.mu.Unlock()
		select {
		case <-arrived:
		case <-deadline.C:
			t.Fatalf("smtptest: no message for %s within %s", to, timeout)
		}
	}
}

func (s *Server) add(m Message) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.messages = append(s.messages, m)
	close(s.arrived)
	s.arrived = make(chan struct{})
}

func (s *Server) credentials() (user, password string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.user, s.password
}

func (s *Server) isDown() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.down
}

func (s *Server) isRefused(addr string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.refused[strings.ToLower(addr)]
}

// session is one SMTP conversation.
type session struct {
	server *Server
	authed bool
	from   string
	to     []string
}

var _ smtp.AuthSession = (*session)(nil)

func (ss *session) AuthMechanisms() []string { return []string{sasl.Plain} }

func (ss *session) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, password string) error {
		wantUser, wantPassword := ss.server.credentials()
		if user != wantUser || password != wantPassword {
			return smtp.ErrAuthFailed
		}
		ss.authed = true
		return nil
	}), nil
}

func (ss *session) Mail(from string, _ *smtp.MailOptions) error {
	if user, _ := ss.server.credentials(); user != "" && !ss.authed {
		return smtp.ErrAuthRequired
	}
	if ss.server.isDown() {
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "Try again later"}
	}
	ss.from = from
	return nil
}

func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if ss.server.isRefused(to) {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "No such mailbox"}
	}
	ss.to = append(ss.to, to)
	return nil
}

func (ss *session) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	m, err := decode(raw)
	if err != nil {
		return &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 6, 0}, Message: err.Error()}
	}
	m.From, m.To = ss.from, ss.to
	ss.server.add(m)
	return nil
}

func (ss *session) Reset() { ss.from, ss.to = "", nil }

func (ss *session) Logout() error { return nil }

// decode parses a single-part message; sejour sends only plain text.
func decode(raw []byte) (Message, error) {
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return Message{}, fmt.Errorf("unparsable message: %w", err)
	}
	var dec mime.WordDecoder
	subject, err := dec.DecodeHeader(msg.Header.Get("Subject"))
	if err != nil {
		return Message{}, fmt.Errorf("subject: %w", err)
	}
	var body io.Reader = msg.Body
	switch strings.ToLower(msg.Header.Get("Content-Transfer-Encoding")) {
	case "quoted-printable":
		body = quotedprintable.NewReader(body)
	case "base64":
		body = base64.NewDecoder(base64.StdEncoding, body)
	}
	text, err := io.ReadAll(body)
	if err != nil {
		return Message{}, fmt.Errorf("body: %w", err)
	}
	return Message{Raw: raw, Header: msg.Header, Subject: subject, Text: strings.ReplaceAll(string(text), "\r\n", "\n")}, nil
}

// testLogger sends the server's own error log to the test's log, until the
// test ends: connection goroutines may outlive Serve by a moment, and
// testing forbids logging after a test has completed.
type testLogger struct {
	mu      sync.Mutex
	t       testing.TB
	stopped bool
}

func (l *testLogger) Printf(format string, v ...any) { l.log(fmt.Sprintf(format, v...)) }
func (l *testLogger) Println(v ...any)               { l.log(fmt.Sprintln(v...)) }

func (l *testLogger) log(line string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.stopped {
		l.t.Log("smtptest: " + strings.TrimSpace(line))
	}
}

func (l *testLogger) stop() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.stopped = true
}
