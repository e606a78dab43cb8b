package main

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sejour/sejour/internal/audit"
	"github.com/sejour/sejour/internal/clock"
	"github.com/sejour/sejour/internal/store"
)

// TestAuditVerify runs `sejour audit verify` on a whole trail, then on
// one whose second entry was altered behind the store's back.
func TestAuditVerify(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	getenv := env(map[string]string{"SEJOUR_DATA_DIR": dir})
	var out bytes.Buffer
	if err := run(ctx, []string{"audit", "verify"}, getenv, &out); err != nil || !strings.HasPrefix(out.String(), "OK, 0 entries\n") {
		t.Fatalf("empty trail: %q, %v", out.String(), err)
	}
	db, err := store.Open(ctx, "", filepath.Join(dir, "sejour.db"), clock.System{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, a := range []string{"case.view", "document.view", "start_review"} {
		if err := db.RecordAudit(audit.With(ctx, audit.Entry{ActorAccountID: 1, Action: a, PrefectureID: 1})); err != nil {
			t.Fatal(err)
		}
	}
	out.Reset()
	if err := run(ctx, []string{"audit", "verify"}, getenv, &out); err != nil || !strings.HasPrefix(out.String(), "OK, 3 entries\n") {
		t.Fatalf("whole trail: %q, %v", out.String(), err)
	}
	for _, q := range []string{`DROP TRIGGER audit_log_no_update`, `UPDATE audit_log SET action = 'nothing' WHERE id = 2`} {
		if _, err := db.SQL().ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	out.Reset()
	err = run(ctx, []string{"audit", "verify"}, getenv, &out)
	var exit *exitError
	if !errors.As(err, &exit) || exit.code != 1 || !strings.Contains(out.String(), "entry 2: hash mismatch") {
		t.Fatalf("altered trail: %q, %v", out.String(), err)
	}
	if err := run(ctx, []string{"audit"}, getenv, &out); !errors.As(err, &exit) || exit.code != 2 {
		t.Fatalf("audit without verify: %v", err)
	}
}
