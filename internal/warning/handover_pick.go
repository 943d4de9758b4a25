package warning

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/roster"
)

// Candidate is a dissuader a warning may be handed to, as the handover
// picker shows them.
type Candidate struct {
	UserID      int64  `json:"user_id"`
	Name        string `json:"name"`
	StationID   int64  `json:"station_id,omitempty"`
	StationName string `json:"station_name,omitempty"`
	OnDuty      bool   `json:"on_duty"`
	OpenLoad    int    `json:"open_load"` // open warnings assigned to them
	// Home: the officer belongs to the warning's station.
	Home bool `json:"home"`
}

// Label is the picker's line: name, station, on duty, open load.
func (c Candidate) Label() string {
	st := c.StationName
	if st == "" {
		st = "县局"
	}
	duty := "不在班"
	if c.OnDuty {
		duty = "在班"
	}
	return fmt.Sprintf("%s · %s · %s · 在办 %d 条", c.Name, st, duty, c.OpenLoad)
}

// HandoverCandidates lists the enabled dissuaders under scope for handing
// over a warning of station stationID: that station's officers on duty now
// first, then its other officers, then other stations' officers on duty,
// then the rest; within each group the lightest open load first, then by
// name.
func HandoverCandidates(ctx context.Context, q db.Querier, scope area.Node, stationID int64, now time.Time) ([]Candidate, error) {
	under, uarg := area.UnderClause("u.area_id", scope)
	rows, err := q.Query(ctx, `SELECT u.id, CASE WHEN u.display_name = '' THEN u.username ELSE u.display_name END,
		COALESCE(a.station_id, 0), COALESCE(s.name, ''),
		(SELECT COUNT(*) FROM warnings w WHERE w.assignee_id = u.id AND w.status = 'open')
		FROM users u JOIN areas a ON a.id = u.area_id LEFT JOIN areas s ON s.id = a.station_id
		WHERE u.role = 'dissuader' AND u.disabled = 0 AND `+under+` ORDER BY u.id`, uarg)
	if err != nil {
		return nil, fmt.Errorf("handover candidates: %w", err)
	}
	var out []Candidate
	for rows.Next() {
		var c Candidate
		if err := rows.Scan(&c.UserID, &c.Name, &c.StationID, &c.StationName, &c.OpenLoad); err != nil {
			rows.Close()
			return nil, err
		}
		c.Home = stationID != 0 && c.StationID == stationID
		out = append(out, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	on, err := roster.OnDutyUsers(ctx, q, now)
	if err != nil {
		return nil, err
	}
	for i := range out {
		out[i].OnDuty = on[out[i].UserID]
	}
	SortCandidates(out)
	return out, nil
}

// SortCandidates puts the warning's own station's officers on duty first
// (see HandoverCandidates).
func SortCandidates(cs []Candidate) {
	rank := func(c Candidate) int {
		switch {
		case c.Home && c.OnDuty:
			return 0
		case c.Home:
			return 1
		case c.OnDuty:
			return 2
		}
		return 3
	}
	sort.SliceStable(cs, func(i, j int) bool {
		a, b := cs[i], cs[j]
		if rank(a) != rank(b) {
			return rank(a) < rank(b)
		}
		if a.OpenLoad != b.OpenLoad {
			return a.OpenLoad < b.OpenLoad
		}
		return a.Name < b.Name
	})
}

// DefaultHandoverTo is the picker's default: the first of the warning's
// station on duty who is not its assignee, else 0 (交回中心).
func DefaultHandoverTo(cands []Candidate, assigneeID int64) int64 {
	for _, c := range cands {
		if c.Home && c.OnDuty && c.UserID != assigneeID {
			return c.UserID
		}
	}
	return 0
}
