package server

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/db/dbtest"
)

// After a handover to an officer of another station the warning page shows
// the person's place and the handling station, both stations open it, and
// the place is unchanged (issue 19, item 8).
func TestHandoverShowsPlaceAndHandlingStation(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		var offB int64
		if err := d.QueryRow(context.Background(), `SELECT id FROM users WHERE username = 'offB'`).Scan(&offB); err != nil {
			t.Fatal(err)
		}
		a := f.do(t, "POST", fmt.Sprintf("/api/v1/warnings/%d/handover", f.warningA), "offA",
			fmt.Sprintf(`{"to_user_id": %d, "reason": "当事人在城关务工"}`, offB))
		if a.status != http.StatusOK {
			t.Fatalf("handover: %d %s", a.status, a.body)
		}
		var areaID int64
		if err := d.QueryRow(context.Background(), `SELECT area_id FROM warnings WHERE id = ?`, f.warningA).Scan(&areaID); err != nil {
			t.Fatal(err)
		}
		if areaID != f.stA.ID {
			t.Fatalf("the person's place moved to area %d by handover", areaID)
		}
		for _, user := range []string{"offB", "offA"} {
			c := newConsoleClient(t, f.srv.URL)
			c.login(user, "secret-"+user)
			path := fmt.Sprintf("/warnings/%d", f.warningA)
			p := c.get(path)
			if p.status != http.StatusOK {
				t.Fatalf("%s opens %s: %d", user, path, p.status)
			}
			checkHTML(t, path, p)
			for _, want := range []string{"<dt>辖区</dt><dd>云溪县青石派出所", `id="handling-station">城关派出所`, "当事人属地为 青石派出所"} {
				if !strings.Contains(p.body, want) {
					t.Errorf("%s: %s lacks %q", user, path, want)
				}
			}
			b := c.get("/warnings")
			if !strings.Contains(b.body, "城关派出所 <span class=\"muted\">（属地 青石派出所）</span>") {
				t.Errorf("%s: /warnings does not show the handling station beside the place", user)
			}
		}
	})
}
