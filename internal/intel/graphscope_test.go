package intel

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/db/dbtest"
	"github.com/fanzha/fanzha/internal/domain"
)

// The graph is built per county: a province's or city's request is refused
// at once with the Chinese reason (nothing is built, not even in the
// background), and GraphScope gives such a caller a county of its own
// subtree and no other.
func TestGraphPerCounty(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		mk := func(n area.Node) area.Node {
			t.Helper()
			if err := area.Create(ctx, d, &n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		prov := mk(area.Node{Level: area.Province, Kind: "省", Code: "P", Name: "湘南省"})
		city1 := mk(area.Node{ParentID: prov.ID, Level: area.City, Kind: "市", Code: "P-C1", Name: "云州市"})
		city2 := mk(area.Node{ParentID: prov.ID, Level: area.City, Kind: "市", Code: "P-C2", Name: "石州市"})
		county1 := mk(area.Node{ParentID: city1.ID, Level: area.County, Kind: "县", Code: "P-C1-1", Name: "云溪县"})
		county2 := mk(area.Node{ParentID: city2.ID, Level: area.County, Kind: "县", Code: "P-C2-1", Name: "石门县"})
		station := mk(area.Node{ParentID: county1.ID, Level: area.Station, Kind: "派出所", Code: "P-C1-1-S", Name: "城关派出所"})

		var c GraphCache
		for _, scope := range []area.Node{prov, city1} {
			_, err := c.Get(ctx, d, "k", scope, time.Now())
			if !errors.Is(err, ErrGraphAboveCounty) || !errors.Is(err, domain.ErrRule) {
				t.Errorf("graph of %s: %v, want the per-county refusal", scope.Name, err)
			}
			c.Prefetch(d, "k", scope, time.Now())
			if c.Held("k", scope) {
				t.Errorf("a graph of %s is being built", scope.Name)
			}
		}
		if de, _ := domain.As(ErrGraphAboveCounty); de.Msg != "关系图与团伙研判按县进行：省、市级账号请选择一个县查看" {
			t.Errorf("message %q", de.Msg)
		}
		if g, err := c.Get(ctx, d, "k", county1, time.Now()); err != nil || g == nil {
			t.Fatalf("county graph: %v", err)
		}

		cases := []struct {
			scope  area.Node
			county int64
			want   int64 // 0: error
			kind   error
		}{
			{prov, county2.ID, county2.ID, nil},
			{city1, county1.ID, county1.ID, nil},
			{city1, county2.ID, 0, domain.ErrNotFound}, // another city's county
			{prov, station.ID, 0, domain.ErrNotFound},  // not a county
			{prov, 0, 0, ErrGraphAboveCounty},
			{county1, county2.ID, county1.ID, nil}, // a county works on its own graph
			{station, 0, station.ID, nil},
		}
		for _, tc := range cases {
			got, err := GraphScope(ctx, d, tc.scope, tc.county)
			if tc.want == 0 {
				if !errors.Is(err, tc.kind) {
					t.Errorf("GraphScope(%s, %d) = %v, %v; want %v", tc.scope.Name, tc.county, got.Name, err, tc.kind)
				}
				continue
			}
			if err != nil || got.ID != tc.want {
				t.Errorf("GraphScope(%s, %d) = %d, %v; want %d", tc.scope.Name, tc.county, got.ID, err, tc.want)
			}
		}
	})
}
