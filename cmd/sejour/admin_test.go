package main

import (
	"bytes"
	"context"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/sejour/sejour/internal/casework"
	"github.com/sejour/sejour/internal/clock"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/store"
)

// TestAdminCreate makes the first admin from the command line: a
// confirmed admin with no password, and a link that sets one, once.
func TestAdminCreate(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	vars := env(map[string]string{"SEJOUR_DATA_DIR": dir, "SEJOUR_BASE_URL": "https://sejour.example"})
	var out bytes.Buffer
	if err := run(ctx, []string{"admin", "create", "--email", "Chef@Pref.example"}, vars, &out); err != nil {
		t.Fatalf("admin create: %v\n%s", err, out.String())
	}
	m := regexp.MustCompile(`https://sejour\.example/reinitialiser/(\S+)`).FindStringSubmatch(out.String())
	if m == nil || !strings.Contains(out.String(), "chef@pref.example") {
		t.Fatalf("no link in:\n%s", out.String())
	}
	// The same address again is a clear error; so are bad arguments.
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"admin", "create", "--email", "chef@pref.example"}, "already has an account"},
		{[]string{"admin", "create"}, "usage"},
		{[]string{"admin", "create", "--email", "not an address"}, "not an e-mail address"},
		{[]string{"admin", "create", "--email", "b@pref.example", "--prefecture", "99"}, "no prefecture"},
		{[]string{"admin", "delete"}, "usage"},
	} {
		out.Reset()
		if err := run(ctx, tc.args, vars, &out); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: %v, want %q", tc.args, err, tc.want)
		}
	}

	db, err := store.Open(ctx, "", filepath.Join(dir, "sejour.db"), clock.System{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	a, hash, err := db.Accounts().AccountByEmail(ctx, "chef@pref.example")
	if err != nil || !a.Admin() || !a.Confirmed() || hash != "" {
		t.Fatalf("account = %+v, hash %q, %v", a, hash, err)
	}
	if _, _, err := db.Accounts().AccountByEmail(ctx, "b@pref.example"); permit.ErrorCode(err) != permit.ENOTFOUND {
		t.Fatalf("an admin with an unknown prefecture was created: %v", err)
	}
	if _, err := db.Accounts().ResetPassword(ctx, casework.HashSecret(m[1]), "newhash"); err != nil {
		t.Fatalf("the link does not set the password: %v", err)
	}
	if _, err := db.Accounts().ResetPassword(ctx, casework.HashSecret(m[1]), "again"); permit.ErrorCode(err) != permit.ENOTFOUND {
		t.Fatalf("the link worked twice: %v", err)
	}
}
