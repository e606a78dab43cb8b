package jobs

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/sejour/sejour/internal/store"
)

// txInserter is a River client that can insert jobs in a database/sql
// transaction: the working client on SQLite (River's SQLite driver works
// on database/sql), an insert-only client on the store's pool on
// PostgreSQL (River's database/sql driver), since the store's
// transactions are database/sql ones.
type txInserter interface {
	InsertManyTx(ctx context.Context, tx *sql.Tx, params []river.InsertManyParams) ([]*rivertype.JobInsertResult, error)
}

// InsertJobsTx inserts the jobs a store write owes, in the write's own
// transaction (store.JobInserter): a mail to deliver, an application whose
// attestations to issue. They exist if and only if the write commits, so
// that no crash, timeout or closed connection after the commit can lose
// them. Mails are not queued when they are only kept (no SMTP); issuing is
// queued only when this queue works it.
func (q *Queue) InsertJobsTx(ctx context.Context, tx *sql.Tx, owed []store.Job) error {
	var params []river.InsertManyParams
	for _, j := range owed {
		switch j.Kind {
		case store.JobDeliverMail:
			if !q.keep {
				params = append(params, river.InsertManyParams{Args: DeliverMailArgs{MailID: j.ID}})
			}
		case store.JobIssueAttestations:
			if q.issuing {
				params = append(params, river.InsertManyParams{Args: IssueAttestationsArgs{ApplicationID: j.ID}})
			}
		case store.JobAnswerReset:
			if q.resets {
				params = append(params, river.InsertManyParams{Args: AnswerResetArgs{RequestID: j.ID}})
			}
		case store.JobFollowUpEvent:
			if q.follow {
				params = append(params, river.InsertManyParams{Args: FollowUpEventArgs{EventID: j.ID}})
			}
		case store.JobDeliverWebhook:
			if q.follow {
				params = append(params, river.InsertManyParams{Args: DeliverWebhookArgs{EventID: j.ID}})
			}
		case store.JobDeliverSMS:
			if q.sms {
				params = append(params, river.InsertManyParams{Args: DeliverSMSArgs{SMSID: j.ID}})
			}
		default:
			return fmt.Errorf("jobs: unknown job kind %q owed by a write", j.Kind)
		}
	}
	if len(params) == 0 {
		return nil
	}
	if q.inserter == nil {
		return fmt.Errorf("jobs: no transactional inserter (Database.Store is not set)")
	}
	if _, err := q.inserter.InsertManyTx(ctx, tx, params); err != nil {
		return fmt.Errorf("jobs: insert %d owed job(s): %w", len(params), err)
	}
	return nil
}
