package casework_test

import (
	"strings"
	"testing"
	"time"

	"github.com/sejour/sejour/internal/clock"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/store"
	"github.com/sejour/sejour/internal/store/storetest"
)

// A person moves their booking from its link to another free slot: the
// move is mailed, the slot left is free again, a slot not offered (taken
// or made up) is a clear answer on the slot field, and a cancelled
// booking cannot be moved.
func TestRescheduleFromTheLink(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, clk *clock.Fixed) {
		w := newApptWorld(t, db, clk)
		ap := w.uc.Appointments
		f := form("Ana", "")
		f.Kind = "document_check" // 15 minutes: Friday 09:00 and 09:15
		choice, err := ap.Choice(ctx, f)
		if err != nil || len(choice.Slots) != 2 {
			t.Fatalf("choice %+v, %v: want two slots", choice, err)
		}
		first, second := choice.Slots[0], choice.Slots[1]
		f.Slot = first.Value()
		ana, err := ap.Book(ctx, nil, f)
		if err != nil {
			t.Fatal(err)
		}
		token := ap.ManageToken(ana)
		if _, err := ap.Reschedule(ctx, token, "1:1"); permit.FieldErrors(err)["slot"] != "appointments.error.slot" {
			t.Errorf("a made-up slot: %v", err)
		}
		moved, err := ap.Reschedule(ctx, token, second.Value())
		if err != nil || !moved.StartsAt.Equal(second.StartsAt) {
			t.Fatalf("moved %+v, %v: want %v", moved, err, second.StartsAt)
		}
		stored, err := (store.Appointments{DB: db}).Booking(ctx, ana.ID)
		if err != nil || !stored.StartsAt.Equal(second.StartsAt) || stored.Status != permit.BookingBooked {
			t.Fatalf("stored %+v, %v", stored, err)
		}
		if m := w.mailTo("ana@mail.example"); m == nil || !strings.Contains(m.Text, "09:15") {
			t.Errorf("no mail of the new time: %+v", m)
		}
		// 09:00 is free again, and Bea takes it; Ana cannot move back.
		again, err := ap.Choice(ctx, f)
		if err != nil || len(again.Slots) != 1 || !again.Slots[0].StartsAt.Equal(first.StartsAt) {
			t.Fatalf("after the move: %+v, %v", again, err)
		}
		bea := form("Bea", first.Value())
		bea.Kind = "document_check"
		if _, err := ap.Book(ctx, nil, bea); err != nil {
			t.Fatal(err)
		}
		if _, err := ap.Reschedule(ctx, token, first.Value()); permit.FieldErrors(err)["slot"] != "appointments.error.slot" {
			t.Errorf("a slot taken since: %v", err)
		}
		if _, err := ap.Cancel(ctx, token); err != nil {
			t.Fatal(err)
		}
		if _, err := ap.Reschedule(ctx, token, first.Value()); permit.ErrorCode(err) != permit.ECONFLICT {
			t.Errorf("moving a cancelled booking: %v", err)
		}
		if _, err := ap.Reschedule(ctx, token+"x", second.Value()); permit.ErrorCode(err) != permit.ENOTFOUND {
			t.Errorf("a forged link: %v", err)
		}
	})
}

// The counter reads a booking's code: the arrival is recorded once, by an
// agent of the booking's prefecture only; an arrived person is never
// marked absent, and one who did not come is, once the time has begun.
func TestArrivalRecordedOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, clk *clock.Fixed) {
		w := newApptWorld(t, db, clk)
		ap := w.uc.Appointments
		f := form("Ana", "")
		f.Kind = "document_check"
		choice, err := ap.Choice(ctx, f)
		if err != nil || len(choice.Slots) != 2 {
			t.Fatalf("choice %+v, %v", choice, err)
		}
		f.Slot = choice.Slots[0].Value()
		ana, err := ap.Book(ctx, nil, f)
		if err != nil {
			t.Fatal(err)
		}
		g := form("Gus", choice.Slots[1].Value())
		g.Kind = "document_check"
		gus, err := ap.Book(ctx, nil, g)
		if err != nil {
			t.Fatal(err)
		}
		code := ap.CounterCode(ana)
		applicant := &permit.Account{ID: 999, Role: permit.RoleApplicant}
		for who, acc := range map[string]*permit.Account{"Lyon's agent": w.lyonAgnt, "an applicant": applicant} {
			if _, err := ap.Arrive(ctx, acc, code); permit.ErrorCode(err) != permit.ENOTFOUND {
				t.Errorf("%s reads Paris's code: %v", who, err)
			}
		}
		if _, err := ap.Arrive(ctx, w.agent, code+"x"); permit.ErrorCode(err) != permit.ENOTFOUND {
			t.Errorf("a forged code: %v", err)
		}
		clk.Set(ana.StartsAt.Add(-10 * time.Minute))
		b, err := ap.Arrive(ctx, w.agent, code)
		if err != nil || !b.Arrived() || !b.ArrivedAt.Equal(clk.Now()) {
			t.Fatalf("arrival %+v, %v", b, err)
		}
		at := b.ArrivedAt
		clk.Advance(5 * time.Minute)
		if b, err = ap.Arrive(ctx, w.super, code); err != nil || !b.ArrivedAt.Equal(at) {
			t.Fatalf("a second reading moved the arrival: %+v, %v", b, err)
		}
		if stored, _ := (store.Appointments{DB: db}).Booking(ctx, ana.ID); !stored.ArrivedAt.Equal(at) {
			t.Fatalf("stored arrival %v, want %v", stored.ArrivedAt, at)
		}
		clk.Set(gus.StartsAt.Add(time.Minute))
		if _, err := ap.NoShow(ctx, w.agent, ana.ID); permit.ErrorCode(err) != permit.ECONFLICT {
			t.Errorf("an arrived person marked absent: %v", err)
		}
		if _, err := ap.NoShow(ctx, w.lyonAgnt, gus.ID); permit.ErrorCode(err) != permit.ENOTFOUND {
			t.Errorf("Lyon marks Paris's booking: %v", err)
		}
		if _, err := ap.NoShow(ctx, w.agent, gus.ID); err != nil {
			t.Fatal(err)
		}
		if stored, _ := (store.Appointments{DB: db}).Booking(ctx, gus.ID); stored.Status != permit.BookingNoShow {
			t.Fatalf("Gus's booking %+v, want absent", stored)
		}
		if b, err := ap.Arrive(ctx, w.agent, ap.CounterCode(gus)); err != nil || b.Arrived() {
			t.Errorf("an absent person's arrival recorded: %+v, %v", b, err)
		}
	})
}
