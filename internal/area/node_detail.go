package area

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/fanzha/fanzha/internal/db"
)

// GetUnder returns a node under scope (scope itself included); a node
// outside it is not found, like one that does not exist.
func GetUnder(ctx context.Context, q db.Querier, scope Node, id int64) (Node, error) {
	n, err := scanNode(q.QueryRow(ctx, `SELECT `+nodeColumns+` FROM areas WHERE id = ? AND path LIKE ?`, id, scope.SubtreePattern()))
	if errors.Is(err, sql.ErrNoRows) {
		return Node{}, fmt.Errorf("area %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return Node{}, fmt.Errorf("area %d: %w", id, err)
	}
	return n, nil
}

// NodeDetail is a node of the tree with what its page shows: its parent,
// station and the node it was merged into (zero when none), its subtree
// (depths counted from the scope's node, retired nodes included), where it
// may move or merge, and the records that use it.
type NodeDetail struct {
	Node     Node
	Parent   Node
	Station  Node
	Into     Node
	Rows     []TreeRow
	Movable  []TreeRow
	Mergable []TreeRow
	Usage    Usage
}

// Detail returns the detail of a node under scope; any other is not found.
func Detail(ctx context.Context, q db.Querier, scope Node, id int64) (NodeDetail, error) {
	n, err := GetUnder(ctx, q, scope, id)
	if err != nil {
		return NodeDetail{}, err
	}
	all, err := Tree(ctx, q, scope, true)
	if err != nil {
		return NodeDetail{}, err
	}
	d := NodeDetail{Node: n, Movable: MoveTargets(all, n), Mergable: MergeTargets(all, n)}
	shift := len(strings.Split(strings.Trim(n.Path, "/"), "/")) - len(strings.Split(strings.Trim(scope.Path, "/"), "/"))
	for _, row := range all {
		if n.Contains(row.Node) {
			row.Depth -= shift
			d.Rows = append(d.Rows, row)
		}
	}
	for _, rel := range []struct {
		id  int64
		out *Node
	}{{n.ParentID, &d.Parent}, {n.StationID, &d.Station}, {n.MergedInto, &d.Into}} {
		if rel.id == 0 {
			continue
		}
		if *rel.out, err = Get(ctx, q, rel.id); err != nil {
			return NodeDetail{}, err
		}
	}
	if d.Usage, err = UsageOf(ctx, q, n); err != nil {
		return NodeDetail{}, err
	}
	return d, nil
}
