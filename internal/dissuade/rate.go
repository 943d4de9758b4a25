package dissuade

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/db"
)

// After is the window in which a case of a dissuaded person counts against
// the dissuasion: 30 days.
const After = 30 * 24 * time.Hour

// Relapse is a successful dissuasion followed by a case of the same person
// (victim phone or ID number) reported within After.
type Relapse struct {
	WarningID   int64     `json:"warning_id"`
	DissuadedAt time.Time `json:"dissuaded_at"`
	StationID   int64     `json:"station_id"`
	Station     string    `json:"station"`
	OfficerID   int64     `json:"officer_id"`
	Officer     string    `json:"officer"`
	Person      string    `json:"person"`
	CaseID      int64     `json:"case_id"`
	CaseNo      string    `json:"case_no"`
	ReportedAt  time.Time `json:"reported_at"`
	LossFen     int64     `json:"loss_fen"`
}

// Days is how long the dissuasion held.
func (r Relapse) Days() int { return int(r.ReportedAt.Sub(r.DissuadedAt).Hours() / 24) }

// RateRow is one station's or officer's figures.
type RateRow struct {
	ID        int64  `json:"id"`
	Name      string `json:"name"`
	Closed    int    `json:"closed"`    // warnings closed in the period (劝阻成功 + 已被骗 + 无法联系 + 误报 … the dissuasion rate's base)
	Dissuaded int    `json:"dissuaded"` // of which 劝阻成功
	Relapsed  int    `json:"relapsed"`  // of the dissuaded, followed by a case within 30 days
}

// DissuasionPermille is 劝阻成功率 in ‰ of the closed warnings (false
// alarms left out).
func (r RateRow) DissuasionPermille() int64 { return permille(r.Dissuaded, r.Closed) }

// RelapsePermille is the defrauded-after-dissuasion rate in ‰ of the
// successful dissuasions.
func (r RateRow) RelapsePermille() int64 { return permille(r.Relapsed, r.Dissuaded) }

func permille(n, d int) int64 {
	if d == 0 {
		return 0
	}
	return int64((n*1000 + d/2) / d)
}

// Rates are the figures of a period per station and per officer, with the
// relapses behind them.
type Rates struct {
	Total     RateRow   `json:"total"`
	ByStation []RateRow `json:"by_station"`
	ByOfficer []RateRow `json:"by_officer"`
	Relapses  []Relapse `json:"relapses"`
}

// DissuasionRates computes, for the warnings in scope whose outcome was
// given in [from, to): the dissuasion rate (劝阻成功 of the warnings closed
// with an outcome other than 误报) and the defrauded-after-dissuasion rate
// (those 劝阻成功 warnings whose person — the victim's phone or ID number —
// is a victim of a case reported after the dissuasion and within 30 days
// of it, of all the 劝阻成功 warnings), per handling station and officer.
func DissuasionRates(ctx context.Context, q db.Querier, scope area.Node, from, to time.Time) (Rates, error) {
	var out Rates
	c1, a1 := area.UnderClause("w.area_id", scope)
	c2, a2 := area.UnderClause("w.station_id", scope)
	where := `w.outcome_at >= ? AND w.outcome_at < ? AND w.status = 'closed' AND w.outcome <> '' AND w.outcome <> 'false_alarm' AND (` + c1 + ` OR ` + c2 + `)`
	args := []any{db.Millis(from), db.Millis(to), a1, a2}
	st := map[int64]*RateRow{}
	of := map[int64]*RateRow{}
	rows, err := q.Query(ctx, `SELECT COALESCE(w.station_id, 0), COALESCE(s.name, ''), COALESCE(w.assignee_id, 0), COALESCE(u.display_name, ''),
		w.outcome FROM warnings w LEFT JOIN areas s ON s.id = w.station_id LEFT JOIN users u ON u.id = w.assignee_id
		WHERE `+where, args...)
	if err != nil {
		return out, fmt.Errorf("dissuasion rates: %w", err)
	}
	for rows.Next() {
		var sid, uid int64
		var sname, uname, outcome string
		if err := rows.Scan(&sid, &sname, &uid, &uname, &outcome); err != nil {
			rows.Close()
			return out, err
		}
		for _, r := range []*RateRow{&out.Total, row(st, sid, sname), row(of, uid, uname)} {
			r.Closed++
			if outcome == "dissuaded" {
				r.Dissuaded++
			}
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return out, err
	}
	// The relapses: one per dissuaded warning, its first later case.
	rows, err = q.Query(ctx, `SELECT w.id, w.outcome_at, COALESCE(w.station_id, 0), COALESCE(s.name, ''), COALESCE(w.assignee_id, 0),
		COALESCE(u.display_name, ''), w.person_name, c.id, c.case_no, c.reported_at, c.loss_fen
		FROM warnings w LEFT JOIN areas s ON s.id = w.station_id LEFT JOIN users u ON u.id = w.assignee_id
		JOIN victims v ON ((w.person_phone <> '' AND v.phone = w.person_phone) OR (w.person_id_number <> '' AND v.id_number = w.person_id_number))
		JOIN cases c ON c.id = v.case_id AND c.reported_at >= w.outcome_at AND c.reported_at < w.outcome_at + ?
		WHERE w.outcome = 'dissuaded' AND `+where+`
		ORDER BY w.id, c.reported_at, c.id`, append([]any{After.Milliseconds()}, args...)...)
	if err != nil {
		return out, fmt.Errorf("relapses: %w", err)
	}
	defer rows.Close()
	seen := map[int64]bool{}
	for rows.Next() {
		var r Relapse
		var dat, rat int64
		if err := rows.Scan(&r.WarningID, &dat, &r.StationID, &r.Station, &r.OfficerID, &r.Officer, &r.Person, &r.CaseID, &r.CaseNo, &rat, &r.LossFen); err != nil {
			return out, err
		}
		if seen[r.WarningID] {
			continue
		}
		seen[r.WarningID] = true
		r.DissuadedAt, r.ReportedAt = db.Time(dat), db.Time(rat)
		out.Relapses = append(out.Relapses, r)
		out.Total.Relapsed++
		row(st, r.StationID, r.Station).Relapsed++
		row(of, r.OfficerID, r.Officer).Relapsed++
	}
	if err := rows.Err(); err != nil {
		return out, err
	}
	out.ByStation, out.ByOfficer = sorted(st), sorted(of)
	return out, nil
}

func row(m map[int64]*RateRow, id int64, name string) *RateRow {
	r, ok := m[id]
	if !ok {
		if name == "" {
			name = "（未分派）"
		}
		r = &RateRow{ID: id, Name: name}
		m[id] = r
	}
	return r
}

func sorted(m map[int64]*RateRow) []RateRow {
	out := make([]RateRow, 0, len(m))
	for _, r := range m {
		out = append(out, *r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}
