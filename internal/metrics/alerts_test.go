package metrics

import (
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"go.yaml.in/yaml/v3"

	"github.com/sejour/sejour/internal/clock"
	"github.com/sejour/sejour/internal/health"
)

// TestAlertRulesNameExportedMetrics reads docs/alerts.yml (CI also checks
// it with promtool) and fails when a rule names a sejour metric the
// process does not export: a metric renamed here must be renamed there.
func TestAlertRulesNameExportedMetrics(t *testing.T) {
	raw, err := os.ReadFile("../../docs/alerts.yml")
	if err != nil {
		t.Fatal(err)
	}
	var file struct {
		Groups []struct {
			Name  string
			Rules []struct {
				Alert string
				Expr  string
				For   string
			}
		}
	}
	if err := yaml.Unmarshal(raw, &file); err != nil {
		t.Fatalf("docs/alerts.yml: %v", err)
	}
	exported := exportedNames(t)
	name := regexp.MustCompile(`\b(sejour_[a-z0-9_]+)\b`)
	rules := 0
	for _, g := range file.Groups {
		for _, r := range g.Rules {
			rules++
			if r.Alert == "" || r.Expr == "" {
				t.Errorf("group %s: a rule without alert or expr: %+v", g.Name, r)
				continue
			}
			if r.For != "" {
				if _, err := time.ParseDuration(r.For); err != nil {
					t.Errorf("%s: for %q: %v", r.Alert, r.For, err)
				}
			}
			names := name.FindAllString(r.Expr, -1)
			if len(names) == 0 {
				t.Errorf("%s: %q names no sejour metric", r.Alert, r.Expr)
			}
			for _, n := range names {
				if !exported[n] {
					t.Errorf("%s: %q names %s, which sejour does not export", r.Alert, r.Expr, n)
				}
			}
		}
	}
	// The alerts the issue asks for.
	for _, want := range []string{"sejour_attestation_lag_seconds", "sejour_attestations_owed_unissued",
		"sejour_mail_oldest_unsent_age_seconds", "sejour_ready", "sejour_job_queue_oldest_age_seconds"} {
		if !strings.Contains(string(raw), want) {
			t.Errorf("no rule on %s", want)
		}
	}
	if rules < 5 {
		t.Errorf("%d rules read: not the rules file", rules)
	}
	ops, err := os.ReadFile("../../docs/operations.md")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(ops), "```yaml\n"+string(raw)+"```") {
		t.Error("docs/operations.md does not quote docs/alerts.yml as it is: copy the file into its \"Metrics and alerts\" section")
	}
}

// exportedNames is every series name a process exports once it has
// observed a request and a sweep, with a histogram's _bucket, _sum and
// _count and a counter's _total as written.
func exportedNames(t *testing.T) map[string]bool {
	m := New(Options{Source: source{readings: full}, Clock: clock.NewFixed(time.Now()),
		Health: statuses{{Check: health.Database, OK: true}}})
	m.ObserveRequest("GET /{$}", 200, time.Millisecond)
	m.ObserveSweep("attestations", time.Second, 1, nil)
	m.failed.WithLabelValues("attestations").Add(0)
	names := map[string]bool{}
	for n, mf := range scrapeOf(t, m) {
		names[n] = true
		if mf.GetType() == dto.MetricType_HISTOGRAM {
			names[n+"_bucket"], names[n+"_sum"], names[n+"_count"] = true, true, true
		}
	}
	return names
}
