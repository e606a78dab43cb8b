package main

import (
	"context"
	"fmt"
	"io"

	"github.com/sejour/sejour/internal/app"
)

// auditCommand runs `sejour audit verify`: it walks the whole audit trail
// and checks every link of its hash chain. It exits 0 with "OK, N
// entries" and the last hash (worth noting down: a trail cut short after
// it would end on another), or 1 with the first broken link.
func auditCommand(ctx context.Context, m *app.Main, args []string, out io.Writer) error {
	if len(args) != 1 || args[0] != "verify" {
		return &exitError{2, "usage: sejour audit verify"}
	}
	if err := m.OpenDB(ctx); err != nil {
		return err
	}
	rep, err := m.DB.Audit().VerifyAudit(ctx)
	if err != nil {
		return fmt.Errorf("read the audit trail: %w", err)
	}
	if rep.Break != nil {
		fmt.Fprintf(out, "BROKEN: %s\n%d entries check out before it; the last of them has hash %s\n", rep.Break, rep.Count, rep.Head)
		return &exitError{1, fmt.Sprintf("the audit trail is broken at entry %d (%s): see docs/operations.md", rep.Break.ID, rep.Break.Problem)}
	}
	fmt.Fprintf(out, "OK, %d entries\nlast hash %s\n", rep.Count, rep.Head)
	return nil
}
