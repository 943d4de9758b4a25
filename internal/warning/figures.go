package warning

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/db"
)

// Figures are the warning and dissuasion figures of a jurisdiction over a
// period (by time of receipt). Every rate is given with its numerator and
// denominator, so a bulletin can print them exactly.
type Figures struct {
	From       time.Time        `json:"from"`
	To         time.Time        `json:"to"`
	Received   int64            `json:"received"` // every warning received, merged ones included
	ByGrade    map[Grade]int64  `json:"by_grade"`
	BySource   map[Source]int64 `json:"by_source"`
	Handled    int64            `json:"handled"` // primary warnings (after merging)
	Open       int64            `json:"open"`
	Dissuaded  int64            `json:"dissuaded"`
	Defrauded  int64            `json:"defrauded"`
	Unreached  int64            `json:"unreachable"`
	FalseAlarm int64            `json:"false_alarm"`
	// DissuasionRate = dissuaded / (dissuaded + defrauded + unreachable),
	// false alarms and open warnings left out. In per mille, rounded half up.
	DissuasionPermille int64 `json:"dissuasion_permille"`
	// On-site checks: warnings that required one, those done, those done by
	// their deadline.
	OnsiteRequired int64 `json:"onsite_required"`
	OnsiteDone     int64 `json:"onsite_done"`
	OnsiteInTime   int64 `json:"onsite_in_time"`
	// Time from receipt to first contact attempt, over contacted warnings.
	Contacted        int64   `json:"contacted"`
	FirstContactP50s float64 `json:"first_contact_p50_s"`
	FirstContactP90s float64 `json:"first_contact_p90_s"`
	ContactBreaches  int64   `json:"contact_breaches"` // first contact after the deadline, or none and the deadline passed
	Escalated        int64   `json:"escalated"`
	KeptFen          int64   `json:"kept_fen"`
}

// ComputeFigures computes the figures of scope for warnings received in
// [from, to), as of now.
func ComputeFigures(ctx context.Context, q db.Querier, scope area.Node, from, to, now time.Time) (Figures, error) {
	f := Figures{From: from.UTC(), To: to.UTC(), ByGrade: map[Grade]int64{}, BySource: map[Source]int64{}}
	cond, arg := area.UnderClause("area_id", scope)
	args := []any{arg, db.Millis(from), db.Millis(to)}
	where := ` WHERE ` + cond + ` AND received_at >= ? AND received_at < ?`
	rows, err := q.Query(ctx, `SELECT grade, source, COUNT(*) FROM warnings`+where+` GROUP BY grade, source`, args...)
	if err != nil {
		return f, fmt.Errorf("warning figures: %w", err)
	}
	for rows.Next() {
		var g Grade
		var s Source
		var n int64
		if err := rows.Scan(&g, &s, &n); err != nil {
			rows.Close()
			return f, err
		}
		f.ByGrade[g] += n
		f.BySource[s] += n
		f.Received += n
	}
	rows.Close()
	err = q.QueryRow(ctx, `SELECT COUNT(*),
		COALESCE(SUM(CASE WHEN status = 'open' THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN outcome = 'dissuaded' AND status = 'closed' THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN outcome = 'defrauded' AND status = 'closed' THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN outcome = 'unreachable' AND status = 'closed' THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN outcome = 'false_alarm' AND status = 'closed' THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN onsite_due_at IS NOT NULL THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN onsite_due_at IS NOT NULL AND onsite_at IS NOT NULL THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN onsite_due_at IS NOT NULL AND onsite_at IS NOT NULL AND onsite_at <= onsite_due_at THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN (first_contact_at IS NOT NULL AND first_contact_at > contact_due_at)
			OR (first_contact_at IS NULL AND contact_due_at < ?) THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN escalated_at IS NOT NULL THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(kept_fen), 0)
		FROM warnings`+where+` AND status <> 'merged'`, append([]any{db.Millis(now)}, args...)...).
		Scan(&f.Handled, &f.Open, &f.Dissuaded, &f.Defrauded, &f.Unreached, &f.FalseAlarm,
			&f.OnsiteRequired, &f.OnsiteDone, &f.OnsiteInTime, &f.ContactBreaches, &f.Escalated, &f.KeptFen)
	if err != nil {
		return f, fmt.Errorf("warning figures: %w", err)
	}
	if d := f.Dissuaded + f.Defrauded + f.Unreached; d > 0 {
		f.DissuasionPermille = (f.Dissuaded*1000 + d/2) / d
	}
	rows, err = q.Query(ctx, `SELECT first_contact_at - received_at FROM warnings`+where+
		` AND status <> 'merged' AND first_contact_at IS NOT NULL`, args...)
	if err != nil {
		return f, fmt.Errorf("first contact times: %w", err)
	}
	var ms []int64
	for rows.Next() {
		var v int64
		if err := rows.Scan(&v); err != nil {
			rows.Close()
			return f, err
		}
		ms = append(ms, v)
	}
	rows.Close()
	f.Contacted = int64(len(ms))
	f.FirstContactP50s = quantileSeconds(ms, 0.5)
	f.FirstContactP90s = quantileSeconds(ms, 0.9)
	return f, rows.Err()
}

// quantileSeconds is the nearest-rank quantile of millisecond durations, in
// seconds (the value at rank ceil(q·n)).
func quantileSeconds(ms []int64, q float64) float64 {
	if len(ms) == 0 {
		return 0
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i] < ms[j] })
	rank := int(q*float64(len(ms)) + 0.999999999)
	if rank < 1 {
		rank = 1
	}
	if rank > len(ms) {
		rank = len(ms)
	}
	return float64(ms[rank-1]) / 1000
}
