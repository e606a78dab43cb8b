package store_test

import (
	"testing"
	"time"

	"github.com/sejour/sejour/internal/clock"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/store"
	"github.com/sejour/sejour/internal/store/storetest"
)

// TestDeclarationsRoom: declarations are listed per prefecture while
// referred, soonest due first; silence finds those due before a day; an
// outcome is recorded once, with its mail, and a second close changes
// nothing.
func TestDeclarationsRoom(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, clk *clock.Fixed) {
		ctx := t.Context()
		paris := &permit.Prefecture{Code: "75", Name: "Préfecture de police", Departments: []string{"75"}}
		lyon := &permit.Prefecture{Code: "69", Name: "Préfecture du Rhône", Departments: []string{"69"}}
		for _, p := range []*permit.Prefecture{paris, lyon} {
			if err := db.Files().CreatePrefecture(ctx, p); err != nil {
				t.Fatal(err)
			}
		}
		o := &permit.Organisation{Name: "Boulangerie", SIRET: "73282932000074", Address: permit.Address{Line: "1 rue", Postcode: "75007", City: "Paris"}}
		admin := &permit.Account{Email: "rh@example.org", Lang: "fr"}
		if err := (store.Employers{DB: db}).SignUpOrganisation(ctx, o, admin, "!", nil, nil); err != nil {
			t.Fatal(err)
		}
		room := store.Declarations{DB: db}
		day := func(s string) time.Time { d, _ := time.Parse(time.DateOnly, s); return d }
		mk := func(pref *permit.Prefecture, due string) *permit.Declaration {
			d := &permit.Declaration{Number: permit.NewReference(permit.DeclarationNumberPrefix), OrganisationID: o.ID, AccountID: admin.ID,
				DeclaredAt: clk.Now().UTC(), Surname: "Diallo", BirthDate: "1990-01-01", StartDate: day("2026-12-10"), Job: "Vendeuse",
				WeeklyHours: 35, Contract: permit.ContractPermanent, Status: permit.DeclarationReferred, Reason: permit.ReferralNoMatch,
				PrefectureID: pref.ID, DueDate: day(due)}
			if err := room.CreateDeclaration(ctx, d); err != nil {
				t.Fatal(err)
			}
			return d
		}
		late, early, other := mk(paris, "2026-12-02"), mk(paris, "2026-11-30"), mk(lyon, "2026-11-30")
		q, err := room.ReferredDeclarations(ctx, []int64{paris.ID}, 10)
		if err != nil || len(q) != 2 || q[0].ID != early.ID || q[1].ID != late.ID || q[0].PrefectureCode != "75" || q[0].Organisation != "Boulangerie" {
			t.Fatalf("Paris's queue: %+v, %v", q, err)
		}
		silent, err := room.SilentDeclarations(ctx, day("2026-12-01"), 10)
		if err != nil || len(silent) != 2 || silent[0].ID == late.ID || silent[1].ID == late.ID {
			t.Errorf("due before 1 December: %+v, %v; want early and other", silent, err)
		}
		at := clk.Now().UTC().Truncate(time.Microsecond)
		early.Status, early.AnsweredAt, early.Code = permit.DeclarationSilence, &at, "SJ1:x"
		m := &permit.Mail{To: admin.Email, Subject: "s", Text: "t"}
		if err := room.CloseDeclaration(ctx, early, m); err != nil {
			t.Fatal(err)
		}
		early.Status = permit.DeclarationAuthorised
		if err := room.CloseDeclaration(ctx, early, &permit.Mail{To: admin.Email, Subject: "s2", Text: "t"}); permit.ErrorCode(err) != permit.ECONFLICT {
			t.Errorf("a second close: %v, want a conflict", err)
		}
		got, err := room.Declaration(ctx, early.ID)
		if err != nil || got.Status != permit.DeclarationSilence || got.Code != "SJ1:x" || got.AnsweredAt == nil || !got.AnsweredAt.Equal(at) ||
			got.DueDate.Format(time.DateOnly) != "2026-11-30" || got.StartDate.Format(time.DateOnly) != "2026-12-10" {
			t.Errorf("closed: %+v, %v", got, err)
		}
		mails, _ := db.Mails().RecentMails(ctx, 10)
		if len(mails) != 1 || mails[0].Subject != "s" {
			t.Errorf("mails %+v, want the first close's only", mails)
		}
		if list, _ := room.OrganisationDeclarations(ctx, o.ID, 10); len(list) != 3 || list[0].ID != other.ID {
			t.Errorf("the organisation's list, newest first: %d", len(list))
		}
	})
}
