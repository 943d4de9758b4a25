package investigation_test

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
	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/bulletin"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/db/dbtest"
	"github.com/fanzha/fanzha/internal/domain"
	inv "github.com/fanzha/fanzha/internal/investigation"
	"github.com/fanzha/fanzha/internal/zone"
)

var update = flag.Bool("update", false, "rewrite the golden files of the strike tables")

// month is what the hand-made county did in one calendar month: cases
// solved per station, persons struck criminally and handled
// administratively, extra cases filed and left under investigation.
type month struct {
	y, m             int
	solvedA, solvedB int
	criminal, admin  int
	extraFiled       int
}

// strikeCounty builds the hand-made county of the golden test through the
// package's own functions: October 2026 (51 cases solved, 89 persons struck
// criminally, 155 handled administratively), September 2026 and October
// 2025, with the edge cases the definitions are about. It returns the
// county's world.
func strikeCounty(t *testing.T, d *db.DB) *world {
	t.Helper()
	ctx := context.Background()
	w := newWorld(t, d)
	at := func(y, m, dd int) time.Time { return time.Date(y, time.Month(m), dd, 10, 0, 0, 0, zone.Shanghai) }
	err := d.InTx(ctx, func(tx *db.Tx) error {
		move := func(who auth.AuditEntry, id int64, a inv.Action, when time.Time) {
			t.Helper()
			tr, err := inv.MoveIn(ctx, tx, w.root, who, inv.Request{CaseID: id, Action: a, At: when, DocNo: "文书" + string(a)}, now)
			if err != nil {
				t.Fatalf("case %d %s: %v", id, a, err)
			}
			if tr.Status == inv.StatusPending {
				if _, err := inv.DecideIn(ctx, tx, w.root, w.leader, id, true, "", now); err != nil {
					t.Fatal(err)
				}
			}
		}
		suspect := func(id int64, n int, when time.Time) int64 {
			t.Helper()
			sid, err := inv.AddSuspectIn(ctx, tx, w.root, w.inv2, id, inv.SuspectInput{Name: fmt.Sprintf("嫌疑人%d", n),
				Role: inv.Roles[n%len(inv.Roles)]}, now)
			if err != nil {
				t.Fatal(err)
			}
			dispose(t, tx, w, sid, id, inv.Caught, when)
			return sid
		}
		var sepFirst int64 // a suspect struck criminally in September 2026
		var sepCase int64
		var oct []int64 // October 2026's solved cases
		for _, mo := range []month{
			{2025, 10, 30, 0, 50, 100, 0},
			{2026, 9, 40, 0, 70, 160, 2},
			{2026, 10, 48, 3, 89, 155, 2},
		} {
			n := mo.solvedA + mo.solvedB
			ids := make([]int64, n)
			start := make([]time.Time, n)
			for i := range ids {
				town := w.vA
				if i >= mo.solvedA {
					town = w.vB
				}
				start[i] = at(mo.y, mo.m, 1+i%25)
				ids[i] = w.newCase(t, tx, town, start[i])
				move(w.inv2, ids[i], inv.Accept, start[i])
				move(w.inv2, ids[i], inv.File, start[i].AddDate(0, 0, 1))
				move(w.inv2, ids[i], inv.Investigate, start[i].AddDate(0, 0, 1))
			}
			// The persons: the first one on each case, the rest on the
			// first 17 cases (the gangs); criminal ones first.
			total := mo.criminal + mo.admin
			for j := 0; j < total; j++ {
				k := j
				if j >= n {
					k = j % 17
				}
				when := start[k].AddDate(0, 0, 2)
				sid := suspect(ids[k], j, when)
				switch {
				case j < mo.criminal && j%3 == 0:
					dispose(t, tx, w, sid, ids[k], inv.Detained, when)
					dispose(t, tx, w, sid, ids[k], inv.Arrested, when.AddDate(0, 0, 1)) // the same person, counted once
				case j < mo.criminal && j%3 == 1:
					dispose(t, tx, w, sid, ids[k], inv.Detained, when)
				case j < mo.criminal:
					dispose(t, tx, w, sid, ids[k], inv.Bailed, when)
				case j%2 == 0:
					dispose(t, tx, w, sid, ids[k], inv.AdminPenalty, when)
				default:
					dispose(t, tx, w, sid, ids[k], inv.Admonished, when)
				}
				if mo.m == 9 && j == 0 {
					sepFirst, sepCase = sid, ids[k]
				}
			}
			if mo.y == 2026 && mo.m == 10 {
				oct = ids
			}
			for i := range ids {
				move(w.inv2, ids[i], inv.Solve, start[i].AddDate(0, 0, 3))
			}
			for e := 0; e < mo.extraFiled; e++ {
				id := w.newCase(t, tx, w.vA, at(mo.y, mo.m, 10))
				move(w.inv2, id, inv.Accept, at(mo.y, mo.m, 10))
				move(w.inv2, id, inv.File, at(mo.y, mo.m, 11))
			}
		}
		// October 2026's edge cases:
		// - a 立案 asked on 10-20 and approved in November counts in October;
		id := w.newCase(t, tx, w.vA, at(2026, 10, 19))
		move(w.inv2, id, inv.Accept, at(2026, 10, 19))
		if _, err := inv.MoveIn(ctx, tx, w.root, w.inv2, inv.Request{CaseID: id, Action: inv.File, At: at(2026, 10, 20), DocNo: "立字"}, now); err != nil {
			t.Fatal(err)
		}
		if _, err := inv.DecideIn(ctx, tx, w.root, w.leader, id, true, "", now.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		// - a rejected 立案 never counts;
		id = w.newCase(t, tx, w.vA, at(2026, 10, 21))
		move(w.inv2, id, inv.Accept, at(2026, 10, 21))
		if _, err := inv.MoveIn(ctx, tx, w.root, w.inv2, inv.Request{CaseID: id, Action: inv.File, At: at(2026, 10, 22), DocNo: "立字"}, now); err != nil {
			t.Fatal(err)
		}
		if _, err := inv.DecideIn(ctx, tx, w.root, w.leader, id, false, "证据不足", now); err != nil {
			t.Fatal(err)
		}
		// - a suspect caught in October with no measure yet is caught, not
		//   struck;
		suspect(id, 5, at(2026, 10, 23)) // role 其他
		// - September's first suspect, detained and arrested in September,
		//   sent to prosecution in October: struck in September only.
		dispose(t, tx, w, sepFirst, sepCase, inv.Charged, at(2026, 10, 2))
		// - 串并案: three cases of one caught suspect each, merged into a
		//   series, are one gang more (the third caught on 10-22); a
		//   series of two such cases is none; a case merged and un-merged
		//   again counts on its own.
		merge := func(parent int64, kids ...int64) {
			t.Helper()
			if err := inv.MergeIn(ctx, tx, w.root, w.inv2, parent, kids, "同一诈骗窝点", now); err != nil {
				t.Fatal(err)
			}
		}
		merge(oct[17], oct[18], oct[19], oct[22])
		merge(oct[20], oct[21])
		if _, err := tx.Exec(ctx, `UPDATE case_series SET unmerged_at = ?, unmerge_note = '误串' WHERE case_id = ?`, db.Millis(now), oct[22]); err != nil {
			t.Fatal(err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func dispose(t *testing.T, q db.Querier, w *world, sid, caseID int64, k inv.Kind, when time.Time) {
	t.Helper()
	in := inv.DispositionInput{SuspectID: sid, CaseID: caseID, Kind: k, At: when}
	if k == inv.Caught {
		in.Unit, in.Place = "青石派出所", "广东省东莞市"
	}
	if _, err := inv.DisposeIn(context.Background(), q, w.root, w.inv2, in, now); err != nil {
		t.Fatalf("%s: %v", k, err)
	}
}

// render writes the strike table as the bulletin shows it: each figure in
// the period, the period before with 环比, the same period a year earlier
// with 同比.
func render(s inv.Strike, p bulletin.Period) string {
	var b strings.Builder
	fmt.Fprintf(&b, "打击战果 %s %s（环比 %s，同比 %s）\n", s.NodeName, p.Label(), p.Previous().Label(), p.YearAgo().Label())
	b.WriteString("项目\t本期\t上期\t环比\t去年同期\t同比\n")
	for _, r := range s.Rows() {
		fmt.Fprintf(&b, "%s（%s）\t%s\t%s\t%s\t%s\t%s\n", r.Label, r.Unit, bulletin.Count(r.Current), bulletin.Count(r.Previous),
			bulletin.PercentChange(r.Current, r.Previous), bulletin.Count(r.YearAgo), bulletin.PercentChange(r.Current, r.YearAgo))
	}
	return b.String()
}

func window(p bulletin.Period) inv.Window { return inv.Window{From: p.From, To: p.To} }

// The golden strike table of a hand-made county: October 2026 shows
// exactly 51 cases solved, 89 persons struck criminally and 155 handled
// administratively, with the 环比 against September 2026 and the 同比
// against October 2025; the station sees its own share.
func TestStrikeGolden(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := strikeCounty(t, d)
		p, err := bulletin.PeriodOf(bulletin.Monthly, time.Date(2026, 10, 15, 0, 0, 0, 0, zone.Shanghai), zone.Shanghai)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			file string
			node area.Node
		}{{"county-2026-10.txt", w.root}, {"station-2026-10.txt", w.stA}} {
			s, err := inv.StrikeFigures(ctx, d, c.node, window(p), window(p.Previous()), window(p.YearAgo()))
			if err != nil {
				t.Fatal(err)
			}
			if c.node.ID == w.root.ID {
				cur, prev, ago := s.Current, s.Previous, s.YearAgo
				if cur.Solved != 51 || cur.Criminal != 89 || cur.Administrative != 155 {
					t.Errorf("October 2026: 破案 %d, 刑事打击 %d, 行政处理 %d; want 51, 89, 155", cur.Solved, cur.Criminal, cur.Administrative)
				}
				if prev.Solved != 40 || prev.Criminal != 70 || prev.Administrative != 160 || ago.Solved != 30 || ago.Criminal != 50 || ago.Administrative != 100 {
					t.Errorf("September 2026 %+v, October 2025 %+v", prev, ago)
				}
				// 51 + 2 left under investigation + 1 approved in November;
				// the rejected one is not counted. Gangs: the 17 cases of
				// three or more caught suspects, and the series of three
				// cases of one caught suspect each.
				if cur.Filed != 54 || cur.Caught != 245 || cur.Gangs != 18 {
					t.Errorf("立案 %d, 抓获 %d, 打掉团伙 %d; want 54, 245, 18", cur.Filed, cur.Caught, cur.Gangs)
				}
			}
			got := render(s, p)
			path := filepath.Join("testdata", c.file)
			if *update {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if got != string(want) {
				t.Errorf("%s differs (go test -run TestStrikeGolden -update to accept):\n--- got\n%s--- want\n%s", c.file, got, want)
			}
		}
		// Consecutive windows add up to their union: the counts are made
		// once, at their date.
		oct, _ := inv.StrikeIn(ctx, d, w.root, window(p))
		sep, _ := inv.StrikeIn(ctx, d, w.root, window(p.Previous()))
		both, err := inv.StrikeIn(ctx, d, w.root, inv.Window{From: p.Previous().From, To: p.To})
		if err != nil {
			t.Fatal(err)
		}
		if both.Solved != oct.Solved+sep.Solved || both.Criminal != oct.Criminal+sep.Criminal ||
			both.Administrative != oct.Administrative+sep.Administrative || both.Caught != oct.Caught+sep.Caught || both.Gangs != oct.Gangs+sep.Gangs {
			t.Errorf("September+October %+v, separately %+v and %+v", both, sep, oct)
		}
		_, err = inv.StrikeIn(ctx, d, w.root, inv.Window{From: p.To, To: p.From})
		wantErr(t, err, domain.ErrInvalid, "结束时间须晚于开始时间")
	})
}
