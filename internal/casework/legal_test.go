package casework

import (
	"encoding/json"
	"os"
	"testing"
	"time"

	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/rules"
)

// catalogueWith loads the shipped catalogue with some values changed, to
// show that the use cases read their legal numbers from it.
func catalogueWith(t *testing.T, change func(m map[string]any)) *rules.Catalogue {
	t.Helper()
	data, err := os.ReadFile("../rules/catalogue.json")
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	change(m)
	if data, err = json.Marshal(m); err != nil {
		t.Fatal(err)
	}
	cat, err := rules.Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	return cat
}

// TestPlanFollowsTheCatalogue changes the delay of silence and the
// validity of extension attestations in the catalogue, and finds the
// planned dates moved accordingly.
func TestPlanFollowsTheCatalogue(t *testing.T) {
	cat := catalogueWith(t, func(m map[string]any) {
		m["implicit_rejection_months"] = 6
		m["attestations"].(map[string]any)["extension"].(map[string]any)["max_months"] = 2
	})
	filed := date(2026, 12, 15)
	w := cat.RenewalWindow.Assess(date(2027, 3, 31), filed)
	c := &Case{App: &permit.Application{ID: 7, Kind: permit.KindRenewal, State: permit.StateUnderReview, SubmittedAt: &filed},
		Permit: &permit.Permit{Ground: "student", ValidTo: date(2027, 3, 31)}, Window: &w,
		Filings: []*permit.Filing{{FiledAt: filed.Add(10 * time.Hour)}}}
	got := Plan(cat, c, nil, nil, 15, date(2027, 3, 20))
	if len(got) != 2 {
		t.Fatalf("planned %d attestations, want a receipt and an extension: %+v", len(got), got)
	}
	if want := date(2027, 6, 15); !got[0].ValidUntil.Equal(want) {
		t.Errorf("receipt until %v, want %v (six months of silence)", got[0].ValidUntil, want)
	}
	if want := date(2027, 5, 31); !got[1].ValidUntil.Equal(want) {
		t.Errorf("extension until %v, want %v (two months each)", got[1].ValidUntil, want)
	}
}

// TestAppealFollowsTheCatalogue changes the appeal delays in the
// catalogue and finds the refusal's deadlines moved.
func TestAppealFollowsTheCatalogue(t *testing.T) {
	decided := time.Date(2027, 3, 10, 9, 0, 0, 0, time.UTC)
	refusal := &permit.Decision{Outcome: permit.OutcomeUnfavourable, DecidedAt: decided, WithOQTF: true}
	shipped := appealOf(rules.MustLoad().Appeals, refusal)
	if !shipped.Gracious.Equal(date(2027, 5, 10)) || !shipped.Court.Equal(date(2027, 4, 9)) || shipped.OQTFDays != 30 {
		t.Errorf("shipped catalogue: %+v, want two months and thirty days", shipped)
	}
	cat := catalogueWith(t, func(m map[string]any) {
		m["appeals"] = map[string]any{"administrative_months": 3, "court_months": 4, "court_days_with_oqtf": 15}
	})
	got := appealOf(cat.Appeals, refusal)
	if !got.Gracious.Equal(date(2027, 6, 10)) || !got.Court.Equal(date(2027, 3, 25)) || got.OQTFDays != 15 {
		t.Errorf("changed catalogue: %+v", got)
	}
	refusal.WithOQTF = false
	if got := appealOf(cat.Appeals, refusal); !got.Court.Equal(date(2027, 7, 10)) {
		t.Errorf("court without OQTF until %v, want 2027-07-10", got.Court)
	}
}
