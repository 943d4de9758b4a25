package sim

import (
	"context"
	"fmt"
	"strings"

	"github.com/fanzha/fanzha/internal/db"
)

// bulk writes rows of one table with multi-row INSERTs, as the intake's
// batches and the restore do: a few statements per thousand rows instead
// of one per row, which is what makes a province's years of history
// quick to generate. Rows that reference another bulk's rows list it in
// deps, which is flushed first.
type bulk struct {
	ctx   context.Context
	tx    *db.Tx
	head  string // INSERT INTO t (cols) VALUES
	one   string // (?,?,…)
	cols  int
	per   int
	args  []any
	rows  int
	deps  []*bulk
	stmts map[int]string
}

func newBulk(ctx context.Context, tx *db.Tx, table string, cols []string, deps ...*bulk) *bulk {
	per := min(500, 30000/len(cols)) // under both engines' limits on parameters
	return &bulk{ctx: ctx, tx: tx, head: `INSERT INTO ` + table + ` (` + strings.Join(cols, ", ") + `) VALUES `,
		one: "(" + strings.TrimSuffix(strings.Repeat("?,", len(cols)), ",") + ")", cols: len(cols), per: per, deps: deps,
		stmts: map[int]string{}}
}

// add queues one row (its values in the columns' order).
func (b *bulk) add(vals ...any) error {
	if len(vals) != b.cols {
		return fmt.Errorf("bulk %s: %d values for %d columns", b.head, len(vals), b.cols)
	}
	b.args = append(b.args, vals...)
	b.rows++
	if b.rows >= b.per {
		return b.flush()
	}
	return nil
}

// flush writes the queued rows (after those of its deps).
func (b *bulk) flush() error {
	for _, d := range b.deps {
		if err := d.flush(); err != nil {
			return err
		}
	}
	if b.rows == 0 {
		return nil
	}
	q, ok := b.stmts[b.rows]
	if !ok {
		var s strings.Builder
		s.WriteString(b.head)
		for i := 0; i < b.rows; i++ {
			if i > 0 {
				s.WriteByte(',')
			}
			s.WriteString(b.one)
		}
		q = s.String()
		b.stmts[b.rows] = q
	}
	if _, err := b.tx.Exec(b.ctx, q, b.args...); err != nil {
		return fmt.Errorf("%s…: %w", b.head[:min(len(b.head), 40)], err)
	}
	b.args, b.rows = b.args[:0], 0
	return nil
}

// allocateIDs reserves n ids of table (whose id column is the migrations'
// auto-increment key) for rows written with explicit ids: from the
// sequence on PostgreSQL (safe with other writers), after the largest id
// on SQLite (one writer).
func allocateIDs(ctx context.Context, tx *db.Tx, table string, n int) ([]int64, error) {
	if n == 0 {
		return nil, nil
	}
	if tx.Dialect() == db.Postgres {
		rows, err := tx.Query(ctx, `SELECT nextval(pg_get_serial_sequence('`+table+`', 'id')) FROM generate_series(1, ?)`, n)
		if err != nil {
			return nil, fmt.Errorf("allocate %s ids: %w", table, err)
		}
		return db.Int64s(rows)
	}
	var max int64
	if err := tx.QueryRow(ctx, `SELECT COALESCE(MAX(id), 0) FROM `+table).Scan(&max); err != nil {
		return nil, fmt.Errorf("allocate %s ids: %w", table, err)
	}
	ids := make([]int64, n)
	for i := range ids {
		ids[i] = max + int64(i) + 1
	}
	return ids, nil
}
