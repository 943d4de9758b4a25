package bulletin

import (
	"context"
	"testing"
	"time"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/db/dbtest"
	"github.com/fanzha/fanzha/internal/sim"
	"github.com/fanzha/fanzha/internal/zone"
)

// The overview's figures agree with a plain loop over the raw records, on a
// generated county, for the whole county and for one station.
func TestOverviewMatchesRawRecords(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		auth.BcryptCost = 4
		now := time.Date(2026, 11, 20, 6, 0, 0, 0, time.UTC)
		if _, err := sim.Generate(ctx, d, sim.Options{Seed: 3, Now: now, Scale: 0.05}); err != nil {
			t.Fatal(err)
		}
		root, _ := area.Root(ctx, d)
		stations, _ := area.ByLevel(ctx, d, root, area.Station)
		loc := zone.Shanghai
		for _, scope := range []area.Node{root, stations[3]} {
			o, err := ComputeOverview(ctx, d, scope, now, loc)
			if err != nil {
				t.Fatal(err)
			}
			// Raw: every warning and case with its area path.
			type rec struct {
				at   int64
				path string
				loss int64
			}
			read := func(q string) []rec {
				rows, err := d.Query(ctx, q)
				if err != nil {
					t.Fatal(err)
				}
				defer rows.Close()
				var out []rec
				for rows.Next() {
					var r rec
					if err := rows.Scan(&r.at, &r.path, &r.loss); err != nil {
						t.Fatal(err)
					}
					out = append(out, r)
				}
				return out
			}
			ws := read(`SELECT w.received_at, a.path, 0 FROM warnings w JOIN areas a ON a.id = w.area_id`)
			cs := read(`SELECT c.reported_at, a.path, c.loss_fen FROM cases c JOIN areas a ON a.id = c.area_id`)
			in := func(p string) bool { return len(p) >= len(scope.Path) && p[:len(scope.Path)] == scope.Path }
			dayOf := func(ms int64) string { return time.UnixMilli(ms).In(loc).Format("2006-01-02") }
			yearStart := time.Date(2026, 1, 1, 0, 0, 0, 0, loc).UnixMilli()
			wantDay := map[string]int64{}
			var yearW int64
			for _, w := range ws {
				if !in(w.path) {
					continue
				}
				wantDay[dayOf(w.at)]++
				if w.at >= yearStart {
					yearW++
				}
			}
			var yearC, yearLoss int64
			caseDay := map[string]int64{}
			for _, c := range cs {
				if in(c.path) && c.at >= yearStart {
					yearC++
					yearLoss += c.loss
				}
				if in(c.path) {
					caseDay[dayOf(c.at)]++
				}
			}
			if o.Year.Warnings != yearW || o.Year.Cases != yearC || o.Year.LossFen != yearLoss {
				t.Errorf("%s: year warnings/cases/loss %d/%d/%d, raw %d/%d/%d", scope.Name, o.Year.Warnings, o.Year.Cases, o.Year.LossFen, yearW, yearC, yearLoss)
			}
			if len(o.Daily) != 30 || o.Daily[29].Day != "2026-11-20" {
				t.Fatalf("daily series %d days ending %s", len(o.Daily), o.Daily[len(o.Daily)-1].Day)
			}
			nonzero := 0
			for _, p := range o.Daily {
				if p.Warnings != wantDay[p.Day] || p.Cases != caseDay[p.Day] {
					t.Errorf("%s %s: warnings %d cases %d, raw %d %d", scope.Name, p.Day, p.Warnings, p.Cases, wantDay[p.Day], caseDay[p.Day])
				}
				if p.Warnings > 0 {
					nonzero++
				}
			}
			if scope.ID == root.ID && nonzero < 15 {
				t.Errorf("only %d days with warnings in the county's last 30 days", nonzero)
			}
		}
	})
}
