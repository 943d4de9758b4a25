package db

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"slices"
	"time"
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

// Claim runs a conditional UPDATE that re-checks the condition that made
// a row work to do (a deadline still missed and not escalated, a message
// still pending) and reports whether it changed exactly one row: whether
// this caller won the row. Of several replicas claiming the same row, the
// others' UPDATEs find the condition false (on PostgreSQL they wait for the
// winner's commit first) and change nothing.
func Claim(ctx context.Context, q Querier, query string, args ...any) (bool, error) {
	res, err := q.Exec(ctx, query, args...)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, err
	}
	return n == 1, nil
}

// ClaimAll is the sweep every background job of this kind runs inside one
// transaction (its functions close over it): it reads the candidates with find, claims them in ascending
// key order (so that two sweeps never deadlock) with claim, and calls won
// for each one it won — the timeline line, the notification — in the same
// transaction. It returns the won candidates in that order.
func ClaimAll[T any](find func() ([]T, error), key func(T) int64, claim func(T) (bool, error), won func(T) error) ([]T, error) {
	found, err := find()
	if err != nil {
		return nil, err
	}
	slices.SortStableFunc(found, func(a, b T) int { return cmp.Compare(key(a), key(b)) })
	var out []T
	for _, c := range found {
		ok, err := claim(c)
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		if err := won(c); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// Every runs fn at once and then every interval until ctx ends — the loop
// of every background job. An error is logged as name and the loop goes on
// (the next tick retries); none is logged once ctx has ended.
func Every(ctx context.Context, every time.Duration, log *slog.Logger, name string, fn func(ctx context.Context) error) {
	if log == nil {
		log = slog.Default()
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if err := fn(ctx); err != nil && ctx.Err() == nil {
			log.Error(name, "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
