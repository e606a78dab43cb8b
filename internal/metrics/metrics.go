// Package metrics exports what an operator watches, in Prometheus's text
// format, on a listener of its own (SEJOUR_METRICS_ADDR): the latency of
// every route by its pattern and status, the database pools, the job
// queue, the sweeps, the issuing's lag and what is owed and not issued,
// the outbox's oldest mail, today's incidents and the readiness. Each
// process has its own registry: nothing is global, so tests and
// simulations that run several processes in one binary keep their
// figures apart. docs/operations.md ("Metrics and alerts") says what to
// alert on; docs/alerts.yml holds the rules.
package metrics

import (
	"context"
	"database/sql"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/sejour/sejour/internal/clock"
	"github.com/sejour/sejour/internal/health"
	"github.com/sejour/sejour/internal/store"
)

// Source is what the scrape reads from the database (store.Gauges).
type Source interface {
	Read(ctx context.Context, at store.ReadAt) (*store.Readings, error)
	Pools() map[string]*sql.DB
}

// Statuses is the health monitor's last state of each check
// (health.Monitor): read, never probed, at a scrape.
type Statuses interface {
	Statuses() []health.Status
}

// Options are what a process's metrics read.
type Options struct {
	Source Source   // nil: no database figures (unit tests)
	Health Statuses // nil: no readiness figures
	Clock  clock.Clock
	// QueueClock is the job queue's clock, when it is not Clock (the
	// simulations'): the age of a waiting job is read on it.
	QueueClock clock.Clock
	Logger     *slog.Logger
	// ReadTimeout bounds the database reads of one scrape (DefaultReadTimeout
	// when zero).
	ReadTimeout time.Duration
}

// DefaultReadTimeout bounds a scrape's database reads: a scrape of a
// frozen database answers, with sejour_scrape_database_ok 0, before
// Prometheus's own timeout (10 s by default).
const DefaultReadTimeout = 5 * time.Second

// LagWindow is how far back the attestation lag looks: an attestation
// issued a day late keeps the lag above zero for a day.
const LagWindow = 24 * time.Hour

// Metrics is one process's registry and the instruments the program
// observes into.
type Metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.HistogramVec
	sweeps   *prometheus.HistogramVec
	issued   *prometheus.CounterVec
	failed   *prometheus.CounterVec
	logger   *slog.Logger
}

// Names of the instruments the program observes into; the scrape's own
// are in collect.go.
const (
	RequestDuration = "sejour_http_request_duration_seconds"
	SweepDuration   = "sejour_sweep_duration_seconds"
	SweepIssued     = "sejour_sweep_issued_total"
	SweepFailures   = "sejour_sweep_failures_total"
)

// New builds a process's registry: the Go runtime's and the process's
// standard figures, the database pools, the scrape-time reads and the
// instruments.
func New(o Options) *Metrics {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Clock == nil {
		o.Clock = clock.System{}
	}
	if o.QueueClock == nil {
		o.QueueClock = o.Clock
	}
	if o.ReadTimeout <= 0 {
		o.ReadTimeout = DefaultReadTimeout
	}
	m := &Metrics{reg: prometheus.NewRegistry(), logger: o.Logger}
	m.requests = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: RequestDuration,
		Help: "Time to answer a request, by route pattern (never the raw path) and status code.",
		// From a static file to a PDF rendered on the spot.
		Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
	}, []string{"route", "code"})
	m.sweeps = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    SweepDuration,
		Help:    "Time a background sweep took, by sweep, whether it finished or not.",
		Buckets: []float64{.01, .1, .5, 1, 5, 15, 60, 300, 900},
	}, []string{"sweep"})
	m.issued = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: SweepIssued,
		Help: "What the sweeps issued or sent (attestations, reminders, silence decisions...), by sweep.",
	}, []string{"sweep"})
	m.failed = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: SweepFailures,
		Help: "Sweeps that ended in an error (the job queue retries them), by sweep.",
	}, []string{"sweep"})
	m.reg.MustRegister(m.requests, m.sweeps, m.issued, m.failed,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		&scrape{src: o.Source, health: o.Health, clock: o.Clock, queueClock: o.QueueClock, logger: o.Logger, timeout: o.ReadTimeout})
	if o.Source != nil {
		for name, pool := range o.Source.Pools() {
			m.reg.MustRegister(collectors.NewDBStatsCollector(pool, name))
		}
	}
	return m
}

// Registry is the process's registry, for tests that gather from it.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Handler answers a scrape. A failing collector does not hide the
// others' figures: it is logged and the rest is served.
func (m *Metrics) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{
		ErrorLog:      slog.NewLogLogger(m.logger.Handler(), slog.LevelWarn),
		ErrorHandling: promhttp.ContinueOnError,
	}))
	return mux
}

// ObserveRequest records one answered request. pattern is the route
// pattern the request matched ("" when it was answered before routing,
// by a redirect or a refusal of the middleware).
func (m *Metrics) ObserveRequest(pattern string, status int, elapsed time.Duration) {
	if pattern == "" {
		pattern = "none"
	}
	m.requests.WithLabelValues(pattern, strconv.Itoa(status)).Observe(elapsed.Seconds())
}

// ObserveSweep records one run of a sweep: how long it took, how much it
// issued, and whether it failed (a sweep that stopped at its time bound
// and goes on in its next run has not failed: pass a nil err).
func (m *Metrics) ObserveSweep(sweep string, elapsed time.Duration, issued int, err error) {
	m.sweeps.WithLabelValues(sweep).Observe(elapsed.Seconds())
	m.issued.WithLabelValues(sweep).Add(float64(max(issued, 0)))
	if err != nil {
		m.failed.WithLabelValues(sweep).Inc()
	}
}
