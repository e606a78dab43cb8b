package store_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sejour/sejour/internal/clock"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/store"
)

// TestCrashKeepsAcknowledgedWrites starts a child process that writes
// accounts and prints each id once the write is committed, then kills it
// with SIGKILL in the middle of its work. Every id it acknowledged must be
// in the database when it is opened again.
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
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		if id, ok := strings.CutPrefix(sc.Text(), "ACK "); ok {
			acked = append(acked, id)
			if len(acked) == 50 {
				break
			}
		}
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	if len(acked) < 50 {
		t.Fatalf("child acknowledged only %d writes before dying", len(acked))
	}

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
}

// crashChild writes as fast as it can until it is killed.
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
	deadline := time.Now().Add(30 * time.Second)
	for i := 0; time.Now().Before(deadline); i++ {
		a := &permit.Account{Email: fmt.Sprintf("crash-%d@example.org", i), Role: permit.RoleApplicant, Lang: "fr"}
		if err := db.Accounts().CreateAccount(ctx, a, "h", nil, nil); err != nil {
			fmt.Println("ERR", err)
			os.Exit(1)
		}
		fmt.Printf("ACK %d\n", i)
	}
	os.Exit(0)
}
