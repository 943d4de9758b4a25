package bulletin

import (
	"context"
	"sort"
	"time"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/assess"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/fraudtype"
	"github.com/fanzha/fanzha/internal/investigation"
	"github.com/fanzha/fanzha/internal/money"
)

// Bulletin is a 研判通报 of one node for one period, with the two periods it
// is compared with (环比: the period before; 同比: the same period a year
// earlier), and its tables: the one source of the printable page and the
// Excel export, so both always hold the same numbers.
type Bulletin struct {
	Title       string     `json:"title"`
	Scope       string     `json:"scope"`
	AreaID      int64      `json:"area_id"`
	Kind        PeriodKind `json:"kind"`
	KindName    string     `json:"kind_name"`
	Period      Period     `json:"period"`
	PeriodLabel string     `json:"period_label"`
	Previous    Period     `json:"previous"`
	YearAgo     Period     `json:"year_ago"`
	GeneratedAt time.Time  `json:"generated_at"`
	Cur         Figures    `json:"current"`
	Prev        Figures    `json:"previous_figures"`
	Yoy         Figures    `json:"year_ago_figures"`
	// Strike is the 打击战果 of the three periods (investigation), the
	// source of the table 六、打击战果.
	Strike investigation.Strike `json:"strike"`
	// League is assess's league table of the node's units for the period,
	// the source of the table 七、考核排名.
	League     assess.League `json:"league"`
	Tables     []Table       `json:"tables"`
	Highlights []string      `json:"highlights"`
	// Notes explain compared periods without data (History), e.g.
	// "无去年同期数据（系统自 2025-12-01 起有数据）"; also printed after the
	// highlights.
	Notes []string `json:"notes"`
}

// Table is one table of a bulletin, every cell already written as shown.
type Table struct {
	ID     string     `json:"id"`
	Title  string     `json:"title"`
	Header []string   `json:"header"`
	Rows   [][]string `json:"rows"`
}

// Compute builds the bulletin of node for period p, generated at now.
func Compute(ctx context.Context, q db.Querier, node area.Node, p Period, now time.Time, loc *time.Location) (Bulletin, error) {
	b := Bulletin{Scope: node.FullName, AreaID: node.ID, Kind: p.Kind, KindName: KindName(p.Kind), Period: p,
		PeriodLabel: p.Label(), Previous: p.Previous(), YearAgo: p.YearAgo(), GeneratedAt: now.UTC()}
	b.Title = node.FullName + " " + b.PeriodLabel + " 电信网络诈骗研判" + b.KindName
	children, err := area.Children(ctx, q, node.ID)
	if err != nil {
		return b, err
	}
	if b.Cur, err = ComputeFigures(ctx, q, node, children, p, loc); err != nil {
		return b, err
	}
	if b.Prev, err = ComputeFigures(ctx, q, node, children, b.Previous, loc); err != nil {
		return b, err
	}
	if b.Yoy, err = ComputeFigures(ctx, q, node, children, b.YearAgo, loc); err != nil {
		return b, err
	}
	win := func(p Period) investigation.Window { return investigation.Window{From: p.From, To: p.To} }
	if b.Strike, err = investigation.StrikeFigures(ctx, q, node, win(p), win(b.Previous), win(b.YearAgo)); err != nil {
		return b, err
	}
	if b.League, err = assess.Compute(ctx, q, node, p.From, p.To); err != nil {
		return b, err
	}
	h, err := LoadHistory(ctx, q, loc)
	if err != nil {
		return b, err
	}
	b.Prev.Missing, b.Yoy.Missing = h.availability(b.Previous), h.availability(b.YearAgo)
	b.Notes = []string{}
	for _, n := range []string{h.note("上期", b.Prev.Missing), h.note("去年同期", b.Yoy.Missing)} {
		if n != "" {
			b.Notes = append(b.Notes, n+"，相应数字和环比、同比记为“—”")
		}
	}
	for _, n := range []string{h.partialNote("上期", b.Previous), h.partialNote("去年同期", b.YearAgo)} {
		if n != "" {
			b.Notes = append(b.Notes, n+"，比较仅供参考")
		}
	}
	b.Tables = buildTables(b, children)
	b.Highlights = highlights(b)
	for _, n := range b.Notes {
		b.Highlights = append(b.Highlights, "说明："+n+"。")
	}
	return b, nil
}

// Yuan writes fen as yuan with two decimals and thousands separators.
func Yuan(fen int64) string { return money.FormatYuan(fen) }

func buildTables(b Bulletin, children []area.Node) []Table {
	c, pv, y := b.Cur, b.Prev, b.Yoy
	// A compared period without data of a source shows "—" for its figure
	// and for the change, never 0 (History).
	num := func(s Source, f Figures, text string) string {
		if !f.Missing.has(s) {
			return "—"
		}
		return text
	}
	pct := func(s Source, base Figures, cur, bv int64) string {
		if !base.Missing.has(s) {
			return "—"
		}
		return PercentChange(cur, bv)
	}
	overall := Table{ID: "overall", Title: "一、总体情况", Header: []string{"指标", "本期", "上期", "环比", "去年同期", "同比"}}
	count := func(s Source, name string, get func(Figures) int64) {
		overall.Rows = append(overall.Rows, []string{name, Count(get(c)), num(s, pv, Count(get(pv))), pct(s, pv, get(c), get(pv)),
			num(s, y, Count(get(y))), pct(s, y, get(c), get(y))})
	}
	fen := func(s Source, name string, get func(Figures) int64) {
		overall.Rows = append(overall.Rows, []string{name, Yuan(get(c)), num(s, pv, Yuan(get(pv))), pct(s, pv, get(c), get(pv)),
			num(s, y, Yuan(get(y))), pct(s, y, get(c), get(y))})
	}
	rate := func(s Source, name string, get func(Figures) (int64, bool)) {
		a, aok := get(c)
		p, pok := get(pv)
		x, xok := get(y)
		pok, xok = pok && pv.Missing.has(s), xok && y.Missing.has(s)
		overall.Rows = append(overall.Rows, []string{name, PermilleText(a, aok), PermilleText(p, pok), PointChange(a, p, aok, pok),
			PermilleText(x, xok), PointChange(a, x, aok, xok)})
	}
	cs, ws, es := SourceCases, SourceWarnings, SourceEvents
	count(cs, "立案数（起）", func(f Figures) int64 { return f.Cases })
	fen(cs, "损失金额（元）", func(f Figures) int64 { return f.LossFen })
	count(cs, "受害人（人）", func(f Figures) int64 { return f.Victims })
	count(ws, "接收预警（条）", func(f Figures) int64 { return f.Warnings })
	count(ws, "其中资金预警", func(f Figures) int64 { return f.FundWarnings })
	count(ws, "其中高危预警", func(f Figures) int64 { return f.HighWarnings })
	count(ws, "劝阻成功（人）", func(f Figures) int64 { return f.Dissuaded })
	count(ws, "已被骗（人）", func(f Figures) int64 { return f.Defrauded })
	count(ws, "无法联系（人）", func(f Figures) int64 { return f.Unreachable })
	rate(ws, "劝阻成功率", Figures.DissuasionPermille)
	count(ws, "应落地核查（条）", func(f Figures) int64 { return f.OnsiteRequired })
	rate(ws, "落地核查率", Figures.OnsitePermille)
	fen(ws, "避免损失（元）", func(f Figures) int64 { return f.KeptFen })
	count(cs, "止付账户（个）", func(f Figures) int64 { return f.StoppedAccounts })
	fen(cs, "止付金额（元）", func(f Figures) int64 { return f.StoppedFen })
	count(cs, "冻结账户（个）", func(f Figures) int64 { return f.FrozenAccounts })
	fen(cs, "冻结金额（元）", func(f Figures) int64 { return f.FrozenFen })
	fen(cs, "返还金额（元）", func(f Figures) int64 { return f.ReturnedFen })
	count(es, "宣传活动（场）", func(f Figures) int64 { return f.Events })
	count(es, "宣传覆盖（人次）", func(f Figures) int64 { return f.People })
	count(es, "覆盖村/社区（个）", func(f Figures) int64 { return f.VillagesHit })
	rate(es, "村/社区覆盖率", Figures.CoveragePermille)

	header := func(first, unit string) []string {
		return []string{first, unit, "环比", "同比", "损失（元）", "损失环比", "损失同比"}
	}
	row := func(name string, cur, prev, yoy CountLoss) []string {
		return []string{name, Count(cur.N), pct(cs, pv, cur.N, prev.N), pct(cs, y, cur.N, yoy.N), Yuan(cur.LossFen),
			pct(cs, pv, cur.LossFen, prev.LossFen), pct(cs, y, cur.LossFen, yoy.LossFen)}
	}
	total := func(name string, n, pn, yn, l, pl, yl int64) []string {
		return row(name, CountLoss{n, l}, CountLoss{pn, pl}, CountLoss{yn, yl})
	}

	byType := Table{ID: "by_type", Title: "二、按诈骗类型", Header: header("诈骗类型", "案件（起）")}
	codes := map[string]bool{}
	for _, f := range []Figures{c, pv, y} {
		for k := range f.ByType {
			codes[k] = true
		}
	}
	var list []string
	for k := range codes {
		list = append(list, k)
	}
	sort.Slice(list, func(i, j int) bool {
		a, b := c.ByType[list[i]], c.ByType[list[j]]
		if a.N != b.N {
			return a.N > b.N
		}
		if a.LossFen != b.LossFen {
			return a.LossFen > b.LossFen
		}
		return list[i] < list[j]
	})
	for _, k := range list {
		byType.Rows = append(byType.Rows, row(fraudtype.Name(fraudtype.Code(k)), c.ByType[k], pv.ByType[k], y.ByType[k]))
	}
	byType.Rows = append(byType.Rows, total("合计", c.Cases, pv.Cases, y.Cases, c.LossFen, pv.LossFen, y.LossFen))

	byArea := Table{ID: "by_area", Title: "三、按区域", Header: header("区域", "案件（起）")}
	for _, ch := range children {
		byArea.Rows = append(byArea.Rows, row(ch.Name, c.ByArea[ch.ID], pv.ByArea[ch.ID], y.ByArea[ch.ID]))
	}
	if c.ByArea[0].N+pv.ByArea[0].N+y.ByArea[0].N > 0 {
		byArea.Rows = append(byArea.Rows, row("本级（未细分到下级）", c.ByArea[0], pv.ByArea[0], y.ByArea[0]))
	}
	byArea.Rows = append(byArea.Rows, total("合计", c.Cases, pv.Cases, y.Cases, c.LossFen, pv.LossFen, y.LossFen))

	vl, pvl, yvl := victimLoss(c), victimLoss(pv), victimLoss(y)
	byAge := Table{ID: "by_age", Title: "四、按受害人年龄段", Header: header("年龄段", "受害人（人）")}
	for _, g := range AgeGroups {
		byAge.Rows = append(byAge.Rows, row(g.Name, c.ByAge[g.Code], pv.ByAge[g.Code], y.ByAge[g.Code]))
	}
	byAge.Rows = append(byAge.Rows, total("合计", c.Victims, pv.Victims, y.Victims, vl, pvl, yvl))
	bySex := Table{ID: "by_sex", Title: "五、按受害人性别", Header: header("性别", "受害人（人）")}
	for _, s := range Sexes {
		bySex.Rows = append(bySex.Rows, row(s.Name, c.BySex[s.Code], pv.BySex[s.Code], y.BySex[s.Code]))
	}
	bySex.Rows = append(bySex.Rows, total("合计", c.Victims, pv.Victims, y.Victims, vl, pvl, yvl))
	return []Table{overall, byType, byArea, byAge, bySex, strikeTable(b), leagueTable(b.League)}
}

// strikeTable is 六、打击战果: the investigation's strike figures (cases
// filed and solved, persons struck criminally and handled administratively,
// suspects caught and by role, gangs broken) and the money stopped, frozen
// and returned, each with 环比 and 同比. The strike figures come from the
// cases, so a compared period without case data shows "—".
func strikeTable(b Bulletin) Table {
	t := Table{ID: "strike", Title: "六、打击战果", Header: []string{"指标", "本期", "上期", "环比", "去年同期", "同比"}}
	pv, y := b.Prev.Missing.has(SourceCases), b.Yoy.Missing.has(SourceCases)
	line := func(name string, cur, prev, ago int64, format func(int64) string) {
		r := []string{name, format(cur), "—", "—", "—", "—"}
		if pv {
			r[2], r[3] = format(prev), PercentChange(cur, prev)
		}
		if y {
			r[4], r[5] = format(ago), PercentChange(cur, ago)
		}
		t.Rows = append(t.Rows, r)
	}
	for _, r := range b.Strike.Rows() {
		line(r.Label+"（"+r.Unit+"）", r.Current, r.Previous, r.YearAgo, Count)
	}
	money := func(name string, format func(int64) string, get func(Figures) int64) {
		line(name, get(b.Cur), get(b.Prev), get(b.Yoy), format)
	}
	money("止付账户（个）", Count, func(f Figures) int64 { return f.StoppedAccounts })
	money("止付金额（元）", Yuan, func(f Figures) int64 { return f.StoppedFen })
	money("冻结账户（个）", Count, func(f Figures) int64 { return f.FrozenAccounts })
	money("冻结金额（元）", Yuan, func(f Figures) int64 { return f.FrozenFen })
	money("返还金额（元）", Yuan, func(f Figures) int64 { return f.ReturnedFen })
	return t
}

// victimLoss is the victims' total loss.
func victimLoss(f Figures) int64 {
	var n int64
	for _, x := range f.ByAge {
		n += x.LossFen
	}
	return n
}

// highlights are the bulletin's opening sentences.
func highlights(b Bulletin) []string {
	c := b.Cur
	pct := func(base Figures, cur, bv int64) string {
		if !base.Missing.has(SourceCases) {
			return "—"
		}
		return PercentChange(cur, bv)
	}
	out := []string{
		"本期立案 " + Count(c.Cases) + " 起，环比 " + pct(b.Prev, c.Cases, b.Prev.Cases) + "，同比 " + pct(b.Yoy, c.Cases, b.Yoy.Cases) +
			"；损失 " + Yuan(c.LossFen) + " 元，环比 " + pct(b.Prev, c.LossFen, b.Prev.LossFen) + "，同比 " + pct(b.Yoy, c.LossFen, b.Yoy.LossFen) + "。",
	}
	d, ok := c.DissuasionPermille()
	out = append(out, "接收预警 "+Count(c.Warnings)+" 条（资金预警 "+Count(c.FundWarnings)+" 条），劝阻成功 "+Count(c.Dissuaded)+
		" 人，劝阻成功率 "+PermilleText(d, ok)+"，避免损失 "+Yuan(c.KeptFen)+" 元。")
	out = append(out, "止付账户 "+Count(c.StoppedAccounts)+" 个、金额 "+Yuan(c.StoppedFen)+" 元，冻结账户 "+Count(c.FrozenAccounts)+
		" 个、金额 "+Yuan(c.FrozenFen)+" 元，返还被害人 "+Yuan(c.ReturnedFen)+" 元。")
	cv, cok := c.CoveragePermille()
	out = append(out, "开展宣传活动 "+Count(c.Events)+" 场，覆盖 "+Count(c.People)+" 人次，村/社区覆盖率 "+PermilleText(cv, cok)+"。")
	return out
}
