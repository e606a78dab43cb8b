package simulate

import (
	"context"
	"fmt"

	"github.com/sejour/sejour/internal/casework"
	"github.com/sejour/sejour/internal/password"
	"github.com/sejour/sejour/internal/permit"
)

// moverPassword is the password of the holders who move: a change of
// address asks for it again. It is hashed once, cheaply (the parameters
// travel inside the hash).
const moverPassword = "déménagement de la simulation 2026"

var cheapHash = password.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

// openAtCounter has the agent record a person who came to the counter
// without an account or e-mail address, start their application with
// their consent, and upload their documents.
func (s *sim) openAtCounter(ctx context.Context, p *person) error {
	per, err := s.files.Counter.CreatePerson(ctx, s.staff, s.profileForm(p), "")
	if err != nil {
		return fmt.Errorf("counter: record the person: %w", err)
	}
	a, err := s.files.Counter.StartOnBehalf(ctx, s.staff, per.ID, casework.OnBehalfForm{
		StartForm: casework.StartForm{Kind: p.kind, Ground: p.ground},
		Channel:   permit.ChannelCounter, Consent: true, ConsentHow: permit.ConsentWays[0]})
	if err != nil {
		return fmt.Errorf("counter: start the application: %w", err)
	}
	p.acc, p.app, p.state = s.staff, a.ID, permit.StateDraft
	docs, err := s.rules.RequiredDocuments(p.ground, p.kind)
	if err != nil {
		return err
	}
	return s.upload(ctx, p, docs)
}

// moveHouse has the holder give an address under the next prefecture of
// the list; their pending application follows them there.
func (s *sim) moveHouse(ctx context.Context, p *person, d int) error {
	p.move = never
	to := (p.pref + 1) % len(prefectures)
	pr := prefectures[to]
	if _, err := s.files.Contacts.ChangeContact(ctx, p.acc, casework.ContactForm{AddressLine: "2 avenue du Déménagement",
		Postcode: pr.postcode, City: pr.city, Password: moverPassword}); err != nil {
		return fmt.Errorf("move to %s: %w", pr.city, err)
	}
	p.pref = to
	s.moves++
	return s.learn(ctx, p, d)
}

// undoDecision has the supervisor take back the decision, which is
// taken again on redecide; the card's steps move as much. A decision
// that is no longer the application's latest step cannot be taken back
// (permit.Undoable), and stands.
func (s *sim) undoDecision(ctx context.Context, p *person, d int) error {
	p.undo = never
	err := s.files.Decisions.Undo(ctx, s.supervisor, p.app, "décision prise par erreur")
	if permit.ErrorCode(err) == permit.ECONFLICT {
		return nil
	}
	if err != nil {
		return fmt.Errorf("undo the decision: %w", err)
	}
	shift := p.redecide - p.decide
	p.decide, p.state, p.undone = p.redecide, permit.StateUnderReview, true
	if p.card != never {
		p.card, p.hand = p.card+shift, p.hand+shift
	}
	s.undos++
	return s.learn(ctx, p, d)
}

// learn reads an application's attestations after a step that replaces
// or revokes some in its own transaction (a correction, an undo, a
// move): those stop proving on d, new ones prove from their signing.
func (s *sim) learn(ctx context.Context, p *person, d int) error {
	atts, err := s.db.Attestations(ctx, p.app)
	if err != nil {
		return err
	}
	s.iss.reissued(atts, d)
	return nil
}

// view returns the application as its holder sees it, or, for a person
// filed for at the counter, as the agent does.
func (s *sim) view(ctx context.Context, p *person) (*casework.Case, error) {
	if p.counter {
		return s.files.Decisions.StaffView(ctx, s.staff, p.app)
	}
	return s.files.Applications.View(ctx, p.acc, p.app)
}
