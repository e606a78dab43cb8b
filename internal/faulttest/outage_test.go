package faulttest

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sejour/sejour/internal/clock"
	"github.com/sejour/sejour/internal/notify/smtptest"
	"github.com/sejour/sejour/internal/store"
	"github.com/sejour/sejour/internal/store/storetest"
)

// The bounds of the outage tests (issue 12, part 6).
const (
	readyzBound   = 5500 * time.Millisecond // /readyz answers within this, whatever fails
	pageBound     = 7 * time.Second         // a page needing the database: the session's 5 s lookup and the rest
	detectLimit   = 15 * time.Second        // for the monitor (a round each 5 s) to see a change
	recoverLimit  = 20 * time.Second        // for a page to work again once the dependency is back
	outageDrafts  = 6                       // drafts filed around the outages
	incidentLimit = 20 * time.Second        // for the outage's incidents to reach their table
)

// answer is what the test got from one request.
type answer struct {
	status     int
	retryAfter string
	location   string
	body       string
	took       time.Duration
}

// ask sends one request as a browser of the site would, with session as
// its cookie (none when empty), and reads the whole answer.
func ask(ctx context.Context, base, session, method, path string, body io.Reader, contentType string) (answer, error) {
	req, err := http.NewRequestWithContext(ctx, method, base+path, body)
	if err != nil {
		return answer{}, err
	}
	if session != "" {
		req.Header.Set("Cookie", "__Host-sejour_session="+session)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
		req.Header.Set("Origin", base)
		req.Header.Set("Sec-Fetch-Site", "same-origin")
	}
	client := &http.Client{Timeout: 30 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	start := time.Now()
	res, err := client.Do(req)
	if err != nil {
		return answer{took: time.Since(start)}, err
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return answer{status: res.StatusCode, retryAfter: res.Header.Get("Retry-After"), location: res.Header.Get("Location"),
		body: string(b), took: time.Since(start)}, nil
}

var errRef = regexp.MustCompile(`ERR-[0-9A-Z]{4}-[0-9A-Z]{4}`)

// outageCheck asks /readyz and a page that needs the database, and
// checks that both say 503 with Retry-After within their bounds, never
// 500; it returns the error references the pages showed.
func outageCheck(t *testing.T, what, base string, a applicant) []string {
	t.Helper()
	ctx := t.Context()
	ready, err := ask(ctx, base, "", "GET", "/readyz", nil, "")
	if err != nil || ready.status != http.StatusServiceUnavailable || ready.took > readyzBound || ready.retryAfter == "" {
		t.Errorf("%s: /readyz answered %d in %s (Retry-After %q, err %v), want 503 within %s", what, ready.status, ready.took, ready.retryAfter, err, readyzBound)
	}
	t.Logf("%s: /readyz %d %q in %s", what, ready.status, strings.TrimSpace(ready.body), ready.took.Round(time.Millisecond))
	var refs []string
	for _, path := range []string{"/tableau-de-bord", fmt.Sprintf("/demandes/%d", a.appID)} {
		page, err := ask(ctx, base, a.session, "GET", path, nil, "")
		if err != nil || page.status != http.StatusServiceUnavailable || page.retryAfter == "" || page.took > pageBound {
			t.Errorf("%s: %s answered %d in %s (Retry-After %q, err %v), want 503 within %s", what, path, page.status, page.took, page.retryAfter, err, pageBound)
			continue
		}
		if !strings.Contains(page.body, `href="/etat"`) || !strings.Contains(page.body, "/formulaire-papier.pdf") || strings.Contains(page.body, "perdu") {
			t.Errorf("%s: %s is not the outage page:\n%s", what, path, page.body)
		}
		t.Logf("%s: %s %d in %s", what, path, page.status, page.took.Round(time.Millisecond))
		refs = append(refs, errRef.FindString(page.body))
	}
	return refs
}

// waitReady waits until /readyz says ready, without restarting anything,
// and returns how long it took.
func waitReady(t *testing.T, what, base string) time.Duration {
	t.Helper()
	start := time.Now()
	for time.Since(start) < recoverLimit {
		if a, err := ask(t.Context(), base, "", "GET", "/readyz", nil, ""); err == nil && a.status == http.StatusOK {
			return time.Since(start)
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("%s: not ready %s after the dependency came back", what, recoverLimit)
	return 0
}

// file files one draft and records it in the ledger when acknowledged.
func file(t *testing.T, base string, l *ledger, a applicant) bool {
	t.Helper()
	ok := newBrowser(base, a.session).act(t.Context(), l, "file", fmt.Sprintf("/demandes/%d/deposer", a.appID), nil, fmt.Sprintf("/demandes/%d/recepisse", a.appID))
	if ok {
		l.record(func(l *ledger) { l.filed[a.appID] = true })
	}
	return ok
}

// incidentsRecorded waits until every reference an outage page showed
// is in the incident table.
func incidentsRecorded(t *testing.T, db *store.DB, refs []string) {
	t.Helper()
	deadline := time.Now().Add(incidentLimit)
	for _, ref := range refs {
		if ref == "" {
			t.Error("an outage page showed no reference")
			continue
		}
		for {
			got, err := db.Support().Incidents(t.Context(), ref, 1)
			if err == nil && len(got) == 1 {
				if got[0].Status != http.StatusServiceUnavailable {
					t.Errorf("incident %s: status %d", ref, got[0].Status)
				}
				break
			}
			if time.Now().After(deadline) {
				t.Errorf("incident %s of the outage not recorded %s after it", ref, incidentLimit)
				break
			}
			time.Sleep(200 * time.Millisecond)
		}
	}
}

// settleAndCheck waits for the queue and checks that every acknowledged
// filing is in the database once, with its receipt mail delivered.
func settleAndCheck(t *testing.T, db *store.DB, l *ledger, apps []applicant, relay *smtptest.Server) {
	t.Helper()
	f := newInspector(t, db).settle(t, l, apps, relay, 60*time.Second)
	for _, p := range f.problems {
		t.Error(p)
	}
	t.Logf("filings acknowledged %d, in the database %d; filing mails delivered %d (twice: %d)", len(l.filed), f.filed, f.delivered, f.twice)
}

// TestDatabaseAndMailOutages runs the real server on PostgreSQL behind a
// TCP proxy, with the mail relay behind another, and in turn: cuts the
// relay, cuts the database, freezes it. During each database outage
// /readyz and the pages answer 503 with Retry-After within seconds, never
// 500; after each, the server works again without a restart, the
// incidents of the outage reach their table, and no acknowledged filing
// is lost. With the relay down the server stays ready and files, and the
// mails leave once it is back.
func TestDatabaseAndMailOutages(t *testing.T) {
	if testing.Short() && os.Getenv("CI") != "true" {
		t.Skip("cuts the database of the real server: skipped with -short")
	}
	bin := build(t)
	db := storetest.Postgres(t, clock.System{})
	began := time.Now()
	u, err := url.Parse(db.PostgresURL())
	if err != nil {
		t.Fatal(err)
	}
	pg := newProxy(t, u.Host)
	u.Host = pg.Addr()
	relay := smtptest.Start(t)
	mail := newProxy(t, relay.Addr())
	in := newInstance(t, u.String(), relay)
	host, port, _ := net.SplitHostPort(mail.Addr())
	in.vars["SEJOUR_SMTP_HOST"], in.vars["SEJOUR_SMTP_PORT"] = host, port
	srv, db, apps, l := serveDrafts(t, bin, in, db, outageDrafts)
	base := in.vars["SEJOUR_BASE_URL"]

	// The mail relay down: ready, filing, the monitor says so.
	mail.set("cut")
	waitLog(t, srv, `check=mail`, detectLimit)
	if a, _ := ask(t.Context(), base, "", "GET", "/readyz", nil, ""); a.status != http.StatusOK {
		t.Errorf("relay down: /readyz %d, want 200 (mail is not needed to serve)", a.status)
	}
	if !file(t, base, l, apps[1]) {
		t.Error("relay down: filing not acknowledged")
	}
	mail.set("up")

	var refs []string
	for _, mode := range []string{"cut", "frozen"} {
		pg.set(mode)
		outageStart := time.Now()
		refs = append(refs, outageCheck(t, "database "+mode, base, apps[2])...)
		a, err := ask(t.Context(), base, apps[2].session, "POST", fmt.Sprintf("/demandes/%d/deposer", apps[2].appID), strings.NewReader(""), "application/x-www-form-urlencoded")
		if err == nil && a.status == http.StatusSeeOther {
			l.record(func(l *ledger) { l.filed[apps[2].appID] = true })
		} else if err != nil || a.status == http.StatusInternalServerError {
			t.Errorf("database %s: filing answered %d (%v), want no 500", mode, a.status, err)
		}
		t.Logf("database %s: filing answered %d in %s", mode, a.status, a.took.Round(time.Millisecond))
		pg.set("up")
		t.Logf("database %s for %s; ready again %s after it came back", mode, time.Since(outageStart).Round(100*time.Millisecond),
			waitReady(t, "database "+mode, base).Round(100*time.Millisecond))
		if a, err := ask(t.Context(), base, apps[2].session, "GET", "/tableau-de-bord", nil, ""); err != nil || a.status != http.StatusOK {
			t.Errorf("after the database %s: dashboard %d (%v)", mode, a.status, err)
		}
	}
	incidentsRecorded(t, db, refs)
	for _, a := range apps[2:] {
		if !l.filed[a.appID] && !file(t, base, l, a) {
			t.Errorf("after recovery: filing %d not acknowledged", a.appID)
		}
	}
	settleAndCheck(t, db, l, apps, relay)
	if err := srv.stop(); err != nil {
		t.Error(err)
	}
	t.Logf("whole run %s", time.Since(began).Round(100*time.Millisecond))
}

// serveDrafts migrates the instance's database (db, or its SQLite file
// when nil, which it opens), prepares n drafts, starts the server and
// files the first draft while everything works.
func serveDrafts(t *testing.T, bin string, in *instance, db *store.DB, n int) (*server, *store.DB, []applicant, *ledger) {
	t.Helper()
	srv := newServer(t, bin, in.vars)
	srv.run(t, "migrate")
	if db == nil {
		db = in.open(t)
	}
	apps, _ := prepare(t, in, db, n, 0)
	srv.start(t)
	srv.ready(t, readyLimit)
	l := newLedger()
	if !file(t, in.vars["SEJOUR_BASE_URL"], l, apps[0]) {
		t.Fatal("filing with everything working was not acknowledged")
	}
	return srv, db, apps, l
}

// waitLog waits until the server's log has a line containing want.
func waitLog(t *testing.T, srv *server, want string, limit time.Duration) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		if b, err := os.ReadFile(srv.log.Name()); err == nil && strings.Contains(string(b), want) {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Errorf("no %q in the server's log within %s", want, limit)
}

// TestDiskFull runs the real server on SQLite with its data directory on
// a small file system of its own (tmpfs), fills it, and checks: /readyz
// says the blob store fails, within its bound; an upload answers 503
// with Retry-After, not 500; reading still works. Once space is freed the
// server works again without a restart, the upload goes through, the
// outage's incidents are recorded and every filing acknowledged is there.
// Mounting needs the privilege to; without it the test is skipped.
func TestDiskFull(t *testing.T) {
	if testing.Short() && os.Getenv("CI") != "true" {
		t.Skip("fills a file system under the real server: skipped with -short")
	}
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=48m", "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a small file system here (%v: %s)", err, strings.TrimSpace(string(out)))
	}
	t.Cleanup(func() { exec.Command("umount", "-l", dir).Run() })
	bin := build(t)
	relay := smtptest.Start(t)
	in := newInstance(t, "", relay)
	in.vars["SEJOUR_DATA_DIR"] = dir
	srv, db, apps, l := serveDrafts(t, bin, in, nil, 3)
	defer db.Close()
	base := in.vars["SEJOUR_BASE_URL"]

	filler := fill(t, dir)
	start := time.Now()
	var ready answer
	for time.Since(start) < detectLimit {
		ready, _ = ask(t.Context(), base, "", "GET", "/readyz", nil, "")
		if ready.took > readyzBound {
			t.Errorf("disk full: /readyz took %s", ready.took)
		}
		if ready.status == http.StatusServiceUnavailable {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if ready.status != http.StatusServiceUnavailable || !strings.Contains(ready.body, "blobs") {
		t.Fatalf("disk full: /readyz %d %q, want 503 naming blobs", ready.status, ready.body)
	}
	t.Logf("disk full: /readyz %d %q in %s", ready.status, strings.TrimSpace(ready.body), ready.took.Round(time.Millisecond))
	var refs []string
	up := upload(t, base, apps[1], 1)
	if up.status != http.StatusServiceUnavailable || up.retryAfter == "" || !strings.Contains(up.body, "/formulaire-papier.pdf") {
		t.Errorf("disk full: upload answered %d (Retry-After %q), want the outage page's 503:\n%s", up.status, up.retryAfter, up.body)
	}
	refs = append(refs, errRef.FindString(up.body))
	if a, err := ask(t.Context(), base, apps[0].session, "GET", fmt.Sprintf("/demandes/%d", apps[0].appID), nil, ""); err != nil || a.status == http.StatusInternalServerError {
		t.Errorf("disk full: reading a file answered %d (%v)", a.status, err)
	}

	os.Remove(filler)
	t.Logf("disk freed; ready again in %s", waitReady(t, "disk full", base).Round(100*time.Millisecond))
	if up := upload(t, base, apps[1], 2); up.status != http.StatusSeeOther {
		t.Errorf("after the disk was freed: upload answered %d", up.status)
	}
	incidentsRecorded(t, db, refs)
	for _, a := range apps[1:] {
		if !file(t, base, l, a) {
			t.Errorf("after the disk was freed: filing %d not acknowledged", a.appID)
		}
	}
	settleAndCheck(t, db, l, apps, relay)
	if err := srv.stop(); err != nil {
		t.Error(err)
	}
}

// fill writes a file until the file system at dir is full, and returns
// its name.
func fill(t *testing.T, dir string) string {
	t.Helper()
	name := dir + "/filler"
	f, err := os.Create(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	chunk := make([]byte, 1<<20)
	for {
		if _, err := f.Write(chunk); err != nil {
			if !strings.Contains(err.Error(), syscall.ENOSPC.Error()) {
				t.Fatalf("filling the disk: %v", err)
			}
			break
		}
	}
	// The last bytes, below a chunk.
	for {
		if _, err := f.Write(chunk[:512]); err != nil {
			break
		}
	}
	return name
}

// upload sends a new version of a draft's first document, a scan that
// differs from every other by its n, so that the blob store must write.
func upload(t *testing.T, base string, a applicant, n int) answer {
	t.Helper()
	img := image.NewGray(image.Rect(0, 0, 48, 32))
	for x := range 48 {
		img.Set(x, (x+n)%32, color.Gray{Y: uint8(40 + n)})
	}
	var scan bytes.Buffer
	png.Encode(&scan, img)
	slot := "passport"
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	part, _ := w.CreateFormFile("file-"+slot, "scan"+strconv.Itoa(n)+".png")
	part.Write(scan.Bytes())
	w.Close()
	ans, err := ask(t.Context(), base, a.session, "POST", fmt.Sprintf("/demandes/%d/documents/%s", a.appID, slot), &body, w.FormDataContentType())
	if err != nil {
		t.Fatalf("upload: %v", err)
	}
	return ans
}
