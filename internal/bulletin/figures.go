package bulletin

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/partner"
	"github.com/fanzha/fanzha/internal/prevent"
)

// CountLoss is a number of cases (or victims) and their loss in fen.
type CountLoss struct {
	N       int64 `json:"n"`
	LossFen int64 `json:"loss_fen"`
}

// Figures are the numbers of one node over one period. docs/BULLETINS.md
// defines each.
type Figures struct {
	Period Period `json:"period"`
	// Cases reported in the period (cases.reported_at), under the node by
	// the case's area.
	Cases   int64                `json:"cases"`
	LossFen int64                `json:"loss_fen"`
	ByType  map[string]CountLoss `json:"by_type"` // fraud type code → cases, loss
	ByArea  map[int64]CountLoss  `json:"by_area"` // child node id (0: the node itself) → cases, loss
	// Victims of those cases, by age group on the report day and by sex;
	// loss is the victim's own loss.
	Victims int64                `json:"victims"`
	ByAge   map[string]CountLoss `json:"by_age"`
	BySex   map[string]CountLoss `json:"by_sex"`
	// Warnings received in the period and their outcomes.
	Warnings     int64 `json:"warnings"`
	FundWarnings int64 `json:"fund_warnings"`
	HighWarnings int64 `json:"high_warnings"`
	Dissuaded    int64 `json:"dissuaded"`
	Defrauded    int64 `json:"defrauded"`
	Unreachable  int64 `json:"unreachable"`
	FalseAlarm   int64 `json:"false_alarm"`
	KeptFen      int64 `json:"kept_fen"`
	// On-site checks: warnings received in the period that were given an
	// on-site deadline, and of those the ones checked on site.
	OnsiteRequired int64 `json:"onsite_required"`
	OnsiteDone     int64 `json:"onsite_done"`
	// Stop-payments and freezes first confirmed by the bank in the period
	// (renewals not counted again): distinct accounts and confirmed amounts;
	// returns of frozen money paid in the period — partner.ComputeFundsFigures,
	// the same figures as the funds page (docs/FREEZE.md).
	FrozenAccounts  int64 `json:"frozen_accounts"`
	FrozenFen       int64 `json:"frozen_fen"`
	StoppedAccounts int64 `json:"stopped_accounts"`
	StoppedFen      int64 `json:"stopped_fen"`
	ReturnedFen     int64 `json:"returned_fen"`
	// Prevention in the period (prevent.ComputeCoverage).
	Events      int64 `json:"prevention_events"`
	People      int64 `json:"people_reached"`
	Villages    int64 `json:"villages"`
	VillagesHit int64 `json:"villages_reached"`
	// Missing is set on a compared period (环比, 同比): the sources it has
	// data of (History); the figures of the others are null in JSON and
	// "—" in the tables. Nil on the bulletin's own period.
	Missing Availability `json:"-"`
}

// DissuasionPermille is dissuaded / (dissuaded + defrauded + unreachable).
func (f Figures) DissuasionPermille() (int64, bool) {
	d := f.Dissuaded + f.Defrauded + f.Unreachable
	return Permille(f.Dissuaded, d), d > 0
}

// OnsitePermille is on-site checks done / required.
func (f Figures) OnsitePermille() (int64, bool) {
	return Permille(f.OnsiteDone, f.OnsiteRequired), f.OnsiteRequired > 0
}

// CoveragePermille is villages reached / villages.
func (f Figures) CoveragePermille() (int64, bool) {
	return Permille(f.VillagesHit, f.Villages), f.Villages > 0
}

// Age groups of victims, on the case's report day.
var AgeGroups = []struct{ Code, Name string }{
	{"minor", "未满18岁"}, {"18_29", "18–29岁"}, {"30_44", "30–44岁"}, {"45_59", "45–59岁"}, {"60_plus", "60岁及以上"}, {"unknown", "年龄不详"},
}

// AgeGroup is the group code of an age.
func AgeGroup(age int, ok bool) string {
	switch {
	case !ok:
		return "unknown"
	case age < 18:
		return "minor"
	case age < 30:
		return "18_29"
	case age < 45:
		return "30_44"
	case age < 60:
		return "45_59"
	}
	return "60_plus"
}

// Sexes as stored on victims, with names.
var Sexes = []struct{ Code, Name string }{{"M", "男"}, {"F", "女"}, {"", "不详"}}

// childOf finds, for a path under the node, the child of the node it lies
// under (0 when it is the node itself or no child matches).
type childIndex struct {
	base     string
	children map[string]int64 // the child's path segment → id
}

func newChildIndex(node area.Node, children []area.Node) childIndex {
	ci := childIndex{base: node.Path, children: map[string]int64{}}
	for _, c := range children {
		ci.children[strings.TrimSuffix(strings.TrimPrefix(c.Path, node.Path), "/")] = c.ID
	}
	return ci
}

func (ci childIndex) of(path string) int64 {
	rest := strings.TrimPrefix(path, ci.base)
	if i := strings.IndexByte(rest, '/'); i > 0 {
		return ci.children[rest[:i]]
	}
	return 0
}

// ComputeFigures computes the figures of node over p, days cut in loc.
func ComputeFigures(ctx context.Context, q db.Querier, node area.Node, children []area.Node, p Period, loc *time.Location) (Figures, error) {
	f := Figures{Period: p, ByType: map[string]CountLoss{}, ByArea: map[int64]CountLoss{}, ByAge: map[string]CountLoss{}, BySex: map[string]CountLoss{}}
	from, to := db.Millis(p.From), db.Millis(p.To)
	ci := newChildIndex(node, children)
	cond, arg := area.UnderClause("c.area_id", node)
	rows, err := q.Query(ctx, `SELECT c.fraud_type, c.loss_fen, a.path FROM cases c JOIN areas a ON a.id = c.area_id
		WHERE `+cond+` AND c.reported_at >= ? AND c.reported_at < ?`, arg, from, to)
	if err != nil {
		return f, fmt.Errorf("bulletin cases: %w", err)
	}
	for rows.Next() {
		var ft, path string
		var loss int64
		if err := rows.Scan(&ft, &loss, &path); err != nil {
			rows.Close()
			return f, err
		}
		if ft == "" {
			ft = "other"
		}
		f.Cases++
		f.LossFen += loss
		add(f.ByType, ft, loss)
		k := ci.of(path)
		x := f.ByArea[k]
		x.N++
		x.LossFen += loss
		f.ByArea[k] = x
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return f, err
	}
	rows, err = q.Query(ctx, `SELECT v.sex, v.birth_date, v.loss_fen, c.reported_at FROM victims v JOIN cases c ON c.id = v.case_id
		WHERE `+cond+` AND c.reported_at >= ? AND c.reported_at < ?`, arg, from, to)
	if err != nil {
		return f, fmt.Errorf("bulletin victims: %w", err)
	}
	for rows.Next() {
		var sex, birth string
		var loss, at int64
		if err := rows.Scan(&sex, &birth, &loss, &at); err != nil {
			rows.Close()
			return f, err
		}
		f.Victims++
		age, ok := prevent.AgeAt(birth, db.Time(at), loc)
		add(f.ByAge, AgeGroup(age, ok), loss)
		if sex != "M" && sex != "F" {
			sex = ""
		}
		add(f.BySex, sex, loss)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return f, err
	}
	// Joined to areas rather than `area_id IN (subtree)`: SQLite then walks
	// the period on the received_at index instead of every warning of the
	// subtree's ~1,100 nodes (30 ms → 2 ms for a month of the demo county).
	err = q.QueryRow(ctx, `SELECT COUNT(*),
		COALESCE(SUM(CASE WHEN w.grade = 'fund' THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN w.grade = 'high' THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN w.outcome = 'dissuaded' THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN w.outcome = 'defrauded' THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN w.outcome = 'unreachable' THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN w.outcome = 'false_alarm' THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(w.kept_fen), 0),
		COALESCE(SUM(CASE WHEN w.onsite_due_at IS NOT NULL THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN w.onsite_due_at IS NOT NULL AND w.onsite_at IS NOT NULL THEN 1 ELSE 0 END), 0)
		FROM warnings w JOIN areas a ON a.id = w.area_id
		WHERE a.path LIKE ? AND w.received_at >= ? AND w.received_at < ?`, node.SubtreePattern(), from, to).
		Scan(&f.Warnings, &f.FundWarnings, &f.HighWarnings, &f.Dissuaded, &f.Defrauded, &f.Unreachable, &f.FalseAlarm, &f.KeptFen,
			&f.OnsiteRequired, &f.OnsiteDone)
	if err != nil {
		return f, fmt.Errorf("bulletin warnings: %w", err)
	}
	ff, err := partner.ComputeFundsFigures(ctx, q, node, p.From, p.To)
	if err != nil {
		return f, err
	}
	t := ff.Total
	f.FrozenAccounts, f.FrozenFen, f.StoppedAccounts, f.StoppedFen, f.ReturnedFen = t.FrozenAccounts, t.FrozenFen, t.StoppedAccounts, t.StoppedFen, t.ReturnedFen
	cov, err := prevent.ComputeCoverage(ctx, q, node, p.From, p.To)
	if err != nil {
		return f, err
	}
	f.Events, f.People, f.Villages, f.VillagesHit = cov.Events, cov.People, cov.Villages, cov.VillagesHit
	return f, nil
}

func add(m map[string]CountLoss, k string, loss int64) {
	x := m[k]
	x.N++
	x.LossFen += loss
	m[k] = x
}
