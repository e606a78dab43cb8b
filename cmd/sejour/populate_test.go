package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"testing"

	"github.com/sejour/sejour/internal/app"
	"github.com/sejour/sejour/internal/casework"
	"github.com/sejour/sejour/internal/clock"
	"github.com/sejour/sejour/internal/config"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/store"
	"github.com/sejour/sejour/internal/store/storetest"
)

// TestPopulate fills fresh databases with `sejour populate` on SQLite and
// PostgreSQL: the same seed writes the same rows and another seed other
// rows; `sejour sweep --once` then issues exactly what is due today and a
// second sweep nothing; the work queue and an applicant's case read the
// rows; the audit trail is whole; a second populate is refused. With
// --all-due, the first sweep issues what 100 days without an issuer left
// owed, and the second nothing.
func TestPopulate(t *testing.T) {
	for _, dialect := range []string{"sqlite", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			fresh := func() config.Getenv {
				vars := map[string]string{"SEJOUR_DATA_DIR": t.TempDir(), "SEJOUR_LOG_LEVEL": "error"}
				if dialect == "postgres" {
					db := storetest.Postgres(t, clock.System{})
					vars["SEJOUR_DATABASE_URL"] = db.PostgresURL()
					mustRun(t, env(vars), "migrate")
				}
				return env(vars)
			}
			populate := func(extra ...string) (config.Getenv, populateReport) {
				getenv := fresh()
				var rep populateReport
				lastLine(t, mustRun(t, getenv, append([]string{"populate", "--permits", "2000", "--pending", "200", "--prefectures", "5"}, extra...)...), &rep)
				if rep.Persons != 2024 || rep.Permits != 2000 || rep.Applications != 200 || rep.Attestations == 0 {
					t.Fatalf("populate %v: %+v; want 2,024 persons (24 first issues), 2,000 permits, 200 applications", extra, rep)
				}
				return getenv, rep
			}
			a, repA := populate("--seed", "7")
			b, _ := populate("--seed", "7")
			c, _ := populate("--seed", "8")
			if da, db := digest(t, a), digest(t, b); da != db {
				t.Fatalf("the same seed wrote other rows: %s and %s", da, db)
			} else if da == digest(t, c) {
				t.Fatal("another seed wrote the same rows")
			}

			sweep := func(getenv config.Getenv) sweepReport {
				var rep sweepReport
				lastLine(t, mustRun(t, getenv, "sweep", "--once"), &rep)
				return rep
			}
			first := sweep(a)
			if first.Due != repA.Due || first.Issued != first.Due || first.Pending == 0 {
				t.Fatalf("first sweep %+v after %+v: want every due application issued one attestation", first, repA)
			}
			if second := sweep(a); second.Due != 0 || second.Issued != 0 || second.Pending != first.Pending {
				t.Fatalf("second sweep %+v after %+v: want nothing due", second, first)
			}
			readBack(t, a)
			if err := run(context.Background(), []string{"populate", "--permits", "10", "--pending", "1"}, a, io.Discard); err == nil {
				t.Fatal("populate wrote into a database that holds persons")
			}
			if out := mustRun(t, a, "audit", "verify"); !strings.HasPrefix(out, "OK, 0 entries") {
				t.Fatalf("audit verify: %q", out)
			}

			d, repD := populate("--seed", "7", "--all-due")
			all := sweep(d)
			if repD.Due <= first.Pending/2 || all.Due != repD.Due || all.Issued < all.Due {
				t.Fatalf("all-due sweep %+v after %+v: want most of the watched applications due, each issued at least one", all, repD)
			}
			if again := sweep(d); again.Due != 0 || again.Issued != 0 {
				t.Fatalf("second all-due sweep %+v: want nothing due", again)
			}
			t.Logf("typical day %+v; all due %+v", first, all)
		})
	}
}

func mustRun(t *testing.T, getenv config.Getenv, args ...string) string {
	t.Helper()
	var out bytes.Buffer
	if err := run(context.Background(), args, getenv, &out); err != nil {
		t.Fatalf("sejour %s: %v\n%s", strings.Join(args, " "), err, out.String())
	}
	return out.String()
}

func lastLine(t *testing.T, out string, v any) {
	t.Helper()
	lines := strings.Split(strings.TrimSpace(out), "\n")
	dec := json.NewDecoder(strings.NewReader(lines[len(lines)-1]))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		t.Fatalf("the last line of %q is not the report: %v", out, err)
	}
}

// digest hashes what a population wrote that a seed decides: every
// column but the signatures, the password hashes and the instants of
// the set-up (prefectures, agents).
func digest(t *testing.T, getenv config.Getenv) string {
	t.Helper()
	db := openDB(t, getenv)
	h := sha256.New()
	for _, q := range []string{
		`SELECT id, account_id, given_names, surname, birth_date, nationality, foreigner_number, prefecture_id, created_at FROM persons ORDER BY id`,
		`SELECT id, email, role FROM accounts ORDER BY id`,
		`SELECT id, person_id, ground, number, valid_from, valid_to FROM permits ORDER BY id`,
		`SELECT id, person_id, prefecture_id, ground, kind, state, submitted_at, due_on, due_kind, issue_due_on FROM applications ORDER BY id`,
		`SELECT id, application_id, from_state, to_state, actor_kind, actor_account_id, at FROM application_events ORDER BY id`,
		`SELECT id, application_id, number, filed_at, snapshot FROM filings ORDER BY id`,
		`SELECT id, application_id, slots, due_on FROM completion_requests ORDER BY id`,
		`SELECT id, application_id, outcome, decided_at, event_id FROM decisions ORDER BY id`,
		`SELECT id, application_id, kind, number, valid_from, valid_until, available_from, issued_at FROM attestations ORDER BY id`,
	} {
		rows, err := db.SQL().QueryContext(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		cells := make([]any, len(cols))
		for i := range cells {
			cells[i] = new(any)
		}
		for rows.Next() {
			if err := rows.Scan(cells...); err != nil {
				t.Fatal(err)
			}
			for _, c := range cells {
				fmt.Fprintf(h, "%v|", *c.(*any))
			}
			fmt.Fprintln(h)
		}
		rows.Close()
	}
	return hex.EncodeToString(h.Sum(nil))
}

func openDB(t *testing.T, getenv config.Getenv) *store.DB {
	t.Helper()
	cfg, err := config.FromEnv(getenv)
	if err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(context.Background(), cfg.DatabaseURL, cfg.SQLitePath(), clock.System{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// readBack reads the population through the use cases: the Paris
// agent's work queue lists its pending cases, most urgent first, and an
// applicant's case shows its filing and attestations, with the signed
// filing receipt.
func readBack(t *testing.T, getenv config.Getenv) {
	t.Helper()
	ctx := context.Background()
	cfg, err := config.FromEnv(getenv)
	if err != nil {
		t.Fatal(err)
	}
	m := app.New(cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	defer m.Close()
	if err := m.Open(ctx); err != nil {
		t.Fatal(err)
	}
	agent, _, err := m.DB.Accounts().AccountByEmail(ctx, "agent-75-7@population.sejour.localhost")
	if err != nil {
		t.Fatal(err)
	}
	page, err := m.UseCases.Queue.Queue(ctx, agent, casework.QueueForm{})
	if err != nil || len(page.Rows) == 0 {
		t.Fatalf("Paris's queue: %v, %v", page, err)
	}
	queued := 0
	for _, c := range page.Counts {
		queued += c.Count
	}
	for _, r := range page.Rows {
		if r.PrefectureID != agent.Prefectures[0] || !slices.Contains(permit.QueueStates, r.State) || r.Deadline == nil {
			t.Fatalf("queue row %+v: want a queued application of Paris with its deadline", r.QueueItem)
		}
	}
	if queued < len(page.Rows) {
		t.Fatalf("counts %v for %d rows", page.Counts, len(page.Rows))
	}
	holder, _, err := m.DB.Accounts().AccountByEmail(ctx, "personne0@population.sejour.localhost")
	if err != nil {
		t.Fatal(err)
	}
	person, err := m.DB.PersonByAccount(ctx, holder.ID)
	if err != nil {
		t.Fatal(err)
	}
	apps, err := m.DB.ApplicationsByPerson(ctx, person.ID)
	if err != nil || len(apps) != 1 {
		t.Fatalf("applications of the first applicant: %v, %v", apps, err)
	}
	c, err := m.UseCases.Applications.View(ctx, holder, apps[0].ID)
	if err != nil || len(c.Attestations) == 0 || len(c.Filings) != 1 {
		t.Fatalf("the first applicant's case: %v; want its filing and attestations", err)
	}
	if rc, err := m.UseCases.Applications.Receipt(ctx, holder, apps[0].ID); err != nil || rc.Attestation == nil || rc.Attestation.Code == "" {
		t.Fatalf("the first applicant's filing receipt: %+v, %v; want it signed", rc, err)
	}
}
