package metrics

import (
	"context"
	"database/sql"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/sejour/sejour/internal/clock"
	"github.com/sejour/sejour/internal/health"
	"github.com/sejour/sejour/internal/store"
)

// source is a Source whose Read returns readings, or blocks until its
// context ends when hang is set.
type source struct {
	readings *store.Readings
	hang     bool
}

func (s source) Read(ctx context.Context, _ store.ReadAt) (*store.Readings, error) {
	if s.hang {
		<-ctx.Done()
		return nil, ctx.Err()
	}
	return s.readings, nil
}

func (source) Pools() map[string]*sql.DB { return nil }

// statuses is a health monitor's last results.
type statuses []health.Status

func (s statuses) Statuses() []health.Status { return s }

// full is readings with every figure present.
var full = &store.Readings{AttestationLag: 48 * time.Hour, IssuedInWindow: 3, OwedUnissued: 2,
	OldestUnsentMail: time.Minute, UnsentMails: 1,
	Jobs:      []store.JobGauge{{Kind: "deliver_mail", State: "available", Count: 1, OldestAge: time.Minute}},
	Incidents: map[string]int{"web": 1, "job": 0}}

// scrapeOf serves one scrape of m and parses it as Prometheus does.
func scrapeOf(t *testing.T, m *Metrics) map[string]*dto.MetricFamily {
	t.Helper()
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("scrape: status %d\n%s", rec.Code, rec.Body)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	mfs, err := p.TextToMetricFamilies(rec.Body)
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	return mfs
}

func gaugeOf(t *testing.T, mfs map[string]*dto.MetricFamily, name string) float64 {
	t.Helper()
	mf, ok := mfs[name]
	if !ok || len(mf.GetMetric()) != 1 {
		t.Fatalf("%s: not one series in the scrape", name)
	}
	return mf.GetMetric()[0].GetGauge().GetValue()
}

// TestAScrapeOfAFrozenDatabaseAnswers: the database's reads are bounded
// by their own timeout, not by the scraper: the scrape answers in about
// that time, says the figures are missing, and still serves the rest.
func TestAScrapeOfAFrozenDatabaseAnswers(t *testing.T) {
	m := New(Options{Source: source{hang: true}, Clock: clock.NewFixed(time.Now()), ReadTimeout: 200 * time.Millisecond,
		Health: statuses{{Check: health.Database, OK: false}, {Check: health.Mail, OK: true}}})
	m.ObserveRequest("GET /{$}", 200, time.Millisecond)
	elapsed := clock.Stopwatch()
	mfs := scrapeOf(t, m)
	if d := elapsed(); d < 200*time.Millisecond || d > 5*time.Second {
		t.Errorf("scrape of a frozen database took %v, want about the 200ms read timeout", d)
	}
	if v := gaugeOf(t, mfs, "sejour_scrape_database_ok"); v != 0 {
		t.Errorf("sejour_scrape_database_ok = %v, want 0", v)
	}
	if _, ok := mfs["sejour_attestation_lag_seconds"]; ok {
		t.Error("a figure the read did not get is exported")
	}
	if v := gaugeOf(t, mfs, "sejour_ready"); v != 0 {
		t.Errorf("sejour_ready = %v with the database down, want 0", v)
	}
	if _, ok := mfs[RequestDuration]; !ok {
		t.Errorf("%s missing when the database is down", RequestDuration)
	}
}

// TestTheFiguresAsRead: each reading is exported under its name, in
// seconds, and a mail relay down does not make the instance unready.
func TestTheFiguresAsRead(t *testing.T) {
	m := New(Options{Source: source{readings: full}, Clock: clock.NewFixed(time.Now()),
		Health: statuses{{Check: health.Database, OK: true}, {Check: health.Mail, OK: false}}})
	mfs := scrapeOf(t, m)
	for name, want := range map[string]float64{
		"sejour_attestation_lag_seconds": 2 * 86400, "sejour_attestations_owed_unissued": 2,
		"sejour_mail_oldest_unsent_age_seconds": 60, "sejour_mail_unsent": 1, "sejour_ready": 1,
		"sejour_job_queue_oldest_age_seconds": 60, "sejour_job_queue_depth": 1, "sejour_scrape_database_ok": 1,
	} {
		if got := gaugeOf(t, mfs, name); got != want {
			t.Errorf("%s = %v, want %v", name, got, want)
		}
	}
	if n := len(mfs["sejour_incidents_today"].GetMetric()); n != 2 {
		t.Errorf("sejour_incidents_today: %d series, want web and job", n)
	}
}

// TestSweepsAreObserved: a sweep's run counts what it issued, and its
// failure; separate registries keep separate counts.
func TestSweepsAreObserved(t *testing.T) {
	a, b := New(Options{}), New(Options{})
	a.ObserveSweep("attestations", time.Second, 5, nil)
	a.ObserveSweep("attestations", time.Second, 0, errors.New("database down"))
	mfs := scrapeOf(t, a)
	if v := mfs[SweepIssued].GetMetric()[0].GetCounter().GetValue(); v != 5 {
		t.Errorf("issued = %v, want 5", v)
	}
	if v := mfs[SweepFailures].GetMetric()[0].GetCounter().GetValue(); v != 1 {
		t.Errorf("failures = %v, want 1", v)
	}
	if n := mfs[SweepDuration].GetMetric()[0].GetHistogram().GetSampleCount(); n != 2 {
		t.Errorf("sweep durations observed: %d, want 2", n)
	}
	if _, ok := scrapeOf(t, b)[SweepIssued]; ok {
		t.Error("another process's registry shows this one's sweeps")
	}
	if !strings.HasPrefix(RequestDuration, "sejour_") {
		t.Errorf("%s: not in sejour's namespace", RequestDuration)
	}
}

// BenchmarkObserveRequest is the histogram's share of the middleware's
// cost: one observation into an existing series.
func BenchmarkObserveRequest(b *testing.B) {
	m := New(Options{})
	for b.Loop() {
		m.ObserveRequest("GET /demandes/{id}", 200, 3*time.Millisecond)
	}
}
