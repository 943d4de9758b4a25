package warning

import (
	"strings"
	"testing"

	"github.com/fanzha/fanzha/internal/area"
)

// routeTree is a county like the demo's, with the traps real addresses
// set: two 李家村 in different towns of different stations, two 新华社区
// under one station, towns written without their suffix, grid cells.
func routeTree() []area.Node {
	n := func(id, parent int64, lv area.Level, kind, name, aliases string, station int64) area.Node {
		return area.Node{ID: id, ParentID: parent, Level: lv, Kind: kind, Name: name, Aliases: aliases, StationID: station}
	}
	return []area.Node{
		n(1, 0, area.County, "县", "云溪县", "云溪", 0),
		n(2, 1, area.Station, "派出所", "城关派出所", "城关所", 2),
		n(3, 1, area.Station, "派出所", "青石派出所", "青石所", 3),
		n(4, 1, area.Station, "派出所", "白沙派出所", "白沙所", 4),
		n(10, 2, area.Town, "街道", "城关街道", "城关", 2),
		n(11, 2, area.Town, "街道", "东门街道", "东门", 2),
		n(12, 3, area.Town, "镇", "青石镇", "青石", 3),
		n(13, 3, area.Town, "乡", "双溪乡", "双溪", 3),
		n(14, 4, area.Town, "镇", "白沙镇", "白沙", 4),
		n(20, 10, area.Village, "社区", "新华社区", "新华", 2),
		n(21, 10, area.Village, "社区", "幸福社区", "幸福", 2),
		n(22, 11, area.Village, "社区", "新华社区", "", 2), // same name, same station, other street
		n(23, 11, area.Village, "社区", "人民社区", "人民", 2),
		n(24, 12, area.Village, "村", "李家村", "李家", 3),
		n(25, 12, area.Village, "村", "桃源村", "桃源", 3),
		n(26, 13, area.Village, "村", "上坪村", "上坪", 3),
		n(27, 14, area.Village, "村", "李家村", "", 4), // same name, other station
		n(28, 14, area.Village, "村", "枫树村", "枫树", 4),
		n(29, 14, area.Village, "社区", "白沙社区", "", 4),
		n(30, 24, area.Cell, "网格", "第3网格", "", 3),
		n(31, 20, area.Cell, "网格", "第1网格", "", 2),
	}
}

func TestRouteTable(t *testing.T) {
	nodes := routeTree()
	byID := map[int64]area.Node{}
	for _, n := range nodes {
		byID[n.ID] = n
	}
	m := NewAddressMatcher(nodes)
	cases := []struct {
		addr    string
		node    int64  // expected node, 0 for no match
		station int64  // expected station
		reason  string // expected substring of the reason
	}{
		// Full addresses, with and without the province/county prefix.
		{"湘南省云溪县青石镇李家村3组12号", 24, 3, "李家村"},
		{"云溪县青石镇李家村3组12号", 24, 3, ""},
		{"青石镇李家村5组", 24, 3, ""},
		{"云溪县白沙镇李家村8组", 27, 4, ""},
		{"白沙镇李家村", 27, 4, ""},
		{"云溪县城关街道新华社区幸福小区5栋2单元301", 20, 2, ""},
		{"城关街道幸福社区阳光花园3栋", 21, 2, ""},
		{"云溪县东门街道人民社区锦绣家园12栋", 23, 2, ""},
		{"东门街道新华社区", 22, 2, ""},
		{"云溪县青石镇桃源村", 25, 3, ""},
		{"双溪乡上坪村2组", 26, 3, ""},
		{"白沙镇枫树村11组3号", 28, 4, ""},
		{"白沙镇白沙社区菜市场旁", 29, 4, ""},
		// Abbreviations: town or village without its suffix.
		{"青石李家村3组", 24, 3, ""},
		{"青石镇李家3组", 24, 3, ""},
		{"青石李家", 24, 3, ""},
		{"城关新华社区", 20, 2, ""},
		{"城关幸福", 21, 2, ""},
		{"双溪上坪", 26, 3, ""},
		{"白沙枫树村", 28, 4, ""},
		{"云溪青石镇桃源", 25, 3, ""},
		// Spaces, full-width characters and punctuation anywhere.
		{"云溪县 青石镇 李家村 3组", 24, 3, ""},
		{"云溪县　青石镇　桃源村", 25, 3, ""},
		{"青石镇，李家村，３组１２号", 24, 3, ""},
		{"（城关街道）新华社区－５栋", 20, 2, ""},
		{"白沙镇-枫树村-11组", 28, 4, ""},
		// Grid cells.
		{"青石镇李家村第3网格", 30, 3, ""},
		{"城关街道新华社区第1网格", 31, 2, ""},
		// Village only, unique in the county.
		{"桃源村", 25, 3, ""},
		{"上坪村6组", 26, 3, ""},
		{"枫树村", 28, 4, ""},
		{"人民社区", 23, 2, ""},
		// Town only: the town.
		{"云溪县青石镇", 12, 3, ""},
		{"白沙镇政府对面", 14, 4, ""},
		{"城关街道", 10, 2, ""},
		{"双溪乡集镇", 13, 3, ""},
		// Station named.
		{"青石派出所辖区", 3, 3, ""},
		{"白沙所附近", 4, 4, ""},
		// Ambiguous: 新华社区 in two streets of the same station → that station.
		{"新华社区3栋", 2, 2, "城关派出所"},
		{"云溪县新华社区", 2, 2, ""},
		// Ambiguous across stations: 李家村 in two towns → no match, with the reason.
		{"李家村", 0, 0, "有歧义"},
		{"云溪县李家村5组", 0, 0, "有歧义"},
		// Outside the county.
		{"湖南省长沙市岳麓区麓山南路", 0, 0, "不在本县"},
		{"广东省深圳市南山区科技园", 0, 0, "不在本县"},
		{"北京市朝阳区三里屯", 0, 0, "不在本县"},
		{"株洲市芦淞区", 0, 0, "不在本县"},
		// Empty and garbage.
		{"", 0, 0, "未匹配"},
		{"   ", 0, 0, "未匹配"},
		{"不知道", 0, 0, "未匹配"},
		{"12345", 0, 0, "未匹配"},
		{"？？？", 0, 0, "未匹配"},
		// Village and town of different places: the consistent pair wins.
		{"白沙镇李家村（原青石镇）", 27, 4, ""},
		// One typo in a town or village name.
		{"云溪县青石真李家村3组", 24, 3, ""},
		{"青石镇桃圆村", 25, 3, "近似"},
		{"白沙镇枫村", 28, 4, ""},
		{"双溪乡上坪坪村", 26, 3, ""},
		// Named administrative levels outrank street names and partial
		// matches: a road or compound named after a place of another town
		// is not that place (issue 19: 城关街道东风社区幸福路 went to the
		// 幸福社区 of another street).
		{"云溪县城关街道东风社区幸福路12号", 10, 2, "城关街道"},
		{"云溪县白沙镇东风社区桃源路12号", 14, 4, "白沙镇"},
		{"白沙镇东风社区桃源12号", 14, 4, "白沙镇"},
		{"青石镇幸福路8号", 12, 3, "青石镇"},
		{"东门街道幸福", 11, 2, "东门街道"},
		{"双溪乡人民大道3号", 13, 3, "双溪乡"},
		{"白沙镇桃源花园5栋", 14, 4, ""},
		{"云溪县人民路5号", 0, 0, "未匹配"},
		{"城关街道幸福社区幸福路3号", 21, 2, ""},
		{"青石镇李家村幸福小区", 24, 3, ""},
		// The county alone is not a place to route to.
		{"云溪县", 0, 0, "未匹配"},
	}
	if len(cases) < 50 {
		t.Fatalf("only %d addresses in the table", len(cases))
	}
	for _, c := range cases {
		got := m.Match(c.addr)
		if got.NodeID != c.node || got.StationID != c.station {
			t.Errorf("Match(%q) = node %d (%s) station %d, reason %q; want node %d station %d",
				c.addr, got.NodeID, byID[got.NodeID].Name, got.StationID, got.Reason, c.node, c.station)
			continue
		}
		if c.reason != "" && !strings.Contains(got.Reason, c.reason) {
			t.Errorf("Match(%q) reason %q, want it to mention %q", c.addr, got.Reason, c.reason)
		}
		if got.NodeID == 0 && got.Reason == "" {
			t.Errorf("Match(%q): no match and no reason", c.addr)
		}
	}
}

func BenchmarkMatch(b *testing.B) {
	m := NewAddressMatcher(routeTree())
	addrs := []string{"湘南省云溪县青石镇李家村3组12号", "城关街道幸福社区阳光花园3栋", "广东省深圳市南山区科技园", "青石李家"}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		_ = m.Match(addrs[i%len(addrs)])
	}
}
