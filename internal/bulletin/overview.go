// Package bulletin is 研判通报: the statistics of the county and its
// stations — the home page's live figures now, the daily / weekly / monthly
// bulletins later — always computed for one node of the jurisdiction tree.
package bulletin

import (
	"context"
	"fmt"
	"time"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/fraudtype"
	"github.com/fanzha/fanzha/internal/warning"
)

// Overview is the set of live figures on the console's home page.
type Overview struct {
	Scope      string         `json:"scope"` // the node's full name
	AsOf       time.Time      `json:"as_of"`
	Today      DayCounts      `json:"today"`
	OpenNow    int64          `json:"open_warnings"`
	OverdueNow int64          `json:"overdue_warnings"` // open, first contact due and not made
	Year       YearCounts     `json:"year"`
	Daily      []DayPoint     `json:"daily"`      // the last 30 days, oldest first
	ByType     []TypeCount    `json:"by_type"`    // cases this year by fraud type, largest first
	ByStation  []StationCount `json:"by_station"` // this year, per station under the scope (per city or county under a province or city)
}

// DayCounts are today's figures (Asia/Shanghai day).
type DayCounts struct {
	Warnings     int64 `json:"warnings"`
	FundWarnings int64 `json:"fund_warnings"`
	Dissuaded    int64 `json:"dissuaded"`
	Cases        int64 `json:"cases"`
	LossFen      int64 `json:"loss_fen"`
}

// YearCounts are the figures since 1 January (Asia/Shanghai).
type YearCounts struct {
	Warnings     int64 `json:"warnings"`
	FundWarnings int64 `json:"fund_warnings"`
	HighWarnings int64 `json:"high_warnings"`
	Dissuaded    int64 `json:"dissuaded"`
	Defrauded    int64 `json:"defrauded"`
	Unreachable  int64 `json:"unreachable"`
	FalseAlarm   int64 `json:"false_alarm"`
	// DissuasionRate is dissuaded / (dissuaded + defrauded + unreachable):
	// the share of genuine warnings, closed with a result, where the person
	// was talked out of paying. False alarms are left out. In per mille
	// (integer) to stay exact; the console shows it as a percentage.
	DissuasionPermille int64 `json:"dissuasion_permille"`
	KeptFen            int64 `json:"kept_fen"`
	Cases              int64 `json:"cases"`
	LossFen            int64 `json:"loss_fen"`
	PreventionEvents   int64 `json:"prevention_events"`
	PeopleReached      int64 `json:"people_reached"`
}

// DayPoint is one day of the trend.
type DayPoint struct {
	Day      string `json:"day"` // YYYY-MM-DD, Asia/Shanghai
	Warnings int64  `json:"warnings"`
	Cases    int64  `json:"cases"`
	LossFen  int64  `json:"loss_fen"`
}

// TypeCount is cases and losses of one fraud type.
type TypeCount struct {
	Code    string `json:"code"`
	Name    string `json:"name"`
	Cases   int64  `json:"cases"`
	LossFen int64  `json:"loss_fen"`
}

// StationCount is a station's year figures.
type StationCount struct {
	StationID int64  `json:"station_id"`
	Name      string `json:"name"`
	Warnings  int64  `json:"warnings"`
	Cases     int64  `json:"cases"`
	LossFen   int64  `json:"loss_fen"`
}

const dayMillis = 86400000

// ComputeOverview computes the home page figures for scope at now, with days
// cut in loc, everything read from the database.
func ComputeOverview(ctx context.Context, q db.Querier, scope area.Node, now time.Time, loc *time.Location) (Overview, error) {
	return computeOverview(ctx, q, nil, scope, now, loc)
}

// ComputeOverviewCached is ComputeOverview with the warnings of closed days
// read from c (warning.FigureCache): the same figures, without reading a
// year of warnings on every page. A nil c reads everything.
func ComputeOverviewCached(ctx context.Context, q db.Querier, c *warning.FigureCache, scope area.Node, now time.Time, loc *time.Location) (Overview, error) {
	if c == nil {
		return ComputeOverview(ctx, q, scope, now, loc)
	}
	s, err := c.Snapshot(ctx, q, scope, now)
	if err != nil {
		return Overview{}, err
	}
	return computeOverview(ctx, q, s, scope, now, loc)
}

// computeOverview reads the warnings from s when it holds the year and the
// trend, else with SQL; cases and prevention are always read with SQL.
func computeOverview(ctx context.Context, q db.Querier, snap *warning.FigureSnapshot, scope area.Node, now time.Time, loc *time.Location) (Overview, error) {
	o := Overview{Scope: scope.FullName, AsOf: now.UTC()}
	local := now.In(loc)
	dayStart := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, loc)
	yearStart := time.Date(local.Year(), 1, 1, 0, 0, 0, 0, loc)
	trendStart := dayStart.AddDate(0, 0, -29)
	if snap != nil && (!snap.Covers(yearStart) || !snap.Covers(trendStart)) {
		snap = nil
	}
	wCond, wArg := area.UnderClause("area_id", scope)
	cCond, cArg := area.UnderClause("area_id", scope)

	if snap == nil {
		err := q.QueryRow(ctx, `SELECT COUNT(*), COALESCE(SUM(CASE WHEN grade = 'fund' THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN outcome = 'dissuaded' THEN 1 ELSE 0 END), 0)
		FROM warnings WHERE `+wCond+` AND received_at >= ?`, wArg, db.Millis(dayStart)).
			Scan(&o.Today.Warnings, &o.Today.FundWarnings, &o.Today.Dissuaded)
		if err != nil {
			return o, fmt.Errorf("overview today warnings: %w", err)
		}
	}
	err := q.QueryRow(ctx, `SELECT COUNT(*), COALESCE(SUM(loss_fen), 0) FROM cases WHERE `+cCond+` AND reported_at >= ?`,
		cArg, db.Millis(dayStart)).Scan(&o.Today.Cases, &o.Today.LossFen)
	if err != nil {
		return o, fmt.Errorf("overview today cases: %w", err)
	}
	// Open warnings of any day, through the join so that both engines walk
	// the partial indexes of open warnings, not every warning of the scope.
	err = q.QueryRow(ctx, `SELECT COUNT(*), COALESCE(SUM(CASE WHEN w.contact_due_at < ? AND w.first_contact_at IS NULL THEN 1 ELSE 0 END), 0)
		FROM warnings w JOIN areas a ON a.id = w.area_id WHERE a.path LIKE ? AND w.status = 'open'`, db.Millis(now), scope.SubtreePattern()).
		Scan(&o.OpenNow, &o.OverdueNow)
	if err != nil {
		return o, fmt.Errorf("overview open warnings: %w", err)
	}
	y := &o.Year
	if snap == nil {
		err := q.QueryRow(ctx, `SELECT COUNT(*),
		COALESCE(SUM(CASE WHEN grade = 'fund' THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN grade = 'high' THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN outcome = 'dissuaded' THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN outcome = 'defrauded' THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN outcome = 'unreachable' THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN outcome = 'false_alarm' THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(kept_fen), 0)
		FROM warnings WHERE `+wCond+` AND received_at >= ?`, wArg, db.Millis(yearStart)).
			Scan(&y.Warnings, &y.FundWarnings, &y.HighWarnings, &y.Dissuaded, &y.Defrauded, &y.Unreachable, &y.FalseAlarm, &y.KeptFen)
		if err != nil {
			return o, fmt.Errorf("overview year warnings: %w", err)
		}
	}
	err = q.QueryRow(ctx, `SELECT COUNT(*), COALESCE(SUM(loss_fen), 0) FROM cases WHERE `+cCond+` AND reported_at >= ?`,
		cArg, db.Millis(yearStart)).Scan(&y.Cases, &y.LossFen)
	if err != nil {
		return o, fmt.Errorf("overview year cases: %w", err)
	}
	err = q.QueryRow(ctx, `SELECT COUNT(*), COALESCE(SUM(reached), 0) FROM prevention_events WHERE `+cCond+` AND at >= ?`,
		cArg, db.Millis(yearStart)).Scan(&y.PreventionEvents, &y.PeopleReached)
	if err != nil {
		return o, fmt.Errorf("overview year prevention: %w", err)
	}

	// The 30-day trend, bucketed by local day with integer arithmetic that
	// both engines evaluate identically.
	_, offset := trendStart.Zone()
	offMs := int64(offset) * 1000
	days := map[int64]*DayPoint{}
	o.Daily = make([]DayPoint, 30)
	for i := range o.Daily {
		d := trendStart.AddDate(0, 0, i)
		o.Daily[i].Day = d.Format("2006-01-02")
		days[(d.UnixMilli()+offMs)/dayMillis] = &o.Daily[i]
	}
	if snap == nil {
		rows, err := q.Query(ctx, `SELECT (received_at + ?) / ?, COUNT(*) FROM warnings WHERE `+wCond+`
		AND received_at >= ? GROUP BY 1`,
			offMs, int64(dayMillis), wArg, db.Millis(trendStart))
		if err != nil {
			return o, fmt.Errorf("overview warning trend: %w", err)
		}
		for rows.Next() {
			var k, n int64
			if err := rows.Scan(&k, &n); err != nil {
				rows.Close()
				return o, err
			}
			if p := days[k]; p != nil {
				p.Warnings = n
			}
		}
		rows.Close()
	}
	rows, err := q.Query(ctx, `SELECT (reported_at + ?) / ?, COUNT(*), COALESCE(SUM(loss_fen), 0) FROM cases WHERE `+cCond+`
		AND reported_at >= ? GROUP BY 1`,
		offMs, int64(dayMillis), cArg, db.Millis(trendStart))
	if err != nil {
		return o, fmt.Errorf("overview case trend: %w", err)
	}
	for rows.Next() {
		var k, n, loss int64
		if err := rows.Scan(&k, &n, &loss); err != nil {
			rows.Close()
			return o, err
		}
		if p := days[k]; p != nil {
			p.Cases, p.LossFen = n, loss
		}
	}
	rows.Close()

	rows, err = q.Query(ctx, `SELECT fraud_type, COUNT(*), COALESCE(SUM(loss_fen), 0) FROM cases WHERE `+cCond+`
		AND reported_at >= ? GROUP BY fraud_type ORDER BY COUNT(*) DESC, fraud_type`, cArg, db.Millis(yearStart))
	if err != nil {
		return o, fmt.Errorf("overview by type: %w", err)
	}
	for rows.Next() {
		var t TypeCount
		if err := rows.Scan(&t.Code, &t.Cases, &t.LossFen); err != nil {
			rows.Close()
			return o, err
		}
		t.Name = fraudtype.Name(fraudtype.Code(t.Code))
		o.ByType = append(o.ByType, t)
	}
	rows.Close()

	stations, err := area.ByLevel(ctx, q, scope, area.Station)
	if err != nil {
		return o, err
	}
	if scope.Level == area.Station {
		stations = []area.Node{scope}
	}
	idx := map[int64]int{} // station → row of ByStation
	if scope.Level.AboveCounty() {
		// A province or city: one row per city or county under it, each
		// the sum of its stations (the figures are counted per station).
		groups, err := area.Children(ctx, q, scope.ID)
		if err != nil {
			return o, err
		}
		for _, g := range area.Live(groups) {
			k := len(o.ByStation)
			o.ByStation = append(o.ByStation, StationCount{StationID: g.ID, Name: g.Name})
			for _, s := range stations {
				if g.Contains(s) {
					idx[s.ID] = k
				}
			}
		}
	} else {
		for _, s := range stations {
			idx[s.ID] = len(o.ByStation)
			o.ByStation = append(o.ByStation, StationCount{StationID: s.ID, Name: s.Name})
		}
	}
	if snap == nil {
		rows, err = q.Query(ctx, `SELECT station_id, COUNT(*) FROM warnings WHERE `+wCond+` AND received_at >= ?
		AND station_id IS NOT NULL GROUP BY station_id`, wArg, db.Millis(yearStart))
		if err != nil {
			return o, fmt.Errorf("overview by station: %w", err)
		}
		for rows.Next() {
			var id, n int64
			if err := rows.Scan(&id, &n); err != nil {
				rows.Close()
				return o, err
			}
			if i, ok := idx[id]; ok {
				o.ByStation[i].Warnings = n
			}
		}
		rows.Close()
	} else {
		// One pass over the year's warnings (the trend's 30 days lie in it
		// or in the snapshot's held month before 1 January).
		ds, ys, ts := db.Millis(dayStart), db.Millis(yearStart), db.Millis(trendStart)
		first := yearStart
		if trendStart.Before(first) {
			first = trendStart
		}
		snap.Each(first, time.Time{}, func(r *warning.FigureRow) {
			if p := days[(r.ReceivedAt+offMs)/dayMillis]; p != nil && r.ReceivedAt >= ts {
				p.Warnings++
			}
			if r.ReceivedAt >= ds {
				o.Today.Warnings++
				if r.Grade == warning.GradeFund {
					o.Today.FundWarnings++
				}
				if r.Outcome == warning.OutcomeDissuaded {
					o.Today.Dissuaded++
				}
			}
			if r.ReceivedAt < ys {
				return
			}
			y.Warnings++
			switch r.Grade {
			case warning.GradeFund:
				y.FundWarnings++
			case warning.GradeHigh:
				y.HighWarnings++
			}
			switch r.Outcome {
			case warning.OutcomeDissuaded:
				y.Dissuaded++
			case warning.OutcomeDefrauded:
				y.Defrauded++
			case warning.OutcomeUnreachable:
				y.Unreachable++
			case warning.OutcomeFalseAlarm:
				y.FalseAlarm++
			}
			y.KeptFen += r.KeptFen
			if i, ok := idx[r.StationID]; ok && r.StationID != 0 {
				o.ByStation[i].Warnings++
			}
		})
	}
	if d := y.Dissuaded + y.Defrauded + y.Unreachable; d > 0 {
		y.DissuasionPermille = (y.Dissuaded*1000 + d/2) / d
	}
	rows, err = q.Query(ctx, `SELECT station_id, COUNT(*), COALESCE(SUM(loss_fen), 0) FROM cases WHERE `+cCond+`
		AND reported_at >= ? AND station_id IS NOT NULL GROUP BY station_id`, cArg, db.Millis(yearStart))
	if err != nil {
		return o, fmt.Errorf("overview cases by station: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, n, loss int64
		if err := rows.Scan(&id, &n, &loss); err != nil {
			return o, err
		}
		if i, ok := idx[id]; ok {
			o.ByStation[i].Cases, o.ByStation[i].LossFen = n, loss
		}
	}
	return o, rows.Err()
}
