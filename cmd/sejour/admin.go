package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/sejour/sejour/internal/app"
	"github.com/sejour/sejour/internal/casework"
	"github.com/sejour/sejour/internal/i18n"
	"github.com/sejour/sejour/internal/permit"
)

const adminUsage = "usage: sejour admin create --email ADDRESS [--prefecture CODE ...]"

// codes is a flag that may be given several times.
type codes []string

func (c *codes) String() string     { return strings.Join(*c, ",") }
func (c *codes) Set(v string) error { *c = append(*c, v); return nil }

// createAdmin makes an admin account, the first one of an instance or
// another, and prints a single-use link to choose its password: no
// password ever appears on a command line or in a shell's history.
func createAdmin(ctx context.Context, m *app.Main, args []string, out io.Writer) error {
	if len(args) == 0 || args[0] != "create" {
		return fmt.Errorf("%s", adminUsage)
	}
	fs := flag.NewFlagSet("admin create", flag.ContinueOnError)
	fs.SetOutput(out)
	email := fs.String("email", "", "the new admin's e-mail address")
	var prefectures codes
	fs.Var(&prefectures, "prefecture", "the code of a prefecture the admin belongs to (repeat for several)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if *email == "" || fs.NArg() > 0 {
		return fmt.Errorf("%s", adminUsage)
	}
	if err := m.OpenDB(ctx); err != nil {
		return err
	}
	tr, err := i18n.Load()
	if err != nil {
		return err
	}
	acc := &casework.Accounts{Store: m.DB.Accounts(), Tr: tr, Clock: m.Clock, Logger: m.Logger, BaseURL: m.Config.BaseURL}
	link, err := acc.CreateAdmin(ctx, *email, prefectures)
	if err != nil {
		return fmt.Errorf("admin create: %w", err)
	}
	fmt.Fprintf(out, "Admin account %s created.\n\nTo choose its password, open this link within %d days (it works once):\n\n  %s\n\n"+
		"The first log-in then asks to enrol a second factor with an authenticator app.\n",
		permit.NormalizeEmail(*email), int(casework.InviteTTL.Hours()/24), link)
	return nil
}
