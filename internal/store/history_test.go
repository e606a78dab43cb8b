package store_test

import (
	"context"
	"strings"
	"testing"

	"github.com/sejour/sejour/internal/clock"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/store"
	"github.com/sejour/sejour/internal/store/storetest"
)

func TestProfileChangesKeepTheFormerValues(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, _ *clock.Fixed) {
		ctx := context.Background()
		acc, p := aminaDiallo(t, db, "h@example.org")
		if ch, err := db.PersonChanges(ctx, p.ID); err != nil || len(ch) != 0 {
			t.Fatalf("a new person has no history, got %+v, %v", ch, err)
		}
		q := *p
		q.Surname, q.GivenNames = "Dialo", "Aminata"
		if err := db.Files().SaveProfile(ctx, &q, nil); err != nil {
			t.Fatal(err)
		}
		ch, err := db.PersonChanges(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(ch) != 2 || ch[0].Field != permit.FieldGivenNames || ch[0].Old != "Amina" || ch[0].New != "Aminata" ||
			ch[1].Field != permit.FieldSurname || ch[1].Old != "Diallo" || ch[1].New != "Dialo" {
			t.Fatalf("history = %+v", ch)
		}
		if ch[1].Source != permit.ChangeByApplicant || ch[1].ActorID != acc.ID || ch[1].At.IsZero() {
			t.Errorf("change carries no source, actor or time: %+v", ch[1])
		}
		got, err := db.Person(ctx, p.ID)
		if err != nil || got.Surname != "Dialo" {
			t.Fatalf("person = %+v, %v", got, err)
		}
		// The history cannot be rewritten, even by a direct statement.
		_, err = db.SQL().ExecContext(ctx, `UPDATE person_changes SET old_value = 'X'`)
		if err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("update of the history: %v, want a refusal", err)
		}
		_, err = db.SQL().ExecContext(ctx, `DELETE FROM person_changes`)
		if err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("deletion of the history: %v, want a refusal", err)
		}
	})
}

// aminaDiallo makes an applicant account with a saved profile (Amina
// Diallo, born in Dakar, living in Paris 11e).
func aminaDiallo(t *testing.T, db *store.DB, email string) (*permit.Account, *permit.Person) {
	t.Helper()
	acc := &permit.Account{Email: email, Role: permit.RoleApplicant, Lang: "fr"}
	if err := db.Accounts().CreateAccount(t.Context(), acc, "x", nil, nil); err != nil {
		t.Fatal(err)
	}
	p := &permit.Person{AccountID: acc.ID, GivenNames: "Amina", Surname: "Diallo", BirthDate: "1990-01-02", BirthPlace: "Dakar",
		Nationality: "SEN", Address: permit.Address{Line: "1 rue A", Postcode: "75011", City: "Paris"}}
	if err := db.Files().SaveProfile(t.Context(), p, nil); err != nil {
		t.Fatal(err)
	}
	return acc, p
}
