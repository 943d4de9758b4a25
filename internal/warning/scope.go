package warning

import "github.com/fanzha/fanzha/internal/area"

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
