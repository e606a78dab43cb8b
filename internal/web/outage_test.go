package web_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/sejour/sejour/internal/paths"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/rules"
	"github.com/sejour/sejour/internal/store"
	"github.com/sejour/sejour/internal/web"
)

// writesOff makes the SQLite database refuse writes as a read-only
// replica or a file turned read-only would (SQLITE_READONLY), on the
// store's one writer connection; reads go on.
func writesOff(t *testing.T, s *site, off bool) {
	t.Helper()
	v := "0"
	if off {
		v = "1"
	}
	if _, err := s.db.SQL().ExecContext(context.Background(), "PRAGMA query_only = "+v); err != nil {
		t.Fatal(err)
	}
}

// outagePage checks a response is the outage page: 503, Retry-After, no
// "internal error", the backup channels and what still works.
func outagePage(t *testing.T, what string, res *http.Response, page string) {
	t.Helper()
	if res.StatusCode != http.StatusServiceUnavailable || res.Header.Get("Retry-After") != web.RetryAfter {
		t.Fatalf("%s: %d, Retry-After %q, want 503 with Retry-After\n%s", what, res.StatusCode, res.Header.Get("Retry-After"), page)
	}
	chans, _ := rules.BackupChannels()
	want := []string{paths.Status.String(), paths.Verify.String(), paths.PaperForm.String()}
	for _, c := range chans {
		want = append(want, c.Phone, c.Counter)
	}
	for _, w := range want {
		if !strings.Contains(page, w) {
			t.Errorf("%s: the outage page lacks %q", what, w)
		}
	}
	for _, bad := range []string{"n'est perdu", "n’est perdu", "is lost", "Erreur interne"} {
		if strings.Contains(page, bad) {
			t.Errorf("%s: the outage page says %q", what, bad)
		}
	}
}

// TestOutagePageWhenTheDatabaseIsDown: with the database gone, a logged-in
// person (whose session cannot be looked up) and an anonymous visitor get
// the outage page, in French and English, not a 500; /readyz says so;
// the paper form still downloads.
func TestOutagePageWhenTheDatabaseIsDown(t *testing.T) {
	s := sqliteSite(t)
	s.prefecture("75", "75")
	s.applicantWithFiling("panne@example.org")
	anon := newSite(t, s.db, s.clk)
	s.db.Close()

	res, page := s.get(paths.Dashboard.String())
	outagePage(t, "dashboard", res, page)
	if !strings.Contains(page, "Le portail ne peut pas traiter votre demande") || !strings.Contains(page, "nous ne pouvons pas savoir s") {
		t.Errorf("French outage page:\n%s", page)
	}
	anon.lang = "en"
	res, page = anon.post(paths.LogIn.String(), url.Values{"email": {"panne@example.org"}, "password": {"x"}})
	outagePage(t, "log-in, anonymous", res, page)
	if !strings.Contains(page, "What still works") || !strings.Contains(page, "Monday to Friday") {
		t.Errorf("English outage page:\n%s", page)
	}

	start := time.Now()
	res, page = anon.get(paths.Readyz.String())
	if res.StatusCode != http.StatusServiceUnavailable || !strings.Contains(page, "database") || strings.Contains(page, "sql:") {
		t.Errorf("readyz: %d %q", res.StatusCode, page)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("readyz took %s", took)
	}
	res, pdf := anon.get(paths.PaperForm.String())
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(pdf, "%PDF-") {
		t.Errorf("paper form: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
}

// TestReadOnlyWhenWritesFail: a database that reads but cannot write puts
// the site in read-only mode by itself: pages read and say why forms are
// refused, forms get an explained 503, /readyz names "writes"; when
// writes work again everything does, without a restart.
func TestReadOnlyWhenWritesFail(t *testing.T) {
	s := sqliteSite(t)
	s.prefecture("75", "75")
	id := s.applicantWithFiling("lecture@example.org")
	ctx := t.Context()
	writesOff(t, s, true)
	res, page := s.get(paths.Readyz.String()) // runs the probes: the monitor sees writes fail
	if res.StatusCode != http.StatusServiceUnavailable || page != "unavailable: writes\n" {
		t.Fatalf("readyz with writes failing: %d %q", res.StatusCode, page)
	}
	if on, why := s.srv.Modes.ReadOnly(); !on || why != "writes" {
		t.Fatalf("read-only mode: %v %q", on, why)
	}
	res, page = s.get(paths.Application.Format(id))
	if res.StatusCode != http.StatusOK || !strings.Contains(page, "Le portail est en lecture seule") {
		t.Fatalf("reading the file in read-only mode: %d\n%s", res.StatusCode, page)
	}
	atts, err := s.db.Attestations(ctx, id)
	if err != nil || len(atts) == 0 {
		t.Fatalf("attestations: %v %v", atts, err)
	}
	// The filing's attestation is its receipt: the link leads to its PDF.
	if res, _ := s.get(paths.Attestation.FormatIDs(id, atts[0].ID)); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != paths.ReceiptPDF.Format(id) {
		t.Errorf("the filing's attestation in read-only mode: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	if res, pdf := s.get(paths.ReceiptPDF.Format(id)); res.StatusCode != http.StatusOK || !strings.HasPrefix(pdf, "%PDF-") {
		t.Errorf("downloading the receipt in read-only mode: %d", res.StatusCode)
	}
	res, page = s.post(paths.Withdraw.Format(id), url.Values{"confirm": {"1"}})
	outagePage(t, "a form in read-only mode", res, page)
	if !strings.Contains(page, "rien n&#39;a été enregistré") {
		t.Errorf("the refusal does not say nothing was saved:\n%s", page)
	}
	writesOff(t, s, false)
	if err := s.health.Ready(ctx); err != nil {
		t.Fatal(err)
	}
	if on, _ := s.srv.Modes.ReadOnly(); on {
		t.Fatal("read-only mode kept after writes came back")
	}
	if res, page := s.get(paths.Readyz.String()); res.StatusCode != http.StatusOK {
		t.Fatalf("readyz after recovery: %d %q", res.StatusCode, page)
	}
	if res, page := s.get(paths.Application.Format(id)); res.StatusCode != http.StatusOK || strings.Contains(page, "lecture seule") {
		t.Fatalf("after recovery: %d\n%s", res.StatusCode, page)
	}
}

// TestReadOnlySwitchedByAnAdmin: an admin turns the read-only mode on and
// off; while it is on, forms are refused with a 503 and pages say why.
func TestReadOnlySwitchedByAnAdmin(t *testing.T) {
	s := sqliteSite(t)
	admin := s.as("admin@example.org", permit.RoleAdmin)
	res, page := admin.get(paths.ReadOnly.String())
	if res.StatusCode != http.StatusOK || !strings.Contains(page, "Le portail accepte les écritures") || !strings.Contains(page, "database") {
		t.Fatalf("switch page: %d\n%s", res.StatusCode, page)
	}
	if res, _ := admin.post(paths.ReadOnly.String(), url.Values{"on": {"1"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("switch on: %d", res.StatusCode)
	}
	if on, why := admin.srv.Modes.ReadOnly(); !on || why != "admin" {
		t.Fatalf("mode: %v %q", on, why)
	}
	res, page = admin.post(paths.StaffAccounts.String(), url.Values{"email": {"agent@example.org"}, "title": {"agent"}})
	outagePage(t, "creating staff in read-only mode", res, page)
	if _, _, err := admin.db.Accounts().AccountByEmail(t.Context(), "agent@example.org"); permit.ErrorCode(err) != permit.ENOTFOUND {
		t.Fatalf("the refused form wrote: %v", err)
	}
	if _, page := admin.get(paths.StaffAccounts.String()); !strings.Contains(page, "Le portail est en lecture seule") {
		t.Fatal("no read-only banner")
	}
	admin.post(paths.ReadOnly.String(), url.Values{"on": {"0"}})
	if on, _ := admin.srv.Modes.ReadOnly(); on {
		t.Fatal("mode still on")
	}
}

// TestIncidentsOfAnOutageRecordedAfterIt: the errors of requests that
// failed while the database could not write reach the incident table,
// under the references their pages showed and at their time, once the
// monitor sees writes work again.
func TestIncidentsOfAnOutageRecordedAfterIt(t *testing.T) {
	s := sqliteSite(t)
	s.prefecture("75", "75")
	s.applicantWithFiling("incident@example.org")
	ctx := t.Context()
	writesOff(t, s, true)
	failedAt := s.clk.Now()
	res, page := s.post(paths.LogOut.String(), nil) // deleting the session fails
	outagePage(t, "log-out with writes failing", res, page)
	ref := refOf(t, page)
	if s.srv.PendingIncidents() != 1 {
		t.Fatalf("pending incidents: %d", s.srv.PendingIncidents())
	}
	_ = s.health.Ready(ctx) // the monitor sees the outage
	s.clk.Advance(10 * time.Minute)
	writesOff(t, s, false)
	if err := s.health.Ready(ctx); err != nil { // and its end, which writes the incidents
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	var got []*permit.Incident
	for time.Now().Before(deadline) {
		got, _ = s.db.Support().Incidents(ctx, ref, 10)
		if len(got) > 0 {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if len(got) != 1 || got[0].Status != http.StatusServiceUnavailable || !got[0].At.Equal(failedAt) || !strings.Contains(got[0].Cause, "readonly") {
		t.Fatalf("incident %s after the outage: %+v", ref, got)
	}
	if s.srv.PendingIncidents() != 0 {
		t.Fatalf("still pending: %d", s.srv.PendingIncidents())
	}
}

// refOf reads the error reference an outage page shows.
func refOf(t *testing.T, page string) string {
	t.Helper()
	i := strings.Index(page, "ERR-")
	if i < 0 {
		t.Fatalf("no reference on the page:\n%s", page)
	}
	return page[i : i+len("ERR-XXXX-XXXX")]
}

// keptPDF checks that a signed attestation's PDF was kept in the blob
// store when it was issued, as served, and that downloads are served from
// there: pointed at another blob, the download gives that blob.
func keptPDF(t *testing.T, s *site, appID int64, at *permit.Attestation, served string) {
	t.Helper()
	ctx := t.Context()
	if at.PDFSum == "" {
		t.Fatalf("attestation %s: no PDF kept at issue", at.Number)
	}
	rc, err := s.uc.Documents.Blobs.Open(ctx, at.PDFSum)
	if err != nil {
		t.Fatal(err)
	}
	kept, _ := io.ReadAll(rc)
	rc.Close()
	if string(kept) != served {
		t.Fatalf("attestation %s: the kept PDF (%d bytes) is not the one served (%d bytes)", at.Number, len(kept), len(served))
	}
	marker := []byte("%PDF-1.4 kept at issue")
	sum, err := s.uc.Documents.Blobs.Put(ctx, marker)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.db.SQL().ExecContext(ctx, rebind(s, "UPDATE attestations SET pdf_sum = ? WHERE id = ?"), sum, at.ID); err != nil {
		t.Fatal(err)
	}
	if _, pdf := s.get(paths.Attestation.FormatIDs(appID, at.ID)); pdf != string(marker) {
		t.Fatalf("attestation %s: not served from the blob store: %.40q", at.Number, pdf)
	}
}

// rebind writes a query's placeholders for the site's database.
func rebind(s *site, q string) string {
	if s.db.Dialect() == store.Postgres {
		return strings.Replace(strings.Replace(q, "?", "$1", 1), "?", "$2", 1)
	}
	return q
}
