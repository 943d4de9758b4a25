package sim

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/bulletin"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/db/dbtest"
	"github.com/fanzha/fanzha/internal/funds"
	"github.com/fanzha/fanzha/internal/prevent"
	"github.com/fanzha/fanzha/internal/roster"
	"github.com/fanzha/fanzha/internal/warning"
	"github.com/fanzha/fanzha/internal/zone"
)

// TestGeneratedProvince: fanzha demo --counties 2 --years 2 makes 湘南省
// with a city and two counties, each a whole demo county under its own name
// and codes with two years of history; the province's users see both
// counties, a county's users only their own.
func TestGeneratedProvince(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		auth.BcryptCost = 4
		var steps []string
		sum, err := Generate(ctx, d, Options{Seed: 7, Now: testNow, Scale: 0.02, Counties: 2, Years: 2, Parallel: 2,
			Progress: func(s string) { steps = append(steps, s) }})
		if err != nil {
			t.Fatal(err)
		}
		if sum.Counties != 2 || sum.Cities != 1 || sum.Stations != 18 || len(steps) != 4 {
			t.Fatalf("province: %+v, steps %v", sum, steps)
		}
		root, err := area.Root(ctx, d)
		if err != nil || root.Level != area.Province || root.Name != ProvinceName {
			t.Fatalf("root %+v %v", root, err)
		}
		cities, _ := area.ByLevel(ctx, d, root, area.City)
		counties, _ := area.ByLevel(ctx, d, root, area.County)
		if len(cities) != 1 || len(counties) != 2 {
			t.Fatalf("%d cities, %d counties", len(cities), len(counties))
		}
		a, b := counties[0], counties[1]
		if a.Name == b.Name || a.Code == b.Code || a.ParentID != cities[0].ID || !strings.HasPrefix(a.FullName, ProvinceName+cities[0].Name) {
			t.Fatalf("counties %+v %+v", a, b)
		}
		if a.Name != CountyName {
			t.Fatalf("the first county is %s, want %s", a.Name, CountyName)
		}
		// Populations add up at every level, up to the province.
		var bad int
		_ = d.QueryRow(ctx, `SELECT COUNT(*) FROM areas p WHERE p.level <> 'cell' AND p.population <>
			(SELECT COALESCE(SUM(c.population), 0) FROM areas c WHERE c.parent_id = p.id)`).Scan(&bad)
		if bad != 0 || root.Population < 2*270_000 {
			t.Fatalf("%d nodes whose population is not their children's sum; province %d", bad, root.Population)
		}
		// Two years of history.
		var first int64
		_ = d.QueryRow(ctx, `SELECT MIN(received_at) FROM warnings`).Scan(&first)
		if age := testNow.Sub(db.Time(first)); age < 600*24*time.Hour || age > 731*24*time.Hour {
			t.Fatalf("oldest warning %v old, want about two years", age)
		}
		// Each county's member units serve that county (freeze requests
		// from its cases go to them), and the per-account statement totals
		// add up to the statement rows.
		var unbound, perCounty, badTotals int
		_ = d.QueryRow(ctx, `SELECT COUNT(*) FROM units WHERE area_id IS NULL`).Scan(&unbound)
		_ = d.QueryRow(ctx, `SELECT COUNT(DISTINCT area_id) FROM units u JOIN areas a ON a.id = u.area_id WHERE a.level = 'county'`).Scan(&perCounty)
		_ = d.QueryRow(ctx, `SELECT COUNT(*) FROM statement_accounts sa WHERE sa.in_fen <>
			(SELECT COALESCE(SUM(s.amount_fen), 0) FROM statement_rows s WHERE s.account = sa.account AND s.amount_fen > 0)
			OR sa.counters <> (SELECT COUNT(DISTINCT s.counter_account) FROM statement_rows s WHERE s.account = sa.account)`).Scan(&badTotals)
		if unbound != 0 || perCounty != 2 || badTotals != 0 {
			t.Fatalf("%d units bound to no area, units in %d counties, %d accounts with wrong totals", unbound, perCounty, badTotals)
		}
		// The residents' ID numbers are of their own county.
		rows, _ := d.Query(ctx, `SELECT w.person_id_number, c.code FROM warnings w JOIN areas a ON a.id = w.area_id
			JOIN areas c ON a.path LIKE c.path || '%' AND c.level = 'county' LIMIT 500`)
		n := 0
		for rows.Next() {
			var id, code string
			_ = rows.Scan(&id, &code)
			if err := warning.CheckIDNumber(id); err != nil || !strings.HasPrefix(id, code) {
				t.Fatalf("ID number %s of a resident of %s", id, code)
			}
			n++
		}
		rows.Close()
		if n == 0 {
			t.Fatal("no warnings matched to a county")
		}
		// Every printed login signs in; there is one of the province, of
		// the city and of the county.
		levels := map[area.Level]bool{}
		for _, l := range sum.Logins {
			if _, err := auth.CheckPassword(ctx, d, l.Username, DemoPassword); err != nil {
				t.Errorf("login %s: %v", l.Username, err)
			}
			levels[l.Level] = true
		}
		if !levels[area.Province] || !levels[area.City] || !levels[area.County] {
			t.Fatalf("login levels %v", levels)
		}
		// Duty officers of each county stand duty at their own county.
		u, err := auth.GetUserByName(ctx, d, "county002-duty")
		if err != nil {
			t.Fatal(err)
		}
		if home, duty, err := roster.HomeOf(ctx, d, u); err != nil || home != b.ID || duty != roster.DutyOfficer {
			t.Fatalf("county002-duty stands %s at %d (%v), want %d", duty, home, err, b.ID)
		}
		// The province's home page and map count per city, the city's per
		// county, a county's per station; the rows add up to the scope's
		// year.
		for _, c := range []struct {
			scope area.Node
			rows  int
		}{{root, 1}, {cities[0], 2}, {a, 9}} {
			dash, err := bulletin.ComputeDashboard(ctx, d, c.scope, testNow, zone.Shanghai)
			if err != nil {
				t.Fatal(err)
			}
			o := dash.Overview
			var sumW int64
			for _, r := range o.ByStation {
				sumW += r.Warnings
			}
			if len(o.ByStation) != c.rows || len(dash.Stations) != c.rows || o.Year.Warnings == 0 || sumW == 0 || sumW > o.Year.Warnings {
				t.Fatalf("%s: %d rows (map %d), year %d warnings, rows %d", c.scope.Name, len(o.ByStation), len(dash.Stations), o.Year.Warnings, sumW)
			}
		}
		// Jurisdiction: the province and the city see both counties'
		// records, a county only its own.
		all := time.Time{}
		for _, scope := range []area.Node{root, cities[0], a, b} {
			ws, err := warning.List(ctx, d, scope, warning.Filter{From: all, Limit: 500})
			if err != nil {
				t.Fatal(err)
			}
			cs, err := funds.ListCases(ctx, d, scope, funds.CaseFilter{Limit: 500})
			if err != nil {
				t.Fatal(err)
			}
			es, err := prevent.List(ctx, d, scope, prevent.Filter{Limit: 1000})
			if err != nil {
				t.Fatal(err)
			}
			seen := map[int64]bool{} // county ids seen
			countyOf := func(areaID int64) int64 {
				n, err := area.Get(ctx, d, areaID)
				if err != nil {
					t.Fatal(err)
				}
				for _, c := range []area.Node{a, b} {
					if c.Contains(n) {
						return c.ID
					}
				}
				t.Fatalf("area %d in no county", areaID)
				return 0
			}
			for _, w := range ws {
				seen[countyOf(w.AreaID)] = true
			}
			for _, c := range cs {
				seen[countyOf(c.AreaID)] = true
			}
			for _, e := range es {
				seen[countyOf(e.AreaID)] = true
			}
			if len(ws) == 0 || len(cs) == 0 || len(es) == 0 {
				t.Fatalf("%s: %d warnings, %d cases, %d events", scope.Name, len(ws), len(cs), len(es))
			}
			switch scope.Level {
			case area.Province, area.City:
				if !seen[a.ID] || !seen[b.ID] {
					t.Fatalf("%s sees counties %v, want both", scope.Name, seen)
				}
			default:
				if len(seen) != 1 || !seen[scope.ID] {
					t.Fatalf("%s sees counties %v, want only its own", scope.Name, seen)
				}
			}
		}
	})
}
