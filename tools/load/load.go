package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
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
	cpu      time.Duration   // CPU time of this process and of the target's own, during the phase
	lat      []time.Duration // sorted, once complete
}

// add merges two phases; the caller sorts the latencies once at the end.
func (r result) add(o result) result {
	return result{requests: r.requests + o.requests, errors: r.errors + o.errors,
		elapsed: r.elapsed + o.elapsed, cpu: r.cpu + o.cpu, lat: append(r.lat, o.lat...)}
}

// cpuPerRequest is the CPU time a request cost on this machine: the
// server's and the client's, whatever else the machine was doing, which
// the requests per second depend on (the process's share of the cores
// changes from one slice to the next on a busy machine).
func (r result) cpuPerRequest() time.Duration {
	return r.cpu / time.Duration(max(1, r.requests))
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

// target is what one phase requests: a method, a URL, a body sent the
// same each time (nil for none), and headers that may change with the
// client and the request (a session cookie, a forwarded address).
type target struct {
	method string
	url    string
	body   []byte
	header func(h http.Header, worker, n int) // nil: no headers of its own
	pid    int                                // a server in a process of its own, whose CPU time counts too; 0 for none
}

// getTarget is a GET of url with cookie's Cookie header (none when it
// returns "").
func getTarget(url string, cookie func(worker int) string) target {
	return target{method: "GET", url: url, header: func(h http.Header, worker, _ int) {
		if c := cookie(worker); c != "" {
			h.Set("Cookie", c)
		}
	}}
}

// hammer sends t's request from o.concurrency clients until o.duration
// has passed or o.maxRequests were sent. Any status but 200 is an error.
func hammer(ctx context.Context, t target, o options) (result, error) {
	if err := loopbackURL(t.url); err != nil {
		return result{}, err
	}
	client := newClient(o.concurrency)
	defer client.CloseIdleConnections()
	budget := atomic.Int64{}
	budget.Store(int64(o.maxRequests))
	lats := make([][]time.Duration, o.concurrency)
	errs := make([]int, o.concurrency)
	var wg sync.WaitGroup
	cpu0 := cpuTime(t.pid)
	start := time.Now()
	deadline := start.Add(o.duration)
	for w := range o.concurrency {
		wg.Go(func() {
			pause(ctx, o.think, deadline) // the clients start apart, as people do
			for n := 0; ctx.Err() == nil && time.Now().Before(deadline) && budget.Add(-1) >= 0; n++ {
				t0 := time.Now()
				err := send(ctx, client, t, w, n)
				lats[w] = append(lats[w], time.Since(t0))
				if err != nil {
					errs[w]++
				}
				pause(ctx, o.think, deadline)
			}
		})
	}
	wg.Wait()
	r := result{elapsed: time.Since(start), cpu: cpuTime(t.pid) - cpu0}
	for w := range lats {
		r.lat = append(r.lat, lats[w]...)
		r.errors += errs[w]
	}
	r.requests = len(r.lat)
	return r, ctx.Err()
}

// pause waits from half to one and a half times think (a person reading
// the page), never past the deadline; nothing when think is 0.
func pause(ctx context.Context, think time.Duration, deadline time.Time) {
	if think <= 0 {
		return
	}
	d := min(think/2+rand.N(think), time.Until(deadline))
	select {
	case <-time.After(d):
	case <-ctx.Done():
	}
}

// cpuTime is the CPU time (user and system) this process has used, and
// process pid too if not 0, read from /proc (Linux); 0 where there is no
// /proc to read.
func cpuTime(pid int) time.Duration {
	total := procCPU("self")
	if pid != 0 {
		total += procCPU(strconv.Itoa(pid))
	}
	return total
}

// procCPU reads utime and stime, fields 14 and 15 of /proc/<pid>/stat,
// in clock ticks of 1/100 s (Linux's USER_HZ).
func procCPU(pid string) time.Duration {
	b, err := os.ReadFile("/proc/" + pid + "/stat")
	if err != nil {
		return 0
	}
	// The command name, field 2, is in parentheses and may hold spaces.
	_, after, ok := strings.Cut(string(b), ") ")
	f := strings.Fields(after)
	if !ok || len(f) < 13 {
		return 0
	}
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(utime+stime) * (time.Second / 100)
}

// send makes the n-th request of client worker and reads the answer.
func send(ctx context.Context, client *http.Client, t target, worker, n int) error {
	var body io.Reader
	if t.body != nil {
		body = bytes.NewReader(t.body)
	}
	req, err := http.NewRequestWithContext(ctx, t.method, t.url, body)
	if err != nil {
		return err
	}
	if t.body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if t.header != nil {
		t.header(req.Header, worker, n)
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
		return fmt.Errorf("%s %s: status %d", t.method, t.url, res.StatusCode)
	}
	return nil
}

// bodySize sends t's request once and returns the size of the answer's
// body; the bare servers then answer as much.
func bodySize(ctx context.Context, t target) (int, error) {
	if err := loopbackURL(t.url); err != nil {
		return 0, err
	}
	client := newClient(1)
	defer client.CloseIdleConnections()
	var body io.Reader
	if t.body != nil {
		body = bytes.NewReader(t.body)
	}
	req, err := http.NewRequestWithContext(ctx, t.method, t.url, body)
	if err != nil {
		return 0, err
	}
	if t.body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if t.header != nil {
		t.header(req.Header, 0, 0)
	}
	res, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return 0, err
	}
	if res.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("%s %s: status %s: %.200s", t.method, t.url, res.Status, b)
	}
	return len(b), nil
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
	fmt.Fprintln(out, "| route | server | body (B) | requests | req/s | p50 (ms) | p95 (ms) | p99 (ms) | errors | CPU/request (µs) | sejour/bare req/s | by CPU |")
	fmt.Fprintln(out, "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
	for _, r := range rows {
		ratio := fmt.Sprintf("%.2f | %.2f", r.sejour.perSecond()/r.bare.perSecond(), float64(r.bare.cpuPerRequest())/float64(max(1, r.sejour.cpuPerRequest())))
		line(out, r.path, "sejour", r.size, r.sejour, ratio)
		line(out, r.path, "bare net/http", r.size, r.bare, "1 | 1")
	}
}

func line(out io.Writer, path, server string, size int, r result, ratio string) {
	fmt.Fprintf(out, "| `%s` | %s | %d | %d | %.0f | %s | %s | %s | %d | %.0f | %s |\n",
		path, server, size, r.requests, r.perSecond(), ms(r.percentile(0.50)), ms(r.percentile(0.95)), ms(r.percentile(0.99)), r.errors,
		float64(r.cpuPerRequest())/float64(time.Microsecond), ratio)
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f", float64(d)/float64(time.Millisecond)) }
