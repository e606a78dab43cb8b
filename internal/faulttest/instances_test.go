package faulttest

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sejour/sejour/internal/clock"
	"github.com/sejour/sejour/internal/notify/smtptest"
	"github.com/sejour/sejour/internal/store/storetest"
)

// instanceKills is how many times one of the two instances is killed.
const instanceKills = 3

// TestTwoInstancesBehindAProxy runs two `sejour serve` on one PostgreSQL
// behind a real reverse proxy (Debian's HAProxy, round robin, health
// checked on /readyz), the way docs/operations.md deploys several
// instances (issue 15, part 1). Applicants file and agents decide through
// the proxy while one instance is killed with SIGKILL and started again,
// the other serving on. Then: every filing and decision acknowledged is
// in the database with its attestation and mail, nothing twice, no job
// stuck (the same inspector as TestKillDuringFilingsAndDecisions); and the
// log-in limit holds across both instances: guesses at one account that
// the proxy spreads over the two are refused after the burst of one.
func TestTwoInstancesBehindAProxy(t *testing.T) {
	if testing.Short() && os.Getenv("CI") != "true" {
		t.Skip("runs two servers and a proxy for about a minute: skipped with -short")
	}
	haproxy := haproxyPath(t)
	bin := build(t)
	db := storetest.Postgres(t, clock.System{})
	relay := smtptest.Start(t)
	in := newInstance(t, db.PostgresURL(), relay)
	proxy := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	base := "http://" + proxy
	// Both instances share the database, the key-encryption key and the
	// blob directory; each has its own address and attempts journal. The
	// public address is the proxy's, which they trust for the client's.
	in.vars["SEJOUR_BASE_URL"] = base
	in.vars["SEJOUR_TRUSTED_PROXIES"] = "127.0.0.1"
	// With an S3-compatible server at hand (.ci/run starts one), the blobs
	// go to a bucket and each instance has a data directory of its own:
	// nothing is shared on disk.
	blobs := "one blob directory"
	s3 := os.Getenv("SEJOUR_TEST_S3_ENDPOINT") != ""
	if s3 {
		blobs = "an S3 bucket"
		in.vars["SEJOUR_BLOB_URL"] = fmt.Sprintf("s3://%s/instances-%d", os.Getenv("SEJOUR_TEST_S3_BUCKET"), time.Now().UnixNano())
		in.vars["SEJOUR_S3_ENDPOINT"] = os.Getenv("SEJOUR_TEST_S3_ENDPOINT")
		in.vars["SEJOUR_S3_ACCESS_KEY"] = os.Getenv("SEJOUR_TEST_S3_ACCESS_KEY")
		in.vars["SEJOUR_S3_SECRET_KEY"] = os.Getenv("SEJOUR_TEST_S3_SECRET_KEY")
	}
	var servers [2]*server
	var addrs [2]string
	for i := range servers {
		vars := maps.Clone(in.vars)
		addrs[i] = fmt.Sprintf("127.0.0.1:%d", freePort(t))
		vars["SEJOUR_ADDR"] = addrs[i]
		vars["SEJOUR_ATTEMPTS_DIR"] = t.TempDir()
		if s3 {
			vars["SEJOUR_DATA_DIR"] = t.TempDir()
		}
		servers[i] = newServer(t, bin, vars)
	}
	servers[0].run(t, "migrate")
	apps, staff := prepare(t, in, db, filers*draftsEach, agents)
	for _, s := range servers {
		s.start(t)
		s.ready(t, readyLimit)
	}
	startHAProxy(t, haproxy, proxy, addrs)

	began := time.Now()
	l := newLedger()
	ctx, cancel := context.WithTimeout(t.Context(), loadLimit)
	defer cancel()
	stop := make(chan struct{})
	done := load(ctx, base, l, apps, staff, stop)
	for range instanceKills {
		pause(ctx, killAfterMin, killAfterMax)
		servers[0].kill()
		pause(ctx, killAfterMin, killAfterMax) // the other serves alone a while
		servers[0].start(t)
		servers[0].ready(t, readyLimit)
	}
	close(stop)
	<-done
	if ctx.Err() != nil {
		t.Errorf("the load did not finish within %s", loadLimit)
	}
	loadTook := time.Since(began)

	f := newInspector(t, db).settle(t, l, apps, relay, settleLimit)
	for _, p := range f.problems {
		t.Error(p)
	}
	if len(l.filed) < len(apps)/4 {
		t.Errorf("only %d of %d filings acknowledged through the proxy", len(l.filed), len(apps))
	}

	// Guesses at one account through the proxy, which sends them to the
	// two instances in turn: five a pair of account and address, then
	// refused, on either instance.
	statuses := guessThrough(t, base, apps[0].email, 8)
	for i, st := range statuses {
		if want := i >= 5; (st == http.StatusTooManyRequests) != want {
			t.Errorf("guess %d through the proxy: %d (all: %v); want the sixth and later refused", i+1, st, statuses)
			break
		}
	}
	for _, s := range servers {
		if err := s.stop(); err != nil {
			t.Error(err)
		}
	}
	t.Logf("blobs in %s; %d kills of one instance; filings acknowledged %d, in the database %d; grants acknowledged %d, in the database %d; refusals acknowledged %d, in the database %d",
		blobs, instanceKills, len(l.filed), f.filed, len(l.granted), f.granted, len(l.refused), f.refused)
	t.Logf("requests without answer (or a proxy's 502/503) %d, declined %v; mails delivered %d (twice: %d), waiting for River's rescue %d; guesses %v; load %s",
		l.unanswered, l.declined, f.delivered, f.twice, f.awaitRescue, statuses, loadTook.Round(100*time.Millisecond))
}

// haproxyPath finds Debian's haproxy; in CI its absence fails the test.
func haproxyPath(t *testing.T) string {
	t.Helper()
	for _, p := range []string{"haproxy", "/usr/sbin/haproxy"} {
		if path, err := exec.LookPath(p); err == nil {
			return path
		}
	}
	const msg = "haproxy not found: install it (apt-get install haproxy) to run the two-instance test"
	if os.Getenv("CI") == "true" {
		t.Fatal(msg + "; CI=true forbids skipping it")
	}
	t.Skip(msg)
	return ""
}

// haproxyConfig balances the two instances in turn, checks /readyz every
// half second, and sends a request whose connection fails to the other
// instance; it adds X-Forwarded-For, which the instances trust from it.
const haproxyConfig = `global
	maxconn 512
defaults
	mode http
	timeout connect 2s
	timeout client 30s
	timeout server 30s
	retries 3
	option redispatch
frontend sejour
	bind %s
	option forwardfor
	default_backend instances
backend instances
	balance roundrobin
	option httpchk GET /readyz
	http-check expect status 200
	default-server inter 500ms fall 2 rise 1
	server a %s check
	server b %s check
`

// startHAProxy runs haproxy in the foreground on listen, in front of the
// two addresses, until the test ends, and waits for it to answer.
func startHAProxy(t *testing.T, bin, listen string, addrs [2]string) {
	t.Helper()
	cfg := filepath.Join(t.TempDir(), "haproxy.cfg")
	if err := os.WriteFile(cfg, fmt.Appendf(nil, haproxyConfig, listen, addrs[0], addrs[1]), 0o644); err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	cmd := exec.Command(bin, "-db", "-f", cfg)
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		if t.Failed() {
			t.Logf("haproxy:\n%s", out.String())
		}
	})
	client := &http.Client{Timeout: time.Second}
	for deadline := time.Now().Add(readyLimit); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if res, err := client.Get("http://" + listen + "/readyz"); err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return
			}
		}
	}
	t.Fatalf("haproxy did not answer within %s:\n%s", readyLimit, out.String())
}

// guessThrough posts n wrong passwords for email to the log-in form
// through base, one after the other, and returns the statuses.
func guessThrough(t *testing.T, base, email string, n int) []int {
	t.Helper()
	client := &http.Client{Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	var statuses []int
	for range n {
		form := url.Values{"email": {email}, "password": {"not the password"}}
		req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, base+"/connexion", strings.NewReader(form.Encode()))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", base)
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		res, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		statuses = append(statuses, res.StatusCode)
	}
	return statuses
}
