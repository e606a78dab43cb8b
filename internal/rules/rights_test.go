package rules

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/sejour/sejour/internal/i18n"
	"github.com/sejour/sejour/internal/permit"
)

// TestRightsForEveryCase covers every ground × kind of application ×
// previous permit (none, or one on each ground) × kind of attestation of
// the catalogue, and checks each result against the law's rules.
func TestRightsForEveryCase(t *testing.T) {
	cat := MustLoad()
	tr := i18n.MustLoad()
	until := time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC)
	previous := []*permit.Permit{nil}
	for _, g := range cat.Grounds() {
		previous = append(previous, &permit.Permit{Ground: g.ID})
	}
	n := 0
	for _, g := range cat.Grounds() {
		for _, ak := range g.Kinds {
			for _, prev := range previous {
				for _, kind := range AttestationKinds {
					name := fmt.Sprintf("%s/%s/%s/%s", kind, g.ID, ak, prevName(prev))
					r, err := cat.Rights(kind, g.ID, ak, prev, until)
					if kind == permit.AttestationExtension && ak != permit.KindFirstIssue && prev == nil {
						if err == nil {
							t.Errorf("%s: an extension of a %s needs the previous permit", name, ak)
						}
						continue
					}
					if err != nil {
						t.Errorf("%s: %v", name, err)
						continue
					}
					n++
					checkRights(t, name, cat, kind, g, ak, prev, r, until)
					for _, lang := range tr.Langs() {
						for _, line := range r.Words(func(k string, a ...any) string { return tr.T(lang, k, a...) }, func(d time.Time) string { return tr.Date(lang, d) }) {
							if strings.HasPrefix(line, "[") {
								t.Errorf("%s: missing %s wording %s", name, lang, line)
							}
						}
					}
				}
			}
		}
	}
	if n < 300 {
		t.Fatalf("only %d cases checked", n)
	}
}

func checkRights(t *testing.T, name string, cat *Catalogue, kind permit.AttestationKind, g *Ground, ak permit.Kind, prev *permit.Permit, r Granted, until time.Time) {
	t.Helper()
	switch kind {
	case permit.AttestationFilingReceipt:
		if r.Stay || r.Work.Kind != WorkNone || r.TravelReentry || r.SocialRightsContinue {
			t.Errorf("%s: a filing receipt grants nothing by itself, got %+v", name, r)
		}
		return
	}
	if !r.Stay || !r.StayUntil.Equal(until) || !r.SocialRightsContinue {
		t.Errorf("%s: stay until %v and social rights expected, got %+v", name, until, r)
	}
	if r.TravelReentry != (prev != nil) {
		t.Errorf("%s: travel with the expired permit only when there is one: got %v", name, r.TravelReentry)
	}
	var want Work
	switch {
	case kind == permit.AttestationFavourable:
		want = g.Rights.Work
	case ak == permit.KindFirstIssue && g.FirstIssueAttestationWork:
		want = g.Rights.Work
	case ak == permit.KindFirstIssue:
		want = Work{Kind: WorkNone}
	default:
		pg, _ := cat.Ground(prev.Ground)
		want = pg.Rights.Work // carried over from the previous permit
	}
	if r.Work != want {
		t.Errorf("%s: work %+v, want %+v", name, r.Work, want)
	}
}

func prevName(p *permit.Permit) string {
	if p == nil {
		return "none"
	}
	return string(p.Ground)
}

func TestRightsInWords(t *testing.T) {
	cat := MustLoad()
	tr := i18n.MustLoad()
	r, err := cat.Rights(permit.AttestationExtension, "student", permit.KindRenewal, &permit.Permit{Ground: "student"}, time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(r.Words(func(k string, a ...any) string { return tr.T("fr", k, a...) }, func(d time.Time) string { return i18n.Date("fr", d) }), "\n")
	for _, want := range []string{"1er mars 2027", "964 heures par an", "avec votre titre de séjour, même expiré"} {
		if !strings.Contains(got, want) {
			t.Errorf("rights in French lack %q:\n%s", want, got)
		}
	}
}

// TestStayUntilTheBestTheHolderHas: a favourable decision taken while the
// permit still runs states the stay until the permit's last day, not the
// attestation's earlier one (issue 11 §9); an extension, which starts
// after the permit, states its own.
func TestStayUntilTheBestTheHolderHas(t *testing.T) {
	cat := MustLoad()
	held := &permit.Permit{Ground: "student", ValidTo: time.Date(2027, 3, 15, 0, 0, 0, 0, time.UTC)}
	attEnd := time.Date(2027, 3, 5, 0, 0, 0, 0, time.UTC)
	r, err := cat.Rights(permit.AttestationFavourable, "student", permit.KindRenewal, held, attEnd)
	if err != nil {
		t.Fatal(err)
	}
	if !r.StayUntil.Equal(held.ValidTo) {
		t.Errorf("favourable decision before the permit's end: stay until %v, want the permit's %v", r.StayUntil, held.ValidTo)
	}
	later := time.Date(2027, 6, 15, 0, 0, 0, 0, time.UTC)
	r, err = cat.Rights(permit.AttestationExtension, "student", permit.KindRenewal, held, later)
	if err != nil {
		t.Fatal(err)
	}
	if !r.StayUntil.Equal(later) {
		t.Errorf("extension: stay until %v, want its own last day %v", r.StayUntil, later)
	}
}

// TestMultiYearCardGrace: an expired card longer than one year stays
// valid expired_card_grace_months after its last day while an in-time
// renewal is pending (L.433-3), and an extension attestation shorter than
// that says so; a one-year card has no grace, nor does a change of status.
func TestMultiYearCardGrace(t *testing.T) {
	cat := MustLoad()
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
	end := day(2027, 3, 15)
	multi := &permit.Permit{Ground: "student", ValidFrom: day(2023, 9, 1), ValidTo: end}
	oneYear := &permit.Permit{Ground: "student", ValidFrom: day(2026, 3, 16), ValidTo: end}
	exactlyOne := &permit.Permit{Ground: "student", ValidFrom: day(2026, 3, 15), ValidTo: end}
	undated := &permit.Permit{Ground: "student", ValidTo: end}
	graceEnd := day(2027, 3+time.Month(cat.ExpiredCardGraceMonths), 15)
	if got, ok := cat.CardGrace(multi); !ok || !got.Equal(graceEnd) {
		t.Errorf("CardGrace(multi-year) = %v, %v; want %v", got, ok, graceEnd)
	}
	for name, p := range map[string]*permit.Permit{"one year": oneYear, "one year and a day": exactlyOne, "no first day": undated, "none": nil} {
		if got, ok := cat.CardGrace(p); ok {
			t.Errorf("CardGrace(%s) = %v, want no grace", name, got)
		}
	}

	short := day(2027, 4, 15) // an attestation ending before the grace
	tests := []struct {
		name    string
		kind    permit.AttestationKind
		appKind permit.Kind
		held    *permit.Permit
		want    time.Time
	}{
		{"multi-year renewal", permit.AttestationExtension, permit.KindRenewal, multi, graceEnd},
		{"one-year renewal", permit.AttestationExtension, permit.KindRenewal, oneYear, short},
		{"multi-year change of status", permit.AttestationExtension, permit.KindChangeOfStatus, multi, short},
		{"favourable decision", permit.AttestationFavourable, permit.KindRenewal, multi, short},
	}
	for _, tt := range tests {
		r, err := cat.Rights(tt.kind, "student", tt.appKind, tt.held, short)
		if err != nil {
			t.Fatal(err)
		}
		if !r.StayUntil.Equal(tt.want) {
			t.Errorf("%s: stay until %v, want %v", tt.name, r.StayUntil, tt.want)
		}
	}
	// A catalogue without grace gives none.
	none := *cat
	none.ExpiredCardGraceMonths = 0
	if _, ok := none.CardGrace(multi); ok {
		t.Error("a catalogue without grace gave one")
	}
}

// TestPermitRightsAreTheGrounds: a valid card grants what a favourable
// decision on its ground grants, until its last day.
func TestPermitRightsAreTheGrounds(t *testing.T) {
	cat := MustLoad()
	end := time.Date(2027, 3, 31, 0, 0, 0, 0, time.UTC)
	for _, g := range cat.Grounds() {
		p := &permit.Permit{Ground: g.ID, ValidFrom: end.AddDate(-1, 0, 0), ValidTo: end}
		got, err := cat.PermitRights(p)
		if err != nil {
			t.Fatal(err)
		}
		fav, err := cat.Rights(permit.AttestationFavourable, g.ID, permit.KindFirstIssue, nil, end)
		if err != nil {
			t.Fatal(err)
		}
		if got.Work != fav.Work || got.Stay != fav.Stay || (got.Stay && !got.StayUntil.Equal(end)) {
			t.Errorf("%s: card grants %+v, a favourable decision %+v", g.ID, got, fav)
		}
	}
	if _, err := cat.PermitRights(&permit.Permit{Ground: "nope"}); err == nil {
		t.Error("a permit on an unknown ground has rights")
	}
}
