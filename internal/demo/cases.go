package demo

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"time"

	"github.com/sejour/sejour/internal/casework"
	"github.com/sejour/sejour/internal/password"
	"github.com/sejour/sejour/internal/permit"
)

// stage is how far the prefecture has taken a demonstration case.
type stage int

const (
	filed     stage = iota // waiting for the prefecture
	asked                  // documents asked for
	granted                // favourable decision: the attestation is issued
	cardReady              // card ready, appointment offered
	refused                // refused with reasons
)

// filedPerson is an applicant whose renewal the back office works on.
type filedPerson struct {
	person
	stage stage
	// correctBirthPlace, when set, is a correction of the birth place the
	// applicant asks for once the case is at its stage: a request waiting
	// for an agent at /agent/corrections.
	correctBirthPlace string
}

var filedPeople = []filedPerson{
	{person{"fatou.camara@demo.sejour.localhost", "Fatou", "Camara", "2000-06-14", "Bamako, Mali", "MLI",
		"student renewal filed, waiting for the prefecture", "student", 95, nil}, filed, ""},
	{person{"ivan.petrov@demo.sejour.localhost", "Ivan", "Petrov", "1985-03-02", "Odessa, Ukraine", "UKR",
		"employee renewal: the prefecture asked for a document", "employee", 100, nil}, asked, ""},
	{person{"mei.chen@demo.sejour.localhost", "Mei", "Chen", "1994-12-08", "Chengdu, Chine", "CHN",
		"student renewal granted: favourable-decision attestation issued; asks to correct her birth place", "student", 110, nil}, granted, "Chengdu, Sichuan, Chine"},
	{person{"joao.silva@demo.sejour.localhost", "João", "Silva", "1990-07-19", "Porto, Portugal", "AGO",
		"employee renewal granted, card ready, a collection slot to pick", "employee", 105, nil}, cardReady, ""},
	{person{"amadou.ba@demo.sejour.localhost", "Amadou", "Ba", "1998-01-27", "Thiès, Sénégal", "SEN",
		"student renewal refused, with reasons and appeal deadlines", "student", 92, nil}, refused, ""},
}

// Cases files a renewal for each of filedPeople and takes it, as the
// demonstration agent, to its stage, so that the back office shows cases
// at every step. Like Load, it is idempotent.
func Cases(ctx context.Context, files *casework.UseCases, st Store, params password.Params, now time.Time, out io.Writer) error {
	pref, err := prefecture(ctx, st)
	if err != nil {
		return err
	}
	hash, err := password.Hash(Password, params)
	if err != nil {
		return err
	}
	agent, _, err := st.Accounts.AccountByEmail(ctx, "agent@demo.sejour.localhost")
	if err != nil {
		return fmt.Errorf("the demonstration agent: %w", err)
	}
	for _, fp := range filedPeople {
		acc := &permit.Account{Email: fp.email, Role: permit.RoleApplicant}
		created, err := account(ctx, st, acc, hash, now)
		if err != nil {
			return err
		}
		if created {
			if err := fileCase(ctx, files, st, pref, acc, agent, fp, now); err != nil {
				return fmt.Errorf("demonstration case of %s: %w", fp.email, err)
			}
			if err := askCorrection(ctx, files, acc, fp); err != nil {
				return fmt.Errorf("demonstration correction of %s: %w", fp.email, err)
			}
		}
		fmt.Fprintf(out, "  %-40s applicant: %s\n", fp.email, fp.story)
	}
	return reports(ctx, files, st, out)
}

func fileCase(ctx context.Context, files *casework.UseCases, st Store, pref *permit.Prefecture, acc, agent *permit.Account, fp filedPerson, now time.Time) error {
	per := &permit.Person{AccountID: acc.ID, GivenNames: fp.given, Surname: fp.surname, BirthDate: fp.birth,
		BirthPlace: fp.birthPlace, Nationality: fp.nationality, PrefectureID: pref.ID,
		Address: permit.Address{Line: "5 avenue Parmentier", Postcode: "75011", City: "Paris"}}
	if err := st.Files.CreatePerson(ctx, per); err != nil {
		return err
	}
	end := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC).AddDate(0, 0, fp.permitEndsIn)
	if err := st.Files.CreatePermit(ctx, &permit.Permit{PersonID: per.ID, Ground: fp.permitGround, Number: fmt.Sprintf("75%08d", per.ID),
		ValidFrom: end.AddDate(-1, 0, 0), ValidTo: end}); err != nil {
		return err
	}
	a, err := files.Applications.Start(ctx, acc, casework.StartForm{Kind: permit.KindRenewal, Ground: fp.permitGround})
	if err != nil {
		return err
	}
	c, err := files.Applications.View(ctx, acc, a.ID)
	if err != nil {
		return err
	}
	for _, it := range c.Checklist {
		if !it.Doc.TakesFiles() { // the photo, given as its e-photo code
			if err := files.Documents.SetPhotoCode(ctx, acc, a.ID, fmt.Sprintf("DEMO%018d", a.ID)); err != nil {
				return err
			}
			continue
		}
		if _, err := files.Documents.Upload(ctx, acc, a.ID, it.Doc.ID, it.Doc.ID+".png", scanOf(it.Doc.ID)); err != nil {
			return err
		}
	}
	// A stamp is used once across the portal: each person's is theirs.
	if err := files.Documents.SetFeeStamp(ctx, acc, a.ID, fmt.Sprintf("%016d", 1234567890000000+per.ID)); err != nil {
		return err
	}
	if _, err := files.Applications.File(ctx, acc, a.ID); err != nil {
		return err
	}
	if fp.stage == filed {
		return nil
	}
	if err := files.Decisions.StartReview(ctx, agent, a.ID); err != nil {
		return err
	}
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	switch fp.stage {
	case asked:
		return files.Decisions.RequestCompletion(ctx, agent, a.ID, casework.CompletionForm{Slots: []string{"payslips"},
			Reason: "Vos trois derniers bulletins de salaire manquent.", DueOn: today.AddDate(0, 0, 30).Format(time.DateOnly)})
	case refused:
		return files.Decisions.DecideUnfavourable(ctx, agent, a.ID, casework.RefusalForm{Reasons: []string{"no_real_studies"},
			Note: "Aucune inscription dans un établissement pour l'année universitaire en cours."})
	}
	if err := Check(ctx, files.Decisions, agent, a.ID); err != nil {
		return err
	}
	if err := files.Decisions.DecideFavourable(ctx, agent, a.ID, "Dossier complet, conditions remplies."); err != nil {
		return err
	}
	if fp.stage == cardReady {
		return files.Decisions.ProduceCard(ctx, agent, a.ID)
	}
	return nil
}

// askCorrection sends the correction request of fp, if it has one,
// with a scan of the passport as evidence.
func askCorrection(ctx context.Context, files *casework.UseCases, acc *permit.Account, fp filedPerson) error {
	if fp.correctBirthPlace == "" {
		return nil
	}
	_, err := files.Corrections.RequestCorrection(ctx, acc, casework.CorrectionForm{
		Identity: casework.ProfileForm{GivenNames: fp.given, Surname: fp.surname, BirthDate: fp.birth,
			BirthPlace: fp.correctBirthPlace, Nationality: fp.nationality},
		Explanation: "La province manque à mon lieu de naissance ; voir mon passeport.",
		Filename:    "passeport.png", Evidence: scanOf("passport")})
	return err
}

// scanOf is a small picture standing for a scanned document, different
// for each document so that each has its own content.
func scanOf(slot string) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 120, 80))
	shade := uint8(len(slot) * 17)
	for x := range 120 {
		for y := range 80 {
			img.Set(x, y, color.RGBA{245, 245, 240, 255})
		}
		img.Set(x, 10+x%60, color.RGBA{0, 0, shade, 255})
	}
	var b bytes.Buffer
	_ = png.Encode(&b, img) // encoding to memory does not fail
	return b.Bytes()
}

// Check takes, as agent, the checks the catalogue requires before a
// favourable decision on an application (casework.Decisions.Unchecked):
// it accepts every required document not accepted yet and confirms the
// identity. It is what the demonstration agent does before granting, and
// what the simulation's agents and the tests do too; a document never
// given is an error, since no agent can accept it.
func Check(ctx context.Context, d *casework.Decisions, agent *permit.Account, appID int64) error {
	missing, err := d.Unchecked(ctx, agent, appID)
	if err != nil || missing == nil {
		return err
	}
	for _, doc := range missing.Documents {
		if doc.Version == 0 {
			return fmt.Errorf("application %d: document %s was never given", appID, doc.Slot)
		}
		if err := d.ReviewDocument(ctx, agent, appID, doc.Version, casework.ReviewForm{Accept: true}); err != nil {
			return err
		}
	}
	if missing.Identity {
		return d.ConfirmIdentity(ctx, agent, appID)
	}
	return nil
}
