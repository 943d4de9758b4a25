package db

import (
	"context"
	"fmt"
)

// RunExclusive runs fn unless another process holds the job's lock, and
// reports whether it ran. It is for scheduled jobs every replica ticks (the
// daily bulletin): on PostgreSQL a transaction takes
// pg_try_advisory_xact_lock on a key derived from the schema and the job's
// name and stays open while fn runs (fn uses its own connections), so a
// second replica ticking at the same moment skips quietly; the lock goes
// with the transaction, also when the process dies. On SQLite, where one
// process owns the database file, fn simply runs.
//
// The lock only keeps two runs apart; fn still checks what is done (the
// period's rows), so a replica ticking after the first one finished finds
// nothing left.
func (d *DB) RunExclusive(ctx context.Context, job string, fn func(ctx context.Context) error) (bool, error) {
	if d.Dialect != Postgres {
		return true, fn(ctx)
	}
	tx, err := d.DB.BeginTx(ctx, nil)
	if err != nil {
		return false, fmt.Errorf("job %s: begin lock: %w", job, err)
	}
	defer func() { _ = tx.Rollback() }()
	var got bool
	if err := tx.QueryRowContext(ctx, `SELECT pg_try_advisory_xact_lock(hashtextextended('fanzha job/' || current_schema() || '/' || $1, 0))`, job).Scan(&got); err != nil {
		return false, fmt.Errorf("job %s: lock: %w", job, err)
	}
	if !got {
		return false, nil
	}
	return true, fn(ctx)
}
