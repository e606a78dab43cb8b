package attest

import (
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/rules"
)

// Receipt is everything a filing receipt (attestation de dépôt) prints,
// already resolved to plain values. Rendering it needs no database and no
// catalogue, so the same Receipt always gives the same document, and a
// receipt can be rendered again years later exactly as it was issued.
//
// Times are printed in the location they carry: pass them in the time
// zone of the prefecture (Europe/Paris in metropolitan France), not UTC.
type Receipt struct {
	Number   string    // e.g. "DEP-2026-000123"; quoted when reporting an error
	IssuedAt time.Time // also the PDF's creation date, for reproducible bytes

	// The holder, as declared on the passport.
	GivenNames      string
	Surname         string
	BirthDate       string // YYYY-MM-DD, printed in words; a partial date is printed as is
	BirthPlace      string
	Nationality     string // as it should be printed, e.g. "Sénégal (SEN)"
	ForeignerNumber string // numéro étranger (AGDREF); empty when not yet assigned

	// Code is the filing receipt's signed code (package seal), printed as
	// a QR code with the page that checks it; empty until it is signed.
	Code      string
	VerifyURL string

	// Decided is true once the application no longer awaits a decision
	// (decided, withdrawn, closed): the receipt then no longer announces
	// an implicit rejection that cannot happen.
	Decided bool

	Prefecture string // name of the competent prefecture

	// The application.
	Kind        permit.Kind
	Ground      rules.Text // the name of the ground (motif) in both languages
	SubmittedAt time.Time
	Documents   []FiledDocument

	// FeeStamp is the 16-digit number of the timbre fiscal, or empty when
	// none was recorded. Only its last 4 digits are printed: enough for
	// the holder to recognise it, useless to anyone who finds the paper.
	FeeStamp string

	// ImplicitRejectionDate is the day on which the prefecture's silence
	// counts as a refusal (décision implicite de rejet):
	// permit.Delays.ImplicitRejection of the filing, with the catalogue's
	// delays.
	ImplicitRejectionDate time.Time

	// ReceiptURL is where the receipt can be downloaded again; optional.
	ReceiptURL string

	// Paper marks an application filed from a paper form at the
	// prefecture (backup channel): the document is then titled a
	// récépissé and says how it was filed.
	Paper bool
	// ClaimCode, when set, is printed with how to take the file over
	// online, and ClaimExpires when the code stops working. An agent
	// prints it right after issuing the code; it is never stored.
	ClaimCode    string
	ClaimExpires time.Time
}

// FiledDocument is one file the applicant uploaded with the application.
// The SHA-256 digest lets both sides show later which exact file was filed.
type FiledDocument struct {
	Name     rules.Text // the catalogue name of the document
	FileName string     // the name of the file as uploaded
	SHA256   string     // hex digest of the file; the receipt prints its start
}

// kindNames are the printed names of the kinds of application.
var kindNames = map[permit.Kind]rules.Text{
	permit.KindFirstIssue:     {"fr": "Première demande", "en": "First application"},
	permit.KindRenewal:        {"fr": "Renouvellement", "en": "Renewal"},
	permit.KindChangeOfStatus: {"fr": "Changement de statut", "en": "Change of status"},
}

// digestChars is how many hex characters of a file's SHA-256 digest the
// receipt prints: 48 bits tell a person's files apart and fit a column.
const digestChars = 12

// Validate reports every field that is missing or malformed, at once. A
// receipt is a legal document: RenderReceipt refuses to print one that
// would leave out something the holder relies on.
func (r *Receipt) Validate() error {
	var bad []string
	need := func(ok bool, what string) {
		if !ok {
			bad = append(bad, what)
		}
	}
	need(strings.TrimSpace(r.Number) != "", "number is empty")
	need(!r.IssuedAt.IsZero(), "issue time is zero")
	need(strings.TrimSpace(r.Surname+r.GivenNames) != "", "holder has no name")
	need(strings.TrimSpace(r.Prefecture) != "", "prefecture is empty")
	_, known := kindNames[r.Kind]
	need(known, "kind "+string(r.Kind)+" is unknown")
	need(r.Ground["fr"] != "" && r.Ground["en"] != "", "ground name is missing in French or English")
	need(!r.SubmittedAt.IsZero(), "filing time is zero")
	need(r.ImplicitRejectionDate.After(r.SubmittedAt), "implicit rejection date is not after the filing")
	need(r.FeeStamp == "" || len(stampDigits(r.FeeStamp)) == 16, "fee stamp is not 16 digits")
	for i, d := range r.Documents {
		need(d.Name["fr"] != "" && d.Name["en"] != "", "document "+strconv.Itoa(i+1)+" has no name in French or English")
		need(d.FileName != "", "document "+strconv.Itoa(i+1)+" has no file name")
		need(isHex(d.SHA256) && len(d.SHA256) >= digestChars, "document "+strconv.Itoa(i+1)+" has no SHA-256 digest")
	}
	if len(bad) > 0 {
		return errors.New("attest: invalid receipt: " + strings.Join(bad, "; "))
	}
	return nil
}

// maskedStamp prints the fee stamp with all but its last 4 digits hidden,
// grouped by four as on the stamp itself.
func maskedStamp(stamp string) string {
	d := stampDigits(stamp)
	if len(d) < 4 {
		return ""
	}
	return "•••• •••• •••• " + d[len(d)-4:]
}

// stampDigits returns the digits of a fee stamp number, dropping the
// spaces people type between groups; it returns "" if anything else is
// there.
func stampDigits(s string) string {
	var b strings.Builder
	for _, c := range s {
		switch {
		case c >= '0' && c <= '9':
			b.WriteRune(c)
		case c == ' ':
		default:
			return ""
		}
	}
	return b.String()
}

func isHex(s string) bool {
	for _, c := range s {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}
