package warning

import (
	"strings"
	"testing"

	"github.com/fanzha/fanzha/internal/area"
)

// TestMatchInProvince: in a province's tree the counties have towns and
// villages of the same names; the county (or city) written in the address
// tells them apart, and without one the address is ambiguous.
func TestMatchInProvince(t *testing.T) {
	nodes := []area.Node{
		{ID: 1, Level: area.Province, Name: "湘南省", Aliases: "湘南"},
		{ID: 2, ParentID: 1, Level: area.City, Name: "云州市", Aliases: "云州"},
		{ID: 3, ParentID: 1, Level: area.City, Name: "江陵市", Aliases: "江陵"},
		{ID: 10, ParentID: 2, Level: area.County, Name: "云溪县", Aliases: "云溪"},
		{ID: 20, ParentID: 3, Level: area.County, Name: "白山县", Aliases: "白山"},
	}
	// The same station, town and village under both counties.
	for _, c := range []int64{10, 20} {
		nodes = append(nodes,
			area.Node{ID: c + 1, ParentID: c, Level: area.Station, Name: "城关派出所", StationID: c + 1},
			area.Node{ID: c + 2, ParentID: c + 1, Level: area.Town, Name: "城关街道", StationID: c + 1},
			area.Node{ID: c + 3, ParentID: c + 2, Level: area.Village, Name: "桂香社区", StationID: c + 1})
	}
	m := NewAddressMatcher(nodes)
	cases := []struct {
		addr    string
		node    int64
		station int64
		reason  string
	}{
		{"白山县城关街道桂香社区3栋", 23, 21, ""},
		{"云溪县城关街道桂香社区3栋", 13, 11, ""},
		{"湘南省江陵市白山县城关街道桂香社区", 23, 21, ""},
		{"湘南省云州市云溪县城关街道桂香社区", 13, 11, ""},
		{"白山城关街道桂香社区", 23, 21, ""},
		{"城关街道桂香社区5号", 0, 0, "有歧义"},
		{"白山县人民路8号", 20, 0, ""}, // the county only: its centre's queue
	}
	for _, c := range cases {
		got := m.Match(c.addr)
		if got.NodeID != c.node || got.StationID != c.station || !strings.Contains(got.Reason, c.reason) {
			t.Errorf("%s: got node %d station %d (%s), want %d %d %q", c.addr, got.NodeID, got.StationID, got.Reason, c.node, c.station, c.reason)
		}
	}
}
