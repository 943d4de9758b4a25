package server

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/db/dbtest"
)

// A village whose event was held in 2 of its 6 cells: the coverage page and
// the grid worker's prevention page list the 4 cells not reached, the
// legend holds every colour the map uses, and the map's data colours the
// village 部分 (the legend's amber), not green.
func TestCoverageListsCellsNotReached(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		vA1, _, _ := f.villages(t)
		ctx := context.Background()
		now := time.Now().Add(-2 * time.Hour).UnixMilli()
		for j := 0; j < 6; j++ {
			c := area.Node{ParentID: vA1.ID, Level: area.Cell, Code: fmt.Sprintf("G%d", j), Name: fmt.Sprintf("%d号网格", j+1)}
			if err := area.Create(ctx, d, &c); err != nil {
				t.Fatal(err)
			}
			if j == 0 || j == 3 {
				if _, err := d.Exec(ctx, `INSERT INTO prevention_events (area_id, kind, at, title, audience, reached, created_at) VALUES (?,?,?,?,?,?,?)`,
					c.ID, "lecture", now, "讲座", "elderly", 30, now); err != nil {
					t.Fatal(err)
				}
			}
		}
		want := "东村2号网格、东村3号网格、东村5号网格、东村6号网格"
		c := newConsoleClient(t, f.srv.URL)
		c.login("offA", "secret-offA")
		a := c.get("/prevention/coverage")
		checkHTML(t, "/prevention/coverage", a)
		if a.status != 200 || !strings.Contains(a.body, `id="coverage-cells"`) || !strings.Contains(a.body, want) {
			t.Errorf("coverage page lacks the cells not reached %q: %d %.3000s", want, a.status, a.body)
		}
		if !strings.Contains(a.body, `<td class="num">2/6</td>`) {
			t.Errorf("coverage page lacks 青石镇 cells 2/6")
		}
		if !strings.Contains(a.body, `data-band="some" style="background:#f59e0b">部分覆盖`) {
			t.Errorf("legend without the 部分 band")
		}
		j := f.do(t, "GET", "/api/v1/prevention/coverage?area_id="+itoa(vA1.ID), "offA", "")
		tree, _ := j.json["tree"].(map[string]any)
		if j.status != 200 || tree["band"] != "some" || tree["colour"] != "#f59e0b" || len(tree["children"].([]any)) != 6 {
			t.Errorf("village map data: %d %.600s", j.status, j.body)
		}
		g := newConsoleClient(t, f.srv.URL)
		g.login("grid", "secret-grid")
		p := g.get("/prevention")
		checkHTML(t, "/prevention", p)
		if p.status != 200 || !strings.Contains(p.body, `id="prevention-cells"`) || !strings.Contains(p.body, want) {
			t.Errorf("grid worker's page lacks the cells not reached: %d %.3000s", p.status, p.body)
		}
	})
}
