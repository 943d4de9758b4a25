package bulletin

import (
	"context"
	"testing"
	"time"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/db/dbtest"
	"github.com/fanzha/fanzha/internal/zone"
)

// The 大屏 map draws the county as it is: a retired station is not on it.
func TestDashboardLeavesOutRetiredStations(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		root := area.Node{Level: area.County, Kind: "县", Code: "439901", Name: "清河县"}
		if err := area.Create(ctx, d, &root); err != nil {
			t.Fatal(err)
		}
		ids := map[string]int64{}
		for _, name := range []string{"城南派出所", "河西派出所", "北山派出所"} {
			n := area.Node{ParentID: root.ID, Level: area.Station, Kind: "派出所", Code: name, Name: name}
			if err := area.Create(ctx, d, &n); err != nil {
				t.Fatal(err)
			}
			ids[name] = n.ID
		}
		noAudit := func(context.Context, db.Querier, string, string, string) error { return nil }
		now := time.Now()
		if _, err := area.Retire(ctx, d, root, noAudit, ids["北山派出所"], now); err != nil {
			t.Fatal(err)
		}
		dash, err := ComputeDashboard(ctx, d, root, now, zone.Shanghai)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, s := range dash.Stations {
			names = append(names, s.Name)
		}
		if len(names) != 2 || names[0] != "城南派出所" || names[1] != "河西派出所" {
			t.Fatalf("stations on the map: %v", names)
		}
	})
}
