package rules

import (
	"time"

	"github.com/sejour/sejour/internal/permit"
)

// OutageRules are what the portal's own outages change
// (docs/decisions/0008-outage-relief.md).
type OutageRules struct {
	// ReliefDays: a renewal filed within this many days after the end of
	// an outage that stopped filing on the last day of its window counts
	// as filed in time.
	ReliefDays int `json:"relief_days"`
	// DetectAfterMinutes is how long a health check must fail before the
	// portal records an outage by itself.
	DetectAfterMinutes int `json:"detect_after_minutes"`
	// HistoryDays is how far back the public status page lists outages.
	HistoryDays int `json:"history_days"`
}

// DetectAfter is DetectAfterMinutes as a duration.
func (r OutageRules) DetectAfter() time.Duration {
	return time.Duration(r.DetectAfterMinutes) * time.Minute
}

func (ch *checker) outages(r OutageRules) {
	if r.ReliefDays <= 0 || r.DetectAfterMinutes <= 0 || r.HistoryDays <= 0 {
		ch.add("outages: relief_days, detect_after_minutes and history_days must be positive (got %d, %d, %d)",
			r.ReliefDays, r.DetectAfterMinutes, r.HistoryDays)
	}
}

// Relief is why a renewal filed after its window still counts as in
// time: the outage that stopped filing on the window's last day, and the
// last day of the relief (nil while the outage goes on).
type Relief struct {
	OutageID int64
	Start    time.Time  // when the outage began
	End      *time.Time // when it ended; nil while it goes on
	Until    *time.Time // the last civil day a filing is relieved; nil while the outage goes on
}

// Relieve applies the relief of outages to a renewal's window: when the
// filing (made on filed, or to be made then) is late, and an outage that
// relieves deadlines and stopped filing was going on during the window's
// last day, a filing before its end or within ReliefDays after the day it
// ended counts as in time. The window keeps its dates; its status becomes
// WindowOpen and Relief says why. Days are civil days in Paris. It is a
// pure function: the outages are the caller's.
func (r OutageRules) Relieve(w Window, filed time.Time, outages []*permit.Outage) Window {
	if w.Status != WindowLate || r.ReliefDays <= 0 {
		return w
	}
	day := permit.ParisDay(filed)
	for _, o := range outages {
		if o.Cancelled || !o.Relieves || !o.Affects(permit.FunctionFiling) {
			continue
		}
		// The outage covered the last day of the window: it began on or
		// before that day and had not ended before it.
		if permit.ParisDay(o.StartedAt).After(w.Closes) || (o.EndedAt != nil && permit.ParisDay(*o.EndedAt).Before(w.Closes)) {
			continue
		}
		rel := &Relief{OutageID: o.ID, Start: o.StartedAt, End: o.EndedAt}
		if o.EndedAt != nil {
			until := permit.ParisDay(*o.EndedAt).AddDate(0, 0, r.ReliefDays)
			if day.After(until) {
				continue
			}
			rel.Until = &until
		}
		w.Status, w.Relief = WindowOpen, rel
		return w
	}
	return w
}
