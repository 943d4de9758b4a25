package partner

import (
	"context"
	"fmt"

	"github.com/fanzha/fanzha/internal/db"
)

// UnitSummary is a member unit as the console's lists show it: its parent's
// name, its users and the requests sent to it (all, and open).
type UnitSummary struct {
	ID       int64  `json:"id"`
	Kind     string `json:"kind"`
	Name     string `json:"name"`
	Parent   string `json:"parent,omitempty"`
	Users    int64  `json:"users"`
	Requests int64  `json:"requests"`
	Open     int64  `json:"open_requests"`
}

// UnitSummaries lists every member unit (retired ones too), each head unit
// followed by its branches.
func UnitSummaries(ctx context.Context, q db.Querier) ([]UnitSummary, error) {
	rows, err := q.Query(ctx, `SELECT u.id, u.kind, u.name, COALESCE(p.name, ''),
		(SELECT COUNT(*) FROM users x WHERE x.unit_id = u.id),
		(SELECT COUNT(*) FROM partner_requests r WHERE r.unit_id = u.id),
		(SELECT COUNT(*) FROM partner_requests r WHERE r.unit_id = u.id AND r.status IN ('sent', 'seen'))
		FROM units u LEFT JOIN units p ON p.id = u.parent_id ORDER BY COALESCE(u.parent_id, u.id), u.id`)
	if err != nil {
		return nil, fmt.Errorf("units: %w", err)
	}
	defer rows.Close()
	var out []UnitSummary
	for rows.Next() {
		var u UnitSummary
		if err := rows.Scan(&u.ID, &u.Kind, &u.Name, &u.Parent, &u.Users, &u.Requests, &u.Open); err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, rows.Err()
}
