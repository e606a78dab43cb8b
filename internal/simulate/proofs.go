package simulate

import (
	"bytes"
	"context"
	"fmt"

	"github.com/sejour/sejour/internal/attest"
	"github.com/sejour/sejour/internal/casework"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/seal"
)

// proofsPerDay is about how many holders' attestations are rendered and
// verified each simulated day.
const proofsPerDay = 3

// rotate rotates the signing key through the keyring every instance
// shares, on evenly spaced days: codes signed before must still verify
// with the published key set, and codes signed after with the new key.
func (s *sim) rotate(ctx context.Context, d int) error {
	n := s.opts.Rotations
	if n == 0 || d == 0 || d%max(1, s.opts.Days/(n+1)) != 0 || s.rotations == n {
		return nil
	}
	if _, err := s.main.Keys.Rotate(ctx); err != nil {
		return fmt.Errorf("simulate: rotate the signing key on %s: %w", s.days.date(d), err)
	}
	s.rotations++
	return nil
}

// checkReceipt counts day d for an application filed before d that has
// no signed, live filing receipt by the end of d's issuance.
func (s *sim) checkReceipt(p *person, d int) {
	if p.app == 0 || p.filed == notFiled || p.filed >= d || s.iss.hasReceipt(p.app, d) {
		return
	}
	s.receiptsMissing++
	if s.firstMissingReceipt == nil {
		s.firstMissingReceipt = &Finding{Person: p.n, Application: p.app, Day: s.days.date(d),
			Detail: fmt.Sprintf("filed on %s, no signed filing receipt", s.days.date(p.filed))}
	}
}

// checkProofs renders as a PDF, as the holder downloads it, the valid
// extension and favourable-decision attestations of a few holders, and
// verifies each one's code (receipts' too) with the
// key set the portal publishes, as a police officer's phone would.
func (s *sim) checkProofs(ctx context.Context, d int) error {
	set, err := s.main.Keys.PublicKeySet()
	if err != nil {
		return err
	}
	keys, err := seal.ParseKeySet(set)
	if err != nil {
		return fmt.Errorf("simulate: the published key set: %w", err)
	}
	every := max(1, len(s.people)/proofsPerDay)
	for i := d % every; i < len(s.people); i += every {
		p := s.people[i]
		if p.app == 0 || p.filed == notFiled {
			continue
		}
		c, err := s.view(ctx, p)
		if err != nil {
			return fmt.Errorf("simulate: person %d views application %d: %w", p.n, p.app, err)
		}
		for _, v := range c.Attestations {
			if v.Code == "" || v.SupersededAt != nil || v.Status != permit.AttestationValid {
				continue
			}
			s.proofsChecked++
			if why := s.proof(c, v, keys); why != "" {
				s.proofsBad++
				if s.firstBadProof == nil {
					s.firstBadProof = &Finding{Person: p.n, Application: p.app, Day: s.days.date(d), Detail: fmt.Sprintf("%s %s: %s", v.Kind, v.Number, why)}
				}
			}
		}
	}
	return nil
}

// proof says what is wrong with one attestation's PDF or code, or "".
func (s *sim) proof(c *casework.Case, v casework.AttestationView, keys *seal.KeySet) string {
	if v.Kind != permit.AttestationFilingReceipt { // a receipt is printed with the filing, not verified here as a PDF
		var b bytes.Buffer
		r := attest.ReceiptRenderer{Rules: s.rules, Tr: s.main.Tr}
		if err := r.RenderAttestation(&b, c, v, "https://simulation.sejour.localhost/verifier"); err != nil {
			return "render: " + err.Error()
		}
		if !bytes.HasPrefix(b.Bytes(), []byte("%PDF-")) {
			return "the rendering is not a PDF"
		}
	}
	res, err := seal.Verify(v.Code, keys, s.clock.Now())
	if err != nil {
		return "verify: " + err.Error()
	}
	if res.Status != permit.AttestationValid {
		return fmt.Sprintf("the code says %s", res.Status)
	}
	s.kids[res.KeyID] = true
	return ""
}
