package db_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/db/dbtest"
)

func TestWhere(t *testing.T) {
	from := time.UnixMilli(1_000)
	to := time.UnixMilli(2_000)
	cases := []struct {
		name  string
		build func(w *db.Where)
		sql   string
		args  []any
	}{
		{"empty", func(w *db.Where) {}, "1=1", nil},
		{"and in order", func(w *db.Where) { w.And("a = ?", 1).And("b IS NULL").And("c IN (?, ?)", 2, 3) },
			"a = ? AND b IS NULL AND c IN (?, ?)", []any{1, 2, 3}},
		{"and if", func(w *db.Where) { w.AndIf(false, "a = ?", 1).AndIf(true, "b = ?", 2) }, "b = ?", []any{2}},
		{"between both", func(w *db.Where) { w.Between("x.at", from, to) }, "x.at >= ? AND x.at < ?", []any{int64(1_000), int64(2_000)}},
		{"between open end", func(w *db.Where) { w.Between("x.at", from, time.Time{}) }, "x.at >= ?", []any{int64(1_000)}},
		{"between open start", func(w *db.Where) { w.Between("x.at", time.Time{}, to) }, "x.at < ?", []any{int64(2_000)}},
		{"between unset", func(w *db.Where) { w.Between("x.at", time.Time{}, time.Time{}) }, "1=1", nil},
		{"contains", func(w *db.Where) { w.Contains(" 6222 ", "r.account", "c.case_no") },
			"(r.account LIKE ? OR c.case_no LIKE ?)", []any{"%6222%", "%6222%"}},
		{"contains drops wildcards", func(w *db.Where) { w.Contains("62%2_2", "r.account") }, "(r.account LIKE ?)", []any{"%6222%"}},
		{"contains blank", func(w *db.Where) { w.Contains("  ", "r.account") }, "1=1", nil},
	}
	for _, c := range cases {
		var w db.Where
		c.build(&w)
		if got := w.String(); got != c.sql {
			t.Errorf("%s: sql %q, want %q", c.name, got, c.sql)
		}
		if got := w.Args(); fmt.Sprint(got) != fmt.Sprint(c.args) || len(got) != len(c.args) {
			t.Errorf("%s: args %v, want %v", c.name, got, c.args)
		}
	}
}

func TestPage(t *testing.T) {
	cases := []struct {
		in           db.Page
		clamp, toDef db.Page
		sqlOfClamped string
	}{
		{db.Page{}, db.Page{Limit: 100}, db.Page{Limit: 100}, " LIMIT 100"},
		{db.Page{Limit: -3, Offset: -5}, db.Page{Limit: 100}, db.Page{Limit: 100}, " LIMIT 100"},
		{db.Page{Limit: 51, Offset: 50}, db.Page{Limit: 51, Offset: 50}, db.Page{Limit: 51, Offset: 50}, " LIMIT 51 OFFSET 50"},
		{db.Page{Limit: 500}, db.Page{Limit: 500}, db.Page{Limit: 500}, " LIMIT 500"},
		{db.Page{Limit: 501, Offset: 7}, db.Page{Limit: 500, Offset: 7}, db.Page{Limit: 100, Offset: 7}, " LIMIT 500 OFFSET 7"},
	}
	for _, c := range cases {
		if got := c.in.Clamp(100, 500); got != c.clamp {
			t.Errorf("%+v.Clamp(100, 500) = %+v, want %+v", c.in, got, c.clamp)
		}
		if got := c.in.ClampToDefault(100, 500); got != c.toDef {
			t.Errorf("%+v.ClampToDefault(100, 500) = %+v, want %+v", c.in, got, c.toDef)
		}
		if got := c.in.Clamp(100, 500).SQL(); got != c.sqlOfClamped {
			t.Errorf("%+v: SQL %q, want %q", c.in, got, c.sqlOfClamped)
		}
	}
}

// A clause and a page run on both engines: the arguments line up with the
// placeholders and the page walks the rows without gaps or repeats.
func TestWhereAndPageQuery(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		for i := 1; i <= 7; i++ {
			if _, err := d.Exec(ctx, `INSERT INTO units (kind, code, name, created_at) VALUES (?,?,?,?)`,
				map[bool]string{true: "bank", false: "operator"}[i%2 == 1], fmt.Sprintf("W%d", i), fmt.Sprintf("银行_%d%%", i), int64(i*1000)); err != nil {
				t.Fatal(err)
			}
		}
		list := func(w *db.Where, p db.Page) []string {
			rows, err := d.Query(ctx, `SELECT code FROM units WHERE `+w.String()+` ORDER BY id`+p.SQL(), w.Args()...)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			var out []string
			for rows.Next() {
				var c string
				if err := rows.Scan(&c); err != nil {
					t.Fatal(err)
				}
				out = append(out, c)
			}
			return out
		}
		var w db.Where
		w.And("code LIKE ?", "W%").AndIf(true, "kind = ?", "bank").Between("created_at", time.UnixMilli(2000), time.UnixMilli(7000))
		if got := list(&w, db.Page{}.Clamp(100, 500)); !slices.Equal(got, []string{"W3", "W5"}) {
			t.Errorf("bank units in [2000, 7000): %v, want [W3 W5]", got)
		}
		var s db.Where
		s.And("code LIKE ?", "W%").Contains("W_3", "name", "code") // as a pattern it would match nothing
		if got := list(&s, db.Page{}.Clamp(100, 500)); !slices.Equal(got, []string{"W3"}) {
			t.Errorf("search W_3 with the wildcard dropped: %v, want [W3]", got)
		}
		var all db.Where
		all.And("code LIKE ?", "W%")
		var walked []string
		for off := 0; ; off += 3 {
			page := list(&all, db.Page{Limit: 3, Offset: off}.Clamp(100, 500))
			walked = append(walked, page...)
			if len(page) < 3 {
				break
			}
		}
		if !slices.Equal(walked, []string{"W1", "W2", "W3", "W4", "W5", "W6", "W7"}) {
			t.Errorf("pages of 3: %v", walked)
		}
	})
}
