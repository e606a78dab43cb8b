package faulttest

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivertype"

	"github.com/sejour/sejour/internal/i18n"
	"github.com/sejour/sejour/internal/notify/smtptest"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/store"
)

// stuckAfter is how old a "running" job may be: River's rescuer takes
// back a dead process's job 5 minutes after its start (docs/operations.md,
// "Background jobs after a crash"), so an older one is stuck.
const stuckAfter = 6 * time.Minute

// findings is one look at the database after the kills: what is wrong
// (problems, empty when all is well) and what was counted.
type findings struct {
	problems       []string
	filed          int            // applications filed, as the database says
	granted        int            // applications in state favourable
	refused        int            // applications in state unfavourable
	unacknowledged int            // decisions or filings committed whose answer a kill cut
	delivered      int            // "filed" mails delivered to the relay
	twice          int            // "filed" mails the relay received twice
	awaitRescue    int            // "filed" mails whose delivery a kill cut, waiting for River's rescuer
	outbox         int            // mails in the outbox, every kind
	outboxWaiting  int            // of which not delivered, their delivery cut by a kill and waiting for River's rescuer
	killedJobs     map[string]int // jobs "running" younger than stuckAfter, by kind: left by a killed process, or working
}

func (f *findings) problem(format string, args ...any) {
	f.problems = append(f.problems, fmt.Sprintf(format, args...))
}

// inspector reads the database and River's table, as an operator would.
type inspector struct {
	db       *store.DB
	list     func(ctx context.Context) ([]*rivertype.JobRow, error)
	subjects map[permit.State]string // the subject of the mail telling a decision
}

func newInspector(t *testing.T, db *store.DB) *inspector {
	t.Helper()
	tr, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	in := &inspector{db: db, subjects: map[permit.State]string{
		permit.StateFavourable:   tr.T("fr", "mail.decided_favourable.subject"),
		permit.StateUnfavourable: tr.T("fr", "mail.decided_unfavourable.subject"),
	}}
	params := river.NewJobListParams().States(rivertype.JobStateRunning, rivertype.JobStateRetryable, rivertype.JobStateAvailable).First(10000)
	if db.Dialect() == store.SQLite {
		c, err := river.NewClient(riversqlite.New(db.SQL()), &river.Config{})
		if err != nil {
			t.Fatal(err)
		}
		in.list = jobList(c, params)
		return in
	}
	pool, err := pgxpool.New(t.Context(), db.PostgresURL())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	c, err := river.NewClient(riverpgxv5.New(pool), &river.Config{})
	if err != nil {
		t.Fatal(err)
	}
	in.list = jobList(c, params)
	return in
}

// jobList lists River's jobs through a client of either database's driver.
func jobList[TTx any](c *river.Client[TTx], params *river.JobListParams) func(context.Context) ([]*rivertype.JobRow, error) {
	return func(ctx context.Context) ([]*rivertype.JobRow, error) {
		res, err := c.JobList(ctx, params)
		if err != nil {
			return nil, err
		}
		return res.Jobs, nil
	}
}

// look checks every application of the test against what the clients
// were told, the outbox, the relay and River's table.
func (in *inspector) look(ctx context.Context, l *ledger, apps []applicant, relay *smtptest.Server) (*findings, error) {
	f := &findings{killedJobs: map[string]int{}}
	jobs, err := in.list(ctx)
	if err != nil {
		return nil, err
	}
	deliveries := in.jobs(f, jobs)
	mails, err := in.db.Mails().RecentMails(ctx, 100000)
	if err != nil {
		return nil, err
	}
	outbox(f, mails, deliveries)
	received := relay.Messages()
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, a := range apps {
		if err := in.application(ctx, f, l, a, mails, received, deliveries); err != nil {
			return nil, err
		}
	}
	return f, nil
}

// jobs checks River's table and returns the state of each mail's
// delivery job.
func (in *inspector) jobs(f *findings, jobs []*rivertype.JobRow) map[int64]rivertype.JobState {
	deliveries := map[int64]rivertype.JobState{}
	for _, j := range jobs {
		switch {
		case j.State == rivertype.JobStateRunning && j.AttemptedAt != nil && time.Since(*j.AttemptedAt) > stuckAfter:
			f.problem("job %d (%s) running since %s", j.ID, j.Kind, j.AttemptedAt.Format(time.TimeOnly))
		case j.State == rivertype.JobStateRunning:
			f.killedJobs[j.Kind]++
		case j.State == rivertype.JobStateRetryable:
			f.problem("job %d (%s) failed and waits for a retry: %v", j.ID, j.Kind, j.Errors)
		case j.State == rivertype.JobStateAvailable && j.Kind == "issue_attestations":
			f.problem("job %d (issue_attestations) still waiting to run", j.ID)
		}
		if j.Kind == "deliver_mail" {
			var args struct {
				MailID int64 `json:"mail_id"`
			}
			if json.Unmarshal(j.EncodedArgs, &args) == nil {
				deliveries[args.MailID] = j.State
			}
		}
	}
	return deliveries
}

// outbox checks that every mail of the outbox, whatever its kind, was
// delivered or waits for River's rescuer to deliver it.
func outbox(f *findings, mails []*permit.Mail, deliveries map[int64]rivertype.JobState) {
	for _, m := range mails {
		f.outbox++
		switch {
		case m.SentAt != nil:
		case deliveries[m.ID] == rivertype.JobStateRunning:
			f.outboxWaiting++
		default:
			f.problem("mail %d (%q to %s) neither delivered nor waiting for a rescue (job %q, attempts %d, %s)",
				m.ID, m.Subject, m.To, deliveries[m.ID], m.Attempts, m.LastError)
		}
	}
}

// application checks one application: filed once if it was acknowledged,
// its signed receipt and its mail, its decision and the attestation a
// favourable one owes, and no attestation twice.
func (in *inspector) application(ctx context.Context, f *findings, l *ledger, a applicant, mails []*permit.Mail,
	received []smtptest.Message, deliveries map[int64]rivertype.JobState) error {
	app, err := in.db.Application(ctx, a.appID)
	if err != nil {
		return err
	}
	if app.State == permit.StateDraft {
		if l.filed[a.appID] {
			f.problem("application %d: acknowledged filing lost (still a draft)", a.appID)
		}
		return nil
	}
	f.filed++
	if !l.filed[a.appID] {
		f.unacknowledged++
	}
	filings, err := in.db.Filings(ctx, a.appID)
	if err != nil {
		return err
	}
	if len(filings) != 1 {
		f.problem("application %d: %d filings, want 1", a.appID, len(filings))
		return nil
	}
	in.decision(f, l, app, a.email, mails)
	atts, err := in.db.Attestations(ctx, a.appID)
	if err != nil {
		return err
	}
	attestations(f, app, atts)
	in.filedMail(f, a, filings[0].Number, mails, received, deliveries)
	return nil
}

// decision checks that an acknowledged decision is the application's
// state, and that a decision has its one mail in the outbox.
func (in *inspector) decision(f *findings, l *ledger, app *permit.Application, email string, mails []*permit.Mail) {
	if subject, ok := in.subjects[app.State]; ok {
		n := 0
		for _, m := range mails {
			if m.To == email && m.Subject == subject {
				n++
			}
		}
		if n != 1 {
			f.problem("application %d: %d mails %q in the outbox, want 1", app.ID, n, subject)
		}
	}
	switch {
	case l.granted[app.ID] && app.State != permit.StateFavourable:
		f.problem("application %d: acknowledged grant lost (state %s)", app.ID, app.State)
	case l.refused[app.ID] && app.State != permit.StateUnfavourable:
		f.problem("application %d: acknowledged refusal lost (state %s)", app.ID, app.State)
	case app.State == permit.StateFavourable:
		f.granted++
		if !l.granted[app.ID] {
			f.unacknowledged++
		}
	case app.State == permit.StateUnfavourable:
		f.refused++
		if !l.refused[app.ID] {
			f.unacknowledged++
		}
	}
}

// attestations checks that a filed application has its signed receipt,
// a granted one its signed favourable-decision attestation, and that no
// two live attestations of one kind start on the same day.
func attestations(f *findings, app *permit.Application, atts []*permit.Attestation) {
	signed := map[permit.AttestationKind]bool{}
	live := map[string]int{}
	for _, at := range atts {
		if at.Code != "" {
			signed[at.Kind] = true
		}
		if at.SupersededAt == nil && at.RevokedAt == nil {
			live[string(at.Kind)+" "+permit.ParisDay(at.ValidFrom).Format(time.DateOnly)]++
		}
	}
	if !signed[permit.AttestationFilingReceipt] {
		f.problem("application %d: no signed filing receipt", app.ID)
	}
	if app.State == permit.StateFavourable && !signed[permit.AttestationFavourable] {
		f.problem("application %d: granted, no signed favourable-decision attestation", app.ID)
	}
	for k, n := range live {
		if n > 1 {
			f.problem("application %d: %d live attestations %s", app.ID, n, k)
		}
	}
}

// filedMail checks that the filing's mail is in the outbox once, and was
// delivered to the relay, unless its delivery was cut by a kill and waits
// for River's rescuer (at most stuckAfter).
func (in *inspector) filedMail(f *findings, a applicant, number string, mails []*permit.Mail,
	received []smtptest.Message, deliveries map[int64]rivertype.JobState) {
	var mine []*permit.Mail
	for _, m := range mails {
		if m.To == a.email && strings.Contains(m.Text, number) {
			mine = append(mine, m)
		}
	}
	if len(mine) != 1 {
		f.problem("application %d: %d mails announce filing %s in the outbox, want 1", a.appID, len(mine), number)
		return
	}
	got := 0
	for _, msg := range received {
		if len(msg.To) == 1 && msg.To[0] == a.email && strings.Contains(msg.Text, number) {
			got++
		}
	}
	switch {
	case got > 1:
		f.delivered++
		f.twice++
	case got == 1:
		f.delivered++
	case deliveries[mine[0].ID] == rivertype.JobStateRunning:
		f.awaitRescue++
	default:
		f.problem("application %d: mail %d of filing %s not delivered (sent at %v, job %q)", a.appID, mine[0].ID, number, mine[0].SentAt, deliveries[mine[0].ID])
	}
}

// settle looks until the findings show no problem or the wait is over,
// and returns the last findings.
func (in *inspector) settle(t *testing.T, l *ledger, apps []applicant, relay *smtptest.Server, wait time.Duration) *findings {
	t.Helper()
	deadline := time.Now().Add(wait)
	for {
		f, err := in.look(t.Context(), l, apps, relay)
		if err != nil {
			t.Fatal(err)
		}
		if len(f.problems) == 0 || time.Now().After(deadline) {
			return f
		}
		time.Sleep(500 * time.Millisecond)
	}
}
