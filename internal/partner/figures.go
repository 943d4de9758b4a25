package partner

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"time"

	"github.com/fanzha/fanzha/internal/db"
)

// UnitFigure is how a member unit answers the centre's requests, for the
// joint meeting's review: of the requests whose answer is in or whose time
// is up, how many were answered in time, and the median answer time.
type UnitFigure struct {
	UnitID   int64  `json:"unit_id"`
	UnitName string `json:"unit_name"`
	UnitKind string `json:"unit_kind"`
	Requests int64  `json:"requests"`
	Answered int64  `json:"answered"` // done or refused (any final answer)
	InTime   int64  `json:"in_time"`  // answered by the due time
	Overdue  int64  `json:"overdue"`  // unanswered past the due time
	// InTimePermille is InTime per thousand of Answered+Overdue (-1 when
	// nothing is due yet).
	InTimePermille      int64 `json:"in_time_permille"`
	MedianAnswerSeconds int64 `json:"median_answer_seconds"`
}

// InTimePct renders InTimePermille as a percentage with one decimal.
func (f UnitFigure) InTimePct() string {
	if f.InTimePermille < 0 {
		return "—"
	}
	return fmt.Sprintf("%d.%d%%", f.InTimePermille/10, f.InTimePermille%10)
}

// MedianAnswer renders the median answer time.
func (f UnitFigure) MedianAnswer() string {
	if f.Answered == 0 {
		return "—"
	}
	d := time.Duration(f.MedianAnswerSeconds) * time.Second
	switch {
	case d < time.Hour:
		return fmt.Sprintf("%d 分钟", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%.1f 小时", d.Hours())
	default:
		return fmt.Sprintf("%.1f 天", d.Hours()/24)
	}
}

// UnitFigures computes the figures of every unit that received requests
// created since the given time (zero: all), by unit name.
func UnitFigures(ctx context.Context, q db.Querier, since, now time.Time) ([]UnitFigure, error) {
	rows, err := q.Query(ctx, `SELECT r.unit_id, u.name, u.kind, r.status, r.created_at, r.due_at, r.answered_at
		FROM partner_requests r JOIN units u ON u.id = r.unit_id WHERE r.created_at >= ? AND r.status <> 'drafted'`, db.Millis(since))
	if err != nil {
		return nil, fmt.Errorf("unit figures: %w", err)
	}
	defer rows.Close()
	by := map[int64]*UnitFigure{}
	waits := map[int64][]int64{}
	nowMs := db.Millis(now)
	for rows.Next() {
		var unitID, created int64
		var name, kind, status string
		var due, answered sql.NullInt64
		if err := rows.Scan(&unitID, &name, &kind, &status, &created, &due, &answered); err != nil {
			return nil, err
		}
		f := by[unitID]
		if f == nil {
			f = &UnitFigure{UnitID: unitID, UnitName: name, UnitKind: kind}
			by[unitID] = f
		}
		f.Requests++
		open := status == "sent" || status == "seen"
		switch {
		case !open && answered.Valid:
			f.Answered++
			if !due.Valid || answered.Int64 <= due.Int64 {
				f.InTime++
			}
			waits[unitID] = append(waits[unitID], (answered.Int64-created)/1000)
		case open && due.Valid && due.Int64 < nowMs:
			f.Overdue++
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make([]UnitFigure, 0, len(by))
	for id, f := range by {
		f.InTimePermille = -1
		if base := f.Answered + f.Overdue; base > 0 {
			f.InTimePermille = f.InTime * 1000 / base
		}
		if w := waits[id]; len(w) > 0 {
			sort.Slice(w, func(i, j int) bool { return w[i] < w[j] })
			if len(w)%2 == 1 {
				f.MedianAnswerSeconds = w[len(w)/2]
			} else {
				f.MedianAnswerSeconds = (w[len(w)/2-1] + w[len(w)/2]) / 2
			}
		}
		out = append(out, *f)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].UnitName != out[j].UnitName {
			return out[i].UnitName < out[j].UnitName
		}
		return out[i].UnitID < out[j].UnitID
	})
	return out, nil
}
