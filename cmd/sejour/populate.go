package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"runtime"
	"sync"
	"time"

	"github.com/sejour/sejour/internal/app"
	"github.com/sejour/sejour/internal/casework"
	"github.com/sejour/sejour/internal/demo"
	"github.com/sejour/sejour/internal/password"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/seal"
	"github.com/sejour/sejour/internal/store"
)

// populateReport is the last line `sejour populate` prints, as JSON.
type populateReport struct {
	Persons      int     `json:"persons"`
	Permits      int     `json:"permits"`
	Applications int     `json:"applications"`
	Attestations int     `json:"attestations"`
	Rows         int     `json:"rows"`    // every row written
	Due          int     `json:"due"`     // applications due for the sweep today
	Seconds      float64 `json:"seconds"` // how long it took
}

// populateBatch is how many households one transaction writes.
const populateBatch = 5000

// populateCommand runs `sejour populate --permits N --pending M --seed S
// [--all-due] [--prefectures K]`: it fills an empty database with a
// synthetic population (issue 15, part 6), N current permits of which M
// are being renewed or changed (plus the first issues among the M, who
// hold none), so that the sweep, the work queue and the pages can be
// measured at a nation's size. The same seed on the same day writes the
// same rows (signatures aside: ECDSA signs with a random nonce).
func populateCommand(ctx context.Context, m *app.Main, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("populate", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	permits := fs.Int("permits", 0, "current permits")
	pending := fs.Int("pending", 0, "pending applications")
	seed := fs.Uint64("seed", 1, "the seed of the draw")
	allDue := fs.Bool("all-due", false, "leave unissued what fell due in the last 100 days, as after an outage")
	prefs := fs.Int("prefectures", 100, "prefectures, the demonstration's three first")
	if err := fs.Parse(args); err != nil || fs.NArg() > 0 || *permits < 1 || *pending < 0 || *pending > *permits || *prefs < 3 || *prefs > 999 {
		return &exitError{2, "usage: sejour populate --permits N --pending M (M ≤ N) [--seed S] [--all-due] [--prefectures K (3–999)]"}
	}
	began := time.Now()
	if err := m.Open(ctx); err != nil {
		return err
	}
	pop := store.Population{DB: m.DB}
	if empty, err := pop.Empty(ctx); err != nil {
		return err
	} else if !empty {
		return errors.New("populate writes only into a database without persons: use a new one")
	}
	p, err := newPopulation(ctx, m, *permits, *pending, *seed, *prefs, *allDue)
	if err != nil {
		return err
	}
	if p.first, err = pop.FirstIDs(ctx); err != nil {
		return err
	}
	rep, err := p.write(ctx, pop, seal.Sealer{Keys: m.Keys})
	if err != nil {
		return err
	}
	if err := pop.Finish(ctx); err != nil {
		return err
	}
	if _, rep.Due, err = m.DB.Issuance().SweepCounts(ctx, p.today); err != nil {
		return err
	}
	rep.Seconds = time.Since(began).Seconds()
	return json.NewEncoder(out).Encode(rep)
}

// newPopulation sets up what every household is drawn from: the
// prefectures (created when missing), an agent of each, the days.
func newPopulation(ctx context.Context, m *app.Main, permits, pending int, seed uint64, prefs int, allDue bool) (*population, error) {
	now := m.Clock.Now()
	p := &population{cat: m.Rules, seed: seed, permits: permits, pending: pending, today: permit.ParisDay(now),
		lead: m.Config.AttestationLeadDays, agents: map[int64]int64{}}
	// The issuer ran last in the evening before today (a Paris day), or
	// 100 days before with --all-due.
	p.asOf = p.today.Add(-3 * time.Hour)
	if allDue {
		p.asOf = p.asOf.AddDate(0, 0, -100)
	}
	st := demo.Store{Accounts: m.DB.Accounts(), Files: m.DB.Files()}
	all, err := demo.Prefectures(ctx, st)
	if err != nil {
		return nil, err
	}
	have := map[string]bool{}
	for _, pr := range all {
		have[pr.Code] = true
	}
	for d := 1; len(all) < prefs; d++ {
		code := fmt.Sprintf("%02d", d)
		if have[code] {
			continue
		}
		pr := &permit.Prefecture{Code: code, Name: "Préfecture du département " + code, Departments: []string{code}}
		if err := m.DB.Files().CreatePrefecture(ctx, pr); err != nil {
			return nil, err
		}
		all = append(all, pr)
	}
	// Paris holds a tenth of the files, Seine-Saint-Denis and the Rhône
	// 5 and 4 %, the others share the rest.
	for _, pr := range all[:prefs] {
		w := 810 / max(prefs-3, 1)
		switch pr.Code {
		case "75":
			w = 100
		case "93":
			w = 50
		case "69":
			w = 40
		}
		p.prefs, p.prefWeights, p.prefTotal = append(p.prefs, pr), append(p.prefWeights, w), p.prefTotal+w
	}
	var secret [16]byte
	rand.Read(secret[:])
	params := m.PasswordParams
	if params == (password.Params{}) {
		params = password.DefaultParams
	}
	// Nobody knows the applicants' password: a reset gives one.
	if p.hash, err = password.Hash(hex.EncodeToString(secret[:]), params); err != nil {
		return nil, err
	}
	for _, pr := range p.prefs {
		at := now
		a := &permit.Account{Email: fmt.Sprintf("agent-%s-%d@population.sejour.localhost", pr.Code, seed), Role: permit.RoleAgent, Lang: "fr",
			ConfirmedAt: &at, Prefectures: []int64{pr.ID}}
		if err := m.DB.Accounts().CreateAccount(ctx, a, p.hash, nil, nil); err != nil {
			return nil, err
		}
		p.agents[pr.ID] = a.ID
	}
	return p, nil
}

// write draws the households in batches on every core, signs their
// attestations, and writes each batch in one transaction, one batch at
// a time.
func (p *population) write(ctx context.Context, pop store.Population, sealer casework.Sealer) (populateReport, error) {
	var rep populateReport
	total := p.households()
	batches := make(chan int)
	done := make(chan []*store.Household, 2)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	var once sync.Once
	var drawErr error
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for lo := range batches {
				hs, err := p.batch(lo, min(lo+populateBatch, total), sealer)
				if err != nil {
					once.Do(func() { drawErr = err; cancel() })
					return
				}
				select {
				case done <- hs:
				case <-ctx.Done():
					return
				}
			}
		})
	}
	go func() {
		defer close(batches)
		for lo := 0; lo < total; lo += populateBatch {
			select {
			case batches <- lo:
			case <-ctx.Done():
				return
			}
		}
	}()
	go func() { wg.Wait(); close(done) }()
	for hs := range done {
		if err := pop.Write(ctx, hs); err != nil {
			cancel()
			return rep, err
		}
		rep.count(hs)
	}
	if drawErr != nil {
		return rep, drawErr
	}
	return rep, ctx.Err()
}

// batch draws households lo to hi and signs their attestations.
func (p *population) batch(lo, hi int, sealer casework.Sealer) ([]*store.Household, error) {
	hs := make([]*store.Household, 0, hi-lo)
	for n := lo; n < hi; n++ {
		h, c, err := p.household(n)
		if err != nil {
			return nil, err
		}
		for _, a := range h.Attestations {
			r, err := p.cat.Rights(a.Kind, c.App.Ground, c.App.Kind, c.Permit, a.ValidUntil)
			if err != nil {
				return nil, err
			}
			if a.Code, err = sealer.Seal(c, a, r); err != nil {
				return nil, err
			}
		}
		hs = append(hs, h)
	}
	return hs, nil
}

func (r *populateReport) count(hs []*store.Household) {
	for _, h := range hs {
		r.Persons++
		r.Rows++
		if h.Account != nil {
			r.Rows++
		}
		if h.Permit != nil {
			r.Permits++
			r.Rows++
		}
		if h.App == nil {
			continue
		}
		r.Applications++
		r.Attestations += len(h.Attestations)
		r.Rows += 2 + len(h.Events) + len(h.Attestations) // the application, its filing
		if h.Request != nil {
			r.Rows++
		}
		if h.Decision != nil {
			r.Rows++
		}
	}
}
