// Command sejour is the residence-permit portal: one binary that serves the
// site, migrates the database, loads demonstration data and verifies
// attestations. Run `sejour help` for the subcommands.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"

	"github.com/sejour/sejour/internal/app"
	"github.com/sejour/sejour/internal/config"
	"github.com/sejour/sejour/internal/demo"
	"github.com/sejour/sejour/internal/password"
	"github.com/sejour/sejour/internal/store"
)

const usage = `sejour — residence-permit portal

Usage: sejour [command]

Commands:
  serve     serve the portal (the default)
  migrate   apply the database migrations
  admin create --email ADDRESS [--prefecture CODE ...]
            create an admin account and print a single-use link to
            choose its password (the first admin of an instance)
  demo [-load-only] [-listen ADDRESS]
            load demonstration data, print the log-in details, then serve
            with the development pages on (-load-only: load and stop). It
            listens on 127.0.0.1:8080, this machine only, unless
            SEJOUR_ADDR or -listen says otherwise
  keys [list | rotate | retire KID]
            the attestation signing keys, shared in the database: list
            them, add one that signs from then on (old ones stay
            published), or retire one that leaked
  verify --keys FILE CODE
            check an attestation code offline with a saved key set
            (exit 0 valid, 1 not valid today, 2 not genuine)
  simulate  run the real engine on simulated time over a population and
            check that no complete, in-time renewal is ever without proof
            of stay (flags: --persons --days --seed --crash-rate --fault-rate
            --outage-days --rotations --correction-rate --counter-rate
            --move-rate --undo-rate --kill-rate --db)
  audit verify
            check the audit trail's hash chain (exit 0 whole, 1 broken)
  backup --to DIR [--without-key]
            copy a running instance on SQLite into DIR (new or empty):
            a consistent snapshot of the database, the blobs, the
            attempts journal and the key-encryption key file of the data
            directory, with a manifest of their SHA-256 (PostgreSQL:
            docs/operations.md, "Backups")
  backup verify DIR
            check a backup against its manifest (exit 0 whole, 1 not)
  restore --from DIR --data-dir NEW
            check a backup and copy it into NEW (new or empty), then
            check the restored audit trail
  sweep --once
            issue the attestations owed today, as the server's daily
            sweep does, and print {"pending","due","issued","seconds"}
  populate --permits N --pending M [--seed S] [--all-due] [--prefectures K]
            fill an empty database with a synthetic population for
            measurements: N current permits, M pending applications
            with their history and attestations, deterministic for a
            seed; --all-due leaves what fell due in the last 100 days
            unissued, as after an outage; prints a JSON summary
  blobs migrate --from LOCATION --to LOCATION [--jobs N]
            copy every blob (documents, issued PDFs) the target lacks,
            each read back and checked by its SHA-256; resumable: run it
            again after any stop. LOCATION: a directory holding blobs/
            (by default <data dir>/files) or s3://bucket/prefix
  blobs verify [--in LOCATION]
            read every blob and check its SHA-256 (exit 0 all sound, 1 not)
  config    print the configuration, secrets masked
  version   print the version

Configuration comes from SEJOUR_* environment variables: see README.md.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "sejour:", err)
		var e *exitError
		if errors.As(err, &e) {
			os.Exit(e.code)
		}
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, getenv config.Getenv, out io.Writer) error {
	cmd := "serve"
	if len(args) > 0 {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "version":
		fmt.Fprintln(out, "sejour", version())
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(out, usage)
		return nil
	case "verify":
		return verifyOffline(args, out)
	case "simulate":
		return runSimulation(ctx, args, out)
	case "simulate-engine": // started by simulate --kill-rate; not in the usage
		return runSimulationEngine(ctx, getenv)
	case "restore":
		return restoreCommand(ctx, args, out)
	case "backup":
		if len(args) > 0 && args[0] == "verify" {
			return verifyBackup(ctx, args[1:], out)
		}
	}
	cfg, err := config.FromEnv(getenv)
	if err != nil {
		return err
	}
	loadOnly := false
	if cmd == "demo" {
		cfg.Dev = true
		if cfg.Addr, loadOnly, err = demoFlags(args, getenv); err != nil {
			return err
		}
		if strings.TrimSpace(getenv("SEJOUR_BASE_URL")) == "" {
			cfg.BaseURL = config.DefaultBaseURL(cfg.Addr)
		}
	}
	m := app.New(cfg, newLogger(cfg.LogLevel))
	defer m.Close()
	switch cmd {
	case "serve":
		return serve(ctx, m)
	case "config":
		fmt.Fprint(out, cfg.String())
		return nil
	case "keys":
		return keysCommand(ctx, m, args, out)
	case "migrate":
		return migrate(ctx, m, out)
	case "audit":
		return auditCommand(ctx, m, args, out)
	case "sweep":
		return sweepCommand(ctx, m, args, out)
	case "populate":
		return populateCommand(ctx, m, args, out)
	case "backup":
		return backupCommand(ctx, m, args, out)
	case "blobs":
		return blobsCommand(ctx, cfg, args, out)
	case "admin":
		return createAdmin(ctx, m, args, out)
	case "demo":
		if err := m.OpenDB(ctx); err != nil {
			return err
		}
		if err := demo.Load(ctx, demo.Store{Accounts: m.DB.Accounts(), Files: m.DB.Files()}, m.Clock, password.DefaultParams, out); err != nil {
			return fmt.Errorf("load demonstration data: %w", err)
		}
		if err := m.Open(ctx); err != nil {
			return err
		}
		if err := demo.Cases(ctx, m.UseCases, demo.Store{Accounts: m.DB.Accounts(), Files: m.DB.Files()}, password.DefaultParams, m.Clock.Now(), out); err != nil {
			return fmt.Errorf("load demonstration cases: %w", err)
		}
		if err := demo.Employers(ctx, m.UseCases, demo.Store{Accounts: m.DB.Accounts(), Files: m.DB.Files()}, store.Employers{DB: m.DB},
			password.DefaultParams, m.Clock.Now(), cfg.BaseURL, out); err != nil {
			return fmt.Errorf("load demonstration employer: %w", err)
		}
		if err := demo.Appointments(ctx, m.UseCases.Appointments, store.Appointments{DB: m.DB}, m.Clock.Now(), out); err != nil {
			return fmt.Errorf("load demonstration appointments: %w", err)
		}
		if err := demo.LoadHistory(ctx, m.UseCases, demo.Store{Accounts: m.DB.Accounts(), Files: m.DB.Files()}, store.Population{DB: m.DB}, m.Clock.Now(), out); err != nil {
			return err
		}
		if loadOnly {
			return nil
		}
		fmt.Fprintf(out, "\nMails are kept at %s/dev/courriels\n", cfg.BaseURL)
		return serve(ctx, m)
	}
	return fmt.Errorf("unknown command %q\n\n%s", cmd, usage)
}

// demoAddr is where the demonstration listens unless told otherwise:
// this machine only. Its accounts' passwords are printed and its mails,
// reset links included, are shown at /dev/courriels: on a network, anyone
// could take its accounts over (issue 13, item 10).
const demoAddr = "127.0.0.1:8080"

// demoFlags reads the demo command's flags: -load-only, and -listen, the
// address to listen on. Without -listen nor SEJOUR_ADDR, it is demoAddr.
func demoFlags(args []string, getenv config.Getenv) (addr string, loadOnly bool, err error) {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.BoolVar(&loadOnly, "load-only", false, "load the demonstration and stop")
	fs.StringVar(&addr, "listen", "", "address to listen on (default "+demoAddr+", this machine only)")
	if err := fs.Parse(args); err != nil {
		return "", false, fmt.Errorf("demo: %w\n\n%s", err, usage)
	}
	if addr == "" {
		addr = strings.TrimSpace(getenv("SEJOUR_ADDR"))
	}
	if addr == "" {
		addr = demoAddr
	}
	if _, _, err := net.SplitHostPort(addr); err != nil {
		return "", false, fmt.Errorf("demo -listen: %q is not host:port", addr)
	}
	return addr, loadOnly, nil
}

func serve(ctx context.Context, m *app.Main) error {
	if m.UseCases == nil { // the demonstration opened it already
		if err := m.Open(ctx); err != nil {
			return err
		}
	}
	if err := m.Listen(); err != nil {
		return err
	}
	m.Logger.Info("sejour is listening", "addr", m.Addr(), "open", m.Config.BaseURL, "database", string(m.DB.Dialect()))
	if err := m.Serve(ctx); err != nil {
		return err
	}
	m.Logger.Info("sejour stopped")
	return nil
}

func migrate(ctx context.Context, m *app.Main, out io.Writer) error {
	if m.Config.Postgres() {
		if err := m.OpenDBNoCheck(ctx); err != nil {
			return err
		}
	} else if err := m.OpenDB(ctx); err != nil {
		return err
	}
	n, err := m.Migrate(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "%d migration(s) applied\n", n)
	return nil
}

func newLogger(level string) *slog.Logger {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		l = slog.LevelInfo
	}
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: l}))
}

// version is the module version, or the VCS revision of a local build.
func version() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	v := info.Main.Version
	for _, s := range info.Settings {
		if s.Key == "vcs.revision" && len(s.Value) >= 12 {
			v += " (" + s.Value[:12] + ")"
		}
	}
	return v + " " + info.GoVersion
}
