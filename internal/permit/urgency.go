package permit

import "time"

// DueKind says what an application's next deadline is.
type DueKind string

// The deadlines the work queue sorts by, in the order they win a tie (the
// same day): a person losing their right to stay first, then a proof of
// stay running out, then documents awaited, then the prefecture's silence.
const (
	// DuePermitExpiry is the last day of the current permit (titre de
	// séjour) of a renewal or change of status not yet decided, as long as
	// no attestation takes over from the day after.
	DuePermitExpiry DueKind = "permit_expiry"
	// DueAttestationLapse is the last day of the live chain of extension
	// or favourable-decision attestations.
	DueAttestationLapse DueKind = "attestation_lapse"
	// DueCompletion is the day by which the applicant was asked to send
	// documents (demande de pièces complémentaires).
	DueCompletion DueKind = "completion_due"
	// DueImplicitRejection is the day silence becomes an implicit
	// rejection (R.432-1/2): Delays.ImplicitRejection of the filing.
	DueImplicitRejection DueKind = "implicit_rejection"
)

// DueKinds lists every kind of deadline, in tie-breaking order.
var DueKinds = []DueKind{DuePermitExpiry, DueAttestationLapse, DueCompletion, DueImplicitRejection}

// Deadline is the next day by which something must happen on an
// application. On is a civil day (as counted in Europe/Paris) at
// midnight UTC; the deadline is the end of that day.
type Deadline struct {
	On   time.Time
	Kind DueKind
}

// DaysLeft counts the civil days in Europe/Paris from now to the
// deadline: 0 on the day itself, negative once it has passed (-3: three
// days late).
func (d Deadline) DaysLeft(now time.Time) int {
	return int(CivilDay(d.On).Sub(ParisDay(now)).Hours() / 24)
}

// DeadlineInputs are the facts an application's next deadline depends
// on. None of them is the current time: the deadline changes only when
// one of them does, so it can be stored and indexed.
type DeadlineInputs struct {
	App          *Application
	Permit       *Permit            // the person's current permit, or nil
	OpenRequest  *CompletionRequest // the unanswered completion request, or nil
	Attestations []*Attestation     // the application's attestations, every version
	Delays       Delays             // the catalogue's delays (rules.Catalogue.Delays)
}

// NextDeadline returns the earliest deadline of an application, and false
// when it has none: a draft, a final state, or nothing dated to watch.
// Only filed, open applications have one:
//   - until a decision (submitted, incomplete, under review): the
//     implicit-rejection day; for a renewal or change of status, the
//     current permit's last day unless a live attestation covers the day
//     after it;
//   - while incomplete: the completion request's due day;
//   - the last day of the live chain of extension attestations before a
//     decision, of favourable-decision attestations after it.
func NextDeadline(in DeadlineInputs) (Deadline, bool) {
	a := in.App
	if a == nil || a.SubmittedAt == nil || a.State == StateDraft || !a.State.Open() {
		return Deadline{}, false
	}
	undecided := a.State == StateSubmitted || a.State == StateIncomplete || a.State == StateUnderReview
	var found []Deadline
	if undecided {
		found = append(found, Deadline{in.Delays.ImplicitRejection(*a.SubmittedAt), DueImplicitRejection})
		if in.Permit != nil && (a.Kind == KindRenewal || a.Kind == KindChangeOfStatus) {
			end := CivilDay(in.Permit.ValidTo)
			if !coveredOn(in.Attestations, end.AddDate(0, 0, 1)) {
				found = append(found, Deadline{end, DuePermitExpiry})
			}
		}
	}
	if a.State == StateIncomplete && in.OpenRequest != nil && in.OpenRequest.AnsweredAt == nil {
		found = append(found, Deadline{CivilDay(in.OpenRequest.DueOn), DueCompletion})
	}
	chainKind := AttestationFavourable
	if undecided {
		chainKind = AttestationExtension
	}
	if end, ok := lastDay(in.Attestations, chainKind); ok {
		found = append(found, Deadline{end, DueAttestationLapse})
	}
	if len(found) == 0 {
		return Deadline{}, false
	}
	best := found[0]
	for _, d := range found[1:] {
		if d.On.Before(best.On) || (d.On.Equal(best.On) && rank(d.Kind) < rank(best.Kind)) {
			best = d
		}
	}
	return best, true
}

func rank(k DueKind) int {
	for i, v := range DueKinds {
		if v == k {
			return i
		}
	}
	return len(DueKinds)
}

// coveredOn reports whether a live proof of stay (extension or
// favourable-decision attestation) is in force on day d.
func coveredOn(as []*Attestation, d time.Time) bool {
	for _, a := range as {
		if a.Kind != AttestationFilingReceipt && a.Covers(d) {
			return true
		}
	}
	return false
}

// lastDay returns the last day of the live attestations of a kind.
func lastDay(as []*Attestation, kind AttestationKind) (time.Time, bool) {
	var end time.Time
	ok := false
	for _, a := range as {
		if a.Kind == kind && a.SupersededAt == nil && a.RevokedAt == nil {
			if d := CivilDay(a.ValidUntil); !ok || d.After(end) {
				end, ok = d, true
			}
		}
	}
	return end, ok
}
