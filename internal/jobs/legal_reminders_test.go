package jobs_test

import (
	"context"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sejour/sejour/internal/clock"
	"github.com/sejour/sejour/internal/jobs"
	"github.com/sejour/sejour/internal/notify"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/store"
	"github.com/sejour/sejour/internal/store/storetest"
)

// countingSMS is the logging sender, counted.
type countingSMS struct {
	notify.LogSMS
	sent atomic.Int32
}

func (c *countingSMS) SendSMS(ctx context.Context, s *permit.SMS) error {
	c.sent.Add(1)
	return c.LogSMS.SendSMS(ctx, s)
}

// The legal dates' reminder sweep runs at start until it has done all
// (ErrMore snoozes it); an SMS written with a reminder is delivered by
// its deliver_sms job, queued in the reminder's transaction, and marked
// sent.
func TestLegalReminderSweepAndSMS(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, clk *clock.Fixed) {
		d := database(t, db)
		logger := slog.New(slog.DiscardHandler)
		if err := jobs.Migrate(ctx, d, logger); err != nil {
			t.Fatal(err)
		}
		var runs atomic.Int32
		sender := &countingSMS{}
		st := store.Reminders{DB: db}
		q, err := jobs.New(ctx, jobs.Options{Database: d, Store: db.Mails(), Sender: notify.Keep{}, Clock: clk, Logger: logger,
			PollInterval: 50 * time.Millisecond, SMS: st, SMSSender: sender,
			RemindLegalDates: func(context.Context) (int, error) {
				if runs.Add(1) == 1 {
					return 200, jobs.ErrMore
				}
				return 0, nil
			},
		})
		if err != nil {
			t.Fatal(err)
		}
		db.SetJobs(q)
		acc := &permit.Account{Email: "awa@example.org", Role: permit.RoleApplicant, Lang: "fr"}
		if err := db.Accounts().CreateAccount(ctx, acc, "!", nil, nil); err != nil {
			t.Fatal(err)
		}
		sms := &permit.SMS{To: "0612345678", Text: "Titre de séjour"}
		r := &permit.Reminder{AccountID: acc.ID, Kind: permit.ReminderWindowOpens, Subject: "permit:1", Date: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)}
		if wrote, err := st.WriteReminder(ctx, r, nil, sms); err != nil || !wrote {
			t.Fatalf("%v %v", wrote, err)
		}
		run(t, q)
		deadline := time.Now().Add(3 * wait)
		for {
			got, err := st.SMS(ctx, sms.ID)
			if err != nil {
				t.Fatal(err)
			}
			if runs.Load() >= 2 && got.SentAt != nil {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("sweep ran %d times, SMS %+v", runs.Load(), got)
			}
			clk.Advance(2 * time.Second) // past the snooze
			time.Sleep(100 * time.Millisecond)
		}
		if sender.sent.Load() != 1 {
			t.Errorf("%d SMS sent", sender.sent.Load())
		}
	})
}
