package demo

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/sejour/sejour/internal/casework"
	"github.com/sejour/sejour/internal/password"
	"github.com/sejour/sejour/internal/paths"
	"github.com/sejour/sejour/internal/permit"
)

// EmployerStore signs the demonstration's organisation up.
type EmployerStore interface {
	SignUpOrganisation(ctx context.Context, o *permit.Organisation, a *permit.Account, passwordHash string, tok *permit.Token, m *permit.Mail) error
}

// The demonstration's employer and the applicant whose share code it
// checks (her student card gives 964 hours of work a year).
const (
	employerEmail = "rh@employeur.demo.sejour.localhost"
	sharerEmail   = "amina.diallo@demo.sejour.localhost"
)

// Employers loads the employers' part of the demonstration (issue 14): an
// organisation with its admin (second factor enrolled, secret printed),
// one API key and one work share code of a demo applicant, both new on
// every run since only their hashes are kept, and prints them with a
// one-line curl command that checks the code against the running server.
func Employers(ctx context.Context, uc *casework.UseCases, st Store, es EmployerStore, params password.Params, now time.Time, baseURL string, out io.Writer) error {
	admin, _, err := st.Accounts.AccountByEmail(ctx, employerEmail)
	if permit.ErrorCode(err) == permit.ENOTFOUND {
		hash, herr := password.Hash(Password, params)
		if herr != nil {
			return herr
		}
		admin = &permit.Account{Email: employerEmail, Lang: "fr", ConfirmedAt: &now}
		o := &permit.Organisation{Name: "Boulangerie Démo", SIRET: "73282932000074",
			Address: permit.Address{Line: "3 rue de Charonne", Postcode: "75011", City: "Paris"}}
		err = es.SignUpOrganisation(ctx, o, admin, hash, nil, nil)
	}
	if err != nil {
		return err
	}
	secret, err := enrol(ctx, st, admin)
	if err != nil {
		return err
	}
	key, _, err := uc.Employers.CreateAPIKey(ctx, admin, fmt.Sprintf("démo %s", now.Format(time.DateTime)))
	if err != nil {
		return err
	}
	sharer, _, err := st.Accounts.AccountByEmail(ctx, sharerEmail)
	if err != nil {
		return err
	}
	code, _, err := uc.WorkChecks.CreateShareCode(ctx, sharer, string(permit.ShareWork))
	if err != nil {
		return err
	}
	p, err := uc.Applications.Profile(ctx, sharer)
	if err != nil {
		return err
	}
	shown := casework.FormatShareCode(code)
	d, err := referredDeclaration(ctx, uc, admin, now)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "\nEmployer (checks at %s%s):\n", baseURL, paths.EmployerCheck)
	fmt.Fprintf(out, "  %-40s organisation admin of Boulangerie Démo\n  %-40s second-factor secret: %s\n", employerEmail, "", secret)
	fmt.Fprintf(out, "  API key (shown once):                    %s\n", key)
	fmt.Fprintf(out, "  %-40s work share code %s, born %s\n", sharerEmail, shown, p.Person.BirthDate)
	fmt.Fprintf(out, "\nCheck her right to work through the API:\n")
	fmt.Fprintf(out, "curl -sS -X POST -H 'Authorization: Bearer %s' -H 'Content-Type: application/json' -d '{\"share_code\": \"%s\", \"birth_date\": \"%s\"}' %s%s\n",
		key, shown, p.Person.BirthDate, baseURL, paths.APIWorkChecks)
	fmt.Fprintf(out, "\nA pre-hire declaration %s waits in the prefecture's queue (%s%s), due %s.\n",
		d.Number, baseURL, paths.AgentDeclarations, d.DueDate.Format(time.DateOnly))
	return nil
}

// referredDeclaration declares a hire for the demo organisation with a
// share code that matches no one, so that it waits, referred, in the
// queue of the prefecture of the organisation's address.
func referredDeclaration(ctx context.Context, uc *casework.UseCases, admin *permit.Account, now time.Time) (*permit.Declaration, error) {
	o, err := uc.WorkChecks.Organisation(ctx, admin)
	if err != nil {
		return nil, err
	}
	start, err := uc.Declarations.Rules.Declarations.EarliestStart(permit.ParisDay(now))
	if err != nil {
		return nil, err
	}
	return uc.Declarations.Declare(ctx, casework.Checker{Organisation: o, Account: admin}, casework.DeclarationForm{
		ShareCode: "ZZZ-ZZZ-ZZZ", BirthDate: "1998-03-02", GivenNames: "Karim", Surname: "Benali",
		StartDate: start.Format(time.DateOnly), Job: "Boulanger", WeeklyHours: "35", Contract: string(permit.ContractPermanent)})
}
