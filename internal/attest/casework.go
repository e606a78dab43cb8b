package attest

import (
	"github.com/sejour/sejour/internal/permit"
	"io"
	_ "time/tzdata" // Europe/Paris everywhere

	"github.com/sejour/sejour/internal/casework"
	"github.com/sejour/sejour/internal/i18n"
	"github.com/sejour/sejour/internal/rules"
)

// ReceiptRenderer renders casework's filing receipts and attestations as
// PDFs.
type ReceiptRenderer struct {
	Rules *rules.Catalogue
	Tr    *i18n.Catalogue
}

// RenderReceipt writes the PDF of a filing.
func (rr ReceiptRenderer) RenderReceipt(w io.Writer, rc *casework.Receipt) error {
	return RenderReceipt(w, ReceiptFromCase(rc, rr.Rules), rr.Tr)
}

// RenderAttempt writes the PDF of an attestation of attempted filing.
func (rr ReceiptRenderer) RenderAttempt(w io.Writer, p *casework.AttemptProof, verifyURL string) error {
	return RenderAttempt(w, p, rr.Rules, rr.Tr, verifyURL)
}

// ReceiptFromCase resolves a filing of casework into the plain values a
// receipt prints.
func ReceiptFromCase(rc *casework.Receipt, cat *rules.Catalogue) *Receipt {
	c, f := rc.Case, rc.Filing
	r := &Receipt{
		Number: f.Number, IssuedAt: f.FiledAt.In(permit.Paris),
		GivenNames: c.Person.GivenNames, Surname: c.Person.Surname, BirthDate: c.Person.BirthDate,
		BirthPlace: c.Person.BirthPlace, Nationality: c.Person.Nationality, ForeignerNumber: c.Person.ForeignerNumber,
		Prefecture: c.Prefecture.Name, Kind: c.App.Kind, Ground: c.Ground.Name, SubmittedAt: f.FiledAt.In(permit.Paris),
		FeeStamp:              c.App.FeeStamp,
		Paper:                 rc.Paper(),
		ClaimCode:             rc.ClaimCode,
		ClaimExpires:          rc.ClaimExpires.In(permit.Paris),
		ImplicitRejectionDate: cat.Delays().ImplicitRejection(f.FiledAt),
		Decided:               !c.App.State.AwaitsDecision(),
		VerifyURL:             rc.VerifyURL,
	}
	if a := rc.Attestation; a != nil {
		r.Number, r.Code = a.Number, a.Code
	}
	if c.Rejection != nil {
		r.ImplicitRejectionDate = *c.Rejection
	}
	for _, d := range rc.Docs {
		name := rules.Text{"fr": d.Slot, "en": d.Slot}
		if doc, ok := cat.Document(d.Slot); ok {
			name = doc.Name
		}
		r.Documents = append(r.Documents, FiledDocument{Name: name, FileName: d.Filename, SHA256: d.SHA256})
	}
	return r
}

// RenderAttestation writes the PDF of one of casework's attestations.
func (rr ReceiptRenderer) RenderAttestation(w io.Writer, c *casework.Case, v casework.AttestationView, verifyURL string) error {
	return RenderAttestation(w, DocumentFromCase(c, v, verifyURL), rr.Tr)
}

// DocumentFromCase resolves an attestation of casework into the plain
// values its PDF prints; the rights are those derived today.
func DocumentFromCase(c *casework.Case, v casework.AttestationView, verifyURL string) *Document {
	issuer := c.Prefecture
	if v.Issuer != nil {
		issuer = v.Issuer // the application moved since: the issuing prefecture is named
	}
	return &Document{
		Kind: v.Kind, Number: v.Number, Version: v.Version, IssuedAt: v.IssuedAt.In(permit.Paris),
		GivenNames: c.Person.GivenNames, Surname: c.Person.Surname, BirthDate: c.Person.BirthDate,
		ForeignerNumber: c.Person.ForeignerNumber, Nationality: c.Person.Nationality, Prefecture: issuer.Name,
		Ground: c.Ground.Name, ApplicationKind: c.App.Kind, ValidFrom: v.ValidFrom, ValidUntil: v.ValidUntil,
		Rights: v.Rights, Code: v.Code, VerifyURL: verifyURL,
	}
}

// RenderWorkCheck writes the PDF of a right-to-work check record.
func (rr ReceiptRenderer) RenderWorkCheck(w io.Writer, rec *permit.WorkCheck, verifyURL string) error {
	return RenderWorkCheck(w, rec, rr.Rules, rr.Tr, verifyURL)
}

// RenderDeclaration writes the PDF of a pre-hire declaration's record.
func (rr ReceiptRenderer) RenderDeclaration(w io.Writer, d *permit.Declaration, verifyURL string) error {
	return RenderDeclaration(w, d, rr.Rules, rr.Tr, verifyURL)
}
