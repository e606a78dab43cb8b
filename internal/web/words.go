package web

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/sejour/sejour/internal/casework"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/rules"
)

// The names of states, kinds and actors come from the catalogue under
// keys built from their values; i18n_test.go checks every value has one.

// State names an application's state.
func (p *Page) State(s permit.State) string { return p.T("state." + string(s)) }

// Kind names a kind of application.
func (p *Page) Kind(k permit.Kind) string { return p.T("kind." + string(k)) }

// Who names who acts: "you" and "the prefecture" for the applicant,
// "the applicant" and "the prefecture" in the back office.
func (p *Page) Who(k permit.ActorKind) string {
	if p.Staff && k == permit.ActorApplicant {
		return p.T("actor_staff.applicant")
	}
	return p.T("actor." + string(k))
}

// StepText says what the next step is.
func (p *Page) StepText(k string) string { return p.T(k) }

// WindowText says where a renewal stands against its window, in words:
// for a draft, what to do; once filed, whether it was in time.
func (p *Page) WindowText(w *rules.Window, filed bool) string {
	if w.Relief != nil {
		return p.reliefText(w.Relief, filed) // late, but an outage made it in time
	}
	if filed {
		if w.Status == rules.WindowLate {
			return p.T("window.filed_late", p.Date(w.Closes))
		}
		return p.T("window.filed_in_time")
	}
	switch w.Status {
	case rules.WindowTooEarly:
		return p.T("window.too_early", p.Date(w.Opens), p.Date(w.Closes))
	case rules.WindowOpen:
		return p.T("window.in_window", p.Date(w.Closes))
	}
	return p.T("window.late", p.Date(w.Closes))
}

// Size writes a file size for people: "350 ko", "2,4 Mo" / "2.4 MB".
func (p *Page) Size(n int64) string {
	if n < 1<<20 {
		return p.T("size.kb", max(1, n>>10))
	}
	s := fmt.Sprintf("%.1f", float64(n)/(1<<20))
	s = s[:len(s)-2] + p.T("number.decimal_separator") + s[len(s)-1:]
	return p.T("size.mb", s)
}

// Euros writes an amount in cents as whole euros (fees are whole).
func (p *Page) Euros(cents int64) string { return strconv.FormatInt(cents/100, 10) + " €" }

// Day writes a YYYY-MM-DD date in words, or the text as it is when it is
// not a full date.
func (p *Page) Day(s string) string { return p.tr.Day(p.Lang, s) }

// FieldValue writes the value of a field of a person's data (permit.Field…)
// as a person reads it: the days (birth date, a permit's dates) in words,
// the rest as kept.
func (p *Page) FieldValue(field, value string) string {
	if permit.IsDateField(field) {
		return p.Day(value)
	}
	return value
}

// AttestationKind names a kind of attestation.
func (p *Page) AttestationKind(k permit.AttestationKind) string {
	return p.T("attestation_kind." + string(k))
}

// AttestationStatus names an attestation's status.
func (p *Page) AttestationStatus(s permit.AttestationStatus) string {
	return p.T("attestation_status." + string(s))
}

// RightsWords says an attestation's rights in plain words.
func (p *Page) RightsWords(r rules.Granted) []string { return r.Words(p.T, p.Date) }

// Rejection names the reason a document was rejected for.
func (p *Page) Rejection(code string) string { return p.T("review.reason." + code) }

// RefusalReason names a reason of a refusal.
func (p *Page) RefusalReason(code string) string { return p.T("refusal.reason." + code) }

// AppointmentWhen writes an appointment's day and hour, in Paris time.
func (p *Page) AppointmentWhen(ap *permit.Appointment) string {
	t := ap.StartsAt.In(permit.Paris)
	return p.T("card.when", p.Date(t), t.Format("15:04"))
}

// actionFamily is the stem of the actions' labels: "audit.action." and
// the action with its dots as underscores.
const actionFamily = "audit.action"

// Action names an action of the trail in the page's language; an action
// without a label (added by a newer version) shows as recorded.
func (p *Page) Action(action string) string {
	key := actionFamily + "." + strings.ReplaceAll(action, ".", "_")
	if p.tr.Has(p.Lang, key) {
		return p.T(key)
	}
	return action
}

// When is a moment of the trail: its day and time in Paris.
func (p *Page) When(t time.Time) string {
	return p.T("audit.when", p.Date(t), t.In(permit.Paris).Format("15:04:05"))
}

// dueKeys are the words of each deadline, before and after its day.
var dueKeys = map[permit.DueKind][2]string{
	permit.DuePermitExpiry:      {"queue.due.permit_expiry.upcoming", "queue.due.permit_expiry.overdue"},
	permit.DueImplicitRejection: {"queue.due.implicit_rejection.upcoming", "queue.due.implicit_rejection.overdue"},
	permit.DueCompletion:        {"queue.due.completion_due.upcoming", "queue.due.completion_due.overdue"},
	permit.DueAttestationLapse:  {"queue.due.attestation_lapse.upcoming", "queue.due.attestation_lapse.overdue"},
}

// DueText says a row's next deadline in words: "titre expiré depuis 3
// jours", "rejet implicite le 12 mars 2027".
func (p *Page) DueText(r casework.QueueRow) string {
	if r.Deadline == nil {
		return p.T("queue.due.none")
	}
	keys := dueKeys[r.Deadline.Kind]
	if r.Overdue() {
		return p.T(keys[1], p.Days(-r.DaysLeft))
	}
	return p.T(keys[0], p.Date(r.Deadline.On))
}

// Days writes a number of days in words.
func (p *Page) Days(n int) string { return p.N("queue.days", n) }

// Duration writes a length of time in words: minutes, hours, or days and
// hours.
func (p *Page) Duration(d time.Duration) string {
	switch {
	case d < time.Hour:
		return p.T("support.duration.minutes", int(d/time.Minute))
	case d < 48*time.Hour:
		return p.T("support.duration.hours", int(d/time.Hour), int(d%time.Hour/time.Minute))
	}
	return p.T("support.duration.days", int(d/(24*time.Hour)), int(d%(24*time.Hour)/time.Hour))
}

// WindowOpensDays is how many days before a permit's end its renewal
// window opens, as the catalogue says (renewal_window).
func (p *Page) WindowOpensDays() int { return p.rules.RenewalWindow.OpensDaysBefore }

// WindowClosesDays is how many days before a permit's end its renewal
// window closes, as the catalogue says.
func (p *Page) WindowClosesDays() int { return p.rules.RenewalWindow.ClosesDaysBefore }
