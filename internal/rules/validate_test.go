package rules

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/sejour/sejour/internal/i18n"
	"github.com/sejour/sejour/internal/permit"
)

// minimal is the smallest valid catalogue: one ground, the documents it
// needs, one tariff.
const minimal = `{
  "version": "test-1",
  "effective_from": "2026-01-01",
  "renewal_window": {"opens_days_before_expiry": 120, "closes_days_before_expiry": 60},
  "attestations": {
    "filing_receipt": {"name": {"fr": "Dépôt", "en": "Receipt"}, "notice": {"fr": "Avis", "en": "Notice"}},
    "extension": {"name": {"fr": "API", "en": "Extension"}, "proves_stay": true, "max_months": 3, "notice": {"fr": "Avis", "en": "Notice"}},
    "favourable_decision": {"name": {"fr": "ADF", "en": "Favourable"}, "proves_stay": true, "max_months": 3, "notice": {"fr": "Avis", "en": "Notice"}},
    "paper_receipt": {"name": {"fr": "Récépissé", "en": "Paper receipt"}, "proves_stay": true, "min_months": 1, "max_months": 6, "notice": {"fr": "Avis", "en": "Notice"}}
  },
  "implicit_rejection_months": 4,
  "limits": {"completion_due_max_months": 3, "appointment_horizon_months": 6, "appointment_opens_hour": 8, "appointment_closes_hour": 19},
  "decisions": {"favourable_requires": ["documents_accepted", "identity_confirmed"]},
  "share_codes": {"validity_days": 90},
  "declarations": {"notice_working_days": 2, "answer_working_days": 2, "weeks_per_year": 52, "public_holidays_from": 2026, "public_holidays_until": 2026,
    "public_holidays": ["2026-01-01", "2026-04-06", "2026-05-01", "2026-05-08", "2026-05-14", "2026-05-25", "2026-07-14", "2026-08-15", "2026-11-01", "2026-11-11", "2026-12-25"]},
  "appeals": {"administrative_months": 2, "court_months": 2, "court_days_with_oqtf": 30},
  "outages": {"relief_days": 15, "detect_after_minutes": 5, "history_days": 90},
  "fees": {"tariffs": [{"id": "standard", "amount_cents": 22500, "name": {"fr": "Normal", "en": "Standard"}}], "late_filing_surcharge_cents": 18000},
  "common_documents": {"first_issue": ["passport"]},
  "documents": [{"id": "passport", "name": {"fr": "Passeport", "en": "Passport"}, "explanation": {"fr": "Le vôtre.", "en": "Yours."}, "max_files": 2}],
  "grounds": [{
    "id": "visitor",
    "name": {"fr": "Visiteur", "en": "Visitor"},
    "description": {"fr": "Pour vivre sans travailler.", "en": "To live without working."},
    "card": {"text": {"fr": "Un an", "en": "One year"}, "max_years": 1},
    "rights": {"stay": true, "work": {"kind": "none"}, "travel_reentry": true, "social_rights_continue": true},
    "kinds": ["first_issue"],
    "fees": {"first_issue": "standard"},
    "documents": {}
  }]
}`

func TestParseMinimal(t *testing.T) {
	c, err := Parse([]byte(minimal))
	if err != nil {
		t.Fatal(err)
	}
	docs, err := c.RequiredDocuments("visitor", permit.KindFirstIssue)
	if err != nil || len(docs) != 1 || docs[0].ID != "passport" {
		t.Errorf("RequiredDocuments = %v, %v; want [passport]", docIDs(docs), err)
	}
}

func TestParseMalformed(t *testing.T) {
	tests := []struct {
		name, data, want string
	}{
		{"not JSON", `{"version": `, "cannot decode JSON"},
		{"unknown field", strings.Replace(minimal, `"implicit_rejection_months"`, `"implicit_refusal_months"`, 1), `unknown field "implicit_refusal_months"`},
		{"trailing data", minimal + ` {}`, "unexpected data after the catalogue object"},
		{"null ground", strings.Replace(minimal, `"grounds": [{`, `"grounds": [null, {`, 1), "ground #1: null"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.data))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tt.want)
			}
			if permit.ErrorCode(err) != permit.EINVALID {
				t.Errorf("code = %q, want %q", permit.ErrorCode(err), permit.EINVALID)
			}
		})
	}
}

func TestParseRejects(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(f *catalogueFile)
		want   string
	}{
		{"empty version", func(f *catalogueFile) { f.Version = " " }, "version: empty"},
		{"bad effective date", func(f *catalogueFile) { f.EffectiveFrom = "1 Nov 2026" }, `effective_from: "1 Nov 2026" is not a date`},
		{"window opens when it closes", func(f *catalogueFile) { f.RenewalWindow.OpensDaysBefore = 60 },
			"renewal_window: opens 60 days before expiry, which is not before it closes (60 days before)"},
		{"window opens after it closes", func(f *catalogueFile) { f.RenewalWindow = RenewalWindow{30, 60} },
			"renewal_window: opens 30 days before expiry"},
		{"no completion delay", func(f *catalogueFile) { f.Limits.CompletionDueMaxMonths = 0 },
			"limits: completion_due_max_months and appointment_horizon_months must be positive (got 0, 6)"},
		{"appointments close before they open", func(f *catalogueFile) { f.Limits.AppointmentClosesHour = 7 },
			"limits: appointments open at 8 h and close at 7 h"},
		{"appointments past midnight", func(f *catalogueFile) { f.Limits.AppointmentClosesHour = 25 },
			"limits: appointments open at 8 h and close at 25 h"},
		{"decision checks forgotten", func(f *catalogueFile) { f.Decisions.FavourableRequires = nil },
			"decisions: favourable_requires missing"},
		{"unknown decision check", func(f *catalogueFile) { f.Decisions.FavourableRequires = []Check{"documents_accepted", "fingerprints"} },
			`decisions: favourable_requires: unknown check "fingerprints"`},
		{"decision check twice", func(f *catalogueFile) {
			f.Decisions.FavourableRequires = []Check{"identity_confirmed", "identity_confirmed"}
		},
			`decisions: favourable_requires: "identity_confirmed" listed twice`},
		{"silence not positive", func(f *catalogueFile) { f.ImplicitRejectionMonths = 0 }, "implicit_rejection_months: must be positive"},
		{"appeal delay missing", func(f *catalogueFile) { f.Appeals.CourtDaysWithOQTF = 0 }, "appeals: administrative_months, court_months and court_days_with_oqtf must be positive"},
		{"attestation kind without its rule", func(f *catalogueFile) { delete(f.Attestations, permit.AttestationFavourable) },
			`attestation "favourable_decision": missing from the catalogue`},
		{"rule of an unknown attestation kind", func(f *catalogueFile) { f.Attestations["laissez_passer"] = f.Attestations[PaperReceipt] },
			`attestation "laissez_passer": not a kind sejour issues`},
		{"proof of stay without validity", func(f *catalogueFile) {
			r := f.Attestations[permit.AttestationExtension]
			r.MaxMonths = 0
			f.Attestations[permit.AttestationExtension] = r
		},
			`attestation "extension": proves stay, so max_months must say how long each one lasts`},
		{"attestation min above max", func(f *catalogueFile) {
			r := f.Attestations[PaperReceipt]
			r.MinMonths = 7
			f.Attestations[PaperReceipt] = r
		},
			`attestation "paper_receipt": min_months 7 is above max_months 6`},
		{"no rights", func(f *catalogueFile) {
			g := ground(f, "visitor")
			g.Rights.Stay, g.Rights.Work.Kind = false, ""
		}, `ground "visitor": grants no rights`},
		{"no stay and work none", func(f *catalogueFile) { ground(f, "visitor").Rights.Stay = false }, `ground "visitor": grants no rights`},
		{"work kind missing", func(f *catalogueFile) { ground(f, "family").Rights.Work.Kind = "" }, `ground "family": rights.work.kind: missing`},
		{"unknown work kind", func(f *catalogueFile) { ground(f, "employee").Rights.Work.Kind = "sometimes" },
			`ground "employee": rights.work.kind: unknown work kind "sometimes"`},
		{"hours with full work", func(f *catalogueFile) { ground(f, "family").Rights.Work.HoursPerYear = 100 },
			`ground "family": rights.work.hours_per_year: set to 100`},
		{"hours missing with limited hours", func(f *catalogueFile) { ground(f, "student").Rights.Work.HoursPerYear = 0 },
			`ground "student": rights.work.hours_per_year: missing`},
		{"unused document", func(f *catalogueFile) {
			f.Documents = append(f.Documents, &Document{ID: "tax_notice", Name: Text{"fr": "Avis d'impôt", "en": "Tax notice"}, Explanation: Text{"fr": "x", "en": "x"}, MaxFiles: 1})
		}, `document "tax_notice": used by no ground`},
		{"ground refers to unknown document", func(f *catalogueFile) {
			g := ground(f, "student")
			g.Documents[permit.KindFirstIssue] = append(g.Documents[permit.KindFirstIssue], "bank_letter")
		}, `ground "student": documents "first_issue": unknown document "bank_letter"`},
		{"common refers to unknown document", func(f *catalogueFile) {
			f.CommonDocuments[permit.KindRenewal] = append(f.CommonDocuments[permit.KindRenewal], "old_card")
		}, `common_documents "renewal": unknown document "old_card"`},
		{"document listed twice", func(f *catalogueFile) {
			g := ground(f, "refugee")
			g.Documents[permit.KindFirstIssue] = append(g.Documents[permit.KindFirstIssue], "protection_decision")
		}, `ground "refugee": documents "first_issue": document "protection_decision" listed twice`},
		{"duplicate ground", func(f *catalogueFile) {
			g := *ground(f, "employee")
			f.Grounds = append(f.Grounds, &g)
		}, `duplicate ground id "employee"`},
		{"duplicate document", func(f *catalogueFile) {
			d := *f.Documents[0]
			f.Documents = append(f.Documents, &d)
		}, `duplicate document id "passport"`},
		{"duplicate tariff", func(f *catalogueFile) {
			tr := *f.Fees.Tariffs[0]
			f.Fees.Tariffs = append(f.Fees.Tariffs, &tr)
		}, `duplicate tariff id "standard"`},
		{"duplicate note", func(f *catalogueFile) { f.Notes = append(f.Notes, f.Notes[0]) },
			`duplicate note id "work_authorisation_conditions"`},
		{"missing French document name", func(f *catalogueFile) { document(f, "photo").Name["fr"] = "" },
			`document "photo": name: missing French text`},
		{"missing French attestation notice", func(f *catalogueFile) { f.Attestations[permit.AttestationExtension].Notice["fr"] = "" },
			`attestation "extension": notice: missing French text`},
		{"unknown note", func(f *catalogueFile) { ground(f, "employee").FirstIssueAttestationWorkNote = "if_lucky" },
			`ground "employee": first_issue_attestation_work_note: unknown note "if_lucky"`},
		{"unknown kind allowed", func(f *catalogueFile) {
			g := ground(f, "refugee")
			g.Kinds = append(g.Kinds, "duplicate")
		}, `ground "refugee": kinds: unknown kind "duplicate"`},
		{"kind allowed twice", func(f *catalogueFile) {
			g := ground(f, "refugee")
			g.Kinds = append(g.Kinds, permit.KindRenewal)
		}, `ground "refugee": kinds: "renewal" listed twice`},
		{"unknown kind in documents", func(f *catalogueFile) { ground(f, "student").Documents["transfer"] = []string{"passport"} },
			`ground "student": documents: unknown kind "transfer"`},
		{"unknown kind in common documents", func(f *catalogueFile) { f.CommonDocuments["transfer"] = []string{"passport"} },
			`common_documents "transfer": unknown kind "transfer"`},
		{"documents for a kind not allowed", func(f *catalogueFile) {
			ground(f, "refugee").Documents[permit.KindChangeOfStatus] = []string{"protection_decision"}
		}, `ground "refugee": documents: kind "change_of_status" is not allowed`},
		{"negative tariff", func(f *catalogueFile) { f.Fees.Tariffs[0].AmountCents = -1 }, `tariff "standard": negative fee (-1 cents)`},
		{"negative surcharge", func(f *catalogueFile) { f.Fees.LateFilingSurchargeCents = -18000 },
			"fees: negative late_filing_surcharge_cents (-18000)"},
		{"unknown tariff", func(f *catalogueFile) { ground(f, "employee").Fees[permit.KindRenewal] = "premium" },
			`ground "employee": fees "renewal": unknown tariff "premium"`},
		{"missing fee", func(f *catalogueFile) { delete(ground(f, "visitor").Fees, permit.KindRenewal) },
			`ground "visitor": fees: no tariff for kind "renewal"`},
		{"card without years", func(f *catalogueFile) { ground(f, "visitor").Card.MaxYears = 0 },
			`ground "visitor": card max_years must be positive`},
		{"document without files or code", func(f *catalogueFile) { document(f, "payslips").MaxFiles = 0 },
			`document "payslips": max_files must be at least 1 for a document that takes no code`},
		{"document with too many files", func(f *catalogueFile) { document(f, "payslips").MaxFiles = 40 },
			`document "payslips": max_files 40 is outside 0 to 10`},
		{"negative validity", func(f *catalogueFile) { document(f, "payslips").ValidMonths = -3 },
			`document "payslips": negative valid_months (-3)`},
		{"unknown code", func(f *catalogueFile) { document(f, "photo").Code.Kind = "selfie" },
			`document "photo": code: unknown kind "selfie"`},
		{"code too short", func(f *catalogueFile) { document(f, "photo").Code.Length = 3 },
			`document "photo": code: length 3 is outside 8 to 64`},
		{"two documents with a code", func(f *catalogueFile) { document(f, "passport").Code = &DocumentCode{Kind: CodeEPhoto, Length: 22} },
			"documents: 2 take a code, at most one may"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := embeddedFile(t)
			tt.mutate(f)
			verr := parseFile(t, f)
			if len(verr.Problems) != 1 || !strings.Contains(verr.Problems[0], tt.want) {
				t.Errorf("problems = %q\nwant exactly one containing %q", verr.Problems, tt.want)
			}
		})
	}
}

// TestParseNoKind checks a ground that allows no kind of application; the
// documents only it used are then reported as unused too.
func TestParseNoKind(t *testing.T) {
	f := embeddedFile(t)
	g := ground(f, "visitor")
	g.Kinds, g.Fees, g.Documents = nil, nil, nil
	want := []string{
		`ground "visitor": kinds: none allowed`,
		`document "health_insurance": used by no ground`,
		`document "no_work_undertaking": used by no ground`,
	}
	if got := parseFile(t, f).Problems; !slices.Equal(got, want) {
		t.Errorf("problems = %q\nwant %q", got, want)
	}
}

// TestParseCollectsAll checks that every problem is reported at once, in
// one message, with a code the web layer understands.
func TestParseCollectsAll(t *testing.T) {
	f := embeddedFile(t)
	f.Version = ""
	ground(f, "student").Rights.Work.Kind = "part_time"
	document(f, "payslips").Explanation["fr"] = ""
	verr := parseFile(t, f)
	msg := verr.Error()
	for _, want := range []string{
		"(3 problems)", "version: empty", `ground "student": rights.work.kind: unknown work kind "part_time"`,
		`document "payslips": explanation: missing French text`,
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("message lacks %q:\n%s", want, msg)
		}
	}
	if code := permit.ErrorCode(verr); code != permit.EINVALID {
		t.Errorf("code = %q, want %q", code, permit.EINVALID)
	}
}

// embeddedFile decodes a fresh, mutable copy of the embedded catalogue.
func embeddedFile(t *testing.T) *catalogueFile {
	t.Helper()
	var f catalogueFile
	if err := json.Unmarshal(embedded, &f); err != nil {
		t.Fatal(err)
	}
	return &f
}

// parseFile encodes f, parses it, and returns the validation error it
// must cause.
func parseFile(t *testing.T, f *catalogueFile) *ValidationError {
	t.Helper()
	data, err := json.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	c, err := Parse(data)
	var verr *ValidationError
	if !errors.As(err, &verr) || c != nil {
		t.Fatalf("Parse = %v, %v; want nil and a *ValidationError", c, err)
	}
	return verr
}

func ground(f *catalogueFile, id permit.GroundID) *Ground {
	for _, g := range f.Grounds {
		if g.ID == id {
			return g
		}
	}
	panic("test data: no ground " + string(id))
}

func document(f *catalogueFile, id string) *Document {
	for _, d := range f.Documents {
		if d.ID == id {
			return d
		}
	}
	panic("test data: no document " + id)
}

// TestCheckLangs: the catalogue speaks every language the portal offers,
// and a language added to the portal is required of the catalogue too.
func TestCheckLangs(t *testing.T) {
	langs := i18n.MustLoad().Langs()
	if err := MustLoad().CheckLangs(langs); err != nil {
		t.Fatalf("embedded catalogue: %v", err)
	}
	err := MustLoad().CheckLangs(append(langs, "de"))
	if err == nil || !strings.Contains(err.Error(), `ground "student": name: missing text in "de"`) {
		t.Errorf("a third language without texts: %v", err)
	}
	f := embeddedFile(t)
	delete(ground(f, "family").Description, "en")
	ground(f, "resident").Card.Text["en"] = " "
	f.Notes[0].Text["eng"] = "typo"
	data, err := json.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	c, err := Parse(data)
	if err != nil {
		t.Fatal(err) // French is all Parse requires
	}
	err = c.CheckLangs(langs)
	var verr *ValidationError
	if !errors.As(err, &verr) || len(verr.Problems) != 3 {
		t.Fatalf("CheckLangs = %v, want 3 problems", err)
	}
	for _, want := range []string{
		`ground "family": description: missing text in "en"`,
		`ground "resident": card text: missing text in "en"`,
		`note "work_authorisation_conditions": text in "eng", a language not offered`,
	} {
		if !slices.Contains(verr.Problems, want) {
			t.Errorf("problems %q lack %q", verr.Problems, want)
		}
	}
}

// TestTextFallsBackToFrench: a text without the reader's language shows
// the French one, the legal reference, never nothing.
func TestTextFallsBackToFrench(t *testing.T) {
	txt := Text{"fr": "Étudiant", "en": "Student", "de": ""}
	for lang, want := range map[string]string{"fr": "Étudiant", "en": "Student", "de": "Étudiant", "it": "Étudiant", "": "Étudiant"} {
		if got := txt.In(lang); got != want {
			t.Errorf("In(%q) = %q, want %q", lang, got, want)
		}
	}
}

// TestShareCodeValidityIsChecked: a share code that never works, or works
// for years, is refused at load.
func TestShareCodeValidityIsChecked(t *testing.T) {
	for _, days := range []string{"0", "-5", "400"} {
		data := strings.Replace(minimal, `"share_codes": {"validity_days": 90}`, `"share_codes": {"validity_days": `+days+`}`, 1)
		if _, err := Parse([]byte(data)); err == nil || !strings.Contains(err.Error(), "share_codes") {
			t.Errorf("validity of %s days: %v", days, err)
		}
	}
	if MustLoad().ShareCodes.ValidityDays != 90 {
		t.Errorf("the catalogue's share codes last %d days, want 90", MustLoad().ShareCodes.ValidityDays)
	}
}
