package area_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/db/dbtest"
)

// TestLevels is the level table: labels, parents, children, how files
// write each level and the kind derived from a name.
func TestLevels(t *testing.T) {
	cases := []struct {
		level          area.Level
		label, generic string
		parent, child  area.Level
		centre, above  bool
		name, kind     string // KindFor(level, name)
	}{
		{area.Province, "省", "省", "", area.City, true, true, "湘南省", "省"},
		{area.City, "市", "市", area.Province, area.County, true, true, "云州市", "市"},
		{area.County, "县（中心）", "县", area.City, area.Station, true, false, "云溪县", "县"},
		{area.Station, "派出所", "派出所", area.County, area.Town, false, false, "城关派出所", "派出所"},
		{area.Town, "乡镇/街道", "乡镇街道", area.Station, area.Village, false, false, "青石镇", "镇"},
		{area.Village, "村/社区", "村社区", area.Town, area.Cell, false, false, "桂香社区", "社区"},
		{area.Cell, "网格", "网格", area.Village, "", false, false, "第1网格", "网格"},
	}
	for _, c := range cases {
		t.Run(string(c.level), func(t *testing.T) {
			if got := area.LevelName(c.level); got != c.label {
				t.Errorf("LevelName = %q, want %q", got, c.label)
			}
			if got := area.GenericLevelName(c.level); got != c.generic {
				t.Errorf("GenericLevelName = %q, want %q", got, c.generic)
			}
			if got := area.ParentLevel(c.level); got != c.parent {
				t.Errorf("ParentLevel = %q, want %q", got, c.parent)
			}
			if got := area.ChildLevel(c.level); got != c.child {
				t.Errorf("ChildLevel = %q, want %q", got, c.child)
			}
			if c.level.Centre() != c.centre || c.level.AboveCounty() != c.above {
				t.Errorf("Centre %v AboveCounty %v, want %v %v", c.level.Centre(), c.level.AboveCounty(), c.centre, c.above)
			}
			if got := area.KindFor(c.level, c.name); got != c.kind {
				t.Errorf("KindFor(%q) = %q, want %q", c.name, got, c.kind)
			}
			// Files write the generic name; it reads back as the level.
			if l, _, ok := area.ParseLevel(c.generic); !ok || l != c.level {
				t.Errorf("ParseLevel(%q) = %q %v", c.generic, l, ok)
			}
		})
	}
	for _, c := range []struct {
		in    string
		level area.Level
		kind  string
	}{{"自治区", area.Province, "省"}, {"地级市", area.City, "市"}, {"州", area.City, "市"}, {"区", area.County, "区"},
		{"县级市", area.County, "市"}, {"旗", area.County, "旗"}, {"city", area.City, "市"}, {"province", area.Province, "省"}} {
		if l, k, ok := area.ParseLevel(c.in); !ok || l != c.level || k != c.kind {
			t.Errorf("ParseLevel(%q) = %q %q %v, want %q %q", c.in, l, k, ok, c.level, c.kind)
		}
	}
	for _, c := range []struct {
		level      area.Level
		name, kind string
	}{
		{area.County, "城关区", "区"}, {area.County, "临江市", "市"}, {area.County, "科右前旗", "旗"},
		{area.City, "湘西州", "州"}, {area.Province, "广西壮族自治区", "自治区"}, {area.Province, "重庆市", "市"},
	} {
		if got := area.KindFor(c.level, c.name); got != c.kind {
			t.Errorf("KindFor(%s, %q) = %q, want %q", c.level, c.name, got, c.kind)
		}
	}
}

// newProvince creates a province root with one city (as a province's
// setup and its first import do) and returns both.
func newProvince(t *testing.T, d *db.DB) (prov, city area.Node) {
	t.Helper()
	ctx := context.Background()
	prov = area.Node{Level: area.Province, Kind: "省", Code: "430000", Name: "湘南省", FullName: "湘南省"}
	if err := area.Create(ctx, d, &prov); err != nil {
		t.Fatal(err)
	}
	city = area.Node{ParentID: prov.ID, Level: area.City, Kind: "市", Code: "439900", Name: "云州市"}
	if err := area.Create(ctx, d, &city); err != nil {
		t.Fatal(err)
	}
	return prov, city
}

// TestProvinceTree: a province's tree is built by import and by the
// console's edits, level by level; full names run from the province, the
// figures add up to the top and a city's import stays inside the city.
func TestProvinceTree(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		prov, city := newProvince(t, d)
		file := head +
			"439901,439900,县,清河县,清河,,,,\n" +
			"439902,439900,区,城关区,,,,,\n" +
			"439901-S1,439901,派出所,城南派出所,,,,,\n" +
			"439901-T1,439901-S1,街道,清源街道,,,,,\n" +
			"439901-V1,439901-T1,社区,桂香社区,,1000,200,150,120\n" +
			"439902-S1,439902,派出所,城关派出所,,,,,\n" +
			"439902-T1,439902-S1,镇,青石镇,,,,,\n" +
			"439902-V1,439902-T1,村,石门村,,500,100,80,60\n" +
			"438800,,市,临江市,,,,,\n"
		rep, err := importBytes(t, d, prov, "p.csv", []byte(file))
		if err != nil {
			t.Fatalf("import: %v %+v", err, rep.Errors)
		}
		if rep.Created != 9 {
			t.Fatalf("created %d, want 9", rep.Created)
		}
		county := byCode(t, d, "439901")
		if county.Level != area.County || county.ParentID != city.ID || county.FullName != "湘南省云州市清河县" {
			t.Fatalf("county %+v", county)
		}
		if v := byCode(t, d, "439901-V1"); v.FullName != "湘南省云州市清河县清源街道桂香社区" || !prov.Contains(v) || !city.Contains(v) {
			t.Fatalf("village %+v", v)
		}
		if n := byCode(t, d, "438800"); n.Level != area.City || n.ParentID != prov.ID {
			t.Fatalf("second city %+v", n)
		}
		if k := byCode(t, d, "439902").Kind; k != "区" {
			t.Fatalf("城关区 kind %q", k)
		}
		// Figures are the sums, up to the province.
		if p, _ := area.Get(ctx, d, prov.ID); p.Population != 1500 || p.Elderly != 300 {
			t.Fatalf("province figures %+v", p)
		}
		if c, _ := area.Get(ctx, d, city.ID); c.Population != 1500 {
			t.Fatalf("city figures %+v", c)
		}
		// The console's add follows the levels: a county under a city,
		// not a station.
		if _, err := area.AddChild(ctx, d, prov, auditor(), city.ID, area.NodeInput{Code: "439903", Name: "白沙县"}); err != nil {
			t.Fatal(err)
		}
		if n := byCode(t, d, "439903"); n.Level != area.County || n.Kind != "县" {
			t.Fatalf("added %+v", n)
		}
		if _, err := area.AddChild(ctx, d, prov, auditor(), city.ID, area.NodeInput{Code: "X1", Name: "甲派出所", Level: area.Station}); err == nil ||
			!strings.Contains(err.Error(), "市的下级应为县（中心）") {
			t.Fatalf("station under a city: %v", err)
		}
		// A city's administrator imports under the city; a parent in
		// another city is refused.
		other := byCode(t, d, "438800")
		rep, err = importBytes(t, d, other, "c.csv", []byte(head+"438801,,县,江口县,,,,,\n438801-S1,439901,派出所,乙派出所,,,,,\n"))
		if !errors.Is(err, area.ErrBadRows) || len(rep.Errors) != 1 || !strings.Contains(rep.Errors[0].Reason, "不在本辖区内") {
			t.Fatalf("city import across: %v %+v", err, rep.Errors)
		}
		if _, err := importBytes(t, d, other, "c.csv", []byte(head+"438801,,县,江口县,,,,,\n")); err != nil {
			t.Fatal(err)
		}
		if n := byCode(t, d, "438801"); n.ParentID != other.ID || n.FullName != "湘南省临江市江口县" {
			t.Fatalf("city import %+v", n)
		}
		// A station's administrator cannot import a tree.
		if _, err := importBytes(t, d, byCode(t, d, "439901-S1"), "s.csv", []byte(head+"Z1,,乡镇街道,甲镇,,,,,\n")); err == nil {
			t.Fatal("station import accepted")
		}
		// Counts at the province show cities and counties; at a county
		// only the county's own levels.
		rows, err := area.Tree(ctx, d, prov, false)
		if err != nil {
			t.Fatal(err)
		}
		got := map[area.Level]int64{}
		for _, c := range area.Counts(rows) {
			got[c.Level] = c.Live
		}
		if got[area.City] != 2 || got[area.County] != 4 || got[area.Station] != 2 || got[area.Village] != 2 {
			t.Fatalf("province counts %v", got)
		}
		rows, err = area.Tree(ctx, d, county, false)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range area.Counts(rows) {
			if c.Level == area.City || c.Level == area.County {
				t.Fatalf("county page counts %s", c.Level)
			}
		}
		// The root cannot be moved or retired, whatever its level.
		if _, err := area.Move(ctx, d, prov, auditor(), prov.ID, city.ID); err == nil || !strings.Contains(err.Error(), "省是根节点") {
			t.Fatalf("move province: %v", err)
		}
	})
}
