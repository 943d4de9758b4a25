package area

import (
	"context"
	"fmt"
	"sort"

	"github.com/fanzha/fanzha/internal/db"
)

// TreeRow is a node in the depth-first order of the tree, for the console.
type TreeRow struct {
	Node
	Depth    int    // 0 for the scope's node
	Children int    // live children
	Station  string // name of the node's station
	Folded   bool   // its children are left out (Fold)
}

// Fold keeps a large tree's rows readable: the rows down to depth keep, and
// below that only the path to the node open (its ancestors' children and
// its own); a row whose children are left out is marked Folded. rows are
// Tree's, depth first.
func Fold(rows []TreeRow, keep int, open int64) []TreeRow {
	parent := make(map[int64]int64, len(rows))
	for _, r := range rows {
		parent[r.ID] = r.ParentID
	}
	path := map[int64]bool{}
	for id := open; id != 0 && !path[id]; id = parent[id] {
		if _, ok := parent[id]; !ok {
			break // not in the tree shown
		}
		path[id] = true
	}
	out := make([]TreeRow, 0, min(len(rows), 1024))
	for _, r := range rows {
		if r.Depth > keep && !path[r.ParentID] {
			continue
		}
		r.Folded = r.Children > 0 && r.Depth >= keep && !path[r.ID]
		out = append(out, r)
	}
	return out
}

// Tree returns the nodes under scope (scope included) depth first, in the
// tree's order; retired nodes only when asked.
func Tree(ctx context.Context, q db.Querier, scope Node, withRetired bool) ([]TreeRow, error) {
	nodes, err := Subtree(ctx, q, scope)
	if err != nil {
		return nil, err
	}
	return treeRows(nodes, scope, withRetired), nil
}

func treeRows(nodes []Node, scope Node, withRetired bool) []TreeRow {
	children := map[int64][]Node{}
	names := map[int64]string{}
	for _, n := range nodes {
		names[n.ID] = n.Name
		if n.ID != scope.ID {
			children[n.ParentID] = append(children[n.ParentID], n)
		}
	}
	for _, c := range children {
		sort.SliceStable(c, func(i, j int) bool {
			if c[i].Sort != c[j].Sort {
				return c[i].Sort < c[j].Sort
			}
			return c[i].ID < c[j].ID
		})
	}
	live := func(id int64) int {
		k := 0
		for _, c := range children[id] {
			if !c.Retired {
				k++
			}
		}
		return k
	}
	var out []TreeRow
	var walk func(n Node, depth int)
	walk = func(n Node, depth int) {
		if n.Retired && !withRetired {
			return
		}
		out = append(out, TreeRow{Node: n, Depth: depth, Children: live(n.ID), Station: names[n.StationID]})
		for _, c := range children[n.ID] {
			walk(c, depth+1)
		}
	}
	for _, n := range nodes {
		if n.ID == scope.ID {
			walk(n, 0)
		}
	}
	return out
}

// LevelCount is the number of live and retired nodes of a level.
type LevelCount struct {
	Level   Level
	Name    string
	Live    int64
	Retired int64
}

// Counts counts the nodes of a tree by level: the county's levels, and the
// cities and counties below a province or city (rows[0], the tree's top).
func Counts(rows []TreeRow) []LevelCount {
	out := make([]LevelCount, 0, len(Levels))
	for _, l := range Levels {
		if len(rows) > 0 && levelOrder[l] <= levelOrder[County] && levelOrder[l] <= levelOrder[rows[0].Level] {
			continue
		}
		c := LevelCount{Level: l, Name: LevelName(l)}
		for _, r := range rows {
			if r.Level == l {
				if r.Retired {
					c.Retired++
				} else {
					c.Live++
				}
			}
		}
		out = append(out, c)
	}
	return out
}

// ParentChoices are the live nodes that may receive a new child (all but
// cells), for the console's "add" form.
func ParentChoices(rows []TreeRow) []TreeRow {
	var out []TreeRow
	for _, r := range rows {
		if !r.Retired && r.Level != Cell {
			out = append(out, r)
		}
	}
	return out
}

// MoveTargets are the live nodes n may move under: the level above n's,
// not its current parent.
func MoveTargets(rows []TreeRow, n Node) []TreeRow {
	var out []TreeRow
	for _, r := range rows {
		if !r.Retired && r.Level == ParentLevel(n.Level) && r.ID != n.ParentID && !n.Contains(r.Node) {
			out = append(out, r)
		}
	}
	return out
}

// MergeTargets are the live nodes of n's level that n may be merged into.
func MergeTargets(rows []TreeRow, n Node) []TreeRow {
	var out []TreeRow
	for _, r := range rows {
		if !r.Retired && r.Level == n.Level && r.ID != n.ID && r.ParentID != 0 {
			out = append(out, r)
		}
	}
	return out
}

// Usage is what points at a node, shown before a merge or a retirement.
type Usage struct {
	ActiveUsers []string // usernames bound in the subtree, not disabled
	Warnings    int64    // warnings at the node itself
	Cases       int64
	Shifts      int64 // duty shifts at the node
}

// UsageOf counts the records of a node and lists the active users of its
// subtree.
func UsageOf(ctx context.Context, q db.Querier, n Node) (Usage, error) {
	var u Usage
	rows, err := q.Query(ctx, `SELECT u.username FROM users u JOIN areas a ON a.id = u.area_id
		WHERE a.path LIKE ? AND u.disabled = 0 ORDER BY u.username`, n.SubtreePattern())
	if err != nil {
		return u, fmt.Errorf("area usage: %w", err)
	}
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			rows.Close()
			return u, err
		}
		u.ActiveUsers = append(u.ActiveUsers, s)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return u, err
	}
	for _, c := range []struct {
		table string
		dst   *int64
	}{{"warnings", &u.Warnings}, {"cases", &u.Cases}, {"duty_shifts", &u.Shifts}} {
		if err := q.QueryRow(ctx, `SELECT COUNT(*) FROM `+c.table+` WHERE area_id = ?`, n.ID).Scan(c.dst); err != nil {
			return u, fmt.Errorf("area usage %s: %w", c.table, err)
		}
	}
	return u, nil
}
