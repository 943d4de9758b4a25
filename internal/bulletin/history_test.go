package bulletin

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/db/dbtest"
	"github.com/fanzha/fanzha/internal/zone"
)

func day(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02", s, zone.Shanghai)
	if err != nil {
		panic(err)
	}
	return t
}

// The 环比 period of every kind, and of custom periods that are exactly
// one calendar week, month, quarter or year (the calendar unit before) or
// not (the same number of days just before).
func TestPreviousPeriod(t *testing.T) {
	for _, c := range []struct {
		name       string
		p          Period
		from, last string // of the previous period, last day included
	}{
		{"daily", Period{Daily, day("2026-03-01"), day("2026-03-02")}, "2026-02-28", "2026-02-28"},
		{"weekly", Period{Weekly, day("2026-03-02"), day("2026-03-09")}, "2026-02-23", "2026-03-01"},
		{"monthly", Period{Monthly, day("2026-03-01"), day("2026-04-01")}, "2026-02-01", "2026-02-28"},
		{"custom one calendar month", Period{Custom, day("2026-11-01"), day("2026-12-01")}, "2026-10-01", "2026-10-31"},
		{"custom February", Period{Custom, day("2026-02-01"), day("2026-03-01")}, "2026-01-01", "2026-01-31"},
		{"custom March after a short February", Period{Custom, day("2026-03-01"), day("2026-04-01")}, "2026-02-01", "2026-02-28"},
		{"custom January", Period{Custom, day("2026-01-01"), day("2026-02-01")}, "2025-12-01", "2025-12-31"},
		{"custom calendar week", Period{Custom, day("2026-11-16"), day("2026-11-23")}, "2026-11-09", "2026-11-15"},
		{"custom quarter", Period{Custom, day("2026-10-01"), day("2027-01-01")}, "2026-07-01", "2026-09-30"},
		{"custom first quarter", Period{Custom, day("2026-01-01"), day("2026-04-01")}, "2025-10-01", "2025-12-31"},
		{"custom year", Period{Custom, day("2026-01-01"), day("2027-01-01")}, "2025-01-01", "2025-12-31"},
		{"custom 30 days not a month", Period{Custom, day("2026-11-02"), day("2026-12-02")}, "2026-10-03", "2026-11-01"},
		{"custom 7 days not Monday", Period{Custom, day("2026-11-17"), day("2026-11-24")}, "2026-11-10", "2026-11-16"},
		{"custom three months not a quarter", Period{Custom, day("2026-02-01"), day("2026-05-01")}, "2025-11-04", "2026-01-31"},
		{"custom ten days", Period{Custom, day("2026-03-01"), day("2026-03-11")}, "2026-02-19", "2026-02-28"},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := c.p.Previous()
			if got := p.From.Format("2006-01-02") + " " + p.To.AddDate(0, 0, -1).Format("2006-01-02"); got != c.from+" "+c.last {
				t.Fatalf("previous of %s: %s, want %s %s", c.p.Label(), got, c.from, c.last)
			}
			if !p.To.Equal(c.p.From) {
				t.Fatalf("previous ends %v, want %v", p.To, c.p.From)
			}
		})
	}
}

// A compared period has data of a source unless it lies wholly before the
// first record of that source (or the source has no record).
func TestHistoryHas(t *testing.T) {
	h := History{SourceCases: day("2025-12-05"), SourceWarnings: day("2025-12-05")}
	for _, c := range []struct {
		name    string
		s       Source
		p       Period
		has     bool
		partial bool
	}{
		{"month wholly before", SourceCases, Period{Monthly, day("2025-11-01"), day("2025-12-01")}, false, false},
		{"ends the day data starts", SourceCases, Period{Daily, day("2025-12-04"), day("2025-12-05")}, false, false},
		{"first day of data", SourceCases, Period{Daily, day("2025-12-05"), day("2025-12-06")}, true, false},
		{"month partly covered", SourceCases, Period{Monthly, day("2025-12-01"), day("2026-01-01")}, true, true},
		{"month after", SourceWarnings, Period{Monthly, day("2026-01-01"), day("2026-02-01")}, true, false},
		{"source without records", SourceEvents, Period{Monthly, day("2026-01-01"), day("2026-02-01")}, false, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := h.Has(c.s, c.p); got != c.has {
				t.Fatalf("Has = %v, want %v", got, c.has)
			}
			if got := h.Partial(c.s, c.p); got != c.partial {
				t.Fatalf("Partial = %v, want %v", got, c.partial)
			}
		})
	}
	full := History{SourceCases: day("2025-12-05"), SourceWarnings: day("2025-12-05"), SourceEvents: day("2025-12-07")}
	for _, c := range []struct {
		name string
		h    History
		p    Period
		want string
	}{
		{"all missing", full, Period{Monthly, day("2025-11-01"), day("2025-12-01")}, "无去年同期数据（系统自 2025-12-05 起有数据）"},
		{"events missing only", full, Period{Daily, day("2025-12-06"), day("2025-12-07")}, "无去年同期宣传活动数据（宣传活动自 2025-12-07 起有数据）"},
		{"nothing missing", full, Period{Daily, day("2025-12-08"), day("2025-12-09")}, ""},
		{"empty database", History{}, Period{Daily, day("2025-12-08"), day("2025-12-09")}, "无去年同期数据（系统中尚无记录）"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := c.h.note("去年同期", c.h.availability(c.p)); got != c.want {
				t.Fatalf("note %q, want %q", got, c.want)
			}
		})
	}
}

// With one year of data, the monthly bulletin's 去年同期 is "—" with a
// note, never 0 — in the tables, the highlights, the printed page, the
// workbook and the JSON (null).
func TestBulletinNoHistory(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		root := area.Node{Level: area.County, Code: "C", Name: "云溪县"}
		if err := area.Create(ctx, d, &root); err != nil {
			t.Fatal(err)
		}
		st := area.Node{ParentID: root.ID, Level: area.Station, Code: "A", Name: "青石派出所"}
		if err := area.Create(ctx, d, &st); err != nil {
			t.Fatal(err)
		}
		town := area.Node{ParentID: st.ID, Level: area.Town, Code: "T", Name: "青石镇"}
		if err := area.Create(ctx, d, &town); err != nil {
			t.Fatal(err)
		}
		v := area.Node{ParentID: town.ID, Level: area.Village, Kind: "村", Code: "V", Name: "东村"}
		if err := area.Create(ctx, d, &v); err != nil {
			t.Fatal(err)
		}
		// Data from 2025-12-05 on: a case, a warning and an event that day
		// and in November 2026.
		for i, at := range []time.Time{day("2025-12-05").Add(10 * time.Hour), day("2026-11-10").Add(10 * time.Hour)} {
			ms := at.UnixMilli()
			if _, err := d.Exec(ctx, `INSERT INTO cases (case_no, area_id, station_id, fraud_type, reported_at, loss_fen, created_at, updated_at)
				VALUES (?,?,?,?,?,?,?,?)`, "N"+string(rune('0'+i)), v.ID, st.ID, "police", ms, 100_000, ms, ms); err != nil {
				t.Fatal(err)
			}
			if _, err := d.Exec(ctx, `INSERT INTO warnings (source, source_ref, received_at, grade, area_id, station_id, status, outcome, kept_fen,
				created_at, updated_at) VALUES ('upper',?,?,'high',?,?,'closed','dissuaded',0,?,?)`, "W"+string(rune('0'+i)), ms, v.ID, st.ID, ms, ms); err != nil {
				t.Fatal(err)
			}
			if _, err := d.Exec(ctx, `INSERT INTO prevention_events (area_id, kind, at, title, audience, reached, created_at) VALUES (?,?,?,?,?,?,?)`,
				v.ID, "lecture", ms, "讲座", "elderly", 50, ms); err != nil {
				t.Fatal(err)
			}
		}
		month, _ := PeriodOf(Monthly, day("2026-11-15"), zone.Shanghai)
		b, err := Compute(ctx, d, root, month, day("2026-12-05"), zone.Shanghai)
		if err != nil {
			t.Fatal(err)
		}
		rows := map[string][]string{}
		for _, r := range b.Tables[0].Rows {
			rows[r[0]] = r
		}
		for _, name := range []string{"立案数（起）", "损失金额（元）", "接收预警（条）", "劝阻成功率", "宣传活动（场）", "村/社区覆盖率"} {
			r := rows[name]
			if r[4] != "—" || r[5] != "—" {
				t.Errorf("%s: 去年同期 %q 同比 %q, want — and —", name, r[4], r[5])
			}
			if r[2] == "—" && !strings.HasSuffix(name, "率") {
				t.Errorf("%s: 上期 (October 2026 lies after the first record: a real 0) shows —", name)
			}
		}
		if r := rows["村/社区覆盖率"]; r[1] != "100.0%" || strings.Contains(r[5], "百分点") {
			t.Errorf("coverage row %q", r)
		}
		for _, tb := range b.Tables[1:] {
			for _, r := range tb.Rows {
				// The count and loss tables' 同比 columns; the strike
				// table's 去年同期 and 同比.
				a, z := 3, 6
				if tb.ID == "strike" {
					a, z = 4, 5
				}
				if r[a] != "—" || r[z] != "—" {
					t.Errorf("%s %s: 同比 %q / %q, want —", tb.Title, r[0], r[a], r[z])
				}
			}
		}
		want := "无去年同期数据（系统自 2025-12-05 起有数据）"
		if len(b.Notes) != 1 || !strings.HasPrefix(b.Notes[0], want) {
			t.Fatalf("notes %q, want %q", b.Notes, want)
		}
		if !strings.Contains(strings.Join(b.Highlights, ""), want) || !strings.Contains(b.Highlights[0], "同比 —") {
			t.Fatalf("highlights %q", b.Highlights)
		}
		checkExcelEqualsPage(t, b)
		raw, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		var out struct {
			Cur map[string]any `json:"current"`
			Yoy map[string]any `json:"year_ago_figures"`
		}
		if err := json.Unmarshal(raw, &out); err != nil {
			t.Fatal(err)
		}
		for _, k := range []string{"cases", "loss_fen", "warnings", "prevention_events", "villages_reached", "by_type"} {
			if v, ok := out.Yoy[k]; !ok || v != nil {
				t.Errorf("year_ago_figures.%s = %v, want null", k, v)
			}
			if out.Cur[k] == nil {
				t.Errorf("current.%s is null", k)
			}
		}
	})
}
