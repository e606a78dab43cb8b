package metrics

import (
	"context"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/sejour/sejour/internal/clock"
	"github.com/sejour/sejour/internal/health"
	"github.com/sejour/sejour/internal/store"
)

// The figures read at each scrape. Their names are what docs/alerts.yml
// refers to (alerts_test.go checks that each rule names one exported).
var (
	attestationLag = prometheus.NewDesc("sejour_attestation_lag_seconds",
		"Largest delay, over the attestations issued in the last 24 hours, between the day one was to be made available and the day it was issued (0: all on their day).", nil, nil)
	attestationsIssued = prometheus.NewDesc("sejour_attestations_issued_recent",
		"Attestations issued in the last 24 hours (among the latest 2000).", nil, nil)
	owedUnissued = prometheus.NewDesc("sejour_attestations_owed_unissued",
		"Filed applications whose next attestation was due before today, or that a change marked to plan at once, not yet handled by the issuer (the early warning of a late attestation; capped at 10000).", nil, nil)
	mailAge = prometheus.NewDesc("sejour_mail_oldest_unsent_age_seconds",
		"Age of the oldest mail neither sent nor dropped (0: none waiting).", nil, nil)
	mailUnsent = prometheus.NewDesc("sejour_mail_unsent",
		"Mails neither sent nor dropped (capped at 10000).", nil, nil)
	queueDepth = prometheus.NewDesc("sejour_job_queue_depth",
		"Jobs in the queue by kind and state (available, retryable, scheduled, running; capped at 10000 in all).", []string{"kind", "state"}, nil)
	queueAge = prometheus.NewDesc("sejour_job_queue_oldest_age_seconds",
		"Time since the oldest available job of a kind became due (only kinds with available jobs).", []string{"kind"}, nil)
	incidentsToday = prometheus.NewDesc("sejour_incidents_today",
		"Incidents recorded today (Paris day) by source (web, job).", []string{"source"}, nil)
	databaseOK = prometheus.NewDesc("sejour_scrape_database_ok",
		"1 when this scrape read the database's figures, 0 when the read failed or timed out (the figures above are then missing).", nil, nil)
	healthUp = prometheus.NewDesc("sejour_health_up",
		"The health monitor's last result of each check (1 working, 0 failing).", []string{"check"}, nil)
	ready = prometheus.NewDesc("sejour_ready",
		"1 when the database (read and write) and the blob store work, as /readyz requires; 0 otherwise.", nil, nil)
)

// scrape reads the database and the health monitor at each scrape.
type scrape struct {
	src        Source
	health     Statuses
	clock      clock.Clock
	queueClock clock.Clock
	logger     *slog.Logger
	timeout    time.Duration
}

// readyChecks are the checks /readyz probes: the mail relay is watched,
// but a relay down does not take the instance out of service.
var readyChecks = map[health.Check]bool{health.Database: true, health.Writes: true, health.Blobs: true}

func (s *scrape) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{attestationLag, attestationsIssued, owedUnissued, mailAge, mailUnsent,
		queueDepth, queueAge, incidentsToday, databaseOK, healthUp, ready} {
		ch <- d
	}
}

func (s *scrape) Collect(ch chan<- prometheus.Metric) {
	if s.health != nil {
		up := 1.0
		for _, st := range s.health.Statuses() {
			ch <- gauge(healthUp, bool01(st.OK), string(st.Check))
			if readyChecks[st.Check] && !st.OK {
				up = 0
			}
		}
		ch <- gauge(ready, up)
	}
	if s.src == nil {
		return
	}
	// A context of its own, not the scrape request's: the reads end at
	// the timeout whatever the client does.
	ctx, cancel := context.WithTimeout(context.Background(), s.timeout)
	defer cancel()
	r, err := s.src.Read(ctx, store.ReadAt{Now: s.clock.Now(), QueueNow: s.queueClock.Now(), Window: LagWindow})
	if err != nil {
		s.logger.Warn("metrics: the database's figures could not be read", "err", err)
		ch <- gauge(databaseOK, 0)
		return
	}
	ch <- gauge(databaseOK, 1)
	ch <- gauge(attestationLag, max(r.AttestationLag, 0).Seconds())
	ch <- gauge(attestationsIssued, float64(r.IssuedInWindow))
	ch <- gauge(owedUnissued, float64(r.OwedUnissued))
	ch <- gauge(mailAge, r.OldestUnsentMail.Seconds())
	ch <- gauge(mailUnsent, float64(r.UnsentMails))
	for _, j := range r.Jobs {
		ch <- gauge(queueDepth, float64(j.Count), j.Kind, j.State)
		if j.State == "available" {
			ch <- gauge(queueAge, j.OldestAge.Seconds(), j.Kind)
		}
	}
	for source, n := range r.Incidents {
		ch <- gauge(incidentsToday, float64(n), source)
	}
}

func gauge(d *prometheus.Desc, v float64, labels ...string) prometheus.Metric {
	return prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
}

func bool01(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
