package app

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/sejour/sejour/internal/clock"
	"github.com/sejour/sejour/internal/notify/smtptest"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/store"
	"github.com/sejour/sejour/internal/store/storetest"
)

// TestResetAnsweredByTheQueue: the real program answers reset requests
// with its job queue: the known address receives its link over SMTP, the
// unknown one nothing, and no request is left (issue 13, item 7).
func TestResetAnsweredByTheQueue(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, _ *clock.Fixed) {
		mail := smtptest.Start(t)
		m := start(t, db, mail)
		now := time.Now()
		a := &permit.Account{Email: "known@example.org", Role: permit.RoleApplicant, Lang: "en", ConfirmedAt: &now}
		if err := db.Accounts().CreateAccount(context.Background(), a, "", nil, nil); err != nil {
			t.Fatal(err)
		}
		for _, addr := range []string{"ghost@example.org", "known@example.org"} {
			res, err := http.PostForm(m.Config.BaseURL+"/mot-de-passe-oublie", url.Values{"email": {addr}})
			if err != nil || res.StatusCode != http.StatusOK {
				t.Fatalf("reset request for %s: %v %v", addr, res, err)
			}
			res.Body.Close()
		}
		msg := mail.WaitFor(t, "known@example.org", time.Minute) // two jobs in turn: the answer, then the mail; bounded generously for loaded CI machines
		if !strings.Contains(msg.Text, m.Config.BaseURL+"/reinitialiser/") {
			t.Fatalf("no reset link in:\n%s", msg.Text)
		}
		deadline := time.Now().Add(time.Minute)
		for {
			ids, err := db.Accounts().PendingResetRequests(context.Background(), 10)
			if err == nil && len(ids) == 0 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("requests left unanswered: %v %v", ids, err)
			}
			time.Sleep(50 * time.Millisecond)
		}
		mails, err := db.Mails().RecentMails(context.Background(), 10)
		if err != nil || len(mails) != 1 || mails[0].To != "known@example.org" {
			t.Fatalf("outbox: %+v %v, want the known address's link only", mails, err)
		}
	})
}
