package store_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/sejour/sejour/internal/clock"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/store"
	"github.com/sejour/sejour/internal/store/storetest"
)

// TestReminderKeyIsUnique: a reminder (account, kind, subject, date) is
// written once with its mail and SMS; written again it is refused without
// a second mail, and the table's key refuses a row inserted around the
// room; a kind the person stopped is not written.
func TestReminderKeyIsUnique(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, clk *clock.Fixed) {
		acc := &permit.Account{Email: "awa@example.org", Role: permit.RoleApplicant, Lang: "fr"}
		if err := db.Accounts().CreateAccount(ctx, acc, "!", nil, nil); err != nil {
			t.Fatal(err)
		}
		st := store.Reminders{DB: db}
		date := time.Date(2027, 2, 1, 0, 0, 0, 0, time.UTC)
		r := &permit.Reminder{AccountID: acc.ID, Kind: permit.ReminderWindowOpens, Subject: "permit:1", Date: date}
		write := func() bool {
			t.Helper()
			wrote, err := st.WriteReminder(ctx, r, &permit.Mail{To: acc.Email, Subject: "s", Text: "t"}, &permit.SMS{To: "0612345678", Text: "t"})
			if err != nil {
				t.Fatal(err)
			}
			return wrote
		}
		if !write() || write() {
			t.Fatal("want written once")
		}
		mails, _ := db.Mails().RecentMails(ctx, 10)
		if len(mails) != 1 {
			t.Fatalf("%d mails", len(mails))
		}
		_, err := db.SQL().ExecContext(ctx, numbered(db, `INSERT INTO reminders (account_id, kind, subject, due_on, created_at) VALUES (?, ?, ?, ?, ?)`),
			acc.ID, "window_opens", "permit:1", "2027-02-01", clk.Now())
		if err == nil {
			t.Fatal("a second row under the same key")
		}
		// Another date of the same subject is another reminder.
		r2 := *r
		r2.Date = date.AddDate(0, 0, 1)
		if wrote, err := st.WriteReminder(ctx, &r2, nil, nil); err != nil || !wrote {
			t.Fatalf("%v %v", wrote, err)
		}
		// Stopped: not written.
		if err := st.SetStopped(ctx, acc.ID, []permit.ReminderKind{permit.ReminderCompletionDue}); err != nil {
			t.Fatal(err)
		}
		r3 := &permit.Reminder{AccountID: acc.ID, Kind: permit.ReminderCompletionDue, Subject: "request:1", Date: date}
		if wrote, err := st.WriteReminder(ctx, r3, &permit.Mail{To: acc.Email, Subject: "s", Text: "t"}, nil); err != nil || wrote {
			t.Fatalf("a stopped kind written: %v %v", wrote, err)
		}
		s, err := st.SMS(ctx, 1)
		if err != nil || s.SentAt != nil || s.To != "0612345678" {
			t.Fatalf("%+v %v", s, err)
		}
		if err := st.MarkSMSSent(ctx, s.ID, ""); err != nil {
			t.Fatal(err)
		}
		if s, _ = st.SMS(ctx, s.ID); s.SentAt == nil {
			t.Fatal("not marked sent")
		}
	})
}

// TestCalendarFeedToken: only the hash is kept; a new token ends the old
// one; a revoked token finds nothing.
func TestCalendarFeedToken(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, clk *clock.Fixed) {
		acc := &permit.Account{Email: "ben@example.org", Role: permit.RoleApplicant, Lang: "en"}
		if err := db.Accounts().CreateAccount(ctx, acc, "!", nil, nil); err != nil {
			t.Fatal(err)
		}
		st := store.Reminders{DB: db}
		if err := st.SetFeed(ctx, acc.ID, "hash-1"); err != nil {
			t.Fatal(err)
		}
		if a, err := st.FeedAccount(ctx, "hash-1"); err != nil || a.ID != acc.ID {
			t.Fatalf("%+v %v", a, err)
		}
		if err := st.SetFeed(ctx, acc.ID, "hash-2"); err != nil {
			t.Fatal(err)
		}
		if _, err := st.FeedAccount(ctx, "hash-1"); permit.ErrorCode(err) != permit.ENOTFOUND {
			t.Fatalf("the old token still works: %v", err)
		}
		if err := st.RevokeFeed(ctx, acc.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := st.FeedAccount(ctx, "hash-2"); permit.ErrorCode(err) != permit.ENOTFOUND {
			t.Fatalf("a revoked token works: %v", err)
		}
		if since, err := st.FeedSince(ctx, acc.ID); err != nil || since != nil {
			t.Fatalf("%v %v", since, err)
		}
	})
}

// numbered writes a statement's placeholders as the database wants them.
func numbered(db *store.DB, q string) string {
	if db.Dialect() != store.Postgres {
		return q
	}
	var b strings.Builder
	n := 0
	for _, r := range q {
		if r == '?' {
			n++
			fmt.Fprintf(&b, "$%d", n)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}
