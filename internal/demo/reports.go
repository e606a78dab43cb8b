package demo

import (
	"context"
	"fmt"
	"io"

	"github.com/sejour/sejour/internal/casework"
	"github.com/sejour/sejour/internal/permit"
)

// reports makes two reports of problems for the support queue: one by a
// demonstration applicant about her application, and one by someone
// without an account who quotes the reference of a server error (whose
// incident is recorded too). Like the rest, it runs once: when the
// applicant already has reports, nothing is added.
func reports(ctx context.Context, files *casework.UseCases, st Store, out io.Writer) error {
	acc, _, err := st.Accounts.AccountByEmail(ctx, filedPeople[0].email)
	if err != nil {
		return err
	}
	mine, err := files.Reports.MyReports(ctx, acc)
	if err != nil || len(mine) > 0 {
		return err
	}
	apps, err := files.Reports.ReportChoices(ctx, acc)
	if err != nil {
		return err
	}
	f := casework.ReportForm{Category: string(permit.ReportAttestation), Lang: "fr", Page: "/tableau-de-bord",
		Description: "Je n'ai pas reçu mon attestation de dépôt par courriel, et mon employeur me la demande."}
	if len(apps) > 0 {
		f.Application = fmt.Sprint(apps[0].ID)
	}
	if _, _, err := files.Reports.ReportProblem(ctx, acc, f); err != nil {
		return fmt.Errorf("demonstration report: %w", err)
	}
	inc := &permit.Incident{Reference: permit.NewReference("ERR"), Source: permit.IncidentWeb, Kind: "http_503", Method: "POST",
		Path: "/connexion", Status: 503, Cause: "demonstration: the database did not answer within 10 s"}
	if err := files.Reports.RecordIncident(ctx, inc); err != nil {
		return err
	}
	r, code, err := files.Reports.ReportProblem(ctx, nil, casework.ReportForm{Category: string(permit.ReportSiteFails), Lang: "fr",
		Page: "/connexion", ErrorRef: inc.Reference, Phone: "06 12 34 56 78",
		Description: "Je n'arrive pas à me connecter : la page affiche une erreur. Je n'ai pas d'adresse électronique, rappelez-moi s'il vous plaît."})
	if err != nil {
		return fmt.Errorf("demonstration report: %w", err)
	}
	fmt.Fprintf(out, "\n  Reports of problems: one by %s, one without an account (%s, follow it at /suivi/%s)\n",
		filedPeople[0].email, r.Reference, code)
	return nil
}
