// Package simulate measures the zero-gap invariant: it runs sejour's real
// engine (the store on SQLite or PostgreSQL, the casework use cases, the
// River queue, the attestation sweep, signing) on a simulated clock over a
// simulated period, for a population of permit holders, and counts the
// days on which a holder who was owed proof of legal stay had none.
//
// # How the engine is driven
//
// The engine is assembled by app.Main exactly as `sejour serve` assembles
// it, on a clock.Fixed. Each simulated day the clock is set to 08:00 UTC
// (09:00 or 10:00 in Paris) and every person's events of the day go
// through the real use cases (SaveProfile, Start, Upload, SetFeeStamp,
// File, Resubmit, Withdraw as the holder; StartReview, RequestCompletion,
// DecideFavourable, DecideUnfavourable, ProduceCard, HandOver, Close and
// Reopen as the prefecture's agent). Then the clock is set to 20:00
// UTC and the issuance runs.
//
// The River queue is started as in production, on the simulated clock: it
// runs the attestation sweep at start and works whatever jobs the engine
// queues (such as the retry a filing queues when issuing its receipt at
// once failed), through the same crash-injecting store. The daily
// attestation_sweep, however, is not left to River's periodic
// scheduler: that scheduler sleeps on a real timer until the next run
// (time.NewTimer(nextRun − now), with nextRun a day of simulated time
// ahead), so a simulated day would last a real day. The simulation calls
// instead the very function the periodic job's worker calls,
// casework.Attestations.SweepAttestations, once per simulated day. A sweep that
// fails is run again the same day, up to sweepAttempts times, as River
// retries a failed job within the day (its backoff is attempt⁴ seconds).
//
// Crashes are injected between the use cases and the store: with
// probability CrashRate, an issuing step stops before the attestation is
// written, after it is committed but before the worker learns it, or
// between issuing and signing (an attestation without its code, whose PDF
// the portal does not serve). The worker gets an error; the next run must
// repair.
//
// With Options.CorrectionRate, some holders ask after filing, with
// evidence, for their surname to be corrected (casework.Corrections), and
// the agent accepts four requests in five some days later: every
// attestation of theirs that still proves something is then superseded by
// a new version. A superseded attestation proves nothing from the day it
// was replaced; its new version proves from the day it is signed.
//
// # The invariant, precisely
//
// It follows casework.Plan. An application is a complete, in-time renewal
// when it is a renewal, its holder has a current permit (the one Plan
// reads), and its first filing is not late for that permit's renewal
// window (rules.RenewalWindow.Assess, in Paris days: in the window, or
// before it opens). For such an application, a day d is owed when d is
// after the permit's last day and, once d's events are applied, the
// application is
//   - submitted or under review (complete and pending: extension
//     attestations are owed), or
//   - decided favourably and the card not yet handed over (favourable or
//     card ready: favourable-decision attestations are owed).
//
// Days on which it waits for documents, and days after a refusal, a
// withdrawal, a closing or the handing over of the card, are not owed; the
// period ends on the simulation's last day. An owed day d is covered when
// an extension or favourable-decision attestation of the application is
// live on d (not superseded on or before d; nothing in the simulation
// revokes, and the final audit fails if anything did), valid on d
// (ValidFrom ≤ d ≤ ValidUntil) and available to the holder on d: d ≥
// AvailableFrom, and it was issued and signed by the end of d's issuance
// run. Each day, after the issuance, every owed day is
// checked; gap_days counts the owed days that were not covered, and must
// be 0.
//
// duplicates counts the pairs of live attestations of the same kind and
// application whose validity periods overlap (must be 0). late_issues
// counts the attestations signed after the day they were due: the first
// day from AvailableFrom on which the application was in a state that
// owed that kind (filed for a receipt; complete and pending for an
// extension; decided favourably for a favourable-decision attestation).
// They are reported, not failed: an attestation issued the day a missing
// document arrives was not late, and one issued the day after a crash was.
package simulate

import (
	"fmt"
	"io"
	"log/slog"
	"time"
)

// Options describe one simulation.
type Options struct {
	Persons   int     // permit holders
	Days      int     // simulated days, the first being Start
	Seed      uint64  // the population and its events follow from it
	CrashRate float64 // probability that an issuing step crashes
	FaultRate float64 // probability that a filing or a decision fails around its commit
	Rotations int     // signing-key rotations, spread evenly over the run

	// OutageDays is how many whole days in a row, from a third of the
	// run, the issuing worker is down: nothing is issued, then it recovers.
	OutageDays int

	// CorrectionRate is the share of holders who ask for a correction of
	// their surname after filing (see the package comment).
	CorrectionRate float64

	Database string    // "sqlite" (a temporary file) or a postgres:// URL (a schema of its own, dropped at the end)
	Start    time.Time // the first simulated day (its civil date)
	Logger   *slog.Logger
	Progress io.Writer // when set, a line every 10 simulated days

	// CounterRate is the share of holders filed for at the counter by an
	// agent, as a person without an account or e-mail address: no mail
	// is written to them, and their attestations are issued all the same.
	CounterRate float64
	// MoveRate is the share of holders who, after filing, move to an
	// address under another prefecture (casework.Contacts.ChangeContact,
	// with their password): their pending application follows them.
	MoveRate float64
	// UndoRate is the share of decisions that a supervisor takes back a
	// few days later (casework.Decisions.Undo, which revokes a favourable
	// decision's attestations); the decision is taken again weeks later.
	UndoRate float64

	// KillRate is how many times per simulated day, on average, the
	// engine is killed with SIGKILL and started again. With it, the
	// engine (the job queue: River's workers, the attestation sweep)
	// runs as a process of its own, Engine, started with the command
	// line Engine; the simulation plays the requests and checks.
	KillRate float64
	// Engine is the command line that runs Engine (`sejour
	// simulate-engine`); required with KillRate.
	Engine []string
	// EngineLog, when set, receives what the engine processes write.
	EngineLog io.Writer

	// BreakIssuingOn, when above 0, is a day (counted from 0) on which
	// the build is broken: issuing and signing do nothing and report
	// success, as a bug would. The check must find it.
	BreakIssuingOn int

	// NoSweep is a test hook that disables the attestation sweep, whoever
	// runs it (the simulation daily, River at start): it finds no pending
	// application. Extension and favourable-decision attestations are then
	// never issued, and the check must find gaps.
	NoSweep bool
}

// DefaultStart is the first simulated day when none is given.
var DefaultStart = time.Date(2026, time.December, 1, 0, 0, 0, 0, time.UTC)

// Summary is what a simulation found. Its JSON form is the one line
// `sejour simulate` prints.
type Summary struct {
	Persons             int     `json:"persons"`
	Days                int     `json:"days"`
	Start               string  `json:"start"`
	Seed                uint64  `json:"seed"`
	Database            string  `json:"db"`
	Applications        int     `json:"applications"`
	Filed               int     `json:"filed"`
	Renewals            int     `json:"renewals"`
	InTimeRenewals      int     `json:"in_time_renewals"`
	CompletionRequests  int     `json:"completion_requests"`
	Corrections         int     `json:"corrections"`
	CounterFilings      int     `json:"counter_filings"` // filed at the counter for a person without an account or e-mail
	Moves               int     `json:"moves"`           // holders who moved to another prefecture's area, their application with them
	Undos               int     `json:"undos"`           // decisions taken back by a supervisor
	Favourable          int     `json:"decided_favourable"`
	Unfavourable        int     `json:"decided_unfavourable"`
	Attestations        int     `json:"attestations"`
	Superseded          int     `json:"superseded"` // versions replaced after a correction
	Revoked             int     `json:"revoked"`    // favourable-decision attestations revoked by an undo
	FilingReceipts      int     `json:"filing_receipts"`
	Extensions          int     `json:"extension_attestations"`
	FavourableDecisions int     `json:"favourable_attestations"`
	OwedDays            int     `json:"owed_days"`
	GapDays             int     `json:"gap_days"`
	OutageGapDays       int     `json:"outage_gap_days"` // owed days of an outage without proof, owed only from a day of that outage (reported, not failed)
	Duplicates          int     `json:"duplicates"`
	LateIssues          int     `json:"late_issues"`
	MaxLateDays         int     `json:"max_late_days"`
	Unsigned            int     `json:"unsigned"`
	Crashes             int     `json:"crashes"`
	RequestFaults       int     `json:"request_faults"`    // filings and decisions failed before or after commit, or hung up
	ReceiptsMissing     int     `json:"receipts_missing"`  // days a filed application had no signed, live filing receipt
	ProofsChecked       int     `json:"proofs_checked"`    // attestations rendered as PDF and their codes verified
	ProofsBad           int     `json:"proofs_bad"`        // of which failed
	Rotations           int     `json:"key_rotations"`     // signing keys rotated during the run
	OutageDays          int     `json:"outage_days"`       // days the issuing worker was down
	SigningKeys         int     `json:"signing_keys_seen"` // distinct keys of the codes verified
	Sweeps              int     `json:"sweeps"`
	SweepRetries        int     `json:"sweep_retries"`
	UnfinishedSweeps    int     `json:"unfinished_sweeps"`
	Kills               int     `json:"kills"`                  // SIGKILLs of the engine process (KillRate)
	StuckJobsMaxMinutes float64 `json:"stuck_jobs_max_minutes"` // wall-clock minutes a job stayed "running" after its process was killed, at most
	StuckJobsRescued    int     `json:"stuck_jobs_rescued"`     // jobs of killed processes that left "running" during the run
	StuckJobsLeft       int     `json:"stuck_jobs_left"`        // those still "running" at the end (measured up to it)
	RunSeconds          float64 `json:"run_seconds"`

	FirstGap            *Finding `json:"first_gap,omitempty"`
	FirstDuplicate      *Finding `json:"first_duplicate,omitempty"`
	FirstBadProof       *Finding `json:"first_bad_proof,omitempty"`
	FirstMissingReceipt *Finding `json:"first_missing_receipt,omitempty"`
	MostLate            *Finding `json:"most_late,omitempty"` // the attestation signed the longest after it was due
}

// Finding names where the invariant broke.
type Finding struct {
	Person      int    `json:"person"`
	Application int64  `json:"application"`
	Day         string `json:"day"`
	Detail      string `json:"detail"`
}

// OK reports whether the invariant held.
func (s *Summary) OK() bool {
	return s.GapDays == 0 && s.Duplicates == 0 && s.ReceiptsMissing == 0 && s.ProofsBad == 0 && s.StuckJobsMaxMinutes <= stuckLimit.Minutes()
}

// Failure says where the invariant broke, for a person to read.
func (s *Summary) Failure() string {
	msg := fmt.Sprintf("zero-gap invariant broken: gap_days=%d duplicates=%d receipts_missing=%d proofs_bad=%d stuck_jobs_max_minutes=%.2f (limit %.0f)",
		s.GapDays, s.Duplicates, s.ReceiptsMissing, s.ProofsBad, s.StuckJobsMaxMinutes, stuckLimit.Minutes())
	if f := s.FirstGap; f != nil {
		msg += fmt.Sprintf("; first gap: person %d, application %d, on %s (%s)", f.Person, f.Application, f.Day, f.Detail)
	}
	if f := s.FirstMissingReceipt; f != nil {
		msg += fmt.Sprintf("; first missing receipt: person %d, application %d, on %s (%s)", f.Person, f.Application, f.Day, f.Detail)
	}
	if f := s.FirstBadProof; f != nil {
		msg += fmt.Sprintf("; first bad proof: person %d, application %d, on %s (%s)", f.Person, f.Application, f.Day, f.Detail)
	}
	if f := s.FirstDuplicate; f != nil {
		msg += fmt.Sprintf("; first duplicate: person %d, application %d, from %s (%s)", f.Person, f.Application, f.Day, f.Detail)
	}
	return msg
}
