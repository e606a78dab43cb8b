package casework_test

import (
	"testing"
	"time"

	"github.com/sejour/sejour/internal/casework"
	"github.com/sejour/sejour/internal/clock"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/store"
	"github.com/sejour/sejour/internal/store/storetest"
)

// TestClosureHidesSlotsAndListsBookingsToMove: a supervisor closes a
// site for a day; its slots (weekly hours and extra sessions alike) are
// no longer offered, not even to the waiting list, and the booking
// already made that day stays, listed to be moved.
func TestClosureHidesSlotsAndListsBookingsToMove(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, clk *clock.Fixed) {
		w := newApptWorld(t, db, clk)
		ap := w.uc.Appointments
		friday := time.Date(2026, 11, 27, 9, 0, 0, 0, permit.Paris)
		choice, err := ap.Choice(ctx, form("", ""))
		if err != nil || len(choice.Slots) != 1 {
			t.Fatalf("choice %+v, %v", choice, err)
		}
		ana, err := ap.Book(ctx, nil, form("Ana", choice.Slots[0].Value()))
		if err != nil {
			t.Fatal(err)
		}

		// Only a supervisor of the prefecture closes its sites.
		fri := casework.ClosureForm{Site: "cite", From: "2026-11-27"}
		for _, who := range []*permit.Account{w.agent, w.lyonAgnt} {
			if _, _, err := ap.AddClosure(ctx, who, w.paris.ID, fri); permit.ErrorCode(err) != permit.ENOTFOUND {
				t.Errorf("%s closes Paris: %v", who.Email, err)
			}
		}
		for f, field := range map[casework.ClosureForm]string{
			{Site: "lyon", From: "2026-11-27"}:                   "closure_site",
			{Site: "cite", From: "2026-11-25"}:                   "closure_from",
			{Site: "cite", From: "27/11/2026"}:                   "closure_from",
			{Site: "cite", From: "2026-11-27", To: "2026-11-26"}: "closure_to",
		} {
			if _, _, err := ap.AddClosure(ctx, w.super, w.paris.ID, f); permit.FieldErrors(err)[field] == "" {
				t.Errorf("%+v: %v, want an error on %s", f, err, field)
			}
		}

		c, toMove, err := ap.AddClosure(ctx, w.super, w.paris.ID, fri)
		if err != nil {
			t.Fatal(err)
		}
		if !c.Closed || !c.StartsAt.Equal(time.Date(2026, 11, 27, 0, 0, 0, 0, permit.Paris)) || !c.EndsAt.Equal(time.Date(2026, 11, 28, 0, 0, 0, 0, permit.Paris)) {
			t.Fatalf("closure %+v", c)
		}
		if len(toMove) != 1 || toMove[0].ID != ana.ID {
			t.Fatalf("bookings to move: %+v, want Ana's", toMove)
		}
		// Ana's booking is not cancelled, and the agenda lists it to move.
		if b, _ := (store.Appointments{DB: db}).Booking(ctx, ana.ID); b.Status != permit.BookingBooked || !b.StartsAt.Equal(friday) {
			t.Fatalf("Ana's booking after the closure: %+v", b)
		}
		ag, err := ap.Agenda(ctx, w.agent, w.paris.ID)
		if err != nil || len(ag.Closures) != 1 || ag.Closures[0].Site != "cite" || len(ag.ToMove) != 1 || ag.ToMove[0].ID != ana.ID {
			t.Fatalf("agenda %+v, %v", ag, err)
		}
		// An extra session that day is closed too: nothing is offered.
		if _, err := ap.AddSession(ctx, w.super, w.paris.ID, casework.SessionForm{Site: "cite", Day: "2026-11-27", From: "14:00", To: "15:00", Counters: "1"}); err != nil {
			t.Fatal(err)
		}
		if choice, err = ap.Choice(ctx, form("", "")); err != nil || len(choice.Slots) != 0 {
			t.Fatalf("choice in a closure: %+v, %v", choice, err)
		}
		bob, err := ap.Book(ctx, nil, form("Bob", "wait"))
		if err != nil || bob.Status != permit.BookingWaiting {
			t.Fatalf("Bob: %+v, %v", bob, err)
		}
		// Ana cancels: the slot she frees is closed, Bob keeps waiting.
		if _, err := ap.Cancel(ctx, ap.ManageToken(ana)); err != nil {
			t.Fatal(err)
		}
		if b, _ := (store.Appointments{DB: db}).Booking(ctx, bob.ID); b.Status != permit.BookingWaiting {
			t.Fatalf("Bob was offered a closed slot: %+v", b)
		}
		if ag, _ = ap.Agenda(ctx, w.agent, w.paris.ID); len(ag.ToMove) != 0 {
			t.Fatalf("a cancelled booking is still to move: %+v", ag.ToMove)
		}
		// Another site is not closed: Lyon still offers its Friday.
		lyon := form("", "")
		lyon.Prefecture, lyon.Site = "69", "lyon"
		if choice, err = ap.Choice(ctx, lyon); err != nil || len(choice.Slots) != 1 {
			t.Fatalf("Lyon's choice: %+v, %v", choice, err)
		}
	})
}
