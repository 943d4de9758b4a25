package server

import (
	"regexp"
	"strings"
	"testing"

	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/db/dbtest"
)

// The fixture's records are all from today, so this month's bulletin has no
// 去年同期 (nor 上期): the printed page shows "—" with a note, never 0 and
// never "0.0% → +x个百分点"; the JSON gives null.
func TestBulletinWithoutHistoryShowsDash(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		c := newConsoleClient(t, f.srv.URL)
		c.login("leader", "secret-leader")
		path := "/bulletins/report?kind=monthly"
		a := c.get(path)
		if a.status != 200 {
			t.Fatalf("%s: %d %.300s", path, a.status, a.body)
		}
		checkHTML(t, path, a)
		if !strings.Contains(a.body, "无去年同期数据（系统自 ") || !strings.Contains(a.body, "无上期数据（系统自 ") {
			t.Errorf("no note on the missing history: %.2000s", a.body)
		}
		row := regexp.MustCompile(`<tr><td>立案数（起）</td><td>([^<]*)</td><td>([^<]*)</td><td>([^<]*)</td><td>([^<]*)</td><td>([^<]*)</td></tr>`).FindStringSubmatch(a.body)
		if row == nil {
			t.Fatalf("no 立案数 row: %.2000s", a.body)
		}
		if row[1] == "—" || row[2] != "—" || row[3] != "—" || row[4] != "—" || row[5] != "—" {
			t.Errorf("立案数 row %q: want a number, then — in 上期, 环比, 去年同期, 同比", row[1:])
		}
		if strings.Contains(a.body, "0.0% → ") || regexp.MustCompile(`<td>[+-][0-9.]+个百分点</td>`).MatchString(a.body) {
			t.Errorf("a rate is compared with a period without data")
		}
		j := f.do(t, "GET", "/api/v1/bulletins/report?kind=monthly", "leader", "")
		yoy, _ := j.json["year_ago_figures"].(map[string]any)
		if j.status != 200 || yoy == nil {
			t.Fatalf("API: %d %.300s", j.status, j.body)
		}
		if v, ok := yoy["cases"]; !ok || v != nil {
			t.Errorf("API year_ago_figures.cases = %v, want null", v)
		}
		if cur, _ := j.json["current"].(map[string]any); cur["cases"] == nil {
			t.Errorf("API current.cases = %v", cur["cases"])
		}
	})
}
