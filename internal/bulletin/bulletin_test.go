package bulletin

import (
	"bytes"
	"context"
	"fmt"
	"math/big"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/db/dbtest"
	"github.com/fanzha/fanzha/internal/sim"
	"github.com/fanzha/fanzha/internal/zone"
)

// The percentage text, computed another way: exact rationals, rounded to
// one decimal half away from zero by big.Rat.
func refPercent(cur, base int64) string {
	if base == 0 {
		return "—"
	}
	r := new(big.Rat).SetFrac64((cur-base)*100, base)
	s := r.FloatString(1)
	if s == "0.0" || s == "-0.0" {
		return "0.0%"
	}
	if r.Sign() > 0 {
		s = "+" + s
	}
	return s + "%"
}

func TestPercentChange(t *testing.T) {
	for _, c := range []struct {
		cur, base int64
		want      string
	}{
		{0, 0, "—"}, {5, 0, "—"}, {10, 10, "0.0%"}, {125, 100, "+25.0%"}, {61, 100, "-39.0%"}, {2, 3, "-33.3%"},
		{1, 3, "-66.7%"}, {3, 2, "+50.0%"}, {2001, 2000, "+0.1%"}, {20001, 20000, "+0.0%"}, {1000001, 1000000, "0.0%"},
		{1602, 2620, "-38.9%"}, {0, 7, "-100.0%"},
	} {
		got := PercentChange(c.cur, c.base)
		if c.want == "+0.0%" {
			c.want = "0.0%" // rounding to zero drops the sign
		}
		if got != c.want {
			t.Errorf("PercentChange(%d, %d) = %q, want %q", c.cur, c.base, got, c.want)
		}
	}
	// Against exact rationals over a grid of values.
	for base := int64(1); base < 120; base++ {
		for cur := int64(0); cur < 260; cur += 3 {
			if got, want := PercentChange(cur, base), refPercent(cur, base); got != want {
				t.Fatalf("PercentChange(%d, %d) = %q, exact %q", cur, base, got, want)
			}
		}
	}
}

func TestPeriods(t *testing.T) {
	day := time.Date(2026, 3, 4, 15, 0, 0, 0, zone.Shanghai) // a Wednesday
	w, _ := PeriodOf(Weekly, day, zone.Shanghai)
	if w.From.Format("2006-01-02") != "2026-03-02" || w.To.Format("2006-01-02") != "2026-03-09" {
		t.Fatalf("week %v", w)
	}
	if p := w.Previous(); p.From.Format("2006-01-02") != "2026-02-23" {
		t.Fatalf("previous week %v", p)
	}
	m, _ := PeriodOf(Monthly, day, zone.Shanghai)
	if p := m.Previous(); p.From.Format("2006-01-02") != "2026-02-01" || p.To.Format("2006-01-02") != "2026-03-01" {
		t.Fatalf("previous month %v", p)
	}
	if y := m.YearAgo(); y.From.Format("2006-01-02") != "2025-03-01" || y.To.Format("2006-01-02") != "2025-04-01" {
		t.Fatalf("year ago %v", y)
	}
	c, _ := CustomPeriod(time.Date(2026, 3, 1, 0, 0, 0, 0, zone.Shanghai), time.Date(2026, 3, 10, 0, 0, 0, 0, zone.Shanghai), zone.Shanghai)
	if p := c.Previous(); p.From.Format("2006-01-02") != "2026-02-19" || p.To != c.From {
		t.Fatalf("custom previous %v", p)
	}
}

// raw records, read once, for the independent computation.
type rawCase struct {
	id, at, loss int64
	ftype, path  string
}
type rawVictim struct {
	at, loss   int64
	sex, birth string
	path       string
}
type rawWarning struct {
	at, kept              int64
	grade, outcome, path  string
	onsiteDue, onsiteDone bool
}
type rawRequest struct {
	at, fen             int64
	kind, account, path string
	renewal             bool
}
type rawReturn struct {
	at, fen int64
	path    string
}
type rawEvent struct {
	at, reached int64
	path        string
	level       area.Level
	parentPath  string
}

type rawWorld struct {
	cases    []rawCase
	victims  []rawVictim
	warnings []rawWarning
	requests []rawRequest
	returns  []rawReturn
	events   []rawEvent
	villages []area.Node
}

func readWorld(t *testing.T, d *db.DB) rawWorld {
	ctx := context.Background()
	var w rawWorld
	q := func(sql string, scan func(sc func(...any) error)) {
		rows, err := d.Query(ctx, sql)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			scan(rows.Scan)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
	}
	q(`SELECT c.id, c.reported_at, c.loss_fen, c.fraud_type, a.path FROM cases c JOIN areas a ON a.id = c.area_id`, func(s func(...any) error) {
		var r rawCase
		_ = s(&r.id, &r.at, &r.loss, &r.ftype, &r.path)
		w.cases = append(w.cases, r)
	})
	q(`SELECT c.reported_at, v.loss_fen, v.sex, v.birth_date, a.path FROM victims v JOIN cases c ON c.id = v.case_id JOIN areas a ON a.id = c.area_id`,
		func(s func(...any) error) {
			var r rawVictim
			_ = s(&r.at, &r.loss, &r.sex, &r.birth, &r.path)
			w.victims = append(w.victims, r)
		})
	q(`SELECT w.received_at, w.kept_fen, w.grade, w.outcome, a.path, CASE WHEN w.onsite_due_at IS NULL THEN 0 ELSE 1 END,
		CASE WHEN w.onsite_at IS NULL THEN 0 ELSE 1 END FROM warnings w JOIN areas a ON a.id = w.area_id`, func(s func(...any) error) {
		var r rawWarning
		var due, done int
		_ = s(&r.at, &r.kept, &r.grade, &r.outcome, &r.path, &due, &done)
		r.onsiteDue, r.onsiteDone = due == 1, done == 1
		w.warnings = append(w.warnings, r)
	})
	q(`SELECT r.confirmed_at, r.result_fen, r.kind, r.account, CASE WHEN r.prior_id IS NULL THEN 0 ELSE 1 END, a.path
		FROM partner_requests r JOIN cases c ON c.id = r.case_id JOIN areas a ON a.id = c.area_id WHERE r.confirmed_at IS NOT NULL`,
		func(s func(...any) error) {
			var r rawRequest
			var renewal int
			_ = s(&r.at, &r.fen, &r.kind, &r.account, &renewal, &r.path)
			r.renewal = renewal == 1
			w.requests = append(w.requests, r)
		})
	q(`SELECT x.paid_at, x.amount_fen, a.path FROM return_payments x JOIN return_plans p ON p.id = x.plan_id
		JOIN cases c ON c.id = p.case_id JOIN areas a ON a.id = c.area_id`, func(s func(...any) error) {
		var r rawReturn
		_ = s(&r.at, &r.fen, &r.path)
		w.returns = append(w.returns, r)
	})
	q(`SELECT e.at, e.reached, a.path, a.level, COALESCE(p.path, '') FROM prevention_events e JOIN areas a ON a.id = e.area_id
		LEFT JOIN areas p ON p.id = a.parent_id`, func(s func(...any) error) {
		var r rawEvent
		_ = s(&r.at, &r.reached, &r.path, &r.level, &r.parentPath)
		w.events = append(w.events, r)
	})
	root, _ := area.Root(ctx, d)
	w.villages, _ = area.ByLevel(ctx, d, root, area.Village)
	return w
}

// expect is the independent computation of Figures by loops over the raw
// records.
func (w rawWorld) expect(node area.Node, children []area.Node, p Period) Figures {
	f := Figures{Period: p, ByType: map[string]CountLoss{}, ByArea: map[int64]CountLoss{}, ByAge: map[string]CountLoss{}, BySex: map[string]CountLoss{}}
	in := func(at int64, path string) bool {
		return at >= p.From.UnixMilli() && at < p.To.UnixMilli() && strings.HasPrefix(path, node.Path)
	}
	inc := func(m map[string]CountLoss, k string, loss int64) {
		m[k] = CountLoss{m[k].N + 1, m[k].LossFen + loss}
	}
	for _, c := range w.cases {
		if !in(c.at, c.path) {
			continue
		}
		f.Cases++
		f.LossFen += c.loss
		ft := c.ftype
		if ft == "" {
			ft = "other"
		}
		inc(f.ByType, ft, c.loss)
		var child int64
		for _, ch := range children {
			if strings.HasPrefix(c.path, ch.Path) {
				child = ch.ID
			}
		}
		f.ByArea[child] = CountLoss{f.ByArea[child].N + 1, f.ByArea[child].LossFen + c.loss}
	}
	for _, v := range w.victims {
		if !in(v.at, v.path) {
			continue
		}
		f.Victims++
		group := "unknown"
		if b, err := time.Parse("2006-01-02", v.birth); err == nil {
			day := time.UnixMilli(v.at).In(zone.Shanghai)
			age := day.Year() - b.Year()
			if day.Format("0102") < b.Format("0102") { // birthday not reached yet this year
				age--
			}
			switch {
			case age < 0:
			case age < 18:
				group = "minor"
			case age <= 29:
				group = "18_29"
			case age <= 44:
				group = "30_44"
			case age <= 59:
				group = "45_59"
			default:
				group = "60_plus"
			}
		}
		inc(f.ByAge, group, v.loss)
		sex := v.sex
		if sex != "M" && sex != "F" {
			sex = ""
		}
		inc(f.BySex, sex, v.loss)
	}
	for _, x := range w.warnings {
		if !in(x.at, x.path) {
			continue
		}
		f.Warnings++
		switch x.grade {
		case "fund":
			f.FundWarnings++
		case "high":
			f.HighWarnings++
		}
		switch x.outcome {
		case "dissuaded":
			f.Dissuaded++
		case "defrauded":
			f.Defrauded++
		case "unreachable":
			f.Unreachable++
		case "false_alarm":
			f.FalseAlarm++
		}
		f.KeptFen += x.kept
		if x.onsiteDue {
			f.OnsiteRequired++
			if x.onsiteDone {
				f.OnsiteDone++
			}
		}
	}
	frozen, stopped := map[string]bool{}, map[string]bool{}
	for _, r := range w.requests {
		if r.renewal || !in(r.at, r.path) {
			continue
		}
		switch r.kind {
		case "freeze":
			frozen[r.account] = true
			f.FrozenFen += r.fen
		case "stop_payment":
			stopped[r.account] = true
			f.StoppedFen += r.fen
		}
	}
	f.FrozenAccounts, f.StoppedAccounts = int64(len(frozen)), int64(len(stopped))
	for _, r := range w.returns {
		if in(r.at, r.path) {
			f.ReturnedFen += r.fen
		}
	}
	reached := map[string]bool{}
	for _, e := range w.events {
		if !in(e.at, e.path) {
			continue
		}
		f.Events++
		f.People += e.reached
		switch e.level {
		case area.Village:
			reached[e.path] = true
		case area.Cell:
			reached[e.parentPath] = true
		}
	}
	for _, v := range w.villages {
		if strings.HasPrefix(v.Path, node.Path) {
			f.Villages++
			if reached[v.Path] {
				f.VillagesHit++
			}
		}
	}
	return f
}

// addYearAgo writes cases, victims and done freezes into the year before the
// generated history, and freezes into the bulletin months, so 同比 and the
// freeze figures have something to compare.
func addYearAgo(t *testing.T, d *db.DB, root area.Node) {
	ctx := context.Background()
	vs, _ := area.ByLevel(ctx, d, root, area.Village)
	types := []string{"police", "rebate", "investment", "game", "health"}
	sexes := []string{"M", "F", ""}
	births := []string{"1950-03-02", "2010-11-12", "1990-10-10", "1975-01-31", "", "1963-10-06"}
	n := 0
	for _, day := range []time.Time{
		time.Date(2025, 10, 3, 10, 0, 0, 0, zone.Shanghai), time.Date(2025, 10, 17, 23, 59, 0, 0, zone.Shanghai), time.Date(2025, 10, 31, 23, 30, 0, 0, zone.Shanghai),
		time.Date(2025, 11, 9, 0, 0, 0, 0, zone.Shanghai), time.Date(2025, 11, 12, 12, 0, 0, 0, zone.Shanghai), time.Date(2025, 11, 15, 23, 59, 59, 0, zone.Shanghai),
		time.Date(2025, 11, 16, 0, 0, 0, 0, zone.Shanghai), time.Date(2025, 10, 1, 0, 0, 0, 0, zone.Shanghai),
	} {
		for k := 0; k < 3; k++ {
			n++
			v := vs[(n*7)%len(vs)]
			var id int64
			loss := int64(1234567 + n*98765)
			err := d.QueryRow(ctx, `INSERT INTO cases (case_no, area_id, station_id, fraud_type, status, reported_at, loss_fen, created_at, updated_at)
				VALUES (?,?,?,?,?,?,?,?,?) RETURNING id`, fmt.Sprintf("T%04d", n), v.ID, v.StationID, types[n%len(types)], "open",
				day.UnixMilli(), loss, day.UnixMilli(), day.UnixMilli()).Scan(&id)
			if err != nil {
				t.Fatal(err)
			}
			var victim int64
			if err := d.QueryRow(ctx, `INSERT INTO victims (case_id, name, sex, birth_date, area_id, loss_fen) VALUES (?,?,?,?,?,?) RETURNING id`,
				id, "测试", sexes[n%3], births[n%len(births)], v.ID, loss).Scan(&victim); err != nil {
				t.Fatal(err)
			}
			// A stop-payment or freeze confirmed a year later, in October or
			// November 2026 (some rejected, some renewed, accounts shared).
			ans := day.AddDate(1, 0, 0)
			kind := "freeze"
			if n%4 == 0 {
				kind = "stop_payment"
			}
			account := fmt.Sprintf("6222%04d", n%5)
			var req int64
			if n%5 == 0 {
				err = d.QueryRow(ctx, `INSERT INTO partner_requests (kind, case_id, account, amount_fen, status, created_at, sent_at, answered_at)
					VALUES (?,?,?,?,'rejected',?,?,?) RETURNING id`, kind, id, account, loss, ans.UnixMilli(), ans.UnixMilli(), ans.UnixMilli()).Scan(&req)
			} else {
				err = d.QueryRow(ctx, `INSERT INTO partner_requests (kind, case_id, account, amount_fen, status, created_at, sent_at, answered_at,
					confirmed_at, result_fen) VALUES (?,?,?,?,'confirmed',?,?,?,?,?) RETURNING id`, kind, id, account, loss, ans.UnixMilli(),
					ans.UnixMilli(), ans.UnixMilli(), ans.UnixMilli()+60_000, loss/3).Scan(&req)
			}
			if err != nil {
				t.Fatal(err)
			}
			if n%4 == 1 && n%5 != 0 {
				// A renewal confirmed later: not counted again.
				if _, err := d.Exec(ctx, `INSERT INTO partner_requests (kind, case_id, account, amount_fen, status, created_at, sent_at,
					confirmed_at, result_fen, prior_id) VALUES ('freeze',?,?,?,'confirmed',?,?,?,?,?)`, id, account, loss, ans.UnixMilli(),
					ans.UnixMilli(), ans.UnixMilli()+86_400_000, loss/3, req); err != nil {
					t.Fatal(err)
				}
			}
			if n%3 == 0 && n%5 != 0 {
				var plan int64
				if err := d.QueryRow(ctx, `INSERT INTO return_plans (case_id, request_id, account, frozen_fen, rule, calc, status, created_at)
					VALUES (?,?,?,?,'single_victim','{}','executed',?) RETURNING id`, id, req, account, loss/3, ans.UnixMilli()).Scan(&plan); err != nil {
					t.Fatal(err)
				}
				if _, err := d.Exec(ctx, `INSERT INTO return_payments (plan_id, victim_id, amount_fen, paid_at, created_at) VALUES (?,?,?,?,?)`,
					plan, victim, loss/4, ans.AddDate(0, 0, 3).UnixMilli(), ans.UnixMilli()); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
}

// The golden test: the bulletin of a fixed seeded county for a fixed week
// and month, for the county and for one station, equals number by number a
// loop over the raw records, with 环比 and 同比; the Excel export holds the
// numbers of the printable page.
func TestBulletinGolden(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		auth.BcryptCost = 4
		now := time.Date(2026, 11, 20, 6, 0, 0, 0, time.UTC)
		if _, err := sim.Generate(ctx, d, sim.Options{Seed: 11, Now: now, Scale: 0.25}); err != nil {
			t.Fatal(err)
		}
		root, _ := area.Root(ctx, d)
		addYearAgo(t, d, root)
		w := readWorld(t, d)
		stations, _ := area.ByLevel(ctx, d, root, area.Station)
		week, _ := PeriodOf(Weekly, time.Date(2026, 11, 12, 0, 0, 0, 0, zone.Shanghai), zone.Shanghai)
		month, _ := PeriodOf(Monthly, time.Date(2026, 10, 15, 0, 0, 0, 0, zone.Shanghai), zone.Shanghai)
		custom, _ := CustomPeriod(time.Date(2026, 9, 20, 0, 0, 0, 0, zone.Shanghai), time.Date(2026, 10, 19, 0, 0, 0, 0, zone.Shanghai), zone.Shanghai)
		for _, c := range []struct {
			node area.Node
			p    Period
		}{{root, week}, {root, month}, {stations[4], month}, {stations[1], week}, {root, custom}} {
			b, err := Compute(ctx, d, c.node, c.p, now, zone.Shanghai)
			if err != nil {
				t.Fatal(err)
			}
			children, _ := area.Children(ctx, d, c.node.ID)
			for _, x := range []struct {
				name string
				got  Figures
				p    Period
			}{{"current", b.Cur, c.p}, {"环比", b.Prev, c.p.Previous()}, {"同比", b.Yoy, c.p.YearAgo()}} {
				want := w.expect(c.node, children, x.p)
				want.Missing = x.got.Missing // checked below, cell by cell
				if !reflect.DeepEqual(x.got, want) {
					t.Fatalf("%s %s %s:\n got %+v\nwant %+v", c.node.Name, c.p.Label(), x.name, x.got, want)
				}
			}
			if b.Cur.Cases == 0 || b.Yoy.Cases == 0 {
				t.Fatalf("%s %s: the test world should have cases now (%d) and a year ago (%d)", c.node.Name, c.p.Label(), b.Cur.Cases, b.Yoy.Cases)
			}
			if c.node.ID == root.ID && c.p.Kind == Monthly && (b.Cur.FrozenAccounts == 0 || b.Cur.ReturnedFen == 0) {
				t.Fatalf("freezes or returns missing from the monthly bulletin: %+v", b.Cur)
			}
			// The overall table, cell by cell, from the independent figures.
			cur, prev, yoy := w.expect(c.node, children, c.p), w.expect(c.node, children, c.p.Previous()), w.expect(c.node, children, c.p.YearAgo())
			// A compared period that lies wholly before the first record
			// of a source shows "—" for its figure and change (History),
			// judged here from the raw records.
			first := w.firstRecords()
			dash := func(src Source, p Period, cells ...string) []string {
				if start, ok := first[src]; !ok || !p.To.After(midnight(start, zone.Shanghai)) {
					for i := range cells {
						cells[i] = "—"
					}
				}
				return cells
			}
			line := func(src Source, f func(int64) string, get func(Figures) int64) []string {
				return append(append([]string{f(get(cur))}, dash(src, c.p.Previous(), f(get(prev)), refPercent(get(cur), get(prev)))...),
					dash(src, c.p.YearAgo(), f(get(yoy)), refPercent(get(cur), get(yoy)))...)
			}
			want := map[string][]string{
				"立案数（起）":  line(SourceCases, Count, func(f Figures) int64 { return f.Cases }),
				"损失金额（元）": line(SourceCases, Yuan, func(f Figures) int64 { return f.LossFen }),
				"接收预警（条）": line(SourceWarnings, Count, func(f Figures) int64 { return f.Warnings }),
				"冻结金额（元）": line(SourceCases, Yuan, func(f Figures) int64 { return f.FrozenFen }),
				"冻结账户（个）": line(SourceCases, Count, func(f Figures) int64 { return f.FrozenAccounts }),
				"返还金额（元）": line(SourceCases, Yuan, func(f Figures) int64 { return f.ReturnedFen }),
				"宣传活动（场）": line(SourceEvents, Count, func(f Figures) int64 { return f.Events }),
			}
			d := cur.Dissuaded + cur.Defrauded + cur.Unreachable
			want["劝阻成功率"] = []string{new(big.Rat).SetFrac64(cur.Dissuaded*100, max(d, 1)).FloatString(1) + "%"}
			found := 0
			for _, r := range b.Tables[0].Rows {
				if exp, ok := want[r[0]]; ok {
					found++
					if !reflect.DeepEqual(r[1:1+len(exp)], exp) {
						t.Fatalf("%s %s row %s: %q, want %q", c.node.Name, c.p.Label(), r[0], r[1:], exp)
					}
				}
			}
			if found != len(want) {
				t.Fatalf("overall table lacks rows: %d of %d", found, len(want))
			}
			// The by-type table's total row and each type's count.
			for _, r := range b.Tables[1].Rows {
				if r[0] == "合计" && (r[1] != Count(cur.Cases) || r[3] != dash(SourceCases, c.p.YearAgo(), refPercent(cur.Cases, yoy.Cases))[0]) {
					t.Fatalf("by type total %q", r)
				}
			}
			checkExcelEqualsPage(t, b)
			t.Logf("%s %s: %s", c.node.Name, c.p.Label(), strings.Join(b.Highlights, " "))
		}
	})
}

var cellRe = regexp.MustCompile(`<td>([^<]*)</td>`)
var tableRe = regexp.MustCompile(`(?s)<table id="t-([a-z_]+)">(.*?)</table>`)
var rowRe = regexp.MustCompile(`(?s)<tr>(.*?)</tr>`)

// checkExcelEqualsPage renders the page and the workbook and compares every
// table cell: the page's text against the sheet's cell (numbers by value).
func checkExcelEqualsPage(t *testing.T, b Bulletin) {
	t.Helper()
	var page, xlsx bytes.Buffer
	if err := RenderHTML(&page, b, PrintOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := WriteExcel(&xlsx, b); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&xlsx)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	html := strings.ReplaceAll(page.String(), "&#43;", "+")
	tables := tableRe.FindAllStringSubmatch(html, -1)
	if len(tables) != len(b.Tables) {
		t.Fatalf("page has %d tables, bulletin %d", len(tables), len(b.Tables))
	}
	for i, tm := range tables {
		sheet := b.Tables[i].Title
		rows, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
		if err != nil {
			t.Fatal(err)
		}
		var pageRows [][]string
		for _, rm := range rowRe.FindAllStringSubmatch(tm[2], -1) {
			var cells []string
			for _, cm := range cellRe.FindAllStringSubmatch(rm[1], -1) {
				cells = append(cells, cm[1])
			}
			if len(cells) > 0 {
				pageRows = append(pageRows, cells)
			}
		}
		if len(pageRows) != len(rows)-1 {
			t.Fatalf("table %s: page %d rows, sheet %d", sheet, len(pageRows), len(rows)-1)
		}
		for r, cells := range pageRows {
			for c, text := range cells {
				got := rows[r+1][c]
				if n, ok := plainNumber(text); ok {
					var x float64
					if _, err := fmt.Sscan(got, &x); err != nil || x != n {
						t.Fatalf("%s r%d c%d: page %q, sheet %q", sheet, r, c, text, got)
					}
				} else if got != text {
					t.Fatalf("%s r%d c%d: page %q, sheet %q", sheet, r, c, text, got)
				}
			}
		}
	}
}

// firstRecords is the earliest record of each source in the raw world.
func (w rawWorld) firstRecords() map[Source]time.Time {
	out := map[Source]time.Time{}
	keep := func(s Source, at int64) {
		t := time.UnixMilli(at)
		if old, ok := out[s]; !ok || t.Before(old) {
			out[s] = t
		}
	}
	for _, c := range w.cases {
		keep(SourceCases, c.at)
	}
	for _, x := range w.warnings {
		keep(SourceWarnings, x.at)
	}
	for _, e := range w.events {
		keep(SourceEvents, e.at)
	}
	return out
}
