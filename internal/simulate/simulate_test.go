package simulate

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/sejour/sejour/internal/clock"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/store/storetest"
)

// small is a run that takes a few seconds: 60 holders over 200 days, with
// crashes frequent enough that some sweeps must be run again, many
// corrections, counter filings, moves and undone decisions (fewer
// holders under the race detector).
func small(db string) Options {
	o := Options{Persons: 60, Days: 200, Seed: 7, CrashRate: 0.05, FaultRate: 0.1, Rotations: 2, CorrectionRate: 0.3,
		CounterRate: 0.1, MoveRate: 0.1, UndoRate: 0.3, Database: db}
	if raceDetector {
		o.Persons, o.CrashRate = 30, 0.1
	}
	return o
}

// TestZeroGap runs the real engine small, on SQLite, with crashes, and
// expects no gap and no duplicate, and counts that show the run did what
// it should.
func TestZeroGap(t *testing.T) {
	sum := run(t, small("sqlite"))
	if !sum.OK() {
		t.Fatal(sum.Failure())
	}
	plausible(t, sum)
}

// TestZeroGapPostgres is the same run on PostgreSQL, when a server is set.
func TestZeroGapPostgres(t *testing.T) {
	o := small(storetest.PostgresURL(t))
	o.Persons, o.Days = min(o.Persons, 30), 160
	sum := run(t, o)
	if !sum.OK() {
		t.Fatal(sum.Failure())
	}
	if sum.Database != "postgres" || sum.InTimeRenewals == 0 || sum.Extensions == 0 {
		t.Fatalf("implausible PostgreSQL run: %s", line(sum))
	}
}

// TestGapsAreFound proves that the check can fail: without the sweep,
// extension attestations fall due with the passing of days, which no
// write announces, so only those that a later change of the application
// happened to re-plan are issued, and the holders whose permits end
// during the period are left without proof. Filing receipts are still
// all issued: the filing queued their job in its own transaction.
func TestGapsAreFound(t *testing.T) {
	o := small("sqlite")
	o.NoSweep, o.CrashRate = true, 0
	sum := run(t, o)
	if sum.OK() || sum.GapDays == 0 || sum.FirstGap == nil {
		t.Fatalf("no gap found without the sweep: %s", line(sum))
	}
	if sum.Extensions >= sum.InTimeRenewals || sum.FilingReceipts != sum.Filed || sum.GapDays > sum.OwedDays {
		t.Fatalf("implausible run without the sweep: %s", line(sum))
	}
	if msg := sum.Failure(); !strings.Contains(msg, "first gap: person ") {
		t.Fatalf("failure does not say where: %q", msg)
	}
}

// TestOutage stops issuing for ten whole days (less than the 15 days of
// lead): the sweep after catches up, late, and no in-time renewal goes a
// day without proof, and every filing has its signed receipt once issuing
// is back. (This run found an attestation issued by one worker and left
// unsigned when the worker that lost the race moved the plan on: fixed in
// casework.Attestations.IssueDue.)
func TestOutage(t *testing.T) {
	o := small("sqlite")
	o.OutageDays, o.CorrectionRate, o.FaultRate = 10, 0, 0
	sum := run(t, o)
	if sum.GapDays != 0 || sum.Duplicates != 0 || sum.ReceiptsMissing != 0 {
		t.Fatal(sum.Failure())
	}
	if sum.OutageDays != 10 || sum.Sweeps != sum.Days-10 || sum.LateIssues == 0 {
		t.Fatalf("implausible outage: %s", line(sum))
	}
}

func run(t *testing.T, o Options) *Summary {
	t.Helper()
	// Bounded, with room for the race detector on a loaded two-core machine.
	ctx, cancel := context.WithTimeout(context.Background(), 6*time.Minute)
	defer cancel()
	sum, err := Run(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Log(line(sum))
	return sum
}

func line(sum *Summary) string {
	b, _ := json.Marshal(sum)
	return string(b)
}

func plausible(t *testing.T, sum *Summary) {
	t.Helper()
	checks := []struct {
		ok   bool
		what string
	}{
		{sum.Persons == small("").Persons && sum.Days == 200 && sum.Database == "sqlite", "the options are reported"},
		{sum.Renewals > 0 && sum.InTimeRenewals > 0 && sum.InTimeRenewals < sum.Renewals, "some renewals are in time, some late"},
		{sum.Filed <= sum.Applications && sum.Applications <= sum.Persons, "no more filings than applications than persons"},
		{sum.FilingReceipts == sum.Filed, "one filing receipt per filed application"},
		{sum.Extensions > 0 && sum.FavourableDecisions > 0, "extension and favourable-decision attestations were issued"},
		{sum.Attestations == sum.FilingReceipts+sum.Extensions+sum.FavourableDecisions+sum.Superseded+sum.Revoked, "attestations add up"},
		{sum.CounterFilings > 0 && sum.Moves > 0 && sum.Undos > 0, "filings at the counter, moves and undone decisions happened"},
		{sum.Corrections > 0 && sum.Superseded > 0, "surnames were corrected and attestations reissued"},
		{sum.OwedDays > 0, "some days were owed proof"},
		{sum.CompletionRequests > 0 && sum.Favourable > 0 && sum.Unfavourable > 0, "documents were asked for, decisions taken both ways"},
		{sum.Crashes > 0 && sum.SweepRetries > 0, "issuing crashed, and sweeps were run again"},
		{sum.Unsigned == 0, "every attestation was signed in the end"},
		{sum.RequestFaults > 0, "filings and decisions failed around their commit"},
		{sum.ProofsChecked > 0 && sum.Rotations == 2 && sum.SigningKeys == 3, "PDFs rendered, codes of all three keys verified"},
		{sum.Sweeps == sum.Days && sum.OutageDays == 0, "one sweep a day"},
	}
	for _, c := range checks {
		if !c.ok {
			t.Errorf("%s: %s", c.what, line(sum))
		}
	}
}

// TestCovered checks what counts as proof on a day: an extension or
// favourable-decision attestation, valid that day, available, and signed.
func TestCovered(t *testing.T) {
	days := newCalendar(DefaultStart)
	iss := newIssuer(nil, clock.NewFixed(days.at(0, night)), days, 1, 0)
	add := func(app int64, kind permit.AttestationKind, from, until, avail, signed int) {
		r := &record{id: int64(len(iss.byID) + 1), app: app, kind: kind, from: from, until: until, avail: avail, signed: signed, superseded: never, reissue: -1}
		iss.byID[r.id], iss.byApp[app] = r, append(iss.byApp[app], r)
	}
	add(1, permit.AttestationExtension, 100, 189, 85, 85)
	add(2, permit.AttestationExtension, 100, 189, 85, notSigned) // issued, never signed
	add(3, permit.AttestationExtension, 100, 189, 85, 120)       // signed late
	add(4, permit.AttestationFilingReceipt, 10, 130, 10, 10)     // proves filing, not stay
	add(5, permit.AttestationFavourable, 150, 239, 135, 150)     // from the decision day
	add(6, permit.AttestationExtension, 100, 189, 85, 85)        // superseded on 110, its new version signed on 111
	iss.reissued([]*permit.Attestation{{ID: 6, ApplicationID: 6, SupersededAt: &DefaultStart},
		{ID: 7, ApplicationID: 6, Kind: permit.AttestationExtension, ValidFrom: days.start.AddDate(0, 0, 100),
			ValidUntil: days.start.AddDate(0, 0, 189), AvailableFrom: days.start.AddDate(0, 0, 85)}}, 110)
	iss.byID[7].signed = 111
	tests := []struct {
		app  int64
		day  int
		want bool
	}{
		{1, 100, true}, {1, 189, true}, {1, 99, false}, {1, 190, false},
		{2, 120, false},
		{3, 119, false}, {3, 120, true},
		{4, 100, false},
		{5, 149, false}, {5, 150, true},
		{6, 109, true}, {6, 110, false}, {6, 111, true},
		{7, 100, false}, // no attestation at all
	}
	for _, tt := range tests {
		if got := iss.covered(tt.app, tt.day); got != tt.want {
			t.Errorf("application %d on day %d: covered %t, want %t", tt.app, tt.day, got, tt.want)
		}
	}
}

// TestReceiptCheck checks that a filed application without a signed,
// live filing receipt is counted from the day after its filing.
func TestReceiptCheck(t *testing.T) {
	days := newCalendar(DefaultStart)
	s := &sim{days: days, iss: newIssuer(nil, clock.NewFixed(days.at(0, night)), days, 1, 0)}
	p := &person{n: 1, app: 1, filed: 5}
	s.checkReceipt(p, 5)
	if s.receiptsMissing != 0 {
		t.Fatal("counted missing on its filing day")
	}
	s.checkReceipt(p, 6)
	if s.receiptsMissing != 1 || s.firstMissingReceipt == nil {
		t.Fatalf("no receipt, not counted: %d", s.receiptsMissing)
	}
	r := &record{id: 1, app: 1, kind: permit.AttestationFilingReceipt, signed: 6, superseded: 9, reissue: -1}
	s.iss.byID[1], s.iss.byApp[1] = r, []*record{r}
	for d, missing := range map[int]int{6: 1, 8: 1, 9: 2} {
		s.receiptsMissing = 1
		s.checkReceipt(p, d)
		if s.receiptsMissing != missing {
			t.Errorf("day %d: %d missing, want %d", d, s.receiptsMissing, missing)
		}
	}
}

// TestOverlapAndLateness checks the duplicate rule and when an
// attestation was due.
func TestOverlapAndLateness(t *testing.T) {
	day := func(d int) time.Time { return DefaultStart.AddDate(0, 0, d) }
	ext := func(from, until int) *permit.Attestation {
		return &permit.Attestation{Kind: permit.AttestationExtension, ValidFrom: day(from), ValidUntil: day(until)}
	}
	revoked := ext(100, 189)
	revoked.RevokedAt = &DefaultStart
	for _, tt := range []struct {
		a, b *permit.Attestation
		want bool
	}{
		{ext(100, 189), ext(190, 279), false},
		{ext(100, 189), ext(189, 279), true},
		{ext(100, 189), revoked, false},
		{ext(100, 189), &permit.Attestation{Kind: permit.AttestationFavourable, ValidFrom: day(150), ValidUntil: day(239)}, false},
	} {
		if got := overlap(tt.a, tt.b); got != tt.want {
			t.Errorf("overlap(%v–%v, %v–%v) = %t", tt.a.ValidFrom, tt.a.ValidUntil, tt.b.ValidFrom, tt.b.ValidUntil, got)
		}
	}
	// Filed on day 10, asked for documents on day 70, answered on day 130:
	// an extension available from day 85 was due on day 130, not before.
	p := &person{history: []change{{5, permit.StateDraft}, {10, permit.StateSubmitted}, {70, permit.StateIncomplete}, {130, permit.StateUnderReview}}}
	if got := p.dueDay(&record{kind: permit.AttestationExtension, avail: 85, signed: 131}); got != 130 {
		t.Errorf("extension due on day %d, want 130", got)
	}
	if got := p.dueDay(&record{kind: permit.AttestationFilingReceipt, avail: 10, signed: 10}); got != 10 {
		t.Errorf("receipt due on day %d, want 10", got)
	}
	// Granted on day 83, taken back on day 88, granted again on day 93:
	// the attestation of the second decision, available from day 78 (its
	// lead before day 93), was due on day 93; signed on day 95, two days
	// late. One of the first decision, signed on day 86, was due on 83.
	p = &person{history: []change{{9, permit.StateSubmitted}, {83, permit.StateFavourable}, {88, permit.StateUnderReview}, {93, permit.StateFavourable}}}
	if got := p.dueDay(&record{kind: permit.AttestationFavourable, avail: 78, signed: 95}); got != 93 {
		t.Errorf("favourable-decision attestation after an undo due on day %d, want 93", got)
	}
	if got := p.dueDay(&record{kind: permit.AttestationFavourable, avail: 70, signed: 86}); got != 83 {
		t.Errorf("favourable-decision attestation due on day %d, want 83", got)
	}
}

// TestOutageGapCountedApart checks which days without proof an outage
// excuses: only those of an application that became complete during it.
func TestOutageGapCountedApart(t *testing.T) {
	days := newCalendar(DefaultStart)
	s := &sim{opts: Options{Days: 30, OutageDays: 5}, days: days, iss: newIssuer(nil, clock.NewFixed(days.at(0, night)), days, 1, 0)}
	// The outage is days 10 to 14.
	pending := &person{n: 1, app: 1, inTime: true, lastDay: 5, filed: notFiled, state: permit.StateUnderReview,
		history: []change{{1, permit.StateSubmitted}, {3, permit.StateUnderReview}}}
	completed := &person{n: 2, app: 2, inTime: true, lastDay: 5, filed: notFiled, state: permit.StateUnderReview,
		history: []change{{1, permit.StateSubmitted}, {3, permit.StateIncomplete}, {11, permit.StateUnderReview}}}
	s.people = []*person{pending, completed}
	s.check(11)
	if s.gapDays != 1 || s.outageGapDays != 1 || s.firstGap == nil || s.firstGap.Person != 1 {
		t.Fatalf("day 11 of the outage: %d gap days, %d excused, first %+v; want 1 and 1, person 1", s.gapDays, s.outageGapDays, s.firstGap)
	}
	s.check(15) // the outage is over
	if s.gapDays != 3 || s.outageGapDays != 1 {
		t.Fatalf("after the outage: %d gap days, %d excused; want 3 and 1", s.gapDays, s.outageGapDays)
	}
}
