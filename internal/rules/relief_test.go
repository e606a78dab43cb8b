package rules

import (
	"testing"
	"time"

	"github.com/sejour/sejour/internal/permit"
)

// TestOutageReliefFollowsTheCatalogue: a renewal filed after its window
// counts as in time when an outage that stopped filing covered the
// window's last day and the filing came within the catalogue's
// relief_days after its end; one day more is late again, and outages that
// did not cover the last day, did not stop filing or were cancelled
// relieve nothing.
func TestOutageReliefFollowsTheCatalogue(t *testing.T) {
	cat := MustLoad()
	days := cat.Outages.ReliefDays
	if days <= 0 {
		t.Fatalf("relief_days = %d", days)
	}
	at := func(y int, m time.Month, d, h int) time.Time { return time.Date(y, m, d, h, 0, 0, 0, permit.Paris) }
	expiry := at(2027, time.March, 31, 12)
	closes := expiry.AddDate(0, 0, -cat.RenewalWindow.ClosesDaysBefore) // the window's last day
	start, end := closes.Add(-30*time.Hour), closes.Add(20*time.Hour)
	outage := &permit.Outage{ID: 7, Kind: permit.OutageDetected, Functions: permit.OutageFunctionsOf("database"),
		StartedAt: start, EndedAt: &end, Relieves: true}
	lastDay := permit.ParisDay(end).AddDate(0, 0, days)
	cases := []struct {
		name    string
		filed   time.Time
		outages []*permit.Outage
		want    WindowStatus
	}{
		{"on the last relieved day", lastDay.Add(20 * time.Hour), []*permit.Outage{outage}, WindowOpen},
		{"the day after", lastDay.AddDate(0, 0, 1).Add(10 * time.Hour), []*permit.Outage{outage}, WindowLate},
		{"no outage", closes.AddDate(0, 0, 2), nil, WindowLate},
		{"outage before the last day", closes.AddDate(0, 0, 2), []*permit.Outage{{ID: 1, Functions: []permit.Function{permit.FunctionFiling},
			StartedAt: closes.AddDate(0, 0, -5), EndedAt: ptr(closes.AddDate(0, 0, -3)), Relieves: true}}, WindowLate},
		{"mail only", closes.AddDate(0, 0, 2), []*permit.Outage{{ID: 2, Functions: []permit.Function{permit.FunctionMail},
			StartedAt: start, EndedAt: &end, Relieves: true}}, WindowLate},
		{"cancelled", closes.AddDate(0, 0, 2), []*permit.Outage{{ID: 3, Functions: []permit.Function{permit.FunctionFiling},
			StartedAt: start, EndedAt: &end, Relieves: true, Cancelled: true}}, WindowLate},
		{"does not relieve", closes.AddDate(0, 0, 2), []*permit.Outage{{ID: 4, Functions: []permit.Function{permit.FunctionFiling},
			StartedAt: start, EndedAt: &end}}, WindowLate},
		{"still going on", closes.AddDate(0, 0, 40), []*permit.Outage{{ID: 5, Functions: []permit.Function{permit.FunctionFiling},
			StartedAt: start, Relieves: true}}, WindowOpen},
	}
	for _, c := range cases {
		w := cat.RenewalWindow.Assess(expiry, c.filed)
		if w.Status != WindowLate {
			t.Fatalf("%s: %s before relief, want late", c.name, w.Status)
		}
		got := cat.Outages.Relieve(w, c.filed, c.outages)
		if got.Status != c.want || (got.Relief != nil) != (c.want == WindowOpen) {
			t.Errorf("%s: %s (relief %+v), want %s", c.name, got.Status, got.Relief, c.want)
		}
	}
	w := cat.Outages.Relieve(cat.RenewalWindow.Assess(expiry, lastDay), lastDay, []*permit.Outage{outage})
	if w.Relief == nil || w.Relief.OutageID != 7 || !w.Relief.Until.Equal(lastDay) {
		t.Errorf("relief = %+v, want outage 7 until %s", w.Relief, lastDay)
	}
	// In time stays in time, whatever the outages.
	early := closes.AddDate(0, 0, -1)
	if w := cat.Outages.Relieve(cat.RenewalWindow.Assess(expiry, early), early, []*permit.Outage{outage}); w.Relief != nil {
		t.Errorf("an in-time filing was relieved: %+v", w.Relief)
	}
}

func ptr(t time.Time) *time.Time { return &t }
