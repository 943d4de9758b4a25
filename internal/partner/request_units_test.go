package partner

import (
	"context"
	"testing"

	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/db/dbtest"
)

// The units a request can go to are the top-level units of the kinds asked
// for: a sub-branch or a unit of another kind is not offered.
func TestRequestUnits(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newTraceWorld(t, d) // banks 银行B1, 银行B2, 工商银行云溪支行; operator 中国移动云溪分公司
		var sub int64
		if err := d.QueryRow(ctx, `INSERT INTO units (kind, code, name, parent_id, created_at) VALUES ('bank','B1-1','银行B1城关分理处',?,0) RETURNING id`, w.bank).Scan(&sub); err != nil {
			t.Fatal(err)
		}
		if _, err := d.Exec(ctx, `INSERT INTO units (kind, code, name, created_at) VALUES ('education','E1','云溪县教育局',0)`); err != nil {
			t.Fatal(err)
		}
		names := func(kinds ...string) []int64 {
			us, err := RequestUnits(ctx, d, kinds...)
			if err != nil {
				t.Fatal(err)
			}
			var ids []int64
			for _, u := range us {
				ids = append(ids, u.ID)
			}
			return ids
		}
		eq := func(a, b []int64) bool {
			if len(a) != len(b) {
				return false
			}
			for i := range a {
				if a[i] != b[i] {
					return false
				}
			}
			return true
		}
		if got, want := names("bank"), []int64{w.bank, w.bank2, w.icbc}; !eq(got, want) {
			t.Errorf("banks %v, want %v (no sub-branch %d)", got, want, sub)
		}
		if got, want := names("bank", "operator"), []int64{w.bank, w.bank2, w.icbc, w.operator}; !eq(got, want) {
			t.Errorf("banks and operators %v, want %v", got, want)
		}
		if got := names(); len(got) != 0 {
			t.Errorf("no kind asked, got %v", got)
		}
	})
}
