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

// A bank's fund warning whose 诈骗类型 is a synonym (虚假投资理财) or unknown
// is stored, and its page says how the type was read (issue 19, item 6).
func TestFundWarningWithSynonymOrUnknownFraudTypeIsStored(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		c := newConsoleClient(t, f.srv.URL)
		c.login("admin", "secret-admin")
		for i, tc := range []struct{ given, ftype, note string }{
			{"虚假投资理财", "虚假网络投资理财", "来文诈骗类型“虚假投资理财”按同义词表归为虚假网络投资理财"},
			{"某行自定义类型九", "其他", "来文诈骗类型“某行自定义类型九”不在分类表中，暂记为其他"},
		} {
			ref := fmt.Sprintf("BANK-%d", i)
			a := f.do(t, "POST", "/api/v1/warnings", "admin", fmt.Sprintf(`{"source":"bank","source_ref":%q,"grade":"fund","fraud_type":%q,"person":{"name":"李四","phone":"1390000010%d"}}`, ref, tc.given, i))
			if a.status != http.StatusCreated {
				t.Fatalf("%q: %d %s — the person at risk was not stored", tc.given, a.status, a.body)
			}
			var id int64
			if err := d.QueryRow(context.Background(), `SELECT id FROM warnings WHERE source_ref = ?`, ref).Scan(&id); err != nil {
				t.Fatal(err)
			}
			path := fmt.Sprintf("/warnings/%d", id)
			p := c.get(path)
			if p.status != http.StatusOK {
				t.Fatalf("%s: %d", path, p.status)
			}
			checkHTML(t, path, p)
			if !strings.Contains(p.body, tc.ftype) || !strings.Contains(p.body, tc.note) {
				t.Errorf("%s: type %q or note %q missing", path, tc.ftype, tc.note)
			}
		}
	})
}
