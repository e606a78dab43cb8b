package casework_test

import (
	"strings"
	"testing"
	"time"

	"github.com/sejour/sejour/internal/casework"
	"github.com/sejour/sejour/internal/clock"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/rules"
	"github.com/sejour/sejour/internal/store"
	"github.com/sejour/sejour/internal/store/storetest"
)

// collectionSchedule has one site in Paris handing out cards on Fridays
// from 09:00 to 09:30, in slots of 15 minutes.
const collectionSchedule = `{"step_minutes": 15, "horizon_days": 30,
	"kinds": {"counter_filing": 30, "document_check": 15, "card_collection": 15, "portal_help": 30},
	"prefectures": [
	 {"prefecture": "75", "delays": {"standard_days": 3, "urgent_days": 3},
	  "sites": [{"id": "cite", "name": {"fr": "Cité", "en": "Cité"}, "address": "1 rue de Lutèce", "counters": 1,
	    "kinds": ["card_collection"], "hours": {"fri": [["09:00", "09:30"]]}}]}]}`

// cardReady takes a filed application through its checks, the grant and
// the card: the applicant then picks a collection slot.
func (w *attemptWorld) cardReady() (applicant, agent *permit.Account, appID int64) {
	t := w.t
	agent, appID = w.underReview()
	a, err := w.db.Application(ctx, appID)
	if err != nil {
		t.Fatal(err)
	}
	p, err := w.db.Person(ctx, a.PersonID)
	if err != nil {
		t.Fatal(err)
	}
	applicant, err = w.db.Accounts().AccountByID(ctx, p.AccountID)
	if err != nil {
		t.Fatal(err)
	}
	d := w.uc.Decisions
	if err := d.ConfirmIdentity(ctx, agent, appID); err != nil {
		t.Fatal(err)
	}
	versions, err := w.db.Documents(ctx, appID)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range versions {
		if err := d.ReviewDocument(ctx, agent, appID, v.ID, casework.ReviewForm{Accept: true}); err != nil {
			t.Fatal(err)
		}
	}
	if err := d.DecideFavourable(ctx, agent, appID, ""); err != nil {
		t.Fatal(err)
	}
	// Before the card is made, there is nothing to collect.
	if _, err := w.uc.Appointments.Collection(ctx, applicant, appID); permit.ErrorCode(err) != permit.ECONFLICT {
		t.Fatalf("collection before the card is ready: %v, want ECONFLICT", err)
	}
	if err := d.ProduceCard(ctx, agent, appID); err != nil {
		t.Fatal(err)
	}
	return applicant, agent, appID
}

func TestCardCollectionIsBookedAmongTheSlots(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, clk *clock.Fixed) {
		w := newAttemptWorld(t, db, clk)
		sched, err := rules.ParseAppointments([]byte(collectionSchedule))
		if err != nil {
			t.Fatal(err)
		}
		ap := w.uc.Appointments
		ap.Schedule = sched
		acc, agent, appID := w.cardReady()
		if a, _ := db.Application(ctx, appID); a.State != permit.StateCardReady {
			t.Fatalf("state: %s", a.State)
		}
		// The agent typed no date: no appointment of the old kind.
		if _, err := db.Appointment(ctx, appID); permit.ErrorCode(err) != permit.ENOTFOUND {
			t.Fatalf("a typed appointment was recorded: %v", err)
		}

		col, err := ap.Collection(ctx, acc, appID)
		if err != nil {
			t.Fatal(err)
		}
		friday := time.Date(2026, 11, 27, 9, 0, 0, 0, permit.Paris)
		if col.Booking != nil || len(col.Choices) != 1 || len(col.Choices[0].Slots) != 2 || !col.Choices[0].Slots[0].StartsAt.Equal(friday) {
			t.Fatalf("collection offered %+v, want Friday 09:00 and 09:15 at the Cité", col)
		}
		first := casework.CollectionValue("cite", &col.Choices[0].Slots[0])
		second := casework.CollectionValue("cite", &col.Choices[0].Slots[1])

		// Another applicant, an agent, nobody: not found, neither the
		// offer nor the booking.
		other, _, _ := w.draft(clk.Now().AddDate(0, 3, 0))
		for _, who := range []*permit.Account{other, agent, nil} {
			if _, err := ap.Collection(ctx, who, appID); permit.ErrorCode(err) != permit.ENOTFOUND {
				t.Errorf("%v sees the collection: %v", who, err)
			}
			if _, err := ap.BookCollection(ctx, who, appID, first); permit.ErrorCode(err) != permit.ENOTFOUND {
				t.Errorf("%v books the collection: %v", who, err)
			}
		}
		if _, err := ap.BookCollection(ctx, acc, appID, "cite/1:1"); permit.FieldErrors(err)["slot"] != "appointments.error.slot" {
			t.Fatalf("a slot not offered: %v", err)
		}

		b, err := ap.BookCollection(ctx, acc, appID, first)
		if err != nil {
			t.Fatal(err)
		}
		if b.Status != permit.BookingBooked || b.Kind != permit.BookingCard || b.ApplicationID != appID || b.AccountID != acc.ID ||
			!b.StartsAt.Equal(friday) || b.Name != "Awa Diallo" || b.Email != acc.Email {
			t.Fatalf("booking %+v", b)
		}
		if m := mailTo(t, db, acc.Email, ap.CounterCode(b)); m == nil {
			t.Fatal("no confirmation mail with the counter code")
		}
		// The page now shows the booking, not the slots; the slot is held.
		col, err = ap.Collection(ctx, acc, appID)
		if err != nil || col.Booking == nil || col.Booking.ID != b.ID || col.Choices != nil || col.Code != ap.CounterCode(b) {
			t.Fatalf("after booking: %+v, %v", col, err)
		}
		ch, err := ap.Choice(ctx, casework.BookingForm{Prefecture: "75", Site: "cite", Kind: "card_collection", Reason: "application"})
		if err != nil || len(ch.Slots) != 1 || !ch.Slots[0].StartsAt.Equal(friday.Add(15*time.Minute)) {
			t.Fatalf("free slots after the booking: %+v, %v", ch, err)
		}
		// One collection booking per application.
		if _, err := ap.BookCollection(ctx, acc, appID, second); permit.ErrorCode(err) != permit.ECONFLICT {
			t.Fatalf("a second collection booking: %v, want ECONFLICT", err)
		}
		// Cancelled by its link, another may be booked.
		if _, err := ap.Cancel(ctx, ap.ManageToken(b)); err != nil {
			t.Fatal(err)
		}
		b2, err := ap.BookCollection(ctx, acc, appID, second)
		if err != nil || b2.ID == b.ID {
			t.Fatalf("booking after cancelling: %+v, %v", b2, err)
		}
		// A supervisor takes the card back: the collection slot is given back.
		super := &permit.Account{Email: "chef@prefecture.example", Role: permit.RoleAgent, Lang: "fr", Prefectures: agent.Prefectures, Supervisor: true}
		if err := db.Accounts().CreateAccount(ctx, super, "!", nil, nil); err != nil {
			t.Fatal(err)
		}
		if err := w.uc.Decisions.Undo(ctx, super, appID, "carte pas encore faite"); err != nil {
			t.Fatal(err)
		}
		if got, _ := (store.Appointments{DB: db}).Booking(ctx, b2.ID); got.Status != permit.BookingCancelled {
			t.Fatalf("collection booking after the undo: %+v", got)
		}
		if ch, err = ap.Choice(ctx, casework.BookingForm{Prefecture: "75", Site: "cite", Kind: "card_collection", Reason: "application"}); err != nil || len(ch.Slots) != 2 {
			t.Fatalf("free slots after the undo: %+v, %v", ch, err)
		}
	})
}

// TestCardCollectionWaitsWhenNoSlotIsFree: a full calendar puts the
// collection on the waiting list, never a dead end.
func TestCardCollectionWaitsWhenNoSlotIsFree(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, clk *clock.Fixed) {
		w := newAttemptWorld(t, db, clk)
		sched, err := rules.ParseAppointments([]byte(strings.Replace(collectionSchedule, `[["09:00", "09:30"]]`, `[["09:00", "09:15"]]`, 1)))
		if err != nil {
			t.Fatal(err)
		}
		ap := w.uc.Appointments
		ap.Schedule = sched
		acc, _, appID := w.cardReady()
		// Someone else takes the only slot.
		ch, err := ap.Choice(ctx, casework.BookingForm{Prefecture: "75", Site: "cite", Kind: "card_collection", Reason: "application"})
		if err != nil || len(ch.Slots) != 1 {
			t.Fatalf("choice %+v, %v", ch, err)
		}
		if _, err := ap.Book(ctx, nil, casework.BookingForm{Prefecture: "75", Site: "cite", Kind: "card_collection", Reason: "no_email",
			Name: "Li", Phone: "06 12 34 56 78", Slot: ch.Slots[0].Value(), Lang: "fr"}); err != nil {
			t.Fatal(err)
		}
		col, err := ap.Collection(ctx, acc, appID)
		if err != nil || len(col.Choices) != 1 || len(col.Choices[0].Slots) != 0 {
			t.Fatalf("collection with a full calendar: %+v, %v", col, err)
		}
		b, err := ap.BookCollection(ctx, acc, appID, casework.CollectionValue("cite", nil))
		if err != nil || b.Status != permit.BookingWaiting || b.ApplicationID != appID {
			t.Fatalf("waiting: %+v, %v", b, err)
		}
	})
}

func mailTo(t *testing.T, db *store.DB, to, contains string) *permit.Mail {
	t.Helper()
	mails, err := db.Mails().RecentMails(ctx, 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range mails {
		if m.To == to && strings.Contains(m.Text, contains) {
			return m
		}
	}
	return nil
}
