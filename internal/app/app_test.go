package app

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sejour/sejour/internal/app/apptest"
	"github.com/sejour/sejour/internal/clock"
	"github.com/sejour/sejour/internal/config"
	"github.com/sejour/sejour/internal/notify/smtptest"
	"github.com/sejour/sejour/internal/password"
	"github.com/sejour/sejour/internal/store"
	"github.com/sejour/sejour/internal/store/storetest"
)

// start runs the real program on a free port of the loopback, on db, with
// mail going to a real SMTP server, until the test ends.
func start(t *testing.T, db *store.DB, mail *smtptest.Server) *Main {
	t.Helper()
	m := newMain(t, db, mail)
	apptest.Serve(t, m)
	return m
}

// newMain assembles the real program on db, migrated and listening on a
// free port of the loopback, with mail going to a real SMTP server; it
// is not opened yet.
func newMain(t *testing.T, db *store.DB, mail *smtptest.Server) *Main {
	t.Helper()
	return newMainWith(t, db, mail, nil)
}

// newMainWith is newMain with more configuration variables.
func newMainWith(t *testing.T, db *store.DB, mail *smtptest.Server, more map[string]string) *Main {
	t.Helper()
	env := map[string]string{
		"SEJOUR_ADDR": "127.0.0.1:0", "SEJOUR_DATA_DIR": t.TempDir(),
		"SEJOUR_SMTP_HOST": mail.Host, "SEJOUR_SMTP_PORT": strconv.Itoa(mail.Port),
	}
	maps.Copy(env, more)
	cfg, err := config.FromEnv(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	m := New(cfg, slog.New(slog.NewTextHandler(failureLog(t), nil)))
	m.Clock = clock.System{}
	m.PasswordParams = password.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}
	m.DB = db
	if _, err := m.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := m.Listen(); err != nil {
		t.Fatal(err)
	}
	cfg.BaseURL = "http://" + m.Addr()
	return m
}

// failureLog keeps what the program logs during t and prints it if t
// fails: a job that never ran says why there, not in the test's message.
func failureLog(t *testing.T) io.Writer {
	w := &lockedBuffer{}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("the program's log:\n%s", w.String())
		}
	})
	return w
}

// lockedBuffer is a buffer the program's goroutines write to at once.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestSignUpThroughSMTP signs up over HTTP, receives the confirmation mail
// on a real SMTP server, follows its link and logs in: the whole path of a
// mail, from the transaction that writes it to the job that delivers it.
func TestSignUpThroughSMTP(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, _ *clock.Fixed) {
		mail := smtptest.Start(t)
		m := start(t, db, mail)
		jar, _ := cookiejar.New(nil)
		client := &http.Client{Jar: jar, Timeout: 10 * time.Second}
		base := m.Config.BaseURL
		const pw = "trois chats sur un toit"
		res, err := client.PostForm(base+"/inscription", url.Values{"email": {"smtp@example.org"}, "password": {pw}, "confirm": {pw}})
		if err != nil || res.Request.URL.Path != "/inscription/envoyee" {
			t.Fatalf("sign-up: %v %v", res, err)
		}
		res.Body.Close()

		msg := mail.WaitFor(t, "smtp@example.org", 15*time.Second)
		if msg.Subject != "Confirmez votre adresse – sejour" {
			t.Errorf("subject %q", msg.Subject)
		}
		link := regexp.MustCompile(regexp.QuoteMeta(base) + `/confirmer/\S+`).FindString(msg.Text)
		if link == "" {
			t.Fatalf("no confirmation link in:\n%s", msg.Text)
		}
		res, err = client.Get(link)
		if err != nil || res.StatusCode != 200 {
			t.Fatalf("confirm: %v %v", res, err)
		}
		res.Body.Close()
		res, err = client.PostForm(base+"/connexion", url.Values{"email": {"smtp@example.org"}, "password": {pw}})
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.Request.URL.Path != "/tableau-de-bord" || !strings.Contains(string(b), "Mon espace") {
			t.Fatalf("log-in landed on %s", res.Request.URL.Path)
		}
		deadline := time.Now().Add(10 * time.Second)
		for {
			got, err := db.Mails().Mail(context.Background(), 1)
			if err == nil && got.SentAt != nil {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("the outbox does not record the delivery: %+v %v", got, err)
			}
			time.Sleep(50 * time.Millisecond)
		}
	})
}
