package casework_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sejour/sejour/internal/casework"
	"github.com/sejour/sejour/internal/clock"
	"github.com/sejour/sejour/internal/demo"
	"github.com/sejour/sejour/internal/notify"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/seal"
	"github.com/sejour/sejour/internal/store"
	"github.com/sejour/sejour/internal/store/rooms"
	"github.com/sejour/sejour/internal/store/storetest"
)

// followWorld is the attempts' world (a person with a complete draft
// renewal) with webhooks to loopback and two organisations.
type followWorld struct {
	*attemptWorld
	fu store.FollowUps
}

func newFollowWorld(t *testing.T, db *store.DB, clk *clock.Fixed) *followWorld {
	w := &followWorld{attemptWorld: newAttemptWorld(t, db, clk), fu: store.FollowUps{DB: db}}
	w.cfg.Webhooks, w.cfg.WebhookLoopback = notify.NewWebhooks(true), true
	w.uc = casework.New(w.cfg, rooms.Of(db), nil)
	return w
}

// organisation signs an organisation up with a confirmed admin, whom it
// returns.
func (w *followWorld) organisation(name, siret, email string) *permit.Account {
	w.t.Helper()
	o := &permit.Organisation{Name: name, SIRET: siret, Address: permit.Address{Line: "2 rue du Bac", Postcode: "75007", City: "Paris"}}
	a := &permit.Account{Email: email, Lang: "en", ConfirmedAt: new(w.clk.Now())}
	if err := (store.Employers{DB: w.db}).SignUpOrganisation(ctx, o, a, "!", nil, nil); err != nil {
		w.t.Fatal(err)
	}
	return a
}

// checked has org check the worker with a new work code.
func (w *followWorld) checked(worker, member *permit.Account) *permit.WorkCheck {
	w.t.Helper()
	code, _, err := w.uc.WorkChecks.CreateShareCode(ctx, worker, "work")
	if err != nil {
		w.t.Fatal(err)
	}
	o, err := w.uc.WorkChecks.Organisation(ctx, member)
	if err != nil {
		w.t.Fatal(err)
	}
	rec, err := w.uc.WorkChecks.Check(ctx, casework.Checker{Organisation: o, Account: member}, casework.CheckForm{ShareCode: code, BirthDate: "1994-05-17"})
	if err != nil {
		w.t.Fatal(err)
	}
	return rec
}

func (w *followWorld) events(id int64) []permit.FollowUpEventKind {
	w.t.Helper()
	evs, err := w.fu.FollowUpEvents(ctx, id, 50)
	if err != nil {
		w.t.Fatal(err)
	}
	var out []permit.FollowUpEventKind
	for i := len(evs) - 1; i >= 0; i-- {
		out = append(out, evs[i].Kind)
	}
	return out
}

// jobRecorder is the job queue's transactional inserter, recording what
// each write owes (and failing, when told to, as a queue whose insert
// fails would: the write then rolls back).
type jobRecorder struct {
	mu   sync.Mutex
	jobs []store.Job
	fail bool
}

func (r *jobRecorder) InsertJobsTx(_ context.Context, _ *sql.Tx, jobs []store.Job) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail {
		return errors.New("the queue's insert failed")
	}
	r.jobs = append(r.jobs, jobs...)
	return nil
}

func (r *jobRecorder) owed(kind store.JobKind) []int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	var ids []int64
	for _, j := range r.jobs {
		if j.Kind == kind {
			ids = append(ids, j.ID)
		}
	}
	return ids
}

// TestFollowUpConsentProofAndEvents: an organisation asks after its own
// check only (another's check is not found), nothing is told and no proof
// given until the person says yes; then the renewal filed, the 60-day
// notice (once, however often the sweep runs), the extension attestation
// and the decision are each written once, with their job, in the
// transaction of what caused them; a filing that fails writes no event;
// the proof is a fresh signed record for the organisation only; once the
// person ends it, no proof and no event.
func TestFollowUpConsentProofAndEvents(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, clk *clock.Fixed) {
		w := newFollowWorld(t, db, clk)
		jobs := &jobRecorder{}
		db.SetJobs(jobs)
		end := clk.Now().AddDate(0, 3, 0)
		worker, appID, _ := w.draft(end)
		a := w.organisation("Boulangerie A", sirenA, "rh@a.example")
		b := w.organisation("Poste B", sirenB, "rh@b.example")
		rec := w.checked(worker, a)

		if _, err := w.uc.FollowUps.Ask(ctx, b, rec.ID); permit.ErrorCode(err) != permit.ENOTFOUND {
			t.Fatalf("B asks after A's check: %v", err)
		}
		f, err := w.uc.FollowUps.Ask(ctx, a, rec.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.uc.FollowUps.Ask(ctx, a, rec.ID); permit.ErrorCode(err) != permit.ECONFLICT {
			t.Errorf("a second request while one is open: %v", err)
		}
		if w.mails("Boulangerie A") != 1 {
			t.Errorf("the person was not mailed the request once")
		}
		if _, err := w.uc.FollowUps.Proof(ctx, casework.Checker{Account: a}, f.ID); permit.ErrorCode(err) != permit.ENOTFOUND {
			t.Errorf("a proof before the person's yes: %v", err)
		}
		stranger := &permit.Account{Email: "other@example.org", Role: permit.RoleApplicant, Lang: "fr", ConfirmedAt: new(clk.Now())}
		if err := db.Accounts().CreateAccount(ctx, stranger, "!", nil, nil); err != nil {
			t.Fatal(err)
		}
		if err := w.uc.FollowUps.Answer(ctx, stranger, f.ID, true); permit.ErrorCode(err) != permit.ENOTFOUND {
			t.Errorf("another person accepts: %v", err)
		}
		if err := w.uc.FollowUps.Answer(ctx, a, f.ID, true); permit.ErrorCode(err) != permit.ENOTFOUND {
			t.Errorf("the employer accepts for the person: %v", err)
		}

		// Not yet accepted: filing tells nothing.
		if err := w.uc.FollowUps.Answer(ctx, worker, f.ID, true); err != nil {
			t.Fatal(err)
		}
		if err := w.uc.FollowUps.Answer(ctx, worker, f.ID, false); permit.ErrorCode(err) != permit.ECONFLICT {
			t.Errorf("answering twice: %v", err)
		}
		mine, err := w.uc.FollowUps.Mine(ctx, worker)
		if err != nil || len(mine) != 1 || !mine[0].Active() || mine[0].Organisation != "Boulangerie A" || mine[0].AnsweredAt == nil {
			t.Fatalf("the person's follow-ups: %+v, %v", mine, err)
		}

		// The proof: a fresh signed record, A's only.
		proof, err := w.uc.FollowUps.Proof(ctx, casework.Checker{Account: a}, f.ID)
		if err != nil {
			t.Fatal(err)
		}
		if proof.ID == rec.ID || proof.Number == rec.Number || proof.Organisation != "Boulangerie A" || !proof.Until.Equal(permit.CivilDay(end)) {
			t.Errorf("the proof %+v", proof)
		}
		res, err := w.cfg.Codes.(seal.Checker).Check(proof.Code, clk.Now())
		if err != nil || (res.Number != proof.Number || res.Check == nil || res.Check.SIRET != sirenA) {
			t.Errorf("the proof's code says %+v", res)
		}
		if _, err := w.uc.FollowUps.Proof(ctx, casework.Checker{Account: b}, f.ID); permit.ErrorCode(err) != permit.ENOTFOUND {
			t.Errorf("B fetches A's proof: %v", err)
		}
		if err := w.uc.FollowUps.EndByEmployer(ctx, b, f.ID); permit.ErrorCode(err) != permit.ENOTFOUND {
			t.Errorf("B ends A's follow-up: %v", err)
		}
		accesses, err := w.uc.Journal.FileAccesses(ctx, worker)
		if err != nil || len(accesses) != 2 || !strings.Contains(accesses[0].WorkCheck, proof.Number) {
			t.Errorf("the person's accesses after the proof: %+v, %v", accesses, err)
		}

		// A filing that fails writes no event; the one that commits, one,
		// with its job.
		jobs.fail = true
		if _, err := w.uc.Applications.File(ctx, worker, appID); err == nil {
			t.Fatal("the filing committed though its jobs could not be inserted")
		}
		if got := w.events(f.ID); len(got) != 0 {
			t.Fatalf("events after a failed filing: %v", got)
		}
		jobs.fail = false
		if _, err := w.uc.Applications.File(ctx, worker, appID); err != nil {
			t.Fatal(err)
		}
		if got := w.events(f.ID); len(got) != 1 || got[0] != permit.EventRenewalFiled {
			t.Fatalf("events after the filing: %v", got)
		}
		if owed := jobs.owed(store.JobFollowUpEvent); len(owed) != 1 {
			t.Errorf("follow-up jobs owed: %v, want the filing's", owed)
		}

		// The 60-day notice: not at 90 days, once at 50, whatever the reruns.
		if n, err := w.uc.FollowUps.SweepFollowUps(ctx); err != nil || n != 0 {
			t.Errorf("sweep 90 days before the end: %d, %v", n, err)
		}
		clk.Set(end.AddDate(0, 0, -50))
		for i, want := range []int{1, 0, 0} {
			if n, err := w.uc.FollowUps.SweepFollowUps(ctx); err != nil || n != want {
				t.Errorf("sweep %d: %d events, %v; want %d", i, n, err, want)
			}
		}

		// Review, the extension attestation after the card's end, then the
		// decision.
		prefs, _ := db.Prefectures(ctx)
		agent := &permit.Account{Email: "agent@prefecture.example", Role: permit.RoleAgent, Lang: "fr", Prefectures: []int64{prefs[0].ID}}
		if err := db.Accounts().CreateAccount(ctx, agent, "!", nil, nil); err != nil {
			t.Fatal(err)
		}
		if err := w.uc.Decisions.StartReview(ctx, agent, appID); err != nil {
			t.Fatal(err)
		}
		clk.Set(end.AddDate(0, 0, 1).Add(9 * time.Hour))
		if _, err := w.uc.Attestations.IssueDue(ctx, appID); err != nil {
			t.Fatal(err)
		}
		if _, err := w.uc.Attestations.IssueDue(ctx, appID); err != nil {
			t.Fatal(err)
		}
		if err := demo.Check(ctx, w.uc.Decisions, agent, appID); err != nil {
			t.Fatal(err)
		}
		if err := w.uc.Decisions.DecideFavourable(ctx, agent, appID, ""); err != nil {
			t.Fatal(err)
		}
		want := []permit.FollowUpEventKind{permit.EventRenewalFiled, permit.EventRightEnds, permit.EventExtensionIssued, permit.EventDecisionFavourable}
		if got := w.events(f.ID); strings.Join(kinds(got), ",") != strings.Join(kinds(want), ",") {
			t.Errorf("events %v, want %v", got, want)
		}

		// Ended by the person: no proof, no event, and B never had any.
		if err := w.uc.FollowUps.EndByWorker(ctx, stranger, f.ID); permit.ErrorCode(err) != permit.ENOTFOUND {
			t.Errorf("another person ends it: %v", err)
		}
		for range 2 { // a second click ends nothing more, and is no error
			if err := w.uc.FollowUps.EndByWorker(ctx, worker, f.ID); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := w.uc.FollowUps.Proof(ctx, casework.Checker{Account: a}, f.ID); permit.ErrorCode(err) != permit.ENOTFOUND {
			t.Errorf("a proof after the end: %v", err)
		}
		clk.Set(clk.Now().AddDate(0, 1, 0))
		if n, err := w.uc.FollowUps.SweepFollowUps(ctx); err != nil || n != 0 {
			t.Errorf("a sweep after the end wrote %d, %v", n, err)
		}
		if list, _ := w.uc.FollowUps.Organisation(ctx, b); len(list) != 0 {
			t.Errorf("B lists %+v", list)
		}
		if list, _ := w.uc.FollowUps.Organisation(ctx, a); len(list) != 1 || list[0].State != permit.FollowUpEnded || list[0].EndedBy != "worker" {
			t.Errorf("A lists %+v", list)
		}
	})
}

func kinds(ks []permit.FollowUpEventKind) []string {
	out := make([]string, len(ks))
	for i, k := range ks {
		out[i] = string(k)
	}
	return out
}

// TestWebhookSignedAndRetried: a webhook is https (or http to loopback
// when allowed) to a public address; an event is mailed once to the
// organisation's members and owes its delivery; the delivery is signed
// with HMAC-SHA256 over "timestamp.body" with the secret shown at
// registration, an answer 500 is an error (River retries it), the retry
// is delivered, and a delivered event is not posted again. The body says
// the event, its day and the proof's address, nothing else.
func TestWebhookSignedAndRetried(t *testing.T) {
	for _, c := range []struct {
		url      string
		loopback bool
		ok       bool
	}{
		{"https://hooks.example.com/sejour", false, true},
		{"http://hooks.example.com/sejour", false, false},
		{"http://127.0.0.1:8080/hook", false, false},
		{"http://127.0.0.1:8080/hook", true, true},
		{"http://localhost/hook", true, true},
		{"https://10.1.2.3/hook", true, false},
		{"https://169.254.169.254/latest", true, false},
		{"https://[fd00::1]/hook", true, false},
		{"https://user:pw@hooks.example.com/", false, false},
		{"ftp://hooks.example.com/", false, false},
		{"https://", false, false},
	} {
		if got := casework.ValidWebhookURL(c.url, c.loopback); got != c.ok {
			t.Errorf("ValidWebhookURL(%q, loopback %v) = %v", c.url, c.loopback, got)
		}
	}
	storetest.Each(t, func(t *testing.T, db *store.DB, clk *clock.Fixed) {
		w := newFollowWorld(t, db, clk)
		jobs := &jobRecorder{}
		db.SetJobs(jobs)
		end := clk.Now().AddDate(0, 3, 0)
		worker, _, _ := w.draft(end)
		a := w.organisation("Boulangerie A", sirenA, "rh@a.example")
		f, err := w.uc.FollowUps.Ask(ctx, a, w.checked(worker, a).ID)
		if err != nil {
			t.Fatal(err)
		}
		if err := w.uc.FollowUps.Answer(ctx, worker, f.ID, true); err != nil {
			t.Fatal(err)
		}

		var mu sync.Mutex
		var bodies [][]byte
		var secret string
		answers := []int{http.StatusInternalServerError, http.StatusNoContent}
		srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
			mu.Lock()
			defer mu.Unlock()
			body, _ := io.ReadAll(r.Body)
			ts, mac, _ := strings.Cut(strings.TrimPrefix(r.Header.Get("Sejour-Signature"), "t="), ",v1=")
			m := hmac.New(sha256.New, []byte(secret))
			m.Write([]byte(ts + "."))
			m.Write(body)
			if !hmac.Equal([]byte(mac), []byte(hex.EncodeToString(m.Sum(nil)))) || r.Header.Get("Content-Type") != "application/json" {
				t.Errorf("a delivery whose signature does not verify: %q", r.Header.Get("Sejour-Signature"))
			}
			bodies = append(bodies, body)
			rw.WriteHeader(answers[min(len(bodies), len(answers))-1])
		}))
		defer srv.Close()

		if _, err := w.uc.FollowUps.SetWebhook(ctx, a, "https://10.0.0.8/hook"); permit.FieldErrors(err)["url"] != "followups.error.url" {
			t.Errorf("a private address: %v", err)
		}
		if secret, err = w.uc.FollowUps.SetWebhook(ctx, a, srv.URL+"/hook"); err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(secret, "whsec_") || len(secret) < 40 {
			t.Errorf("secret %q", secret)
		}
		if h, err := w.uc.FollowUps.Webhook(ctx, a); err != nil || h == nil || strings.Contains(h.Nonce, secret[6:]) {
			t.Errorf("the stored webhook %+v, %v", h, err)
		}

		clk.Set(end.AddDate(0, 0, -50))
		if n, err := w.uc.FollowUps.SweepFollowUps(ctx); err != nil || n != 1 {
			t.Fatalf("sweep: %d, %v", n, err)
		}
		evs, _ := w.fu.FollowUpEvents(ctx, f.ID, 5)
		ev := evs[0]
		for range 2 {
			if err := w.uc.FollowUps.NotifyEvent(ctx, ev.ID); err != nil {
				t.Fatal(err)
			}
		}
		if n := w.mails("Diallo"); n != 1 {
			t.Errorf("%d mails to the organisation's member, want 1", n)
		}
		if owed := jobs.owed(store.JobDeliverWebhook); len(owed) != 1 || owed[0] != ev.ID {
			t.Errorf("deliveries owed: %v", owed)
		}

		if err := w.uc.FollowUps.DeliverWebhook(ctx, ev.ID); err == nil {
			t.Fatal("an answer 500 was taken for a delivery")
		}
		if err := w.uc.FollowUps.DeliverWebhook(ctx, ev.ID); err != nil {
			t.Fatalf("the retry: %v", err)
		}
		if err := w.uc.FollowUps.DeliverWebhook(ctx, ev.ID); err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		defer mu.Unlock()
		if len(bodies) != 2 || string(bodies[0]) != string(bodies[1]) {
			t.Fatalf("%d deliveries, want the failed one and its retry, alike", len(bodies))
		}
		var got map[string]any
		if err := json.Unmarshal(bodies[1], &got); err != nil {
			t.Fatal(err)
		}
		if len(got) != 5 || got["type"] != "right_ends" || got["date"] != permit.CivilDay(end).Format(time.DateOnly) ||
			got["proof"] != "https://sejour.example/api/v1/follow-ups/"+jsonID(f.ID)+"/proof" {
			t.Errorf("the body %s", bodies[1])
		}
		if after, _ := w.fu.FollowUpEvent(ctx, ev.ID); after.DeliveredAt == nil || after.MailedAt == nil {
			t.Errorf("the event after delivery %+v", after)
		}
		rotated, err := w.uc.FollowUps.RotateWebhookSecret(ctx, a)
		if err != nil || rotated == secret {
			t.Errorf("rotation: %q, %v", rotated, err)
		}
		if err := w.uc.FollowUps.RemoveWebhook(ctx, a); err != nil {
			t.Fatal(err)
		}
		if h, err := w.uc.FollowUps.Webhook(ctx, a); h != nil || err != nil {
			t.Errorf("after removal: %+v, %v", h, err)
		}
	})
}

func jsonID(id int64) string { b, _ := json.Marshal(id); return string(b) }
