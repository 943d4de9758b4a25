package funds

import (
	"context"
	"fmt"
	"time"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/domain"
)

// CaseEvent is a line of a case's timeline: freeze requests and answers,
// reminders and lapses, return plans, notices, objections and payments.
type CaseEvent struct {
	ID       int64     `json:"id"`
	At       time.Time `json:"at"`
	Kind     string    `json:"kind"`
	UserID   int64     `json:"user_id,omitempty"`
	UserName string    `json:"user_name,omitempty"`
	Detail   string    `json:"detail"`
}

// CaseTimeline returns the timeline of a case in scope, oldest first.
func CaseTimeline(ctx context.Context, q db.Querier, scope area.Node, caseID int64) ([]CaseEvent, error) {
	if err := CaseInScope(ctx, q, scope, caseID); err != nil {
		return nil, err
	}
	rows, err := q.Query(ctx, `SELECT e.id, e.at, e.kind, COALESCE(e.user_id, 0), COALESCE(u.display_name, ''), e.detail
		FROM case_events e LEFT JOIN users u ON u.id = e.user_id WHERE e.case_id = ? ORDER BY e.at, e.id`, caseID)
	if err != nil {
		return nil, fmt.Errorf("timeline of case %d: %w", caseID, err)
	}
	defer rows.Close()
	out := []CaseEvent{}
	for rows.Next() {
		var e CaseEvent
		var at int64
		if err := rows.Scan(&e.ID, &at, &e.Kind, &e.UserID, &e.UserName, &e.Detail); err != nil {
			return nil, err
		}
		e.At = db.Time(at)
		out = append(out, e)
	}
	return out, rows.Err()
}

// CaseInScope checks that a case lies in scope: domain.ErrNotFound when it
// does not exist or lies outside (also for the return workflow in returns).
func CaseInScope(ctx context.Context, q db.Querier, scope area.Node, caseID int64) error {
	cond, arg := area.UnderClause("area_id", scope)
	var n int
	if err := q.QueryRow(ctx, `SELECT COUNT(*) FROM cases WHERE id = ? AND `+cond, caseID, arg).Scan(&n); err != nil {
		return fmt.Errorf("case %d: %w", caseID, err)
	}
	if n == 0 {
		return fmt.Errorf("case %d: %w", caseID, domain.ErrNotFound)
	}
	return nil
}

// AddCaseEvent writes a line of a case's timeline (also for the freeze
// lifecycle in partner, which reports its steps on the case).
func AddCaseEvent(ctx context.Context, q db.Querier, caseID int64, at time.Time, kind string, userID int64, detail string) error {
	if _, err := q.Exec(ctx, `INSERT INTO case_events (case_id, at, kind, user_id, detail) VALUES (?,?,?,?,?)`,
		caseID, db.Millis(at), kind, nullID(userID), detail); err != nil {
		return fmt.Errorf("case %d timeline: %w", caseID, err)
	}
	return nil
}
