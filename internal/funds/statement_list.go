package funds

import (
	"context"
	"fmt"
	"time"

	"github.com/fanzha/fanzha/internal/db"
)

// ImportRecord is one past statement import.
type ImportRecord struct {
	ID       int64     `json:"id"`
	At       time.Time `json:"at"`
	UserName string    `json:"user_name"`
	File     string    `json:"file"`
	Mapping  string    `json:"mapping"`
	Encoding string    `json:"encoding"`
	Rows     int64     `json:"rows"`
	Stored   int64     `json:"stored"`
	Bad      int64     `json:"bad"`
	Dup      int64     `json:"duplicates"`
}

// RecentImports lists the latest statement imports, newest first.
func RecentImports(ctx context.Context, q db.Querier, limit int) ([]ImportRecord, error) {
	rows, err := q.Query(ctx, `SELECT i.id, i.at, COALESCE(u.display_name, ''), i.file_name, i.mapping, i.encoding, i.rows_total, i.rows_ok, i.rows_bad, i.rows_dup
		FROM statement_imports i LEFT JOIN users u ON u.id = i.user_id ORDER BY i.id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("recent imports: %w", err)
	}
	defer rows.Close()
	var out []ImportRecord
	for rows.Next() {
		var r ImportRecord
		var at int64
		if err := rows.Scan(&r.ID, &at, &r.UserName, &r.File, &r.Mapping, &r.Encoding, &r.Rows, &r.Stored, &r.Bad, &r.Dup); err != nil {
			return nil, fmt.Errorf("recent imports: %w", err)
		}
		r.At = db.Time(at)
		out = append(out, r)
	}
	return out, rows.Err()
}
