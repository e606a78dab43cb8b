package casework_test

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/sejour/sejour/internal/attempts"
	"github.com/sejour/sejour/internal/blob"
	"github.com/sejour/sejour/internal/casework"
	"github.com/sejour/sejour/internal/clock"
	"github.com/sejour/sejour/internal/i18n"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/rules"
	"github.com/sejour/sejour/internal/seal"
	"github.com/sejour/sejour/internal/store"
	"github.com/sejour/sejour/internal/store/rooms"
	"github.com/sejour/sejour/internal/store/storetest"
	"github.com/sejour/sejour/internal/upload"
)

// attemptWorld is the real use cases on a real store, with a journal in a
// temporary directory and a keyring in memory.
type attemptWorld struct {
	t       *testing.T
	db      *store.DB
	clk     *clock.Fixed
	uc      *casework.UseCases
	dir     string
	journal *attempts.Journal
	cfg     casework.Config
	n       int
}

func newAttemptWorld(t *testing.T, db *store.DB, clk *clock.Fixed) *attemptWorld {
	t.Helper()
	blobs, err := blob.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	tr, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	ring, err := seal.NewKeyring(clk.Now())
	if err != nil {
		t.Fatal(err)
	}
	tokens, err := seal.NewTokens(bytes.Repeat([]byte{7}, 32))
	if err != nil {
		t.Fatal(err)
	}
	w := &attemptWorld{t: t, db: db, clk: clk, dir: t.TempDir()}
	w.journal = w.open()
	w.cfg = casework.Config{Blobs: blobs, Rules: rules.MustLoad(), Tr: tr, Clock: clk, Logger: discard(), BaseURL: "https://sejour.example",
		Limits: upload.DefaultLimits, Quota: 50 << 20, LeadDays: 15, Sealer: seal.Sealer{Keys: ring}, Codes: seal.Checker{Keys: ring},
		Journal: w.journal, Tokens: tokens, AttemptSealer: seal.Sealer{Keys: ring}}
	w.uc = casework.New(w.cfg, rooms.Of(db), nil)
	p := &permit.Prefecture{Code: "75", Name: "Préfecture de police", Departments: []string{"75"}}
	if err := db.Files().CreatePrefecture(ctx, p); err != nil {
		t.Fatal(err)
	}
	return w
}

func (w *attemptWorld) open() *attempts.Journal {
	j, err := attempts.Open(w.dir)
	if err != nil {
		w.t.Fatal(err)
	}
	w.t.Cleanup(func() { j.Close() })
	return j
}

// restart is a new process on the same journal directory and database.
func (w *attemptWorld) restart() {
	w.journal.Close()
	w.journal = w.open()
	cfg := w.cfg
	cfg.Journal = w.journal
	w.uc = casework.New(cfg, rooms.Of(w.db), nil)
}

// draft makes an applicant with a student card ending on permitEnd and a
// complete draft renewal; it returns the account, the application and
// the ticket its page carries.
func (w *attemptWorld) draft(permitEnd time.Time) (*permit.Account, int64, string) {
	t := w.t
	w.n++
	acc := &permit.Account{Email: fmt.Sprintf("awa%d@example.org", w.n), Role: permit.RoleApplicant, Lang: "fr", ConfirmedAt: new(w.clk.Now())}
	if err := w.db.Accounts().CreateAccount(ctx, acc, "!", nil, nil); err != nil {
		t.Fatal(err)
	}
	uc := w.uc
	if err := uc.Applications.SaveProfile(ctx, acc, casework.ProfileForm{GivenNames: "Awa", Surname: "Diallo", BirthDate: "1994-05-17",
		BirthPlace: "Bamako, Mali", Nationality: "MLI", ForeignerNumber: fmt.Sprintf("%010d", 7500000000+w.n),
		AddressLine: "1 rue de la Paix", Postcode: "75002", City: "Paris", HasPermit: true, PermitGround: "student",
		PermitNumber: fmt.Sprintf("TS%08d", w.n), PermitFrom: permitEnd.AddDate(-1, 0, 0).Format(time.DateOnly),
		PermitTo: permitEnd.Format(time.DateOnly)}); err != nil {
		t.Fatal(err)
	}
	a, err := uc.Applications.Start(ctx, acc, casework.StartForm{Kind: permit.KindRenewal, Ground: "student"})
	if err != nil {
		t.Fatal(err)
	}
	docs, err := w.cfg.Rules.RequiredDocuments("student", permit.KindRenewal)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range docs {
		if !d.TakesFiles() { // the photo, given as its e-photo code
			if err := uc.Documents.SetPhotoCode(ctx, acc, a.ID, fmt.Sprintf("EP%020d", w.n)); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if _, err := uc.Documents.Upload(ctx, acc, a.ID, d.ID, d.ID+".png", scanPNG(t, 1)); err != nil {
			t.Fatalf("upload %s: %v", d.ID, err)
		}
	}
	if err := uc.Documents.SetFeeStamp(ctx, acc, a.ID, fmt.Sprintf("%016d", 1000000000000000+w.n)); err != nil {
		t.Fatal(err)
	}
	return acc, a.ID, w.ticket(acc, a.ID)
}

func (w *attemptWorld) ticket(acc *permit.Account, appID int64) string {
	c, err := w.uc.Applications.View(ctx, acc, appID)
	if err != nil {
		w.t.Fatal(err)
	}
	tk, err := w.uc.Attempts.Ticket(acc, c)
	if err != nil || tk == "" {
		w.t.Fatalf("no ticket for a complete draft: %v", err)
	}
	return tk
}

func scanPNG(t *testing.T, shade uint8) []byte {
	img := image.NewGray(image.Rect(0, 0, 48, 32))
	for x := range 48 {
		img.Set(x, x%32, color.Gray{Y: 40 + shade})
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func (w *attemptWorld) mails(key string) int {
	ms, err := w.db.Mails().RecentMails(ctx, 100)
	if err != nil {
		w.t.Fatal(err)
	}
	n := 0
	for _, m := range ms {
		if strings.Contains(m.Subject, key) {
			n++
		}
	}
	return n
}

// An attempt made in the renewal window and replayed after the window
// closed is filed as of the attempt: in time, its receipt dated then;
// once, even when a kill left the record in the journal after the
// database recorded it.
func TestReplayFilesOnceAsOfTheAttempt(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, clk *clock.Fixed) {
		w := newAttemptWorld(t, db, clk)
		acc, appID, ticket := w.draft(clk.Now().AddDate(0, 0, 70))
		attemptAt := clk.Now()
		proof, err := w.uc.Attempts.Record(acc, appID, ticket, map[string]string{"attempt": "…"}, "fr", time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(proof.Number, "TEN-") || !proof.At.Equal(attemptAt) {
			t.Errorf("proof %s at %s, want TEN-… at %s", proof.Number, proof.At, attemptAt)
		}
		again, err := w.uc.Attempts.Record(acc, appID, ticket, nil, "fr", time.Time{})
		if err != nil || again.Number != proof.Number {
			t.Errorf("a second attempt of the same draft: %v, %v; want the first one back", again, err)
		}
		checked, err := w.uc.Attempts.Check(proof.Code)
		if err != nil || checked.Number != proof.Number || !checked.At.Equal(attemptAt) || checked.Surname != "Diallo" {
			t.Fatalf("the code reads %+v, %v", checked, err)
		}
		if _, err := w.uc.Attempts.Record(&permit.Account{ID: acc.ID + 99, Role: permit.RoleApplicant}, appID, ticket, nil, "fr", time.Time{}); err == nil {
			t.Error("another account's attempt with this ticket was recorded")
		}

		// Fifteen days later, 55 days before the end of the card: late,
		// had it been filed then.
		clk.Advance(15 * 24 * time.Hour)
		kept := w.journal.Records()
		n, err := w.uc.Attempts.Replay(ctx)
		if err != nil || n != 1 {
			t.Fatalf("replay: %d, %v", n, err)
		}
		c, err := w.uc.Applications.View(ctx, acc, appID)
		if err != nil {
			t.Fatal(err)
		}
		if c.App.State != permit.StateSubmitted || len(c.Filings) != 1 || !c.Filings[0].FiledAt.Equal(attemptAt) ||
			c.App.SubmittedAt == nil || !c.App.SubmittedAt.Equal(attemptAt) {
			t.Fatalf("after replay: state %s, filings %d, submitted %v; want filed once at %s", c.App.State, len(c.Filings), c.App.SubmittedAt, attemptAt)
		}
		if c.Window == nil || c.Window.Status == rules.WindowLate {
			t.Errorf("the renewal window is judged at the replay, not at the attempt: %+v", c.Window)
		}
		if got := w.mails("tentative"); got != 1 {
			t.Errorf("%d mails about the attempt, want 1", got)
		}
		if rs := w.journal.Records(); len(rs) != 0 {
			t.Errorf("the journal still holds %d records after the database recorded them", len(rs))
		}
		done, err := w.uc.Attempts.Replayed(ctx, acc)
		if err != nil || len(done) != 1 || done[0].Outcome != permit.AttemptFiled || done[0].FilingID != c.Filings[0].ID {
			t.Errorf("replayed attempts %v, %v", done, err)
		}

		// A kill after the database recorded it, before the journal was
		// compacted: the record is back, and nothing happens twice.
		if err := w.journal.Append(&kept[0]); err != nil {
			t.Fatal(err)
		}
		w.restart()
		if n, err := w.uc.Attempts.Replay(ctx); err != nil || n != 1 {
			t.Fatalf("replay of a recorded attempt: %d, %v (want it counted as done)", n, err)
		}
		fs, _ := db.Filings(ctx, appID)
		if len(fs) != 1 || w.mails("tentative") != 1 || len(w.journal.Records()) != 0 {
			t.Errorf("after a second replay: %d filings, %d mails, %d records; want 1, 1, 0", len(fs), w.mails("tentative"), len(w.journal.Records()))
		}
	})
}

// An attempt that cannot be filed any more is recorded with why, and the
// person told: the draft was withdrawn, its documents changed, or it had
// been filed before the attempt.
func TestReplayRefusesWhatChanged(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, clk *clock.Fixed) {
		w := newAttemptWorld(t, db, clk)
		end := clk.Now().AddDate(0, 0, 90)
		accA, appA, tkA := w.draft(end)
		accB, appB, tkB := w.draft(end)
		// C filed, its answer lost; pressed again while the database
		// fails: the attempt comes after the filing.
		accC, appC, tkC := w.draft(end)
		if _, err := w.uc.Applications.File(ctx, accC, appC); err != nil {
			t.Fatal(err)
		}
		clk.Advance(time.Minute)
		if _, err := w.uc.Attempts.Record(accC, appC, tkC, nil, "fr", time.Time{}); err != nil {
			t.Fatal(err)
		}
		if _, err := w.uc.Attempts.Record(accA, appA, tkA, nil, "fr", time.Time{}); err != nil {
			t.Fatal(err)
		}
		if _, err := w.uc.Attempts.Record(accB, appB, tkB, nil, "en", time.Time{}); err != nil {
			t.Fatal(err)
		}
		clk.Advance(time.Hour)
		if err := w.uc.Applications.Withdraw(ctx, accA, appA, ""); err != nil {
			t.Fatal(err)
		}
		if _, err := w.uc.Documents.Upload(ctx, accB, appB, "passport", "passport.png", scanPNG(t, 9)); err != nil {
			t.Fatal(err)
		}
		if n, err := w.uc.Attempts.Replay(ctx); err != nil || n != 3 {
			t.Fatalf("replay: %d, %v", n, err)
		}
		for _, c := range []struct {
			acc    *permit.Account
			app    int64
			reason string
		}{{accA, appA, "attempt.reason.withdrawn"}, {accB, appB, "attempt.reason.changed"}, {accC, appC, "attempt.reason.filed_before"}} {
			got, err := w.uc.Attempts.Replayed(ctx, c.acc)
			if err != nil || len(got) != 1 || got[0].Outcome != permit.AttemptRefused || got[0].Reason != c.reason {
				t.Errorf("application %d: %+v, %v; want refused, %s", c.app, got, err, c.reason)
			}
			if fs, _ := db.Filings(ctx, c.app); len(fs) != map[int64]int{appC: 1}[c.app] {
				t.Errorf("application %d: %d filings", c.app, len(fs))
			}
		}
		if w.mails("tentative")+w.mails("attempt") != 3 {
			t.Errorf("%d mails about refused attempts, want 3", w.mails("tentative")+w.mails("attempt"))
		}
	})
}

func discard() *slog.Logger { return slog.New(slog.DiscardHandler) }
