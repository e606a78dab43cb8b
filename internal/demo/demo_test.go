package demo

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/sejour/sejour/internal/clock"
	"github.com/sejour/sejour/internal/password"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/store"
	"github.com/sejour/sejour/internal/store/storetest"
)

var cheap = password.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

func TestLoadIsIdempotent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, clk *clock.Fixed) {
		ctx := context.Background()
		var out bytes.Buffer
		for i := 0; i < 2; i++ {
			out.Reset()
			if err := Load(ctx, Store{Accounts: db.Accounts(), Files: db.Files()}, clk, cheap, &out); err != nil {
				t.Fatalf("load %d: %v", i+1, err)
			}
		}
		if !strings.Contains(out.String(), Password) || !strings.Contains(out.String(), "agent@demo.sejour.localhost") {
			t.Fatalf("log-in details not printed:\n%s", out.String())
		}
		prefs, _ := db.Prefectures(ctx)
		if len(prefs) != 3 {
			t.Fatalf("%d prefectures after two loads, want 3", len(prefs))
		}
		agent, hash, err := db.Accounts().AccountByEmail(ctx, "agent@demo.sejour.localhost")
		if err != nil || agent.Role != permit.RoleAgent || len(agent.Prefectures) != 1 || !agent.Confirmed() {
			t.Fatalf("agent = %+v, %v", agent, err)
		}
		if ok, _, _ := password.Verify(Password, hash); !ok {
			t.Fatal("the printed password does not log the agent in")
		}
		// Every staff account has its second factor enrolled, with the
		// secret printed beside it, the same on every load.
		for _, email := range []string{"agent@demo.sejour.localhost", "superviseur@demo.sejour.localhost", "admin@demo.sejour.localhost"} {
			a, _, err := db.Accounts().AccountByEmail(ctx, email)
			if err != nil {
				t.Fatal(err)
			}
			f, err := db.Accounts().SecondFactor(ctx, a.ID)
			if err != nil || f.EnrolledAt == nil || f.Secret == "" {
				t.Fatalf("%s: second factor %+v, %v", email, f, err)
			}
			if m := regexp.MustCompile(regexp.QuoteMeta(email) + `.*\n\s+second-factor secret: (\S+)`).FindStringSubmatch(out.String()); m == nil || m[1] != f.Secret {
				t.Fatalf("%s: secret not printed beside it:\n%s", email, out.String())
			}
		}
		if sup, _, _ := db.Accounts().AccountByEmail(ctx, "superviseur@demo.sejour.localhost"); !sup.Supervises() || sup.Admin() {
			t.Fatalf("the demonstration supervisor = %+v", sup)
		}
		nguyen, _, _ := db.Accounts().AccountByEmail(ctx, "nguyen.van.an@demo.sejour.localhost")
		person, err := db.PersonByAccount(ctx, nguyen.ID)
		if err != nil {
			t.Fatal(err)
		}
		apps, _ := db.ApplicationsByPerson(ctx, person.ID)
		if len(apps) != 2 || apps[0].Ground == apps[1].Ground {
			t.Fatalf("want two applications on different grounds, got %+v", apps)
		}
		amina, _, _ := db.Accounts().AccountByEmail(ctx, "amina.diallo@demo.sejour.localhost")
		ap, _ := db.PersonByAccount(ctx, amina.ID)
		pm, err := db.CurrentPermit(ctx, ap.ID)
		if err != nil || pm.ValidTo.Sub(clk.Now()).Hours()/24 < 99 {
			t.Fatalf("Amina's permit = %+v, %v", pm, err)
		}
	})
}
