package db

import (
	"context"
	"fmt"
)

// Scanner is one row to read: a *sql.Row or the current row of *sql.Rows.
// Domain scan functions take it so that one function reads a record from
// a single-row query and from a list.
type Scanner interface {
	Scan(dest ...any) error
}

// InTxValue is InTx for a use case that answers a value (a new id, the
// record it changed, an import report): it runs fn in a transaction and
// returns what fn returned. When fn fails the transaction is rolled back
// and fn's value is still returned beside the error, so a use case can
// explain a refusal (an import's bad rows) that stored nothing.
func InTxValue[T any](ctx context.Context, d *DB, fn func(tx *Tx) (T, error)) (T, error) {
	var out T
	err := d.InTx(ctx, func(tx *Tx) error {
		var err error
		out, err = fn(tx)
		return err
	})
	return out, err
}

// All runs query on q and reads every row with scan, in order. It closes
// the rows and reports the first error of the query, a scan or the
// iteration; an empty result is an empty slice, not nil (JSON []).
func All[T any](ctx context.Context, q Querier, scan func(Scanner) (T, error), query string, args ...any) ([]T, error) {
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []T{}
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, fmt.Errorf("read row %d: %w", len(out)+1, err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, nil
}
