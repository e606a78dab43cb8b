package e2e

import (
	"context"
	"database/sql"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/sejour/sejour/internal/app"
	"github.com/sejour/sejour/internal/app/apptest"
	"github.com/sejour/sejour/internal/i18n"
	"github.com/sejour/sejour/internal/permit"
)

// TestFilingDuringAnOutage: a logged-in person files while the database
// refuses every write (another connection holds SQLite's write lock, as a
// full or failing disk would); the portal answers with the attestation of
// attempted filing, a page and a PDF; once the lock is gone, the journal
// is replayed and the person's dashboard and receipt show the filing
// dated at the attempt. In French and English, on a 360-pixel phone
// without JavaScript, axe-core clean.
func TestFilingDuringAnOutage(t *testing.T) {
	tr := i18n.MustLoad()
	for _, lang := range []string{"fr", "en"} {
		t.Run(lang+"/phone-noscript", func(t *testing.T) {
			m, base := startApp(t)
			email := "panne-" + lang + "@exemple.fr"
			seed(t, m, email)
			id := completeDraft(t, m, email)
			T := func(key string, args ...any) string {
				return strings.ReplaceAll(tr.T(lang, key, args...), "\u00a0", " ")
			}
			b := newBrowser(t, base, options{dev: phone, lang: map[string]string{"fr": "fr-FR", "en": "en-GB"}[lang], noScript: true})
			wantStatus(t, "log-in form", b.open("/connexion"), http.StatusOK)
			b.fill("email", email)
			b.fill("password", passphrase)
			wantStatus(t, "log in", b.follow(button("main", T("login.submit"))), http.StatusOK)
			wantStatus(t, "open the draft", b.open("/demandes/"+strconv.FormatInt(id, 10)), http.StatusOK)

			release := lockWrites(t, m)
			attemptAt := time.Now()
			wantStatus(t, "file during the outage", b.follow(button("main", T("case.file"))), http.StatusAccepted)
			today := civil(attemptAt)
			st := b.check("attempt", expected{lang: lang, heading: T("attempt.heading"),
				texts: []string{T("attempt.promise"), T("attempt.keep"), inWords(lang, today), prefectureName, T("attempt.download")}})
			number := regexp.MustCompile(`TEN-[0-9A-F]{16}`).FindString(st.Text)
			if number == "" {
				t.Fatalf("the attestation of attempt shows no number TEN-…:\n%s", st.Text)
			}
			var got string
			b.withScripts("download the attestation of attempt", func() {
				var err error
				got, err = run(b, chromedp.Evaluate[string](`(async () => {
				const f = document.querySelector('main form[action="/tentative-de-depot.pdf"]');
				if (!f) return 'no form';
				const r = await fetch(f.action, {method: 'POST', body: new URLSearchParams(new FormData(f))});
				const head = new Uint8Array(await r.arrayBuffer()).slice(0, 5);
				return r.status + ' ' + r.headers.get('content-type') + ' ' + String.fromCharCode(...head);
			})()`, chromedp.EvalAwaitPromise))
				if err != nil {
					t.Fatalf("download the attestation of attempt: %v", err)
				}
			})
			if got != "200 application/pdf %PDF-" {
				t.Errorf("the attestation of attempt did not download as a PDF: %q", got)
			}

			release()
			filedAt := waitReplayed(t, m, number)
			if filedAt.Before(attemptAt.Add(-time.Second)) || filedAt.After(attemptAt.Add(15*time.Second)) {
				t.Errorf("filed at %s; the attempt was made at %s", filedAt, attemptAt)
			}
			wantStatus(t, "dashboard after recovery", b.open("/tableau-de-bord"), http.StatusOK)
			b.check("dashboard-replayed", expected{lang: lang, heading: T("dashboard.heading"), texts: []string{
				T("attempt.dashboard.heading"), number, inWords(lang, today)}})
			wantStatus(t, "receipt after recovery", b.open("/demandes/"+strconv.FormatInt(id, 10)+"/recepisse"), http.StatusOK)
			b.check("receipt-replayed", expected{lang: lang, heading: T("receipt.heading"), texts: []string{inWords(lang, today), "DEP-"}})
		})
	}
}

// completeDraft gives the seeded applicant a profile in Paris, a student
// card ending in three months and a complete draft renewal, through the
// program's own use cases.
func completeDraft(t *testing.T, m *app.Main, email string) int64 {
	t.Helper()
	ctx := t.Context()
	id := placeInParis(t, m, email)
	acc, _, err := m.DB.Accounts().AccountByEmail(ctx, email)
	if err != nil {
		t.Fatal(err)
	}
	docs, err := m.Rules.RequiredDocuments("student", permit.KindRenewal)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, d := range docs {
		if !d.TakesFiles() { // the photo, given as its e-photo code
			if err := m.UseCases.Documents.SetPhotoCode(ctx, acc, id, apptest.PhotoCode(int(id))); err != nil {
				t.Fatal(err)
			}
			continue
		}
		data, err := os.ReadFile(scan(t, dir, d.ID))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := m.UseCases.Documents.Upload(ctx, acc, id, d.ID, d.ID+".png", data); err != nil {
			t.Fatalf("upload %s: %v", d.ID, err)
		}
	}
	if err := m.UseCases.Documents.SetFeeStamp(ctx, acc, id, feeStamp(id)); err != nil {
		t.Fatal(err)
	}
	return id
}

// lockWrites takes SQLite's write lock from a connection of its own:
// every write of the server waits its busy timeout, then fails; reads go
// on (WAL). The returned function lets go.
func lockWrites(t *testing.T, m *app.Main) func() {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(m.Config.DataDir, "sejour.db")+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	conn, err := db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(context.Background(), "BEGIN EXCLUSIVE"); err != nil {
		t.Fatal(err)
	}
	done := false
	release := func() {
		if done {
			return
		}
		done = true
		conn.ExecContext(context.Background(), "ROLLBACK")
		conn.Close()
		db.Close()
	}
	t.Cleanup(release)
	return release
}

// waitReplayed waits until the database recorded the attempt as filed,
// and returns the filing's date.
func waitReplayed(t *testing.T, m *app.Main, number string) time.Time {
	t.Helper()
	var at time.Time
	waitFor(t, "attempt "+number+" replayed", func() bool {
		var outcome string
		err := m.DB.SQL().QueryRowContext(t.Context(), `SELECT f.filed_at, a.outcome FROM filing_attempts a JOIN filings f ON f.id = a.filing_id WHERE a.number = ?`, number).Scan(&at, &outcome)
		return err == nil
	})
	return at
}
