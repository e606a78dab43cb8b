package faulttest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"maps"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sejour/sejour/internal/blob"
	"github.com/sejour/sejour/internal/clock"
	"github.com/sejour/sejour/internal/notify/smtptest"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/store"
)

// The size of the backup run.
const (
	backupAfter  = 12               // filings acknowledged before the backup starts
	backupLimit  = 60 * time.Second // for one backup or restore command
	backupKills  = 6                // backups killed with SIGKILL
	killStepWait = 15 * time.Millisecond
)

// TestBackupUnderLoadRestores runs the real server on SQLite while
// applicants file and agents decide, runs `sejour backup` in the middle
// of it, restores the backup into a fresh directory and starts a server
// on it: every filing and decision acknowledged before the backup began
// is there, the documents' blobs open and match their sums, the receipt
// is served, and the audit trail verifies with at least the entries it
// had then. The instance has no key in its environment, so its key file
// travels in the backup and the restored server unseals its signing keys
// with it. Then backups are killed with SIGKILL at moments spread over
// their run: none leaves a directory that restore or verify accepts.
func TestBackupUnderLoadRestores(t *testing.T) {
	if testing.Short() && os.Getenv("CI") != "true" {
		t.Skip("backs up and restores the real server under load: skipped with -short")
	}
	began := time.Now()
	bin := build(t)
	relay := smtptest.Start(t)
	in := newInstance(t, "", relay)
	delete(in.vars, "SEJOUR_KEY_ENCRYPTION_KEY") // the data directory's key file, made at first start
	srv := newServer(t, bin, in.vars)
	srv.run(t, "migrate")
	db := in.open(t)
	t.Cleanup(func() { db.Close() })
	apps, staff := prepare(t, in, db, filers*draftsEach, agents)
	srv.start(t)
	srv.ready(t, readyLimit)

	l := newLedger()
	ctx, cancel := context.WithTimeout(t.Context(), loadLimit)
	defer cancel()
	stop := make(chan struct{})
	done := load(ctx, in.vars["SEJOUR_BASE_URL"], l, apps, staff, stop)
	for acknowledged(l) < backupAfter && ctx.Err() == nil {
		time.Sleep(20 * time.Millisecond)
	}
	// What was acknowledged before the backup began, and the trail then.
	l.mu.Lock()
	filed, granted, refused := maps.Clone(l.filed), maps.Clone(l.granted), maps.Clone(l.refused)
	l.mu.Unlock()
	trail, err := db.Audit().VerifyAudit(ctx)
	if err != nil {
		t.Fatal(err)
	}
	target := filepath.Join(t.TempDir(), "backup")
	backupStart := time.Now()
	out, err := command(srv, "backup", "--to", target)
	if err != nil {
		t.Fatalf("sejour backup under load: %v\n%s", err, out)
	}
	backupTook := time.Since(backupStart)
	l.mu.Lock()
	during := map[int64]bool{}
	for id := range l.filed {
		if !filed[id] {
			during[id] = true
		}
	}
	l.mu.Unlock()
	t.Logf("sejour backup with %d filings acknowledged, load running, in %s: %s", len(filed), backupTook.Round(time.Millisecond), strings.TrimSpace(out))
	if !strings.Contains(out, "WARNING: this backup holds the key-encryption key") {
		t.Errorf("the backup holds the key file and did not warn:\n%s", out)
	}
	close(stop)
	<-done
	if ctx.Err() != nil {
		t.Errorf("the load did not finish within %s", loadLimit)
	}

	restored := restoreAndServe(t, bin, relay, srv, target)
	checkRestored(t, restored, apps, filed, granted, refused, int(trail.Count))
	in2 := 0
	for id := range during {
		if fs, err := restored.db.Filings(t.Context(), id); err == nil && len(fs) == 1 {
			in2++
		}
	}
	t.Logf("filings acknowledged while the backup ran: %d, of which in the backup %d (those committed before its snapshot's read transaction)", len(during), in2)
	if err := restored.srv.stop(); err != nil {
		t.Error(err)
	}
	killBackups(t, srv)
	if err := srv.stop(); err != nil {
		t.Error(err)
	}
	t.Logf("whole run %s", time.Since(began).Round(100*time.Millisecond))
}

// acknowledged counts the filings acknowledged so far.
func acknowledged(l *ledger) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.filed)
}

// command runs one subcommand of the binary with the server's
// environment and returns its output.
func command(s *server, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), backupLimit)
	defer cancel()
	cmd := exec.CommandContext(ctx, s.bin, args...)
	cmd.Env = s.env
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// restoredInstance is the server started on a restored data directory,
// and the test's connection to its database.
type restoredInstance struct {
	srv  *server
	db   *store.DB
	dir  string
	base string
}

// restoreAndServe verifies the backup, restores it into a new data
// directory and starts a server on it, on a port of its own.
func restoreAndServe(t *testing.T, bin string, relay *smtptest.Server, src *server, backupDir string) *restoredInstance {
	t.Helper()
	if out, err := command(src, "backup", "verify", backupDir); err != nil || !strings.HasPrefix(out, "OK:") {
		t.Fatalf("sejour backup verify: %v\n%s", err, out)
	}
	in := newInstance(t, "", relay)
	delete(in.vars, "SEJOUR_KEY_ENCRYPTION_KEY") // the restored key file must do
	dir := filepath.Join(t.TempDir(), "restored")
	in.vars["SEJOUR_DATA_DIR"] = dir
	srv := newServer(t, bin, in.vars)
	start := time.Now()
	out, err := command(srv, "restore", "--from", backupDir, "--data-dir", dir)
	if err != nil || !strings.Contains(out, "audit trail: OK") {
		t.Fatalf("sejour restore: %v\n%s", err, out)
	}
	t.Logf("sejour restore in %s: %s", time.Since(start).Round(time.Millisecond), strings.TrimSpace(out))
	srv.start(t)
	srv.ready(t, readyLimit)
	db, err := store.Open(t.Context(), "", filepath.Join(dir, "sejour.db"), clock.System{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return &restoredInstance{srv: srv, db: db, dir: dir, base: in.vars["SEJOUR_BASE_URL"]}
}

// checkRestored checks the restored instance against what was
// acknowledged before the backup began.
func checkRestored(t *testing.T, r *restoredInstance, apps []applicant, filed, granted, refused map[int64]bool, entries int) {
	t.Helper()
	ctx := t.Context()
	blobs, err := blob.New(filepath.Join(r.dir, "files"))
	if err != nil {
		t.Fatal(err)
	}
	opened := 0
	for _, a := range apps {
		if !filed[a.appID] {
			continue
		}
		if fs, err := r.db.Filings(ctx, a.appID); err != nil || len(fs) != 1 {
			t.Errorf("application %d: filing acknowledged before the backup, %d in the restored database (%v)", a.appID, len(fs), err)
			continue
		}
		var state string
		if err := r.db.SQL().QueryRowContext(ctx, `SELECT state FROM applications WHERE id = ?`, a.appID).Scan(&state); err != nil {
			t.Fatal(err)
		}
		if granted[a.appID] && state != string(permit.StateFavourable) || refused[a.appID] && state != string(permit.StateUnfavourable) {
			t.Errorf("application %d: decision acknowledged before the backup (granted %v), restored in state %s", a.appID, granted[a.appID], state)
		}
		opened += openDocuments(t, r.db, blobs, a.appID)
	}
	if opened == 0 {
		t.Error("no document of a filed application was checked")
	}
	// The restored server serves a receipt from the restored data, to
	// the session the applicant had.
	for _, a := range apps {
		if filed[a.appID] {
			got, err := ask(ctx, r.base, a.session, "GET", fmt.Sprintf("/demandes/%d/recepisse.pdf", a.appID), nil, "")
			if err != nil || got.status != http.StatusOK || !strings.HasPrefix(got.body, "%PDF") {
				t.Errorf("restored server: receipt of application %d answered %d (%v)", a.appID, got.status, err)
			}
			break
		}
	}
	out, err := command(r.srv, "audit", "verify")
	var n int
	at := strings.Index(out, "OK, ")
	if at < 0 || err != nil {
		t.Fatalf("sejour audit verify on the restored instance: %v\n%s", err, out)
	}
	if _, err := fmt.Sscanf(out[at:], "OK, %d entries", &n); err != nil {
		t.Fatalf("sejour audit verify on the restored instance: %v\n%s", err, out)
	}
	if n < entries || n == 0 {
		t.Errorf("restored audit trail: %d entries, %d were there before the backup", n, entries)
	}
	t.Logf("restored: %d filings and %d decisions acknowledged before the backup all there, %d documents' blobs opened, audit trail OK with %d entries (%d before the backup)",
		len(filed), len(granted)+len(refused), opened, n, entries)
}

// openDocuments opens every document of an application in the restored
// blob store and checks its content against its sum; it returns how many.
func openDocuments(t *testing.T, db *store.DB, blobs *blob.Dir, appID int64) int {
	t.Helper()
	rows, err := db.SQL().QueryContext(t.Context(), `SELECT blob_sum FROM documents WHERE application_id = ?`, appID)
	if err != nil {
		t.Fatal(err)
	}
	var sums []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		sums = append(sums, s)
	}
	rows.Close()
	for _, sum := range sums {
		rc, err := blobs.Open(t.Context(), sum)
		if err != nil {
			t.Errorf("application %d: document blob %s does not open in the restored directory: %v", appID, sum, err)
			continue
		}
		h := sha256.New()
		io.Copy(h, rc)
		rc.Close()
		if got := hex.EncodeToString(h.Sum(nil)); got != sum {
			t.Errorf("application %d: blob %s holds content hashing to %s", appID, sum, got)
		}
	}
	return len(sums)
}

// killBackups starts backups of the instance and kills each with SIGKILL
// once its temporary directory exists, a little later each time. A
// backup killed before its final rename must leave its target absent or
// empty, and neither restore nor verify may accept the target or the
// temporary directory; a backup that finished, or was killed after the
// rename that completes it, must verify.
func killBackups(t *testing.T, src *server) {
	t.Helper()
	midway, finished := 0, 0
	var reached []string // what each killed backup had written
	for i := range backupKills {
		parent := t.TempDir()
		target := filepath.Join(parent, "backup")
		cmd := exec.Command(src.bin, "backup", "--to", target)
		cmd.Env = src.env
		var log strings.Builder
		cmd.Stdout, cmd.Stderr = &log, &log
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		exited := make(chan struct{})
		var waitErr error
		go func() { waitErr = cmd.Wait(); close(exited) }()
		partial := waitPartial(parent, exited)
		time.Sleep(time.Duration(i) * killStepWait)
		cmd.Process.Signal(syscall.SIGKILL)
		<-exited
		if waitErr == nil {
			finished++
			if out, err := command(src, "backup", "verify", target); err != nil {
				t.Errorf("kill %d: a backup that finished does not verify: %v\n%s", i, err, out)
			}
			continue
		}
		if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() {
			t.Errorf("kill %d: the backup failed on its own: %v\n%s", i, waitErr, log.String())
			continue
		}
		if entries, err := os.ReadDir(target); err == nil && len(entries) > 0 {
			// Killed after the rename that completes it (printing its
			// summary, exiting): the backup is whole and must verify.
			finished++
			if out, err := command(src, "backup", "verify", target); err != nil {
				t.Errorf("kill %d: killed after its rename, the backup does not verify: %v\n%s", i, err, out)
			}
			continue
		}
		midway++
		reached = append(reached, written(partial))
		for _, dir := range []string{target, partial} {
			if dir == "" {
				continue
			}
			if out, err := command(src, "backup", "verify", dir); err == nil {
				t.Errorf("kill %d: verify accepted %s:\n%s", i, dir, out)
			}
			if out, err := command(src, "restore", "--from", dir, "--data-dir", filepath.Join(parent, "restored")); err == nil {
				t.Errorf("kill %d: restore accepted %s:\n%s", i, dir, out)
			}
		}
		if _, err := os.Stat(filepath.Join(parent, "restored")); err == nil {
			t.Errorf("kill %d: a refused restore left its target", i)
		}
	}
	t.Logf("%d backups killed: %d mid-way (none accepted; files written at the kill: %v), %d had finished", backupKills, midway, reached, finished)
	if midway == 0 {
		t.Error("no backup was killed mid-way: the kills came too late")
	}
}

// waitPartial waits until parent holds a backup's temporary directory,
// and returns its path; empty when the process ended first.
func waitPartial(parent string, exited <-chan struct{}) string {
	deadline := time.Now().Add(backupLimit)
	for time.Now().Before(deadline) {
		entries, _ := os.ReadDir(parent)
		for _, e := range entries {
			if strings.Contains(e.Name(), ".partial-") {
				return filepath.Join(parent, e.Name())
			}
		}
		select {
		case <-exited:
			return ""
		default:
		}
		time.Sleep(time.Millisecond)
	}
	return ""
}

// written says what a killed backup's temporary directory holds.
func written(dir string) string {
	if dir == "" {
		return "no directory"
	}
	files, db, manifest := 0, false, false
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			files++
			db = db || d.Name() == "sejour.db"
			manifest = manifest || d.Name() == "manifest.json"
		}
		return nil
	})
	return fmt.Sprintf("%d files (database %v, manifest %v)", files, db, manifest)
}
