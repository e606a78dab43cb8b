package casework_test

import (
	"bytes"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sejour/sejour/internal/casework"
	"github.com/sejour/sejour/internal/clock"
	"github.com/sejour/sejour/internal/i18n"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/rules"
	"github.com/sejour/sejour/internal/seal"
	"github.com/sejour/sejour/internal/store"
	"github.com/sejour/sejour/internal/store/rooms"
	"github.com/sejour/sejour/internal/store/storetest"
)

// tightSchedule has one counter in Paris open on Fridays from 09:00 to
// 09:30 and a delay of one day: on storetest.Start (Thursday 26 November
// 2026), one filing slot is free within the delay, Friday at 09:00.
const tightSchedule = `{"step_minutes": 15, "horizon_days": 30,
	"kinds": {"counter_filing": 30, "document_check": 15, "card_collection": 15, "portal_help": 30},
	"prefectures": [
	 {"prefecture": "75", "delays": {"standard_days": 1, "urgent_days": 1},
	  "sites": [{"id": "cite", "name": {"fr": "Cité", "en": "Cité"}, "address": "1 rue de Lutèce", "counters": 1,
	    "kinds": ["counter_filing", "document_check"], "hours": {"fri": [["09:00", "09:30"]]}}]},
	 {"prefecture": "69", "delays": {"standard_days": 1, "urgent_days": 1},
	  "sites": [{"id": "lyon", "name": {"fr": "Lyon", "en": "Lyon"}, "address": "Lyon", "counters": 1,
	    "kinds": ["counter_filing"], "hours": {"fri": [["09:00", "09:30"]]}}]}]}`

type apptWorld struct {
	t        *testing.T
	db       *store.DB
	clk      *clock.Fixed
	uc       *casework.UseCases
	paris    *permit.Prefecture
	lyon     *permit.Prefecture
	super    *permit.Account // supervisor in Paris
	agent    *permit.Account // agent in Paris
	lyonAgnt *permit.Account
}

func newApptWorld(t *testing.T, db *store.DB, clk *clock.Fixed) *apptWorld {
	t.Helper()
	tokens, err := seal.NewTokens(bytes.Repeat([]byte{9}, 32))
	if err != nil {
		t.Fatal(err)
	}
	sched, err := rules.ParseAppointments([]byte(tightSchedule))
	if err != nil {
		t.Fatal(err)
	}
	cfg := casework.Config{Rules: rules.MustLoad(), Tr: i18n.MustLoad(), Clock: clk, Logger: discard(), BaseURL: "https://sejour.example", Tokens: tokens}
	w := &apptWorld{t: t, db: db, clk: clk, uc: casework.New(cfg, rooms.Of(db), nil)}
	w.uc.Appointments.Schedule = sched
	w.paris = &permit.Prefecture{Code: "75", Name: "Paris", Departments: []string{"75"}}
	w.lyon = &permit.Prefecture{Code: "69", Name: "Rhône", Departments: []string{"69"}}
	for _, p := range []*permit.Prefecture{w.paris, w.lyon} {
		if err := db.Files().CreatePrefecture(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	w.super = w.staff("super@p.example", w.paris.ID, true)
	w.agent = w.staff("agent@p.example", w.paris.ID, false)
	w.lyonAgnt = w.staff("agent@lyon.example", w.lyon.ID, true)
	return w
}

func (w *apptWorld) staff(email string, pref int64, super bool) *permit.Account {
	a := &permit.Account{Email: email, Role: permit.RoleAgent, Lang: "fr", Prefectures: []int64{pref}, Supervisor: super}
	if err := w.db.Accounts().CreateAccount(ctx, a, "!", nil, nil); err != nil {
		w.t.Fatal(err)
	}
	return a
}

func form(name, slot string) casework.BookingForm {
	return casework.BookingForm{Prefecture: "75", Site: "cite", Kind: "counter_filing", Reason: "outage",
		Name: name, Email: strings.ToLower(name) + "@mail.example", Slot: slot, Lang: "en"}
}

func (w *apptWorld) mailTo(to string) *permit.Mail {
	w.t.Helper()
	mails, err := w.db.Mails().RecentMails(ctx, 100)
	if err != nil {
		w.t.Fatal(err)
	}
	for _, m := range mails {
		if m.To == to {
			return m
		}
	}
	return nil
}

func TestBookingWaitingListAndOffers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, clk *clock.Fixed) {
		w := newApptWorld(t, db, clk)
		ap := w.uc.Appointments
		choice, err := ap.Choice(ctx, form("", ""))
		if err != nil {
			t.Fatal(err)
		}
		friday := time.Date(2026, 11, 27, 9, 0, 0, 0, permit.Paris)
		if len(choice.Slots) != 1 || !choice.Slots[0].StartsAt.Equal(friday) || !choice.Urgent {
			t.Fatalf("choice = %+v, want Friday 09:00 only, urgent", choice)
		}
		// Ana books it, and is mailed its time, code and link.
		ana, err := ap.Book(ctx, nil, form("Ana", choice.Slots[0].Value()))
		if err != nil {
			t.Fatal(err)
		}
		m := w.mailTo("ana@mail.example")
		if ana.Status != permit.BookingBooked || m == nil || !strings.Contains(m.Text, ap.CounterCode(ana)) ||
			!strings.Contains(m.Text, "https://sejour.example/rendez-vous/gerer/"+ap.ManageToken(ana)) || !strings.Contains(m.Text, "09:00") {
			t.Fatalf("Ana's booking %+v, mail %+v", ana, m)
		}
		// The slot is gone: the same slot again is a clear answer on the
		// slot field, and the page offers the waiting list.
		_, err = ap.Book(ctx, nil, form("Bea", choice.Slots[0].Value()))
		if permit.FieldErrors(err)["slot"] != "appointments.error.slot" {
			t.Fatalf("a taken slot: %v", err)
		}
		if c, _ := ap.Choice(ctx, form("", "")); len(c.Slots) != 0 {
			t.Fatalf("slots left: %+v", c.Slots)
		}
		bea, err := ap.Book(ctx, nil, form("Bea", "wait"))
		if err != nil || bea.Status != permit.BookingWaiting || !bea.Deadline.Equal(time.Date(2026, 11, 28, 0, 0, 0, 0, permit.Paris)) {
			t.Fatalf("Bea: %+v, %v", bea, err)
		}
		clk.Advance(time.Minute)
		cleo, err := ap.Book(ctx, nil, form("Cleo", "wait"))
		if err != nil {
			t.Fatal(err)
		}
		// Ana cancels from her link: Bea, first on the list, is given the
		// slot in the same transaction, and mailed.
		if _, err := ap.Cancel(ctx, ap.ManageToken(ana)); err != nil {
			t.Fatal(err)
		}
		got, _ := store.Appointments{DB: db}.Booking(ctx, bea.ID)
		if got.Status != permit.BookingBooked || !got.Offered || !got.StartsAt.Equal(friday) {
			t.Fatalf("Bea after the cancellation: %+v", got)
		}
		if m := w.mailTo("bea@mail.example"); m == nil || !strings.Contains(m.Subject, "offered") {
			t.Fatalf("Bea's mail: %+v", m)
		}
		if _, err := ap.Cancel(ctx, ap.ManageToken(ana)); permit.ErrorCode(err) != permit.ECONFLICT {
			t.Errorf("cancelled twice: %v", err)
		}
		if _, err := ap.Cancel(ctx, ap.ManageToken(ana)+"x"); permit.ErrorCode(err) != permit.ENOTFOUND {
			t.Errorf("a forged token: %v", err)
		}
		// A session added by Paris's supervisor is offered to Cleo; an
		// agent, or Lyon's supervisor, cannot add one.
		sf := casework.SessionForm{Site: "cite", Day: "2026-11-27", From: "14:00", To: "15:00", Counters: "1"}
		for _, who := range []*permit.Account{w.agent, w.lyonAgnt} {
			if _, err := ap.AddSession(ctx, who, w.paris.ID, sf); permit.ErrorCode(err) != permit.ENOTFOUND {
				t.Errorf("%s adds a session: %v", who.Email, err)
			}
		}
		if _, err := ap.AddSession(ctx, w.super, w.paris.ID, sf); err != nil {
			t.Fatal(err)
		}
		got, _ = store.Appointments{DB: db}.Booking(ctx, cleo.ID)
		if got.Status != permit.BookingBooked || !got.StartsAt.Equal(time.Date(2026, 11, 27, 14, 0, 0, 0, permit.Paris)) {
			t.Fatalf("Cleo after the session: %+v", got)
		}
		// The agenda: Paris's staff only.
		ag, err := ap.Agenda(ctx, w.agent, w.paris.ID)
		if err != nil || len(ag.Bookings) != 2 || len(ag.Waiting) != 0 {
			t.Fatalf("agenda: %+v, %v", ag, err)
		}
		if _, err := ap.Agenda(ctx, w.lyonAgnt, w.paris.ID); permit.ErrorCode(err) != permit.ENOTFOUND {
			t.Errorf("Lyon reads Paris's agenda: %v", err)
		}
		// The counter's code names the booking for Paris's staff only.
		if b, err := ap.ByCode(ctx, w.agent, ap.CounterCode(got)); err != nil || b.ID != cleo.ID {
			t.Errorf("by code: %v, %v", b, err)
		}
		if _, err := ap.ByCode(ctx, w.lyonAgnt, ap.CounterCode(got)); permit.ErrorCode(err) != permit.ENOTFOUND {
			t.Errorf("Lyon reads Paris's code: %v", err)
		}
		forged := strings.Replace(ap.CounterCode(got), "RDV-"+itoa(cleo.ID), "RDV-"+itoa(bea.ID), 1)
		if _, err := ap.ByCode(ctx, w.agent, forged); permit.ErrorCode(err) != permit.ENOTFOUND {
			t.Errorf("a forged code: %v", err)
		}
		// No-show: only once the time has come.
		if _, err := ap.NoShow(ctx, w.agent, bea.ID); permit.ErrorCode(err) != permit.ECONFLICT {
			t.Errorf("no-show before the time: %v", err)
		}
		clk.Set(friday.Add(time.Hour))
		if _, err := ap.NoShow(ctx, w.lyonAgnt, bea.ID); permit.ErrorCode(err) != permit.ENOTFOUND {
			t.Errorf("Lyon records a no-show in Paris: %v", err)
		}
		if _, err := ap.NoShow(ctx, w.agent, bea.ID); err != nil {
			t.Fatal(err)
		}
	})
}

func TestBookingFormIsChecked(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, clk *clock.Fixed) {
		w := newApptWorld(t, db, clk)
		f := form("", "wait")
		f.Email, f.Kind, f.PermitEnds = "", "card_collection", "someday"
		_, err := w.uc.Appointments.Book(ctx, nil, f)
		fields := permit.FieldErrors(err)
		for field, key := range map[string]string{"name": "appointments.error.name", "email": "appointments.error.contact",
			"kind": "appointments.error.kind", "permit_ends": "appointments.error.date"} {
			if fields[field] != key {
				t.Errorf("%s: %q, want %q (%v)", field, fields[field], key, err)
			}
		}
		// An agent books for a caller of their own prefecture only.
		f = form("Dan", "wait")
		f.Channel = "phone"
		if _, err := w.uc.Appointments.Book(ctx, w.lyonAgnt, f); permit.ErrorCode(err) != permit.ENOTFOUND {
			t.Errorf("Lyon books in Paris: %v", err)
		}
		f.Slot = "1:1"
		if _, err := w.uc.Appointments.Book(ctx, w.agent, f); permit.FieldErrors(err)["slot"] != "appointments.error.slot" {
			t.Errorf("a made-up slot: %v", err)
		}
	})
}

// Two people (on two instances of the portal) book the last slot at
// once: one gets it, every other a clear answer on the slot field.
func TestTwoBookTheLastSlotAtOnce(t *testing.T) {
	storetest.EachPair(t, func(t *testing.T, a, b *store.DB, clk *clock.Fixed) {
		wa := newApptWorld(t, a, clk)
		sched, _ := rules.ParseAppointments([]byte(tightSchedule))
		tokens, _ := seal.NewTokens(bytes.Repeat([]byte{9}, 32))
		ub := casework.New(casework.Config{Rules: rules.MustLoad(), Tr: i18n.MustLoad(), Clock: clk, Logger: discard(), Tokens: tokens}, rooms.Of(b), nil)
		ub.Appointments.Schedule = sched
		choice, err := wa.uc.Appointments.Choice(ctx, form("", ""))
		if err != nil || len(choice.Slots) != 1 {
			t.Fatalf("%+v, %v", choice, err)
		}
		slot := choice.Slots[0].Value()
		const n = 8
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ap := wa.uc.Appointments
				if i%2 == 1 {
					ap = ub.Appointments
				}
				_, errs[i] = ap.Book(ctx, nil, form("P"+itoa(int64(i)), slot))
			}()
		}
		wg.Wait()
		won := 0
		for i, err := range errs {
			switch {
			case err == nil:
				won++
			case permit.FieldErrors(err)["slot"] == "appointments.error.taken" || permit.FieldErrors(err)["slot"] == "appointments.error.slot":
			default:
				t.Errorf("booker %d: %v, want the slot or a clear answer", i, err)
			}
		}
		if won != 1 {
			t.Fatalf("%d bookers got the last slot, want 1", won)
		}
		ag, _ := wa.uc.Appointments.Agenda(ctx, wa.agent, wa.paris.ID)
		if len(ag.Bookings) != 1 {
			t.Fatalf("%d bookings held, want 1", len(ag.Bookings))
		}
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
