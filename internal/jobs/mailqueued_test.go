package jobs

import "context"

// MailQueued asks for the delivery of a mail already in the outbox that
// no write queued. Only tests ask: the store's writes insert the delivery
// job in their own transaction (InsertJobsTx), and the sweep delivers
// whatever was left. Without SMTP it does nothing.
func (q *Queue) MailQueued(ctx context.Context, mailID int64) error {
	return q.enqueueMails(ctx, []int64{mailID})
}
