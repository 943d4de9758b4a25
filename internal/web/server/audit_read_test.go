package server

import (
	"context"
	"testing"

	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/db/dbtest"
)

// TestRecordReadsAudited: reading one person's record — warning, case,
// intel account; API and console page; masked — leaves one "view" audit
// row with who, what, when and from where. An unmasked read leaves its
// "unmask" row and no second one; list pages and refused reads leave none.
func TestRecordReadsAudited(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := intelFixture(t, d)
		var acct int64
		_ = d.QueryRow(ctx, `SELECT id FROM accounts WHERE number = ?`, muleA).Scan(&acct)
		views := func(user, objType string, objID int64) int {
			t.Helper()
			var n int
			if err := d.QueryRow(ctx, `SELECT COUNT(*) FROM audit_log WHERE action = 'view' AND username = ? AND object_type = ? AND object_id = ?
				AND ip <> '' AND at > 0 AND user_id IS NOT NULL AND detail LIKE '/%'`, user, objType, itoa(objID)).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		all := func() int {
			var n int
			_ = d.QueryRow(ctx, `SELECT COUNT(*) FROM audit_log WHERE action = 'view'`).Scan(&n)
			return n
		}
		get := func(user, path string, want int) {
			t.Helper()
			if a := f.do(t, "GET", path, user, ""); a.status != want {
				t.Fatalf("%s GET %s: %d, want %d: %.200s", user, path, a.status, want, a.body)
			}
		}

		get("offA", "/api/v1/warnings/"+itoa(f.warningA), 200)
		get("offA", "/api/v1/cases/"+itoa(f.caseA), 200)
		get("anA", "/api/v1/intel/accounts/"+itoa(acct), 200)
		if views("offA", "warning", f.warningA) != 1 || views("offA", "case", f.caseA) != 1 || views("anA", "account", acct) != 1 {
			t.Fatalf("API record reads: warning %d, case %d, account %d view rows", views("offA", "warning", f.warningA),
				views("offA", "case", f.caseA), views("anA", "account", acct))
		}
		n := all()
		// Unmasked: recorded as unmask, not twice.
		get("offA", "/api/v1/warnings/"+itoa(f.warningA)+"?unmask=1", 200)
		// Refused (another station) and list reads: nothing.
		get("offB", "/api/v1/warnings/"+itoa(f.warningA), 404)
		get("anB", "/api/v1/intel/accounts/"+itoa(acct), 404)
		get("offA", "/api/v1/warnings", 200)
		get("offA", "/api/v1/cases", 200)
		if all() != n {
			t.Fatalf("unmasked, refused or list reads wrote %d view rows", all()-n)
		}

		// Console pages.
		c := newConsoleClient(t, f.srv.URL)
		c.login("offA", "secret-offA")
		for _, p := range []string{"/warnings/" + itoa(f.warningA), "/cases/" + itoa(f.caseA), "/warnings/list", "/cases"} {
			if a := c.get(p); a.status != 200 {
				t.Fatalf("GET %s: %d", p, a.status)
			}
		}
		if views("offA", "warning", f.warningA) != 2 || views("offA", "case", f.caseA) != 2 || all() != n+2 {
			t.Fatalf("console record reads: warning %d, case %d, total new %d", views("offA", "warning", f.warningA), views("offA", "case", f.caseA), all()-n)
		}
		an := newConsoleClient(t, f.srv.URL)
		an.login("anA", "secret-anA")
		if a := an.get("/intel/accounts/" + itoa(acct)); a.status != 200 {
			t.Fatalf("intel account page: %d", a.status)
		}
		if views("anA", "account", acct) != 2 {
			t.Fatalf("intel account page: %d view rows", views("anA", "account", acct))
		}
	})
}
