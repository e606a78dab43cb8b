package store_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sejour/sejour/internal/clock"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/store"
)

// TestCrashKeepsAcknowledgedWrites starts a child process that writes
// accounts from 8 goroutines at once, so that SQLite's group commit
// commits several together, and prints each id once its write is
// committed; every fourth write fails after inserting its account (its
// confirmation token is taken), so that its part of a group is rolled
// back. The child is killed with SIGKILL in the middle of its work. Every
// id it acknowledged must be in the database when it is opened again, no
// failed write may have left its account, and writes must have been
// committed together.
func TestCrashKeepsAcknowledgedWrites(t *testing.T) {
	if os.Getenv("SEJOUR_CRASH_CHILD") != "" {
		crashChild()
		return
	}
	path := filepath.Join(t.TempDir(), "sejour.db")
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashKeepsAcknowledgedWrites$")
	cmd.Env = append(os.Environ(), "SEJOUR_CRASH_CHILD="+path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var acked []string
	failed, grouped := 0, int64(0)
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		line := sc.Text()
		if id, ok := strings.CutPrefix(line, "ACK "); ok {
			acked = append(acked, id)
		} else if g, ok := strings.CutPrefix(line, "FAILED "); ok {
			failed++
			fmt.Sscan(g, &grouped)
		} else if strings.HasPrefix(line, "ERR ") {
			t.Fatalf("child: %s", line)
		}
		if len(acked) >= 400 && failed >= 50 {
			break
		}
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	if len(acked) < 400 || failed < 50 {
		t.Fatalf("child acknowledged only %d writes and saw %d fail before dying", len(acked), failed)
	}
	if grouped < 2 {
		t.Errorf("at most %d write was committed at once: the group commit never grouped", grouped)
	}
	t.Logf("killed after %d acknowledged and %d failed writes; up to %d committed together", len(acked), failed, grouped)

	db, err := store.Open(context.Background(), "", path, clock.System{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, id := range acked {
		if _, _, err := db.Accounts().AccountByEmail(context.Background(), "crash-"+id+"@example.org"); err != nil {
			t.Errorf("acknowledged write %s lost after kill: %v", id, err)
		}
	}
	var left int
	if err := db.SQL().QueryRow(`SELECT COUNT(*) FROM accounts WHERE email LIKE 'fail-%'`).Scan(&left); err != nil || left != 0 {
		t.Errorf("%d accounts of failed writes stayed (%v)", left, err)
	}
}

// crashChild writes as fast as it can, from 8 goroutines, until it is
// killed.
func crashChild() {
	ctx := context.Background()
	db, err := store.Open(ctx, "", os.Getenv("SEJOUR_CRASH_CHILD"), clock.System{})
	if err != nil {
		fmt.Println("ERR", err)
		os.Exit(1)
	}
	if _, err := db.Migrate(ctx); err != nil {
		fmt.Println("ERR", err)
		os.Exit(1)
	}
	taken := &permit.Token{Hash: "taken", Purpose: permit.TokenConfirmEmail, ExpiresAt: time.Now().Add(time.Hour)}
	if err := db.Accounts().CreateAccount(ctx, &permit.Account{Email: "first@example.org", Role: permit.RoleApplicant, Lang: "fr"}, "h", taken, nil); err != nil {
		fmt.Println("ERR", err)
		os.Exit(1)
	}
	var mu sync.Mutex
	say := func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		fmt.Printf(format, args...)
	}
	deadline := time.Now().Add(30 * time.Second)
	var next atomic.Int64
	for range 8 {
		go func() {
			for time.Now().Before(deadline) {
				i := next.Add(1)
				if i%4 == 0 {
					a := &permit.Account{Email: fmt.Sprintf("fail-%d@example.org", i), Role: permit.RoleApplicant, Lang: "fr"}
					tok := *taken
					tok.AccountID = 0
					if err := db.Accounts().CreateAccount(ctx, a, "h", &tok, nil); permit.ErrorCode(err) != permit.ECONFLICT {
						say("ERR a write meant to fail gave %v\n", err)
						os.Exit(1)
					}
					say("FAILED %d\n", store.LargestGroup(db))
					continue
				}
				a := &permit.Account{Email: fmt.Sprintf("crash-%d@example.org", i), Role: permit.RoleApplicant, Lang: "fr"}
				if err := db.Accounts().CreateAccount(ctx, a, "h", nil, nil); err != nil {
					say("ERR %v\n", err)
					os.Exit(1)
				}
				say("ACK %d\n", i)
			}
		}()
	}
	time.Sleep(time.Until(deadline) + time.Second)
	os.Exit(0)
}
