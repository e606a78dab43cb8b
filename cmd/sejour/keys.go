package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/sejour/sejour/internal/app"
	"github.com/sejour/sejour/internal/casework"
	"github.com/sejour/sejour/internal/clock"
	"github.com/sejour/sejour/internal/i18n"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/seal"
)

// keysCommand runs `sejour keys [list | rotate | retire KID]` on the
// signing keys that every instance shares in the database. rotate adds a
// key, which every instance signs with within a minute, without a
// restart; earlier ones stay published, so the attestations they signed
// still verify. retire removes a key that leaked from the published set.
func keysCommand(ctx context.Context, m *app.Main, args []string, out io.Writer) error {
	const usage = "usage: sejour keys [list | rotate | retire KID]"
	if len(args) == 0 {
		args = []string{"list"}
	}
	switch {
	case args[0] == "list" && len(args) == 1, args[0] == "rotate" && len(args) == 1, args[0] == "retire" && len(args) == 2:
	default:
		return &exitError{2, usage}
	}
	if err := m.OpenDB(ctx); err != nil {
		return err
	}
	if err := m.OpenKeys(ctx); err != nil {
		return err
	}
	switch args[0] {
	case "rotate":
		k, err := m.Keys.Rotate(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "new signing key %s; %d key(s) published. Every instance signs with it within a minute, without a restart.\n", k.ActiveKeyID(), len(k.Keys()))
		return nil
	case "retire":
		if err := m.Keys.Retire(ctx, args[1]); err != nil {
			return err
		}
		fmt.Fprintf(out, "key %s retired: no longer published nor trusted; the codes it signed read \"unknown key\".\n", args[1])
		return nil
	}
	for i, k := range m.Keys.Keyring(ctx).Keys() {
		role := "verifies"
		if i == 0 {
			role = "signs"
		}
		fmt.Fprintf(out, "%s  %s  %s\n", k.ID, k.Created.UTC().Format(time.RFC3339), role)
	}
	return nil
}

// exitError carries an exit status: verify says valid (0), not valid
// today (1), or not genuine (2).
type exitError struct {
	code int
	msg  string
}

func (e *exitError) Error() string { return e.msg }

// verifyOffline checks a code with a saved key set, without the portal.
func verifyOffline(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("verify", flag.ContinueOnError)
	fs.SetOutput(out)
	keysFile := fs.String("keys", "", "the key set, as saved from /.well-known/sejour/keys.json")
	tr := i18n.MustLoad()
	lang := fs.String("lang", i18n.Default, "language of the answer: one of "+strings.Join(tr.Langs(), ", "))
	if err := fs.Parse(args); err != nil {
		return &exitError{3, err.Error()}
	}
	if !tr.Known(*lang) {
		return &exitError{3, fmt.Sprintf("unknown language %q: one of %s", *lang, strings.Join(tr.Langs(), ", "))}
	}
	if *keysFile == "" || fs.NArg() != 1 {
		return &exitError{3, "usage: sejour verify --keys FILE CODE"}
	}
	b, err := os.ReadFile(*keysFile)
	if err != nil {
		return &exitError{3, fmt.Sprintf("read the key set: %v", err)}
	}
	set, err := seal.ParseKeySet(b)
	if err != nil {
		return &exitError{3, fmt.Sprintf("the key set does not parse: %v", err)}
	}
	t := func(key string, a ...any) string { return strings.ReplaceAll(tr.T(*lang, key, a...), "\u00a0", " ") }
	res, err := seal.Checker{Keys: set}.Check(strings.TrimSpace(fs.Arg(0)), clock.System{}.Now())
	if err != nil {
		outcome := permit.CodeForged
		var bad *permit.CodeError
		if errors.As(err, &bad) {
			outcome = bad.Outcome
		}
		fmt.Fprintln(out, t("verify.outcome."+outcome))
		return &exitError{2, t("verify.explain." + outcome)}
	}
	printResult(out, t, *lang, res)
	fmt.Fprintln(out, t("verify.offline_note"))
	if res.Status != permit.AttestationValid {
		return &exitError{1, t("verify.outcome." + string(res.Status))}
	}
	return nil
}

func printResult(out io.Writer, t func(string, ...any) string, lang string, r *casework.CodeResult) {
	fmt.Fprintln(out, t("verify.outcome."+string(r.Status)))
	fmt.Fprintf(out, "%s %s (%s)\n", t("attestation_kind."+string(r.Kind)), r.Number, t("verify.version", r.Version))
	fmt.Fprintf(out, "%s %s, %s\n", r.GivenNames, r.Surname, t("verify.born", i18n.Day(lang, r.BirthDate)))
	if !r.ValidUntil.IsZero() {
		fmt.Fprintln(out, t("attestations.validity", i18n.Date(lang, r.ValidFrom), i18n.Date(lang, r.ValidUntil)))
	}
	for _, line := range r.Rights.Words(t, func(d time.Time) string { return i18n.Date(lang, d) }) {
		fmt.Fprintln(out, "- "+line)
	}
	if c := r.Check; c != nil {
		fmt.Fprintf(out, "%s %s (SIRET %s), %s\n", t("verify.check.by"), c.Organisation, c.SIRET, i18n.Date(lang, r.IssuedAt))
		if c.PendingRenewal {
			fmt.Fprintln(out, t("pdf.workcheck.pending"))
		}
	}
	if d := r.Declaration; d != nil {
		fmt.Fprintf(out, "%s %s (SIRET %s)\n", t("verify.declaration.by"), d.Organisation, d.SIRET)
		fmt.Fprintf(out, "%s: %s\n", t("declarations.start"), i18n.Date(lang, d.StartDate))
		fmt.Fprintf(out, "%s: %s\n", t("declarations.status"), t("declaration.status."+string(d.Outcome)))
	}
	fmt.Fprintln(out, r.Prefecture)
}
