package health

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"strings"
)

// SMTPHello returns a Probe of the mail relay at addr (host:port): it
// connects, expects the relay's 220 greeting, says EHLO, expects 250 and
// says QUIT. It sends no mail and does not authenticate, so that probing
// every few seconds costs the relay nothing.
func SMTPHello(addr string) Probe {
	return func(ctx context.Context) error {
		var d net.Dialer
		conn, err := d.DialContext(ctx, "tcp", addr)
		if err != nil {
			return err
		}
		defer conn.Close()
		if deadline, ok := ctx.Deadline(); ok {
			_ = conn.SetDeadline(deadline)
		}
		r := bufio.NewReader(conn)
		if err := expect(r, "220"); err != nil {
			return fmt.Errorf("greeting: %w", err)
		}
		if _, err := fmt.Fprintf(conn, "EHLO sejour-health\r\n"); err != nil {
			return err
		}
		if err := expect(r, "250"); err != nil {
			return fmt.Errorf("EHLO: %w", err)
		}
		_, _ = fmt.Fprintf(conn, "QUIT\r\n")
		return nil
	}
}

// expect reads one SMTP reply, with its continuation lines ("250-..."),
// and checks its code.
func expect(r *bufio.Reader, code string) error {
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return err
		}
		if !strings.HasPrefix(line, code) {
			return fmt.Errorf("unexpected reply %q", strings.TrimSpace(line))
		}
		if len(line) < 4 || line[3] != '-' {
			return nil
		}
	}
}
