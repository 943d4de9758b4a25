package bulletin

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/db/dbtest"
	"github.com/fanzha/fanzha/internal/sim"
	"github.com/fanzha/fanzha/internal/warning"
	"github.com/fanzha/fanzha/internal/zone"
)

// The home page's overview and the 大屏 read through the figure cache are
// exactly ComputeOverview / ComputeDashboard, for the county, a station and
// a village: on a generated county whose history ends now, after warnings of
// today are added and closed, and after backdated changes (a warning of ten
// days ago defrauded, one of twelve days ago typed in, open and overdue).
func TestOverviewCachedEqualsComputed(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		auth.BcryptCost = 4
		now := time.Now().UTC()
		if _, err := sim.Generate(ctx, d, sim.Options{Seed: 9, Now: now, Scale: 0.05}); err != nil {
			t.Fatal(err)
		}
		root, _ := area.Root(ctx, d)
		stations, _ := area.ByLevel(ctx, d, root, area.Station)
		villages, _ := area.ByLevel(ctx, d, stations[2], area.Village)
		scopes := []area.Node{root, stations[2], villages[0]}
		loc := zone.Shanghai
		c := warning.NewFigureCache(loc)
		same := func(step string) {
			t.Helper()
			for _, scope := range scopes {
				want, err := ComputeOverview(ctx, d, scope, now, loc)
				if err != nil {
					t.Fatal(err)
				}
				got, err := ComputeOverviewCached(ctx, d, c, scope, now, loc)
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(got, want) {
					t.Fatalf("%s, %s:\ncache    %+v\ncomputed %+v", step, scope.Name, got, want)
				}
				wd, err := ComputeDashboard(ctx, d, scope, now, loc)
				if err != nil {
					t.Fatal(err)
				}
				gd, err := ComputeDashboardCached(ctx, d, c, scope, now, loc)
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(gd, wd) {
					t.Fatalf("%s, dashboard of %s differs", step, scope.Name)
				}
			}
		}
		same("generated")

		// Today: two warnings in the station's village, one closed.
		for i, outcome := range []string{"", "dissuaded"} {
			status := "open"
			if outcome != "" {
				status = "closed"
			}
			if _, err := d.Exec(ctx, `INSERT INTO warnings (source, source_ref, received_at, grade, area_id, station_id, status, outcome, kept_fen,
				contact_due_at, created_at, updated_at) VALUES ('bank', ?, ?, 'fund', ?, ?, ?, ?, 500000, ?, ?, ?)`,
				"OV-TODAY-"+string(rune('a'+i)), db.Millis(now)-60_000, villages[0].ID, stations[2].ID, status, outcome,
				db.Millis(now)-30_000, db.Millis(now), db.Millis(now)); err != nil {
				t.Fatal(err)
			}
		}
		same("added today")

		// Backdated: ten days ago defrauded; twelve days ago typed in.
		var id, area_, station int64
		cond, arg := area.UnderClause("area_id", stations[2])
		if err := d.QueryRow(ctx, `SELECT id, area_id, station_id FROM warnings WHERE `+cond+` AND received_at < ? AND outcome <> 'defrauded'
			ORDER BY received_at DESC LIMIT 1`, arg, db.Millis(now.AddDate(0, 0, -10))).Scan(&id, &area_, &station); err != nil {
			t.Fatal(err)
		}
		if _, err := d.Exec(ctx, `UPDATE warnings SET outcome = 'defrauded', status = 'closed', kept_fen = 0 WHERE id = ?`, id); err != nil {
			t.Fatal(err)
		}
		same("backdated change")
		back := db.Millis(now.AddDate(0, 0, -12))
		if _, err := d.Exec(ctx, `INSERT INTO warnings (source, source_ref, received_at, grade, area_id, station_id, status, contact_due_at,
			created_at, updated_at) VALUES ('walkin', 'OV-BACK-1', ?, 'high', ?, ?, 'open', ?, ?, ?)`,
			back, area_, station, back+300_000, db.Millis(now), db.Millis(now)); err != nil {
			t.Fatal(err)
		}
		same("backdated warning")
	})
}
