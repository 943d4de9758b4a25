package investigation

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/domain"
)

// CaseRow is a case in a list by lifecycle state.
type CaseRow struct {
	ID               int64     `json:"id"`
	CaseNo           string    `json:"case_no"`
	AreaName         string    `json:"area_name"`
	FraudType        string    `json:"fraud_type"`
	ReportedAt       time.Time `json:"reported_at"`
	LossFen          int64     `json:"loss_fen"`
	InvestigatorName string    `json:"investigator_name,omitempty"`
	State            State     `json:"state"`
	StateName        string    `json:"state_name"`
	Since            time.Time `json:"since"`
	Pending          bool      `json:"pending"` // a step waits for a leader's approval
}

// ListFilter selects cases for a list by state.
type ListFilter struct {
	State    State // empty: every state
	Pending  bool  // only cases with a step waiting for approval
	BeforeID int64
	Limit    int
}

// ListCases returns the cases in scope in a state, newest first: the case
// list's filter by lifecycle state.
func ListCases(ctx context.Context, q db.Querier, scope area.Node, f ListFilter) ([]CaseRow, error) {
	if f.State != "" && !slices.Contains(States, f.State) {
		return nil, domain.Invalid("案件状态 %q 无效", f.State)
	}
	var where db.Where
	where.And(area.UnderClause("c.area_id", scope)).
		AndIf(f.State != "", "COALESCE(s.state, 'reported') = ?", string(f.State)).
		AndIf(f.Pending, "EXISTS (SELECT 1 FROM case_transitions p WHERE p.case_id = c.id AND p.status = 'pending')").
		AndIf(f.BeforeID > 0, "c.id < ?", f.BeforeID)
	page := db.Page{Limit: f.Limit}.Clamp(100, 500)
	rows, err := q.Query(ctx, `SELECT c.id, c.case_no, a.full_name, c.fraud_type, c.reported_at, c.loss_fen, COALESCE(u.display_name, ''),
		COALESCE(s.state, 'reported'), COALESCE(s.since, c.reported_at),
		EXISTS (SELECT 1 FROM case_transitions p WHERE p.case_id = c.id AND p.status = 'pending')
		FROM cases c JOIN areas a ON a.id = c.area_id LEFT JOIN users u ON u.id = c.investigator_id
		LEFT JOIN case_states s ON s.case_id = c.id
		WHERE `+where.String()+` ORDER BY c.id DESC`+page.SQL(), where.Args()...)
	if err != nil {
		return nil, fmt.Errorf("cases by state: %w", err)
	}
	defer rows.Close()
	out := []CaseRow{}
	for rows.Next() {
		var r CaseRow
		var state string
		var reported, since int64
		if err := rows.Scan(&r.ID, &r.CaseNo, &r.AreaName, &r.FraudType, &reported, &r.LossFen, &r.InvestigatorName,
			&state, &since, &r.Pending); err != nil {
			return nil, fmt.Errorf("cases by state: %w", err)
		}
		r.State, r.ReportedAt, r.Since = State(state), db.Time(reported), db.Time(since)
		r.StateName = StateName(r.State)
		out = append(out, r)
	}
	return out, rows.Err()
}

// StateCounts counts the cases in scope per state (the list's tabs).
func StateCounts(ctx context.Context, q db.Querier, scope area.Node) (map[State]int64, error) {
	cond, arg := area.UnderClause("c.area_id", scope)
	rows, err := q.Query(ctx, `SELECT COALESCE(s.state, 'reported'), COUNT(*) FROM cases c
		LEFT JOIN case_states s ON s.case_id = c.id WHERE `+cond+` GROUP BY COALESCE(s.state, 'reported')`, arg)
	if err != nil {
		return nil, fmt.Errorf("cases per state: %w", err)
	}
	defer rows.Close()
	out := map[State]int64{}
	for _, s := range States {
		out[s] = 0
	}
	for rows.Next() {
		var s string
		var n int64
		if err := rows.Scan(&s, &n); err != nil {
			return nil, err
		}
		out[State(s)] = n
	}
	return out, rows.Err()
}
