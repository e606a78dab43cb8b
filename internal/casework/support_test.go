package casework

import (
	"testing"
	"time"

	"github.com/sejour/sejour/internal/permit"
)

// TestCleanPage keeps only paths of this site, without query or fragment.
func TestCleanPage(t *testing.T) {
	for in, want := range map[string]string{
		"/demandes/3":                   "/demandes/3",
		"/profil?x=1#haut":              "/profil",
		"https://evil.example/x":        "",
		"//evil.example/x":              "",
		"/\\evil.example":               "",
		"javascript:alert(1)":           "",
		"relative/path":                 "",
		"":                              "",
		"/" + string(make([]byte, 400)): "",
	} {
		if got := cleanPage(in); got != want {
			t.Errorf("cleanPage(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestSupportFigures computes the median and the 90th percentile of the
// times to first answer and to resolution, and what is still open.
func TestSupportFigures(t *testing.T) {
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	at := func(h int) *time.Time { x := now.Add(time.Duration(h) * time.Hour); return &x }
	var ts []permit.ReportTiming
	// Ten reports answered after 1..10 hours, all resolved 24 hours later.
	for i := 1; i <= 10; i++ {
		ts = append(ts, permit.ReportTiming{CreatedAt: now.Add(-100 * time.Hour), FirstAnswerAt: at(-100 + i),
			ResolvedAt: at(-100 + i + 24), Status: permit.ReportResolved})
	}
	// Two open: one answered, one waiting for 5 hours.
	ts = append(ts, permit.ReportTiming{CreatedAt: now.Add(-10 * time.Hour), FirstAnswerAt: at(-9), Status: permit.ReportAnswered},
		permit.ReportTiming{CreatedAt: now.Add(-5 * time.Hour), Status: permit.ReportNew})
	f := figures(ts, now)
	want := SupportFigures{Reports: 12, Open: 2, Unanswered: 1, Answered: 11, Resolved: 10,
		AnswerMedian: 5 * time.Hour, AnswerP90: 9 * time.Hour, ResolveMedian: 29 * time.Hour, ResolveP90: 33 * time.Hour,
		OldestUnanswered: 5 * time.Hour, AnswerKnown: true, ResolutionKnown: true}
	if f != want {
		t.Errorf("figures =\n%+v\nwant\n%+v", f, want)
	}
	if f := figures(nil, now); f.AnswerKnown || f.ResolutionKnown || f.Reports != 0 {
		t.Errorf("no reports: %+v", f)
	}
}
