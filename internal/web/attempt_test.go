package web_test

import (
	"bytes"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/sejour/sejour/internal/attempts"
	"github.com/sejour/sejour/internal/casework"
	"github.com/sejour/sejour/internal/clock"
	"github.com/sejour/sejour/internal/paths"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/seal"
	"github.com/sejour/sejour/internal/store"
	"github.com/sejour/sejour/internal/store/storetest"
	"github.com/sejour/sejour/internal/web"
)

var (
	ticketField = regexp.MustCompile(`name="tentative" value="([^"]+)"`)
	attemptCode = regexp.MustCompile(`<p class="sejour-code">([^<]+)</p>`)
)

// A logged-in applicant files while the database is down: the session
// proof lets the filing through, the attempt is journalled and its
// signed attestation given at once, as a page and a PDF; nothing else is
// let through on the proof. When the database is back, the replay files
// the application once, dated at the attempt, and the dashboard says so.
func TestFilingDuringAnOutageGivesAnAttemptThenAFilingAsOfIt(t *testing.T) {
	storetest.EachPair(t, func(t *testing.T, a, b *store.DB, clk *clock.Fixed) {
		keys, journal, with := attemptKit(t, clk)
		up := newSiteWith(t, a, clk, keys, with)
		id, ticket := readyToFile(t, up, "panne@example.org")
		if up.cookie[web.ProofCookie] == "" {
			t.Fatal("the session carries no proof")
		}

		// The database goes down: this instance's connection to it is
		// closed, every read and write fails.
		down := newSiteWith(t, b, clk, keys, with)
		b.Close()
		cookies := map[string]string{}
		for k, v := range up.cookie {
			cookies[k] = v
		}
		attemptAt := clk.Now()
		down.cookie = cookies
		res, page := down.post(paths.File.Format(id), url.Values{"tentative": {ticket}})
		if res.StatusCode != http.StatusAccepted {
			t.Fatalf("filing with the database down: %d\n%s", res.StatusCode, page)
		}
		mustContain(t, page, "Votre tentative de dépôt est enregistrée", "TEN-", "26 novembre 2026", "10:00",
			"votre demande sera déposée à cette date et à cette heure")
		printed := attemptCode.FindStringSubmatch(page)[1]
		code := html.UnescapeString(printed)
		if res, again := down.post(paths.File.Format(id), url.Values{"tentative": {ticket}}); !strings.Contains(again, printed) {
			t.Errorf("a second click gave another attempt: %d", res.StatusCode)
		}
		res, pdf := down.post(paths.AttemptPDF.String(), url.Values{"code": {code}})
		if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(pdf, "%PDF-") {
			t.Errorf("the attempt's PDF with the database down: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
		}
		// Anyone can check the code: the verifier names the kind and the
		// moment of the attempt.
		_, page = up.verifyCode(code)
		mustContain(t, page, "Attestation de tentative de dépôt authentique", "26 novembre 2026, 10:00", "il est achevé à cette date et à cette heure")
		// A relying party checks it with the database still down.
		relying := *down
		relying.cookie = map[string]string{}
		_, page = relying.verifyCode(code)
		mustContain(t, page, "Attestation de tentative de dépôt authentique")
		// The proof opens nothing else, and a forged ticket or a missing
		// proof records nothing.
		if res, _ := down.get(paths.Dashboard.String()); res.StatusCode < 500 {
			t.Errorf("the dashboard on a session proof: %d", res.StatusCode)
		}
		if res, _ := down.post(paths.File.Format(id), url.Values{"tentative": {ticket + "x"}}); res.StatusCode == http.StatusAccepted {
			t.Error("a forged ticket was recorded as an attempt")
		}
		delete(down.cookie, web.ProofCookie)
		if res, _ := down.post(paths.File.Format(id), url.Values{"tentative": {ticket}}); res.StatusCode == http.StatusAccepted {
			t.Error("an attempt was recorded without a session proof")
		}
		if n := len(journal.Records()); n != 1 {
			t.Fatalf("%d records in the journal, want 1", n)
		}

		// Still waiting, the dashboard says so (on an instance that
		// answers); ten days later, the replay files it as of the attempt.
		_, page = up.get(paths.Dashboard.String())
		mustContain(t, page, "Dépôts tentés pendant une panne", "en attente")
		clk.Advance(10 * 24 * time.Hour)
		_, secret, err := up.uc.Accounts.LogIn(t.Context(), loginForm("panne@example.org"), "")
		if err != nil {
			t.Fatal(err)
		}
		up.cookie[web.SessionCookie] = secret
		if n, err := up.uc.Attempts.Replay(t.Context()); n != 1 || err != nil {
			t.Fatalf("replay: %d, %v", n, err)
		}
		fs, err := a.Filings(t.Context(), id)
		if err != nil || len(fs) != 1 || !fs[0].FiledAt.Equal(attemptAt) {
			t.Fatalf("filings %v (%v), want one at %s", fs, err, attemptAt)
		}
		_, page = up.get(paths.Dashboard.String())
		mustContain(t, page, "votre demande est déposée, datée de ce moment", "26 novembre 2026")
		_, page = up.get(paths.Receipt.Format(id))
		mustContain(t, page, "26 novembre 2026")
	})
}

// attemptKit is what a site needs to record filing attempts: a keyring,
// the tokens of tickets and session proofs, and a journal in a temporary
// directory, closed when the test ends; with hands them to newSiteWith.
// readyToFile signs an applicant of Paris in on s and prepares a complete
// renewal, up to its filing form; it returns the application and the
// form's ticket.
func readyToFile(t *testing.T, s *site, email string) (int64, string) {
	t.Helper()
	s.prefecture("75", "75")
	s.cookie = map[string]string{web.SessionCookie: loggedIn(t, s, email, permit.RoleApplicant)}
	s.profile("75011", "student", 90)
	id := s.start(permit.KindRenewal, "student")
	s.complete(id)
	_, page := s.get(paths.Application.Format(id))
	m := ticketField.FindStringSubmatch(page)
	if m == nil {
		t.Fatal("the filing form carries no ticket")
	}
	return id, html.UnescapeString(m[1])
}

func attemptKit(t *testing.T, clk *clock.Fixed) (*seal.Keyring, *attempts.Journal, func(*casework.Config, *web.Options)) {
	t.Helper()
	keys, err := seal.NewKeyring(clk.Now())
	if err != nil {
		t.Fatal(err)
	}
	tokens, err := seal.NewTokens(bytes.Repeat([]byte{3}, 32))
	if err != nil {
		t.Fatal(err)
	}
	journal, err := attempts.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { journal.Close() })
	return keys, journal, func(cfg *casework.Config, o *web.Options) {
		cfg.Journal, cfg.Tokens, cfg.AttemptSealer, o.Tokens = journal, tokens, seal.Sealer{Keys: keys}, tokens
	}
}
