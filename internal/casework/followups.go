package casework

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/sejour/sejour/internal/audit"
	"github.com/sejour/sejour/internal/i18n"
	"github.com/sejour/sejour/internal/paths"
	"github.com/sejour/sejour/internal/permit"
)

// FollowUpStore is what follow-ups need from the database.
type FollowUpStore interface {
	RequestFollowUp(ctx context.Context, f *permit.FollowUp, m *permit.Mail) error
	FollowUp(ctx context.Context, id int64) (*permit.FollowUp, error)
	PersonFollowUps(ctx context.Context, personID int64, limit int) ([]*permit.FollowUp, error)
	OrganisationFollowUps(ctx context.Context, organisationID int64, limit int) ([]*permit.FollowUp, error)
	ActiveFollowUps(ctx context.Context, after int64, limit int) ([]*permit.FollowUp, error)
	AnswerFollowUp(ctx context.Context, personID, id int64, accept bool) error
	EndFollowUp(ctx context.Context, id, personID, organisationID int64) error
	FollowUpEvent(ctx context.Context, id int64) (*permit.FollowUpEvent, error)
	FollowUpEvents(ctx context.Context, followUpID int64, limit int) ([]*permit.FollowUpEvent, error)
	UnmailedFollowUpEvents(ctx context.Context, limit int) ([]*permit.FollowUpEvent, error)
	MailFollowUpEvent(ctx context.Context, id int64, mails []*permit.Mail, webhook bool) error
	MarkWebhookDelivered(ctx context.Context, id int64) error
	RecordRightEnds(ctx context.Context, followUpID int64, until time.Time) (bool, error)
	Webhook(ctx context.Context, organisationID int64) (*permit.Webhook, error)
	SetWebhook(ctx context.Context, h *permit.Webhook) error
	RemoveWebhook(ctx context.Context, organisationID int64) error
	RecordFollowUpProof(ctx context.Context, followUpID int64, w *permit.WorkCheck) error
	Members(ctx context.Context, organisationID int64) ([]*permit.Account, error)
	WorkCheck(ctx context.Context, id int64) (*permit.WorkCheck, error)
}

// WebhookPoster posts a signed event to a webhook (notify.Webhooks): no
// redirect followed, a short timeout, public addresses only. A status
// outside 2xx is an error.
type WebhookPoster interface {
	Post(ctx context.Context, url string, body []byte, headers map[string]string) (int, error)
}

// FollowUps are employers' standing follow-ups of a person's right to
// work (issue 14, part 5): asked after a check that matched, active only
// once the person accepts, ended by either side; their events told by
// mail and signed webhook; the current signed proof on demand.
type FollowUps struct {
	*core
	Store  FollowUpStore
	checks *WorkChecks
}

// Follow-ups' constants.
const (
	// RightEndsNoticeDays: an active follow-up is told when the right it
	// follows ends within this many days (issue 14, part 5).
	RightEndsNoticeDays = 60
	maxListedFollowUps  = 200
	sweepPage           = 200
	// The audit trail's actions of follow-ups.
	ActionFollowUpRequest = "follow_up_request"
	ActionFollowUpAnswer  = "follow_up_answer"
	ActionFollowUpEnd     = "follow_up_end"
	ActionWebhookSet      = "webhook_set"
	ActionWebhookRemove   = "webhook_remove"
	// SignatureHeader carries a webhook's signature: t=<unix seconds>,v1=<hex HMAC-SHA256>.
	SignatureHeader = "Sejour-Signature"
	// EventHeader carries the event's id, for the receiver to drop repeats.
	EventHeader   = "Sejour-Event"
	webhookPrefix = "whsec_"
	maxWebhookURL = 500
)

// employerOrg returns the organisation of a member, or ENOTFOUND.
func employerOrg(acc *permit.Account) (int64, error) {
	if acc == nil || !acc.Employer() {
		return 0, errNotFound
	}
	return acc.OrganisationID, nil
}

// Ask records a member's request to follow the person of one of the
// organisation's checks, and mails the person. Another organisation's
// check is ENOTFOUND; an open follow-up of the same person is ECONFLICT.
func (s *FollowUps) Ask(ctx context.Context, acc *permit.Account, checkID int64) (*permit.FollowUp, error) {
	org, err := employerOrg(acc)
	if err != nil {
		return nil, err
	}
	w, err := s.Store.WorkCheck(ctx, checkID)
	if err != nil || w.OrganisationID != org {
		return nil, errNotFound
	}
	p, err := s.People.Person(ctx, w.PersonID)
	if err != nil {
		return nil, err
	}
	var m *permit.Mail
	to, lang, err := s.recipient(ctx, p)
	if err != nil {
		return nil, err
	}
	if to != "" {
		m = &permit.Mail{To: to, Subject: s.Tr.T(lang, "followups.mail.asked.subject", w.Organisation),
			Text: s.Tr.T(lang, "followups.mail.asked.body", w.Organisation, w.SIRET, s.BaseURL+paths.Share.String())}
	}
	f := &permit.FollowUp{OrganisationID: org, PersonID: w.PersonID, WorkCheckID: w.ID, RequestedBy: acc.ID}
	e := audit.Entry{Action: ActionFollowUpRequest, ActorAccountID: acc.ID, PersonID: w.PersonID, Detail: w.Organisation + " (SIRET " + w.SIRET + ")"}
	if err := s.Store.RequestFollowUp(audit.With(ctx, e), f, m); err != nil {
		return nil, err
	}
	return f, nil
}

// Mine lists the person's follow-ups (asked, active, over), newest first.
func (s *FollowUps) Mine(ctx context.Context, acc *permit.Account) ([]*permit.FollowUp, error) {
	p, err := s.checks.sharer(ctx, acc)
	if permit.ErrorCode(err) == permit.ECONFLICT {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	return s.Store.PersonFollowUps(ctx, p.ID, maxListedFollowUps)
}

// Answer records the person's yes or no to a request. Another person's
// is ENOTFOUND; one already answered or ended, ECONFLICT.
func (s *FollowUps) Answer(ctx context.Context, acc *permit.Account, id int64, accept bool) error {
	p, f, err := s.theirs(ctx, acc, id)
	if err != nil {
		return err
	}
	if f.State != permit.FollowUpRequested {
		return permit.Errorf(permit.ECONFLICT, "followups.error.answered")
	}
	detail := "declined"
	if accept {
		detail = "accepted"
	}
	e := audit.Entry{Action: ActionFollowUpAnswer, ActorAccountID: acc.ID, PersonID: p.ID, Detail: detail + " " + f.Organisation}
	err = s.Store.AnswerFollowUp(audit.With(ctx, e), p.ID, id, accept)
	if permit.ErrorCode(err) == permit.ENOTFOUND {
		return permit.Errorf(permit.ECONFLICT, "followups.error.answered") // answered meanwhile
	}
	return err
}

// theirs returns the person of an applicant's account and one of their
// follow-ups; another's is ENOTFOUND.
func (s *FollowUps) theirs(ctx context.Context, acc *permit.Account, id int64) (*permit.Person, *permit.FollowUp, error) {
	p, err := s.checks.sharer(ctx, acc)
	if err != nil {
		return nil, nil, errNotFound
	}
	f, err := s.Store.FollowUp(ctx, id)
	if err != nil || f.PersonID != p.ID {
		return nil, nil, errNotFound
	}
	return p, f, nil
}

// EndByWorker ends one of the person's follow-ups, asked or active; one
// already over is left as it is (a second click ends nothing more).
// Another person's is ENOTFOUND.
func (s *FollowUps) EndByWorker(ctx context.Context, acc *permit.Account, id int64) error {
	p, f, err := s.theirs(ctx, acc, id)
	if err != nil || !f.Open() {
		return err
	}
	e := audit.Entry{Action: ActionFollowUpEnd, ActorAccountID: acc.ID, PersonID: p.ID, Detail: "worker " + f.Organisation}
	return ignoreNotFound(s.Store.EndFollowUp(audit.With(ctx, e), id, p.ID, 0))
}

// EndByEmployer ends one of the organisation's follow-ups, asked or
// active; one already over is left as it is. Another organisation's is
// ENOTFOUND.
func (s *FollowUps) EndByEmployer(ctx context.Context, acc *permit.Account, id int64) error {
	org, err := employerOrg(acc)
	if err != nil {
		return err
	}
	f, err := s.Store.FollowUp(ctx, id)
	if err != nil || f.OrganisationID != org {
		return errNotFound
	}
	if !f.Open() {
		return nil
	}
	e := audit.Entry{Action: ActionFollowUpEnd, ActorAccountID: acc.ID, PersonID: f.PersonID, Detail: "employer " + f.Organisation}
	return ignoreNotFound(s.Store.EndFollowUp(audit.With(ctx, e), id, 0, org))
}

// ignoreNotFound: a follow-up ended meanwhile by the other side is ended.
func ignoreNotFound(err error) error {
	if permit.ErrorCode(err) == permit.ENOTFOUND {
		return nil
	}
	return err
}

// FollowUpView is one of an organisation's follow-ups with its latest
// events.
type FollowUpView struct {
	*permit.FollowUp
	Events []*permit.FollowUpEvent
}

// Organisation lists the member's organisation's follow-ups, newest
// first, each with its latest events.
func (s *FollowUps) Organisation(ctx context.Context, acc *permit.Account) ([]FollowUpView, error) {
	org, err := employerOrg(acc)
	if err != nil {
		return nil, err
	}
	list, err := s.Store.OrganisationFollowUps(ctx, org, maxListedFollowUps)
	if err != nil {
		return nil, err
	}
	out := make([]FollowUpView, 0, len(list))
	for _, f := range list {
		v := FollowUpView{FollowUp: f}
		if f.State != permit.FollowUpRequested {
			if v.Events, err = s.Store.FollowUpEvents(ctx, f.ID, 5); err != nil {
				return nil, err
			}
		}
		out = append(out, v)
	}
	return out, nil
}

// Proof signs and records a fresh check of the followed person's right
// to work: the current signed proof, for a member or an API key of the
// follow-up's organisation, while it is active. Anything else is
// ENOTFOUND. The record is in the organisation's history and the
// person's list of accesses, like a check.
func (s *FollowUps) Proof(ctx context.Context, by Checker, id int64) (*permit.WorkCheck, error) {
	var org int64
	switch {
	case by.Account != nil && by.Account.Employer() && by.Key == nil:
		org = by.Account.OrganisationID
	case by.Key != nil && by.Account == nil:
		org = by.Key.OrganisationID
	default:
		return nil, errNotFound
	}
	f, err := s.Store.FollowUp(ctx, id)
	if err != nil || f.OrganisationID != org || !f.Active() {
		return nil, errNotFound
	}
	first, err := s.Store.WorkCheck(ctx, f.WorkCheckID)
	if err != nil {
		return nil, err
	}
	o, err := s.checks.Store.Organisation(ctx, org)
	if err != nil {
		return nil, err
	}
	by.Organisation = o
	w, err := s.checks.answer(ctx, by, &permit.ShareCode{ID: first.ShareCodeID, PersonID: f.PersonID}, s.Clock.Now())
	if err != nil {
		return nil, err
	}
	e := audit.Entry{Action: ActionWorkCheck, PersonID: f.PersonID, Detail: o.Name + " (SIRET " + o.SIRET + ") " + w.Number}
	if by.Account != nil {
		e.ActorAccountID = by.Account.ID
	}
	if err := s.Store.RecordFollowUpProof(audit.With(ctx, e), f.ID, w); permit.ErrorCode(err) == permit.ENOTFOUND {
		return nil, errNotFound // ended meanwhile
	} else if err != nil {
		return nil, err
	}
	return w, nil
}

// Webhook returns the organisation's webhook, or nil when it has none;
// for the organisation's admins only.
func (s *FollowUps) Webhook(ctx context.Context, acc *permit.Account) (*permit.Webhook, error) {
	if acc == nil || !acc.Employer() || !acc.OrgAdmin {
		return nil, errNotFound
	}
	h, err := s.Store.Webhook(ctx, acc.OrganisationID)
	if permit.ErrorCode(err) == permit.ENOTFOUND {
		return nil, nil
	}
	return h, err
}

// ValidWebhookURL reports whether a webhook address is acceptable:
// https, or http to a loopback address when loopback is allowed
// (development, tests); no credentials or fragment; a literal address
// must be public (permit.PublicAddress). Names are checked when dialled.
func ValidWebhookURL(raw string, loopback bool) bool {
	if len(raw) > maxWebhookURL || strings.TrimSpace(raw) != raw {
		return false
	}
	u, err := url.Parse(raw)
	if err != nil || u.User != nil || u.Fragment != "" || u.Opaque != "" || u.Hostname() == "" {
		return false
	}
	host := u.Hostname()
	ip, parseErr := netip.ParseAddr(host)
	isLoopback := host == "localhost" || (parseErr == nil && ip.IsLoopback())
	if parseErr == nil && !permit.PublicAddress(ip, loopback) {
		return false
	}
	switch u.Scheme {
	case "https":
		return !isLoopback || loopback
	case "http":
		return isLoopback && loopback
	}
	return false
}

// SetWebhook registers (or replaces) the organisation's webhook and
// returns its signing secret, this once. Admins only.
func (s *FollowUps) SetWebhook(ctx context.Context, acc *permit.Account, rawURL string) (string, error) {
	if acc == nil || !acc.Employer() || !acc.OrgAdmin {
		return "", errNotFound
	}
	rawURL = strings.TrimSpace(rawURL)
	if rawURL == "" {
		return "", permit.Invalid(map[string]string{"url": "followups.error.url_required"})
	}
	if !ValidWebhookURL(rawURL, s.WebhookLoopback) {
		return "", permit.Invalid(map[string]string{"url": "followups.error.url"})
	}
	return s.storeWebhook(ctx, acc, rawURL)
}

// RotateWebhookSecret gives the webhook a new secret, shown once; the
// former one stops signing at once.
func (s *FollowUps) RotateWebhookSecret(ctx context.Context, acc *permit.Account) (string, error) {
	h, err := s.Webhook(ctx, acc)
	if err != nil {
		return "", err
	} else if h == nil {
		return "", errNotFound
	}
	return s.storeWebhook(ctx, acc, h.URL)
}

func (s *FollowUps) storeWebhook(ctx context.Context, acc *permit.Account, rawURL string) (string, error) {
	b := make([]byte, 16)
	rand.Read(b)
	h := &permit.Webhook{OrganisationID: acc.OrganisationID, URL: rawURL, Nonce: hex.EncodeToString(b), CreatedBy: acc.ID}
	secret, err := s.secret(h)
	if err != nil {
		return "", err
	}
	e := audit.Entry{Action: ActionWebhookSet, ActorAccountID: acc.ID, Detail: rawURL}
	if err := s.Store.SetWebhook(audit.With(ctx, e), h); err != nil {
		return "", err
	}
	return secret, nil
}

// RemoveWebhook removes the organisation's webhook; events are then only
// mailed.
func (s *FollowUps) RemoveWebhook(ctx context.Context, acc *permit.Account) error {
	if acc == nil || !acc.Employer() || !acc.OrgAdmin {
		return errNotFound
	}
	e := audit.Entry{Action: ActionWebhookRemove, ActorAccountID: acc.ID}
	return s.Store.RemoveWebhook(audit.With(ctx, e), acc.OrganisationID)
}

// secret derives a webhook's signing secret from the key-encryption key
// (through the token signer) and the webhook's organisation and nonce:
// the database alone cannot give it.
func (s *FollowUps) secret(h *permit.Webhook) (string, error) {
	if s.Tokens == nil {
		return "", permit.Errorf(permit.EUNAVAILABLE, "error.unavailable")
	}
	tok := s.Tokens.Sign("webhook-secret", []byte(strconv.FormatInt(h.OrganisationID, 10)+":"+h.Nonce))
	_, mac, _ := strings.Cut(tok, ".")
	return webhookPrefix + mac, nil
}

// WebhookEvent is the body of a webhook delivery (docs/openapi.yaml,
// webhooks: followUpEvent): what happened, when, and where to fetch the
// current proof; nothing of the case behind it.
type WebhookEvent struct {
	ID         int64  `json:"id"`
	Type       string `json:"type"`
	Date       string `json:"date"`
	FollowUpID int64  `json:"follow_up_id"`
	Proof      string `json:"proof"`
}

// SignWebhook returns the signature header of body at t with secret:
// t=<unix seconds>,v1=<hex of HMAC-SHA256(secret, "<t>.<body>")>.
func SignWebhook(secret string, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(ts + "."))
	m.Write(body)
	return "t=" + ts + ",v1=" + hex.EncodeToString(m.Sum(nil))
}

// eventOf reads an event and its follow-up.
func (s *FollowUps) eventOf(ctx context.Context, id int64) (*permit.FollowUpEvent, *permit.FollowUp, error) {
	ev, err := s.Store.FollowUpEvent(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	f, err := s.Store.FollowUp(ctx, ev.FollowUpID)
	return ev, f, err
}

// NotifyEvent mails an event to the organisation's confirmed members, in
// their language, and owes its webhook delivery when the organisation
// has a webhook: one transaction, which marks the event mailed. A
// follow-up ended since tells nothing. Idempotent (the follow_up_event
// job).
func (s *FollowUps) NotifyEvent(ctx context.Context, id int64) error {
	ev, f, err := s.eventOf(ctx, id)
	if err != nil {
		return err
	}
	if ev.MailedAt != nil {
		return nil
	}
	if !f.Active() {
		return s.Store.MailFollowUpEvent(ctx, id, nil, false)
	}
	members, err := s.Store.Members(ctx, f.OrganisationID)
	if err != nil {
		return err
	}
	var mails []*permit.Mail
	for _, m := range members {
		if !m.Confirmed() {
			continue
		}
		lang := s.Tr.Supported(m.Lang)
		what := s.Tr.T(lang, "followups.event."+string(ev.Kind))
		mails = append(mails, &permit.Mail{To: m.Email, Subject: s.Tr.T(lang, "followups.mail.event.subject", f.GivenNames+" "+f.Surname, what),
			Text: s.Tr.T(lang, "followups.mail.event.body", f.GivenNames+" "+f.Surname, what, i18n.Day(lang, ev.Day), s.BaseURL+paths.FollowUps.String())})
	}
	_, err = s.Store.Webhook(ctx, f.OrganisationID)
	hook := err == nil
	if err != nil && permit.ErrorCode(err) != permit.ENOTFOUND {
		return err
	}
	return s.Store.MailFollowUpEvent(ctx, id, mails, hook)
}

// DeliverWebhook posts an event to its organisation's webhook, signed,
// and records the delivery at the first 2xx. Any other answer is an
// error for River to retry; a webhook removed, a follow-up ended or an
// event delivered already is done (the deliver_webhook job).
func (s *FollowUps) DeliverWebhook(ctx context.Context, id int64) error {
	ev, f, err := s.eventOf(ctx, id)
	if err != nil {
		return err
	}
	if ev.DeliveredAt != nil || !f.Active() {
		return nil
	}
	h, err := s.Store.Webhook(ctx, f.OrganisationID)
	if permit.ErrorCode(err) == permit.ENOTFOUND {
		return nil
	} else if err != nil {
		return err
	}
	if s.Webhooks == nil {
		return permit.Errorf(permit.EUNAVAILABLE, "error.unavailable")
	}
	secret, err := s.secret(h)
	if err != nil {
		return err
	}
	body, err := json.Marshal(WebhookEvent{ID: ev.ID, Type: string(ev.Kind), Date: ev.Day, FollowUpID: f.ID,
		Proof: s.BaseURL + paths.APIFollowUpProof.Format(f.ID)})
	if err != nil {
		return err
	}
	headers := map[string]string{SignatureHeader: SignWebhook(secret, s.Clock.Now(), body), EventHeader: strconv.FormatInt(ev.ID, 10)}
	if _, err := s.Webhooks.Post(ctx, h.URL, body, headers); err != nil {
		return err
	}
	return s.Store.MarkWebhookDelivered(context.WithoutCancel(ctx), id)
}

// SweepFollowUps writes the event "the right ends within 60 days" of each
// active follow-up whose right ends so soon (once per last day: a second
// run writes nothing), and mails the events left unmailed. It returns
// how many events it wrote (the follow_up_sweep job, daily and at start).
func (s *FollowUps) SweepFollowUps(ctx context.Context) (int, error) {
	unmailed, err := s.Store.UnmailedFollowUpEvents(ctx, sweepPage)
	if err != nil {
		return 0, err
	}
	for _, ev := range unmailed {
		if err := s.NotifyEvent(ctx, ev.ID); err != nil {
			return 0, err
		}
	}
	now := s.Clock.Now()
	today, n := permit.ParisDay(now), 0
	for after := int64(0); ; {
		page, err := s.Store.ActiveFollowUps(ctx, after, sweepPage)
		if err != nil {
			return n, err
		}
		for _, f := range page {
			after = f.ID
			p, err := s.People.Person(ctx, f.PersonID)
			if err != nil {
				return n, err
			}
			r, err := s.checks.RightToWork(ctx, p, now)
			if err != nil {
				return n, err
			}
			if r.Basis == permit.BasisNone || r.Until.IsZero() || r.Until.Before(today) || r.Until.After(today.AddDate(0, 0, RightEndsNoticeDays)) {
				continue
			}
			made, err := s.Store.RecordRightEnds(ctx, f.ID, r.Until)
			if err != nil {
				return n, err
			}
			if made {
				n++
			}
		}
		if len(page) < sweepPage {
			return n, nil
		}
	}
}
