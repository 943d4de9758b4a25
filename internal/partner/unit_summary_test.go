package partner

import (
	"context"
	"fmt"
	"testing"

	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/db/dbtest"
)

// The units list (联席成员单位): each head unit followed by its branches,
// with its users and the requests sent to it, open ones counted apart.
func TestUnitSummaries(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newWorld(t, d) // banks B1, B2; a case in station A
		if _, err := CreateUnit(ctx, d, adminWho, UnitInput{Kind: "bank", Name: "银行B1营业部", ParentID: w.bank}, t0); err != nil {
			t.Fatal(err)
		}
		if _, err := d.Exec(ctx, `INSERT INTO users (username, display_name, role, area_id, unit_id, password_hash, created_at, updated_at)
			VALUES ('b1', 'B1', 'partner', ?, ?, 'x', 0, 0)`, w.root.ID, w.bank); err != nil {
			t.Fatal(err)
		}
		w.request(t, "freeze", false, t0)      // sent: open
		w.request(t, "stop_payment", true, t0) // a draft counts as a request, not as open
		got, err := UnitSummaries(ctx, d)
		if err != nil {
			t.Fatal(err)
		}
		var rows []string
		for _, u := range got {
			rows = append(rows, fmt.Sprintf("%s|%s|%s|%d|%d|%d", u.Name, u.Kind, u.Parent, u.Users, u.Requests, u.Open))
		}
		want := []string{
			"银行B1|bank||1|2|1",
			"银行B1营业部|bank|银行B1|0|0|0",
			"银行B2|bank||0|0|0",
		}
		if fmt.Sprint(rows) != fmt.Sprint(want) {
			t.Errorf("units:\n got %q\nwant %q", rows, want)
		}
	})
}
