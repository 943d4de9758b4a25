package web

import (
	"context"
	"strings"
	"testing"

	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/db/dbtest"
)

// A dissuader without ?unmask=1 must not get what rebuilds a masked ID:
// neither the birth date (the ID's digits 7–14) nor the sequence and check
// digits. Every answer and console page that shows the person gives the
// birth year instead; the unmasked read still has the date.
func TestMaskedPersonHasNoBirthDate(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		if _, err := d.Exec(ctx, `UPDATE warnings SET person_birth = '1958-01-01', person_age = 68, person_sex = 'M' WHERE id = ?`, f.warningA); err != nil {
			t.Fatal(err)
		}
		if _, err := d.Exec(ctx, `UPDATE victims SET birth_date = '1958-01-01', sex = 'M' WHERE case_id = ?`, f.caseA); err != nil {
			t.Fatal(err)
		}
		leaks := []string{"1958-01-01", "19580101", idA[10:], idA}
		check := func(what, body string) {
			t.Helper()
			for _, l := range leaks {
				if strings.Contains(body, l) {
					t.Errorf("%s shows %q beside the masked ID:\n%s", what, l, body)
				}
			}
			if !strings.Contains(body, "4301*************5") || !strings.Contains(body, "1958") {
				t.Errorf("%s: no masked ID or birth year:\n%s", what, body)
			}
		}
		w := f.do(t, "GET", "/api/v1/warnings/"+itoa(f.warningA), "offA", "")
		check("GET warning", w.body)
		if p := w.json["person"].(map[string]any); p["birth_year"] != float64(1958) || p["birth"] != nil {
			t.Errorf("masked person: %v", p)
		}
		check("GET case", f.do(t, "GET", "/api/v1/cases/"+itoa(f.caseA), "offA", "").body)
		check("GET warnings", f.do(t, "GET", "/api/v1/warnings", "offA", "").body)

		c := newConsoleClient(t, f.srv.URL)
		c.login("offA", "secret-offA")
		check("warning page", c.get("/warnings/"+itoa(f.warningA)).body)
		check("case page", c.get("/cases/"+itoa(f.caseA)).body)

		// Unmasked (audited) reads keep the date.
		if u := f.do(t, "GET", "/api/v1/cases/"+itoa(f.caseA)+"?unmask=1", "offA", ""); !strings.Contains(u.body, "1958-01-01") || !strings.Contains(u.body, idA) {
			t.Errorf("unmasked case: %s", u.body)
		}
	})
}
