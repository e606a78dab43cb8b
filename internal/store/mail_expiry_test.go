package store_test

import (
	"testing"
	"time"

	"github.com/sejour/sejour/internal/clock"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/store"
	"github.com/sejour/sejour/internal/store/storetest"
)

// TestDroppedMailIsNeverOfferedAgain: a mail keeps the expiry of its
// link; once dropped (the link died before the relay took it), the sweep
// no longer offers it and it is not marked sent (issue 11 §7).
func TestDroppedMailIsNeverOfferedAgain(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, clk *clock.Fixed) {
		until := clk.Now().Add(time.Hour).UTC().Truncate(time.Second)
		m := &permit.Mail{To: "a@example.org", Subject: "s", Text: "t", ExpiresAt: &until}
		if err := db.EnqueueMail(t.Context(), m); err != nil {
			t.Fatal(err)
		}
		got, err := db.Mails().Mail(t.Context(), m.ID)
		if err != nil || got.ExpiresAt == nil || !got.ExpiresAt.Equal(until) {
			t.Fatalf("stored expiry %v (%v), want %v", got.ExpiresAt, err, until)
		}
		if err := db.Mails().DropMail(t.Context(), m.ID, "link expired before delivery"); err != nil {
			t.Fatal(err)
		}
		unsent, err := db.Mails().UnsentMails(t.Context(), 10, 100)
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range unsent {
			if u.ID == m.ID {
				t.Fatal("a dropped mail is offered again")
			}
		}
		if got, _ := db.Mails().Mail(t.Context(), m.ID); got.DroppedAt == nil || got.SentAt != nil || got.LastError == "" {
			t.Errorf("dropped mail: %+v", got)
		}
	})
}
