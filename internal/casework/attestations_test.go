package casework

import (
	"testing"
	"time"

	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/rules"
)

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// TestPlan checks which attestations an application is owed, day by day.
func TestPlan(t *testing.T) {
	cat := rules.MustLoad()
	expiry := date(2027, 3, 31) // the permit's last day
	filed := date(2026, 12, 15) // in the window (120 to 60 days before)
	renewal := func(st permit.State, filedAt time.Time) *Case {
		w := cat.RenewalWindow.Assess(expiry, filedAt)
		rej := filedAt.AddDate(0, 4, 0)
		return &Case{App: &permit.Application{ID: 7, Kind: permit.KindRenewal, State: st, SubmittedAt: &filedAt},
			Permit: &permit.Permit{Ground: "student", ValidTo: expiry}, Window: &w, Rejection: &rej,
			Filings: []*permit.Filing{{FiledAt: filedAt.Add(10 * time.Hour)}}}
	}
	receipt := &permit.Attestation{Kind: permit.AttestationFilingReceipt, ValidFrom: filed, ValidUntil: filed.AddDate(0, 4, 0)}
	first := &permit.Attestation{Kind: permit.AttestationExtension, ValidFrom: date(2027, 4, 1), ValidUntil: date(2027, 6, 30)}
	decided := date(2027, 5, 10)
	type want struct {
		kind       permit.AttestationKind
		from, till time.Time
	}
	tests := []struct {
		name     string
		c        *Case
		existing []*permit.Attestation
		decided  *time.Time
		now      time.Time
		want     []want
	}{
		{"filed: a receipt at once", renewal(permit.StateSubmitted, filed), nil, nil, filed.Add(11 * time.Hour),
			[]want{{permit.AttestationFilingReceipt, filed, filed.AddDate(0, 4, 0)}}},
		{"16 days before expiry: nothing more yet", renewal(permit.StateUnderReview, filed), []*permit.Attestation{receipt}, nil, date(2027, 3, 16), nil},
		{"15 days before the day after expiry: the first extension", renewal(permit.StateUnderReview, filed), []*permit.Attestation{receipt}, nil, date(2027, 3, 17),
			[]want{{permit.AttestationExtension, date(2027, 4, 1), date(2027, 6, 30)}}},
		{"still pending: the next one, before the first ends", renewal(permit.StateUnderReview, filed), []*permit.Attestation{receipt, first}, nil, date(2027, 6, 16),
			[]want{{permit.AttestationExtension, date(2027, 7, 1), date(2027, 9, 30)}}},
		{"a sweep after a long outage repairs every missing period", renewal(permit.StateUnderReview, filed), []*permit.Attestation{receipt}, nil, date(2027, 7, 1),
			[]want{{permit.AttestationExtension, date(2027, 4, 1), date(2027, 6, 30)}, {permit.AttestationExtension, date(2027, 7, 1), date(2027, 9, 30)}}},
		{"nothing twice", renewal(permit.StateUnderReview, filed), []*permit.Attestation{receipt, first}, nil, date(2027, 5, 1), nil},
		{"late renewal: no extension owed", renewal(permit.StateUnderReview, date(2027, 3, 1)), []*permit.Attestation{receipt}, nil, date(2027, 3, 20), nil},
		{"waiting for documents: no new extension", renewal(permit.StateIncomplete, filed), []*permit.Attestation{receipt}, nil, date(2027, 3, 20), nil},
		{"favourable decision: its attestation from the decision day", renewal(permit.StateFavourable, filed), []*permit.Attestation{receipt, first}, &decided, date(2027, 5, 10),
			[]want{{permit.AttestationFavourable, decided, date(2027, 8, 9)}}},
		{"the permit's end corrected earlier: only the gap is filled", renewal(permit.StateUnderReview, filed),
			[]*permit.Attestation{receipt, {Kind: permit.AttestationExtension, ValidFrom: date(2027, 4, 11), ValidUntil: date(2027, 7, 10)}}, nil, date(2027, 3, 20),
			[]want{{permit.AttestationExtension, date(2027, 4, 1), date(2027, 4, 10)}}},
		{"card handed over: nothing", renewal(permit.StateHandedOver, filed), []*permit.Attestation{receipt, first}, &decided, date(2027, 9, 1), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Plan(cat, tt.c, tt.existing, tt.decided, 15, tt.now)
			if len(got) != len(tt.want) {
				t.Fatalf("planned %d attestations, want %d: %+v", len(got), len(tt.want), got)
			}
			for i, w := range tt.want {
				g := got[i]
				if g.Kind != w.kind || !g.ValidFrom.Equal(w.from) || !g.ValidUntil.Equal(w.till) || g.ApplicationID != 7 {
					t.Errorf("attestation %d: %s %s–%s, want %s %s–%s", i, g.Kind, g.ValidFrom.Format("2006-01-02"), g.ValidUntil.Format("2006-01-02"),
						w.kind, w.from.Format("2006-01-02"), w.till.Format("2006-01-02"))
				}
				if g.Kind != permit.AttestationFilingReceipt && !g.AvailableFrom.Equal(g.ValidFrom.AddDate(0, 0, -15)) {
					t.Errorf("attestation %d available from %v, want 15 days before it starts", i, g.AvailableFrom)
				}
			}
		})
	}
}
