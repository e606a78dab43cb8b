package jobs_test

import (
	"fmt"
	"testing"

	"github.com/sejour/sejour/internal/clock"
	"github.com/sejour/sejour/internal/notify/smtptest"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/store"
	"github.com/sejour/sejour/internal/store/storetest"
)

// Mails queued while the relay refuses mail go out as soon as it takes
// one again, not at their next retry: the clock never moves here, so
// without the flush their retries would never come.
func TestMailFlushedWhenRelayRecovers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, clk *clock.Fixed) {
		srv := smtptest.Start(t)
		srv.Unavailable(true)
		q := start(t, db, clk, smtpSender(t, srv, clk))
		var waiting []*permit.Mail
		for i := range 3 {
			m := enqueue(t, db, fmt.Sprintf("attente%d@example.org", i))
			if err := q.MailQueued(ctx, m.ID); err != nil {
				t.Fatal(err)
			}
			waiting = append(waiting, m)
		}
		for _, m := range waiting {
			eventually(t, db, m.ID, "failed", func(m *permit.Mail) bool { return m.Attempts >= 1 })
		}
		srv.Unavailable(false)
		fresh := enqueue(t, db, "retour@example.org")
		if err := q.MailQueued(ctx, fresh.ID); err != nil {
			t.Fatal(err)
		}
		for _, m := range waiting {
			srv.WaitFor(t, m.To, wait)
			if done := eventually(t, db, m.ID, "sent", sent); done.Attempts != 2 {
				t.Errorf("mail %d sent at attempt %d, want 2", m.ID, done.Attempts)
			}
		}
	})
}
