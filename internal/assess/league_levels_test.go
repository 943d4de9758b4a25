package assess_test

import (
	"context"
	"testing"
	"time"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/assess"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/db/dbtest"
)

// Each level ranks the level below it as it is assessed: a province its
// cities, a city its counties, a county its stations, a station its towns;
// a province without cities its counties.
func TestLeagueRanksTheLevelBelow(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		mk := func(n area.Node) area.Node {
			t.Helper()
			if err := area.Create(ctx, d, &n); err != nil {
				t.Fatal(err)
			}
			got, err := area.Get(ctx, d, n.ID)
			if err != nil {
				t.Fatal(err)
			}
			return got
		}
		prov := mk(area.Node{Level: area.Province, Kind: "省", Code: "P", Name: "湘南省"})
		city := mk(area.Node{ParentID: prov.ID, Level: area.City, Kind: "市", Code: "P1", Name: "临江市"})
		county := mk(area.Node{ParentID: city.ID, Level: area.County, Kind: "县", Code: "P11", Name: "云溪县"})
		mk(area.Node{ParentID: city.ID, Level: area.County, Kind: "县", Code: "P12", Name: "白山县"})
		st := mk(area.Node{ParentID: county.ID, Level: area.Station, Kind: "派出所", Code: "P11-S1", Name: "青石派出所"})
		mk(area.Node{ParentID: county.ID, Level: area.Station, Kind: "派出所", Code: "P11-S2", Name: "城关派出所"})
		mk(area.Node{ParentID: st.ID, Level: area.Town, Kind: "镇", Code: "P11-T1", Name: "青石镇"})
		from := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
		to := from.AddDate(0, 1, 0)
		for _, c := range []struct {
			node area.Node
			want []string
		}{
			{prov, []string{"临江市"}},
			{city, []string{"云溪县", "白山县"}},
			{county, []string{"青石派出所", "城关派出所"}},
			{st, []string{"青石镇"}},
		} {
			lg, err := assess.Compute(ctx, d, c.node, from, to)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, r := range lg.Rows {
				got = append(got, r.Name)
			}
			if len(got) != len(c.want) {
				t.Fatalf("%s ranks %v, want %v", c.node.Name, got, c.want)
			}
			for i := range got {
				if got[i] != c.want[i] {
					t.Fatalf("%s ranks %v, want %v", c.node.Name, got, c.want)
				}
			}
		}
		// Without its city level the province ranks its counties.
		if _, err := d.Exec(ctx, `UPDATE areas SET retired_at = 1 WHERE id = ?`, city.ID); err != nil {
			t.Fatal(err)
		}
		lg, err := assess.Compute(ctx, d, prov, from, to)
		if err != nil {
			t.Fatal(err)
		}
		if len(lg.Rows) != 2 || lg.Rows[0].Level != string(area.County) {
			t.Fatalf("a province without cities ranks %+v, want its two counties", lg.Rows)
		}
	})
}
