package web_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/sejour/sejour/internal/clock"
	"github.com/sejour/sejour/internal/demo"
	"github.com/sejour/sejour/internal/paths"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/store"
	"github.com/sejour/sejour/internal/store/storetest"
	"github.com/sejour/sejour/internal/web/public"
)

// demoStatistics writes the demonstration's history on the site's
// database and computes the day's statistics, as `sejour demo` does.
func demoStatistics(t *testing.T, s *site) {
	t.Helper()
	st := demo.Store{Accounts: s.db.Accounts(), Files: s.db.Files()}
	prefs, err := demo.Prefectures(t.Context(), st)
	if err != nil {
		t.Fatal(err)
	}
	agent := &permit.Account{Email: "agent@demo.sejour.localhost", Role: permit.RoleAgent, Lang: "fr", Prefectures: []int64{prefs[0].ID}}
	if err := s.db.Accounts().CreateAccount(t.Context(), agent, "!", nil, nil); err != nil {
		t.Fatal(err)
	}
	if err := demo.WriteHistory(t.Context(), store.Population{DB: s.db}, s.uc.Attestations.Sealer, s.uc.Rules, prefs, agent.ID, s.clk.Now(),
		demo.History(prefs)); err != nil {
		t.Fatal(err)
	}
	if wrote, err := s.uc.Statistics.Refresh(t.Context()); err != nil || !wrote {
		t.Fatalf("refresh: %v %v", wrote, err)
	}
}

// statisticsSchema compiles docs/statistics.schema.json, at def when
// given (a $defs entry: "csv_row", "csv_header").
func statisticsSchema(t *testing.T, def string) *jsonschema.Schema {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "docs", "statistics.schema.json"))
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource("statistics.schema.json", doc); err != nil {
		t.Fatal(err)
	}
	loc := "statistics.schema.json"
	if def != "" {
		loc += "#/$defs/" + def
	}
	sch, err := c.Compile(loc)
	if err != nil {
		t.Fatal(err)
	}
	return sch
}

// personal are what the demonstration's history holds of its persons,
// which no statistic may show: their names, numbers and documents.
var personal = []string{"Historique", "Personne", "990000", "HIST-", "1995-01-01", "Dakar"}

// TestStatisticsPageShowsTheDemoFigures: the page shows the figures of
// the demonstration's history, in French and English, for the country
// and for Paris by ground, with the snapshot's date, the method and the
// suppression rule, charts beside their tables, and nothing personal.
func TestStatisticsPageShowsTheDemoFigures(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, clk *clock.Fixed) {
		s := newSite(t, db, clk)
		res, b := s.get(paths.Statistics.String())
		if res.StatusCode != http.StatusOK || !strings.Contains(b, "pas encore été calculés") {
			t.Fatalf("before any computation: %d\n%s", res.StatusCode, b)
		}
		demoStatistics(t, s)
		// Paris, students (demo.History): 29 filed; decided 60 to 112
		// days after filing, every 4 days: median 84, 90th percentile
		// 108; 14 decided before the implicit rejection out of 17 due
		// (3 still examined past it): 82.4 %; 11 of the 13 renewals owed
		// a proof had one every day: 84.6 %; 12 filed this month wait.
		s.get(paths.Statistics.String()) // a fresh snapshot read
		res, b = s.get(paths.Statistics.String() + "?prefecture=75")
		if res.StatusCode != http.StatusOK {
			t.Fatalf("%d", res.StatusCode)
		}
		row := rowOf(t, b, "tableau-delais", "Étudiant")
		for _, want := range []string{"<td>29</td>", "<td>84 jours</td>", "<td>108 jours</td>", "<td>82,4 %</td>", "<td>84,6 %</td>"} {
			if !strings.Contains(row, want) {
				t.Errorf("Paris's students: no %q in %s", want, row)
			}
		}
		if row := rowOf(t, b, "tableau-attente", "Étudiant"); !strings.Contains(row, "<td>12</td>") || !strings.Contains(row, "non publié") {
			t.Errorf("Paris's students' backlog: %s", row)
		}
		for _, want := range []string{"Chiffres calculés le 26 novembre 2026", "Méthode", "moins de 10 demandes", "Licence Ouverte 2.0",
			`role="img"`, `aria-labelledby="graphique-delai-title graphique-delai-desc"`, `<caption id="tableau-delais">`,
			`tabindex="0" role="region" aria-labelledby="tableau-delais"`, `<option value="75" selected>`, `href="/statistiques.csv"`} {
			if !strings.Contains(b, want) {
				t.Errorf("the page lacks %q", want)
			}
		}
		if strings.Contains(b, "<script") {
			t.Error("the page has a script")
		}
		// The country: Seine-Saint-Denis has too few applications.
		_, b = s.get(paths.Statistics.String())
		if row := rowOf(t, b, "tableau-delais", "Préfecture de la Seine-Saint-Denis"); strings.Count(row, "non publié") != 5 {
			t.Errorf("Seine-Saint-Denis is published: %s", row)
		}
		if row := rowOf(t, b, "tableau-delais", "France entière"); !strings.Contains(row, "<td>61</td>") {
			t.Errorf("France: %s", row)
		}
		s.lang = "en"
		_, b = s.get(paths.Statistics.String() + "?prefecture=75")
		if row := rowOf(t, b, "tableau-delais", "Student"); !strings.Contains(row, "<td>84 days</td>") || !strings.Contains(row, "<td>82.4 %</td>") {
			t.Errorf("in English: %s", row)
		}
		// An unknown prefecture is said beside the filter.
		_, b = s.get(paths.Statistics.String() + "?prefecture=XX")
		if !strings.Contains(b, `id="prefecture-error"`) || !strings.Contains(b, "There is no such prefecture") {
			t.Errorf("an unknown prefecture: %s", b)
		}
		for _, p := range []string{paths.Statistics.String(), paths.Statistics.String() + "?prefecture=75", paths.StatisticsCSV.String(), paths.StatisticsJSON.String()} {
			_, b := s.get(p)
			for _, w := range personal {
				if strings.Contains(b, w) {
					t.Errorf("%s shows %q", p, w)
				}
			}
		}
	})
}

// rowOf returns the row of the table captioned id whose header is head.
func rowOf(t *testing.T, page, id, head string) string {
	t.Helper()
	i := strings.Index(page, `<caption id="`+id+`">`)
	if i < 0 {
		t.Fatalf("no table %s", id)
	}
	table := page[i:]
	table = table[:strings.Index(table, "</table>")]
	j := strings.Index(table, `<th scope="row">`+head+`</th>`)
	if j < 0 {
		t.Fatalf("no row %q in %s", head, table)
	}
	row := table[j:]
	return row[:strings.Index(row, "</tr>")]
}

// TestStatisticsOpenDataFollowTheSchema: the JSON validates against
// docs/statistics.schema.json, and the CSV's header and every row against
// its csv_header and csv_row; both carry a public cache and the day's
// ETag, which a second request sends back to get 304; the schema is
// served as written.
func TestStatisticsOpenDataFollowTheSchema(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, clk *clock.Fixed) {
		s := newSite(t, db, clk)
		demoStatistics(t, s)
		res, b := s.get(paths.StatisticsJSON.String())
		if res.StatusCode != http.StatusOK || res.Header.Get("Cache-Control") != "public, max-age=3600" ||
			res.Header.Get("ETag") != `"statistiques-2026-11-26-json"` {
			t.Fatalf("%d %v", res.StatusCode, res.Header)
		}
		inst, err := jsonschema.UnmarshalJSON(strings.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		if err := statisticsSchema(t, "").Validate(inst); err != nil {
			t.Errorf("the JSON does not follow the schema: %v", err)
		}
		var doc struct {
			Cells []struct {
				Level, Prefecture, Ground string
				Suppressed                bool
				Filed                     struct {
					Value      *float64
					Suppressed bool
				}
			}
		}
		if err := json.Unmarshal([]byte(b), &doc); err != nil {
			t.Fatal(err)
		}
		published, hidden := 0, 0
		for _, c := range doc.Cells {
			if c.Filed.Suppressed {
				hidden++
			} else {
				published++
			}
		}
		if published < 2 || hidden == 0 {
			t.Errorf("%d counts published, %d suppressed: the demonstration should have both", published, hidden)
		}
		req := httptest.NewRequest("GET", paths.StatisticsJSON.String(), nil)
		req.Header.Set("If-None-Match", res.Header.Get("ETag"))
		if res := s.do(req); res.StatusCode != http.StatusNotModified {
			t.Errorf("If-None-Match: %d", res.StatusCode)
		}

		res, b = s.get(paths.StatisticsCSV.String())
		if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "text/csv; charset=utf-8" ||
			res.Header.Get("ETag") != `"statistiques-2026-11-26-csv"` || res.Header.Get("Cache-Control") != "public, max-age=3600" {
			t.Fatalf("%d %v", res.StatusCode, res.Header)
		}
		lines, err := csv.NewReader(strings.NewReader(b)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		header := make([]any, len(lines[0]))
		for i, h := range lines[0] {
			header[i] = h
		}
		if err := statisticsSchema(t, "csv_header").Validate(header); err != nil {
			t.Errorf("the CSV's header: %v", err)
		}
		if strings.Join(lines[0], ",") != strings.Join(public.CSVColumns, ",") {
			t.Errorf("header %v", lines[0])
		}
		if len(lines)-1 != len(doc.Cells) {
			t.Errorf("%d CSV rows for %d cells", len(lines)-1, len(doc.Cells))
		}
		row := statisticsSchema(t, "csv_row")
		for i, l := range lines[1:] {
			obj := map[string]any{}
			for j, v := range l {
				obj[lines[0][j]] = v
			}
			if err := row.Validate(obj); err != nil {
				t.Errorf("CSV row %d %v: %v", i+1, l, err)
			}
		}
		res, b = s.get(paths.StatisticsSchema.String())
		want, _ := os.ReadFile(filepath.Join("..", "..", "docs", "statistics.schema.json"))
		if res.StatusCode != http.StatusOK || b != string(want) {
			t.Errorf("the schema served: %d", res.StatusCode)
		}
	})
}
