package warning

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/fanzha/fanzha/internal/db"
)

// Writing a batch: ids are allocated up front (SQLite: after the largest id,
// under the write lock the transaction holds from BEGIN; PostgreSQL: from
// the identity sequence), so warnings, merges into warnings of the same
// batch and timeline rows can be built in memory and written with
// multi-row INSERTs — a few statements per hundred warnings instead of
// several per warning.

// pendingRow is a warning waiting to be written.
type pendingRow struct {
	id       int64
	item     *ItemResult
	key      string
	assignee int64
	args     []any
}

const warningColumns = `id, source, source_ref, received_at, grade, priority, person_name, person_phone,
	person_id_number, person_birth, person_age, person_sex, person_address, fraud_type, scam_phone, scam_account,
	scam_url, scam_app, amount_fen, text, area_id, station_id, route_reason, assignee_id, status, merged_into,
	contact_due_at, last_intake_at, score_detail, created_at, updated_at, fraud_type_source, fraud_type_permille`

const warningColumnCount = 33

// allocate reserves n ids for new warnings.
func (b *batch) allocate(ctx context.Context, n int) error {
	if n == 0 {
		return nil
	}
	b.ids = b.ids[:0]
	if b.tx.Dialect() == db.Postgres {
		rows, err := b.tx.Query(ctx, `SELECT nextval(pg_get_serial_sequence('warnings', 'id')) FROM generate_series(1, ?)`, n)
		if err != nil {
			return fmt.Errorf("allocate warning ids: %w", err)
		}
		ids, err := db.Int64s(rows)
		b.ids = append(b.ids, ids...)
		return err
	}
	var max int64
	if err := b.tx.QueryRow(ctx, `SELECT COALESCE(MAX(id), 0) FROM warnings`).Scan(&max); err != nil {
		return fmt.Errorf("allocate warning ids: %w", err)
	}
	for i := 1; i <= n; i++ {
		b.ids = append(b.ids, max+int64(i))
	}
	return nil
}

func (b *batch) nextID() int64 {
	id := b.ids[0]
	b.ids = b.ids[1:]
	return id
}

// flush writes the pending warnings and timeline rows. A warning that
// another process stored between prefetch and now (PostgreSQL with several
// servers) comes back as not inserted: its item is answered as a duplicate
// and its timeline rows are dropped.
func (b *batch) flush(ctx context.Context) error {
	const perStmt = 100
	inserted := make(map[int64]bool, len(b.rows))
	for start := 0; start < len(b.rows); start += perStmt {
		chunk := b.rows[start:min(start+perStmt, len(b.rows))]
		var sb strings.Builder
		sb.WriteString(`INSERT INTO warnings (` + warningColumns + `) VALUES `)
		args := make([]any, 0, len(chunk)*warningColumnCount)
		one := "(" + strings.TrimSuffix(strings.Repeat("?,", warningColumnCount), ",") + ")"
		for i, r := range chunk {
			if i > 0 {
				sb.WriteByte(',')
			}
			sb.WriteString(one)
			args = append(args, r.args...)
		}
		sb.WriteString(` ON CONFLICT (source, source_ref) DO NOTHING RETURNING id`)
		st, err := b.prepared(ctx, sb.String())
		if err != nil {
			return fmt.Errorf("insert warnings: %w", err)
		}
		rows, err := st.QueryContext(ctx, args...)
		if err != nil {
			return fmt.Errorf("insert warnings: %w", err)
		}
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			inserted[id] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("insert warnings: %w", err)
		}
	}
	for _, r := range b.rows {
		if inserted[r.id] {
			continue
		}
		var id, merged int64
		var status string
		if err := b.tx.QueryRow(ctx, dupQuery, r.args[1], r.args[2]).Scan(&id, &status, &merged); err != nil {
			return fmt.Errorf("re-read duplicate: %w", err)
		}
		r.item.Status, r.item.ID, r.item.MergedInto = ItemDuplicate, id, merged
		if r.assignee != 0 {
			b.assigned[r.assignee]-- // not stored: no load added
		}
	}
	var events [][]any
	for _, e := range b.events {
		if id := e[0].(int64); inserted[id] || !b.isNew(id) {
			events = append(events, e)
		}
	}
	const evPerStmt = 400
	for start := 0; start < len(events); start += evPerStmt {
		chunk := events[start:min(start+evPerStmt, len(events))]
		var sb strings.Builder
		sb.WriteString(`INSERT INTO warning_events (warning_id, at, kind, user_id, detail) VALUES `)
		args := make([]any, 0, len(chunk)*5)
		for i, e := range chunk {
			if i > 0 {
				sb.WriteByte(',')
			}
			sb.WriteString("(?,?,?,?,?)")
			args = append(args, e...)
		}
		st, err := b.prepared(ctx, sb.String())
		if err != nil {
			return fmt.Errorf("timeline events: %w", err)
		}
		if _, err := st.ExecContext(ctx, args...); err != nil {
			return fmt.Errorf("timeline events: %w", err)
		}
	}
	return nil
}

// isNew reports whether id was allocated in this batch (as opposed to a
// stored primary a new warning merged into).
func (b *batch) isNew(id int64) bool {
	if b.newIDs == nil {
		b.newIDs = make(map[int64]bool, len(b.rows))
		for _, r := range b.rows {
			b.newIDs[r.id] = true
		}
	}
	return b.newIDs[id]
}

// prepared returns a prepared statement for q, prepared once per batch:
// the multi-row INSERTs of full chunks share one text, and parsing a
// statement with thousands of placeholders costs more than running it.
func (b *batch) prepared(ctx context.Context, q string) (*sql.Stmt, error) {
	if st, ok := b.stmts[q]; ok {
		return st, nil
	}
	st, err := b.tx.Prepare(ctx, q)
	if err != nil {
		return nil, err
	}
	b.stmts[q] = st
	return st, nil
}
