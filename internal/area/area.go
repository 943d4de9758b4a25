// Package area is the jurisdiction tree: the county (the anti-fraud centre)
// at the root — or, for a province's deployment, the province above its
// cities and their counties — then police stations, towns and streets,
// villages and communities, and grid cells. Every person-bearing record points at a node
// of this tree, and every user is bound to one; "what a user may see" is
// "what lies under the user's node".
//
// Nodes carry a materialised path ("/1/4/17/") so that a subtree is a prefix
// match, identical on SQLite and PostgreSQL and cheap to index.
package area

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/domain"
)

// Level is the depth of a node in the tree.
type Level string

// The levels from the root down. A county's own deployment has the county
// at the root; a province's has the province, its cities, then counties.
const (
	Province Level = "province"
	City     Level = "city"
	County   Level = "county"
	Station  Level = "station"
	Town     Level = "town"
	Village  Level = "village"
	Cell     Level = "cell"
)

// LevelName is the Chinese label of a level.
func LevelName(l Level) string {
	switch l {
	case Province:
		return "省"
	case City:
		return "市"
	case County:
		return "县（中心）"
	case Station:
		return "派出所"
	case Town:
		return "乡镇/街道"
	case Village:
		return "村/社区"
	case Cell:
		return "网格"
	}
	return string(l)
}

// ErrNotFound is returned for an unknown node.
// It wraps domain.ErrNotFound.
var ErrNotFound = fmt.Errorf("area: %w", domain.ErrNotFound)

// Node is one node of the jurisdiction tree with its population profile.
type Node struct {
	ID        int64  `json:"id"`
	ParentID  int64  `json:"parent_id,omitempty"`
	Level     Level  `json:"level"`
	Kind      string `json:"kind"` // 县, 派出所, 镇, 乡, 街道, 村, 社区, 网格
	Code      string `json:"code"`
	Name      string `json:"name"`
	FullName  string `json:"full_name"`
	Aliases   string `json:"aliases,omitempty"`
	Path      string `json:"path"`
	StationID int64  `json:"station_id,omitempty"`
	// Population profile: counts of inhabitants.
	Population int64  `json:"population"`
	Elderly    int64  `json:"elderly"`  // aged 60 or more
	Minors     int64  `json:"minors"`   // under 18
	Students   int64  `json:"students"` // pupils and students
	Shape      string `json:"shape,omitempty"`
	Sort       int64  `json:"sort"`
	// Retired nodes keep their history (records still point at them) but
	// no longer route warnings nor appear in pickers.
	Retired bool `json:"retired,omitempty"`
	// MergedInto is the node a merged node went into (its records moved
	// there); 0 for nodes never merged.
	MergedInto int64 `json:"merged_into,omitempty"`
}

// AboveCounty reports whether the level is a province or a city: a centre
// over several counties.
func (l Level) AboveCounty() bool { return l == Province || l == City }

// Centre reports whether the level is an anti-fraud centre's (a county,
// city or province), whose users work across stations.
func (l Level) Centre() bool { return l == County || l.AboveCounty() }

// Contains reports whether other lies in n's subtree (n itself included).
func (n Node) Contains(other Node) bool {
	return strings.HasPrefix(other.Path, n.Path)
}

// SubtreePattern is the LIKE pattern matching the paths of n's subtree.
func (n Node) SubtreePattern() string { return n.Path + "%" }

const nodeColumns = `id, COALESCE(parent_id, 0), level, kind, code, name, full_name, aliases, path,
	COALESCE(station_id, 0), population, elderly, minors, students, shape, sort,
	CASE WHEN retired_at IS NULL THEN 0 ELSE 1 END, COALESCE(merged_into, 0)`

func scanNode(sc interface{ Scan(...any) error }) (Node, error) {
	var n Node
	err := sc.Scan(&n.ID, &n.ParentID, &n.Level, &n.Kind, &n.Code, &n.Name, &n.FullName, &n.Aliases, &n.Path,
		&n.StationID, &n.Population, &n.Elderly, &n.Minors, &n.Students, &n.Shape, &n.Sort, &n.Retired, &n.MergedInto)
	return n, err
}

// Create inserts a node under parent (0 for the root), computing its path
// and station. The node's ID, Path and StationID are filled in.
func Create(ctx context.Context, q db.Querier, n *Node) error {
	var parent Node
	if n.ParentID != 0 {
		p, err := Get(ctx, q, n.ParentID)
		if err != nil {
			return fmt.Errorf("create area %s: parent: %w", n.Name, err)
		}
		parent = p
	}
	if n.FullName == "" {
		n.FullName = strings.TrimSpace(parent.FullName + n.Name)
	}
	if err := insertNode(ctx, q, n, parent); err != nil {
		return err
	}
	return db.Bump(ctx, q, db.GenTree)
}

// insertNode writes n under parent (the zero Node for the root) and fills
// in its ID, Path and StationID. It does not bump the tree's generation.
func insertNode(ctx context.Context, q db.Querier, n *Node, parent Node) error {
	var parentID any
	if n.ParentID != 0 {
		parentID = n.ParentID
	}
	err := q.QueryRow(ctx, `INSERT INTO areas (parent_id, level, kind, code, name, full_name, aliases, path,
		population, elderly, minors, students, shape, sort)
		VALUES (?,?,?,?,?,?,?,'',?,?,?,?,?,?) RETURNING id`,
		parentID, n.Level, n.Kind, n.Code, n.Name, n.FullName, n.Aliases,
		n.Population, n.Elderly, n.Minors, n.Students, n.Shape, n.Sort).Scan(&n.ID)
	if err != nil {
		return fmt.Errorf("create area %s: %w", n.Name, err)
	}
	if parent.Path == "" {
		n.Path = "/" + strconv.FormatInt(n.ID, 10) + "/"
	} else {
		n.Path = parent.Path + strconv.FormatInt(n.ID, 10) + "/"
	}
	switch {
	case n.Level == Station:
		n.StationID = n.ID
	default:
		n.StationID = parent.StationID
	}
	var station any
	if n.StationID != 0 {
		station = n.StationID
	}
	if _, err := q.Exec(ctx, `UPDATE areas SET path = ?, station_id = ? WHERE id = ?`, n.Path, station, n.ID); err != nil {
		return fmt.Errorf("create area %s: set path: %w", n.Name, err)
	}
	return nil
}

// Get returns one node.
func Get(ctx context.Context, q db.Querier, id int64) (Node, error) {
	n, err := scanNode(q.QueryRow(ctx, `SELECT `+nodeColumns+` FROM areas WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Node{}, fmt.Errorf("area %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return Node{}, fmt.Errorf("area %d: %w", id, err)
	}
	return n, nil
}

// Root returns the root of the tree: the county, or the province above
// several counties.
func Root(ctx context.Context, q db.Querier) (Node, error) {
	n, err := scanNode(q.QueryRow(ctx, `SELECT `+nodeColumns+` FROM areas WHERE parent_id IS NULL ORDER BY id LIMIT 1`))
	if errors.Is(err, sql.ErrNoRows) {
		return Node{}, fmt.Errorf("area root: %w", ErrNotFound)
	}
	return n, err
}

// CentreOf returns the centre a node belongs to: the node itself when it
// is a county, city or province, else the county above it (the root when
// the tree has none).
func CentreOf(ctx context.Context, q db.Querier, n Node) (Node, error) {
	for !n.Level.Centre() && n.ParentID != 0 {
		p, err := Get(ctx, q, n.ParentID)
		if err != nil {
			return Node{}, err
		}
		n = p
	}
	return n, nil
}

// Subtree returns every node under (and including) root, ordered by path so
// parents come before children.
func Subtree(ctx context.Context, q db.Querier, root Node) ([]Node, error) {
	rows, err := q.Query(ctx, `SELECT `+nodeColumns+` FROM areas WHERE path LIKE ? ORDER BY sort, id`, root.SubtreePattern())
	if err != nil {
		return nil, fmt.Errorf("area subtree: %w", err)
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

// Children returns the direct children of a node.
func Children(ctx context.Context, q db.Querier, id int64) ([]Node, error) {
	rows, err := q.Query(ctx, `SELECT `+nodeColumns+` FROM areas WHERE parent_id = ? ORDER BY sort, id`, id)
	if err != nil {
		return nil, fmt.Errorf("area children: %w", err)
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

// ByLevel returns the nodes of one level under root.
func ByLevel(ctx context.Context, q db.Querier, root Node, l Level) ([]Node, error) {
	rows, err := q.Query(ctx, `SELECT `+nodeColumns+` FROM areas WHERE path LIKE ? AND level = ? ORDER BY sort, id`, root.SubtreePattern(), l)
	if err != nil {
		return nil, fmt.Errorf("areas of level %s: %w", l, err)
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

// UnderClause returns a SQL condition restricting column (an area id
// column) to the subtree of root, with its argument. Domain packages use it
// to filter every query that returns people by the caller's jurisdiction:
//
//	cond, arg := area.UnderClause("w.area_id", scope)
//	q := "SELECT … FROM warnings w WHERE " + cond
func UnderClause(column string, root Node) (string, any) {
	return column + " IN (SELECT id FROM areas WHERE path LIKE ?)", root.SubtreePattern()
}
