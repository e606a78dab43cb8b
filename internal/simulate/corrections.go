package simulate

import (
	"context"
	"fmt"

	"github.com/sejour/sejour/internal/casework"
)

// surname is the holder's surname as their data reads it: misspelt until
// a correction of it is accepted.
func (p *person) surname() string {
	if p.corrected {
		return fmt.Sprintf("Simulée %d", p.n)
	}
	return fmt.Sprintf("Simulee %d", p.n)
}

// requestCorrection has the holder ask, with evidence, for the accent of
// their surname (a civil field, locked once filed) to be restored.
func (s *sim) requestCorrection(ctx context.Context, p *person) error {
	p.correct = never
	want := s.profileForm(p)
	// Only the surname changes: the permit's dates are not asked about.
	want.Surname, want.PermitFrom, want.PermitTo = fmt.Sprintf("Simulée %d", p.n), "", ""
	c, err := s.files.Corrections.RequestCorrection(ctx, p.acc, casework.CorrectionForm{Identity: want,
		Explanation: "mon nom porte un accent", Filename: "acte.png", Evidence: s.scan})
	if err != nil {
		return fmt.Errorf("request a correction: %w", err)
	}
	p.correction = c.ID
	s.corrections++
	return nil
}

// settleCorrection has the agent accept (or refuse) the request. An
// accepted correction supersedes every attestation that still proves
// something by a new version carrying the corrected name, which the
// engine signs at once or its queue later; the issuer learns of both.
func (s *sim) settleCorrection(ctx context.Context, p *person, d int) error {
	id := p.correction
	p.correction, p.settle = 0, never
	if !p.acceptCorrection {
		return s.files.Corrections.RefuseCorrection(ctx, s.staff, id, "acte illisible")
	}
	if err := s.files.Corrections.AcceptCorrection(ctx, s.staff, id, ""); err != nil {
		return fmt.Errorf("accept correction %d: %w", id, err)
	}
	p.corrected = true
	return s.learn(ctx, p, d)
}
