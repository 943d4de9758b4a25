package warning

import (
	"testing"

	"github.com/fanzha/fanzha/internal/area"
)

// FuzzRouteAddress: matching never panics, a match names a node of the tree with
// its station, and no match always says why.
func FuzzRouteAddress(f *testing.F) {
	nodes := routeFuzzTree()
	m := NewAddressMatcher(nodes)
	known := map[int64]area.Node{}
	for _, n := range nodes {
		known[n.ID] = n
	}
	for _, s := range []string{"云溪县青石镇李家村3组12号", "青石李家", "广东省深圳市南山区", "", "新华社区幸福小区5栋", "　青石镇\t李家村", "李家村"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, addr string) {
		r := m.Match(addr)
		if r.NodeID == 0 {
			if r.Reason == "" {
				t.Fatalf("no match without a reason for %q", addr)
			}
			return
		}
		n, ok := known[r.NodeID]
		if !ok {
			t.Fatalf("matched unknown node %d", r.NodeID)
		}
		if r.StationID != n.StationID {
			t.Fatalf("station %d, node's station %d", r.StationID, n.StationID)
		}
	})
}

func routeFuzzTree() []area.Node {
	return []area.Node{
		{ID: 1, Level: area.County, Name: "云溪县", Aliases: "云溪", Path: "/1/"},
		{ID: 2, ParentID: 1, Level: area.Station, Name: "青石派出所", StationID: 2, Path: "/1/2/"},
		{ID: 3, ParentID: 1, Level: area.Station, Name: "城关派出所", StationID: 3, Path: "/1/3/"},
		{ID: 4, ParentID: 2, Level: area.Town, Name: "青石镇", StationID: 2, Path: "/1/2/4/"},
		{ID: 5, ParentID: 3, Level: area.Town, Name: "城关街道", Aliases: "城关", StationID: 3, Path: "/1/3/5/"},
		{ID: 6, ParentID: 4, Level: area.Village, Name: "李家村", StationID: 2, Path: "/1/2/4/6/"},
		{ID: 7, ParentID: 5, Level: area.Village, Name: "新华社区", StationID: 3, Path: "/1/3/5/7/"},
		{ID: 8, ParentID: 5, Level: area.Village, Name: "李家村", StationID: 3, Path: "/1/3/5/8/"},
	}
}
