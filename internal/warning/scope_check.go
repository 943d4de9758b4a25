package warning

import (
	"context"
	"fmt"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/domain"
)

// InScope returns nil when the warning lies in scope (scopeClause) and
// domain.ErrNotFound otherwise, for packages that read what hangs off a
// warning (requests to member units …).
func InScope(ctx context.Context, q db.Querier, scope area.Node, id int64) error {
	cond, arg := scopeClause("w", scope)
	var n int
	if err := q.QueryRow(ctx, `SELECT COUNT(*) FROM warnings w WHERE w.id = ? AND `+cond, id, arg).Scan(&n); err != nil {
		return fmt.Errorf("warning %d: %w", id, err)
	}
	if n == 0 {
		return fmt.Errorf("warning %d: %w", id, domain.ErrNotFound)
	}
	return nil
}
