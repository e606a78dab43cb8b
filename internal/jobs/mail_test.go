package jobs

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/sejour/sejour/internal/notify"
	"github.com/sejour/sejour/internal/permit"
)

// fakeStore is a MailStore whose methods are the test's functions; a
// method the test did not set fails it.
type fakeStore struct {
	t           *testing.T
	mail        func(id int64) (*permit.Mail, error)
	unsentMails func(limit, maxAttempts int) ([]*permit.Mail, error)
	markSent    func(id int64) error
	markFailed  func(id int64, reason string) error
	drop        func(id int64, reason string) error
}

func (f *fakeStore) DropMail(_ context.Context, id int64, reason string) error {
	if f.drop == nil {
		f.t.Fatalf("unexpected DropMail(%d)", id)
	}
	return f.drop(id, reason)
}

func (f *fakeStore) Mail(_ context.Context, id int64) (*permit.Mail, error) {
	if f.mail == nil {
		f.t.Fatalf("unexpected Mail(%d)", id)
	}
	return f.mail(id)
}

func (f *fakeStore) UnsentMails(_ context.Context, limit, maxAttempts int) ([]*permit.Mail, error) {
	if f.unsentMails == nil {
		f.t.Fatal("unexpected UnsentMails")
	}
	return f.unsentMails(limit, maxAttempts)
}

func (f *fakeStore) MarkMailSent(_ context.Context, id int64) error {
	if f.markSent == nil {
		f.t.Fatalf("unexpected MarkMailSent(%d)", id)
	}
	return f.markSent(id)
}

func (f *fakeStore) MarkMailFailed(_ context.Context, id int64, reason string) error {
	if f.markFailed == nil {
		f.t.Fatalf("unexpected MarkMailFailed(%d, %q)", id, reason)
	}
	return f.markFailed(id, reason)
}

type senderFunc func(ctx context.Context, m *permit.Mail) error

func (f senderFunc) Send(ctx context.Context, m *permit.Mail) error { return f(ctx, m) }

func TestDeliverMail(t *testing.T) {
	sentAt := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
	unsent := func(int64) (*permit.Mail, error) { return &permit.Mail{ID: 7, To: "a@example.org"}, nil }
	refused := errors.New("550 no such mailbox")
	for _, tc := range []struct {
		name       string
		mail       func(int64) (*permit.Mail, error)
		send       error
		wantSend   bool
		wantMark   string // "sent", "failed", "dropped" or ""
		wantErr    error
		wantCancel bool
	}{
		{name: "delivered", mail: unsent, wantSend: true, wantMark: "sent"},
		{name: "refused", mail: unsent, send: refused, wantSend: true, wantMark: "failed", wantErr: refused},
		{name: "kept without SMTP", mail: unsent, send: notify.ErrKept, wantSend: true},
		{name: "already sent", mail: func(int64) (*permit.Mail, error) {
			return &permit.Mail{ID: 7, SentAt: &sentAt}, nil
		}},
		// A reset link that died while the relay was down is not sent.
		{name: "link expired", mail: func(int64) (*permit.Mail, error) {
			dead := time.Now().Add(-time.Minute)
			return &permit.Mail{ID: 7, To: "a@example.org", ExpiresAt: &dead}, nil
		}, wantMark: "dropped"},
		{name: "link still alive", mail: func(int64) (*permit.Mail, error) {
			alive := time.Now().Add(time.Hour)
			return &permit.Mail{ID: 7, To: "a@example.org", ExpiresAt: &alive}, nil
		}, wantSend: true, wantMark: "sent"},
		{name: "gone from the outbox", mail: func(int64) (*permit.Mail, error) {
			return nil, permit.Errorf(permit.ENOTFOUND, "error.not_found")
		}, wantCancel: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var sent bool
			var marked string
			store := &fakeStore{t: t, mail: tc.mail}
			if tc.wantMark == "sent" {
				store.markSent = func(int64) error { marked = "sent"; return nil }
			}
			if tc.wantMark == "dropped" {
				store.drop = func(int64, string) error { marked = "dropped"; return nil }
			}
			if tc.wantMark == "failed" {
				store.markFailed = func(_ int64, reason string) error {
					if reason != tc.send.Error() {
						t.Errorf("failure recorded as %q", reason)
					}
					marked = "failed"
					return nil
				}
			}
			w := &deliverWorker{store: store, logger: slog.New(slog.DiscardHandler), sender: senderFunc(func(context.Context, *permit.Mail) error {
				sent = true
				return tc.send
			})}
			err := w.Work(context.Background(), &river.Job[DeliverMailArgs]{JobRow: &rivertype.JobRow{Attempt: 1}, Args: DeliverMailArgs{MailID: 7}})
			if sent != tc.wantSend || marked != tc.wantMark {
				t.Errorf("sent %v, marked %q; want %v, %q", sent, marked, tc.wantSend, tc.wantMark)
			}
			var cancel *rivertype.JobCancelError
			switch {
			case tc.wantCancel && !errors.As(err, &cancel):
				t.Errorf("err = %v, want a JobCancel", err)
			case !tc.wantCancel && !errors.Is(err, tc.wantErr):
				t.Errorf("err = %v, want %v", err, tc.wantErr)
			}
		})
	}
}

// The sweep asks the store only for mails with attempts left, and queues
// each of them.
func TestSweepSkipsExhaustedMails(t *testing.T) {
	var queued []int64
	w := &sweepWorker{
		store: &fakeStore{t: t, unsentMails: func(_, maxAttempts int) ([]*permit.Mail, error) {
			if maxAttempts != maxDeliveryAttempts {
				t.Errorf("sweep asked for mails under %d attempts, want %d", maxAttempts, maxDeliveryAttempts)
			}
			return []*permit.Mail{{ID: 1}, {ID: 3, Attempts: 3}}, nil
		}},
		enqueue: func(_ context.Context, ids []int64) error { queued = ids; return nil },
	}
	if err := w.Work(context.Background(), &river.Job[MailSweepArgs]{JobRow: &rivertype.JobRow{}}); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(queued, []int64{1, 3}) {
		t.Errorf("queued %v, want [1 3]", queued)
	}
}
