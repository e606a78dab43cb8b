package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/sejour/sejour/internal/casework"
	"github.com/sejour/sejour/internal/clock"
	"github.com/sejour/sejour/internal/metrics"
	"github.com/sejour/sejour/internal/store"
	"github.com/sejour/sejour/internal/web"
)

// openMetrics builds the process's metrics when SEJOUR_METRICS_ADDR is
// set; they read the database and the health monitor at each scrape.
func (m *Main) openMetrics() {
	if m.Config.MetricsAddr == "" {
		return
	}
	m.Metrics = metrics.New(metrics.Options{Source: store.Gauges{DB: m.DB}, Health: m.Health,
		Clock: m.Clock, QueueClock: m.QueueClock, Logger: m.Logger})
}

// observer is what the web server tells of each request: the metrics, or
// nil (an interface holding a nil *Metrics would not be nil).
func (m *Main) observer() web.RequestObserver {
	if m.Metrics == nil {
		return nil
	}
	return m.Metrics
}

// observeSweep wraps a sweep so that each run's duration, what it issued
// and whether it failed are observed under name, when metrics are on. A
// sweep that stopped at its time bound to go on in its next run has not
// failed.
func (m *Main) observeSweep(name string, fn func(context.Context) (int, error)) func(context.Context) (int, error) {
	return func(ctx context.Context) (int, error) {
		elapsed := clock.Stopwatch()
		n, err := fn(ctx)
		if m.Metrics != nil {
			failed := err
			if errors.Is(err, casework.ErrSweepUnfinished) {
				failed = nil
			}
			m.Metrics.ObserveSweep(name, elapsed(), n, failed)
		}
		return n, err
	}
}

// listenMetrics opens the metrics' own socket, when configured.
func (m *Main) listenMetrics() error {
	if m.Config.MetricsAddr == "" {
		return nil
	}
	ln, err := net.Listen("tcp", m.Config.MetricsAddr)
	if err != nil {
		return fmt.Errorf("listen on %s (SEJOUR_METRICS_ADDR): %w", m.Config.MetricsAddr, err)
	}
	m.metricsListener = ln
	return nil
}

// MetricsAddr is the address /metrics is served on ("" when off).
func (m *Main) MetricsAddr() string {
	if m.metricsListener == nil {
		return ""
	}
	return m.metricsListener.Addr().String()
}

// serveMetrics serves /metrics until the returned function is called,
// which shuts the listener down (a scrape in flight gets a few seconds).
func (m *Main) serveMetrics() (stop func()) {
	if m.metricsListener == nil || m.Metrics == nil {
		return func() {}
	}
	srv := &http.Server{
		Handler:           m.Metrics.Handler(),
		ReadHeaderTimeout: 5 * time.Second,
		WriteTimeout:      30 * time.Second,
		ErrorLog:          slog.NewLogLogger(m.Logger.Handler(), slog.LevelWarn),
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := srv.Serve(m.metricsListener); err != nil && !errors.Is(err, http.ErrServerClosed) {
			m.Logger.Error("metrics listener stopped", "err", err)
		}
	}()
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
		<-done
	}
}
