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

// The figures of a prefecture, on both databases with a fixed clock: the
// delay from request to slot (median and 90th percentile), the share
// booked within the guaranteed delay, the waiting list and its oldest
// request, the no-shows; another prefecture's bookings do not count.
func TestAppointmentFigures(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, clk *clock.Fixed) {
		w := newApptWorld(t, db, clk)
		ap := w.uc.Appointments
		start := clk.Now()
		friday := time.Date(2026, 11, 27, 9, 0, 0, 0, permit.Paris)
		ana, err := ap.Book(ctx, nil, form("Ana", casework.Slot{Counter: 1, StartsAt: friday}.Value()))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ap.Book(ctx, nil, form("Bea", "wait")); err != nil {
			t.Fatal(err)
		}
		clk.Advance(time.Minute)
		if _, err := ap.Book(ctx, nil, form("Cleo", "wait")); err != nil {
			t.Fatal(err)
		}
		lyon := form("Lou", casework.Slot{Counter: 1, StartsAt: friday}.Value())
		lyon.Prefecture, lyon.Site = "69", "lyon"
		if _, err := ap.Book(ctx, nil, lyon); err != nil {
			t.Fatal(err)
		}
		ag, err := ap.Agenda(ctx, w.super, w.paris.ID)
		if err != nil {
			t.Fatal(err)
		}
		f := ag.Figures
		if f.Measured != 1 || f.Median != 23*time.Hour || f.P90 != 23*time.Hour || f.Decided != 1 || f.WithinPercent() != 100 ||
			f.Waiting != 2 || f.OldestWaiting != time.Minute || f.Passed != 0 || f.NoShows != 0 {
			t.Fatalf("figures at first: %+v", f)
		}
		// A session gives Bea 14:00 and Cleo 14:30; Dan then waits, and
		// is still waiting past his deadline on Saturday, when Ana is
		// recorded as not come.
		sf := casework.SessionForm{Site: "cite", Day: "2026-11-27", From: "14:00", To: "15:00", Counters: "1"}
		if _, err := ap.AddSession(ctx, w.super, w.paris.ID, sf); err != nil {
			t.Fatal(err)
		}
		clk.Advance(time.Minute)
		dan, err := ap.Book(ctx, nil, form("Dan", "wait"))
		if err != nil || dan.Status != permit.BookingWaiting {
			t.Fatalf("Dan: %+v, %v", dan, err)
		}
		saturday := time.Date(2026, 11, 28, 10, 0, 0, 0, permit.Paris)
		clk.Set(saturday)
		if _, err := ap.NoShow(ctx, w.agent, ana.ID); err != nil {
			t.Fatal(err)
		}
		if ag, err := ap.Agenda(ctx, w.agent, w.paris.ID); err != nil || ag.Figures != nil {
			t.Fatalf("an agent's agenda: figures %+v, %v", ag.Figures, err)
		}
		ag, err = ap.Agenda(ctx, w.super, w.paris.ID)
		if err != nil {
			t.Fatal(err)
		}
		f = ag.Figures
		// Delays: Ana 23 h, Bea 28 h (10:00 → 14:00 the next day), Cleo
		// 28 h 29 min; median the second, 90th percentile the third.
		if f.Measured != 3 || f.Median != 28*time.Hour || f.P90 != 28*time.Hour+29*time.Minute {
			t.Errorf("delays: %+v", f)
		}
		if f.Decided != 4 || f.Within != 3 || f.WithinPercent() != 75 {
			t.Errorf("within the delay: %+v", f)
		}
		if f.Waiting != 1 || f.OldestWaiting != saturday.Sub(start.Add(2*time.Minute)) {
			t.Errorf("waiting list: %+v", f)
		}
		if f.Passed != 3 || f.NoShows != 1 {
			t.Errorf("no-shows: %+v", f)
		}
		// The public figures: every prefecture with appointments, Lyon
		// with its own booking only.
		all, err := ap.PublicFigures(ctx)
		if err != nil || len(all) != 2 || all[0].PrefectureCode != "75" || all[0].Measured != 3 ||
			all[1].PrefectureCode != "69" || all[1].Waiting != 0 || all[1].Measured != 1 || all[1].WithinPercent() != 100 {
			t.Fatalf("public figures: %+v, %v", all, err)
		}
		// Thirty-one days on, the requests and appointments are out of
		// the window; Dan still waits.
		clk.Set(saturday.AddDate(0, 0, 31))
		all, _ = ap.PublicFigures(ctx)
		if f := all[0]; f.Measured != 0 || f.Decided != 0 || f.WithinPercent() != -1 || f.Passed != 0 || f.Waiting != 1 ||
			f.OldestWaiting <= 31*24*time.Hour {
			t.Errorf("a month later: %+v", f)
		}
	})
}

// The delay measured is to the first free slot: a person who chooses a
// later slot than the first offered does not lengthen it.
func TestFiguresMeasureTheFirstFreeSlot(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, clk *clock.Fixed) {
		w := newApptWorld(t, db, clk)
		ap := w.uc.Appointments
		f := form("Ana", "")
		f.Kind = "document_check" // Friday 09:00 and 09:15
		choice, err := ap.Choice(ctx, f)
		if err != nil || len(choice.Slots) != 2 {
			t.Fatalf("%+v, %v", choice, err)
		}
		f.Slot = choice.Slots[1].Value() // Ana prefers 09:15
		ana, err := ap.Book(ctx, nil, f)
		if err != nil {
			t.Fatal(err)
		}
		stored, err := (store.Appointments{DB: db}).Booking(ctx, ana.ID)
		if err != nil || !stored.FirstFreeAt.Equal(choice.Slots[0].StartsAt) {
			t.Fatalf("stored first free slot %v, want %v (%v)", stored.FirstFreeAt, choice.Slots[0].StartsAt, err)
		}
		ag, err := ap.Agenda(ctx, w.super, w.paris.ID)
		if err != nil {
			t.Fatal(err)
		}
		if want := choice.Slots[0].StartsAt.Sub(clk.Now()); ag.Figures.Measured != 1 || ag.Figures.Median != want {
			t.Fatalf("figures %+v, want a median of %v", ag.Figures, want)
		}
	})
}
