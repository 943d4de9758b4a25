package warning

import (
	"context"

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
	seen, err := visibleWarnings(ctx, q, scope, ids)
	if err != nil {
		return nil, err
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
