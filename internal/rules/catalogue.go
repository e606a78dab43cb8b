// Package rules is the legal catalogue of sejour: the grounds (motifs) a
// permit can rest on, the rights each ground carries, the documents each
// kind of application needs, the renewal window, how long attestations are
// valid, the silence deadline and the fees.
//
// The law changes more often than the code, and a right must read the same
// on every page, attestation and e-mail. So the catalogue is data
// (catalogue.json, embedded in the binary and versioned by date), not
// wording scattered through templates. It is checked as a whole when it is
// loaded: a start-up that succeeds has a coherent catalogue, and one that
// fails names every problem at once, so a legal update is fixed in one pass.
package rules

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"slices"
	"time"

	"github.com/sejour/sejour/internal/permit"
)

//go:embed catalogue.json
var embedded []byte

// Text is a piece of wording keyed by language tag ("fr", "en", ...), the
// shape catalogue.json writes: {"fr": "...", "en": "..."}. Every
// user-facing string of the catalogue is a Text. French, the language of
// the law and of the prefecture, is required when the catalogue is
// loaded; CheckLangs requires every language the portal offers, so that no
// screen shows a right or a document in one language only.
type Text map[string]string

// FallbackLang is the language a Text falls back to: French, the legal
// reference.
const FallbackLang = "fr"

// In returns the wording for lang, or the French wording when the text has
// none in lang.
func (t Text) In(lang string) string {
	if s, ok := t[lang]; ok && s != "" {
		return s
	}
	return t[FallbackLang]
}

// WorkKind says how far a permit lets its holder work. Employers, the job
// centre and family benefits decide on this value, so it is a closed list
// rather than free text.
type WorkKind string

// The kinds of right to work.
const (
	WorkFull               WorkKind = "full"                // any job, any employer
	WorkLimitedHours       WorkKind = "limited_hours"       // up to Work.HoursPerYear (students)
	WorkAuthorisedJob      WorkKind = "authorised_job"      // only the job of the work authorisation
	WorkQualifyingActivity WorkKind = "qualifying_activity" // only the activity the permit was given for
	WorkNone               WorkKind = "none"                // the holder undertook not to work
)

// WorkKinds lists every work kind, from the widest right to none.
var WorkKinds = []WorkKind{WorkFull, WorkLimitedHours, WorkAuthorisedJob, WorkQualifyingActivity, WorkNone}

// Valid reports whether k is a known work kind.
func (k WorkKind) Valid() bool {
	for _, v := range WorkKinds {
		if v == k {
			return true
		}
	}
	return false
}

// Work is the right to work a ground carries. HoursPerYear is set only for
// WorkLimitedHours, because an attestation must then state the number.
type Work struct {
	Kind         WorkKind `json:"kind"`
	HoursPerYear int      `json:"hours_per_year,omitempty"`
}

// Rights are what a permit on a ground lets its holder do. They are the
// four statements every attestation must make (right to stay, right to
// work, travel and re-entry, continuity of social rights), kept structured
// so that they can be signed and checked, not only printed.
type Rights struct {
	Stay                 bool `json:"stay"`
	Work                 Work `json:"work"`
	TravelReentry        bool `json:"travel_reentry"`
	SocialRightsContinue bool `json:"social_rights_continue"`
}

// Card describes the card usually issued on a ground. MaxYears bounds the
// validity an agent may enter for it.
type Card struct {
	Text     Text `json:"text"`
	MaxYears int  `json:"max_years"`
}

// Ground is one legal basis (motif) for a permit, with everything the
// portal derives from it. Documents lists, per kind of application, the
// documents specific to the ground; the catalogue adds the common ones.
//
// FirstIssueAttestationWork says whether an extension attestation
// (attestation de prolongation d'instruction) on a first issue lets the
// person work (R.431-15-2); a renewal attestation always carries over the
// right to work of the previous permit. When the answer depends on a
// condition, FirstIssueAttestationWorkNote names a catalogue note that says
// which, so that the attestation can print it.
type Ground struct {
	ID                            permit.GroundID          `json:"id"`
	Name                          Text                     `json:"name"`
	Description                   Text                     `json:"description"`
	Card                          Card                     `json:"card"`
	Rights                        Rights                   `json:"rights"`
	FirstIssueAttestationWork     bool                     `json:"first_issue_attestation_work"`
	FirstIssueAttestationWorkNote string                   `json:"first_issue_attestation_work_note,omitempty"`
	Kinds                         []permit.Kind            `json:"kinds"`
	Fees                          map[permit.Kind]string   `json:"fees"`
	Documents                     map[permit.Kind][]string `json:"documents"`
}

// Allows reports whether an application of kind k may rest on the ground:
// a refugee, for instance, never changes status into refugee.
func (g *Ground) Allows(k permit.Kind) bool {
	for _, v := range g.Kinds {
		if v == k {
			return true
		}
	}
	return false
}

// Document is a piece of evidence an applicant provides. Explanation says
// what it is and where to get it, in words a newcomer understands, because
// a missing document is the first cause of incomplete files.
//
// MaxFiles is how many files the slot holds at once: a card front and
// back, three months of payslips. 0 means the slot takes no file but a
// typed code (Code): the e-photo code of an approved photo booth, which
// the prefecture reads from ANTS. ValidMonths, when set, is how old a file
// given for an earlier application may be and still be offered again
// (a proof of address of less than 6 months); 0: any age.
type Document struct {
	ID          string        `json:"id"`
	Name        Text          `json:"name"`
	Explanation Text          `json:"explanation"`
	MaxFiles    int           `json:"max_files"`
	ValidMonths int           `json:"valid_months,omitempty"`
	Code        *DocumentCode `json:"code,omitempty"`
}

// CodeEPhoto is the one kind of typed code a document takes: the code
// e-photo (photo et signature numérisées) printed by an approved photo
// booth or photographer.
const CodeEPhoto = "e_photo"

// DocumentCode is a code the applicant types instead of giving a file:
// its kind and its length in letters and digits, which is data because
// sources differ on it (uncertain).
type DocumentCode struct {
	Kind   string `json:"kind"`
	Length int    `json:"length"`
}

// TakesFiles reports whether files may be given for the document.
func (d *Document) TakesFiles() bool { return d.MaxFiles > 0 }

// Note is a reusable sentence the catalogue refers to by id, such as the
// condition attached to a right.
type Note struct {
	ID   string `json:"id"`
	Text Text   `json:"text"`
}

// AttestationRule is what the law says about one kind of attestation: its
// name, whether it proves legal stay, how long it may be valid, and the
// notice it must carry. MaxMonths 0 means no end date (a filing receipt
// proves a filing, not a stay, and does not expire); an attestation that
// proves stay lasts MaxMonths, then the next one takes over.
type AttestationRule struct {
	Name       Text `json:"name"`
	ProvesStay bool `json:"proves_stay"`
	MinMonths  int  `json:"min_months,omitempty"`
	MaxMonths  int  `json:"max_months,omitempty"`
	Notice     Text `json:"notice"`
}

// Attestations gathers the rules of every proof sejour issues, so that
// their validity lives next to the rest of the law. It is keyed by the
// names of catalogue.json: one entry per kind of permit.AttestationKinds
// and PaperReceipt, no other (validation says what is missing or
// unknown), so that a new kind is a new entry in the catalogue and no Go
// code here.
type Attestations map[permit.AttestationKind]AttestationRule

// PaperReceipt names the rule of the récépissé, the backup channel's
// paper: not a kind of attestation the portal issues, so its name is the
// catalogue's only.
const PaperReceipt permit.AttestationKind = "paper_receipt"

// kindRule is the rule of one kind of attestation, named as in
// catalogue.json.
type kindRule struct {
	kind permit.AttestationKind
	rule AttestationRule
}

// byKind lists the rules in a fixed order (permit's kinds, then the paper
// receipt), for the validation and for messages that must not change from
// one run to the next. A kind without an entry is listed with a zero rule,
// which validation reports.
func (a Attestations) byKind() []kindRule {
	var out []kindRule
	for _, k := range append(slices.Clone(permit.AttestationKinds), PaperReceipt) {
		out = append(out, kindRule{k, a[k]})
	}
	return out
}

// Tariff is one amount of the timbre fiscal, in euro cents.
type Tariff struct {
	ID          string `json:"id"`
	AmountCents int64  `json:"amount_cents"`
	Name        Text   `json:"name"`
}

// Fees are the tariffs grounds refer to, plus the surcharge for a renewal
// filed after the window. Tariffs are named rather than repeated in each
// ground so that a change of the finance law touches one line.
type Fees struct {
	Tariffs                  []*Tariff `json:"tariffs"`
	LateFilingSurchargeCents int64     `json:"late_filing_surcharge_cents"`
}

// Limits bound what agents set on a case: how far ahead a completion
// request's deadline and a collection appointment may be, and the hours
// of the counter. They are the prefectures' policy rather than law, kept
// with the law so that the checks and the messages that state them say
// the same thing.
type Limits struct {
	CompletionDueMaxMonths   int `json:"completion_due_max_months"`
	AppointmentHorizonMonths int `json:"appointment_horizon_months"`
	// An appointment starts at AppointmentOpensHour:00 at the earliest
	// and before AppointmentClosesHour:00, Paris time.
	AppointmentOpensHour  int `json:"appointment_opens_hour"`
	AppointmentClosesHour int `json:"appointment_closes_hour"`
}

// Catalogue is one version of the law as sejour applies it. It is
// read-only once loaded and shared by every request: callers must not
// modify what its methods return.
type Catalogue struct {
	Version       string    // the date-like label of this version, e.g. "2026-11-01"
	EffectiveFrom time.Time // first day this version applies, midnight UTC
	RenewalWindow RenewalWindow
	Attestations  Attestations
	// ImplicitRejectionMonths is how long the prefecture may stay silent
	// before silence counts as a refusal (R.432-1/2).
	ImplicitRejectionMonths int
	// Appeals are the delays to challenge a refusal.
	Appeals Appeals
	// ExpiredCardGraceMonths is how long a multi-year or resident card
	// stays valid after expiry while an in-time renewal is pending (L.433-3).
	ExpiredCardGraceMonths int
	// Limits bound what agents set on a case.
	Limits Limits
	// Decisions are the conditions of the prefecture's decisions.
	Decisions DecisionRules
	// Outages relieve deadlines and are detected by these rules.
	Outages OutageRules
	Fees    Fees
	// ShareCodes are the rules of the codes a person gives an employer.
	ShareCodes ShareCodes
	// Declarations are the rules of the pre-hire declaration: notice,
	// answer delay, public holidays.
	Declarations *Declarations
	// CommonDocuments lists, per kind, the documents every ground requires.
	CommonDocuments map[permit.Kind][]string

	grounds    []*Ground
	groundByID map[permit.GroundID]*Ground
	documents  []*Document
	docByID    map[string]*Document
	noteByID   map[string]Text
	tariffByID map[string]*Tariff
	texts      []placedText // every text and where it is, for CheckLangs
}

// catalogueFile is the shape of catalogue.json. It is distinct from
// Catalogue so that lists can be reached through methods that keep their
// order and indexes consistent.
type catalogueFile struct {
	Version                 string                   `json:"version"`
	EffectiveFrom           string                   `json:"effective_from"`
	RenewalWindow           RenewalWindow            `json:"renewal_window"`
	Attestations            Attestations             `json:"attestations"`
	ImplicitRejectionMonths int                      `json:"implicit_rejection_months"`
	Appeals                 Appeals                  `json:"appeals"`
	ExpiredCardGraceMonths  int                      `json:"expired_card_grace_months"`
	Limits                  Limits                   `json:"limits"`
	Decisions               DecisionRules            `json:"decisions"`
	Outages                 OutageRules              `json:"outages"`
	Fees                    Fees                     `json:"fees"`
	ShareCodes              ShareCodes               `json:"share_codes"`
	Declarations            Declarations             `json:"declarations"`
	Notes                   []*Note                  `json:"notes"`
	CommonDocuments         map[permit.Kind][]string `json:"common_documents"`
	Documents               []*Document              `json:"documents"`
	Grounds                 []*Ground                `json:"grounds"`
}

// Load parses and validates the catalogue embedded in the binary. It is
// meant to run once at start-up; its error lists every problem found.
func Load() (*Catalogue, error) { return Parse(embedded) }

// MustLoad is Load for program start-up and tests, where a broken
// catalogue must stop everything: it panics with the list of problems.
func MustLoad() *Catalogue {
	c, err := Load()
	if err != nil {
		panic(err)
	}
	return c
}

// Parse reads a catalogue in the format of catalogue.json and validates it.
// Unknown fields are rejected, because a misspelt key would otherwise
// silently drop a legal rule. On failure the error is a *ValidationError
// (code permit.EINVALID) listing every problem.
func Parse(data []byte) (*Catalogue, error) {
	var f catalogueFile
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return nil, &ValidationError{Problems: []string{"cannot decode JSON: " + err.Error()}}
	}
	if dec.More() {
		return nil, &ValidationError{Version: f.Version, Problems: []string{"unexpected data after the catalogue object"}}
	}
	return build(&f)
}

// Ground returns the ground with the given id.
func (c *Catalogue) Ground(id permit.GroundID) (*Ground, bool) {
	g, ok := c.groundByID[id]
	return g, ok
}

// Grounds returns every ground in display order: the order of the data
// file, chosen by editors, so that forms list grounds the same way each
// time.
func (c *Catalogue) Grounds() []*Ground {
	return append([]*Ground(nil), c.grounds...)
}

// Document returns the document with the given id.
func (c *Catalogue) Document(id string) (*Document, bool) {
	d, ok := c.docByID[id]
	return d, ok
}

// Documents returns every document in the order of the data file.
func (c *Catalogue) Documents() []*Document {
	return append([]*Document(nil), c.documents...)
}

// Note returns the wording of a catalogue note, such as the one a ground's
// FirstIssueAttestationWorkNote names.
func (c *Catalogue) Note(id string) (Text, bool) {
	t, ok := c.noteByID[id]
	return t, ok
}

// Tariff returns the tariff with the given id.
func (c *Catalogue) Tariff(id string) (*Tariff, bool) {
	t, ok := c.tariffByID[id]
	return t, ok
}

// RequiredDocuments returns what an application of kind on ground id must
// include: the common documents of the kind first, then the ground's own,
// each once. It fails with permit.ENOTFOUND for an unknown ground and
// permit.EINVALID when the ground does not allow the kind, so that a form
// never offers a checklist for an application that cannot be filed.
func (c *Catalogue) RequiredDocuments(id permit.GroundID, kind permit.Kind) ([]*Document, error) {
	g, err := c.groundFor(id, kind)
	if err != nil {
		return nil, err
	}
	var out []*Document
	seen := make(map[string]bool)
	for _, ids := range [][]string{c.CommonDocuments[kind], g.Documents[kind]} {
		for _, docID := range ids {
			if !seen[docID] {
				seen[docID] = true
				out = append(out, c.docByID[docID])
			}
		}
	}
	return out, nil
}

// Fee returns the amount, in euro cents, of the timbre fiscal for an
// application of kind on ground id. late adds the surcharge; it only
// applies to a renewal filed after the window (see RenewalWindow.Assess).
func (c *Catalogue) Fee(id permit.GroundID, kind permit.Kind, late bool) (int64, error) {
	g, err := c.groundFor(id, kind)
	if err != nil {
		return 0, err
	}
	amount := c.tariffByID[g.Fees[kind]].AmountCents
	if late && kind == permit.KindRenewal {
		amount += c.Fees.LateFilingSurchargeCents
	}
	return amount, nil
}

func (c *Catalogue) groundFor(id permit.GroundID, kind permit.Kind) (*Ground, error) {
	g, ok := c.groundByID[id]
	if !ok {
		return nil, permit.Errorf(permit.ENOTFOUND, "error.rules.ground_unknown", id)
	}
	if !g.Allows(kind) {
		return nil, permit.Errorf(permit.EINVALID, "error.rules.kind_not_allowed", id, kind)
	}
	return g, nil
}
