package seal

import (
	"bytes"
	"fmt"
	"time"

	"github.com/fxamacker/cbor/v2"

	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/rules"
)

// ClaimsFormat is the version of the claims map (key 1) of attestations.
// A verifier refuses any other value rather than guess what new keys
// mean. CheckFormat is format 1 with the keys of a right-to-work check
// record (21 to 23): only such a record is written in it, so every other
// code keeps the bytes it had, and a verifier that reads only format 1
// refuses a check record rather than show half of it.
// DeclarationFormat is format 1 with the keys of a pre-hire
// declaration's record (21, 22, 24, 25), for that kind only.
const (
	ClaimsFormat      = 1
	CheckFormat       = 2
	DeclarationFormat = 3
)

// formatOf is the format a kind's claims are written in.
func formatOf(k permit.AttestationKind) uint {
	switch k {
	case permit.AttestationWorkCheck:
		return CheckFormat
	case permit.AttestationDeclaration:
		return DeclarationFormat
	}
	return ClaimsFormat
}

// wireClaims is the claims map as signed: small integer keys, documented
// in docs/attestation-format.md. Closed lists are small integers and
// validity dates are days since 1970-01-01, to keep the code small enough
// for a QR code a phone reads at a glance. Optional keys are absent,
// never empty; booleans are always present, because "no right" is a
// statement too.
type wireClaims struct {
	Format          uint   `cbor:"1,keyasint"`
	Kind            uint   `cbor:"2,keyasint"`
	Number          string `cbor:"3,keyasint"`
	Version         uint   `cbor:"4,keyasint"`
	GivenNames      string `cbor:"5,keyasint,omitempty"`
	Surname         string `cbor:"6,keyasint,omitempty"`
	BirthDate       string `cbor:"7,keyasint"`
	ForeignerNumber string `cbor:"8,keyasint,omitempty"`
	Ground          string `cbor:"9,keyasint,omitempty"`
	ApplicationKind uint   `cbor:"10,keyasint,omitempty"`
	StayUntil       uint   `cbor:"11,keyasint,omitempty"`
	WorkKind        uint   `cbor:"12,keyasint"`
	WorkHours       uint   `cbor:"13,keyasint,omitempty"`
	TravelReentry   bool   `cbor:"14,keyasint"`
	SocialRights    bool   `cbor:"15,keyasint"`
	ValidFrom       uint   `cbor:"16,keyasint"`
	ValidUntil      uint   `cbor:"17,keyasint,omitempty"`
	PrefectureCode  string `cbor:"18,keyasint"`
	PrefectureName  string `cbor:"19,keyasint"`
	IssuedAt        uint64 `cbor:"20,keyasint"`
	// Format 2 only: the record of a right-to-work check.
	Organisation   string `cbor:"21,keyasint,omitempty"`
	SIRET          string `cbor:"22,keyasint,omitempty"`
	PendingRenewal *bool  `cbor:"23,keyasint,omitempty"`
	// Format 3 only: the record of a pre-hire declaration.
	Outcome  uint `cbor:"24,keyasint,omitempty"`
	StartDay uint `cbor:"25,keyasint,omitempty"`
}

// The codes of closed lists on the wire: a value's code is its index plus
// one (zero is never valid). These lists are part of the signed format:
// append to them, never reorder or remove. The kinds' list is permit's,
// beside the rest of what declares a kind.
var (
	kindCodes            = permit.WireKinds
	applicationKindCodes = []permit.Kind{permit.KindFirstIssue, permit.KindRenewal, permit.KindChangeOfStatus}
	workKindCodes        = []rules.WorkKind{rules.WorkFull, rules.WorkLimitedHours, rules.WorkAuthorisedJob,
		rules.WorkQualifyingActivity, rules.WorkNone}
	outcomeCodes = permit.DeclarationOutcomes
)

// toCode returns the wire code of v, or 0 when v is not in the list.
func toCode[T comparable](list []T, v T) uint {
	for i, x := range list {
		if x == v {
			return uint(i + 1)
		}
	}
	return 0
}

// fromCode returns the value of a wire code, or the zero value, which
// Validate refuses.
func fromCode[T any](list []T, code uint) (v T) {
	if code >= 1 && code <= uint(len(list)) {
		v = list[code-1]
	}
	return v
}

var epoch = time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)

// toDay returns the days from 1970-01-01 to a valid date, 0 for "".
func toDay(s string) uint {
	t, ok := parseDate(s)
	if !ok {
		return 0
	}
	return uint(t.Sub(epoch).Hours() / 24)
}

// fromDay is toDay's inverse; 0 gives "", which is absent on the wire.
func fromDay(n uint) string {
	if n == 0 || n > maxDay {
		return ""
	}
	return epoch.AddDate(0, 0, int(n)).Format(time.DateOnly)
}

// claimsFormatOnly reads key 1 alone, to tell "a newer format" from
// "garbage" before the strict decoding.
type claimsFormatOnly struct {
	Format uint `cbor:"1,keyasint"`
}

var (
	encMode cbor.EncMode
	// strictDec refuses unknown keys, duplicate keys, indefinite lengths,
	// tags and invalid UTF-8, and bounds nesting and sizes.
	strictDec cbor.DecMode
	// formatDec is strictDec without the unknown-key check.
	formatDec cbor.DecMode
)

func init() {
	var err error
	if encMode, err = cbor.CoreDetEncOptions().EncMode(); err != nil {
		panic(err)
	}
	opts := cbor.DecOptions{
		DupMapKey:        cbor.DupMapKeyEnforcedAPF,
		IndefLength:      cbor.IndefLengthForbidden,
		TagsMd:           cbor.TagsForbidden,
		MaxNestedLevels:  4,
		MaxArrayElements: 16,
		MaxMapPairs:      32,
		UTF8:             cbor.UTF8RejectInvalid,
	}
	if formatDec, err = opts.DecMode(); err != nil {
		panic(err)
	}
	opts.ExtraReturnErrors = cbor.ExtraDecErrorUnknownField
	if strictDec, err = opts.DecMode(); err != nil {
		panic(err)
	}
}

// marshalClaims encodes valid claims in CBOR core deterministic encoding.
func marshalClaims(c *Claims) ([]byte, error) {
	w := wireClaims{
		Format:          formatOf(c.Kind),
		Kind:            toCode(kindCodes, c.Kind),
		Number:          c.Number,
		Version:         uint(c.Version),
		GivenNames:      c.GivenNames,
		Surname:         c.Surname,
		BirthDate:       c.BirthDate,
		ForeignerNumber: c.ForeignerNumber,
		Ground:          string(c.Ground),
		ApplicationKind: toCode(applicationKindCodes, c.ApplicationKind),
		StayUntil:       toDay(c.Rights.StayUntil),
		WorkKind:        toCode(workKindCodes, c.Rights.Work.Kind),
		WorkHours:       uint(c.Rights.Work.HoursPerYear),
		TravelReentry:   c.Rights.TravelReentry,
		SocialRights:    c.Rights.SocialRightsContinue,
		ValidFrom:       toDay(c.ValidFrom),
		ValidUntil:      toDay(c.ValidUntil),
		PrefectureCode:  c.Prefecture.Code,
		PrefectureName:  c.Prefecture.Name,
		IssuedAt:        uint64(c.IssuedAt.Unix()),
	}
	if ch := c.Check; ch != nil {
		pending := ch.PendingRenewal
		w.Organisation, w.SIRET, w.PendingRenewal = ch.Organisation, ch.SIRET, &pending
	}
	if d := c.Declaration; d != nil {
		w.Organisation, w.SIRET = d.Organisation, d.SIRET
		w.Outcome, w.StartDay = toCode(outcomeCodes, d.Outcome), toDay(d.StartDate)
	}
	return encMode.Marshal(&w)
}

// knownFormat reports whether this verifier reads claims of format f.
func knownFormat(f uint) bool {
	return f == ClaimsFormat || f == CheckFormat || f == DeclarationFormat
}

// unmarshalClaims decodes and validates claims. It accepts only the one
// encoding marshalClaims gives, so that nothing in the signed bytes goes
// unread: an absent boolean, an empty optional text, a non-shortest
// integer or unsorted keys are refused like unknown keys.
func unmarshalClaims(data []byte) (*Claims, error) {
	// One strict pass reads a code of a known format; only when it fails,
	// or the format is not one of these, does a second pass read the
	// format alone, so that a code of a newer format is refused as such
	// rather than for the keys this verifier does not know.
	var w wireClaims
	err := strictDec.Unmarshal(data, &w)
	if err != nil || !knownFormat(w.Format) {
		var f claimsFormatOnly
		if ferr := formatDec.Unmarshal(data, &f); ferr != nil {
			return nil, fmt.Errorf("claims: %w", ferr)
		}
		if !knownFormat(f.Format) {
			return nil, fmt.Errorf("claims format %d is not supported (this verifier reads formats %d to %d)", f.Format, ClaimsFormat, DeclarationFormat)
		}
		return nil, fmt.Errorf("claims: %w", err)
	}
	if w.Version > 9999 || w.WorkHours > maxHoursPerYr || w.IssuedAt > maxIssuedAt {
		return nil, fmt.Errorf("claims: number out of range")
	}
	c := &Claims{
		Kind:            fromCode(kindCodes, w.Kind),
		Number:          w.Number,
		Version:         int(w.Version),
		GivenNames:      w.GivenNames,
		Surname:         w.Surname,
		BirthDate:       w.BirthDate,
		ForeignerNumber: w.ForeignerNumber,
		Ground:          permit.GroundID(w.Ground),
		ApplicationKind: fromCode(applicationKindCodes, w.ApplicationKind),
		Rights: Rights{
			StayUntil:            fromDay(w.StayUntil),
			Work:                 rules.Work{Kind: fromCode(workKindCodes, w.WorkKind), HoursPerYear: int(w.WorkHours)},
			TravelReentry:        w.TravelReentry,
			SocialRightsContinue: w.SocialRights,
		},
		ValidFrom:  fromDay(w.ValidFrom),
		ValidUntil: fromDay(w.ValidUntil),
		Prefecture: Prefecture{Code: w.PrefectureCode, Name: w.PrefectureName},
		IssuedAt:   time.Unix(int64(w.IssuedAt), 0).UTC(),
	}
	if w.Outcome != 0 || w.StartDay != 0 {
		c.Declaration = &DeclarationClaims{Organisation: w.Organisation, SIRET: w.SIRET,
			Outcome: fromCode(outcomeCodes, w.Outcome), StartDate: fromDay(w.StartDay)}
	} else if w.Organisation != "" || w.SIRET != "" || w.PendingRenewal != nil {
		c.Check = &CheckClaims{Organisation: w.Organisation, SIRET: w.SIRET, PendingRenewal: w.PendingRenewal != nil && *w.PendingRenewal}
	}
	if err := c.Validate(); err != nil {
		return nil, fmt.Errorf("claims: %w", err)
	}
	again, err := marshalClaims(c)
	if err != nil || !bytes.Equal(again, data) {
		return nil, fmt.Errorf("claims: not in their canonical encoding")
	}
	return c, nil
}
