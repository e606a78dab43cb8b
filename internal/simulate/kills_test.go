package simulate

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"testing"

	"github.com/sejour/sejour/internal/store/storetest"
)

// TestMain makes the test binary the simulation's engine when the
// simulation starts it as such (EngineEnv set): the same function that
// `sejour simulate-engine` runs, without building sejour first.
func TestMain(m *testing.M) {
	if os.Getenv(EngineEnv) != "" {
		ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
		err := Engine(ctx, os.Getenv, nil)
		stop()
		if err != nil {
			fmt.Fprintln(os.Stderr, "engine:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// killed is a small run with every scenario, whose engine runs in a
// process of its own, killed with SIGKILL about twice every three
// simulated days.
func killed(db string) Options {
	o := Options{Persons: 30, Days: 150, Seed: 11, CrashRate: 0.02, FaultRate: 0.05, Rotations: 1, CorrectionRate: 0.2,
		CounterRate: 0.1, MoveRate: 0.1, UndoRate: 0.3, OutageDays: 3, KillRate: 0.7, Engine: []string{os.Args[0]}, Database: db}
	if raceDetector { // ten times slower, the engine too: only the PostgreSQL run, small
		o.Persons, o.Days, o.KillRate = 20, 120, 0.5
	}
	if testing.Verbose() {
		o.EngineLog = os.Stderr
	}
	return o
}

// TestZeroGapWithKills kills the engine process (River's workers, the
// sweep) at random moments, mornings and nights, and expects every
// check at zero all the same, and no job left running by a killed
// process for longer than River's rescue allows.
func TestZeroGapWithKills(t *testing.T) {
	skipUnderRace(t)
	sum := run(t, killed("sqlite"))
	zeroWithKills(t, sum)
}

// TestZeroGapWithKillsPostgres is the same on PostgreSQL, when a server is set.
func TestZeroGapWithKillsPostgres(t *testing.T) {
	o := killed(storetest.PostgresURL(t))
	o.Persons = 20
	sum := run(t, o)
	zeroWithKills(t, sum)
	if sum.Database != "postgres" {
		t.Errorf("ran on %s", sum.Database)
	}
}

func zeroWithKills(t *testing.T, sum *Summary) {
	t.Helper()
	if !sum.OK() || sum.GapDays != 0 || sum.Duplicates != 0 || sum.ReceiptsMissing != 0 {
		t.Fatal(sum.Failure())
	}
	if sum.Kills == 0 || sum.OutageDays != 3 || sum.Sweeps != sum.Days-3 || sum.Filed == 0 || sum.FilingReceipts != sum.Filed ||
		sum.Extensions == 0 || sum.Unsigned != 0 || sum.ProofsChecked == 0 || sum.OwedDays == 0 ||
		sum.StuckJobsRescued+sum.StuckJobsLeft == 0 || sum.StuckJobsMaxMinutes == 0 {
		t.Fatalf("implausible run with kills: %s", line(sum))
	}
}

// TestBrokenIssuingDayIsFound proves that the checks fail on a build
// that issues nothing for one day while saying it did (the plan then
// moves on, and what was owed that day waits for the application's next
// change): with the engine in-process, and in its own killed process.
// Three hundred holders over forty days file about seven times a day, so
// that the broken day has receipts to issue.
func TestBrokenIssuingDayIsFound(t *testing.T) {
	skipUnderRace(t)
	for _, kills := range []bool{false, true} {
		t.Run(fmt.Sprintf("kills=%t", kills), func(t *testing.T) {
			o := small("sqlite")
			if kills {
				o = killed("sqlite")
			}
			o.Persons, o.Days, o.OutageDays = 300, 40, 0
			o.BreakIssuingOn = o.Days / 2
			sum := run(t, o)
			if sum.OK() || sum.GapDays+sum.ReceiptsMissing == 0 {
				t.Fatalf("a day without issuing went unnoticed: %s", line(sum))
			}
		})
	}
}

// skipUnderRace skips a run with kills on SQLite under the race detector:
// the engine processes are race-built too, and the run takes minutes on
// CI's two cores (seven for these two tests, measured 2026-12-07). CI runs
// them without it (go test ./...), and the PostgreSQL one, small, with it.
func skipUnderRace(t *testing.T) {
	t.Helper()
	if raceDetector {
		t.Skip("too slow under the race detector; run without -race")
	}
}
