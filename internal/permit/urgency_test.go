package permit

import (
	"testing"
	"time"
)

func date(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestNextDeadline(t *testing.T) {
	// Filed at 23:30 UTC on 14 January 2027: 15 January in Paris.
	filed := time.Date(2027, 1, 14, 23, 30, 0, 0, time.UTC)
	app := func(st State, k Kind) *Application {
		return &Application{ID: 1, State: st, Kind: k, SubmittedAt: &filed}
	}
	permitTo := func(s string) *Permit { return &Permit{ValidTo: date(s)} }
	att := func(kind AttestationKind, from, until string) *Attestation {
		return &Attestation{Kind: kind, ValidFrom: date(from), ValidUntil: date(until)}
	}
	superseded := att(AttestationExtension, "2027-03-01", "2027-05-31")
	now := time.Date(2027, 2, 1, 0, 0, 0, 0, time.UTC)
	superseded.SupersededAt = &now
	revoked := att(AttestationExtension, "2027-03-01", "2027-05-31")
	revoked.RevokedAt = &now
	req := &CompletionRequest{DueOn: date("2027-02-10")}
	answered := &CompletionRequest{DueOn: date("2027-02-10"), AnsweredAt: &now}

	tests := []struct {
		name string
		in   DeadlineInputs
		want *Deadline
	}{
		{"draft has none", DeadlineInputs{App: &Application{State: StateDraft}}, nil},
		{"submitted: silence, counted from the Paris day of filing", DeadlineInputs{App: app(StateSubmitted, KindFirstIssue)},
			&Deadline{date("2027-05-15"), DueImplicitRejection}},
		{"the catalogue's months", DeadlineInputs{App: app(StateSubmitted, KindFirstIssue), Delays: Delays{ImplicitRejectionMonths: 2}},
			&Deadline{date("2027-03-15"), DueImplicitRejection}},
		{"first issue ignores an old permit", DeadlineInputs{App: app(StateUnderReview, KindFirstIssue), Permit: permitTo("2026-01-01")},
			&Deadline{date("2027-05-15"), DueImplicitRejection}},
		{"renewal: the permit ends first", DeadlineInputs{App: app(StateSubmitted, KindRenewal), Permit: permitTo("2027-02-28")},
			&Deadline{date("2027-02-28"), DuePermitExpiry}},
		{"change of status: the old permit ends first", DeadlineInputs{App: app(StateUnderReview, KindChangeOfStatus), Permit: permitTo("2027-03-31")},
			&Deadline{date("2027-03-31"), DuePermitExpiry}},
		{"renewal: permit already expired is still the deadline", DeadlineInputs{App: app(StateUnderReview, KindRenewal), Permit: permitTo("2027-01-10")},
			&Deadline{date("2027-01-10"), DuePermitExpiry}},
		{"renewal: an extension attestation takes over", DeadlineInputs{App: app(StateUnderReview, KindRenewal), Permit: permitTo("2027-02-28"),
			Attestations: []*Attestation{att(AttestationFilingReceipt, "2027-01-15", "2027-05-15"), att(AttestationExtension, "2027-03-01", "2027-05-31")}},
			&Deadline{date("2027-05-15"), DueImplicitRejection}},
		{"renewal: the attestation lapses before the silence", DeadlineInputs{App: app(StateUnderReview, KindRenewal), Permit: permitTo("2027-01-31"),
			Attestations: []*Attestation{att(AttestationExtension, "2027-02-01", "2027-04-30")}},
			&Deadline{date("2027-04-30"), DueAttestationLapse}},
		{"the chain's last day counts", DeadlineInputs{App: app(StateUnderReview, KindRenewal), Permit: permitTo("2026-10-31"),
			Attestations: []*Attestation{att(AttestationExtension, "2026-11-01", "2027-01-31"), att(AttestationExtension, "2027-02-01", "2027-04-30")}},
			&Deadline{date("2027-04-30"), DueAttestationLapse}},
		{"superseded and revoked attestations do not cover", DeadlineInputs{App: app(StateUnderReview, KindRenewal), Permit: permitTo("2027-02-28"),
			Attestations: []*Attestation{superseded, revoked}},
			&Deadline{date("2027-02-28"), DuePermitExpiry}},
		{"incomplete: documents due first", DeadlineInputs{App: app(StateIncomplete, KindFirstIssue), OpenRequest: req},
			&Deadline{date("2027-02-10"), DueCompletion}},
		{"an answered request is no deadline", DeadlineInputs{App: app(StateIncomplete, KindFirstIssue), OpenRequest: answered},
			&Deadline{date("2027-05-15"), DueImplicitRejection}},
		{"a request while under review is not open", DeadlineInputs{App: app(StateUnderReview, KindFirstIssue), OpenRequest: req},
			&Deadline{date("2027-05-15"), DueImplicitRejection}},
		{"same day: the permit wins the tie", DeadlineInputs{App: app(StateIncomplete, KindRenewal), Permit: permitTo("2027-02-10"), OpenRequest: req},
			&Deadline{date("2027-02-10"), DuePermitExpiry}},
		{"favourable: no silence, the decision attestation's end", DeadlineInputs{App: app(StateFavourable, KindRenewal), Permit: permitTo("2027-01-31"),
			Attestations: []*Attestation{att(AttestationExtension, "2027-02-01", "2027-04-30"), att(AttestationFavourable, "2027-03-10", "2027-06-09")}},
			&Deadline{date("2027-06-09"), DueAttestationLapse}},
		{"card ready without attestation: none", DeadlineInputs{App: app(StateCardReady, KindFirstIssue)}, nil},
		{"final states have none", DeadlineInputs{App: app(StateUnfavourable, KindRenewal), Permit: permitTo("2027-01-10")}, nil},
		{"withdrawn has none", DeadlineInputs{App: app(StateWithdrawn, KindRenewal), Permit: permitTo("2027-01-10")}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !tt.in.Delays.Set() {
				tt.in.Delays = Delays{ImplicitRejectionMonths: 4} // the catalogue's value, as the store passes it
			}
			got, ok := NextDeadline(tt.in)
			if tt.want == nil {
				if ok {
					t.Fatalf("got %v %s, want none", got.On, got.Kind)
				}
				return
			}
			if !ok || !got.On.Equal(tt.want.On) || got.Kind != tt.want.Kind {
				t.Fatalf("got %v %s (%v), want %v %s", got.On.Format(time.DateOnly), got.Kind, ok, tt.want.On.Format(time.DateOnly), tt.want.Kind)
			}
		})
	}
}

func TestDaysLeftInParisDays(t *testing.T) {
	d := Deadline{On: date("2027-03-12")}
	for _, tt := range []struct {
		now  time.Time
		want int
	}{
		{time.Date(2027, 3, 12, 10, 0, 0, 0, time.UTC), 0},
		{time.Date(2027, 3, 11, 23, 30, 0, 0, time.UTC), 0}, // already 12 March in Paris
		{time.Date(2027, 3, 11, 22, 30, 0, 0, time.UTC), 1},
		{time.Date(2027, 3, 15, 9, 0, 0, 0, time.UTC), -3},
		// Across the spring change of hour (28 March 2027): still whole days.
		{time.Date(2027, 4, 1, 9, 0, 0, 0, time.UTC), -20},
	} {
		if got := d.DaysLeft(tt.now); got != tt.want {
			t.Errorf("DaysLeft at %v = %d, want %d", tt.now, got, tt.want)
		}
	}
}
