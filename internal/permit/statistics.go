package permit

import "time"

// The public statistics (issue 16, part 4): figures on processing times
// per prefecture and ground, published as open data. Nothing in them
// names a person; a figure computed from fewer than StatThreshold cases
// is not published (docs/statistics.md).

// StatThreshold is the fewest cases a published figure may rest on.
const StatThreshold = 10

// StatLevel says what a cell of the statistics covers.
type StatLevel string

// The levels of a cell: the whole country, the country on one ground,
// one prefecture, one prefecture on one ground.
const (
	StatNational         StatLevel = "national"
	StatNationalGround   StatLevel = "national_ground"
	StatPrefecture       StatLevel = "prefecture"
	StatPrefectureGround StatLevel = "prefecture_ground"
)

// StatFigure is one published figure: a value, or nothing when it rests
// on too few cases (Suppressed) or would let a suppressed one be worked
// out by subtraction.
type StatFigure struct {
	Value      *float64 `json:"value"`
	Suppressed bool     `json:"suppressed"`
}

// StatCell is the figures of one level: the country, a prefecture, or
// either on one ground. Prefecture is the prefecture's code ("" at the
// national levels), Ground the ground ("" for all grounds).
type StatCell struct {
	Level          StatLevel `json:"level"`
	Prefecture     string    `json:"prefecture"`
	PrefectureName string    `json:"prefecture_name"`
	Ground         GroundID  `json:"ground"`
	// Suppressed: the cell rests on fewer than StatThreshold cases, and
	// none of its figures is published.
	Suppressed bool `json:"suppressed"`
	// Filed is the applications filed in the window.
	Filed StatFigure `json:"filed"`
	// MedianDays and P90Days are the days from filing to decision of the
	// applications filed in the window and decided (nearest rank).
	MedianDays StatFigure `json:"median_days_to_decision"`
	P90Days    StatFigure `json:"p90_days_to_decision"`
	// DecidedInTime is the share (0–1) of the applications filed in the
	// window and due a decision (decided, or past their implicit-rejection
	// day) that were decided before that day.
	DecidedInTime StatFigure `json:"share_decided_before_implicit_rejection"`
	// RenewalsNoGap is the share (0–1) of the in-time renewals filed in
	// the window and owed a proof of stay on at least one day that had
	// one on every such day.
	RenewalsNoGap StatFigure `json:"share_renewals_without_gap"`
	// Backlog counts the applications awaiting a decision today by the
	// age of their filing: under 1 month, 1–3, 3–6, over 6 months.
	Backlog [4]StatFigure `json:"backlog"`
}

// Statistics is one day's snapshot of the figures.
type Statistics struct {
	Day        string     `json:"day"`         // the Paris civil day computed, YYYY-MM-DD
	ComputedAt time.Time  `json:"computed_at"` // when
	From       string     `json:"from"`        // the window's first day (filed on or after)
	Until      string     `json:"until"`       // the window's last day
	Threshold  int        `json:"threshold"`   // StatThreshold when computed
	Cells      []StatCell `json:"cells"`
}

// StatCase is what the statistics read of one filed application.
type StatCase struct {
	ID         int64
	Prefecture string // its prefecture's code
	Ground     GroundID
	Kind       Kind
	State      State
	FiledAt    time.Time
	// DecidedAt is the instant of its decision, unless undone.
	DecidedAt *time.Time
	// PermitEnd is, for a renewal, the last day of the permit renewed
	// (the person's permit that ends last, other than one the
	// application itself gave).
	PermitEnd *time.Time
	// Events are its transitions, oldest first.
	Events []*Event
	// Proofs are its extension and favourable-decision attestations,
	// every version.
	Proofs []*Attestation
}

// OwesProof reports whether a complete, in-time renewal in state st is
// owed a proof of legal stay once its permit has ended: an extension
// attestation while it is examined, a favourable-decision one until the
// card is handed over (casework.Plan). The simulation's zero-gap check
// and the statistics count the same days.
func OwesProof(st State) bool {
	switch st {
	case StateSubmitted, StateUnderReview, StateFavourable, StateCardReady:
		return true
	}
	return false
}
