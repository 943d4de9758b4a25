package warning

import (
	"context"
	"fmt"
	"strings"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/db"
)

// VisibleIDs returns those of ids whose warning lies in scope, in the order
// given. The live event stream tells each duty board only the warnings of
// its jurisdiction with it: an id of another station's warning says that
// the warning exists and when it changed.
func VisibleIDs(ctx context.Context, q db.Querier, scope area.Node, ids []int64) ([]int64, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	seen := map[int64]bool{}
	const chunk = 500
	for i := 0; i < len(ids); i += chunk {
		part := ids[i:min(i+chunk, len(ids))]
		cond, arg := scopeClause("w", scope)
		args := make([]any, 0, len(part)+1)
		for _, id := range part {
			args = append(args, id)
		}
		args = append(args, arg)
		rows, err := q.Query(ctx, `SELECT w.id FROM warnings w WHERE w.id IN (?`+strings.Repeat(",?", len(part)-1)+`) AND `+cond, args...)
		if err != nil {
			return nil, fmt.Errorf("visible warnings: %w", err)
		}
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return nil, err
			}
			seen[id] = true
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, fmt.Errorf("visible warnings: %w", err)
		}
	}
	var out []int64
	for _, id := range ids {
		if seen[id] {
			out = append(out, id)
			delete(seen, id)
		}
	}
	return out, nil
}
