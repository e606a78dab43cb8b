package casework_test

import (
	"context"
	"testing"
	"time"

	"github.com/sejour/sejour/internal/casework"
	"github.com/sejour/sejour/internal/clock"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/rules"
	"github.com/sejour/sejour/internal/store"
	"github.com/sejour/sejour/internal/store/rooms"
	"github.com/sejour/sejour/internal/store/storetest"
)

// flaky is the outages' room with a switch that makes it fail as a
// database that is down does.
type flaky struct {
	casework.OutageStore
	down bool
}

func (f *flaky) err() error { return permit.Errorf(permit.EUNAVAILABLE, "error.unavailable") }

func (f *flaky) RecordDetected(ctx context.Context, check string, fns []permit.Function, start time.Time, end *time.Time) (*permit.Outage, bool, error) {
	if f.down {
		return nil, false, f.err()
	}
	return f.OutageStore.RecordDetected(ctx, check, fns, start, end)
}

func (f *flaky) OutagesSince(ctx context.Context, since time.Time, limit int) ([]*permit.Outage, error) {
	if f.down {
		return nil, f.err()
	}
	return f.OutageStore.OutagesSince(ctx, since, limit)
}

func outageUseCases(db *store.DB, clk *clock.Fixed) (*casework.UseCases, *flaky) {
	st := rooms.Of(db)
	f := &flaky{OutageStore: st.Outages}
	st.Outages = f
	return casework.New(casework.Config{Rules: rules.MustLoad(), Clock: clk}, st, nil), f
}

func stateOf(s *casework.Status, fn permit.Function) string {
	for _, f := range s.Functions {
		if f.Function == fn {
			return f.State
		}
	}
	return ""
}

// TestObserveRecordsAnOutageTheDatabaseCouldNot: the database fails for
// longer than the catalogue's detection delay. While it is down, nothing
// can be written, and the status answers from memory (the planned
// maintenance read before, filing down). When it is back, the recovery
// records the whole outage with the failure's real start, once, even when
// a second instance reports it too, late.
func TestObserveRecordsAnOutageTheDatabaseCouldNot(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, clk *clock.Fixed) {
		uc, room := outageUseCases(db, clk)
		admin := &permit.Account{Email: "admin@example.org", Role: permit.RoleAdmin, Lang: "fr"}
		if err := db.Accounts().CreateAccount(ctx, admin, "h", nil, nil); err != nil {
			t.Fatal(err)
		}
		soon := clk.Now().Add(72 * time.Hour)
		if _, err := uc.Outages.Declare(ctx, admin, casework.OutageForm{Kind: "planned", Functions: []string{"filing"},
			Start: casework.FormatOutageTime(&soon), DescriptionFR: "Mise à jour", DescriptionEN: "Upgrade", Reason: "annonce"}); err != nil {
			t.Fatal(err)
		}
		if st := uc.Outages.Status(ctx); st.Stale || len(st.Upcoming) != 1 || st.Down() {
			t.Fatalf("before: %+v", st)
		}

		room.down = true
		t0 := clk.Now()
		if err := uc.Outages.Observe(ctx, "database", false, t0); err != nil {
			t.Fatalf("a failure shorter than the delay writes nothing, so cannot fail: %v", err)
		}
		clk.Advance(time.Duration(rules.MustLoad().Outages.DetectAfterMinutes+1) * time.Minute)
		if err := uc.Outages.Observe(ctx, "database", false, t0); permit.ErrorCode(err) != permit.EUNAVAILABLE {
			t.Fatalf("observing with the database down: %v", err)
		}
		st := uc.Outages.Status(ctx)
		if !st.Stale || len(st.Upcoming) != 1 || stateOf(st, permit.FunctionFiling) != casework.StateDown ||
			stateOf(st, permit.FunctionVerification) != casework.StateOK {
			t.Fatalf("while down: %+v", st)
		}

		clk.Advance(10 * time.Minute)
		room.down = false
		t1 := clk.Now()
		if err := uc.Outages.Observe(ctx, "database", true, t1); err != nil {
			t.Fatal(err)
		}
		clk.Advance(time.Minute)
		// Another instance, which saw the failure a little later, says so
		// only now.
		other, _ := outageUseCases(db, clk)
		if err := other.Outages.Observe(ctx, "database", false, t0.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		if err := other.Outages.Observe(ctx, "database", true, t1.Add(time.Second)); err != nil {
			t.Fatal(err)
		}
		clk.Advance(time.Minute)
		st = uc.Outages.Status(ctx)
		if st.Stale || st.Down() || len(st.Past) != 1 {
			t.Fatalf("after: %+v", st)
		}
		o := st.Past[0]
		if o.Kind != permit.OutageDetected || !o.StartedAt.Equal(t0) || o.EndedAt == nil || !o.EndedAt.Equal(t1) || !o.Relieves {
			t.Fatalf("recorded %+v, want %s to %s", o, t0, t1)
		}
	})
}

// TestObserveOpensThenClosesAnOutage: a check failing past the delay
// opens an outage at once (the database works: only the mail relay is
// down); its recovery closes it; a short blip records nothing.
func TestObserveOpensThenClosesAnOutage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, clk *clock.Fixed) {
		uc, _ := outageUseCases(db, clk)
		t0 := clk.Now()
		_ = uc.Outages.Observe(ctx, "writes", false, t0)
		clk.Advance(time.Minute)
		if err := uc.Outages.Observe(ctx, "writes", true, clk.Now()); err != nil {
			t.Fatal(err)
		}
		if err := uc.Outages.Observe(ctx, "mail", false, t0); err != nil {
			t.Fatal(err)
		}
		clk.Advance(time.Hour)
		if err := uc.Outages.Observe(ctx, "mail", false, t0); err != nil {
			t.Fatal(err)
		}
		st := uc.Outages.Status(ctx)
		if len(st.Current) != 1 || st.Current[0].Check != "mail" || stateOf(st, permit.FunctionMail) != casework.StateDown ||
			stateOf(st, permit.FunctionFiling) != casework.StateOK {
			t.Fatalf("open: %+v", st)
		}
		if err := uc.Outages.Observe(ctx, "mail", true, clk.Now()); err != nil {
			t.Fatal(err)
		}
		clk.Advance(time.Minute)
		st = uc.Outages.Status(ctx)
		if len(st.Current) != 0 || len(st.Past) != 1 || st.Down() {
			t.Fatalf("closed: %+v", st)
		}
		if err := uc.Outages.Observe(ctx, "disk", false, t0); permit.ErrorCode(err) != permit.EINVALID {
			t.Errorf("unknown check: %v", err)
		}
	})
}

// TestOutagesAreForAdministrators: an agent and an applicant can neither
// declare nor list; a declaration without a reason or with the end before
// the start is refused field by field.
func TestOutagesAreForAdministrators(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, clk *clock.Fixed) {
		uc, _ := outageUseCases(db, clk)
		now := clk.Now()
		f := casework.OutageForm{Kind: "declared", Functions: []string{"filing"}, Start: casework.FormatOutageTime(&now),
			DescriptionFR: "Panne", DescriptionEN: "Outage", Reason: "constatée"}
		for _, acc := range []*permit.Account{{ID: 1, Role: permit.RoleAgent}, {ID: 2, Role: permit.RoleApplicant}, nil} {
			if _, err := uc.Outages.Declare(ctx, acc, f); permit.ErrorCode(err) != permit.ENOTFOUND {
				t.Errorf("%+v declared: %v", acc, err)
			}
			if _, err := uc.Outages.List(ctx, acc); permit.ErrorCode(err) != permit.ENOTFOUND {
				t.Errorf("%+v listed: %v", acc, err)
			}
		}
		admin := &permit.Account{Email: "a@example.org", Role: permit.RoleAdmin, Lang: "fr"}
		if err := db.Accounts().CreateAccount(ctx, admin, "h", nil, nil); err != nil {
			t.Fatal(err)
		}
		bad := f
		bad.Reason, bad.End = " ", casework.FormatOutageTime(ptrTime(now.Add(-time.Hour)))
		_, err := uc.Outages.Declare(ctx, admin, bad)
		if fe := permit.FieldErrors(err); fe["reason"] == "" || fe["end"] == "" {
			t.Fatalf("bad form: %v %v", err, fe)
		}
		if list, _ := uc.Outages.List(ctx, admin); len(list) != 0 {
			t.Fatalf("a refused declaration was stored: %+v", list)
		}
	})
}

func ptrTime(t time.Time) *time.Time { return &t }

// TestOutageReliefReachesTheCase: a renewal filed ten days after its
// window closed is late; once an administrator declares the outage that
// stopped filing over the window's last day, the same case is in time,
// says why, and owes no late-filing surcharge.
func TestOutageReliefReachesTheCase(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, clk *clock.Fixed) {
		uc, _ := outageUseCases(db, clk)
		cat := rules.MustLoad()
		pref := &permit.Prefecture{Code: "75", Name: "Préfecture de police", Departments: []string{"75"}}
		if err := db.Files().CreatePrefecture(ctx, pref); err != nil {
			t.Fatal(err)
		}
		acc := &permit.Account{Email: "awa@example.org", Role: permit.RoleApplicant, Lang: "fr"}
		admin := &permit.Account{Email: "admin@example.org", Role: permit.RoleAdmin, Lang: "fr"}
		for _, a := range []*permit.Account{acc, admin} {
			if err := db.Accounts().CreateAccount(ctx, a, "h", nil, nil); err != nil {
				t.Fatal(err)
			}
		}
		expiry := permit.ParisDay(clk.Now()).AddDate(0, 0, cat.RenewalWindow.ClosesDaysBefore-10)
		p := &permit.Person{AccountID: acc.ID, GivenNames: "Awa", Surname: "Diallo", PrefectureID: pref.ID}
		if err := db.Files().SaveProfile(ctx, p, &permit.Permit{Ground: "student", ValidFrom: expiry.AddDate(-1, 0, 0), ValidTo: expiry}); err != nil {
			t.Fatal(err)
		}
		actor := permit.Actor{Kind: permit.ActorApplicant, AccountID: acc.ID}
		a := &permit.Application{PersonID: p.ID, PrefectureID: pref.ID, Ground: "student", Kind: permit.KindRenewal, State: permit.StateDraft}
		if err := db.Files().CreateApplication(ctx, a, actor); err != nil {
			t.Fatal(err)
		}
		ev, _ := permit.Transition(a, permit.ActionSubmit, actor, clk.Now(), "")
		if err := db.Files().File(ctx, a, ev, &permit.Filing{ApplicationID: a.ID, Snapshot: []byte(`{}`)}, nil); err != nil {
			t.Fatal(err)
		}
		late, err := uc.Applications.View(ctx, acc, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if late.Window.Status != rules.WindowLate || late.Window.Relief != nil {
			t.Fatalf("before the outage is known: %+v", late.Window)
		}
		closes := time.Date(late.Window.Closes.Year(), late.Window.Closes.Month(), late.Window.Closes.Day(), 8, 0, 0, 0, permit.Paris)
		end := closes.AddDate(0, 0, 2)
		o, err := uc.Outages.Declare(ctx, admin, casework.OutageForm{Kind: "declared", Functions: []string{"filing", "attestations"},
			Start: casework.FormatOutageTime(&closes), End: casework.FormatOutageTime(&end), Relieves: true,
			DescriptionFR: "Dépôt impossible", DescriptionEN: "Filing impossible", Reason: "incident du stockage"})
		if err != nil {
			t.Fatal(err)
		}
		relieved, err := uc.Applications.View(ctx, acc, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		w := relieved.Window
		if w.Status != rules.WindowOpen || w.Relief == nil || w.Relief.OutageID != o.ID ||
			!w.Relief.Until.Equal(permit.ParisDay(end).AddDate(0, 0, cat.Outages.ReliefDays)) {
			t.Fatalf("after the outage is declared: %+v %+v", w, w.Relief)
		}
		if relieved.FeeCents >= late.FeeCents {
			t.Errorf("fee %d, late fee %d: a relieved filing pays no surcharge", relieved.FeeCents, late.FeeCents)
		}
		// Withdrawn as a mistake, the outage relieves nothing.
		if _, err := uc.Outages.Correct(ctx, admin, o.ID, casework.OutageForm{Cancel: true, Reason: "erreur", Version: o.Version}); err != nil {
			t.Fatal(err)
		}
		if again, _ := uc.Applications.View(ctx, acc, a.ID); again.Window.Status != rules.WindowLate {
			t.Errorf("a cancelled outage still relieves: %+v", again.Window)
		}
	})
}
