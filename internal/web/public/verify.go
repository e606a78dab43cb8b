package public

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"time"

	"github.com/sejour/sejour/internal/attest"
	"github.com/sejour/sejour/internal/casework"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/qr"
	"github.com/sejour/sejour/internal/rules"
	"github.com/sejour/sejour/internal/web"
)

// verifyView is the public verifier: the form, and the answer.
type verifyView struct {
	*web.Page
	V *casework.Verification
}

// outcome is the answer's key: a genuine, current filing receipt has its
// own, since it proves the filing and not lawful stay.
func (v *verifyView) outcome() string {
	if v.V.Result != nil && v.V.Result.Kind == permit.AttestationFilingReceipt &&
		(v.V.Outcome == "valid" || v.V.Outcome == casework.OutcomeUnchecked) {
		return "receipt_" + v.V.Outcome
	}
	// A check record is never revoked nor superseded either: it is valid
	// while the right it showed lasts, then expired (check again).
	if v.V.Result != nil && v.V.Result.Kind == permit.AttestationWorkCheck {
		if v.V.Outcome == "expired" {
			return "check_expired"
		}
		return "check_valid"
	}
	// A declaration's record is never revoked nor superseded, and has no
	// end: it proves a declaration and its outcome.
	if v.V.Result != nil && v.V.Result.Kind == permit.AttestationDeclaration &&
		(v.V.Outcome == "valid" || v.V.Outcome == casework.OutcomeUnchecked) {
		return "declaration_valid"
	}
	// An attestation of attempt is never revoked nor superseded: whether
	// revocation could be checked changes nothing.
	if v.V.Result != nil && v.V.Result.Kind == permit.AttestationAttempt &&
		(v.V.Outcome == "valid" || v.V.Outcome == casework.OutcomeUnchecked) {
		return "attempt_valid"
	}
	return v.V.Outcome
}

// CheckWork says a check record's right to work in the catalogue's
// words.
func (v *verifyView) CheckWork(r *casework.CodeResult) string {
	if r.Rights.Work.Kind == rules.WorkLimitedHours {
		return v.T("rights.work.limited_hours", r.Rights.Work.HoursPerYear)
	}
	return v.T("rights.work." + string(r.Rights.Work.Kind))
}

// Caveat says, beside an answer that is not "valid" anyway (expired, not
// yet valid), that revocation could not be checked; "" when it was, or
// when the outcome itself says so.
func (v *verifyView) Caveat() string {
	if !v.V.Unchecked || v.V.Outcome == casework.OutcomeUnchecked {
		return ""
	}
	return v.T("verify.unchecked")
}

// Outcome names the answer in the page's language.
func (v *verifyView) Outcome() string { return v.T("verify.outcome." + v.outcome()) }

// Explain says what the answer means.
func (v *verifyView) Explain() string { return v.T("verify.explain." + v.outcome()) }

// Alert is the DSFR alert kind of the answer.
func (v *verifyView) Alert() string {
	switch v.outcome() {
	case "valid", "declaration_valid":
		return "success"
	case casework.OutcomeUnchecked:
		return "info"
	case "forged", "malformed", "revoked":
		return "error"
	}
	return "warning"
}

// PhotoField is the upload of the attestation: the PDF the portal issued,
// whose code is read from its metadata, or a photo or scan, whose QR code
// is read from pixels (the upload's default types).
func (v *verifyView) PhotoField() web.Field {
	return v.Optional("photo", "file", "off", "verify.photo", "verify.photo_hint")
}

func (s *Pages) verifyForm(w http.ResponseWriter, r *http.Request) error {
	s.Render(w, r, http.StatusOK, "verify", &verifyView{Page: s.Page(r, "verify.title")})
	return nil
}

// verify reads a pasted code, or the code of an uploaded PDF, photo or
// scan, and says what the attestation proves. Anyone may call it; it is rate
// limited by address.
func (s *Pages) verify(w http.ResponseWriter, r *http.Request) error {
	if err := s.Limit("verify-ip", web.ClientIP(r)); err != nil {
		return err
	}
	p := s.Page(r, "verify.title")
	name, data, values, err := s.ReadUpload(w, r, "photo")
	code := values["code"]
	if err == nil && code == "" && len(data) > 0 {
		code, err = s.readCode(r.Context(), data)
	}
	_ = name
	var v *casework.Verification
	if err == nil {
		v, err = s.Verifier.Verify(r.Context(), code)
	}
	if err != nil {
		if err := web.FormError(p, err); err != nil {
			return err
		}
		p.Values = map[string]string{"code": code}
		s.Render(w, r, http.StatusUnprocessableEntity, "verify", &verifyView{Page: p})
		return nil
	}
	view := &verifyView{Page: p, V: v}
	p.TitleKey = "verify.outcome." + view.outcome()
	s.Render(w, r, http.StatusOK, "verify", view)
	return nil
}

// readCode finds the code in an uploaded file: in a PDF, where sejour's
// PDFs carry it (docs/attestation-format.md, section 9), without rendering
// it; in a photo or scan, by reading its QR code. Both go through the
// process's gate of checks.
func (s *Pages) readCode(ctx context.Context, data []byte) (string, error) {
	if http.DetectContentType(data) != "application/pdf" {
		return s.readQR(ctx, data)
	}
	code, err := attest.CodeFromPDF(ctx, s.Checks, data)
	switch {
	case ctx.Err() != nil && errors.Is(err, ctx.Err()):
		return "", permit.Errorf(permit.EUNAVAILABLE, "error.unavailable")
	case errors.Is(err, attest.ErrNoCode):
		return "", permit.Invalid(map[string]string{"photo": "verify.error.pdf_no_code"})
	case err != nil:
		return "", permit.AsField("photo", err)
	}
	return code, nil
}

// readQR finds the code in a photo or scan, through the process's gate
// of checks: a large photo costs up to a second and tens of megabytes
// (qr.Cost), and one refused from its header nothing.
func (s *Pages) readQR(ctx context.Context, data []byte) (string, error) {
	var code string
	err := s.Checks.Do(ctx, qr.Cost(data), func() error {
		var err error
		code, err = qr.DecodeBytes(data)
		return err
	})
	switch {
	case ctx.Err() != nil && errors.Is(err, ctx.Err()):
		return "", permit.Errorf(permit.EUNAVAILABLE, "error.unavailable")
	case errors.Is(err, qr.ErrNotImage):
		return "", permit.Invalid(map[string]string{"photo": "verify.error.not_image"})
	case errors.Is(err, qr.ErrTooLarge):
		return "", permit.Invalid(map[string]string{"photo": "verify.error.too_large"})
	case err != nil:
		return "", permit.Invalid(map[string]string{"photo": "verify.error.no_code"})
	}
	return code, nil
}

// apiVerification is the JSON answer of POST /api/v1/verify.
type apiVerification struct {
	Status string `json:"status"`
	// RevocationChecked is false when the code is genuine but the
	// database did not answer; absent for forged and malformed codes.
	RevocationChecked *bool      `json:"revocation_checked,omitempty"`
	Kind              string     `json:"kind,omitempty"`
	Number            string     `json:"number,omitempty"`
	Version           int        `json:"version,omitempty"`
	Holder            *apiHolder `json:"holder,omitempty"`
	ValidFrom         string     `json:"valid_from,omitempty"`
	ValidUntil        string     `json:"valid_until,omitempty"`
	Rights            *apiRights `json:"rights,omitempty"`
	Prefecture        string     `json:"prefecture,omitempty"`
	// CheckedBy is, on the record of a right-to-work check, the
	// organisation that checked, and whether the answer rested on a
	// pending renewal.
	CheckedBy *apiCheckedBy `json:"checked_by,omitempty"`
	// DeclaredBy is, on the record of a pre-hire declaration, the
	// organisation that declared, the hire's first day and the outcome.
	DeclaredBy *apiDeclaredBy `json:"declared_by,omitempty"`
}

type apiDeclaredBy struct {
	Organisation string `json:"organisation"`
	SIRET        string `json:"siret"`
	StartDate    string `json:"start_date"`
	Outcome      string `json:"outcome"`
}

type apiCheckedBy struct {
	Organisation   string `json:"organisation"`
	SIRET          string `json:"siret"`
	PendingRenewal bool   `json:"pending_renewal"`
}

type apiHolder struct {
	GivenNames string `json:"given_names"`
	Surname    string `json:"surname"`
	BirthDate  string `json:"birth_date"`
}

type apiRights struct {
	StayUntil            string     `json:"stay_until,omitempty"`
	Work                 rules.Work `json:"work"`
	TravelReentry        bool       `json:"travel_reentry"`
	SocialRightsContinue bool       `json:"social_rights_continue"`
}

// apiVerify is the JSON verifier: {"code": "SJ1:..."} in, the status and
// what the code proves out. Forged and malformed codes get their status
// and nothing else.
func (s *Pages) apiVerify(w http.ResponseWriter, r *http.Request) error {
	allowCrossOrigin(w)
	var in struct {
		Code string `json:"code"`
	}
	dec := json.NewDecoder(io.LimitReader(r.Body, 8<<10))
	if err := dec.Decode(&in); err != nil || in.Code == "" {
		return s.Problem(w, r, http.StatusBadRequest, web.ProblemInvalidJSON, nil)
	}
	if key, _ := web.CheckValue("code", in.Code); key != "" {
		// The form's rule for the same field: no control characters.
		return s.Problem(w, r, http.StatusBadRequest, web.ProblemUnreadableString, map[string]string{"code": key})
	}
	v, err := s.Verifier.Verify(r.Context(), in.Code)
	if err != nil {
		return err
	}
	out := apiVerification{Status: v.Outcome}
	if c := v.Result; c != nil {
		checked := !v.Unchecked
		out.RevocationChecked = &checked
		out.Kind, out.Number, out.Version, out.Prefecture = string(c.Kind), c.Number, c.Version, c.Prefecture
		out.Holder = &apiHolder{GivenNames: c.GivenNames, Surname: c.Surname, BirthDate: c.BirthDate}
		out.ValidFrom = c.ValidFrom.Format(time.DateOnly)
		if !c.ValidUntil.IsZero() {
			out.ValidUntil = c.ValidUntil.Format(time.DateOnly)
		}
		out.Rights = &apiRights{Work: c.Rights.Work, TravelReentry: c.Rights.TravelReentry, SocialRightsContinue: c.Rights.SocialRightsContinue}
		if c.Rights.Stay {
			out.Rights.StayUntil = c.Rights.StayUntil.Format(time.DateOnly)
		}
		if ch := c.Check; ch != nil {
			out.CheckedBy = &apiCheckedBy{Organisation: ch.Organisation, SIRET: ch.SIRET, PendingRenewal: ch.PendingRenewal}
		}
		if d := c.Declaration; d != nil {
			out.DeclaredBy = &apiDeclaredBy{Organisation: d.Organisation, SIRET: d.SIRET,
				StartDate: d.StartDate.Format(time.DateOnly), Outcome: string(d.Outcome)}
		}
	}
	if v.Outcome == web.ProblemMalformedCode {
		return s.Problem(w, r, http.StatusBadRequest, web.ProblemMalformedCode, nil)
	}
	return web.WriteJSON(w, http.StatusOK, out)
}

// allowCrossOrigin lets any site's script read the JSON verifier's
// answer: it is public, changes nothing, and takes no credentials (no
// Access-Control-Allow-Credentials, so a browser sends no cookie with
// it), so sharing it across origins exposes nothing.
func allowCrossOrigin(w http.ResponseWriter) {
	w.Header().Set("Access-Control-Allow-Origin", "*")
}

// apiVerifyPreflight answers a browser's preflight before another site's
// script posts JSON to the verifier: POST, with a Content-Type header.
func (s *Pages) apiVerifyPreflight(w http.ResponseWriter, r *http.Request) error {
	allowCrossOrigin(w)
	h := w.Header()
	h.Set("Access-Control-Allow-Methods", "POST")
	h.Set("Access-Control-Allow-Headers", "Content-Type")
	h.Set("Access-Control-Max-Age", "86400")
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// keySet publishes the public keys that verify attestation codes, old
// ones included, so that earlier attestations still verify.
func (s *Pages) keySet(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "application/jwk-set+json")
	w.Header().Set("Access-Control-Allow-Origin", "*")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	set, err := s.KeySet()
	if err != nil {
		return err
	}
	_, err = w.Write(set)
	return err
}
