package bulletin

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/db/dbtest"
	"github.com/fanzha/fanzha/internal/zone"
)

var update = flag.Bool("update", false, "rewrite the golden files of the bulletin tables")

// smallCounty is a hand-made county, independent of the demo generator: two
// stations, a town each, two villages in the first, with cases, victims,
// warnings, freezes and prevention events in October 2026, September 2026
// and October 2025.
func smallCounty(t *testing.T, d *db.DB) area.Node {
	t.Helper()
	ctx := context.Background()
	mk := func(n *area.Node) {
		if err := area.Create(ctx, d, n); err != nil {
			t.Fatal(err)
		}
	}
	root := area.Node{Level: area.County, Code: "C", Name: "云溪县"}
	mk(&root)
	// Populations give the league table (七、考核排名) its figures per
	// 10,000 inhabitants.
	stA := area.Node{ParentID: root.ID, Level: area.Station, Code: "A", Name: "青石派出所", Population: 20000}
	mk(&stA)
	stB := area.Node{ParentID: root.ID, Level: area.Station, Code: "B", Name: "城关派出所", Population: 10000}
	mk(&stB)
	townA := area.Node{ParentID: stA.ID, Level: area.Town, Code: "TA", Name: "青石镇", Population: 20000}
	mk(&townA)
	townB := area.Node{ParentID: stB.ID, Level: area.Town, Code: "TB", Name: "城关街道"}
	mk(&townB)
	v1 := area.Node{ParentID: townA.ID, Level: area.Village, Kind: "村", Code: "V1", Name: "东村"}
	mk(&v1)
	v2 := area.Node{ParentID: townA.ID, Level: area.Village, Kind: "村", Code: "V2", Name: "西村"}
	mk(&v2)
	v3 := area.Node{ParentID: townB.ID, Level: area.Village, Kind: "社区", Code: "V3", Name: "百花社区"}
	mk(&v3)
	at := func(y, m, dd, h int) int64 {
		return time.Date(y, time.Month(m), dd, h, 0, 0, 0, zone.Shanghai).UnixMilli()
	}
	exec := func(q string, args ...any) int64 {
		var id int64
		if err := d.QueryRow(ctx, q+" RETURNING id", args...).Scan(&id); err != nil {
			t.Fatal(err)
		}
		return id
	}
	cases := []struct {
		y, m, d    int
		village    area.Node
		ftype      string
		loss       int64
		sex, birth string
	}{
		{2026, 10, 1, v1, "police", 12_345_600, "F", "1950-10-02"}, {2026, 10, 9, v1, "police", 8_000_000, "M", "1949-01-01"},
		{2026, 10, 15, v2, "rebate", 350_000, "F", "2005-06-30"}, {2026, 10, 31, v3, "game", 99_900, "M", "2011-10-31"},
		{2026, 9, 3, v1, "investment", 50_000_000, "M", "1970-02-02"}, {2026, 9, 30, v3, "police", 1_000_000, "", ""},
		{2025, 10, 20, v2, "police", 6_000_000, "F", "1955-05-05"}, {2025, 10, 21, v3, "rebate", 120_000, "F", "1999-09-09"},
		{2025, 10, 22, v3, "rebate", 130_001, "M", "1988-08-08"},
	}
	caseIDs := make([]int64, len(cases))
	for i, c := range cases {
		ts := at(c.y, c.m, c.d, 10)
		id := exec(`INSERT INTO cases (case_no, area_id, station_id, fraud_type, reported_at, loss_fen, created_at, updated_at)
			VALUES (?,?,?,?,?,?,?,?)`, fmt.Sprintf("G%02d", i), c.village.ID, c.village.StationID, c.ftype, ts, c.loss, ts, ts)
		caseIDs[i] = id
		victim := exec(`INSERT INTO victims (case_id, name, sex, birth_date, area_id, loss_fen) VALUES (?,?,?,?,?,?)`, id, "受害人", c.sex, c.birth, c.village.ID, c.loss)
		if i%3 == 0 {
			// A freeze confirmed an hour after the report, renewed later
			// (the renewal is not counted again), and half of it returned
			// to the victim five days later.
			req := exec(`INSERT INTO partner_requests (kind, case_id, account, amount_fen, status, created_at, sent_at, confirmed_at, result_fen)
				VALUES ('freeze',?,?,?,'confirmed',?,?,?,?)`, id, fmt.Sprintf("6222%02d", i), c.loss, ts, ts, ts+3_600_000, c.loss/2)
			exec(`INSERT INTO partner_requests (kind, case_id, account, amount_fen, status, created_at, sent_at, confirmed_at, result_fen, prior_id)
				VALUES ('freeze',?,?,?,'confirmed',?,?,?,?,?)`, id, fmt.Sprintf("6222%02d", i), c.loss, ts, ts, ts+7_200_000, c.loss/2, req)
			plan := exec(`INSERT INTO return_plans (case_id, request_id, account, frozen_fen, rule, calc, status, created_at)
				VALUES (?,?,?,?,'single_victim','{}','executed',?)`, id, req, fmt.Sprintf("6222%02d", i), c.loss/2, ts)
			exec(`INSERT INTO return_payments (plan_id, victim_id, amount_fen, paid_at, created_at) VALUES (?,?,?,?,?)`,
				plan, victim, c.loss/4, ts+5*86_400_000, ts)
		}
		if i == 1 {
			exec(`INSERT INTO partner_requests (kind, case_id, account, amount_fen, status, created_at, sent_at, confirmed_at, result_fen)
				VALUES ('stop_payment',?,'6217001',?,'confirmed',?,?,?,?)`, id, c.loss, ts, ts, ts+600_000, c.loss)
		}
	}
	warnings := []struct {
		y, m, d        int
		village        area.Node
		grade, outcome string
		kept           int64
		onsite         int // 0 none, 1 due, 2 due and done
	}{
		{2026, 10, 2, v1, "fund", "dissuaded", 500_000, 2}, {2026, 10, 3, v1, "high", "defrauded", 0, 1},
		{2026, 10, 4, v2, "ordinary", "dissuaded", 0, 0}, {2026, 10, 5, v3, "high", "unreachable", 0, 2},
		{2026, 10, 6, v3, "ordinary", "false_alarm", 0, 0}, {2026, 9, 6, v3, "ordinary", "dissuaded", 100, 0},
		{2025, 10, 6, v1, "high", "dissuaded", 2_000, 2}, {2025, 10, 7, v1, "high", "defrauded", 0, 2},
	}
	for i, w := range warnings {
		ts := at(w.y, w.m, w.d, 9)
		var due, done any
		if w.onsite > 0 {
			due = ts + 7_200_000
		}
		if w.onsite > 1 {
			done = ts + 3_600_000
		}
		exec(`INSERT INTO warnings (source, source_ref, received_at, grade, area_id, station_id, status, outcome, outcome_at, kept_fen,
			onsite_due_at, onsite_at, created_at, updated_at) VALUES ('upper',?,?,?,?,?,'closed',?,?,?,?,?,?,?)`,
			fmt.Sprintf("GW%02d", i), ts, w.grade, w.village.ID, w.village.StationID, w.outcome, ts+1_800_000, w.kept, due, done, ts, ts)
	}
	for i, e := range []struct {
		y, m, d int
		village area.Node
		reached int64
	}{{2026, 10, 8, v1, 40}, {2026, 10, 9, v1, 25}, {2026, 9, 9, v2, 300}, {2025, 10, 9, v3, 1000}} {
		ts := at(e.y, e.m, e.d, 15)
		exec(`INSERT INTO prevention_events (area_id, kind, at, title, audience, reached, created_at) VALUES (?,?,?,?,?,?,?)`,
			e.village.ID, "lecture", ts, fmt.Sprintf("讲座%d", i), "elderly", e.reached, ts)
	}
	strikeFixtures(t, d, caseIDs, at)
	return root
}

// strikeFixtures give the small county's cases lifecycle steps, suspects
// and dispositions for the table 打击战果. October 2026: 立案 G00, G01, G03
// (a pending 立案 of G02 does not count), 破案 G00; on G00 an organiser
// caught and detained then arrested, a mule caught and fined, a card
// farmer caught and bailed (three caught: one gang); on G03 (station B) a
// score runner caught and admonished. September 2026: G04 filed, solved, a
// mule caught and detained; G05 (station B) filed. October 2025: G06 filed,
// a traffic suspect caught and detained.
func strikeFixtures(t *testing.T, d *db.DB, ids []int64, at func(y, m, dd, h int) int64) {
	t.Helper()
	ctx := context.Background()
	run := func(q string, args ...any) {
		t.Helper()
		if _, err := d.Exec(ctx, q, args...); err != nil {
			t.Fatal(err)
		}
	}
	step := func(i int, action, from, to, status string, when int64) {
		run(`INSERT INTO case_transitions (case_id, action, from_state, to_state, at, status, created_at) VALUES (?,?,?,?,?,?,?)`,
			ids[i], action, from, to, when, status, when)
	}
	step(0, "file", "accepted", "filed", "done", at(2026, 10, 2, 9))
	step(0, "solve", "investigating", "solved", "done", at(2026, 10, 20, 9))
	step(1, "file", "accepted", "filed", "done", at(2026, 10, 10, 11))
	step(2, "file", "accepted", "filed", "pending", at(2026, 10, 16, 9))
	step(3, "file", "accepted", "filed", "done", at(2026, 10, 31, 20))
	step(4, "file", "accepted", "filed", "done", at(2026, 9, 5, 9))
	step(4, "solve", "investigating", "solved", "done", at(2026, 9, 25, 9))
	step(5, "file", "accepted", "filed", "done", at(2026, 9, 30, 15))
	step(6, "file", "accepted", "filed", "done", at(2025, 10, 21, 9))
	n := 0
	suspect := func(i int, role string, disp ...any) {
		t.Helper()
		n++
		var sid int64
		if err := d.QueryRow(ctx, `INSERT INTO suspects (name, role, created_at, updated_at) VALUES (?,?,1,1) RETURNING id`,
			fmt.Sprintf("嫌疑人%d", n), role).Scan(&sid); err != nil {
			t.Fatal(err)
		}
		run(`INSERT INTO suspect_cases (suspect_id, case_id, created_at) VALUES (?,?,1)`, sid, ids[i])
		for k := 0; k < len(disp); k += 2 {
			run(`INSERT INTO suspect_dispositions (suspect_id, case_id, kind, at, created_at) VALUES (?,?,?,?,1)`, sid, ids[i], disp[k], disp[k+1])
		}
	}
	oct := func(dd int) int64 { return at(2026, 10, dd, 14) }
	suspect(0, "organiser", "caught", oct(15), "detained", oct(15), "arrested", oct(20))
	suspect(0, "mule", "caught", oct(16), "admin_penalty", oct(16))
	suspect(0, "card_farmer", "caught", oct(17), "bailed", oct(18))
	suspect(3, "score_runner", "caught", oct(31), "admonished", oct(31))
	suspect(4, "mule", "caught", at(2026, 9, 20, 14), "detained", at(2026, 9, 21, 14))
	suspect(6, "traffic", "caught", at(2025, 10, 25, 14), "detained", at(2025, 10, 25, 18))
}

// The tables of the October 2026 bulletin of the small county, for the
// county and for a station, as golden text files: any change to a figure,
// a percentage or a label shows up in review. Run with -update to rewrite
// them after an intended change.
func TestBulletinGoldenFiles(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		root := smallCounty(t, d)
		stations, _ := area.ByLevel(ctx, d, root, area.Station)
		month, _ := PeriodOf(Monthly, time.Date(2026, 10, 1, 0, 0, 0, 0, zone.Shanghai), zone.Shanghai)
		for _, c := range []struct {
			node area.Node
			file string
		}{{root, "county-2026-10.txt"}, {stations[0], "station-2026-10.txt"}} {
			b, err := Compute(ctx, d, c.node, month, time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC), zone.Shanghai)
			if err != nil {
				t.Fatal(err)
			}
			var out strings.Builder
			fmt.Fprintf(&out, "%s\n", b.Title)
			for _, h := range b.Highlights {
				fmt.Fprintf(&out, "%s\n", h)
			}
			for _, tb := range b.Tables {
				fmt.Fprintf(&out, "\n%s\n%s\n", tb.Title, strings.Join(tb.Header, " | "))
				for _, r := range tb.Rows {
					fmt.Fprintf(&out, "%s\n", strings.Join(r, " | "))
				}
			}
			path := filepath.Join("testdata", c.file)
			if *update && d.Dialect == db.SQLite {
				if err := os.MkdirAll("testdata", 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, []byte(out.String()), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -run GoldenFiles -update ./internal/bulletin)", err)
			}
			if out.String() != string(want) {
				t.Fatalf("%s differs from the golden file:\n%s", c.file, out.String())
			}
			checkExcelEqualsPage(t, b)
		}
	})
}

// The 打击战果 table for a day, a week and a custom period of the small
// county, for the county and station B: the figures of each window, and
// the 环比 against the window before (the strike figures are counted at
// their dates, so any period and node cut them the same way).
func TestStrikeTablePeriods(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		root := smallCounty(t, d)
		stations, _ := area.ByLevel(ctx, d, root, area.Station)
		day := func(dd int) time.Time { return time.Date(2026, 10, dd, 0, 0, 0, 0, zone.Shanghai) }
		daily, _ := PeriodOf(Daily, day(15), zone.Shanghai)
		weekly, _ := PeriodOf(Weekly, day(15), zone.Shanghai) // Monday 10-12 to Sunday 10-18
		custom, err := CustomPeriod(day(16), day(31), zone.Shanghai)
		if err != nil {
			t.Fatal(err)
		}
		// rows: 立案, 破案, 刑事打击, 行政处理, 抓获, 打掉团伙 — each 本期 | 上期 | 环比.
		for _, c := range []struct {
			name string
			node area.Node
			p    Period
			want [6][3]string
		}{
			{"county day", root, daily, [6][3]string{{"0", "0", "—"}, {"0", "0", "—"}, {"1", "0", "—"}, {"0", "0", "—"}, {"1", "0", "—"}, {"0", "0", "—"}}},
			// The week before (10-05 … 10-11) holds G01's 立案 on 10-10.
			{"county week", root, weekly, [6][3]string{{"0", "1", "-100.0%"}, {"0", "0", "—"}, {"2", "0", "—"}, {"1", "0", "—"}, {"3", "0", "—"}, {"1", "0", "—"}}},
			// 10-16 … 10-31 against 09-30 … 10-15 (G00, G01 and G05 filed
			// there; the organiser caught and detained on 10-15).
			{"county custom", root, custom, [6][3]string{{"1", "3", "-66.7%"}, {"1", "0", "—"}, {"1", "1", "0.0%"}, {"2", "0", "—"}, {"3", "1", "+200.0%"}, {"1", "0", "—"}}},
			{"station B custom", stations[1], custom, [6][3]string{{"1", "1", "0.0%"}, {"0", "0", "—"}, {"0", "0", "—"}, {"1", "0", "—"}, {"1", "0", "—"}, {"0", "0", "—"}}},
		} {
			b, err := Compute(ctx, d, c.node, c.p, time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC), zone.Shanghai)
			if err != nil {
				t.Fatal(err)
			}
			var tb Table
			for _, x := range b.Tables {
				if x.ID == "strike" {
					tb = x
				}
			}
			if len(tb.Rows) < 6 {
				t.Fatalf("%s: no strike table in %d tables", c.name, len(b.Tables))
			}
			for i, w := range c.want {
				if got := [3]string{tb.Rows[i][1], tb.Rows[i][2], tb.Rows[i][3]}; got != w {
					t.Errorf("%s %s: %q, want %q", c.name, tb.Rows[i][0], got, w)
				}
			}
		}
	})
}
