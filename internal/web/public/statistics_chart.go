package public

import (
	"time"

	"github.com/sejour/sejour/internal/permit"
)

// The charts of /statistiques are inline SVG drawn on the server, no
// script: each is an image (role="img") named by its title and described
// as a copy of the table beside it, which is the accessible source of its
// figures. Their geometry is computed here, not in the template.

// chartWidth is the width of a chart's drawing, in its own units: a
// phone's width, so that its text is read at its size at 360 px.
const (
	chartWidth    = 320.0
	chartBarSpace = 250.0 // the longest bar
	chartRow      = 40    // one bar and its label
)

// statChart is one bar chart.
type statChart struct {
	ID      string // its element's id; Title and Desc get ID-title, ID-desc
	Title   string
	Desc    string
	Height  int
	Bars    []statBar
	TableID string // the table it draws
}

// statBar is one bar: its label above it, and its value after it (or the
// words that say it is not published, and no bar).
type statBar struct {
	Label      string
	LabelY     int
	BarY       int
	Width      float64
	Text       string
	TextX      float64
	TextY      int
	Suppressed bool
}

// chart draws values (nil: not published) as horizontal bars scaled to
// the largest.
func chart(id, title, desc, table string, labels []string, values []*float64, texts []string) *statChart {
	c := &statChart{ID: id, Title: title, Desc: desc, TableID: table, Height: len(labels)*chartRow + 4}
	largest := 0.0
	for _, v := range values {
		if v != nil && *v > largest {
			largest = *v
		}
	}
	for i, l := range labels {
		b := statBar{Label: l, LabelY: i*chartRow + 14, BarY: i*chartRow + 20, TextY: i*chartRow + 32, Text: texts[i]}
		if values[i] == nil {
			b.Suppressed = true
		} else if largest > 0 {
			b.Width = *values[i] / largest * chartBarSpace
		}
		b.TextX = b.Width + 6
		c.Bars = append(c.Bars, b)
	}
	return c
}

// charts are the page's three charts: the median delay and the share
// decided in time of each row (first table), and the backlog by age
// (second table).
func (v *statisticsView) charts() []*statChart {
	var labels, backlogLabels, medianTexts, inTimeTexts, backlogTexts []string
	var medians, inTime, backlog []*float64
	buckets := []string{v.T("statistics.backlog.under_1"), v.T("statistics.backlog.1_3"), v.T("statistics.backlog.3_6"), v.T("statistics.backlog.over_6")}
	for _, r := range v.Rows {
		labels = append(labels, r.Label)
		medians, medianTexts = append(medians, r.Cell.MedianDays.Value), append(medianTexts, v.Days(r.Cell.MedianDays))
		inTime, inTimeTexts = append(inTime, r.Cell.DecidedInTime.Value), append(inTimeTexts, v.Percent(r.Cell.DecidedInTime))
		for i, f := range r.Cell.Backlog {
			backlogLabels = append(backlogLabels, v.T("statistics.chart.bucket", r.Label, buckets[i]))
			backlog, backlogTexts = append(backlog, f.Value), append(backlogTexts, v.Count(f))
		}
	}
	desc := func(table string) string { return v.T("statistics.chart.desc", table) }
	return []*statChart{
		chart("graphique-delai", v.T("statistics.chart.median", v.Scope), desc(v.T("statistics.table.delays", v.Scope)), "tableau-delais",
			labels, medians, medianTexts),
		chart("graphique-dans-les-temps", v.T("statistics.chart.in_time", v.Scope), desc(v.T("statistics.table.delays", v.Scope)), "tableau-delais",
			labels, inTime, inTimeTexts),
		chart("graphique-attente", v.T("statistics.chart.backlog", v.Scope), desc(v.T("statistics.table.backlog", v.Scope)), "tableau-attente",
			backlogLabels, backlog, backlogTexts),
	}
}

// Days writes a number of days, or says it is not published.
func (v *statisticsView) Days(f permit.StatFigure) string {
	if f.Value == nil {
		return v.T("statistics.suppressed")
	}
	return v.N("statistics.days", int(*f.Value))
}

// dayOf reads a YYYY-MM-DD day (the zero time if it is not one).
func dayOf(s string) time.Time {
	t, _ := time.ParseInLocation(time.DateOnly, s, permit.Paris)
	return t.Add(12 * time.Hour)
}
