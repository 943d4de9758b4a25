package area

import (
	"context"

	"github.com/fanzha/fanzha/internal/db"
)

// StationGroup is a station with the towns and villages under it: the
// grouped 辖区 picker of the report form.
type StationGroup struct {
	Station Node
	Nodes   []Node
}

// StationGroups lists the stations under scope, each with its towns and
// villages, in the tree's order; retired nodes are left out.
func StationGroups(ctx context.Context, q db.Querier, scope Node) ([]StationGroup, error) {
	nodes, err := Subtree(ctx, q, scope)
	if err != nil {
		return nil, err
	}
	var groups []StationGroup
	at := map[int64]int{}
	for _, n := range nodes {
		if n.Level == Station && !n.Retired {
			at[n.ID] = len(groups)
			groups = append(groups, StationGroup{Station: n})
		}
	}
	for _, n := range nodes {
		if (n.Level == Town || n.Level == Village) && !n.Retired {
			if i, ok := at[n.StationID]; ok {
				groups[i].Nodes = append(groups[i].Nodes, n)
			}
		}
	}
	return groups, nil
}
