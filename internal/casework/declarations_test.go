package casework_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/sejour/sejour/internal/casework"
	"github.com/sejour/sejour/internal/clock"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/seal"
	"github.com/sejour/sejour/internal/store"
	"github.com/sejour/sejour/internal/store/storetest"
)

// storetest.Start is Thursday 26 November 2026: two working days (Friday
// 27, Monday 30) lie between it and Tuesday 1 December, the earliest
// start; the prefecture's answer is due on Monday 30.
const (
	earliestStart = "2026-12-01"
	dueDay        = "2026-11-30"
)

func (w *checkWorld) declare(by casework.Checker, code, birth, start string, hours string) (*permit.Declaration, error) {
	return w.uc.Declarations.Declare(ctx, by, casework.DeclarationForm{ShareCode: code, BirthDate: birth, GivenNames: "Awa",
		Surname: "Diallo", StartDate: start, Job: "Vendeuse", WeeklyHours: hours, Contract: string(permit.ContractFixedTerm)})
}

// agent makes an agent of the prefecture with the code, creating it.
func (w *checkWorld) agent(code string) *permit.Account {
	w.t.Helper()
	prefs, err := w.db.Prefectures(ctx)
	if err != nil {
		w.t.Fatal(err)
	}
	var id int64
	for _, p := range prefs {
		if p.Code == code {
			id = p.ID
		}
	}
	if id == 0 {
		p := &permit.Prefecture{Code: code, Name: "Préfecture " + code, Departments: []string{code}}
		if err := w.db.Files().CreatePrefecture(ctx, p); err != nil {
			w.t.Fatal(err)
		}
		id = p.ID
	}
	a := &permit.Account{Email: "agent" + code + "@prefecture.example", Role: permit.RoleAgent, Lang: "fr", Prefectures: []int64{id}}
	if err := w.db.Accounts().CreateAccount(ctx, a, "!", nil, nil); err != nil {
		w.t.Fatal(err)
	}
	return a
}

func (w *checkWorld) outcomeOf(code string) permit.DeclarationStatus {
	w.t.Helper()
	res, err := (seal.Checker{Keys: w.ring}).Check(code, w.clk.Now())
	if err != nil || res.Kind != permit.AttestationDeclaration || res.Declaration == nil {
		w.t.Fatalf("record: %+v, %v", res, err)
	}
	return res.Declaration.Outcome
}

func (w *checkWorld) mailsTo(addr string) int {
	w.t.Helper()
	ms, err := w.db.Mails().RecentMails(ctx, 100)
	if err != nil {
		w.t.Fatal(err)
	}
	n := 0
	for _, m := range ms {
		if m.To == addr && strings.Contains(m.Subject, "DEC-") {
			n++
		}
	}
	return n
}

// TestDeclarationCoveredAtOnce: a student's right (964 h a year, 18 h 32
// a week) covers 15 hours a week from the earliest start: the answer is
// immediate and signed; the worker sees it in their list and their
// accesses; another organisation sees nothing of it.
func TestDeclarationCoveredAtOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, clk *clock.Fixed) {
		w := newCheckWorld(t, db, clk)
		a, b := w.employer("Boulangerie", sirenA, "rh@a.example"), w.employer("La Poste", sirenB, "rh@b.example")
		code, _ := w.code("work")
		d, err := w.declare(w.checker(a), strings.ToLower(code), workerBirth, earliestStart, "15")
		if err != nil {
			t.Fatal(err)
		}
		if d.Status != permit.DeclarationCovered || d.Reason != "" || d.PersonID == 0 || w.outcomeOf(d.Code) != permit.DeclarationCovered {
			t.Errorf("declaration %+v, want covered and signed", d)
		}
		mine, err := w.uc.Declarations.ForWorker(ctx, w.worker)
		if err != nil || len(mine) != 1 || mine[0].ID != d.ID {
			t.Errorf("the worker's declarations: %v, %v", mine, err)
		}
		acc, err := w.uc.Journal.FileAccesses(ctx, w.worker)
		if err != nil || len(acc) != 1 || !acc[0].Declared || !strings.Contains(acc[0].WorkCheck, d.Number) {
			t.Errorf("accesses: %+v, %v; want the declaration", acc, err)
		}
		if _, err := w.uc.Declarations.Get(ctx, w.checker(b), d.ID); permit.ErrorCode(err) != permit.ENOTFOUND {
			t.Errorf("another organisation reads it: %v", err)
		}
		if list, _ := w.uc.Declarations.List(ctx, w.checker(b)); len(list) != 0 {
			t.Errorf("another organisation lists %d declarations", len(list))
		}
		if _, err := w.uc.Declarations.Get(ctx, casework.Checker{Account: w.worker}, d.ID); permit.ErrorCode(err) != permit.ENOTFOUND {
			t.Errorf("the applicant reads it as an employer: %v", err)
		}
	})
}

// TestDeclarationStartTooSoon: a start closer than two working days is
// refused with the earliest day named.
func TestDeclarationStartTooSoon(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, clk *clock.Fixed) {
		w := newCheckWorld(t, db, clk)
		a := w.employer("Boulangerie", sirenA, "rh@a.example")
		code, _ := w.code("work")
		_, err := w.declare(w.checker(a), code, workerBirth, "2026-11-30", "15")
		var e *permit.Error
		if !errors.As(err, &e) || e.Fields["start_date"] != "declaration.error.start_too_soon" || e.FieldArgs["start_date"][1] != "01/12/2026" {
			t.Fatalf("start on Monday 30: %v, want start_too_soon naming 01/12/2026", err)
		}
		_, err = w.declare(w.checker(a), code, workerBirth, earliestStart, "60")
		if !errors.As(err, &e) || e.Fields["weekly_hours"] == "" {
			t.Errorf("60 hours a week: %v, want a field error", err)
		}
	})
}

// TestDeclarationReferredAndAnswered: more hours than the student's right
// allows go to the worker's prefecture, due in two working days; only
// that prefecture's agents see and answer it; the answer is signed and
// mailed, once.
func TestDeclarationReferredAndAnswered(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, clk *clock.Fixed) {
		w := newCheckWorld(t, db, clk)
		a := w.employer("Boulangerie", sirenA, "rh@a.example")
		paris, lyon := w.agent("75"), w.agent("69")
		code, _ := w.code("work")
		d, err := w.declare(w.checker(a), code, workerBirth, earliestStart, "35")
		if err != nil {
			t.Fatal(err)
		}
		if d.Status != permit.DeclarationReferred || d.Reason != permit.ReferralLimitedHours || d.Code != "" ||
			d.DueDate.Format(time.DateOnly) != dueDay || d.PrefectureCode != "75" {
			t.Fatalf("declaration %+v, want referred to 75 for its hours, due %s", d, dueDay)
		}
		if q, err := w.uc.Declarations.Queue(ctx, paris); err != nil || len(q) != 1 || q[0].ID != d.ID {
			t.Errorf("Paris's queue: %v, %v", q, err)
		}
		if q, err := w.uc.Declarations.Queue(ctx, lyon); err != nil || len(q) != 0 {
			t.Errorf("Lyon's queue: %v, %v", q, err)
		}
		if _, err := w.uc.Declarations.Answer(ctx, lyon, d.ID, casework.AnswerForm{Outcome: "authorised"}); permit.ErrorCode(err) != permit.ENOTFOUND {
			t.Errorf("Lyon answers: %v, want not found", err)
		}
		if _, err := w.uc.Declarations.Answer(ctx, w.worker, d.ID, casework.AnswerForm{Outcome: "authorised"}); permit.ErrorCode(err) != permit.ENOTFOUND {
			t.Errorf("the applicant answers: %v, want not found", err)
		}
		_, err = w.uc.Declarations.Answer(ctx, paris, d.ID, casework.AnswerForm{Outcome: "refused"})
		var e *permit.Error
		if !errors.As(err, &e) || e.Fields["reason"] != "declaration.error.reason_required" {
			t.Errorf("a refusal without reason: %v", err)
		}
		got, err := w.uc.Declarations.Answer(ctx, paris, d.ID, casework.AnswerForm{Outcome: "refused", Reason: "Heures au-delà du plafond étudiant"})
		if err != nil || got.Status != permit.DeclarationRefused || w.outcomeOf(got.Code) != permit.DeclarationRefused {
			t.Fatalf("answer: %+v, %v", got, err)
		}
		if _, err := w.uc.Declarations.Answer(ctx, paris, d.ID, casework.AnswerForm{Outcome: "authorised"}); permit.ErrorCode(err) != permit.ECONFLICT {
			t.Errorf("a second answer: %v, want a conflict", err)
		}
		back, err := w.uc.Declarations.Get(ctx, w.checker(a), d.ID)
		if err != nil || back.Status != permit.DeclarationRefused || back.RefusalReason == "" || back.Code != got.Code {
			t.Errorf("the employer reads %+v, %v", back, err)
		}
		if n := w.mailsTo("rh@a.example"); n != 1 {
			t.Errorf("%d outcome mails, want 1", n)
		}
	})
}

// dyingStore loses the process around the commit of an outcome: before
// it (nothing written), or after it (written, but the caller never knew).
type dyingStore struct {
	casework.DeclarationStore
	before, after int
}

var errKilled = errors.New("killed")

func (s *dyingStore) CloseDeclaration(c context.Context, d *permit.Declaration, m *permit.Mail) error {
	if s.before > 0 {
		s.before--
		return errKilled
	}
	err := s.DeclarationStore.CloseDeclaration(c, d, m)
	if err == nil && s.after > 0 {
		s.after--
		return errKilled
	}
	return err
}

// TestSilenceMeetsTheDuty: a declaration matching no one goes to the
// prefecture of the organisation's address, revealing nothing; after its
// due day the sweep closes it as silence with a signed record and a mail,
// and a sweep killed before or after its commit, then run again, issues
// exactly one record and one mail.
func TestSilenceMeetsTheDuty(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, clk *clock.Fixed) {
		w := newCheckWorld(t, db, clk)
		a := w.employer("Boulangerie", sirenA, "rh@a.example")
		code, _ := w.code("work")
		d, err := w.declare(w.checker(a), code, "1990-01-01", earliestStart, "35")
		if err != nil {
			t.Fatal(err)
		}
		if d.Status != permit.DeclarationReferred || d.Reason != permit.ReferralNoMatch || d.PersonID != 0 || d.Surname != "Diallo" ||
			d.Work != "" || d.PrefectureCode != "75" {
			t.Fatalf("no match: %+v", d)
		}
		clk.Set(time.Date(2026, 11, 30, 22, 30, 0, 0, time.UTC)) // 23:30 in Paris on the due day
		if n, err := w.uc.Declarations.SweepSilence(ctx); err != nil || n != 0 {
			t.Fatalf("sweep on the due day: %d, %v; want none", n, err)
		}
		clk.Set(time.Date(2026, 11, 30, 23, 1, 0, 0, time.UTC)) // the next day in Paris
		orig := w.uc.Declarations.Store
		w.uc.Declarations.Store = &dyingStore{DeclarationStore: orig, before: 1}
		if _, err := w.uc.Declarations.SweepSilence(ctx); !errors.Is(err, errKilled) {
			t.Fatalf("killed before commit: %v", err)
		}
		w.uc.Declarations.Store = &dyingStore{DeclarationStore: orig, after: 1}
		if _, err := w.uc.Declarations.SweepSilence(ctx); !errors.Is(err, errKilled) {
			t.Fatalf("killed after commit: %v", err)
		}
		w.uc.Declarations.Store = orig
		if n, err := w.uc.Declarations.SweepSilence(ctx); err != nil || n != 0 {
			t.Errorf("rerun after the crash: %d, %v; want nothing left", n, err)
		}
		got, err := w.uc.Declarations.Get(ctx, w.checker(a), d.ID)
		if err != nil || got.Status != permit.DeclarationSilence || w.outcomeOf(got.Code) != permit.DeclarationSilence {
			t.Fatalf("after silence: %+v, %v", got, err)
		}
		if n := w.mailsTo("rh@a.example"); n != 1 {
			t.Errorf("%d silence mails, want 1", n)
		}
		if acc, _ := w.uc.Journal.FileAccesses(ctx, w.worker); len(acc) != 0 {
			t.Errorf("a declaration that matched no one is in the worker's accesses: %+v", acc)
		}
	})
}
