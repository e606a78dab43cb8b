package simulate

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"

	"github.com/sejour/sejour/internal/casework"
	"github.com/sejour/sejour/internal/demo"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/rules"
)

// live applies person p's events of day d, in the order a file moves,
// until nothing more is due that day.
func (s *sim) live(ctx context.Context, p *person, d int) error {
	for {
		did, err := s.next(ctx, p, d)
		if err != nil {
			return fmt.Errorf("person %d, application %d, on %s (%s): %w", p.n, p.app, s.days.date(d), p.state, err)
		}
		if !did {
			break
		}
	}
	if n := len(p.history); n == 0 && p.state != "" || n > 0 && p.history[n-1].state != p.state {
		p.history = append(p.history, change{d, p.state})
	}
	return nil
}

// next takes the first step that is due, as one request, and reports
// whether it took one. A request that failed around its commit (see
// faults.go) ends the person's day: like the holder or the agent
// reloading the page, the simulation reads back where the application
// stands, and a step that did not commit is due again tomorrow.
func (s *sim) next(ctx context.Context, p *person, d int) (bool, error) {
	req, cancel := s.faults.request(ctx)
	defer cancel()
	did, err := s.step(req, p, d)
	if !failed(err) || ctx.Err() != nil {
		return did, err
	}
	s.requestFaults++
	a, err := s.db.Application(ctx, p.app)
	if err != nil {
		return false, err
	}
	if p.state = a.State; a.SubmittedAt != nil {
		return false, s.assess(ctx, p)
	}
	return false, nil
}

// step takes the first step that is due, and reports whether it took one.
func (s *sim) step(ctx context.Context, p *person, d int) (bool, error) {
	due := func(day int) bool { return day <= d }
	pending := p.state == permit.StateSubmitted || p.state == permit.StateUnderReview
	switch {
	case p.state == "" && due(p.draft) && p.counter:
		return true, s.openAtCounter(ctx, p)
	case p.state == "" && due(p.draft):
		return true, s.openDraft(ctx, p)
	case p.state != "" && p.state != permit.StateDraft && due(p.move):
		return true, s.moveHouse(ctx, p, d)
	case (p.state == permit.StateFavourable || p.state == permit.StateUnfavourable) && due(p.undo):
		return true, s.undoDecision(ctx, p, d)
	case p.state != "" && p.state != permit.StateDraft && due(p.correct):
		return true, s.requestCorrection(ctx, p)
	case p.correction != 0 && due(p.settle):
		return true, s.settleCorrection(ctx, p, d)
	case p.state == permit.StateDraft && due(p.file):
		return true, s.fileDraft(ctx, p)
	case (pending || p.state == permit.StateIncomplete) && due(p.withdraw):
		return true, s.to(p, s.files.Applications.Withdraw(ctx, p.acc, p.app, "simulation"), permit.StateWithdrawn)
	case pending && p.asked == nil && due(p.ask):
		return true, s.askDocuments(ctx, p, d)
	case p.state == permit.StateIncomplete && due(p.answer):
		return true, s.answer(ctx, p)
	case p.state == permit.StateIncomplete && due(p.close):
		return true, s.to(p, s.files.Decisions.Close(ctx, s.staff, p.app, "demande de pièces restée sans réponse"), permit.StateClosed)
	case p.state == permit.StateClosed && due(p.reopen):
		return true, s.to(p, s.files.Decisions.Reopen(ctx, s.staff, p.app, "pièces reçues au guichet"), permit.StateUnderReview)
	case p.state == permit.StateSubmitted && (due(p.review) || due(p.decide)):
		return true, s.to(p, s.files.Decisions.StartReview(ctx, s.staff, p.app), permit.StateUnderReview)
	case p.state == permit.StateUnderReview && due(p.decide):
		return true, s.decide(ctx, p)
	case p.state == permit.StateFavourable && due(p.card):
		return true, s.to(p, s.files.Decisions.ProduceCard(ctx, s.staff, p.app), permit.StateCardReady)
	case p.state == permit.StateCardReady && due(p.hand):
		return true, s.to(p, s.files.Decisions.HandOver(ctx, s.staff, p.app, s.card(p, d)), permit.StateHandedOver)
	}
	return false, nil
}

// to records the state a use case that succeeded led to.
func (s *sim) to(p *person, err error, st permit.State) error {
	if err == nil {
		p.state = st
	}
	return err
}

// openDraft creates the holder's account and profile, starts the
// application and uploads its documents.
func (s *sim) openDraft(ctx context.Context, p *person) error {
	now := s.clock.Now()
	p.acc = &permit.Account{Email: fmt.Sprintf("titulaire%07d@simulation.sejour.localhost", p.n), Role: permit.RoleApplicant, Lang: "fr", ConfirmedAt: &now}
	hash := "!"
	if p.move != never {
		hash = s.moverHash
	}
	if err := s.db.Accounts().CreateAccount(ctx, p.acc, hash, nil, nil); err != nil {
		return err
	}
	if err := s.saveProfile(ctx, p); err != nil {
		return err
	}
	a, err := s.files.Applications.Start(ctx, p.acc, casework.StartForm{Kind: p.kind, Ground: p.ground})
	if err != nil {
		return err
	}
	p.app, p.state = a.ID, permit.StateDraft
	docs, err := s.rules.RequiredDocuments(p.ground, p.kind)
	if err != nil {
		return err
	}
	return s.upload(ctx, p, docs)
}

// saveProfile declares the holder's identity, address and permit.
func (s *sim) saveProfile(ctx context.Context, p *person) error {
	return s.files.Applications.SaveProfile(ctx, p.acc, s.profileForm(p))
}

// profileForm is the holder's identity, address and permit as declared.
func (s *sim) profileForm(p *person) casework.ProfileForm {
	pref := prefectures[p.pref]
	form := casework.ProfileForm{GivenNames: "Awa", Surname: p.surname(), BirthDate: "1994-05-17",
		BirthPlace: "Bamako, Mali", Nationality: "MLI", ForeignerNumber: fmt.Sprintf("%010d", 7500000000+p.n),
		AddressLine: "1 rue de la Simulation", Postcode: pref.postcode, City: pref.city}
	if p.held != "" {
		form.HasPermit, form.PermitGround, form.PermitNumber = true, string(p.held), fmt.Sprintf("SIM%08d", p.n)
		form.PermitFrom, form.PermitTo = s.days.date(p.expiry-364), s.days.date(p.expiry)
	}
	return form
}

func (s *sim) upload(ctx context.Context, p *person, docs []*rules.Document) error {
	for _, doc := range docs {
		if !doc.TakesFiles() { // the photo, given as its e-photo code
			if err := s.files.Documents.SetPhotoCode(ctx, p.acc, p.app, fmt.Sprintf("SIM%019d", p.n)); err != nil {
				return fmt.Errorf("e-photo code: %w", err)
			}
			continue
		}
		if _, err := s.files.Documents.Upload(ctx, p.acc, p.app, doc.ID, doc.ID+".png", s.scan); err != nil {
			return fmt.Errorf("upload %s: %w", doc.ID, err)
		}
	}
	return nil
}

// fileDraft pays the fee and files; it notes whether the application is
// a complete, in-time renewal, as casework.Plan will judge it.
func (s *sim) fileDraft(ctx context.Context, p *person) error {
	if err := s.files.Documents.SetFeeStamp(ctx, p.acc, p.app, fmt.Sprintf("%016d", 1000000000000000+p.n)); err != nil {
		return err
	}
	if p.counter {
		if _, err := s.files.Counter.FileOnBehalf(ctx, s.staff, p.app, true); err != nil {
			return err
		}
		s.counterFilings++
	} else if _, err := s.files.Applications.File(ctx, p.acc, p.app); err != nil {
		return err
	}
	p.state = permit.StateSubmitted
	return s.assess(ctx, p)
}

// assess notes whether the application is a complete, in-time renewal
// and when the permit ends, as casework.Plan reads them.
func (s *sim) assess(ctx context.Context, p *person) error {
	a, err := s.db.Application(ctx, p.app)
	if err != nil {
		return err
	}
	p.filed = s.days.of(a.SubmittedAt.In(permit.Paris))
	if p.kind != permit.KindRenewal {
		return nil
	}
	pm, err := s.db.CurrentPermit(ctx, a.PersonID)
	if err != nil {
		return err
	}
	w := s.rules.RenewalWindow.Assess(pm.ValidTo, a.SubmittedAt.In(permit.Paris))
	p.inTime, p.lastDay = w.Status != rules.WindowLate, s.days.of(pm.ValidTo)
	return nil
}

// askDocuments has the prefecture ask for one or two of the filed
// documents again, due in 30 days.
func (s *sim) askDocuments(ctx context.Context, p *person, d int) error {
	docs, err := s.rules.RequiredDocuments(p.ground, p.kind)
	if err != nil {
		return err
	}
	slots := []string{docs[len(docs)-1].ID}
	if len(docs) > 1 && p.n%2 == 0 {
		slots = append(slots, docs[0].ID)
	}
	err = s.files.Decisions.RequestCompletion(ctx, s.staff, p.app, casework.CompletionForm{Slots: slots,
		Reason: "pièce illisible", DueOn: s.days.date(d + 30)})
	if err != nil {
		return err
	}
	p.asked, p.state = slots, permit.StateIncomplete
	s.completionRequests++
	return nil
}

// answer uploads what was asked for and sends the file back.
func (s *sim) answer(ctx context.Context, p *person) error {
	for _, slot := range p.asked {
		if _, err := s.files.Documents.Upload(ctx, p.acc, p.app, slot, slot+"-2.png", s.scan); err != nil {
			return fmt.Errorf("upload %s: %w", slot, err)
		}
	}
	_, err := s.files.Applications.Resubmit(ctx, p.acc, p.app)
	return s.to(p, err, permit.StateUnderReview)
}

// decide takes the prefecture's decision through the decision use cases;
// before granting, the agent checks the file as the catalogue requires
// (documents accepted, identity confirmed), as the demonstration agent
// does.
func (s *sim) decide(ctx context.Context, p *person) error {
	if p.favourable {
		if err := demo.Check(ctx, s.files.Decisions, s.staff, p.app); err != nil {
			return err
		}
		return s.to(p, s.files.Decisions.DecideFavourable(ctx, s.staff, p.app, ""), permit.StateFavourable)
	}
	err := s.files.Decisions.DecideUnfavourable(ctx, s.staff, p.app,
		casework.RefusalForm{Reasons: []string{"conditions_not_met"}, Note: "conditions non remplies"})
	return s.to(p, err, permit.StateUnfavourable)
}

// card is the card handed over on day d: valid for a year from then.
func (s *sim) card(p *person, d int) casework.HandOverForm {
	return casework.HandOverForm{Number: fmt.Sprintf("SIMC%08d", p.n), ValidFrom: s.days.date(d), ValidTo: s.days.date(d + 365)}
}

// prefecture is one of the simulated prefectures and an address in it.
type prefecture struct{ code, name, postcode, city string }

var prefectures = []prefecture{
	{"75", "Préfecture de police de Paris", "75011", "Paris"},
	{"69", "Préfecture du Rhône", "69003", "Lyon"},
	{"93", "Préfecture de la Seine-Saint-Denis", "93200", "Saint-Denis"},
	{"13", "Préfecture des Bouches-du-Rhône", "13001", "Marseille"},
}

// scanImage is the document every holder uploads: a small PNG, which the
// upload check parses like any other.
func scanImage() []byte {
	img := image.NewGray(image.Rect(0, 0, 48, 32))
	for x := range 48 {
		img.Set(x, x%32, color.Gray{Y: 40})
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		panic(err) // encoding an in-memory image does not fail
	}
	return b.Bytes()
}

// hours of the simulated day: events in the morning, issuance at night.
const (
	morning = 8
	night   = 20
)
