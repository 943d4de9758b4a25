package prevent

import (
	"context"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/db"
)

// Places are the nodes under scope an event may be logged at (Create):
// towns, villages and cells in use, without their boundaries.
func Places(ctx context.Context, q db.Querier, scope area.Node) ([]area.Node, error) {
	nodes, err := area.Subtree(ctx, q, scope)
	if err != nil {
		return nil, err
	}
	out := make([]area.Node, 0, len(nodes))
	for _, n := range nodes {
		if (n.Level == area.Town || n.Level == area.Village || n.Level == area.Cell) && !n.Retired {
			n.Shape = ""
			out = append(out, n)
		}
	}
	return out, nil
}
