package casework

import (
	"math"
	"sort"
	"time"

	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/rules"
)

// snapshot lays the tallies out as the published cells: the country,
// the country on each ground, each prefecture, each prefecture on each
// ground, every one of them whether or not it has cases (an absent cell
// would say it has none), with the suppression rule applied.
func (a *statTally) snapshot(prefs []*permit.Prefecture, grounds []*rules.Ground) *permit.Statistics {
	out := &permit.Statistics{Day: a.today.Format(time.DateOnly), ComputedAt: a.computed.UTC(),
		From: a.from.Format(time.DateOnly), Until: a.today.AddDate(0, 0, -1).Format(time.DateOnly),
		Threshold: permit.StatThreshold}
	sort.Slice(prefs, func(i, j int) bool { return prefs[i].Code < prefs[j].Code })
	var keys []statKey
	levels := map[statKey]permit.StatLevel{}
	names := map[string]string{}
	add := func(k statKey, l permit.StatLevel) { keys, levels[k] = append(keys, k), l }
	add(statKey{}, permit.StatNational)
	for _, g := range grounds {
		add(statKey{"", g.ID}, permit.StatNationalGround)
	}
	for _, p := range prefs {
		names[p.Code] = p.Name
		add(statKey{p.Code, ""}, permit.StatPrefecture)
		for _, g := range grounds {
			add(statKey{p.Code, g.ID}, permit.StatPrefectureGround)
		}
	}
	cells := map[statKey]*permit.StatCell{}
	counts := map[statKey]*[5]int{}
	out.Cells = make([]permit.StatCell, len(keys))
	for i, k := range keys {
		t := a.cells[k]
		if t == nil {
			t = &tally{}
		}
		c := &out.Cells[i]
		*c = permit.StatCell{Level: levels[k], Prefecture: k.pref, PrefectureName: names[k.pref], Ground: k.ground}
		publish(c, t)
		cells[k] = c
		counts[k] = &[5]int{t.filed, t.backlog[0], t.backlog[1], t.backlog[2], t.backlog[3]}
	}
	complementary(cells, counts, prefs, grounds)
	return out
}

// publish fills a cell's figures from its tally: each figure resting on
// fewer than permit.StatThreshold cases is suppressed, and all of them
// when the cell itself rests on fewer.
func publish(c *permit.StatCell, t *tally) {
	c.Suppressed = t.cases < permit.StatThreshold
	fig := func(base int, v float64) permit.StatFigure {
		if c.Suppressed || base < permit.StatThreshold {
			return permit.StatFigure{Suppressed: true}
		}
		return permit.StatFigure{Value: &v}
	}
	c.Filed = fig(t.filed, float64(t.filed))
	sort.Ints(t.days)
	if len(t.days) > 0 {
		c.MedianDays = fig(len(t.days), float64(nearestRank(t.days, 50)))
		c.P90Days = fig(len(t.days), float64(nearestRank(t.days, 90)))
	} else {
		c.MedianDays, c.P90Days = fig(0, 0), fig(0, 0)
	}
	c.DecidedInTime = fig(t.due, share(t.kept, t.due))
	c.RenewalsNoGap = fig(t.owed, share(t.met, t.owed))
	for i, n := range t.backlog {
		c.Backlog[i] = fig(n, float64(n))
	}
}

// share is part of whole, rounded to four decimals (0 when whole is 0).
func share(part, whole int) float64 {
	if whole == 0 {
		return 0
	}
	return math.Round(float64(part)/float64(whole)*1e4) / 1e4
}

// figure returns the count figure i of a cell: 0 filed, 1–4 the backlog.
func figure(c *permit.StatCell, i int) *permit.StatFigure {
	if i == 0 {
		return &c.Filed
	}
	return &c.Backlog[i-1]
}

// complementary makes sure no suppressed count can be worked out by
// subtraction. The counts add up: a prefecture's over its grounds, the
// country's over its prefectures and over its grounds, a ground's
// national count over the prefectures. In each such sum whose total is
// published, a single suppressed part would be the total minus the
// others: the smallest published part is suppressed with it (unless the
// hidden part is zero, which tells nothing of anyone). Suppressing
// may make another sum hold a single one, so this runs until no sum
// does.
func complementary(cells map[statKey]*permit.StatCell, counts map[statKey]*[5]int, prefs []*permit.Prefecture, grounds []*rules.Ground) {
	type sum struct {
		total statKey
		parts []statKey
	}
	var sums []sum
	national := sum{total: statKey{}}
	byGround := sum{total: statKey{}}
	for _, p := range prefs {
		s := sum{total: statKey{p.Code, ""}}
		for _, g := range grounds {
			s.parts = append(s.parts, statKey{p.Code, g.ID})
		}
		sums = append(sums, s)
		national.parts = append(national.parts, statKey{p.Code, ""})
	}
	for _, g := range grounds {
		s := sum{total: statKey{"", g.ID}}
		for _, p := range prefs {
			s.parts = append(s.parts, statKey{p.Code, g.ID})
		}
		sums = append(sums, s)
		byGround.parts = append(byGround.parts, statKey{"", g.ID})
	}
	sums = append(sums, national, byGround)
	for i := range 5 {
		for changed := true; changed; {
			changed = false
			for _, s := range sums {
				if figure(cells[s.total], i).Suppressed {
					continue
				}
				hidden, hiddenCount, smallest := 0, 0, statKey{}
				found := false
				for _, k := range s.parts {
					if figure(cells[k], i).Suppressed {
						hidden, hiddenCount = hidden+1, counts[k][i]
					} else if !found || counts[k][i] < counts[smallest][i] {
						smallest, found = k, true
					}
				}
				if hidden == 1 && hiddenCount > 0 && found {
					*figure(cells[smallest], i) = permit.StatFigure{Suppressed: true}
					changed = true
				}
			}
		}
	}
}
