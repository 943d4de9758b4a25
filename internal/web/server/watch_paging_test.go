package server

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/db/dbtest"
)

// The intel watch list shows 50 accounts a page, highest score first, with
// a pager instead of hundreds of rows.
func TestIntelWatchPaging(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		for i := range 60 {
			if _, err := d.Exec(ctx, `INSERT INTO intel_scores (kind, subject, score_centi, watch, explain, computed_at) VALUES ('account', ?, ?, 0, '[]', 0)`,
				fmt.Sprintf("62220000000000%02d", i), 1000+i); err != nil {
				t.Fatal(err)
			}
		}
		c := newConsoleClient(t, f.srv.URL)
		c.login("admin", "secret-admin")
		pg := c.get("/intel/watch")
		checkHTML(t, "watch", pg)
		rows := strings.Count(pg.body, `<a href="/intel/accounts/`) + strings.Count(pg.body, "<tr><td>6222") + strings.Count(pg.body, "<tr><td>**** ")
		if pg.status != 200 || !strings.Contains(pg.body, `id="next-page"`) || strings.Count(pg.body, "10.59") != 1 || strings.Contains(pg.body, "10.09") {
			t.Fatalf("watch page 1: %d rows %d %.3000s", pg.status, rows, pg.body)
		}
		p2 := c.get("/intel/watch?page=2")
		if !strings.Contains(p2.body, "10.09") || !strings.Contains(p2.body, "10.00") || strings.Contains(p2.body, "10.10") || strings.Contains(p2.body, `id="next-page"`) {
			t.Fatalf("watch page 2: %.3000s", p2.body)
		}
	})
}
