package faulttest

import (
	"bytes"
	"context"
	"fmt"
	"mime/multipart"
	"net/http"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/sejour/sejour/internal/casework"
	"github.com/sejour/sejour/internal/store"
	"github.com/sejour/sejour/internal/web"
)

// The size of a run of TestKillDuringMessages.
const (
	writers      = 4  // applicants writing at once
	messagesEach = 12 // messages each of them sends, one after the other
	messageKills = 3  // SIGKILLs per database
)

// TestKillDuringMessages posts messages to the real server, each with the
// one-time key its form carries, kills the server with SIGKILL at random
// moments and starts it again; a message whose answer was lost is sent
// again with its key until the server answers, as a browser does when
// its person presses "send" again. Then every message is sent once more
// with its key. Each key must have made exactly one message: before the
// keys, 9 of 26 posts cut by a kill had committed, and their resend made
// a duplicate (issue 13, item 14).
func TestKillDuringMessages(t *testing.T) {
	if testing.Short() && os.Getenv("CI") != "true" {
		t.Skip("kills the real server for about half a minute: skipped with -short")
	}
	onBothDatabases(t, messageRun)
}

// sent is one message as its writer sent it: its key and text, and
// whether a send of it went unanswered (cut by a kill).
type sent struct {
	key, body string
	cut       bool
}

func messageRun(t *testing.T, bin, dsn string, db *store.DB) {
	began := time.Now()
	in, srv, db, _ := setUpRun(t, bin, dsn, db)
	apps, _ := prepare(t, in, db, writers, 0)
	ctx, cancel := context.WithTimeout(t.Context(), loadLimit)
	defer cancel()
	srv.start(t)
	srv.ready(t, readyLimit)

	base := in.vars["SEJOUR_BASE_URL"]
	var mu sync.Mutex
	all := map[int64][]*sent{}
	var wg sync.WaitGroup
	for _, a := range apps {
		wg.Go(func() {
			b := newBrowser(base, a.session)
			for i := range messagesEach {
				m := &sent{key: casework.NewResendKey(), body: fmt.Sprintf("Message %d de %s", i, a.email)}
				mu.Lock()
				all[a.appID] = append(all[a.appID], m)
				mu.Unlock()
				ok, resent := b.message(ctx, a.appID, m)
				m.cut = resent
				if !ok {
					t.Errorf("%s: not answered with the success redirect", m.body)
				}
				pause(ctx, 20*time.Millisecond, 120*time.Millisecond)
			}
		})
	}
	for range messageKills {
		pause(ctx, killAfterMin/2, killAfterMax/2)
		srv.kill()
		srv.start(t)
		srv.ready(t, readyLimit)
	}
	wg.Wait()
	if ctx.Err() != nil {
		t.Fatalf("the messages were not all sent within %s", loadLimit)
	}
	// Every message once more, with its key: the answer of each is the
	// first one's, and nothing is made.
	cut := 0
	for _, a := range apps {
		b := newBrowser(base, a.session)
		for _, m := range all[a.appID] {
			if m.cut {
				cut++
			}
			if ok, _ := b.message(ctx, a.appID, m); !ok {
				t.Errorf("%s: sent again after the run, not answered as the first send", m.body)
			}
		}
	}
	if err := srv.stop(); err != nil {
		t.Error(err)
	}

	counts := map[string]int{}
	rows, err := db.SQL().QueryContext(t.Context(), `SELECT body FROM messages`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var body string
		if err := rows.Scan(&body); err != nil {
			t.Fatal(err)
		}
		counts[body]++
	}
	if err := rows.Close(); err != nil {
		t.Fatal(err)
	}
	for _, ms := range all {
		for _, m := range ms {
			if n := counts[m.body]; n != 1 {
				t.Errorf("%q: %d messages, want exactly one for its key", m.body, n)
			}
		}
	}
	if n := len(counts); n != writers*messagesEach {
		t.Errorf("%d distinct messages in the database, want %d", n, writers*messagesEach)
	}
	t.Logf("%d kills, %d starts; %d messages, %d of them sent again after a send went unanswered; each once in the database; run %s",
		messageKills, srv.starts, writers*messagesEach, cut, time.Since(began).Round(100*time.Millisecond))
}

// message posts a message with its one-time key until the server
// answers. It reports whether the answer was the success redirect, and
// whether a send went unanswered before it (the message was sent again).
func (b *browser) message(ctx context.Context, appID int64, m *sent) (ok, resent bool) {
	want := fmt.Sprintf("/demandes/%d?message#messages", appID)
	for ctx.Err() == nil {
		status, loc, err := b.postMultipart(ctx, fmt.Sprintf("/demandes/%d/messages", appID), map[string]string{"body": m.body, web.OnceField: m.key})
		if err != nil {
			resent = true
			pause(ctx, 50*time.Millisecond, 150*time.Millisecond)
			continue
		}
		return status == http.StatusSeeOther && loc == want, resent
	}
	return false, resent
}

// postMultipart sends a multipart form without a file, as the message
// form is, and returns the status and the redirect's target.
func (b *browser) postMultipart(ctx context.Context, path string, fields map[string]string) (int, string, error) {
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	mw.Close()
	return b.send(ctx, path, mw.FormDataContentType(), &body)
}
