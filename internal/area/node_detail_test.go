package area_test

import (
	"context"
	"errors"
	"testing"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/db/dbtest"
)

// A node is read under the caller's node only: the caller's own node and
// what lies under it are found; another station's node, the county above
// and a node that does not exist are not found alike.
func TestGetUnder(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		root := importedCounty(t, d)
		chengnan, hexi := byCode(t, d, "439901-PCS01"), byCode(t, d, "439901-PCS02")
		guixiang := byCode(t, d, "439901001001") // under 城南派出所
		for _, c := range []struct {
			name  string
			scope area.Node
			id    int64
			found bool
		}{
			{"own node", chengnan, chengnan.ID, true},
			{"a village under it", chengnan, guixiang.ID, true},
			{"the county sees every node", root, guixiang.ID, true},
			{"another station", chengnan, hexi.ID, false},
			{"another station's village", hexi, guixiang.ID, false},
			{"the county above", chengnan, root.ID, false},
			{"no such node", root, 999999, false},
		} {
			t.Run(c.name, func(t *testing.T) {
				n, err := area.GetUnder(ctx, d, c.scope, c.id)
				if c.found && (err != nil || n.ID != c.id) {
					t.Errorf("node %d: %v", n.ID, err)
				}
				if !c.found && !errors.Is(err, area.ErrNotFound) {
					t.Errorf("found %+v (%v), want not found", n, err)
				}
			})
		}
	})
}

// A node's page shows its subtree with depths from the node, its parent and
// station; another station's node is not found.
func TestDetail(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		root := importedCounty(t, d)
		chengnan, hexi := byCode(t, d, "439901-PCS01"), byCode(t, d, "439901-PCS02")
		qingyuan := byCode(t, d, "439901001000") // 清源街道 under 城南派出所
		if _, err := area.Detail(ctx, d, hexi, qingyuan.ID); !errors.Is(err, area.ErrNotFound) {
			t.Errorf("another station's node: %v, want not found", err)
		}
		dt, err := area.Detail(ctx, d, root, qingyuan.ID)
		if err != nil {
			t.Fatal(err)
		}
		if dt.Node.ID != qingyuan.ID || dt.Parent.ID != chengnan.ID || dt.Station.ID != chengnan.ID || dt.Into.ID != 0 {
			t.Errorf("node %d parent %d station %d into %d", dt.Node.ID, dt.Parent.ID, dt.Station.ID, dt.Into.ID)
		}
		if len(dt.Rows) < 2 || dt.Rows[0].ID != qingyuan.ID {
			t.Fatalf("rows %+v, want the node first, then its villages", dt.Rows)
		}
		for _, r := range dt.Rows {
			if !qingyuan.Contains(r.Node) {
				t.Errorf("row %s is not under %s", r.FullName, qingyuan.FullName)
			}
		}
		// Depths are the same whoever reads the page.
		st, err := area.Detail(ctx, d, chengnan, qingyuan.ID)
		if err != nil {
			t.Fatal(err)
		}
		if st.Rows[0].Depth != dt.Rows[0].Depth || st.Rows[1].Depth != dt.Rows[1].Depth {
			t.Errorf("depths read by the station %d,%d, by the county %d,%d", st.Rows[0].Depth, st.Rows[1].Depth, dt.Rows[0].Depth, dt.Rows[1].Depth)
		}
	})
}

// The report form's picker groups the towns and villages under the scope by
// station, leaving out retired nodes and what lies outside the scope.
func TestStationGroups(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		root := importedCounty(t, d)
		chengnan := byCode(t, d, "439901-PCS01")
		nan := byCode(t, d, "439901001002") // 南湖社区
		if _, err := area.Retire(ctx, d, root, auditor(), nan.ID, fixedNow); err != nil {
			t.Fatal(err)
		}
		all, err := area.StationGroups(ctx, d, root)
		if err != nil {
			t.Fatal(err)
		}
		if len(all) != 3 {
			t.Fatalf("%d stations, want 3", len(all))
		}
		mine, err := area.StationGroups(ctx, d, chengnan)
		if err != nil {
			t.Fatal(err)
		}
		if len(mine) != 1 || mine[0].Station.ID != chengnan.ID || len(mine[0].Nodes) == 0 {
			t.Fatalf("station's groups %+v", mine)
		}
		for _, n := range mine[0].Nodes {
			if n.StationID != chengnan.ID || n.Retired || n.ID == nan.ID || (n.Level != area.Town && n.Level != area.Village) {
				t.Errorf("node %s (level %v, station %d, retired %v) in 城南派出所's group", n.FullName, n.Level, n.StationID, n.Retired)
			}
		}
	})
}
