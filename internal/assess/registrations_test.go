package assess_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/fanzha/fanzha/internal/assess"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/db/dbtest"
	"github.com/fanzha/fanzha/internal/domain"
	"github.com/fanzha/fanzha/internal/testworld"
	"github.com/fanzha/fanzha/internal/zone"
)

// APP registrations are imported all or nothing, a month again replaces
// its count, and the league counts the months beginning in the period per
// 10,000 inhabitants.
func TestAppRegistrations(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newWorld(t, d)
		if _, err := d.Exec(ctx, `UPDATE areas SET population = 20000 WHERE id = ?`, w.StA.ID); err != nil {
			t.Fatal(err)
		}
		imp := func(lines ...string) (assess.ImportResult, error) {
			return assess.ImportRegistrations(ctx, d, w.Root, w.Entry(w.Duty), "注册.csv", strings.NewReader(strings.Join(lines, "\n")+"\n"), w.Now)
		}
		res, err := imp("地区,月份,注册数", "青石派出所,2026-10,3000", "火星,2026-10,1", "城关派出所,2026-13,5", "城关派出所,2026-10,多")
		testworld.WantKind(t, err, domain.ErrInvalid, "3 行")
		if len(res.Errors) != 3 || testworld.Count(t, d, `SELECT COUNT(*) FROM app_registrations`) != 0 {
			t.Fatalf("a bad file stored something or missed a row: %+v", res.Errors)
		}
		if _, err := imp("地区,月份,注册数", "T-S1,2026年10月,3000", "青石派出所,2026-11,5000", "城关派出所,2026/11,100"); err != nil {
			t.Fatal(err)
		}
		if _, err := imp("地区,月份,注册数", "青石派出所,2026-11,7000"); err != nil {
			t.Fatal(err)
		}
		nov := time.Date(2026, 11, 1, 0, 0, 0, 0, zone.Shanghai)
		for _, c := range []struct {
			from, to time.Time
			want     assess.Value
		}{
			{nov, nov.AddDate(0, 1, 0), assess.Value{Value: 3500, Num: 7000, Den: 20000, Colour: assess.Yellow}},
			{nov.AddDate(0, -1, 0), nov.AddDate(0, 1, 0), assess.Value{Value: 5000, Num: 10000, Den: 20000, Colour: assess.Green}},
			{nov.AddDate(0, 0, 2), nov.AddDate(0, 0, 9), assess.Value{}}, // no month begins in a week: not graded
		} {
			lg, err := assess.Compute(ctx, d, w.Root, c.from, c.to)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range lg.Rows {
				if r.AreaID == w.StA.ID && r.Figures["app_per_10k"] != c.want {
					t.Errorf("%v–%v: %+v, want %+v", c.from, c.to, r.Figures["app_per_10k"], c.want)
				}
			}
		}
	})
}
