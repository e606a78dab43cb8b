package app

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/sejour/sejour/internal/app/apptest"
	"github.com/sejour/sejour/internal/casework"
	"github.com/sejour/sejour/internal/clock"
	"github.com/sejour/sejour/internal/notify/smtptest"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/rules"
	"github.com/sejour/sejour/internal/store"
	"github.com/sejour/sejour/internal/store/storetest"
)

// opened assembles the real program on db, as start does, but does not
// serve: its job queue works nothing, as if the process had died just
// after the writes the test makes. serve starts it later.
func opened(t *testing.T, db *store.DB, mail *smtptest.Server, clk ...clock.Clock) (m *Main, serve func()) {
	t.Helper()
	m = newMain(t, db, mail)
	if len(clk) > 0 {
		m.Clock = clk[0]
	}
	ctx, cancel := context.WithCancel(context.Background())
	if err := m.Open(ctx); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	served := false
	t.Cleanup(func() {
		cancel()
		if served {
			if err := <-done; err != nil {
				t.Errorf("serve: %v", err)
			}
		} else {
			m.Close()
		}
	})
	return m, func() {
		served = true
		go func() { done <- m.Serve(ctx) }()
	}
}

// hangUp is an applicant's or an agent's connection closing as soon as
// the write is committed: the request's context ends before anything
// that follows the write can use it.
type hangUp struct {
	casework.ApplicationStore
	cancel context.CancelFunc
}

func (h *hangUp) File(ctx context.Context, a *permit.Application, ev *permit.Event, f *permit.Filing, mail func(*permit.Filing) *permit.Mail) error {
	err := h.ApplicationStore.File(ctx, a, ev, f, mail)
	h.cancel()
	return err
}

// hangUpDecision is the same for a decision.
type hangUpDecision struct {
	casework.DecisionStore
	cancel context.CancelFunc
}

func (h *hangUpDecision) Decide(ctx context.Context, a *permit.Application, ev *permit.Event, d *permit.Decision, m *permit.Mail) error {
	err := h.DecisionStore.Decide(ctx, a, ev, d, m)
	h.cancel()
	return err
}

// brokenSealer fails every signature: issuing at once leaves the
// attestation unsigned, so only the job can finish it.
type brokenSealer struct{}

func (brokenSealer) Seal(*casework.Case, *permit.Attestation, rules.Granted) (string, error) {
	return "", errors.New("the signing key is out of reach")
}

func (brokenSealer) SealWorkCheck(*permit.WorkCheck) (string, error) {
	return "", errors.New("the signing key is out of reach")
}

func (brokenSealer) SealDeclaration(*permit.Declaration, time.Time) (string, error) {
	return "", errors.New("the signing key is out of reach")
}

// draft makes an applicant with a profile in Paris and a draft renewal
// with every document and the fee stamp, ready to file.
func draft(t *testing.T, m *Main, n int) (*permit.Account, int64) {
	t.Helper()
	return draftEnding(t, m, n, time.Now().AddDate(0, 3, 0))
}

// draftEnding is draft with a permit that ends on end.
func draftEnding(t *testing.T, m *Main, n int, end time.Time) (*permit.Account, int64) {
	t.Helper()
	apptest.Paris(t, m.DB)
	return apptest.Renewal(t, m.DB, m.UseCases, m.Rules, n, m.Clock.Now(), end, apptest.Scan(t))
}

// owedJobs counts the jobs of kind in River's table whose argument key
// names id (an application or a mail).
func owedJobs(t *testing.T, db *store.DB, kind, key string, id int64) int {
	t.Helper()
	q := `SELECT COUNT(*) FROM river_job WHERE kind = ? AND json_extract(args, '$.' || ?) = ?`
	if db.Dialect() == store.Postgres {
		q = `SELECT COUNT(*) FROM river_job WHERE kind = $1 AND (args->>$2)::bigint = $3`
	}
	var n int
	if err := db.SQL().QueryRowContext(t.Context(), q, kind, key, id).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// waitSigned waits until the application has an attestation of kind with
// its signed code.
func waitSigned(t *testing.T, m *Main, appID int64, kind permit.AttestationKind) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		atts, err := m.DB.Attestations(t.Context(), appID)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range atts {
			if a.Kind == kind && a.Code != "" {
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("application %d: no signed %s after 30 s", appID, kind)
}

// TestFilingOwesItsReceiptAndMailInItsTransaction: the applicant's
// connection closes as soon as the filing commits, and signing fails at
// once. The filing's mail and the jobs that deliver it and issue the
// receipt were committed with the filing; once the queue works, the
// receipt is signed and the mail delivered. (Before: the mail was written
// after the filing with the request's context, and the retry job was
// queued with it too: both were lost.)
func TestFilingOwesItsReceiptAndMailInItsTransaction(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, _ *clock.Fixed) {
		mail := smtptest.Start(t)
		m, serve := opened(t, db, mail)
		acc, appID := draft(t, m, 1)
		sealer := m.UseCases.Attestations.Sealer
		m.UseCases.Attestations.Sealer = brokenSealer{}
		ctx, cancel := context.WithCancel(t.Context())
		apps := m.UseCases.Applications
		apps.Store = &hangUp{ApplicationStore: apps.Store, cancel: cancel}
		f, err := apps.File(ctx, acc, appID)
		if err != nil {
			t.Fatal(err)
		}
		if ctx.Err() == nil {
			t.Fatal("the connection did not close")
		}
		if n := owedJobs(t, db, "issue_attestations", "application_id", appID); n == 0 {
			t.Error("no job issues the receipt")
		}
		mails, err := db.Mails().RecentMails(t.Context(), 10)
		if err != nil {
			t.Fatal(err)
		}
		var filed *permit.Mail
		for _, ml := range mails {
			if ml.To == acc.Email && bytes.Contains([]byte(ml.Text), []byte(f.Number)) {
				filed = ml
			}
		}
		if filed == nil {
			t.Fatalf("no mail announces filing %s", f.Number)
		}
		if n := owedJobs(t, db, "deliver_mail", "mail_id", filed.ID); n == 0 {
			t.Error("no job delivers the filing's mail")
		}
		m.UseCases.Attestations.Sealer = sealer
		serve()
		waitSigned(t, m, appID, permit.AttestationFilingReceipt)
		mail.WaitFor(t, acc.Email, 30*time.Second)
		// One number: the receipt attestation carries the filing's (§10).
		if r := receipt(t, db, appID); r.Number != f.Number {
			t.Errorf("receipt numbered %s, filing %s: want one number", r.Number, f.Number)
		}
	})
}

// TestGrantOwesItsAttestationInItsTransaction: an agent grants an
// application and the browser closes at once; issuing at once fails. The
// job that issues the favourable-decision attestation was committed with
// the decision, and issues it once the queue works.
func TestGrantOwesItsAttestationInItsTransaction(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, _ *clock.Fixed) {
		mail := smtptest.Start(t)
		m, serve := opened(t, db, mail)
		acc, appID := draft(t, m, 2)
		ctx := t.Context()
		if _, err := m.UseCases.Applications.File(ctx, acc, appID); err != nil {
			t.Fatal(err)
		}
		prefs, _ := db.Prefectures(ctx)
		now := time.Now()
		agent := &permit.Account{Email: "agent@prefecture.example.org", Role: permit.RoleAgent, Lang: "fr", ConfirmedAt: &now, Prefectures: []int64{prefs[0].ID}}
		if err := db.Accounts().CreateAccount(ctx, agent, "!", nil, nil); err != nil {
			t.Fatal(err)
		}
		dec := m.UseCases.Decisions
		if err := dec.StartReview(ctx, agent, appID); err != nil {
			t.Fatal(err)
		}
		apptest.Checked(t, m.UseCases, agent, appID)
		sealer := m.UseCases.Attestations.Sealer
		m.UseCases.Attestations.Sealer = brokenSealer{}
		hung, cancel := context.WithCancel(ctx)
		dec.Store = &hangUpDecision{DecisionStore: dec.Store, cancel: cancel}
		if err := dec.DecideFavourable(hung, agent, appID, ""); err != nil {
			t.Fatal(err)
		}
		if hung.Err() == nil {
			t.Fatal("the connection did not close")
		}
		// A granted application no longer awaits an implicit rejection
		// (issue 11 §9).
		if c, err := m.UseCases.Applications.View(ctx, acc, appID); err != nil || c.Rejection != nil {
			t.Errorf("granted application: rejection %v (err %v), want none", c.Rejection, err)
		}
		if n := owedJobs(t, db, "issue_attestations", "application_id", appID); n < 2 {
			t.Errorf("%d issuing jobs for the filing and the decision, want 2 or more", n)
		}
		m.UseCases.Attestations.Sealer = sealer
		serve()
		waitSigned(t, m, appID, permit.AttestationFavourable)
	})
}

// receipt returns an application's filing receipt, or nil.
func receipt(t *testing.T, db *store.DB, appID int64) *permit.Attestation {
	t.Helper()
	atts, err := db.Attestations(t.Context(), appID)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range atts {
		if a.Kind == permit.AttestationFilingReceipt {
			return a
		}
	}
	return nil
}

// TestAFilingIsOwedItsReceiptWhateverFollows: the process dies between
// the filing's commit and the receipt's signature (here: signing fails),
// and the applicant withdraws before any job runs. The sweep still signs
// the receipt: a filed application is owed it whatever its later state.
// A retried filing (a double click) signs it at once. (Before: the sweep
// read pending applications only, and a retried filing issued nothing.)
func TestAFilingIsOwedItsReceiptWhateverFollows(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, _ *clock.Fixed) {
		m, _ := opened(t, db, smtptest.Start(t))
		ctx := t.Context()
		uc := m.UseCases
		sealer := uc.Attestations.Sealer

		acc, withdrawn := draft(t, m, 3)
		uc.Attestations.Sealer = brokenSealer{}
		if _, err := uc.Applications.File(ctx, acc, withdrawn); err != nil {
			t.Fatal(err)
		}
		if err := uc.Applications.Withdraw(ctx, acc, withdrawn, "Je pars."); err != nil {
			t.Fatal(err)
		}
		if r := receipt(t, db, withdrawn); r != nil && r.Code != "" {
			t.Fatal("signed although signing failed")
		}
		uc.Attestations.Sealer = sealer
		if _, err := uc.Attestations.SweepAttestations(ctx); err != nil {
			t.Fatal(err)
		}
		if r := receipt(t, db, withdrawn); r == nil || r.Code == "" {
			t.Errorf("withdrawn application %d: receipt %+v, want it issued and signed", withdrawn, r)
		}

		acc2, retried := draft(t, m, 4)
		uc.Attestations.Sealer = brokenSealer{}
		f1, err := uc.Applications.File(ctx, acc2, retried)
		if err != nil {
			t.Fatal(err)
		}
		uc.Attestations.Sealer = sealer
		f2, err := uc.Applications.File(ctx, acc2, retried)
		if err != nil || f2.Number != f1.Number {
			t.Fatalf("filing again: %v %+v, want the same filing %s", err, f2, f1.Number)
		}
		if r := receipt(t, db, retried); r == nil || r.Code == "" {
			t.Errorf("retried filing %d: receipt %+v, want it signed at once", retried, r)
		}
	})
}

// TestTheSweepCostsWhatIsDue: once the sweep has planned every
// application, the next finds none due and reads none (the index gives
// the due ones); an application changes, and the next sweep looks at that
// one only. A sweep whose time runs out stops, says so, and what it did
// stays done.
func TestTheSweepCostsWhatIsDue(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, _ *clock.Fixed) {
		m, _ := opened(t, db, smtptest.Start(t))
		ctx := t.Context()
		uc := m.UseCases
		var apps []int64
		var accs []*permit.Account
		for n := range 6 {
			acc, id := draft(t, m, 10+n)
			if _, err := uc.Applications.File(ctx, acc, id); err != nil {
				t.Fatal(err)
			}
			apps, accs = append(apps, id), append(accs, acc)
		}
		today := permit.ParisDay(m.Clock.Now())
		due := func() []permit.IssueMark {
			t.Helper()
			marks, err := db.Issuance().IssueDue(ctx, today, time.Time{}, 0, 100)
			if err != nil {
				t.Fatal(err)
			}
			return marks
		}
		if _, err := uc.Attestations.SweepAttestations(ctx); err != nil {
			t.Fatal(err)
		}
		if got := due(); len(got) != 0 {
			t.Fatalf("after a sweep, %d applications still due: %+v", len(got), got)
		}
		if err := uc.Applications.Withdraw(ctx, accs[2], apps[2], ""); err != nil {
			t.Fatal(err)
		}
		if got := due(); len(got) != 1 || got[0].ApplicationID != apps[2] {
			t.Fatalf("after one change, due: %+v, want application %d only", got, apps[2])
		}

		// A sweep out of time: a deadline already passed stops it before
		// the first application, and it says so.
		for _, id := range apps[:2] {
			if err := uc.Applications.Withdraw(ctx, accs[slices.Index(apps, id)], id, ""); err != nil {
				t.Fatal(err)
			}
		}
		late, cancel := context.WithDeadline(ctx, time.Now().Add(-time.Second))
		defer cancel()
		if _, err := uc.Attestations.SweepAttestations(late); !errors.Is(err, casework.ErrSweepUnfinished) {
			t.Fatalf("sweep out of time: %v, want ErrSweepUnfinished", err)
		}
		if got := due(); len(got) != 3 {
			t.Fatalf("an unfinished sweep lost its place: %d due, want 3", len(got))
		}
		if _, err := uc.Attestations.SweepAttestations(ctx); err != nil {
			t.Fatal(err)
		}
		if got := due(); len(got) != 0 {
			t.Fatalf("the next sweep left %d due", len(got))
		}
	})
}

// TestPermitDatesCorrectedAfterFiling: the permit's end, declared wrong,
// is corrected after filing through a correction request with evidence;
// once an agent accepts it, the extension attestation planned from the
// wrong end is withdrawn (the verifier says superseded) and the chain is
// issued again from the corrected end (issue 11 §8).
func TestPermitDatesCorrectedAfterFiling(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, _ *clock.Fixed) {
		clk := clock.NewFixed(time.Now())
		m, _ := opened(t, db, smtptest.Start(t), clk)
		ctx := t.Context()
		uc := m.UseCases
		// Filed in the window, 70 days before the declared end; ten days
		// before it, the extension is issued.
		declared := permit.ParisDay(clk.Now()).AddDate(0, 0, 70)
		acc, appID := draftEnding(t, m, 20, declared)
		if _, err := uc.Applications.File(ctx, acc, appID); err != nil {
			t.Fatal(err)
		}
		clk.Set(clk.Now().AddDate(0, 0, 60))
		if _, err := uc.Attestations.SweepAttestations(ctx); err != nil {
			t.Fatal(err)
		}
		extension := func() []*permit.Attestation {
			atts, err := db.Attestations(ctx, appID)
			if err != nil {
				t.Fatal(err)
			}
			var out []*permit.Attestation
			for _, a := range atts {
				if a.Kind == permit.AttestationExtension {
					out = append(out, a)
				}
			}
			return out
		}
		first := extension()
		if len(first) != 1 || !first[0].ValidFrom.Equal(declared.AddDate(0, 0, 1)) {
			t.Fatalf("before the correction: %+v, want one extension from %v", first, declared.AddDate(0, 0, 1))
		}
		real := declared.AddDate(0, 0, -5) // still filed in the window
		_, err := uc.Corrections.RequestCorrection(ctx, acc, casework.CorrectionForm{
			Identity:    apptest.Identity(20, real.Format(time.DateOnly)),
			Explanation: "Mon titre se termine le " + real.Format(time.DateOnly) + ", pas plus tard.",
			Filename:    "titre.png", Evidence: apptest.Scan(t)})
		if err != nil {
			t.Fatal(err)
		}
		// Bad input: an end before the start, and nothing to correct.
		if _, err := uc.Corrections.RequestCorrection(ctx, acc, casework.CorrectionForm{
			Identity: apptest.Identity(20, "2001-01-01"), Filename: "t.png", Evidence: apptest.Scan(t)}); permit.ErrorCode(err) != permit.EINVALID {
			t.Errorf("an end before the start: %v, want invalid", err)
		}
		prefs, _ := db.Prefectures(ctx)
		now := time.Now()
		agent := &permit.Account{Email: "agent20@prefecture.example.org", Role: permit.RoleAgent, Lang: "fr", ConfirmedAt: &now, Prefectures: []int64{prefs[0].ID}}
		if err := db.Accounts().CreateAccount(ctx, agent, "!", nil, nil); err != nil {
			t.Fatal(err)
		}
		pending, err := uc.Corrections.PendingCorrections(ctx, agent)
		if err != nil || len(pending) != 1 {
			t.Fatalf("pending corrections: %v %v", pending, err)
		}
		if err := uc.Corrections.AcceptCorrection(ctx, agent, pending[0].Correction.ID, ""); err != nil {
			t.Fatal(err)
		}
		pm, err := db.CurrentPermit(ctx, pending[0].Correction.PersonID)
		if err != nil || !permit.CivilDay(pm.ValidTo).Equal(real) {
			t.Fatalf("permit after the correction: %+v %v, want it to end on %v", pm, err, real)
		}
		var live []*permit.Attestation
		for _, a := range extension() {
			if a.SupersededAt == nil && a.RevokedAt == nil {
				live = append(live, a)
			} else if a.ID != first[0].ID {
				t.Errorf("an attestation other than the former one was withdrawn: %+v", a)
			}
		}
		if len(live) != 1 || !live[0].ValidFrom.Equal(real.AddDate(0, 0, 1)) || live[0].Code == "" {
			t.Fatalf("after the correction: live extensions %+v, want one signed from %v", live, real.AddDate(0, 0, 1))
		}
		changes, err := db.PersonChanges(ctx, pending[0].Correction.PersonID)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, c := range changes {
			found = found || (c.Field == permit.FieldPermitValidTo && c.New == real.Format(time.DateOnly) && c.Source == permit.ChangeByCorrection)
		}
		if !found {
			t.Errorf("the history lacks the corrected end: %+v", changes)
		}
	})
}

// otherWorker plays a second worker issuing the same attestation at the
// same moment and dying before it signs it (as a version that signed in a
// transaction of its own could): the unsigned insert is made, and this
// worker hears that it was issued meanwhile (ECONFLICT).
type otherWorker struct{ casework.AttestationStore }

func (w otherWorker) IssueSigned(ctx context.Context, a *permit.Attestation, m *permit.Mail, _ func(*permit.Attestation) (string, error)) error {
	if err := w.AttestationStore.IssueAttestation(ctx, a, m); err != nil {
		return err
	}
	return permit.Errorf(permit.ECONFLICT, "error.conflict")
}

// TestAnAttestationIssuedMeanwhileIsSigned: when another worker issued an
// attestation first and died before signing it, the worker that lost the
// race signs it before it moves the application's plan on; otherwise no
// one would, until the next change.
func TestAnAttestationIssuedMeanwhileIsSigned(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, _ *clock.Fixed) {
		m, _ := opened(t, db, smtptest.Start(t))
		uc := m.UseCases
		acc, appID := draft(t, m, 30)
		uc.Attestations.Store = otherWorker{uc.Attestations.Store}
		if _, err := uc.Applications.File(t.Context(), acc, appID); err != nil {
			t.Fatal(err)
		}
		if r := receipt(t, db, appID); r == nil || r.Code == "" {
			t.Fatalf("receipt %+v: issued meanwhile and left unsigned", r)
		}
	})
}
