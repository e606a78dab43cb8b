package casework

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/sejour/sejour/internal/paths"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/rules"
)

// ReminderStore is the room of the reminders, the kinds a person
// stopped, the calendar feeds and the SMS outbox (store.Reminders).
type ReminderStore interface {
	// ReminderTargets lists, by account after after, the applicant
	// accounts with something ending within the window.
	ReminderTargets(ctx context.Context, w permit.ReminderWindow, after int64, limit int) ([]permit.ReminderTarget, error)
	SweepMark(ctx context.Context, day string) (int64, error)
	AdvanceSweep(ctx context.Context, day string, after int64) error
	Overview(ctx context.Context, accountID int64) (*permit.Overview, error)
	StoppedKinds(ctx context.Context, accountID int64) ([]permit.ReminderKind, error)
	SetStopped(ctx context.Context, accountID int64, stopped []permit.ReminderKind) error
	SentReminders(ctx context.Context, accountID int64, limit int) ([]permit.Reminder, error)
	// WriteReminder writes the reminder, its mail and its SMS in one
	// transaction unless it is written already or its kind stopped;
	// it reports whether it wrote.
	WriteReminder(ctx context.Context, r *permit.Reminder, m *permit.Mail, sms *permit.SMS) (bool, error)
	SetFeed(ctx context.Context, accountID int64, hash string) error
	RevokeFeed(ctx context.Context, accountID int64) error
	FeedSince(ctx context.Context, accountID int64) (*time.Time, error)
	// FeedAccount returns the account of a calendar token's hash, or
	// ENOTFOUND.
	FeedAccount(ctx context.Context, hash string) (*permit.Account, error)
	HeldBookings(ctx context.Context, accountID int64) ([]*permit.Booking, error)
}

// Reminders are the reminders of a person's legal dates (issue 16, part
// 3): the daily sweep that writes them, the kinds the person stops, and
// the private calendar feed of the same dates.
type Reminders struct {
	*core
	Store ReminderStore
}

// reminderSweepBatch bounds the accounts one run of the sweep looks at;
// the sweep says when more are left (ErrSweepUnfinished).
const reminderSweepBatch = 200

// SendDue writes the reminders due on the clock's day (Paris), each once:
// a reminder is due from its lead day to its legal date, so a sweep that
// did not run for days still sends what is still useful, and never
// announces a date passed. It looks at the accounts in order from where
// the day's sweep got to; an account looked at twice (a sweep that died
// before it recorded its progress, two sweeps at once) writes nothing
// twice, the store's key refuses it. It returns how many it wrote.
func (s *Reminders) SendDue(ctx context.Context) (int, error) {
	today := permit.ParisDay(s.Clock.Now())
	day := today.Format(time.DateOnly)
	after, err := s.Store.SweepMark(ctx, day)
	if err != nil {
		return 0, err
	}
	targets, err := s.Store.ReminderTargets(ctx, s.searchWindow(today), after, reminderSweepBatch)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, t := range targets {
		wrote, err := s.remindAccount(ctx, t, today)
		n += wrote
		if err != nil {
			return n, err
		}
	}
	if len(targets) > 0 {
		if err := s.Store.AdvanceSweep(ctx, day, targets[len(targets)-1].AccountID); err != nil {
			return n, err
		}
	}
	if len(targets) == reminderSweepBatch {
		return n, ErrSweepUnfinished
	}
	return n, nil
}

// searchWindow is what the store looks for on day today, a day wider on
// each side than the lead times: the store's dates are instants, and
// DueReminders decides on civil days.
func (s *Reminders) searchWindow(today time.Time) permit.ReminderWindow {
	rw := s.Rules.RenewalWindow
	day := func(n int) time.Time { return today.AddDate(0, 0, n) }
	return permit.ReminderWindow{
		PermitFrom: day(rw.ClosesDaysBefore - 1), PermitTo: day(max(rw.OpensDaysBefore, rw.ClosesDaysBefore+permit.ReminderClosingDays) + 2),
		AttestationFrom: day(-1), AttestationTo: day(permit.ReminderAttestationDays + 2),
		DueFrom: day(-1), DueTo: day(permit.ReminderCompletionDays + 2),
	}
}

func (s *Reminders) remindAccount(ctx context.Context, t permit.ReminderTarget, today time.Time) (int, error) {
	o, err := s.Store.Overview(ctx, t.AccountID)
	if err != nil || o.Person == nil {
		return 0, err
	}
	stopped, err := s.Store.StoppedKinds(ctx, t.AccountID)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, r := range DueReminders(o, s.Rules, today) {
		if slices.Contains(stopped, r.Kind) {
			continue
		}
		r.AccountID = t.AccountID
		m, sms := s.reminderMessages(t, o.Person, &r)
		wrote, err := s.Store.WriteReminder(ctx, &r, m, sms)
		if err != nil {
			return n, err
		}
		if wrote {
			n++
		}
	}
	return n, nil
}

// DueReminders lists the reminders due on day today (a civil day) from a
// person's file, without their account: the renewal window's opening and
// its closing in ReminderClosingDays days while no renewal is filed; the
// end in ReminderAttestationDays days of an attestation proving stay that
// no later one of its pending application replaces; the deadline in
// ReminderCompletionDays days of an open completion request. Each is due
// from its lead day to its legal date, both included.
func DueReminders(o *permit.Overview, cat *rules.Catalogue, today time.Time) []permit.Reminder {
	var out []permit.Reminder
	within := func(date time.Time, lead int) bool {
		return !today.Before(date.AddDate(0, 0, -lead)) && !today.After(date)
	}
	if pm := o.Permit; pm != nil && !renewalFiled(o.Applications, pm) {
		w := cat.RenewalWindow.Assess(pm.ValidTo, today)
		subject := "permit:" + strconv.FormatInt(pm.ID, 10)
		if !today.Before(w.Opens) && !today.After(w.Closes) {
			out = append(out, permit.Reminder{Kind: permit.ReminderWindowOpens, Subject: subject, Date: w.Opens})
		}
		if within(w.Closes, permit.ReminderClosingDays) {
			out = append(out, permit.Reminder{Kind: permit.ReminderWindowClosing, Subject: subject, Date: w.Closes})
		}
	}
	for _, a := range o.Applications {
		if !a.State.Open() || a.State == permit.StateDraft {
			continue
		}
		for _, at := range endingAttestations(o.Attestations[a.ID], cat) {
			if within(permit.CivilDay(at.ValidUntil), permit.ReminderAttestationDays) {
				out = append(out, permit.Reminder{Kind: permit.ReminderAttestationEnding, Subject: "attestation:" + at.Number,
					Date: permit.CivilDay(at.ValidUntil), ApplicationID: a.ID})
			}
		}
		if a.State != permit.StateIncomplete {
			continue
		}
		for _, r := range o.Requests[a.ID] {
			if r.AnsweredAt == nil && within(permit.CivilDay(r.DueOn), permit.ReminderCompletionDays) {
				out = append(out, permit.Reminder{Kind: permit.ReminderCompletionDue, Subject: "request:" + strconv.FormatInt(r.ID, 10),
					Date: permit.CivilDay(r.DueOn), ApplicationID: a.ID})
			}
		}
	}
	return out
}

// renewalFiled reports whether a renewal of the permit was filed and not
// withdrawn: then the window's reminders have no purpose.
func renewalFiled(apps []*permit.Application, pm *permit.Permit) bool {
	for _, a := range apps {
		if a.Kind == permit.KindRenewal && a.SubmittedAt != nil && !a.SubmittedAt.Before(pm.ValidFrom) && a.State != permit.StateWithdrawn {
			return true
		}
	}
	return false
}

// endingAttestations are the live attestations proving stay (neither
// superseded nor revoked) that no later live one of the same application
// outlasts: those whose end leaves the person without proof.
func endingAttestations(all []*permit.Attestation, cat *rules.Catalogue) []*permit.Attestation {
	var live []*permit.Attestation
	for _, a := range all {
		if a.SupersededAt == nil && a.RevokedAt == nil && cat.Attestations[a.Kind].ProvesStay {
			live = append(live, a)
		}
	}
	var out []*permit.Attestation
	for _, a := range live {
		replaced := false
		for _, b := range live {
			replaced = replaced || b.ValidUntil.After(a.ValidUntil)
		}
		if !replaced {
			out = append(out, a)
		}
	}
	return out
}

// reminderMessages makes a reminder's mail (to the account's address)
// and SMS (to the person's phone, when they gave one), in the account's
// language; every mail carries the link to the page where the person
// stops a kind.
func (s *Reminders) reminderMessages(t permit.ReminderTarget, p *permit.Person, r *permit.Reminder) (*permit.Mail, *permit.SMS) {
	lang := s.Tr.Supported(t.Lang)
	date := i18nDate(s.Tr, lang, r.Date)
	base := strings.TrimSuffix(s.BaseURL, "/")
	key := "reminders.mail." + string(r.Kind)
	var m *permit.Mail
	if t.Email != "" {
		m = &permit.Mail{To: t.Email, Subject: s.Tr.T(lang, key+".subject", date),
			Text: s.Tr.T(lang, key+".body", date, base+paths.Dashboard.String()) + "\n\n" +
				s.Tr.T(lang, "reminders.mail.footer", base+paths.Reminders.String())}
	}
	var sms *permit.SMS
	if p != nil && p.Phone != "" {
		sms = &permit.SMS{To: p.Phone, Text: s.Tr.T(lang, "reminders.sms."+string(r.Kind), date)}
	}
	return m, sms
}

// ReminderSettings is what the reminders' page shows: the kinds stopped,
// whether a calendar feed exists (since when), and the latest reminders.
type ReminderSettings struct {
	Stopped   map[permit.ReminderKind]bool
	FeedSince *time.Time
	Sent      []permit.Reminder
}

// sentShown bounds the reminders the page lists.
const sentShown = 20

// Settings returns the applicant's reminder settings.
func (s *Reminders) Settings(ctx context.Context, acc *permit.Account) (*ReminderSettings, error) {
	if acc == nil || acc.Role != permit.RoleApplicant {
		return nil, errNotFound
	}
	stopped, err := s.Store.StoppedKinds(ctx, acc.ID)
	if err != nil {
		return nil, err
	}
	st := &ReminderSettings{Stopped: map[permit.ReminderKind]bool{}}
	for _, k := range stopped {
		st.Stopped[k] = true
	}
	if st.FeedSince, err = s.Store.FeedSince(ctx, acc.ID); err != nil {
		return nil, err
	}
	st.Sent, err = s.Store.SentReminders(ctx, acc.ID, sentShown)
	return st, err
}

// SetReceived records which kinds the applicant receives: every kind not
// in received is stopped, and never sent afterwards.
func (s *Reminders) SetReceived(ctx context.Context, acc *permit.Account, received []string) error {
	if acc == nil || acc.Role != permit.RoleApplicant {
		return errNotFound
	}
	on := map[permit.ReminderKind]bool{}
	for _, k := range received {
		if !permit.ReminderKind(k).Valid() {
			return permit.Errorf(permit.EINVALID, "reminders.error.kind")
		}
		on[permit.ReminderKind(k)] = true
	}
	var stopped []permit.ReminderKind
	for _, k := range permit.ReminderKinds {
		if !on[k] {
			stopped = append(stopped, k)
		}
	}
	return s.Store.SetStopped(ctx, acc.ID, stopped)
}

// NewFeed makes the applicant's calendar token (256 random bits; only
// its hash is kept) and returns it, this once; a previous token stops
// working.
func (s *Reminders) NewFeed(ctx context.Context, acc *permit.Account) (string, error) {
	if acc == nil || acc.Role != permit.RoleApplicant {
		return "", errNotFound
	}
	token, hash := NewSecret()
	if err := s.Store.SetFeed(ctx, acc.ID, hash); err != nil {
		return "", err
	}
	return token, nil
}

// RevokeFeed ends the applicant's calendar token.
func (s *Reminders) RevokeFeed(ctx context.Context, acc *permit.Account) error {
	if acc == nil || acc.Role != permit.RoleApplicant {
		return errNotFound
	}
	return s.Store.RevokeFeed(ctx, acc.ID)
}

// Feed is a person's calendar: their legal dates, and the language of
// its texts.
type Feed struct {
	Lang  string
	Dates []permit.LegalDate
}

// Feed returns the calendar of a token, or ENOTFOUND for a token
// unknown or revoked.
func (s *Reminders) Feed(ctx context.Context, token string) (*Feed, error) {
	if token == "" {
		return nil, errNotFound
	}
	acc, err := s.Store.FeedAccount(ctx, HashSecret(token))
	if err != nil {
		return nil, err
	}
	if acc.Role != permit.RoleApplicant {
		return nil, errNotFound
	}
	o, err := s.Store.Overview(ctx, acc.ID)
	if err != nil {
		return nil, err
	}
	bookings, err := s.Store.HeldBookings(ctx, acc.ID)
	if err != nil {
		return nil, err
	}
	lang := s.Tr.Supported(acc.Lang)
	return &Feed{Lang: lang, Dates: LegalDates(o, bookings, s.Rules, lang)}, nil
}

// LegalDates lists a person's legal dates: the renewal window of the
// current permit and its last day, each live attestation's period, the
// deadline of each open completion request, the implicit-rejection day
// of each application awaiting a decision, and the counter appointments
// held. Details are named in lang from the catalogue.
func LegalDates(o *permit.Overview, bookings []*permit.Booking, cat *rules.Catalogue, lang string) []permit.LegalDate {
	var out []permit.LegalDate
	if pm := o.Permit; pm != nil {
		w := cat.RenewalWindow.Assess(pm.ValidTo, pm.ValidTo)
		id := strconv.FormatInt(pm.ID, 10)
		out = append(out,
			permit.LegalDate{Kind: permit.DateWindowOpens, UID: "window-opens-" + id, Day: w.Opens},
			permit.LegalDate{Kind: permit.DateWindowCloses, UID: "window-closes-" + id, Day: w.Closes},
			permit.LegalDate{Kind: permit.DatePermitEnds, UID: "permit-ends-" + id, Day: permit.CivilDay(pm.ValidTo)})
	}
	for _, a := range o.Applications {
		app := strconv.FormatInt(a.ID, 10)
		for _, at := range o.Attestations[a.ID] {
			if at.SupersededAt != nil || at.RevokedAt != nil {
				continue
			}
			out = append(out, permit.LegalDate{Kind: permit.DateAttestation, UID: "attestation-" + at.Number, ApplicationID: a.ID,
				Day: permit.CivilDay(at.ValidFrom), End: permit.CivilDay(at.ValidUntil), Detail: cat.Attestations[at.Kind].Name.In(lang) + " " + at.Number})
		}
		for _, r := range o.Requests[a.ID] {
			if r.AnsweredAt == nil && a.State == permit.StateIncomplete {
				out = append(out, permit.LegalDate{Kind: permit.DateCompletionDue, UID: "completion-" + strconv.FormatInt(r.ID, 10),
					ApplicationID: a.ID, Day: permit.CivilDay(r.DueOn)})
			}
		}
		if a.SubmittedAt != nil && a.State.AwaitsDecision() {
			out = append(out, permit.LegalDate{Kind: permit.DateImplicitRefusal, UID: "implicit-rejection-" + app, ApplicationID: a.ID,
				Day: cat.Delays().ImplicitRejection(*a.SubmittedAt)})
		}
	}
	sched, _ := rules.Appointments()
	for _, b := range bookings {
		if !b.Held() {
			continue
		}
		d := permit.LegalDate{Kind: permit.DateAppointment, UID: "appointment-" + strconv.FormatInt(b.ID, 10),
			At: b.StartsAt, Until: b.EndsAt, ApplicationID: b.ApplicationID, Detail: b.Site}
		if sched != nil {
			if site := sched.Site(b.PrefectureCode, b.Site); site != nil {
				d.Detail = site.Name.In(lang) + ", " + site.Address
			}
		}
		out = append(out, d)
	}
	return out
}
