package jobs

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/riverqueue/river/rivertype"
)

// Database says where River keeps its tables: in sejour's own database,
// beside the store's, so that a mail and the job that delivers it live and
// are backed up together. Set exactly one field.
type Database struct {
	// SQLite is the store's single writer pool (store.DB.SQL()). River
	// shares it rather than opening a second writer on the file: SQLite
	// has one writer at a time, and River's own documentation asks for a
	// pool of one connection.
	SQLite *sql.DB

	// PostgresURL is the store's PostgreSQL URL (SEJOUR_DATABASE_URL),
	// including any search_path parameter, so that River's tables land in
	// the store's schema. River opens a pgx pool of its own on it, for
	// LISTEN/NOTIFY: a queued mail is picked up at once rather than at
	// the next poll.
	PostgresURL string

	// PostgresStore is the store's own database/sql pool on PostgreSQL
	// (store.DB.SQL()), in whose transactions the jobs a write owes are
	// inserted (InsertJobsTx). Without it, on PostgreSQL, writes owe
	// nothing to the queue and only the sweeps find the work.
	PostgresStore *sql.DB
}

func (d Database) validate() error {
	if (d.SQLite == nil) == (d.PostgresURL == "") {
		return errors.New("jobs: set exactly one of Database.SQLite and Database.PostgresURL")
	}
	return nil
}

// riverClient is what a Queue uses of a *river.Client, whatever the
// transaction type of its driver.
type riverClient interface {
	Start(ctx context.Context) error
	Stop(ctx context.Context) error
	StopAndCancel(ctx context.Context) error
	InsertMany(ctx context.Context, params []river.InsertManyParams) ([]*rivertype.JobInsertResult, error)
	JobList(ctx context.Context, params *river.JobListParams) (*river.JobListResult, error)
	JobRetry(ctx context.Context, id int64) (*rivertype.JobRow, error)
	JobGet(ctx context.Context, id int64) (*rivertype.JobRow, error)
}

// newClient returns a River client on d, and a function releasing what it
// opened for it (the pgx pool), to call once the client has stopped.
func (d Database) newClient(ctx context.Context, cfg *river.Config) (riverClient, txInserter, func(), error) {
	if err := d.validate(); err != nil {
		return nil, nil, nil, err
	}
	if d.SQLite != nil {
		client, err := river.NewClient(riversqlite.New(d.SQLite), cfg)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("jobs: river client: %w", err)
		}
		return client, client, func() {}, nil
	}
	pool, err := d.pgxPool(ctx)
	if err != nil {
		return nil, nil, nil, err
	}
	client, err := river.NewClient(riverpgxv5.New(pool), cfg)
	if err != nil {
		pool.Close()
		return nil, nil, nil, fmt.Errorf("jobs: river client: %w", err)
	}
	var inserter txInserter
	if d.PostgresStore != nil {
		// Insert only: it works no job and opens no connection of its own.
		ins, err := river.NewClient(riverdatabasesql.New(d.PostgresStore), &river.Config{Logger: cfg.Logger, Test: cfg.Test})
		if err != nil {
			pool.Close()
			return nil, nil, nil, fmt.Errorf("jobs: river inserter: %w", err)
		}
		inserter = ins
	}
	return client, inserter, pool.Close, nil
}

func (d Database) pgxPool(ctx context.Context) (*pgxpool.Pool, error) {
	pool, err := pgxpool.New(ctx, d.PostgresURL)
	if err != nil {
		return nil, fmt.Errorf("jobs: PostgreSQL pool: %w", err)
	}
	pingCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := pool.Ping(pingCtx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("jobs: cannot reach PostgreSQL: %w", err)
	}
	return pool, nil
}

// Migrate brings River's own tables (river_job, river_leader, ...) up to
// date. sejour's migrate command calls it after the store's migrations; it
// is idempotent.
func Migrate(ctx context.Context, d Database, logger *slog.Logger) error {
	if err := d.validate(); err != nil {
		return err
	}
	logger = orDiscard(logger)
	if d.SQLite != nil {
		return migrate(ctx, riversqlite.New(d.SQLite), logger)
	}
	pool, err := d.pgxPool(ctx)
	if err != nil {
		return err
	}
	defer pool.Close()
	return migrate(ctx, riverpgxv5.New(pool), logger)
}

func migrate[TTx any](ctx context.Context, driver riverdriver.Driver[TTx], logger *slog.Logger) error {
	migrator, err := rivermigrate.New(driver, &rivermigrate.Config{Logger: logger})
	if err != nil {
		return fmt.Errorf("jobs: river migrator: %w", err)
	}
	if _, err := migrator.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("jobs: river migrations: %w", err)
	}
	return nil
}

func orDiscard(logger *slog.Logger) *slog.Logger {
	if logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return logger
}
