package assess

import (
	"context"
	"fmt"
	"time"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/dissuade"
	"github.com/fanzha/fanzha/internal/prevent"
)

// Value is one graded figure of a unit: the value, what it is made of, and
// its colour (None when the unit had nothing to measure).
type Value struct {
	Value  int64  `json:"value"`
	Num    int64  `json:"num"`
	Den    int64  `json:"den"`
	Colour Colour `json:"colour"`
}

// Row is one unit's line of the league table (a station's, a town's, or
// above a county a city's or county's).
type Row struct {
	AreaID     int64            `json:"area_id"`
	Name       string           `json:"name"`
	Level      string           `json:"level"`
	Population int64            `json:"population"`
	Figures    map[string]Value `json:"figures"`
	Cases      int64            `json:"cases"`
	CasesYoY   int64            `json:"cases_last_year"` // 同比: the same period a year earlier
	LossFen    int64            `json:"loss_fen"`
	LossYoYFen int64            `json:"loss_last_year_fen"`
	// LossPer10kFen is the loss per 10,000 inhabitants in fen.
	LossPer10kFen int64  `json:"loss_per_10k_fen"`
	Colour        Colour `json:"colour"` // the worst of its figures
}

// League is the table of a node for a period.
type League struct {
	Scope area.Node `json:"-"`
	From  time.Time `json:"from"`
	To    time.Time `json:"to"`
	Rows  []Row     `json:"rows"`
}

// Compute builds the league table of the units under a node the caller may
// see (node inside scope): the cities under a province, the counties under
// a city, the stations under a county, the towns under a station. Figures
// of a unit count the records of its territory (the person's place, or the
// handling station):
//
//   - dissuasion, relapse: dissuade.DissuasionRates of the unit;
//   - first_contact: warnings received in the period with a contact
//     deadline, first contact made by the deadline;
//   - feedback: instructions whose feedback deadline fell in the period,
//     reported back by it;
//   - onsite: warnings whose on-site deadline fell in the period, checked;
//   - cases_per_10k: cases reported in the period per 10,000 inhabitants
//     (hundredths), with the same period a year earlier (同比);
//   - coverage: villages reached by prevention events (prevent);
//   - app_per_10k: 国家反诈中心 APP registrations imported for the months
//     beginning in the period, per 10,000 inhabitants.
func Compute(ctx context.Context, q db.Querier, node area.Node, from, to time.Time) (League, error) {
	lg := League{Scope: node, From: from, To: to}
	if !to.After(from) {
		return lg, fmt.Errorf("league: empty period")
	}
	th, err := LoadThresholds(ctx, q)
	if err != nil {
		return lg, err
	}
	units, err := unitsUnder(ctx, q, node)
	if err != nil {
		return lg, err
	}
	for _, u := range units {
		r := Row{AreaID: u.ID, Name: u.Name, Level: string(u.Level), Population: u.Population, Figures: map[string]Value{}}
		rates, err := dissuade.DissuasionRates(ctx, q, u, from, to)
		if err != nil {
			return lg, err
		}
		r.Figures["dissuasion"] = ratio(int64(rates.Total.Dissuaded), int64(rates.Total.Closed))
		r.Figures["relapse"] = ratio(int64(rates.Total.Relapsed), int64(rates.Total.Dissuaded))
		c1, a1 := area.UnderClause("w.area_id", u)
		c2, a2 := area.UnderClause("w.station_id", u)
		in := `(` + c1 + ` OR ` + c2 + `)`
		var num, den int64
		if err := q.QueryRow(ctx, `SELECT COUNT(*), COALESCE(SUM(CASE WHEN w.first_contact_at IS NOT NULL AND w.first_contact_at <= w.contact_due_at THEN 1 ELSE 0 END), 0)
			FROM warnings w WHERE w.status <> 'merged' AND w.contact_due_at IS NOT NULL AND w.received_at >= ? AND w.received_at < ? AND `+in,
			db.Millis(from), db.Millis(to), a1, a2).Scan(&den, &num); err != nil {
			return lg, fmt.Errorf("on-time first contact: %w", err)
		}
		r.Figures["first_contact"] = ratio(num, den)
		if err := q.QueryRow(ctx, `SELECT COUNT(*), COALESCE(SUM(CASE WHEN i.fed_back_at IS NOT NULL AND i.fed_back_at <= i.feedback_due_at THEN 1 ELSE 0 END), 0)
			FROM instructions i JOIN warnings w ON w.id = i.warning_id WHERE i.feedback_due_at >= ? AND i.feedback_due_at < ? AND `+in,
			db.Millis(from), db.Millis(to), a1, a2).Scan(&den, &num); err != nil {
			return lg, fmt.Errorf("on-time feedback: %w", err)
		}
		r.Figures["feedback"] = ratio(num, den)
		if err := q.QueryRow(ctx, `SELECT COUNT(*), COALESCE(SUM(CASE WHEN w.onsite_at IS NOT NULL THEN 1 ELSE 0 END), 0)
			FROM warnings w WHERE w.status <> 'merged' AND w.onsite_due_at >= ? AND w.onsite_due_at < ? AND `+in,
			db.Millis(from), db.Millis(to), a1, a2).Scan(&den, &num); err != nil {
			return lg, fmt.Errorf("on-site checks: %w", err)
		}
		r.Figures["onsite"] = ratio(num, den)
		cc, ca := area.UnderClause("area_id", u)
		cases := func(f, t time.Time) (n, loss int64, err error) {
			err = q.QueryRow(ctx, `SELECT COUNT(*), COALESCE(SUM(loss_fen), 0) FROM cases WHERE reported_at >= ? AND reported_at < ? AND `+cc,
				db.Millis(f), db.Millis(t), ca).Scan(&n, &loss)
			return n, loss, err
		}
		if r.Cases, r.LossFen, err = cases(from, to); err != nil {
			return lg, fmt.Errorf("cases: %w", err)
		}
		if r.CasesYoY, r.LossYoYFen, err = cases(from.AddDate(-1, 0, 0), to.AddDate(-1, 0, 0)); err != nil {
			return lg, fmt.Errorf("cases a year earlier: %w", err)
		}
		if u.Population > 0 {
			r.Figures["cases_per_10k"] = Value{Value: (r.Cases*1000000 + u.Population/2) / u.Population, Num: r.Cases, Den: u.Population}
			r.LossPer10kFen = (r.LossFen*10000 + u.Population/2) / u.Population
		} else {
			r.Figures["cases_per_10k"] = Value{Num: r.Cases}
		}
		cov, err := prevent.ComputeCoverage(ctx, q, u, from, to)
		if err != nil {
			return lg, err
		}
		r.Figures["coverage"] = ratio(cov.VillagesHit, cov.Villages)
		regs, months, err := registrations(ctx, q, u, from, to)
		if err != nil {
			return lg, fmt.Errorf("app registrations: %w", err)
		}
		if months > 0 && u.Population > 0 {
			r.Figures["app_per_10k"] = Value{Value: (regs*10000 + u.Population/2) / u.Population, Num: regs, Den: u.Population}
		} else {
			r.Figures["app_per_10k"] = Value{Num: regs}
		}
		for _, f := range Figures {
			v := r.Figures[f.Key]
			if v.Den > 0 {
				v.Colour = th[f.Key].Grade(v.Value)
			}
			r.Figures[f.Key] = v
			r.Colour = Worse(r.Colour, v.Colour)
		}
		lg.Rows = append(lg.Rows, r)
	}
	return lg, nil
}

// ratio is num/den in ‰ rounded half up; no colour yet.
func ratio(num, den int64) Value {
	v := Value{Num: num, Den: den}
	if den > 0 {
		v.Value = (num*1000 + den/2) / den
	}
	return v
}

// unitsUnder are the rows of a node's table, one level down as each level
// is assessed: a province's cities, a city's counties, a county's stations,
// a station's towns, a town's villages. A province without cities ranks its
// counties (and a level with none of its units the next one down). Only
// that level is read, not the subtree: a province of 100 counties has
// 100,000 nodes and ranked its 900 stations, ~10 queries each, so its
// bulletins took seconds already at 3 counties.
func unitsUnder(ctx context.Context, q db.Querier, node area.Node) ([]area.Node, error) {
	var levels []area.Level
	switch node.Level {
	case area.Province:
		levels = []area.Level{area.City, area.County, area.Station}
	case area.City:
		levels = []area.Level{area.County, area.Station}
	case area.Station:
		levels = []area.Level{area.Town}
	case area.Town:
		levels = []area.Level{area.Village}
	default:
		levels = []area.Level{area.Station}
	}
	for _, l := range levels {
		nodes, err := area.ByLevel(ctx, q, node, l)
		if err != nil {
			return nil, err
		}
		if live := area.Live(nodes); len(live) > 0 {
			return live, nil
		}
	}
	return nil, nil
}
