package prevent

import (
	"context"
	"testing"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/db/dbtest"
)

// The places offered for an event are the towns, villages and cells in use
// under the caller's node — never the county or a station, which Create
// refuses, nor a node of another station.
func TestPlaces(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		root := county(t, d)
		stations, err := area.ByLevel(ctx, d, root, area.Station)
		if err != nil || len(stations) < 2 {
			t.Fatalf("stations %d: %v", len(stations), err)
		}
		all, err := Places(ctx, d, root)
		if err != nil {
			t.Fatal(err)
		}
		st := stations[0]
		mine, err := Places(ctx, d, st)
		if err != nil {
			t.Fatal(err)
		}
		if len(mine) == 0 || len(mine) >= len(all) {
			t.Fatalf("%d places of a station, %d of the county", len(mine), len(all))
		}
		levels := map[area.Level]int{}
		for _, n := range all {
			levels[n.Level]++
			if n.Retired || n.Shape != "" {
				t.Errorf("place %s: retired %v, shape %d bytes", n.FullName, n.Retired, len(n.Shape))
			}
		}
		if levels[area.County] != 0 || levels[area.Station] != 0 || levels[area.Town] == 0 || levels[area.Village] == 0 {
			t.Errorf("levels offered: %v", levels)
		}
		for _, n := range mine {
			if !st.Contains(n) {
				t.Errorf("%s offered to %s", n.FullName, st.Name)
			}
		}
	})
}
