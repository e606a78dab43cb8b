package faulttest

import (
	"context"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sejour/sejour/internal/attempts"
	"github.com/sejour/sejour/internal/clock"
	"github.com/sejour/sejour/internal/notify/smtptest"
	"github.com/sejour/sejour/internal/store"
	"github.com/sejour/sejour/internal/store/storetest"
)

// The size of the outage run.
const (
	outages       = 3  // database cuts, each ended by a SIGKILL of the server
	attemptDrafts = 24 // drafts, filed by 3 browsers at once
	attemptFilers = 3
	outageMin     = 400 * time.Millisecond
	outageMax     = 1500 * time.Millisecond
	replayLimit   = 60 * time.Second
)

var (
	ticketInput = regexp.MustCompile(`name="tentative" value="([^"]+)"`)
	attemptNo   = regexp.MustCompile(`TEN-[0-9A-F]{16}`)
)

// attemptLedger is what the browsers were told: an attestation of attempt
// (its number, and when the request was sent and answered), or the
// filing receipt's redirect.
type attemptLedger struct {
	mu       sync.Mutex
	attempts map[int64]attemptAck
	filed    map[int64]bool
	lost     int // requests with no answer: killed, or sent while down
	// filedBefore counts attempts whose application had been filed before
	// them (the filing's answer lost to a kill): checked, not a failure.
	filedBefore int
}

type attemptAck struct {
	number string
	// first is when the first request for this draft was sent: a request
	// whose answer a kill lost may have recorded the attempt, which a
	// second press then gives back; got is when the attestation came.
	first, got time.Time
}

// TestKillDuringAttemptsAndReplay cuts PostgreSQL (a TCP proxy) while
// applicants file, so that their filings become attempts with a signed
// attestation; kills the server with SIGKILL during the attempts, then
// restarts it with the database back, when it replays the journal, and
// cuts again while it does. At the end every applicant who got an
// attestation of attempt has exactly one filing, dated at the attempt;
// nothing is filed twice; the journal is empty.
func TestKillDuringAttemptsAndReplay(t *testing.T) {
	if testing.Short() && os.Getenv("CI") != "true" {
		t.Skip("cuts the database and kills the real server for about a minute: skipped with -short")
	}
	if storetest.PostgresURL(t) == "" {
		t.Skip("a database cut needs PostgreSQL (SEJOUR_TEST_DATABASE_URL)")
	}
	began := time.Now()
	bin := build(t)
	db := storetest.Postgres(t, clock.System{})
	direct, err := url.Parse(db.PostgresURL())
	if err != nil {
		t.Fatal(err)
	}
	proxy := startProxy(t, direct.Host)
	viaProxy := *direct
	viaProxy.Host = proxy.addr()
	relay := smtptest.Start(t)
	in := newInstance(t, viaProxy.String(), relay)
	srv := newServer(t, bin, in.vars)
	srv.run(t, "migrate")
	apps, _ := prepare(t, in, db, attemptDrafts, 0)
	base := in.vars["SEJOUR_BASE_URL"]
	srv.start(t)
	srv.ready(t, readyLimit)
	forms := openForms(t, base, apps)

	l := &attemptLedger{attempts: map[int64]attemptAck{}, filed: map[int64]bool{}}
	ctx, cancel := context.WithTimeout(t.Context(), loadLimit)
	defer cancel()
	var wg sync.WaitGroup
	per := attemptDrafts / attemptFilers
	for i := range attemptFilers {
		wg.Go(func() { attemptAll(ctx, base, l, forms[i*per:(i+1)*per]) })
	}
	journal := filepath.Join(in.vars["SEJOUR_DATA_DIR"], "attempts", attempts.FileName)
	var atKill, replayed []int // records in the journal, and replayed in the database, at each kill
	for range outages {
		proxy.cut()
		pause(ctx, outageMin, outageMax)
		srv.kill()
		atKill = append(atKill, journalRecords(t, journal))
		replayed = append(replayed, replayedRows(t, db))
		proxy.restore()
		srv.start(t)
		srv.ready(t, readyLimit)
		pause(ctx, 100*time.Millisecond, 800*time.Millisecond) // the replay starts, then the cut comes back
	}
	wg.Wait()
	if ctx.Err() != nil {
		t.Errorf("the browsers did not finish within %s", loadLimit)
	}
	// A last kill in the middle of a replay, then the server runs on.
	proxy.restore()
	srv.kill()
	srv.start(t)
	srv.ready(t, readyLimit)
	pause(ctx, 50*time.Millisecond, 400*time.Millisecond)
	srv.kill()
	atKill = append(atKill, journalRecords(t, journal))
	replayed = append(replayed, replayedRows(t, db))
	srv.start(t)
	srv.ready(t, readyLimit)
	t.Logf("records in the journal at each kill: %v; replayed in the database: %v", atKill, replayed)

	waitEmpty(t, journal, replayLimit)
	checkAttempts(t, db, l, apps, relay)
	if err := srv.stop(); err != nil {
		t.Error(err)
	}
	t.Logf("%d drafts: %d attestations of attempt (%d of applications filed before them), %d filed directly, %d requests without answer; %d starts; whole run %s",
		len(apps), len(l.attempts), l.filedBefore, len(l.filed), l.lost, srv.starts, time.Since(began).Round(100*time.Millisecond))
}

// form is a draft's filing form as its page gave it, with the cookies
// of the browser that opened it (the session and its proof).
type form struct {
	app     applicant
	ticket  string
	cookies string
}

// openForms opens each draft's page with the database up, as the person
// did before pressing "file": the form's ticket, the session proof.
func openForms(t *testing.T, base string, apps []applicant) []form {
	t.Helper()
	var out []form
	for _, a := range apps {
		req, _ := http.NewRequest(http.MethodGet, fmt.Sprintf("%s/demandes/%d", base, a.appID), nil)
		req.Header.Set("Cookie", "__Host-sejour_session="+a.session)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		page, _ := io.ReadAll(res.Body)
		res.Body.Close()
		m := ticketInput.FindSubmatch(page)
		var proof string
		for _, c := range res.Cookies() {
			if c.Name == "__Host-sejour_proof" {
				proof = c.Value
			}
		}
		if m == nil || proof == "" {
			t.Fatalf("application %d: no ticket in the form or no session proof (%d)", a.appID, res.StatusCode)
		}
		out = append(out, form{app: a, ticket: html.UnescapeString(string(m[1])),
			cookies: "__Host-sejour_session=" + a.session + "; __Host-sejour_proof=" + proof})
	}
	return out
}

// attemptAll files each draft until the server answers with an
// attestation of attempt or the receipt's redirect; no answer means
// press the button again.
func attemptAll(ctx context.Context, base string, l *attemptLedger, forms []form) {
	client := &http.Client{Timeout: 20 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for _, f := range forms {
		var first time.Time
		for ctx.Err() == nil {
			pause(ctx, 30*time.Millisecond, 120*time.Millisecond)
			if first.IsZero() {
				first = time.Now()
			}
			body := url.Values{"tentative": {f.ticket}}.Encode()
			req, _ := http.NewRequestWithContext(ctx, http.MethodPost, fmt.Sprintf("%s/demandes/%d/deposer", base, f.app.appID), strings.NewReader(body))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Cookie", f.cookies)
			req.Header.Set("Origin", base)
			req.Header.Set("Sec-Fetch-Site", "same-origin")
			res, err := client.Do(req)
			if err != nil {
				l.mu.Lock()
				l.lost++
				l.mu.Unlock()
				continue
			}
			page, _ := io.ReadAll(res.Body)
			res.Body.Close()
			got := time.Now()
			if res.StatusCode == http.StatusAccepted {
				if n := attemptNo.Find(page); n != nil {
					l.mu.Lock()
					l.attempts[f.app.appID] = attemptAck{number: string(n), first: first, got: got}
					l.mu.Unlock()
					break
				}
			}
			if res.StatusCode == http.StatusSeeOther && strings.HasSuffix(res.Header.Get("Location"), "/recepisse") {
				l.mu.Lock()
				l.filed[f.app.appID] = true
				l.mu.Unlock()
				break
			}
		}
	}
}

// journalRecords counts the whole records of a journal file, read from
// a copy so that the server's own is not touched.
func journalRecords(t *testing.T, path string) int {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, attempts.FileName), data, 0o600); err != nil {
		t.Fatal(err)
	}
	j, err := attempts.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	return len(j.Records())
}

// replayedRows counts the attempts the database recorded.
func replayedRows(t *testing.T, db *store.DB) int {
	t.Helper()
	var n int
	if err := db.SQL().QueryRowContext(t.Context(), `SELECT COUNT(*) FROM filing_attempts`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// waitEmpty waits until the journal holds no record: the server replayed
// it and the database recorded every attempt.
func waitEmpty(t *testing.T, path string, limit time.Duration) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		if st, err := os.Stat(path); err == nil && st.Size() == 0 {
			return
		}
		time.Sleep(200 * time.Millisecond)
	}
	st, _ := os.Stat(path)
	t.Fatalf("the journal still holds records after %s (%v bytes)", limit, st.Size())
}

// checkAttempts checks the database against what the browsers were told.
func checkAttempts(t *testing.T, db *store.DB, l *attemptLedger, apps []applicant, relay *smtptest.Server) {
	t.Helper()
	ctx := t.Context()
	type row struct {
		number, outcome, reason string
		at                      time.Time
	}
	rows := map[int64][]row{}
	q, err := db.SQL().QueryContext(ctx, `SELECT application_id, number, outcome, reason, attempted_at FROM filing_attempts`)
	if err != nil {
		t.Fatal(err)
	}
	for q.Next() {
		var id int64
		var r row
		if err := q.Scan(&id, &r.number, &r.outcome, &r.reason, &r.at); err != nil {
			t.Fatal(err)
		}
		rows[id] = append(rows[id], r)
	}
	q.Close()
	mails, err := db.Mails().RecentMails(ctx, 10*len(apps))
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range apps {
		fs, err := db.Filings(ctx, a.appID)
		if err != nil {
			t.Fatal(err)
		}
		if len(fs) > 1 {
			t.Errorf("application %d filed %d times", a.appID, len(fs))
		}
		filedRows := 0
		for _, r := range rows[a.appID] {
			if r.outcome == "filed" {
				filedRows++
			}
		}
		if filedRows > 1 {
			t.Errorf("application %d: %d attempts replayed as filings", a.appID, filedRows)
		}
		ack, attempted := l.attempts[a.appID]
		if !attempted {
			if l.filed[a.appID] && len(fs) != 1 {
				t.Errorf("application %d: filing acknowledged, %d in the database", a.appID, len(fs))
			}
			continue
		}
		var mine *row
		for i, r := range rows[a.appID] {
			if r.number == ack.number {
				mine = &rows[a.appID][i]
			}
		}
		// A filing committed whose answer a kill lost, then pressed again
		// while the database was cut, is filed before its attempt: the
		// earlier date stands and the person is told so.
		before := mine != nil && mine.outcome == "refused" && mine.reason == "attempt.reason.filed_before" &&
			len(fs) == 1 && !fs[0].FiledAt.After(mine.at)
		switch {
		case mine == nil:
			t.Errorf("application %d: attestation of attempt %s given, never replayed", a.appID, ack.number)
		case before:
			l.filedBefore++
		case mine.outcome != "filed" || len(fs) != 1:
			t.Errorf("application %d: attempt %s replayed as %s (%s), %d filings", a.appID, ack.number, mine.outcome, mine.reason, len(fs))
		case !fs[0].FiledAt.Equal(mine.at):
			t.Errorf("application %d: filed at %s, the attempt was at %s", a.appID, fs[0].FiledAt, mine.at)
		case mine.at.Before(ack.first.Truncate(time.Second)) || mine.at.After(ack.got):
			t.Errorf("application %d: attempt dated %s, the requests were between %s and %s", a.appID, mine.at, ack.first, ack.got)
		}
		told := 0
		for _, m := range mails {
			if m.To == a.email && strings.Contains(m.Subject, "tentative") {
				told++
			}
		}
		if told != 1 {
			t.Errorf("application %d: %d mails about the attempt, want 1", a.appID, told)
		}
	}
	if len(l.attempts) == 0 {
		t.Error("no filing became an attempt: the cuts did not reach the filings")
	}
}
