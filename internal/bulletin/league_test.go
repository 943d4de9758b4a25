package bulletin

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/assess"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/db/dbtest"
	"github.com/fanzha/fanzha/internal/zone"
)

// The table 七、考核排名 of a day, a week, a month and a custom period, for
// the county and a station, has assess's league rows in assess's order with
// the same colour for the unit and for every figure; the 大屏's league is
// this month's so far, with the units counted per colour.
func TestLeagueTableAndBoard(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		root := smallCounty(t, d)
		stations, _ := area.ByLevel(ctx, d, root, area.Station)
		day := func(dd int) time.Time { return time.Date(2026, 10, dd, 0, 0, 0, 0, zone.Shanghai) }
		daily, _ := PeriodOf(Daily, day(2), zone.Shanghai)
		weekly, _ := PeriodOf(Weekly, day(5), zone.Shanghai)
		monthly, _ := PeriodOf(Monthly, day(1), zone.Shanghai)
		custom, err := CustomPeriod(day(1), day(15), zone.Shanghai)
		if err != nil {
			t.Fatal(err)
		}
		for _, node := range []area.Node{root, stations[0], stations[1]} {
			for _, p := range []Period{daily, weekly, monthly, custom} {
				b, err := Compute(ctx, d, node, p, time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC), zone.Shanghai)
				if err != nil {
					t.Fatal(err)
				}
				lg, err := assess.Compute(ctx, d, node, p.From, p.To)
				if err != nil {
					t.Fatal(err)
				}
				tb := b.Tables[len(b.Tables)-1]
				if tb.ID != "league" || len(tb.Header) != 2+len(assess.Figures) {
					t.Fatalf("%s %s: last table %s %v", node.Name, p.Label(), tb.ID, tb.Header)
				}
				if len(tb.Rows) != len(lg.Rows) {
					t.Fatalf("%s %s: %d rows, assess %d", node.Name, p.Label(), len(tb.Rows), len(lg.Rows))
				}
				for i, r := range lg.Rows {
					row := tb.Rows[i]
					if row[0] != r.Name || row[1] != assess.ColourName(r.Colour) {
						t.Errorf("%s %s row %d: %v, want %s %s", node.Name, p.Label(), i, row[:2], r.Name, assess.ColourName(r.Colour))
					}
					for j, f := range assess.Figures {
						v, cell := r.Figures[f.Key], row[2+j]
						want := "—"
						if v.Den > 0 {
							want = f.Text(v.Value) + "（" + assess.ColourName(v.Colour) + "）"
						}
						if cell != want {
							t.Errorf("%s %s %s %s: %q, want %q", node.Name, p.Label(), r.Name, f.Name, cell, want)
						}
					}
				}
			}
		}
		// A village has no units to rank: one line says so.
		villages, _ := area.ByLevel(ctx, d, root, area.Village)
		b, err := Compute(ctx, d, villages[0], monthly, time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC), zone.Shanghai)
		if err != nil {
			t.Fatal(err)
		}
		if tb := b.Tables[len(b.Tables)-1]; len(tb.Rows) != 1 || !strings.Contains(tb.Rows[0][0], "无下属") {
			t.Fatalf("village league: %v", tb.Rows)
		}
		board, err := ComputeDashboardLeague(ctx, d, root, time.Date(2026, 10, 31, 12, 0, 0, 0, zone.Shanghai), zone.Shanghai)
		if err != nil {
			t.Fatal(err)
		}
		if !board.From.Equal(day(1)) || len(board.Lines) != 2 || len(board.Columns) != len(assess.Figures) || board.Red != 2 ||
			board.Orange+board.Yellow+board.Green != 0 || board.Label != "2026年10月（截至 10-31 12:00）" {
			t.Fatalf("board: %+v", board)
		}
		if l := board.Lines[0]; l.Name != "青石派出所" || l.Colour != assess.Red || l.Cells[0].Text != "66.7%" || l.Cells[0].Colour != assess.Red {
			t.Fatalf("board line: %+v", l)
		}
	})
}
