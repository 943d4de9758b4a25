package funds

import (
	"context"
	"fmt"
	"time"

	"github.com/fanzha/fanzha/internal/area"
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

// RecentImports lists the latest statement imports made by users under
// scope, newest first. An import belongs to its user's node, as the
// statements' accounts do for the intel lists (docs/INTEL.md); imports
// without a user (command line) are the centre's.
func RecentImports(ctx context.Context, q db.Querier, scope area.Node, limit int) ([]ImportRecord, error) {
	cond, arg := area.UnderClause("u.area_id", scope)
	if scope.ParentID == 0 {
		cond = "(u.id IS NULL OR " + cond + ")"
	}
	rows, err := q.Query(ctx, `SELECT i.id, i.at, COALESCE(u.display_name, ''), i.file_name, i.mapping, i.encoding, i.rows_total, i.rows_ok, i.rows_bad, i.rows_dup
		FROM statement_imports i LEFT JOIN users u ON u.id = i.user_id WHERE `+cond+` ORDER BY i.id DESC LIMIT ?`, arg, limit)
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
