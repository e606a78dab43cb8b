package rules

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sejour/sejour/internal/permit"
)

func TestLoadEmbedded(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatalf("embedded catalogue: %v", err)
	}
	if c.Version != "2026-11-01" {
		t.Errorf("Version = %q, want 2026-11-01", c.Version)
	}
	if want := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC); !c.EffectiveFrom.Equal(want) {
		t.Errorf("EffectiveFrom = %v, want %v", c.EffectiveFrom, want)
	}
	if c.RenewalWindow != (RenewalWindow{OpensDaysBefore: 120, ClosesDaysBefore: 60}) {
		t.Errorf("RenewalWindow = %+v, want 120/60", c.RenewalWindow)
	}
	if c.ImplicitRejectionMonths != 4 {
		t.Errorf("ImplicitRejectionMonths = %d, want 4", c.ImplicitRejectionMonths)
	}
	if c.ExpiredCardGraceMonths != 3 {
		t.Errorf("ExpiredCardGraceMonths = %d, want 3", c.ExpiredCardGraceMonths)
	}
	if c.Limits != (Limits{CompletionDueMaxMonths: 3, AppointmentHorizonMonths: 6, AppointmentOpensHour: 8, AppointmentClosesHour: 19}) {
		t.Errorf("Limits = %+v, want 3 and 6 months, 8 h to 19 h", c.Limits)
	}
	// A favourable decision needs the documents accepted and the identity
	// confirmed (issue 13, item 15).
	for _, check := range Checks {
		if !c.Decisions.Requires(check) {
			t.Errorf("a favourable decision does not require %q", check)
		}
	}
	a := c.Attestations
	if a[permit.AttestationExtension].MaxMonths != 3 || !a[permit.AttestationExtension].ProvesStay {
		t.Errorf("extension attestation = %+v, want max 3 months, proves stay", a[permit.AttestationExtension])
	}
	if a[permit.AttestationFavourable].MaxMonths != 3 || !a[permit.AttestationFavourable].ProvesStay {
		t.Errorf("favourable-decision attestation = %+v, want max 3 months, proves stay", a[permit.AttestationFavourable])
	}
	if a[permit.AttestationFilingReceipt].ProvesStay {
		t.Error("filing receipt must not prove legal stay")
	}
	if a[PaperReceipt].MinMonths != 1 || a[PaperReceipt].MaxMonths != 6 {
		t.Errorf("paper receipt = %d..%d months, want 1..6", a[PaperReceipt].MinMonths, a[PaperReceipt].MaxMonths)
	}
	for id, want := range map[string]int64{"standard": 22500, "reduced": 7500, "stamp_duty_only": 2500} {
		if tr, ok := c.Tariff(id); !ok || tr.AmountCents != want {
			t.Errorf("tariff %q = %+v, want %d cents", id, tr, want)
		}
	}
	if c.Fees.LateFilingSurchargeCents != 18000 {
		t.Errorf("late surcharge = %d, want 18000", c.Fees.LateFilingSurchargeCents)
	}
}

func TestMustLoad(t *testing.T) {
	if c := MustLoad(); c == nil || len(c.Grounds()) == 0 {
		t.Fatal("MustLoad returned an empty catalogue")
	}
}

func TestGroundsOrder(t *testing.T) {
	c := MustLoad()
	var got []permit.GroundID
	for _, g := range c.Grounds() {
		got = append(got, g.ID)
	}
	want := []permit.GroundID{
		"student", "employee", "temporary_worker", "job_seeker", "talent_passport", "family",
		"visitor", "seasonal_worker", "refugee", "subsidiary_protection", "resident",
	}
	if !slices.Equal(got, want) {
		t.Fatalf("Grounds() = %v\nwant %v", got, want)
	}
	gs := c.Grounds()
	gs[0] = nil
	if c.Grounds()[0] == nil {
		t.Error("Grounds() must return a copy")
	}
}

func TestGroundRights(t *testing.T) {
	c := MustLoad()
	all := []permit.Kind{permit.KindFirstIssue, permit.KindRenewal, permit.KindChangeOfStatus}
	firstAndRenewal := []permit.Kind{permit.KindFirstIssue, permit.KindRenewal}
	tests := []struct {
		id         permit.GroundID
		work       WorkKind
		hours      int
		attestWork bool
		note       string
		kinds      []permit.Kind
		maxYears   int
	}{
		{"student", WorkLimitedHours, 964, false, "", all, 4},
		{"employee", WorkAuthorisedJob, 0, true, "work_authorisation_conditions", all, 4},
		{"temporary_worker", WorkAuthorisedJob, 0, false, "", all, 4},
		{"job_seeker", WorkFull, 0, false, "", []permit.Kind{permit.KindFirstIssue, permit.KindChangeOfStatus}, 1},
		{"talent_passport", WorkQualifyingActivity, 0, false, "", all, 4},
		{"family", WorkFull, 0, true, "", all, 4},
		{"visitor", WorkNone, 0, false, "", all, 1},
		{"seasonal_worker", WorkAuthorisedJob, 0, false, "", firstAndRenewal, 3},
		{"refugee", WorkFull, 0, true, "", firstAndRenewal, 10},
		{"subsidiary_protection", WorkFull, 0, true, "", firstAndRenewal, 4},
		{"resident", WorkFull, 0, true, "", all, 10},
	}
	for _, tt := range tests {
		t.Run(string(tt.id), func(t *testing.T) {
			g, ok := c.Ground(tt.id)
			if !ok {
				t.Fatalf("ground %q missing", tt.id)
			}
			r := g.Rights
			if !r.Stay || !r.TravelReentry || !r.SocialRightsContinue {
				t.Errorf("rights = %+v, want stay, travel and social rights", r)
			}
			if r.Work.Kind != tt.work || r.Work.HoursPerYear != tt.hours {
				t.Errorf("work = %+v, want %s/%d", r.Work, tt.work, tt.hours)
			}
			if g.FirstIssueAttestationWork != tt.attestWork || g.FirstIssueAttestationWorkNote != tt.note {
				t.Errorf("first-issue attestation work = %v (%q), want %v (%q)",
					g.FirstIssueAttestationWork, g.FirstIssueAttestationWorkNote, tt.attestWork, tt.note)
			}
			if !slices.Equal(g.Kinds, tt.kinds) {
				t.Errorf("kinds = %v, want %v", g.Kinds, tt.kinds)
			}
			if g.Card.MaxYears != tt.maxYears {
				t.Errorf("card max years = %d, want %d", g.Card.MaxYears, tt.maxYears)
			}
		})
	}
	if _, ok := c.Ground("tourist"); ok {
		t.Error(`Ground("tourist") found`)
	}
}

func TestNote(t *testing.T) {
	c := MustLoad()
	n, ok := c.Note("work_authorisation_conditions")
	if !ok || !strings.Contains(n.In("fr"), "autorisation de travail") || !strings.Contains(n.In("en"), "work authorisation") {
		t.Errorf("note = %+v, %v", n, ok)
	}
}

func TestTextIn(t *testing.T) {
	g, _ := MustLoad().Ground("student")
	for lang, want := range map[string]string{"fr": "Étudiant", "en": "Student", "": "Étudiant", "de": "Étudiant"} {
		if got := g.Name.In(lang); got != want {
			t.Errorf("In(%q) = %q, want %q", lang, got, want)
		}
	}
}

func TestRequiredDocumentsEveryGround(t *testing.T) {
	c := MustLoad()
	common := []string{"passport", "photo", "proof_of_address"}
	for _, g := range c.Grounds() {
		for _, kind := range g.Kinds {
			t.Run(string(g.ID)+"/"+string(kind), func(t *testing.T) {
				docs, err := c.RequiredDocuments(g.ID, kind)
				if err != nil {
					t.Fatal(err)
				}
				ids := docIDs(docs)
				for _, id := range common {
					if !slices.Contains(ids, id) {
						t.Errorf("documents %v lack %q", ids, id)
					}
				}
				if got, want := slices.Contains(ids, "current_permit"), kind != permit.KindFirstIssue; got != want {
					t.Errorf("current_permit required = %v, want %v", got, want)
				}
				if len(slices.Compact(slices.Sorted(slices.Values(ids)))) != len(ids) {
					t.Errorf("duplicate documents in %v", ids)
				}
			})
		}
	}
}

func TestRequiredDocumentsSpecific(t *testing.T) {
	c := MustLoad()
	tests := []struct {
		id   permit.GroundID
		kind permit.Kind
		want []string
	}{
		{"student", permit.KindFirstIssue, []string{"enrolment_certificate", "student_resources"}},
		{"student", permit.KindRenewal, []string{"enrolment_certificate", "student_resources", "transcripts"}},
		{"employee", permit.KindFirstIssue, []string{"work_authorisation", "employment_contract"}},
		{"employee", permit.KindRenewal, []string{"employment_contract", "payslips"}},
		{"employee", permit.KindChangeOfStatus, []string{"work_authorisation", "employment_contract"}},
		{"family", permit.KindFirstIssue, []string{"civil_status", "family_link"}},
		{"visitor", permit.KindRenewal, []string{"proof_of_resources", "health_insurance", "no_work_undertaking"}},
		{"refugee", permit.KindFirstIssue, []string{"protection_decision"}},
		{"subsidiary_protection", permit.KindFirstIssue, []string{"protection_decision"}},
	}
	for _, tt := range tests {
		docs, err := c.RequiredDocuments(tt.id, tt.kind)
		if err != nil {
			t.Errorf("%s/%s: %v", tt.id, tt.kind, err)
			continue
		}
		ids := docIDs(docs)
		for _, id := range tt.want {
			if !slices.Contains(ids, id) {
				t.Errorf("%s/%s: documents %v lack %q", tt.id, tt.kind, ids, id)
			}
		}
	}
	docs, _ := c.RequiredDocuments("student", permit.KindFirstIssue)
	want := []string{"passport", "photo", "proof_of_address", "enrolment_certificate", "student_resources"}
	if got := docIDs(docs); !slices.Equal(got, want) {
		t.Errorf("student first issue = %v, want %v (common first, in order)", got, want)
	}
	res, _ := c.Document("student_resources")
	if !strings.Contains(res.Explanation["fr"], "615") || !strings.Contains(res.Explanation["en"], "615") {
		t.Error("student resources must state the 615 € threshold in both languages")
	}
}

func TestRequiredDocumentsErrors(t *testing.T) {
	c := MustLoad()
	tests := []struct {
		id   permit.GroundID
		kind permit.Kind
		code string
	}{
		{"tourist", permit.KindFirstIssue, permit.ENOTFOUND},
		{"refugee", permit.KindChangeOfStatus, permit.EINVALID},
		{"job_seeker", permit.KindRenewal, permit.EINVALID},
		{"student", "duplicate", permit.EINVALID},
	}
	for _, tt := range tests {
		docs, err := c.RequiredDocuments(tt.id, tt.kind)
		if got := permit.ErrorCode(err); got != tt.code || docs != nil {
			t.Errorf("RequiredDocuments(%s, %s) = %v, %v; want code %s", tt.id, tt.kind, docs, err, tt.code)
		}
	}
}

func TestFee(t *testing.T) {
	c := MustLoad()
	tests := []struct {
		id   permit.GroundID
		kind permit.Kind
		late bool
		want int64
		code string
	}{
		{"student", permit.KindFirstIssue, false, 7500, ""},
		{"student", permit.KindRenewal, true, 7500 + 18000, ""},
		{"employee", permit.KindRenewal, false, 22500, ""},
		{"employee", permit.KindRenewal, true, 40500, ""},
		{"employee", permit.KindFirstIssue, true, 22500, ""}, // the surcharge is for renewals only
		{"refugee", permit.KindFirstIssue, false, 2500, ""},
		{"refugee", permit.KindRenewal, false, 22500, ""},
		{"refugee", permit.KindChangeOfStatus, false, 0, permit.EINVALID},
		{"tourist", permit.KindFirstIssue, false, 0, permit.ENOTFOUND},
	}
	for _, tt := range tests {
		got, err := c.Fee(tt.id, tt.kind, tt.late)
		if got != tt.want || permit.ErrorCode(err) != tt.code {
			t.Errorf("Fee(%s, %s, late=%v) = %d, %v; want %d, code %q", tt.id, tt.kind, tt.late, got, err, tt.want, tt.code)
		}
	}
}

func docIDs(docs []*Document) []string {
	ids := make([]string, len(docs))
	for i, d := range docs {
		ids[i] = d.ID
	}
	return ids
}
