package public

import (
	"bytes"
	"encoding/csv"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/sejour/sejour/docs"
	"github.com/sejour/sejour/internal/paths"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/web"
)

// The public statistics (issue 16, part 4): the page, and the same
// figures as open data (CSV, JSON, and the JSON Schema they follow,
// docs/statistics.schema.json). Every answer is read from the day's
// snapshot (casework.Statistics), never computed on a request.

// openDataAge is how long caches may keep the open data: the snapshot
// changes once a day, and its ETag says which day it is.
const openDataAge = "public, max-age=3600"

// Licence is the open-data licence of the figures.
const (
	Licence    = "Licence Ouverte 2.0"
	LicenceURL = "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"
)

// statRow is one line of the page's tables: what it covers, and its cell.
type statRow struct {
	Label string
	Cell  *permit.StatCell
}

// prefOption is one choice of the prefecture filter.
type prefOption struct {
	Code, Name string
	Selected   bool
}

// statisticsView is the page /statistiques.
type statisticsView struct {
	*web.Page
	S        *permit.Statistics // nil before the first computation
	Options  []prefOption
	Selected string // the prefecture shown, "" for the country
	Scope    string // what the tables cover, in words
	Rows     []statRow
	Charts   []*statChart
	// RejectionMonths is the catalogue's silence before an implicit
	// rejection, which the method states.
	RejectionMonths int
}

// Day writes a YYYY-MM-DD day in words.
func (v *statisticsView) Day(s string) string { return v.Date(dayOf(s)) }

// Count writes a count or a number of days, or says it is not published.
func (v *statisticsView) Count(f permit.StatFigure) string {
	if f.Value == nil {
		return v.T("statistics.suppressed")
	}
	return v.Number(int(math.Round(*f.Value))) // grouped as the page's language groups digits
}

// Percent writes a share as a percentage with one decimal, in the
// page's language, or says it is not published.
func (v *statisticsView) Percent(f permit.StatFigure) string {
	if f.Value == nil {
		return v.T("statistics.suppressed")
	}
	// Shares are kept to four decimals: a tenth of a percent is rounded
	// half up from them (the 1e-6 takes a binary 823.4999… for 823.5).
	pct := math.Floor(*f.Value*1000+0.5+1e-6) / 10
	return v.T("statistics.percent", strings.Replace(strconv.FormatFloat(pct, 'f', 1, 64), ".", v.T("number.decimal_separator"), 1))
}

// statisticsPage is GET /statistiques: the country by prefecture, or one
// prefecture by ground (?prefecture=<code>).
func (s *Pages) statisticsPage(w http.ResponseWriter, r *http.Request) error {
	v := &statisticsView{Page: s.Page(r, "statistics.title"), RejectionMonths: s.Rules.Delays().ImplicitRejectionMonths}
	st, err := s.Statistics.Latest(r.Context())
	if err != nil && permit.ErrorCode(err) != permit.ENOTFOUND {
		return err
	}
	if st != nil {
		v.S = st
		v.fill(r.URL.Query().Get("prefecture"))
	}
	s.Render(w, r, http.StatusOK, "statistics", v)
	return nil
}

// fill chooses the rows: the country and each prefecture, or the chosen
// prefecture and each of its grounds; an unknown prefecture is an error
// beside the filter, and the country is shown.
func (v *statisticsView) fill(chosen string) {
	known := false
	for i := range v.S.Cells {
		c := &v.S.Cells[i]
		if c.Level == permit.StatPrefecture {
			v.Options = append(v.Options, prefOption{Code: c.Prefecture, Name: c.PrefectureName, Selected: c.Prefecture == chosen})
			known = known || c.Prefecture == chosen
		}
	}
	if chosen != "" && !known {
		v.Errors = map[string]string{"prefecture": "statistics.unknown_prefecture"}
		v.Values = map[string]string{"prefecture": chosen}
		chosen = ""
	}
	v.Selected = chosen
	for i := range v.S.Cells {
		c := &v.S.Cells[i]
		switch {
		case chosen == "" && c.Level == permit.StatNational:
			v.Scope = v.T("statistics.national")
			v.Rows = append(v.Rows, statRow{Label: v.T("statistics.national"), Cell: c})
		case chosen == "" && c.Level == permit.StatPrefecture:
			v.Rows = append(v.Rows, statRow{Label: c.PrefectureName, Cell: c})
		case c.Prefecture == chosen && chosen != "" && c.Level == permit.StatPrefecture:
			v.Scope = c.PrefectureName
			v.Rows = append(v.Rows, statRow{Label: v.T("statistics.all_grounds"), Cell: c})
		case c.Prefecture == chosen && chosen != "" && c.Level == permit.StatPrefectureGround:
			v.Rows = append(v.Rows, statRow{Label: v.Ground(c.Ground), Cell: c})
		}
	}
	v.Charts = v.charts()
}

// statisticsETag names a snapshot and a format: a new day, a new tag.
func statisticsETag(st *permit.Statistics, format string) string {
	return `"statistiques-` + st.Day + `-` + format + `"`
}

// openData sets the open data's cache headers and answers 304 when the
// client has this day's already; it returns false then.
func openData(w http.ResponseWriter, r *http.Request, tag string) bool {
	w.Header().Set("Cache-Control", openDataAge)
	w.Header().Set("ETag", tag)
	w.Header().Set("Access-Control-Allow-Origin", "*")
	for _, t := range strings.Split(r.Header.Get("If-None-Match"), ",") {
		if strings.TrimSpace(t) == tag || strings.TrimSpace(t) == "W/"+tag {
			w.WriteHeader(http.StatusNotModified)
			return false
		}
	}
	return true
}

// figureJSON is a figure of the open data (docs/statistics.md).
type figureJSON struct {
	Value      *float64 `json:"value"`
	Suppressed bool     `json:"suppressed"`
}

type backlogJSON struct {
	Under1 figureJSON `json:"under_1_month"`
	From1  figureJSON `json:"1_to_3_months"`
	From3  figureJSON `json:"3_to_6_months"`
	Over6  figureJSON `json:"over_6_months"`
}

type cellJSON struct {
	Level          permit.StatLevel `json:"level"`
	Prefecture     string           `json:"prefecture"`
	PrefectureName string           `json:"prefecture_name"`
	Ground         permit.GroundID  `json:"ground"`
	Suppressed     bool             `json:"suppressed"`
	Filed          figureJSON       `json:"filed"`
	Median         figureJSON       `json:"median_days_to_decision"`
	P90            figureJSON       `json:"p90_days_to_decision"`
	InTime         figureJSON       `json:"share_decided_before_implicit_rejection"`
	NoGap          figureJSON       `json:"share_renewals_without_gap"`
	Backlog        backlogJSON      `json:"backlog"`
}

// statisticsJSON is /statistiques.json (docs/statistics.schema.json).
type statisticsJSON struct {
	Schema     string     `json:"schema"`
	Licence    string     `json:"licence"`
	LicenceURL string     `json:"licence_url"`
	Day        string     `json:"day"`
	ComputedAt time.Time  `json:"computed_at"`
	From       string     `json:"from"`
	Until      string     `json:"until"`
	Threshold  int        `json:"threshold"`
	Buckets    []string   `json:"backlog_buckets"`
	Cells      []cellJSON `json:"cells"`
}

// backlogBuckets name the backlog's age buckets, in the JSON and CSV.
var backlogBuckets = []string{"under_1_month", "1_to_3_months", "3_to_6_months", "over_6_months"}

func fig(f permit.StatFigure) figureJSON { return figureJSON(f) }

func (s *Pages) statisticsJSON(w http.ResponseWriter, r *http.Request) error {
	st, err := s.Statistics.Latest(r.Context())
	if err != nil {
		return err
	}
	if !openData(w, r, statisticsETag(st, "json")) {
		return nil
	}
	out := statisticsJSON{Schema: strings.TrimSuffix(s.BaseURL, "/") + paths.StatisticsSchema.String(), Licence: Licence, LicenceURL: LicenceURL,
		Day: st.Day, ComputedAt: st.ComputedAt.UTC(), From: st.From, Until: st.Until, Threshold: st.Threshold, Buckets: backlogBuckets,
		Cells: make([]cellJSON, 0, len(st.Cells))}
	for _, c := range st.Cells {
		out.Cells = append(out.Cells, cellJSON{Level: c.Level, Prefecture: c.Prefecture, PrefectureName: c.PrefectureName, Ground: c.Ground,
			Suppressed: c.Suppressed, Filed: fig(c.Filed), Median: fig(c.MedianDays), P90: fig(c.P90Days), InTime: fig(c.DecidedInTime),
			NoGap: fig(c.RenewalsNoGap), Backlog: backlogJSON{fig(c.Backlog[0]), fig(c.Backlog[1]), fig(c.Backlog[2]), fig(c.Backlog[3])}})
	}
	return web.WriteJSON(w, http.StatusOK, out)
}

// CSVColumns are the columns of /statistiques.csv, in order
// (docs/statistics.md; the schema's csv_header).
var CSVColumns = []string{"day", "level", "prefecture", "prefecture_name", "ground", "cell_suppressed", "filed", "median_days_to_decision",
	"p90_days_to_decision", "share_decided_before_implicit_rejection", "share_renewals_without_gap", "backlog_under_1_month",
	"backlog_1_to_3_months", "backlog_3_to_6_months", "backlog_over_6_months"}

// csvFigure writes a figure for the CSV: empty when suppressed.
func csvFigure(f permit.StatFigure, decimals int) string {
	if f.Value == nil {
		return ""
	}
	return strconv.FormatFloat(*f.Value, 'f', decimals, 64)
}

// statisticsCSV is /statistiques.csv: UTF-8, commas, a header line, a
// dot as decimal separator (RFC 4180, as open-data portals expect).
func (s *Pages) statisticsCSV(w http.ResponseWriter, r *http.Request) error {
	st, err := s.Statistics.Latest(r.Context())
	if err != nil {
		return err
	}
	if !openData(w, r, statisticsETag(st, "csv")) {
		return nil
	}
	var b bytes.Buffer
	cw := csv.NewWriter(&b)
	cw.Write(CSVColumns)
	for _, c := range st.Cells {
		cw.Write([]string{st.Day, string(c.Level), c.Prefecture, c.PrefectureName, string(c.Ground), strconv.FormatBool(c.Suppressed),
			csvFigure(c.Filed, 0), csvFigure(c.MedianDays, 0), csvFigure(c.P90Days, 0), csvFigure(c.DecidedInTime, 4),
			csvFigure(c.RenewalsNoGap, 4), csvFigure(c.Backlog[0], 0), csvFigure(c.Backlog[1], 0), csvFigure(c.Backlog[2], 0),
			csvFigure(c.Backlog[3], 0)})
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="statistiques-`+st.Day+`.csv"`)
	_, err = w.Write(b.Bytes())
	return err
}

// statisticsSchema is /statistiques/schema.json: docs/statistics.schema.json.
func (s *Pages) statisticsSchema(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "application/schema+json")
	w.Header().Set("Cache-Control", openDataAge)
	w.Header().Set("Access-Control-Allow-Origin", "*")
	_, err := w.Write(docs.StatisticsSchema)
	return err
}
