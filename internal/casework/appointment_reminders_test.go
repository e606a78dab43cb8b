package casework_test

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sejour/sejour/internal/casework"
	"github.com/sejour/sejour/internal/clock"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/store"
	"github.com/sejour/sejour/internal/store/storetest"
)

func (w *apptWorld) mailsTo(to string) []*permit.Mail {
	w.t.Helper()
	mails, err := w.db.Mails().RecentMails(ctx, 100)
	if err != nil {
		w.t.Fatal(err)
	}
	var out []*permit.Mail
	for _, m := range mails {
		if m.To == to {
			out = append(out, m)
		}
	}
	return out
}

// The day before an appointment its person is mailed a reminder, once:
// a sweep run twice, or a reminder written again for the same booking
// (a sweep that died after reading), mails once; a phone-only booking
// gets no mail; an appointment two days away is not reminded yet.
func TestRemindersAreSentOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, clk *clock.Fixed) {
		w := newApptWorld(t, db, clk)
		ap := w.uc.Appointments
		friday := time.Date(2026, 11, 27, 9, 0, 0, 0, permit.Paris)
		// On Thursday Ana books Friday's slot.
		ana, err := ap.Book(ctx, nil, form("Ana", casework.Slot{Counter: 1, StartsAt: friday}.Value()))
		if err != nil {
			t.Fatal(err)
		}
		lou := form("Lou", casework.Slot{Counter: 1, StartsAt: friday}.Value())
		lou.Prefecture, lou.Site, lou.Email, lou.Phone = "69", "lyon", "", "06 11 22 33 44"
		if _, err := ap.Book(ctx, nil, lou); err != nil {
			t.Fatal(err)
		}
		// A sweep on Wednesday (the clock set back) leaves it for later.
		thursday := clk.Now()
		clk.Set(time.Date(2026, 11, 25, 12, 0, 0, 0, permit.Paris))
		if n, err := ap.SendReminders(ctx); err != nil || n != 0 {
			t.Fatalf("two days before: %d, %v", n, err)
		}
		// Thursday: the reminder is written once, however often the sweep runs.
		clk.Set(thursday.Add(time.Hour))
		for i, want := range []int{1, 0} {
			if n, err := ap.SendReminders(ctx); err != nil || n != want {
				t.Fatalf("sweep %d: %d, %v; want %d", i+1, n, err, want)
			}
		}
		mails := w.mailsTo("ana@mail.example")
		var reminders []*permit.Mail
		for _, m := range mails {
			if strings.Contains(m.Subject, "Reminder") {
				reminders = append(reminders, m)
			}
		}
		if len(reminders) != 1 || !strings.Contains(reminders[0].Text, ap.CounterCode(ana)) || !strings.Contains(reminders[0].Text, "09:00") {
			t.Fatalf("reminders: %+v", reminders)
		}
		// A sweep that read the booking, then died, and a second one that
		// writes it: still one mail.
		st := store.Appointments{DB: db}
		if wrote, err := st.Remind(ctx, ana, &permit.Mail{To: ana.Email, Subject: "again", Text: "again"}); err != nil || wrote {
			t.Fatalf("a second reminder written: %v, %v", wrote, err)
		}
		if len(w.mailsTo("ana@mail.example")) != len(mails) {
			t.Error("a second mail in the outbox")
		}
		// Nothing but mail addresses are written to: the phone-only
		// booking is not mailed.
		all, _ := db.Mails().RecentMails(ctx, 100)
		for _, m := range all {
			if strings.Contains(m.Text, "Lou") {
				t.Errorf("a mail for a phone-only booking: %+v", m)
			}
		}
	})
}

// Sweeps of two instances (or two sweeps of one, after a restart) write
// the same booking's reminder at once: one writes it, the others are told
// it is written, none fails (on PostgreSQL the loser meets the key's
// unique index inside its transaction).
func TestRemindersRacingSweeps(t *testing.T) {
	storetest.EachPair(t, func(t *testing.T, a, b *store.DB, clk *clock.Fixed) {
		w := newApptWorld(t, a, clk)
		ap := w.uc.Appointments
		choice, err := ap.Choice(ctx, form("", ""))
		if err != nil || len(choice.Slots) != 1 {
			t.Fatalf("%+v, %v", choice, err)
		}
		ana, err := ap.Book(ctx, nil, form("Ana", choice.Slots[0].Value()))
		if err != nil {
			t.Fatal(err)
		}
		const n = 8
		wrote := make([]bool, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				db := a
				if i%2 == 1 {
					db = b
				}
				wrote[i], errs[i] = store.Appointments{DB: db}.Remind(ctx, ana, &permit.Mail{To: ana.Email, Subject: "Reminder " + itoa(int64(i)), Text: "."})
			})
		}
		wg.Wait()
		count := 0
		for i := range n {
			if errs[i] != nil {
				t.Errorf("sweep %d: %v", i, errs[i])
			}
			if wrote[i] {
				count++
			}
		}
		reminders := 0
		for _, m := range w.mailsTo(ana.Email) {
			if strings.HasPrefix(m.Subject, "Reminder ") {
				reminders++
			}
		}
		if count != 1 || reminders != 1 {
			t.Fatalf("%d sweeps wrote, %d reminders in the outbox; want 1 and 1", count, reminders)
		}
	})
}
