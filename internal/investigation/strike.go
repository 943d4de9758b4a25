package investigation

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/domain"
)

// Window is a half-open interval [From, To) of time: a bulletin's period,
// the one before it (环比) or the same dates a year earlier (同比). The
// caller cuts it in local days (bulletin.Period).
type Window struct {
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
}

// GangSize is how many suspects of one series must be caught for the series
// to count as a gang broken (打掉团伙). A series (串并案) is a parent case
// with the cases merged into it; a case merged into none is a series of one.
const GangSize = 3

// StrikeCounts are the 打击战果 of one node in one window. Every figure is
// counted once at the date that makes it, so the figures of consecutive
// windows add up to those of their union:
//   - Filed, Solved: cases under the node whose 立案 / 破案 step is done and
//     dated in the window (a step approved later counts at its date).
//   - Criminal (刑事打击): suspects whose first criminal measure (刑事拘留,
//     逮捕, 取保候审, 移送起诉, 判决) on a case under the node is in the window.
//   - Administrative (行政处理): suspects whose first 行政处罚 or 训诫 on a
//     case under the node is in the window.
//   - Caught (抓获): suspects whose first 抓获 on a case under the node is in
//     the window; ByRole splits them by role.
//   - Gangs: series (as they stand now) whose GangSize-th suspect caught
//     on their cases under the node was caught in the window; a suspect on
//     several cases of a series counts once.
type StrikeCounts struct {
	Filed          int64          `json:"filed"`
	Solved         int64          `json:"solved"`
	Criminal       int64          `json:"criminal"`
	Administrative int64          `json:"administrative"`
	Caught         int64          `json:"caught"`
	Gangs          int64          `json:"gangs"`
	ByRole         map[Role]int64 `json:"by_role"`
}

// Strike is the 打击战果 of a node for a window with the two windows it is
// compared with.
type Strike struct {
	NodeID   int64        `json:"node_id"`
	NodeName string       `json:"node_name"`
	Current  StrikeCounts `json:"current"`
	Previous StrikeCounts `json:"previous"` // 环比
	YearAgo  StrikeCounts `json:"year_ago"` // 同比
}

// StrikeRow is one line of the 打击战果 table: a figure in the three
// windows. The bulletin and the API write the changes (bulletin.NewChange).
type StrikeRow struct {
	Key      string `json:"key"`
	Label    string `json:"label"`
	Unit     string `json:"unit"`
	Current  int64  `json:"current"`
	Previous int64  `json:"previous"`
	YearAgo  int64  `json:"year_ago"`
}

// Rows are the table's lines in order: the six figures, then caught
// suspects by role.
func (s Strike) Rows() []StrikeRow {
	row := func(key, label, unit string, f func(StrikeCounts) int64) StrikeRow {
		return StrikeRow{key, label, unit, f(s.Current), f(s.Previous), f(s.YearAgo)}
	}
	out := []StrikeRow{
		row("filed", "立案", "起", func(c StrikeCounts) int64 { return c.Filed }),
		row("solved", "破案", "起", func(c StrikeCounts) int64 { return c.Solved }),
		row("criminal", "刑事打击", "人", func(c StrikeCounts) int64 { return c.Criminal }),
		row("administrative", "行政处理", "人", func(c StrikeCounts) int64 { return c.Administrative }),
		row("caught", "抓获", "人", func(c StrikeCounts) int64 { return c.Caught }),
		row("gangs", "打掉团伙", "个", func(c StrikeCounts) int64 { return c.Gangs }),
	}
	for _, r := range Roles {
		out = append(out, row("role."+string(r), "其中"+RoleName(r), "人", func(c StrikeCounts) int64 { return c.ByRole[r] }))
	}
	return out
}

// StrikeFigures computes the 打击战果 of a node for cur, with prev (环比)
// and ago (同比).
func StrikeFigures(ctx context.Context, q db.Querier, node area.Node, cur, prev, ago Window) (Strike, error) {
	s := Strike{NodeID: node.ID, NodeName: node.FullName}
	if s.NodeName == "" {
		s.NodeName = node.Name
	}
	for _, w := range []struct {
		win Window
		out *StrikeCounts
	}{{cur, &s.Current}, {prev, &s.Previous}, {ago, &s.YearAgo}} {
		c, err := StrikeIn(ctx, q, node, w.win)
		if err != nil {
			return Strike{}, err
		}
		*w.out = c
	}
	return s, nil
}

// StrikeIn computes the 打击战果 of a node for one window.
func StrikeIn(ctx context.Context, q db.Querier, node area.Node, w Window) (StrikeCounts, error) {
	if !w.From.Before(w.To) {
		return StrikeCounts{}, domain.Invalid("统计期间的结束时间须晚于开始时间")
	}
	c := StrikeCounts{ByRole: map[Role]int64{}}
	for _, r := range Roles {
		c.ByRole[r] = 0
	}
	from, to := db.Millis(w.From), db.Millis(w.To)
	cond, arg := area.UnderClause("c.area_id", node)
	for _, f := range []struct {
		action Action
		out    *int64
	}{{File, &c.Filed}, {Solve, &c.Solved}} {
		err := q.QueryRow(ctx, `SELECT COUNT(DISTINCT t.case_id) FROM case_transitions t JOIN cases c ON c.id = t.case_id
			WHERE t.action = ? AND t.status = 'done' AND t.at >= ? AND t.at < ? AND `+cond, string(f.action), from, to, arg).Scan(f.out)
		if err != nil {
			return StrikeCounts{}, fmt.Errorf("strike %s: %w", f.action, err)
		}
	}
	// Each suspect's first disposition of each kind on a case under the
	// node (before the window's end), and the role.
	rows, err := q.Query(ctx, `SELECT d.suspect_id, d.case_id, d.kind, MIN(d.at), s.role FROM suspect_dispositions d
		JOIN cases c ON c.id = d.case_id JOIN suspects s ON s.id = d.suspect_id
		WHERE d.at < ? AND `+cond+` GROUP BY d.suspect_id, d.case_id, d.kind, s.role`, to, arg)
	if err != nil {
		return StrikeCounts{}, fmt.Errorf("strike dispositions: %w", err)
	}
	defer rows.Close()
	type first struct {
		criminal, admin, caught int64 // earliest date, 0: none
		role                    Role
	}
	series, err := seriesKeys(ctx, q)
	if err != nil {
		return StrikeCounts{}, err
	}
	people := map[int64]*first{}
	caughtOn := map[int64]map[int64]int64{} // series (its parent case) → suspect → first 抓获
	earliest := func(p *int64, at int64) {
		if *p == 0 || at < *p {
			*p = at
		}
	}
	for rows.Next() {
		var sid, cid, at int64
		var kind, role string
		if err := rows.Scan(&sid, &cid, &kind, &at, &role); err != nil {
			return StrikeCounts{}, fmt.Errorf("strike dispositions: %w", err)
		}
		p := people[sid]
		if p == nil {
			p = &first{role: Role(role)}
			people[sid] = p
		}
		switch k := Kind(kind); {
		case k.Criminal():
			earliest(&p.criminal, at)
		case k.Administrative():
			earliest(&p.admin, at)
		case k == Caught:
			earliest(&p.caught, at)
			key := cid
			if parent, ok := series[cid]; ok {
				key = parent
			}
			if caughtOn[key] == nil {
				caughtOn[key] = map[int64]int64{}
			}
			if prev, ok := caughtOn[key][sid]; !ok || at < prev {
				caughtOn[key][sid] = at
			}
		}
	}
	if err := rows.Err(); err != nil {
		return StrikeCounts{}, err
	}
	in := func(at int64) bool { return at != 0 && at >= from && at < to }
	for _, p := range people {
		if in(p.criminal) {
			c.Criminal++
		}
		if in(p.admin) {
			c.Administrative++
		}
		if in(p.caught) {
			c.Caught++
			c.ByRole[p.role]++
		}
	}
	for _, bySuspect := range caughtOn {
		if len(bySuspect) < GangSize {
			continue
		}
		ats := make([]int64, 0, len(bySuspect))
		for _, at := range bySuspect {
			ats = append(ats, at)
		}
		sort.Slice(ats, func(i, j int) bool { return ats[i] < ats[j] })
		if in(ats[GangSize-1]) {
			c.Gangs++
		}
	}
	return c, nil
}
