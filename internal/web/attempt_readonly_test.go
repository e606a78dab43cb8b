package web_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/sejour/sejour/internal/clock"
	"github.com/sejour/sejour/internal/paths"
	"github.com/sejour/sejour/internal/store/storetest"
)

// When writes fail but reads work, the portal turns read-only and
// refuses forms; a filing still reaches its handler and becomes an
// attempt with its signed attestation, not a refusal: the person filed on
// time, and the journal will file it as of that moment.
func TestFilingInReadOnlyModeBecomesAnAttempt(t *testing.T) {
	clk := clock.NewFixed(storetest.Start)
	db := storetest.SQLite(t, clk)
	keys, journal, with := attemptKit(t, clk)
	s := newSiteWith(t, db, clk, keys, with)
	id, ticket := readyToFile(t, s, "lectureseule@example.org")
	writesOff(t, s, true)
	if err := s.health.Ready(t.Context()); err == nil {
		t.Fatal("the monitor did not see writes fail")
	}
	if on, why := s.srv.Modes.ReadOnly(); !on || why != "writes" {
		t.Fatalf("read-only mode: %v %q", on, why)
	}
	res, page := s.post(paths.Withdraw.Format(id), url.Values{"confirm": {"1"}})
	outagePage(t, "another form in read-only mode", res, page)
	res, page = s.post(paths.File.Format(id), url.Values{"tentative": {ticket}})
	if res.StatusCode != http.StatusAccepted {
		t.Fatalf("filing in read-only mode: %d, want 202 and an attestation of attempt\n%s", res.StatusCode, page)
	}
	mustContain(t, page, "Votre tentative de dépôt est enregistrée", "TEN-")
	if n := len(journal.Records()); n != 1 {
		t.Fatalf("%d records in the journal, want 1", n)
	}
}
