package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/sejour/sejour/internal/paths"
)

// The verify suite (issue 15, parts 5 and 7) measures the public
// verifier, POST /api/v1/verify with a genuine code, against its
// ceiling in the same run: a bare net/http server that decodes the same
// JSON body, makes one ES256 verification (ECDSA P-256, SHA-256) and
// answers a JSON body of the same size. Given -pocketbase, it measures a
// third server beside them: PocketBase's record view, one record read by
// id from a collection anyone may view, what a team would build the same
// check on.

// verifyRow is one server of the verify suite.
type verifyRow struct {
	server string
	res    result
}

// runVerify measures the three servers, in turns, and returns the table
// (markdown) and a line saying how it was measured.
func runVerify(ctx context.Context, o options) (string, error) {
	sj, err := startSejour(ctx, o)
	if err != nil {
		return "", err
	}
	defer sj.stop()
	code, err := sj.attestationCode(ctx)
	if err != nil {
		return "", err
	}
	body, err := json.Marshal(map[string]string{"code": code})
	if err != nil {
		return "", err
	}
	// Every request comes from an address of its own, as behind a reverse
	// proxy (SEJOUR_TRUSTED_PROXIES=127.0.0.1): the verifier's limit of 30
	// checks a minute per address stays on and refuses none of them.
	var sent atomic.Uint32
	forwarded := func(h http.Header, _, _ int) {
		n := sent.Add(1) % (1 << 16)
		h.Set("X-Forwarded-For", "10.77."+strconv.Itoa(int(n>>8))+"."+strconv.Itoa(int(n&255)))
	}
	sejour := target{method: "POST", url: sj.url + paths.APIVerify.String(), body: body, header: forwarded}
	size, err := bodySize(ctx, sejour)
	if err != nil {
		return "", fmt.Errorf("sejour verify: %w", err)
	}
	bare, err := startBareVerify(code, size)
	if err != nil {
		return "", err
	}
	defer bare.stop()
	targets := []target{sejour, {method: "POST", url: bare.url + "/verify", body: body, header: forwarded}}
	names := []string{"sejour `POST /api/v1/verify`", "bare net/http + one ES256 verification"}
	if o.pocketbase != "" {
		pb, err := startPocketBase(ctx, o.pocketbase)
		if err != nil {
			return "", fmt.Errorf("pocketbase: %w", err)
		}
		defer pb.stop()
		targets = append(targets, target{method: "GET", url: pb.recordURL, pid: pb.pid})
		names = append(names, "PocketBase "+pb.version+" record view")
	}
	rs, err := compare(ctx, o, targets...)
	if err != nil {
		return "", err
	}
	rows := make([]verifyRow, len(rs))
	for i := range rs {
		rows[i] = verifyRow{server: names[i], res: rs[i]}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d clients, %s per server in %d turns, sejour on %s with a demo applicant's genuine code (%d B answer).\n\n",
		o.concurrency, o.duration, rounds, sj.database, size)
	printVerifyTable(&b, rows)
	return b.String(), nil
}

// printVerifyTable writes one line per server; the ratios are its
// requests per second over the bare server's, and over PocketBase's.
func printVerifyTable(out io.Writer, rows []verifyRow) {
	pb := len(rows) > 2
	head := "| server | requests | req/s | p50 (ms) | p95 (ms) | p99 (ms) | errors | CPU/request (µs) | ÷ bare | ÷ bare by CPU |"
	rule := "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
	if pb {
		head += " ÷ PocketBase | ÷ PocketBase by CPU |"
		rule += " ---: | ---: |"
	}
	fmt.Fprintln(out, head)
	fmt.Fprintln(out, rule)
	byCPU := func(r, ceiling result) float64 {
		return float64(ceiling.cpuPerRequest()) / float64(max(1, r.cpuPerRequest()))
	}
	for _, r := range rows {
		fmt.Fprintf(out, "| %s | %d | %.0f | %s | %s | %s | %d | %.0f | %.2f | %.2f |", r.server, r.res.requests, r.res.perSecond(),
			ms(r.res.percentile(0.50)), ms(r.res.percentile(0.95)), ms(r.res.percentile(0.99)), r.res.errors,
			float64(r.res.cpuPerRequest())/float64(time.Microsecond), r.res.perSecond()/rows[1].res.perSecond(), byCPU(r.res, rows[1].res))
		if pb {
			fmt.Fprintf(out, " %.2f | %.2f |", r.res.perSecond()/rows[2].res.perSecond(), byCPU(r.res, rows[2].res))
		}
		fmt.Fprintln(out)
	}
	fmt.Fprintln(out)
	fmt.Fprintln(out, "CPU/request is the CPU time of the load tool's process (the clients, and sejour and the bare server, which run in it) and, for PocketBase, of its process too, over the requests: what a request costs this machine, whatever share of the cores the run got. A ratio by CPU is the ceiling's CPU/request over the server's.")
}

// startBareVerify is the verifier's ceiling: net/http answering POST
// /verify by decoding {"code": ...}, verifying one ES256 signature of the
// code's SHA-256 digest (made here at start) and answering JSON of size
// bytes; a code that does not verify is a 400.
func startBareVerify(code string, size int) (*bareServer, error) {
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	digest := sha256.Sum256([]byte(code))
	sig, err := ecdsa.SignASN1(rand.Reader, priv, digest[:])
	if err != nil {
		return nil, err
	}
	pub := &priv.PublicKey
	const head, tail = `{"status":"valid","pad":"`, "\"}\n"
	answer := []byte(head + strings.Repeat("x", max(0, size-len(head)-len(tail))) + tail)
	mux := http.NewServeMux()
	mux.HandleFunc("POST /verify", func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			Code string `json:"code"`
		}
		if err := json.NewDecoder(io.LimitReader(r.Body, 8<<10)).Decode(&in); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		sum := sha256.Sum256([]byte(in.Code))
		if !ecdsa.VerifyASN1(pub, sum[:], sig) {
			http.Error(w, "forged", http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write(answer)
	})
	return serveBare(mux)
}
