package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBackupCommands backs up a data directory whose instance made its
// own key file, verifies the backup and restores it, then tries the
// refusals: bad usage, no database, PostgreSQL, a full target.
func TestBackupCommands(t *testing.T) {
	ctx := context.Background()
	data := t.TempDir()
	getenv := env(map[string]string{"SEJOUR_DATA_DIR": data})
	var out bytes.Buffer
	var exit *exitError
	if err := run(ctx, []string{"backup", "--to", filepath.Join(t.TempDir(), "b")}, getenv, &out); err == nil || !strings.Contains(err.Error(), "no database") {
		t.Errorf("backup without a database: %v", err)
	}
	if err := run(ctx, []string{"keys", "list"}, getenv, &out); err != nil { // migrates, makes the key file
		t.Fatal(err)
	}
	s3env := env(map[string]string{"SEJOUR_DATA_DIR": data, "SEJOUR_BLOB_URL": "s3://bucket/prefix", "SEJOUR_S3_ENDPOINT": "http://127.0.0.1:9",
		"SEJOUR_S3_ACCESS_KEY": "k", "SEJOUR_S3_SECRET_KEY": "s"})
	if err := run(ctx, []string{"backup", "--to", filepath.Join(t.TempDir(), "b")}, s3env, &out); !errors.As(err, &exit) || exit.code != 2 || !strings.Contains(err.Error(), "S3 bucket") {
		t.Errorf("backup with the blobs in S3: %v, want refused, pointing to the bucket's versioning", err)
	}
	target := filepath.Join(t.TempDir(), "b")
	out.Reset()
	if err := run(ctx, []string{"backup", "--to", target}, getenv, &out); err != nil || !strings.Contains(out.String(), "WARNING: this backup holds the key-encryption key") {
		t.Fatalf("backup: %q, %v", out.String(), err)
	}
	out.Reset()
	if err := run(ctx, []string{"backup", "verify", target}, env(nil), &out); err != nil || !strings.HasPrefix(out.String(), "OK: ") {
		t.Fatalf("verify: %q, %v", out.String(), err)
	}
	restored := filepath.Join(t.TempDir(), "data")
	out.Reset()
	if err := run(ctx, []string{"restore", "--from", target, "--data-dir", restored}, env(nil), &out); err != nil || !strings.Contains(out.String(), "audit trail: OK, 0 entries") {
		t.Fatalf("restore: %q, %v", out.String(), err)
	}
	kek, _ := os.ReadFile(filepath.Join(data, "key-encryption-key"))
	if got, err := os.ReadFile(filepath.Join(restored, "key-encryption-key")); err != nil || !bytes.Equal(got, kek) || len(kek) == 0 {
		t.Errorf("restored key file: %v", err)
	}
	if err := run(ctx, []string{"restore", "--from", target, "--data-dir", restored}, env(nil), &out); !errors.As(err, &exit) || exit.code != 1 || !strings.Contains(err.Error(), "not empty") {
		t.Errorf("restore into a full directory: %v", err)
	}
	for _, args := range [][]string{{"backup"}, {"backup", "verify"}, {"restore", "--from", target}, {"backup", "--to", "x", "extra"}} {
		if err := run(ctx, args, getenv, &out); !errors.As(err, &exit) || exit.code != 2 {
			t.Errorf("%v: %v, want the usage", args, err)
		}
	}
	pg := env(map[string]string{"SEJOUR_DATA_DIR": data, "SEJOUR_DATABASE_URL": "postgres://nobody@127.0.0.1:1/none"})
	if err := run(ctx, []string{"backup", "--to", filepath.Join(t.TempDir(), "c")}, pg, &out); err == nil || !strings.Contains(err.Error(), "pg_basebackup") {
		t.Errorf("backup on PostgreSQL: %v", err)
	}
	out.Reset()
	noKey := filepath.Join(t.TempDir(), "d")
	if err := run(ctx, []string{"backup", "--to", noKey, "--without-key"}, getenv, &out); err != nil || strings.Contains(out.String(), "WARNING") {
		t.Errorf("backup --without-key: %q, %v", out.String(), err)
	}
	if _, err := os.Stat(filepath.Join(noKey, "key-encryption-key")); !os.IsNotExist(err) {
		t.Errorf("backup --without-key holds the key: %v", err)
	}
}
