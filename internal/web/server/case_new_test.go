package server

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/db/dbtest"
)

// 报案登记 takes any number of transfer rows and more than one victim (rows
// added by plain links, or in place by the script), has a large 简要案情 and
// a 辖区 picker grouped by station with a search, and a transfer table
// that scrolls inside its box instead of overflowing the page.
func TestNewCaseFormRowsAndVictims(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		f.addUser(t, auth.NewUser{Username: "inv", Role: auth.RoleInvestigator, AreaID: f.root.ID, Password: "secret-inv"})
		c := newConsoleClient(t, f.srv.URL)
		c.login("inv", "secret-inv")
		pg := c.get("/cases/new")
		checkHTML(t, "case_new", pg)
		if pg.status != 200 || !strings.Contains(pg.body, `<optgroup label="`+f.stA.Name+`">`) || !strings.Contains(pg.body, `list="case-area-names"`) ||
			!strings.Contains(pg.body, `rows="8"`) || !strings.Contains(pg.body, "overflow-x:auto") || !strings.Contains(pg.body, `href="/cases/new?victims=2&amp;rows=5"`) ||
			!strings.Contains(pg.body, `href="/cases/new?victims=1&amp;rows=10"`) {
			t.Fatalf("report form: %d %.4000s", pg.status, pg.body)
		}
		more := c.get("/cases/new?victims=2&rows=10")
		if strings.Count(more.body, `name="to_account_`) != 10 || !strings.Contains(more.body, `name="name_1"`) || !strings.Contains(more.body, `<option value="1">受害人 2</option>`) {
			t.Fatalf("form with more rows: %.4000s", more.body)
		}
		form := url.Values{"csrf_token": {c.csrf()}, "area_id": {itoa(f.stA.ID)}, "summary": {"冒充公检法"}, "name": {"甲某"}, "name_1": {"乙某"}}
		for _, k := range []int{0, 1, 2, 3, 4, 5, 6, 12} {
			form.Set(fmt.Sprintf("at_%d", k), "2026-11-20T10:00")
			form.Set(fmt.Sprintf("to_account_%d", k), fmt.Sprintf("62220000000000%02d", k))
			form.Set(fmt.Sprintf("amount_%d", k), "100")
			form.Set(fmt.Sprintf("victim_%d", k), map[bool]string{true: "1", false: "0"}[k == 12])
		}
		r := c.post("/cases/new", form)
		if r.status != 200 && r.status != 303 {
			t.Fatalf("report: %d %.500s", r.status, r.body)
		}
		var id int64
		_ = d.QueryRow(ctx, `SELECT MAX(id) FROM cases`).Scan(&id)
		var victims, transfers int
		var second int64
		_ = d.QueryRow(ctx, `SELECT COUNT(*) FROM victims WHERE case_id = ?`, id).Scan(&victims)
		_ = d.QueryRow(ctx, `SELECT COUNT(*) FROM case_transfers WHERE case_id = ?`, id).Scan(&transfers)
		_ = d.QueryRow(ctx, `SELECT loss_fen FROM victims WHERE case_id = ? AND name = '乙某'`, id).Scan(&second)
		if victims != 2 || transfers != 8 || second != 10_000 {
			t.Fatalf("case %d: %d victims, %d transfers, 乙某 lost %d fen", id, victims, transfers, second)
		}
	})
}
