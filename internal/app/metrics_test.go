package app

import (
	"context"
	"database/sql"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"

	"github.com/sejour/sejour/internal/app/apptest"
	"github.com/sejour/sejour/internal/clock"
	"github.com/sejour/sejour/internal/notify/smtptest"
	"github.com/sejour/sejour/internal/paths"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/store"
	"github.com/sejour/sejour/internal/store/storetest"
)

// TestMetricsOfTheRunningProgram runs the real program with its metrics
// listener, answers requests, and reads /metrics as Prometheus would:
// the latency is labelled by route pattern, never by a path with its
// token or id; an attestation owed and not issued shows before it is
// issued, and once issued days late the lag says by how many; a job
// waiting in the queue shows with its age. On both databases.
func TestMetricsOfTheRunningProgram(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, clk *clock.Fixed) {
		m := newMainWith(t, db, smtptest.Start(t), map[string]string{"SEJOUR_METRICS_ADDR": "127.0.0.1:0"})
		m.Clock, m.QueueClock = clk, clock.System{} // the cases on the store's moving clock, River on the wall's
		apptest.Serve(t, m)
		ctx := t.Context()
		if m.MetricsAddr() == "" || m.MetricsAddr() == m.Addr() {
			t.Fatalf("metrics address %q, site %q: want a listener of its own", m.MetricsAddr(), m.Addr())
		}

		// Requests with a token and an id in their paths.
		const token = "jeton-secret-0123456789"
		for _, p := range []string{paths.Confirm.Format(token), paths.Application.Format(987654321), "/nulle-part/" + token} {
			res, err := http.Get(m.Config.BaseURL + p)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
		}
		got := scrape(t, m)
		routes := map[string]bool{"none": true, "/": true}
		for _, rt := range m.Web.Routes() {
			routes[rt.Pattern] = true
		}
		seen := map[string]bool{}
		for _, mf := range got {
			for _, metric := range mf.GetMetric() {
				for _, l := range metric.GetLabel() {
					if strings.Contains(l.GetValue(), token) || strings.Contains(l.GetValue(), "987654321") {
						t.Errorf("%s: label %s=%q holds a raw path", mf.GetName(), l.GetName(), l.GetValue())
					}
					if mf.GetName() == "sejour_http_request_duration_seconds" && l.GetName() == "route" {
						if !routes[l.GetValue()] {
							t.Errorf("route label %q is no route pattern", l.GetValue())
						}
						seen[l.GetValue()] = true
					}
				}
			}
		}
		for _, want := range []string{paths.Get(paths.Confirm), paths.Get(paths.Application), "/"} {
			if !seen[want] {
				t.Errorf("no latency for route %q; routes seen: %v", want, seen)
			}
		}
		if v := value(t, got, "sejour_ready"); v != 1 {
			t.Errorf("sejour_ready = %v, want 1", v)
		}
		if v := value(t, got, "sejour_scrape_database_ok"); v != 1 {
			t.Fatalf("sejour_scrape_database_ok = %v", v)
		}

		// An extension attestation owed, then issued four days late.
		end := permit.ParisDay(clk.Now()).AddDate(0, 0, 70)
		acc, appID := draftEnding(t, m, 40, end)
		if _, err := m.UseCases.Applications.File(ctx, acc, appID); err != nil {
			t.Fatal(err)
		}
		planned(t, m)
		if v := value(t, scrape(t, m), "sejour_attestations_owed_unissued"); v != 0 {
			t.Fatalf("owed right after filing = %v, want 0 (the receipt is issued at once)", v)
		}
		lead := m.Config.AttestationLeadDays
		clk.Set(clk.Now().AddDate(0, 0, 70-lead+1+4)) // four days after the extension was to be available
		got = scrape(t, m)
		if v := value(t, got, "sejour_attestations_owed_unissued"); v < 1 {
			t.Errorf("owed and not issued = %v, want at least 1 (the extension)", v)
		}
		if _, err := m.UseCases.Attestations.SweepAttestations(ctx); err != nil {
			t.Fatal(err)
		}
		got = scrape(t, m)
		if v := value(t, got, "sejour_attestations_owed_unissued"); v != 0 {
			t.Errorf("owed after the sweep = %v, want 0", v)
		}
		if v := value(t, got, "sejour_attestation_lag_seconds"); v != 4*86400 {
			t.Errorf("attestation lag = %v s, want %v (four days)", v, 4*86400)
		}

		// A job waiting for an hour in a queue nobody works: River makes
		// it available within its scheduler's round (5 s).
		insertWaiting(t, db, time.Now().Add(-time.Hour))
		deadline := time.Now().Add(20 * time.Second)
		for {
			got = scrape(t, m)
			if has(got, "sejour_job_queue_depth", "kind", "metrics_probe", "state", "available") || time.Now().After(deadline) {
				break
			}
			time.Sleep(200 * time.Millisecond)
		}
		if v := labelled(t, got, "sejour_job_queue_depth", "kind", "metrics_probe", "state", "available"); v != 1 {
			t.Errorf("queue depth of metrics_probe = %v, want 1", v)
		}
		if v := labelled(t, got, "sejour_job_queue_oldest_age_seconds", "kind", "metrics_probe"); v < 3500 || v > 7200 {
			t.Errorf("oldest metrics_probe job's age = %v s, want about an hour", v)
		}
	})
}

// planned waits until the issuer has planned every filed application
// (none due today any more): the jobs the filing owed have run.
func planned(t *testing.T, m *Main) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		due, err := m.DB.Issuance().IssueDue(t.Context(), permit.ParisDay(m.Clock.Now()), time.Time{}, 0, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(due) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("still due after 30 s: %+v", due)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// probeArgs is a job kind no worker works, in a queue nobody reads.
type probeArgs struct{}

func (probeArgs) Kind() string { return "metrics_probe" }

// insertWaiting queues one probe job, due since at, through an
// insert-only River client on the store's pool.
func insertWaiting(t *testing.T, db *store.DB, at time.Time) {
	t.Helper()
	opts := &river.InsertOpts{Queue: "nobody", ScheduledAt: at}
	var err error
	if db.Dialect() == store.SQLite {
		var c *river.Client[*sql.Tx]
		if c, err = river.NewClient(riversqlite.New(db.SQL()), &river.Config{}); err == nil {
			_, err = c.Insert(t.Context(), probeArgs{}, opts)
		}
	} else {
		var c *river.Client[*sql.Tx]
		if c, err = river.NewClient(riverdatabasesql.New(db.SQL()), &river.Config{}); err == nil {
			_, err = c.Insert(t.Context(), probeArgs{}, opts)
		}
	}
	if err != nil {
		t.Fatal(err)
	}
}

// scrape reads /metrics on the metrics listener and parses it as
// Prometheus does.
func scrape(t *testing.T, m *Main) map[string]*dto.MetricFamily {
	t.Helper()
	res, err := http.Get("http://" + m.MetricsAddr() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET /metrics: %s", res.Status)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	mfs, err := p.TextToMetricFamilies(res.Body)
	if err != nil {
		t.Fatalf("parse /metrics: %v", err)
	}
	return mfs
}

// value is the value of an unlabelled gauge.
func value(t *testing.T, mfs map[string]*dto.MetricFamily, name string) float64 {
	t.Helper()
	return labelled(t, mfs, name)
}

// labelled is the value of the gauge of name with the given label pairs.
func labelled(t *testing.T, mfs map[string]*dto.MetricFamily, name string, pairs ...string) float64 {
	t.Helper()
	if _, ok := mfs[name]; !ok {
		t.Fatalf("%s not exported", name)
	}
	metric := series(mfs, name, pairs...)
	if metric == nil {
		t.Fatalf("%s has no series %v", name, pairs)
	}
	return metric.GetGauge().GetValue()
}

// has says whether name has a series with the given label pairs.
func has(mfs map[string]*dto.MetricFamily, name string, pairs ...string) bool {
	return series(mfs, name, pairs...) != nil
}

func series(mfs map[string]*dto.MetricFamily, name string, pairs ...string) *dto.Metric {
	for _, metric := range mfs[name].GetMetric() {
		labels := map[string]string{}
		for _, l := range metric.GetLabel() {
			labels[l.GetName()] = l.GetValue()
		}
		match := true
		for i := 0; i+1 < len(pairs); i += 2 {
			if labels[pairs[i]] != pairs[i+1] {
				match = false
			}
		}
		if match {
			return metric
		}
	}
	return nil
}

// TestTheMetricsListenerStopsWithTheServer: /metrics answers while the
// server runs, on its own address only, and its socket is closed once
// Serve has returned; without SEJOUR_METRICS_ADDR there is none.
func TestTheMetricsListenerStopsWithTheServer(t *testing.T) {
	db := storetest.SQLite(t, clock.NewFixed(time.Now()))
	off := newMain(t, db, smtptest.Start(t))
	if off.MetricsAddr() != "" {
		t.Errorf("metrics listening on %s without SEJOUR_METRICS_ADDR", off.MetricsAddr())
	}
	off.listener.Close()
	m := newMainWith(t, db, smtptest.Start(t), map[string]string{"SEJOUR_METRICS_ADDR": "127.0.0.1:0"})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := m.Open(ctx); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- m.Serve(ctx) }()
	scrape(t, m)
	if res, err := http.Get(m.Config.BaseURL + "/metrics"); err != nil || res.StatusCode != http.StatusNotFound {
		t.Errorf("the site serves /metrics: %v %v", res, err)
	} else {
		res.Body.Close()
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("serve: %v", err)
	}
	if conn, err := net.DialTimeout("tcp", m.MetricsAddr(), time.Second); err == nil {
		conn.Close()
		t.Error("the metrics listener still accepts connections after Serve returned")
	}
}
