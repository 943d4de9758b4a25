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

// Queue is one page of the 「待反馈」 queue with the size of the whole
// queue in scope and how many of it are overdue.
type Queue struct {
	Items   []Pending `json:"items"`
	Total   int       `json:"total"`
	Overdue int       `json:"overdue"`
	Limit   int       `json:"limit"`
	Offset  int       `json:"offset"`
}

// Queue pages: DefaultQueuePage rows unless asked, at most MaxQueuePage;
// PendingFeedback gives the first MaxQueuePage.
const (
	DefaultQueuePage = 50
	MaxQueuePage     = 1000
)

// PendingFeedbackPage lists one page of the instructions in scope not yet
// reported back, the nearest deadline first, with the time left at now,
// and counts the whole queue. An instruction whose warning was merged into
// another is listed with that warning's station, officer and outcome: the
// issuer still awaits its own report.
func PendingFeedbackPage(ctx context.Context, q db.Querier, scope area.Node, now time.Time, page db.Page) (Queue, error) {
	page = page.Clamp(DefaultQueuePage, MaxQueuePage)
	out := Queue{Items: []Pending{}, Limit: page.Limit, Offset: page.Offset}
	c1, a1 := area.UnderClause("w.station_id", scope)
	c2, a2 := area.UnderClause("w.area_id", scope)
	where := `i.fed_back_at IS NULL AND (` + c1 + ` OR ` + c2 + `)`
	if err := q.QueryRow(ctx, `SELECT COUNT(*), COALESCE(SUM(CASE WHEN i.feedback_due_at < ? THEN 1 ELSE 0 END), 0)
		FROM instructions i JOIN warnings w ON w.id = i.warning_id WHERE `+where, db.Millis(now), a1, a2).Scan(&out.Total, &out.Overdue); err != nil {
		return out, fmt.Errorf("pending feedback count: %w", err)
	}
	rows, err := q.Query(ctx, `SELECT i.warning_id, i.level, i.number, i.issuer, COALESCE(st.name, ''), COALESCE(u.display_name, ''),
		p.outcome, i.signed_at, i.sign_due_at, i.feedback_due_at, i.feedback_escalated_at
		FROM instructions i JOIN warnings w ON w.id = i.warning_id
		JOIN warnings p ON p.id = COALESCE(w.merged_into, w.id)
		LEFT JOIN areas st ON st.id = p.station_id LEFT JOIN users u ON u.id = p.assignee_id
		WHERE `+where+` ORDER BY i.feedback_due_at, i.warning_id`+page.SQL(), a1, a2)
	if err != nil {
		return out, fmt.Errorf("pending feedback: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var p Pending
		var signed, esc *int64
		var sdue, fdue int64
		if err := rows.Scan(&p.WarningID, &p.Level, &p.Number, &p.Issuer, &p.StationName, &p.AssigneeName, &p.Outcome,
			&signed, &sdue, &fdue, &esc); err != nil {
			return out, err
		}
		p.LevelName = LevelName(p.Level)
		if signed != nil {
			p.SignedAt = db.Time(*signed)
		}
		p.SignDueAt, p.FeedbackDueAt = db.Time(sdue), db.Time(fdue)
		p.Left = p.FeedbackDueAt.Sub(now)
		p.Overdue = p.Left < 0
		p.Escalated = esc != nil
		out.Items = append(out.Items, p)
	}
	return out, rows.Err()
}

// PendingFeedback is the head of the queue (PendingFeedbackPage's first
// MaxQueuePage rows), for the callers that show one list.
func PendingFeedback(ctx context.Context, q db.Querier, scope area.Node, now time.Time) ([]Pending, error) {
	page, err := PendingFeedbackPage(ctx, q, scope, now, db.Page{Limit: MaxQueuePage})
	if err != nil {
		return nil, err
	}
	return page.Items, nil
}
