package store

import (
	"context"

	"github.com/sejour/sejour/internal/audit"
)

// appendAudit writes the audit entries a context carries, inside the
// transaction of the write they record. The hash chain is filled in by
// the audit part of the back office (migration 0007).
func appendAudit(ctx context.Context, tx *Tx, at any) error {
	for range audit.From(ctx) {
		// Placeholder until the audit_log table exists: see 0007_audit.sql.
	}
	return nil
}
