package instruction

import (
	"context"
	"fmt"
	"time"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/db"
)

// Pending is one instruction awaiting its first feedback report (「待反馈」).
type Pending struct {
	WarningID     int64         `json:"warning_id"`
	Level         Level         `json:"level"`
	LevelName     string        `json:"level_name"`
	Number        string        `json:"number"`
	Issuer        string        `json:"issuer"`
	StationName   string        `json:"station_name"`
	AssigneeName  string        `json:"assignee_name"`
	Outcome       string        `json:"outcome"` // the warning's outcome so far ('' while being worked)
	SignedAt      time.Time     `json:"signed_at,omitzero"`
	SignDueAt     time.Time     `json:"sign_due_at"`
	FeedbackDueAt time.Time     `json:"feedback_due_at"`
	Left          time.Duration `json:"left"` // until the feedback deadline; negative when overdue
	Overdue       bool          `json:"overdue"`
	Escalated     bool          `json:"escalated"`
}

// PendingFeedback lists the instructions in scope not yet reported back,
// the nearest deadline first, with the time left at now. An instruction
// whose warning was merged into another is listed with that warning's
// station, officer and outcome: the issuer still awaits its own report.
func PendingFeedback(ctx context.Context, q db.Querier, scope area.Node, now time.Time) ([]Pending, error) {
	c1, a1 := area.UnderClause("w.station_id", scope)
	c2, a2 := area.UnderClause("w.area_id", scope)
	rows, err := q.Query(ctx, `SELECT i.warning_id, i.level, i.number, i.issuer, COALESCE(st.name, ''), COALESCE(u.display_name, ''),
		p.outcome, i.signed_at, i.sign_due_at, i.feedback_due_at, i.feedback_escalated_at
		FROM instructions i JOIN warnings w ON w.id = i.warning_id
		JOIN warnings p ON p.id = COALESCE(w.merged_into, w.id)
		LEFT JOIN areas st ON st.id = p.station_id LEFT JOIN users u ON u.id = p.assignee_id
		WHERE i.fed_back_at IS NULL AND (`+c1+` OR `+c2+`)
		ORDER BY i.feedback_due_at, i.warning_id`, a1, a2)
	if err != nil {
		return nil, fmt.Errorf("pending feedback: %w", err)
	}
	defer rows.Close()
	var out []Pending
	for rows.Next() {
		var p Pending
		var signed, esc *int64
		var sdue, fdue int64
		if err := rows.Scan(&p.WarningID, &p.Level, &p.Number, &p.Issuer, &p.StationName, &p.AssigneeName, &p.Outcome,
			&signed, &sdue, &fdue, &esc); err != nil {
			return nil, err
		}
		p.LevelName = LevelName(p.Level)
		if signed != nil {
			p.SignedAt = db.Time(*signed)
		}
		p.SignDueAt, p.FeedbackDueAt = db.Time(sdue), db.Time(fdue)
		p.Left = p.FeedbackDueAt.Sub(now)
		p.Overdue = p.Left < 0
		p.Escalated = esc != nil
		out = append(out, p)
	}
	return out, rows.Err()
}
