package warning

import (
	"context"
	"fmt"
	"strings"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/db"
)

// "Is this person under a warning?" must not be answerable by submitting a
// warning. Intake merges a new warning into the person's open warning
// wherever that warning lies; the answer to the submitter said "merged"
// with the other warning's id, station and assignee, so any officer (or a
// partner, through its reports) could learn that a person is handled
// elsewhere. The answer is now the same for a person the caller may not
// see as for an unknown one:
//
//   - merged into a warning the caller can open: unchanged ("merged", with
//     its id: the caller could see it anyway);
//   - merged into a warning outside the caller's jurisdiction: "created",
//     no merged_into;
//   - for a caller whose jurisdiction is not the whole county, "created"
//     answers carry no assignee and no routing reason, so an answer from a
//     merge cannot be told from one of a new warning by what is missing
//     (the station matched from the address stays: it depends on the
//     address only).
//
// A warning read by an officer shows merged_into only when he may open the
// warning it names.

// ForScope rewrites an intake answer for a caller whose jurisdiction is
// scope (see above).
func (r *BatchResult) ForScope(ctx context.Context, q db.Querier, scope area.Node) error {
	moved, err := itemsForScope(ctx, q, scope, r.Items)
	r.Created, r.Merged = r.Created+moved, r.Merged-moved
	return err
}

// ForScope rewrites a file import's report for a caller whose jurisdiction
// is scope (see BatchResult.ForScope).
func (r *ImportReport) ForScope(ctx context.Context, q db.Querier, scope area.Node) error {
	moved, err := itemsForScope(ctx, q, scope, r.Items)
	r.Created, r.Merged = r.Created+moved, r.Merged-moved
	return err
}

// itemsForScope rewrites items in place and returns how many "merged"
// answers became "created".
func itemsForScope(ctx context.Context, q db.Querier, scope area.Node, items []ItemResult) (int, error) {
	var primaries []int64
	for _, it := range items {
		if it.MergedInto != 0 {
			primaries = append(primaries, it.MergedInto)
		}
	}
	visible, err := visibleWarnings(ctx, q, scope, primaries)
	if err != nil {
		return 0, err
	}
	countyWide := scope.ParentID == 0
	moved := 0
	for i := range items {
		it := &items[i]
		if it.MergedInto != 0 && !visible[it.MergedInto] {
			if it.Status == ItemMerged {
				it.Status = ItemCreated
				moved++
			}
			it.MergedInto = 0
		}
		if it.Status == ItemCreated && !countyWide {
			it.AssigneeID, it.RouteReason = 0, ""
		}
	}
	return moved, nil
}

// visibleWarnings reports which of ids lie in scope.
func visibleWarnings(ctx context.Context, q db.Querier, scope area.Node, ids []int64) (map[int64]bool, error) {
	out := map[int64]bool{}
	for start := 0; start < len(ids); start += 500 {
		chunk := ids[start:min(start+500, len(ids))]
		cond, arg := scopeClause("", scope)
		args := []any{arg}
		for _, id := range chunk {
			args = append(args, id)
		}
		rows, err := q.Query(ctx, `SELECT id FROM warnings WHERE `+cond+` AND id IN (?`+strings.Repeat(",?", len(chunk)-1)+`)`, args...)
		if err != nil {
			return nil, fmt.Errorf("visible warnings: %w", err)
		}
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return nil, err
			}
			out[id] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// hideForeignPrimaries clears merged_into where it names a warning outside
// scope.
func hideForeignPrimaries(ctx context.Context, q db.Querier, scope area.Node, ws []Warning) error {
	var ids []int64
	for _, w := range ws {
		if w.MergedInto != 0 {
			ids = append(ids, w.MergedInto)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	visible, err := visibleWarnings(ctx, q, scope, ids)
	if err != nil {
		return err
	}
	for i := range ws {
		if ws[i].MergedInto != 0 && !visible[ws[i].MergedInto] {
			ws[i].MergedInto = 0
		}
	}
	return nil
}
