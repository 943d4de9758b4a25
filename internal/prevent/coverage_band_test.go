package prevent

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/db/dbtest"
)

// The map colours by the real share with the legend's thresholds: anything
// between none and all is 部分, however close to all.
func TestBandOf(t *testing.T) {
	for _, c := range []struct {
		hit, total int64
		want       string
	}{
		{0, 10, "none"}, {1, 10, "some"}, {5, 10, "some"}, {9, 10, "some"}, {999, 1000, "some"},
		{10, 10, "all"}, {1, 1, "all"}, {0, 0, "empty"}, {2, 6, "some"}, {0, 6, "none"},
	} {
		b := BandOf(c.hit, c.total)
		if b.Code != c.want {
			t.Errorf("BandOf(%d, %d) = %s, want %s", c.hit, c.total, b.Code, c.want)
		}
		found := false
		for _, l := range Bands {
			if l == b {
				found = true
			}
		}
		if !found {
			t.Errorf("BandOf(%d, %d) = %+v is not in the legend", c.hit, c.total, b)
		}
	}
}

// A town with 9 of 10 villages reached is 部分 (amber, as in the legend),
// not green; a village whose event was held in 2 of its 6 cells is 部分
// with its 4 cells listed as not reached, for the village and for the town.
func TestCoverageBandsAndCellsNotReached(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		mk := func(n *area.Node) {
			if err := area.Create(ctx, d, n); err != nil {
				t.Fatal(err)
			}
		}
		root := area.Node{Level: area.County, Code: "C", Name: "云溪县"}
		mk(&root)
		st := area.Node{ParentID: root.ID, Level: area.Station, Code: "A", Name: "青石派出所"}
		mk(&st)
		town := area.Node{ParentID: st.ID, Level: area.Town, Code: "T", Name: "青石镇"}
		mk(&town)
		at := testNow.Add(-48 * time.Hour).UnixMilli()
		event := func(n area.Node) {
			if _, err := d.Exec(ctx, `INSERT INTO prevention_events (area_id, kind, at, title, audience, reached, created_at) VALUES (?,?,?,?,?,?,?)`,
				n.ID, "lecture", at, "讲座", "elderly", 30, at); err != nil {
				t.Fatal(err)
			}
		}
		var first area.Node
		var cells []area.Node
		for i := 0; i < 10; i++ {
			v := area.Node{ParentID: town.ID, Level: area.Village, Kind: "村", Code: fmt.Sprintf("V%d", i), Name: fmt.Sprintf("第%d村", i+1)}
			mk(&v)
			if i == 0 {
				first = v
				for j := 0; j < 6; j++ {
					c := area.Node{ParentID: v.ID, Level: area.Cell, Code: fmt.Sprintf("G%d", j), Name: fmt.Sprintf("%d号网格", j+1)}
					mk(&c)
					cells = append(cells, c)
				}
				event(cells[0])
				event(cells[3])
			} else if i < 9 {
				event(v)
			}
		}
		from, to := testNow.AddDate(0, 0, -30), testNow
		c, err := ComputeCoverage(ctx, d, root, from, to)
		if err != nil {
			t.Fatal(err)
		}
		var find func(n *TreeNode, id int64) *TreeNode
		find = func(n *TreeNode, id int64) *TreeNode {
			if n.ID == id {
				return n
			}
			for _, ch := range n.Children {
				if x := find(ch, id); x != nil {
					return x
				}
			}
			return nil
		}
		tn := find(c.Tree, town.ID)
		if tn == nil || tn.VillagesHit != 9 || tn.Villages != 10 || tn.Band != "some" || tn.Colour != Bands[1].Colour {
			t.Fatalf("town node %+v: want 9/10 部分 %s", tn, Bands[1].Colour)
		}
		vn := find(c.Tree, first.ID)
		if vn == nil || vn.Band != "some" || vn.Cells != 6 || vn.CellsHit != 2 || len(vn.Children) != 6 {
			t.Fatalf("village node %+v: want its 6 cells drawn, 2 reached, 部分", vn)
		}
		for i, ch := range vn.Children {
			want := "none"
			if i == 0 || i == 3 {
				want = "all"
			}
			if ch.Level != area.Cell || ch.Band != want {
				t.Errorf("cell %s: %s %s, want cell %s", ch.Name, ch.Level, ch.Band, want)
			}
		}
		if vn.Events != 2 || tn.Events != 10 || c.Tree.Events != 10 {
			t.Errorf("events counted twice or lost: village %d town %d root %d", vn.Events, tn.Events, c.Tree.Events)
		}
		names := func(l []CellRef) string {
			s := ""
			for _, x := range l {
				s += x.Village + x.Name + " "
			}
			return s
		}
		want := "第1村2号网格 第1村3号网格 第1村5号网格 第1村6号网格 "
		if got := names(c.VillageDetail[0].CellsNotReached); got != want {
			t.Errorf("village cells not reached %q, want %q", got, want)
		}
		if len(c.Towns) != 1 || names(c.Towns[0].CellsNotReached) != want || c.Towns[0].Cells != 6 || c.Towns[0].CellsHit != 2 {
			t.Errorf("town cells not reached %+v", c.Towns)
		}
		// The grid worker's view: coverage of their village.
		cv, err := ComputeCoverage(ctx, d, first, from, to)
		if err != nil {
			t.Fatal(err)
		}
		if cv.Tree.Band != "some" || len(cv.Tree.Children) != 6 || len(cv.Towns) != 1 || names(cv.Towns[0].CellsNotReached) != want {
			t.Errorf("village scope: tree %+v towns %+v", cv.Tree, cv.Towns)
		}
	})
}
