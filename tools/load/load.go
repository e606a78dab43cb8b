package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"
	"time"
)

// loopbackURL refuses any URL whose host is not a loopback address:
// 127.0.0.0/8, ::1 or localhost. Names are not resolved.
func loopbackURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("%q is not a URL", raw)
	}
	host := u.Hostname()
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("refusing %q: only loopback addresses (127.0.0.0/8, ::1, localhost) may be targeted", host)
}

// result is one phase: one route on one server.
type result struct {
	requests int
	errors   int
	elapsed  time.Duration
	lat      []time.Duration // sorted, once complete
}

// add merges two phases; the caller sorts the latencies once at the end.
func (r result) add(o result) result {
	return result{requests: r.requests + o.requests, errors: r.errors + o.errors,
		elapsed: r.elapsed + o.elapsed, lat: append(r.lat, o.lat...)}
}

func (r result) perSecond() float64 { return float64(r.requests) / r.elapsed.Seconds() }

// percentile returns the latency under which a fraction p of requests fell.
func (r result) percentile(p float64) time.Duration {
	if len(r.lat) == 0 {
		return 0
	}
	return r.lat[int(p*float64(len(r.lat)-1))]
}

func newClient(conns int) *http.Client {
	return &http.Client{
		Timeout: 10 * time.Second,
		Transport: &http.Transport{
			MaxIdleConns: conns, MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns,
			IdleConnTimeout: 30 * time.Second, DisableCompression: true,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// hammer sends GET requests to target from o.concurrency clients until
// o.duration has passed or o.maxRequests were sent. Any status but 200 is
// an error. cookie gives each client's Cookie header.
func hammer(ctx context.Context, target string, cookie func(worker int) string, o options) (result, error) {
	if err := loopbackURL(target); err != nil {
		return result{}, err
	}
	client := newClient(o.concurrency)
	defer client.CloseIdleConnections()
	budget := atomic.Int64{}
	budget.Store(int64(o.maxRequests))
	lats := make([][]time.Duration, o.concurrency)
	errs := make([]int, o.concurrency)
	var wg sync.WaitGroup
	start := time.Now()
	deadline := start.Add(o.duration)
	for w := range o.concurrency {
		wg.Go(func() {
			c := cookie(w)
			for ctx.Err() == nil && time.Now().Before(deadline) && budget.Add(-1) >= 0 {
				t0 := time.Now()
				err := get(ctx, client, target, c)
				lats[w] = append(lats[w], time.Since(t0))
				if err != nil {
					errs[w]++
				}
			}
		})
	}
	wg.Wait()
	r := result{elapsed: time.Since(start)}
	for w := range lats {
		r.lat = append(r.lat, lats[w]...)
		r.errors += errs[w]
	}
	r.requests = len(r.lat)
	return r, ctx.Err()
}

func get(ctx context.Context, client *http.Client, target, cookie string) error {
	req, err := http.NewRequestWithContext(ctx, "GET", target, nil)
	if err != nil {
		return err
	}
	if cookie != "" {
		req.Header.Set("Cookie", cookie)
	}
	res, err := client.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if _, err := io.Copy(io.Discard, res.Body); err != nil {
		return err
	}
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: status %d", target, res.StatusCode)
	}
	return nil
}

// bodySize fetches target once and returns the size of its body; the bare
// server then answers as much.
func bodySize(ctx context.Context, target, cookie string) (int, error) {
	if err := loopbackURL(target); err != nil {
		return 0, err
	}
	client := newClient(1)
	defer client.CloseIdleConnections()
	req, err := http.NewRequestWithContext(ctx, "GET", target, nil)
	if err != nil {
		return 0, err
	}
	if cookie != "" {
		req.Header.Set("Cookie", cookie)
	}
	res, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		return 0, err
	}
	if res.StatusCode != http.StatusOK {
		return 0, errors.New("status " + res.Status)
	}
	return len(body), nil
}

// row is one route on both servers.
type row struct {
	path         string
	size         int
	sejour, bare result
}

// printTable writes the figures as a markdown table, one line per route
// and server; the ratio is sejour's requests per second over the bare
// server's.
func printTable(out io.Writer, rows []row) {
	fmt.Fprintln(out, "| route | server | body (B) | requests | req/s | p50 (ms) | p95 (ms) | p99 (ms) | errors | sejour/bare req/s |")
	fmt.Fprintln(out, "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
	for _, r := range rows {
		ratio := fmt.Sprintf("%.2f", r.sejour.perSecond()/r.bare.perSecond())
		line(out, r.path, "sejour", r.size, r.sejour, ratio)
		line(out, r.path, "bare net/http", r.size, r.bare, "1")
	}
}

func line(out io.Writer, path, server string, size int, r result, ratio string) {
	fmt.Fprintf(out, "| `%s` | %s | %d | %d | %.0f | %s | %s | %s | %d | %s |\n",
		path, server, size, r.requests, r.perSecond(), ms(r.percentile(0.50)), ms(r.percentile(0.95)), ms(r.percentile(0.99)), r.errors, ratio)
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f", float64(d)/float64(time.Millisecond)) }
