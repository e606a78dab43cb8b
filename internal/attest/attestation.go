package attest

import (
	"errors"
	"strings"
	"time"

	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/rules"
)

// Document is everything a printed attestation shows: an extension
// attestation (attestation de prolongation d'instruction) or a
// favourable-decision attestation (attestation de décision favorable),
// already resolved to plain values. Like a Receipt, rendering it needs no
// database, so the same Document always gives the same PDF.
//
// Dates are printed as the calendar day of the location they carry: pass
// them in the time zone of the prefecture (Europe/Paris in metropolitan
// France), not UTC.
type Document struct {
	Kind     permit.AttestationKind // extension or favourable_decision
	Number   string                 // e.g. "API-2027-004512"; quoted when asking for help
	Version  int                    // 1, then 2, 3... when a correction replaces it
	IssuedAt time.Time              // also the PDF's creation date, for reproducible bytes

	// The holder, as declared on the passport.
	GivenNames      string
	Surname         string
	BirthDate       string // YYYY-MM-DD, printed in words; a partial date is printed as is
	ForeignerNumber string // numéro étranger (AGDREF); empty when not yet assigned
	Nationality     string // as it should be printed, e.g. "Sénégalaise (SEN)"

	Prefecture string // name of the issuing prefecture

	// The application the attestation belongs to.
	Ground          rules.Text // the name of the ground (motif) in both languages
	ApplicationKind permit.Kind

	// ValidFrom and ValidUntil are the first and last days, both
	// inclusive, on which the attestation proves something.
	ValidFrom, ValidUntil time.Time

	// Rights are what the attestation grants, from the rules catalogue
	// as it stands today (rules.Catalogue.Rights): printed through the
	// translation catalogue, never as wording frozen at issue.
	Rights rules.Granted

	// Code is the signed code (package seal), printed as a QR code and,
	// below it, as text that can be typed.
	Code string
	// VerifyURL is the public page where anyone can check the code, e.g.
	// "https://sejour.example.fr/verifier".
	VerifyURL string
}

// documentKind is what the PDF prints for one kind of attestation; its
// wording is in the translation catalogue (keys pdf.attestation.*).
type documentKind struct {
	// withExpiredPermit says whether the document proves legal stay only
	// together with the expired permit (R.431-15-1, second paragraph),
	// when the application follows a permit.
	withExpiredPermit bool
	// note is the key of what is said under the rights, when not empty.
	note string
}

// documentKinds are the attestations RenderAttestation prints. The filing
// receipt is not among them: it proves no right and must carry the
// warnings and the list of documents filed that RenderReceipt prints.
// All three kinds come from the same article, which the PDF names as
// its legal basis (key pdf.attestation.basis).
var documentKinds = map[permit.AttestationKind]documentKind{
	permit.AttestationExtension:  {withExpiredPermit: true},
	permit.AttestationFavourable: {note: "pdf.attestation.note.favourable_decision"},
}

// Validate reports every field that is missing or malformed, at once. An
// attestation is shown to employers and officials as proof: printing one
// with a blank where a right or a date should be would do its holder
// harm.
func (d *Document) Validate() error {
	var bad []string
	need := func(ok bool, what string) {
		if !ok {
			bad = append(bad, what)
		}
	}
	if _, known := documentKinds[d.Kind]; !known {
		what := "kind " + string(d.Kind) + " is unknown"
		if d.Kind == permit.AttestationFilingReceipt {
			what = "kind filing_receipt is printed by RenderReceipt"
		}
		bad = append(bad, what)
	}
	need(strings.TrimSpace(d.Number) != "", "number is empty")
	need(d.Version >= 1, "version is not 1 or more")
	need(!d.IssuedAt.IsZero(), "issue time is zero")
	need(strings.TrimSpace(d.Surname+d.GivenNames) != "", "holder has no name")
	need(strings.TrimSpace(d.BirthDate) != "", "birth date is empty")
	need(strings.TrimSpace(d.Nationality) != "", "nationality is empty")
	need(strings.TrimSpace(d.Prefecture) != "", "prefecture is empty")
	need(d.Ground["fr"] != "" && d.Ground["en"] != "", "ground name is missing in French or English")
	need(d.ApplicationKind.Valid(), "application kind "+string(d.ApplicationKind)+" is unknown")
	need(!d.ValidFrom.IsZero(), "first valid day is zero")
	need(!d.ValidUntil.IsZero(), "last valid day is zero")
	need(d.ValidFrom.IsZero() || d.ValidUntil.IsZero() || !d.ValidUntil.Before(d.ValidFrom), "last valid day is before the first")
	need(d.Rights.Work.Kind.Valid(), "right to work "+string(d.Rights.Work.Kind)+" is unknown")
	need(d.Rights.Work.Kind != rules.WorkLimitedHours || d.Rights.Work.HoursPerYear > 0, "right to work is limited to no hours")
	need(!d.Rights.Stay || !d.Rights.StayUntil.IsZero(), "right to stay has no last day")
	need(strings.TrimSpace(d.Code) != "", "signed code is empty")
	need(strings.TrimSpace(d.VerifyURL) != "", "verification address is empty")
	if len(bad) > 0 {
		return errors.New("attest: invalid attestation: " + strings.Join(bad, "; "))
	}
	return nil
}

// WithExpiredPermit reports whether d proves legal stay only together
// with the permit that expired: an extension attestation of a renewal or
// change of status. An extension of a first application proves it alone.
// The PDF and the attestation's page both say so.
func (d *Document) WithExpiredPermit() bool {
	return documentKinds[d.Kind].withExpiredPermit && d.ApplicationKind != permit.KindFirstIssue
}

// Note is the translation key of what d says under its rights, or "".
func (d *Document) Note() string { return documentKinds[d.Kind].note }
