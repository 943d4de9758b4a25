package warning

import (
	"strconv"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/db"
)

// scopeClause restricts warnings (alias: the table's alias, "" for the bare
// table) to those a scope may see and handle: the person's place (area_id)
// or the handling station (station_id) lies in the scope's subtree. A
// handover to another station moves only station_id and the assignee, never
// the person's place, so both the place's station and the handling station
// see the warning. One argument, like area.UnderClause.
func scopeClause(alias string, scope area.Node) (string, any) {
	t := alias
	if t == "" {
		t = "warnings"
	}
	return `EXISTS (SELECT 1 FROM areas sc WHERE sc.path LIKE ? AND sc.id IN (` + t + `.area_id, ` + t + `.station_id))`, scope.SubtreePattern()
}

// scopeNewestClause is the condition "w.id is among the scope's newest limit
// warnings matching filter" (filter on the alias w), for a list ordered by
// w.id DESC: for each node of the scope's subtree, the newest limit of the
// warnings placed there and of those its station handles — the same rows as
// scopeClause — read through the (area_id, id) and (station_id, id) indexes,
// merged and cut to limit. Walking the id index backwards under scopeClause
// passes every other county's newer rows first (4.7 s for a county of a
// ten-county province, docs/BENCHMARKS.md "province"); this reads at most
// limit ids per node. It costs one probe per node, so it is for a county
// and below (useNewestByNode); PostgreSQL only (LATERAL).
func scopeNewestClause(scope area.Node, filter db.Where, limit int) (string, []any) {
	per := func(col string) string {
		return `SELECT x.id FROM areas sc CROSS JOIN LATERAL (SELECT w.id FROM warnings w WHERE w.` + col + ` = sc.id AND ` +
			filter.String() + ` ORDER BY w.id DESC LIMIT ` + strconv.Itoa(limit) + `) x WHERE sc.path LIKE ?`
	}
	pattern := scope.SubtreePattern()
	args := append(append(append(append([]any{}, filter.Args()...), pattern), filter.Args()...), pattern)
	return `w.id IN (SELECT c.id FROM (` + per("area_id") + ` UNION ` + per("station_id") + `) c ORDER BY c.id DESC LIMIT ` + strconv.Itoa(limit) + `)`, args
}

// useNewestByNode reports whether a newest-first list of scope reads node
// by node (scopeNewestClause): on PostgreSQL, for a county and below. A
// province's or city's list keeps the id walk under scopeClause, which
// finds its newest rows at once (12 ms for a province against 736 ms node
// by node); SQLite holds one county and keeps it too.
func useNewestByNode(q db.Querier, scope area.Node) bool {
	if dialectOf(q) != db.Postgres {
		return false
	}
	return scope.Level != "" && !scope.Level.AboveCounty()
}

// dialectOf is the engine behind q.
func dialectOf(q db.Querier) db.Dialect {
	switch h := q.(type) {
	case *db.DB:
		return h.Dialect
	case *db.Tx:
		return h.Dialect()
	}
	return db.SQLite
}
