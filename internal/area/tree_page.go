package area

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/fanzha/fanzha/internal/db"
)

// TreePage is the tree as /admin/areas shows it: every node of a small
// tree, or — above a number of nodes — the first levels below the scope
// and the path to the node opened (Fold), read level by level so that a
// province's page reads only the rows it shows.
type TreePage struct {
	Rows   []TreeRow    // depth first; retired ones only when asked
	All    []TreeRow    // the whole tree with retired nodes, when not folded
	Counts []LevelCount // of the whole tree, from SQL aggregates
	Shapes int          // live stations and towns with a stored shape
	Folded bool
}

// LoadTree reads the tree under scope for the console: when the subtree
// has more than foldAbove nodes (retired ones included) only the nodes at
// depth ≤ keep and the children of the open node's path are read, each
// query bounded by the rows shown; otherwise the whole tree, as Tree.
func LoadTree(ctx context.Context, q db.Querier, scope Node, withRetired bool, foldAbove, keep int, open int64) (TreePage, error) {
	var tp TreePage
	total, live, err := tp.count(ctx, q, scope)
	if err != nil {
		return tp, err
	}
	if !withRetired {
		total = live
	}
	if total <= foldAbove {
		all, err := Tree(ctx, q, scope, true)
		if err != nil {
			return tp, err
		}
		tp.All, tp.Rows = all, all
		if !withRetired {
			tp.Rows = nil
			for _, r := range all {
				if !r.Retired {
					tp.Rows = append(tp.Rows, r)
				}
			}
		}
		return tp, nil
	}
	tp.Folded = true
	nodes := []Node{scope}
	parents := []int64{scope.ID}
	for depth := 1; depth <= keep && len(parents) > 0; depth++ {
		kids, err := childrenOf(ctx, q, parents)
		if err != nil {
			return tp, err
		}
		nodes = append(nodes, kids...)
		parents = parents[:0]
		for _, k := range kids {
			parents = append(parents, k.ID)
		}
	}
	if open != 0 {
		if o, err := Get(ctx, q, open); err == nil && scope.Contains(o) && o.ID != scope.ID {
			// The open node's ancestors below the kept depth and their
			// children (the open node's siblings), and its own children.
			var path []int64
			for _, s := range strings.Split(strings.Trim(strings.TrimPrefix(o.Path, scope.Path), "/"), "/") {
				if id, err := strconv.ParseInt(s, 10, 64); err == nil {
					path = append(path, id)
				}
			}
			if len(path) >= keep {
				kids, err := childrenOf(ctx, q, path[keep-1:])
				if err != nil {
					return tp, err
				}
				nodes = append(nodes, kids...)
			}
		}
	}
	rows := treeRows(nodes, scope, withRetired)
	ids := make([]int64, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	kids, err := liveChildren(ctx, q, ids)
	if err != nil {
		return tp, err
	}
	stations, err := stationNames(ctx, q, rows)
	if err != nil {
		return tp, err
	}
	for i := range rows {
		rows[i].Children, rows[i].Station = kids[rows[i].ID], stations[rows[i].StationID]
	}
	tp.Rows = Fold(rows, keep, open)
	return tp, nil
}

// count fills Counts and Shapes from one aggregate over the subtree and
// returns the number of its nodes, and of its live ones.
func (tp *TreePage) count(ctx context.Context, q db.Querier, scope Node) (total, live int, err error) {
	rows, err := q.Query(ctx, `SELECT level, CASE WHEN retired_at IS NULL THEN 0 ELSE 1 END, COUNT(*),
		SUM(CASE WHEN level IN ('station', 'town') AND retired_at IS NULL AND shape <> '' THEN 1 ELSE 0 END)
		FROM areas WHERE path LIKE ? GROUP BY level, CASE WHEN retired_at IS NULL THEN 0 ELSE 1 END`, scope.SubtreePattern())
	if err != nil {
		return 0, 0, fmt.Errorf("area counts: %w", err)
	}
	defer rows.Close()
	type lc struct{ live, retired int64 }
	by := map[Level]lc{}
	for rows.Next() {
		var l Level
		var retired int
		var n, shapes int64
		if err := rows.Scan(&l, &retired, &n, &shapes); err != nil {
			return 0, 0, err
		}
		c := by[l]
		if retired == 1 {
			c.retired += n
		} else {
			c.live += n
			live += int(n)
		}
		by[l] = c
		total += int(n)
		tp.Shapes += int(shapes)
	}
	if err := rows.Err(); err != nil {
		return 0, 0, err
	}
	tp.Counts = make([]LevelCount, 0, len(Levels))
	for _, l := range Levels {
		if levelOrder[l] <= levelOrder[County] && levelOrder[l] <= levelOrder[scope.Level] {
			continue
		}
		tp.Counts = append(tp.Counts, LevelCount{Level: l, Name: LevelName(l), Live: by[l].live, Retired: by[l].retired})
	}
	return total, live, nil
}

// inList is "?,?,…" for n arguments, and the arguments.
func inList(ids []int64) (string, []any) {
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	return strings.TrimSuffix(strings.Repeat("?,", len(ids)), ","), args
}

// chunks of ids for IN lists, within every engine's limit of arguments.
func chunks(ids []int64, f func([]int64) error) error {
	for len(ids) > 0 {
		n := min(len(ids), 500)
		if err := f(ids[:n]); err != nil {
			return err
		}
		ids = ids[n:]
	}
	return nil
}

// childrenOf reads the children of the nodes given, retired ones included.
func childrenOf(ctx context.Context, q db.Querier, parents []int64) ([]Node, error) {
	var out []Node
	err := chunks(parents, func(ids []int64) error {
		in, args := inList(ids)
		rows, err := q.Query(ctx, `SELECT `+nodeColumns+` FROM areas WHERE parent_id IN (`+in+`) ORDER BY sort, id`, args...)
		if err != nil {
			return fmt.Errorf("area children: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			n, err := scanNode(rows)
			if err != nil {
				return err
			}
			out = append(out, n)
		}
		return rows.Err()
	})
	return out, err
}

// liveChildren counts the live children of each node given.
func liveChildren(ctx context.Context, q db.Querier, parents []int64) (map[int64]int, error) {
	out := make(map[int64]int, len(parents))
	err := chunks(parents, func(ids []int64) error {
		in, args := inList(ids)
		rows, err := q.Query(ctx, `SELECT parent_id, COUNT(*) FROM areas WHERE parent_id IN (`+in+`) AND retired_at IS NULL GROUP BY parent_id`, args...)
		if err != nil {
			return fmt.Errorf("area child counts: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			var n int
			if err := rows.Scan(&id, &n); err != nil {
				return err
			}
			out[id] = n
		}
		return rows.Err()
	})
	return out, err
}

// stationNames reads the names of the rows' stations.
func stationNames(ctx context.Context, q db.Querier, rows []TreeRow) (map[int64]string, error) {
	seen := map[int64]bool{}
	var ids []int64
	for _, r := range rows {
		if r.StationID != 0 && !seen[r.StationID] {
			seen[r.StationID] = true
			ids = append(ids, r.StationID)
		}
	}
	out := make(map[int64]string, len(ids))
	err := chunks(ids, func(ids []int64) error {
		in, args := inList(ids)
		rs, err := q.Query(ctx, `SELECT id, name FROM areas WHERE id IN (`+in+`)`, args...)
		if err != nil {
			return fmt.Errorf("station names: %w", err)
		}
		defer rs.Close()
		for rs.Next() {
			var id int64
			var name string
			if err := rs.Scan(&id, &name); err != nil {
				return err
			}
			out[id] = name
		}
		return rs.Err()
	})
	return out, err
}

// Centres lists the live centre nodes (province, cities, counties) under
// root, root included, in path order: the areas a member unit can serve.
func Centres(ctx context.Context, q db.Querier, root Node) ([]Node, error) {
	rows, err := q.Query(ctx, `SELECT `+nodeColumns+` FROM areas WHERE level IN ('province', 'city', 'county') AND path LIKE ?
		AND retired_at IS NULL ORDER BY path`, root.SubtreePattern())
	if err != nil {
		return nil, fmt.Errorf("centres: %w", err)
	}
	defer rows.Close()
	var out []Node
	for rows.Next() {
		n, err := scanNode(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// ByLevels returns the nodes of the levels given under root (root
// included when of one of them), by sort and id: a page that offers a
// province's stations or counties reads those rather than the whole
// subtree (100,000 nodes in a province of 100 counties).
func ByLevels(ctx context.Context, q db.Querier, root Node, levels ...Level) ([]Node, error) {
	if len(levels) == 0 {
		return nil, nil
	}
	args := []any{root.SubtreePattern()}
	for _, l := range levels {
		args = append(args, l)
	}
	rows, err := q.Query(ctx, `SELECT `+nodeColumns+` FROM areas WHERE path LIKE ? AND level IN (`+
		strings.TrimSuffix(strings.Repeat("?,", len(levels)), ",")+`) ORDER BY sort, id`, args...)
	if err != nil {
		return nil, fmt.Errorf("areas of levels %v: %w", levels, err)
	}
	defer rows.Close()
	var out []Node
	for rows.Next() {
		n, err := scanNode(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}
