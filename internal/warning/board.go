package warning

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/db"
)

// Event is one line of a warning's timeline.
type Event struct {
	WarningID int64     `json:"warning_id"`
	At        time.Time `json:"at"`
	Kind      string    `json:"kind"` // intake | routed | assigned | merged | contact | outcome | handover | emergency | escalated
	UserName  string    `json:"user_name,omitempty"`
	Detail    string    `json:"detail"`
}

// Timeline returns the events of a warning and of the warnings merged into
// it, oldest first. The warning must lie in scope.
func Timeline(ctx context.Context, q db.Querier, scope area.Node, id int64) ([]Event, error) {
	if _, err := Get(ctx, q, scope, id); err != nil {
		return nil, err
	}
	rows, err := q.Query(ctx, `SELECT e.warning_id, e.at, e.kind, COALESCE(u.display_name, ''), e.detail
		FROM warning_events e LEFT JOIN users u ON u.id = e.user_id
		WHERE e.warning_id = ? OR e.warning_id IN (SELECT id FROM warnings WHERE merged_into = ?)
		ORDER BY e.at, e.id`, id, id)
	if err != nil {
		return nil, fmt.Errorf("timeline of warning %d: %w", id, err)
	}
	defer rows.Close()
	out := []Event{}
	for rows.Next() {
		var e Event
		var at int64
		if err := rows.Scan(&e.WarningID, &at, &e.Kind, &e.UserName, &e.Detail); err != nil {
			return nil, err
		}
		e.At = db.Time(at)
		out = append(out, e)
	}
	return out, rows.Err()
}

// Merged returns the warnings merged into id.
func Merged(ctx context.Context, q db.Querier, scope area.Node, id int64) ([]Warning, error) {
	cond, arg := scopeClause("w", scope)
	rows, err := q.Query(ctx, selectWarning+` WHERE w.merged_into = ? AND `+cond+` ORDER BY w.id`, id, arg)
	if err != nil {
		return nil, fmt.Errorf("merged warnings of %d: %w", id, err)
	}
	defer rows.Close()
	out := []Warning{}
	for rows.Next() {
		w, err := scanWarning(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, w)
	}
	return out, rows.Err()
}

// BoardFilter selects the duty board's warnings.
type BoardFilter struct {
	StationID  int64
	Grade      Grade
	FraudType  string
	AssigneeID int64 // "my warnings"
	Limit      int
}

// BoardItem is a warning on the duty board with its urgency.
type BoardItem struct {
	Warning
	// Due is the deadline that matters now (first contact, else on-site).
	Due     time.Time `json:"due"`
	DueKind string    `json:"due_kind"` // contact | onsite | none
	Overdue bool      `json:"overdue"`
	Merged  int       `json:"merged_count"`
}

// Board returns the open warnings in scope, most urgent first: overdue
// first, then by priority, then by the nearest deadline.
func Board(ctx context.Context, q db.Querier, scope area.Node, f BoardFilter, now time.Time) ([]BoardItem, error) {
	cond, arg := scopeClause("w", scope)
	query := selectWarning + ` WHERE w.status = 'open' AND ` + cond
	args := []any{arg}
	if f.StationID != 0 {
		query += ` AND w.station_id = ?`
		args = append(args, f.StationID)
	}
	if f.Grade != "" {
		query += ` AND w.grade = ?`
		args = append(args, f.Grade)
	}
	if f.FraudType != "" {
		query += ` AND w.fraud_type = ?`
		args = append(args, f.FraudType)
	}
	if f.AssigneeID != 0 {
		query += ` AND w.assignee_id = ?`
		args = append(args, f.AssigneeID)
	}
	limit := f.Limit
	if limit <= 0 || limit > 1000 {
		limit = 500
	}
	query += ` ORDER BY w.priority DESC, w.id LIMIT ` + strconv.Itoa(limit)
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("duty board: %w", err)
	}
	var items []BoardItem
	for rows.Next() {
		w, err := scanWarning(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		items = append(items, BoardItem{Warning: w})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// Contact state and merge counts for the listed warnings.
	if len(items) > 0 {
		idx := map[int64]int{}
		ids := ""
		for i, it := range items {
			idx[it.ID] = i
			if i > 0 {
				ids += ","
			}
			ids += strconv.FormatInt(it.ID, 10)
		}
		rows, err := q.Query(ctx, `SELECT id, COALESCE(last_contact_at, 0), COALESCE(last_intake_at, received_at),
			(SELECT COUNT(*) FROM warnings m WHERE m.merged_into = w.id) FROM warnings w WHERE id IN (`+ids+`)`)
		if err != nil {
			return nil, fmt.Errorf("duty board state: %w", err)
		}
		for rows.Next() {
			var id, lastContact, lastIntake int64
			var merged int
			if err := rows.Scan(&id, &lastContact, &lastIntake, &merged); err != nil {
				rows.Close()
				return nil, err
			}
			it := &items[idx[id]]
			it.Merged = merged
			contacted := lastContact != 0 && lastContact >= lastIntake
			switch {
			case !contacted && !it.ContactDueAt.IsZero():
				it.Due, it.DueKind = it.ContactDueAt, "contact"
			case !it.OnsiteDueAt.IsZero() && it.OnsiteAt.IsZero():
				it.Due, it.DueKind = it.OnsiteDueAt, "onsite"
			default:
				it.DueKind = "none"
			}
			it.Overdue = it.DueKind != "none" && it.Due.Before(now)
		}
		rows.Close()
	}
	sortBoard(items)
	return items, nil
}

// sortBoard orders by urgency: overdue first (longest overdue first), then
// priority, then nearest deadline.
func sortBoard(items []BoardItem) {
	less := func(a, b BoardItem) bool {
		if a.Overdue != b.Overdue {
			return a.Overdue
		}
		if a.Overdue {
			return a.Due.Before(b.Due)
		}
		if a.Priority != b.Priority {
			return a.Priority > b.Priority
		}
		if a.DueKind == "none" || b.DueKind == "none" {
			return a.DueKind != "none"
		}
		return a.Due.Before(b.Due)
	}
	sort.SliceStable(items, func(i, j int) bool { return less(items[i], items[j]) })
}
