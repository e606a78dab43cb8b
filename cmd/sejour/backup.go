package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/sejour/sejour/internal/app"
	"github.com/sejour/sejour/internal/attempts"
	"github.com/sejour/sejour/internal/backup"
	"github.com/sejour/sejour/internal/clock"
	"github.com/sejour/sejour/internal/store"
)

// backupCommand runs `sejour backup --to DIR [--without-key]` on an
// instance on SQLite, while it serves: a consistent snapshot of the
// database, the blobs, the attempts journal and the key-encryption key
// file of the data directory (unless --without-key), with a manifest,
// renamed into DIR when whole. On PostgreSQL it refuses and points to
// the documented procedure.
func backupCommand(ctx context.Context, m *app.Main, args []string, out io.Writer) error {
	const usage = "usage: sejour backup --to DIR [--without-key] | sejour backup verify DIR"
	flags := flag.NewFlagSet("backup", flag.ContinueOnError)
	flags.SetOutput(io.Discard)
	to := flags.String("to", "", "the directory to write, new or empty")
	withoutKey := flags.Bool("without-key", false, "leave the key-encryption key file of the data directory out")
	if err := flags.Parse(args); err != nil || *to == "" || flags.NArg() != 0 {
		return &exitError{2, usage}
	}
	cfg := m.Config
	if cfg.Postgres() {
		return &exitError{2, "the database is PostgreSQL: sejour backup copies the embedded SQLite file only. Back PostgreSQL up with pg_basebackup and WAL archiving (or pg_dump for a small site), and the blobs and the key apart: docs/operations.md, \"Backups\""}
	}
	if cfg.Blobs.IsS3() {
		return &exitError{2, "the blobs are in an S3 bucket (SEJOUR_BLOB_URL): sejour backup copies a data directory's blobs only. Back the bucket up with its versioning, and the database as docs/operations.md, \"Backups\" says"}
	}
	if _, err := os.Stat(cfg.SQLitePath()); err != nil {
		return fmt.Errorf("no database at %s (is SEJOUR_DATA_DIR right?): %w", cfg.SQLitePath(), err)
	}
	if err := m.OpenDBNoCheck(ctx); err != nil {
		return err
	}
	o := backup.Options{Source: store.Backups{DB: m.DB}, BlobDir: cfg.Blobs.Dir, Journal: filepath.Join(cfg.AttemptsPath(), attempts.FileName),
		Sejour: version(), Now: m.Clock.Now()}
	switch _, err := os.Stat(cfg.DefaultKEKFile()); {
	case cfg.KeyEncryptionKey != nil:
		o.Key = backup.KeyExternal
	case errors.Is(err, os.ErrNotExist):
		o.Key = backup.KeyNone
	case *withoutKey:
		o.Key = backup.KeyLeftOut
	default:
		o.KEKFile = cfg.DefaultKEKFile()
	}
	began := time.Now()
	man, err := backup.Create(ctx, *to, o)
	if err != nil {
		return fmt.Errorf("backup not written: %w", err)
	}
	fmt.Fprintf(out, "backup written to %s: database at schema %d, %d blobs, %d files, %.1f MB, in %s\n",
		*to, man.Schema, man.Blobs, len(man.Files), float64(man.Size())/(1<<20), time.Since(began).Round(time.Millisecond))
	switch man.Key {
	case backup.KeyIncluded:
		fmt.Fprintf(out, "WARNING: this backup holds the key-encryption key (%s): whoever has the backup can unseal the signing keys. Store it apart from the backup, or back up with --without-key and keep the key elsewhere (docs/operations.md, \"Backups\").\n", backup.KEKName)
	case backup.KeyLeftOut, backup.KeyExternal:
		fmt.Fprintln(out, "The backup does not hold the key-encryption key: a restored instance needs the same key (SEJOUR_KEY_ENCRYPTION_KEY or its file).")
	}
	return nil
}

// verifyBackup runs `sejour backup verify DIR`: every hash of the
// manifest and the database's integrity, without changing anything.
func verifyBackup(ctx context.Context, args []string, out io.Writer) error {
	if len(args) != 1 {
		return &exitError{2, "usage: sejour backup verify DIR"}
	}
	man, err := backup.Verify(ctx, args[0])
	if err != nil {
		return &exitError{1, err.Error()}
	}
	fmt.Fprintf(out, "OK: %d files (%d blobs, %.1f MB) match the manifest; database at schema %d, made %s by sejour %s; key-encryption key %s\n",
		len(man.Files), man.Blobs, float64(man.Size())/(1<<20), man.Schema, man.CreatedAt.Format(time.RFC3339), man.Sejour, man.Key)
	return nil
}

// restoreCommand runs `sejour restore --from DIR --data-dir NEW`: it
// checks the backup against its manifest while copying it into NEW (new
// or empty), then checks the restored audit trail's chain.
func restoreCommand(ctx context.Context, args []string, out io.Writer) error {
	const usage = "usage: sejour restore --from DIR --data-dir NEW"
	flags := flag.NewFlagSet("restore", flag.ContinueOnError)
	flags.SetOutput(io.Discard)
	from := flags.String("from", "", "the backup")
	to := flags.String("data-dir", "", "the data directory to make, new or empty")
	if err := flags.Parse(args); err != nil || *from == "" || *to == "" || flags.NArg() != 0 {
		return &exitError{2, usage}
	}
	man, err := backup.Restore(ctx, *from, *to)
	if err != nil {
		return &exitError{1, "nothing restored: " + err.Error()}
	}
	fmt.Fprintf(out, "restored %d files (%d blobs) from %s into %s: database at schema %d, made %s\n",
		len(man.Files), man.Blobs, *from, *to, man.Schema, man.CreatedAt.Format(time.RFC3339))
	if err := restoredAudit(ctx, filepath.Join(*to, backup.DatabaseName), out); err != nil {
		return err
	}
	switch man.Key {
	case backup.KeyIncluded:
		fmt.Fprintf(out, "The key-encryption key is restored in %s.\n", filepath.Join(*to, backup.KEKName))
	case backup.KeyNone:
	default:
		fmt.Fprintln(out, "The backup holds no key-encryption key: start the instance with the same SEJOUR_KEY_ENCRYPTION_KEY (or its file) as the one backed up.")
	}
	if _, err := os.Stat(filepath.Join(*to, filepath.FromSlash(backup.JournalName))); err == nil {
		fmt.Fprintf(out, "The attempts journal is in %s: if SEJOUR_ATTEMPTS_DIR names another directory, move it there before starting.\n", filepath.Dir(filepath.Join(*to, filepath.FromSlash(backup.JournalName))))
	} else if !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	fmt.Fprintf(out, "Start it with SEJOUR_DATA_DIR=%s sejour serve\n", *to)
	return nil
}

// restoredAudit checks the audit trail's chain in the restored database.
func restoredAudit(ctx context.Context, path string, out io.Writer) error {
	db, err := store.Open(ctx, "", path, clock.System{})
	if err != nil {
		return err
	}
	defer db.Close()
	rep, err := db.Audit().VerifyAudit(ctx)
	if err != nil {
		return fmt.Errorf("read the restored audit trail: %w", err)
	}
	if rep.Break != nil {
		return &exitError{1, fmt.Sprintf("restored, but the audit trail is broken at entry %d (%s): see docs/operations.md", rep.Break.ID, rep.Break.Problem)}
	}
	fmt.Fprintf(out, "audit trail: OK, %d entries, last hash %s\n", rep.Count, rep.Head)
	return nil
}
