package investigation_test

import (
	"context"
	"testing"
	"time"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/db/dbtest"
	inv "github.com/fanzha/fanzha/internal/investigation"
)

// Suspects recorded per case before migration 00025 (funds' case_suspects)
// are persons on their case afterwards, with their numbers and a role of
// the new list; cases already investigating, solved or closed keep that as
// their state; a suspect added after the migration gets a new id.
func TestMigrationKeepsEarlierSuspectsAndStatuses(t *testing.T) {
	for _, eng := range dbtest.Engines() {
		t.Run(string(eng), func(t *testing.T) {
			ctx := context.Background()
			d := dbtest.Unmigrated(t, eng)
			if _, err := d.MigrateTo(ctx, 24); err != nil {
				t.Fatal(err)
			}
			w := &world{d: d}
			root := area.Node{Level: area.County, Code: "C", Name: "云溪县"}
			if err := area.Create(ctx, d, &root); err != nil {
				t.Fatal(err)
			}
			st := area.Node{ParentID: root.ID, Level: area.Station, Code: "A", Name: "青石派出所"}
			if err := area.Create(ctx, d, &st); err != nil {
				t.Fatal(err)
			}
			solved := w.newCase(t, d, st, t0)
			open := w.newCase(t, d, st, t0)
			if _, err := d.Exec(ctx, `UPDATE cases SET status = 'solved' WHERE id = ?`, solved); err != nil {
				t.Fatal(err)
			}
			for _, s := range []struct {
				name, id, phone, account, role string
			}{{"甲", "43010219900101123x", "13812345678", "6222021234567890123", "money_mule"}, {"乙", "", "", "", "card_seller"}} {
				if _, err := d.Exec(ctx, `INSERT INTO case_suspects (case_id, name, id_number, phone, account, role, note, created_at)
					VALUES (?,?,?,?,?,?,'',?)`, solved, s.name, s.id, s.phone, s.account, s.role, db.Millis(t0)); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := d.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			root, _ = area.Get(ctx, d, root.ID)
			list, err := inv.CaseSuspects(ctx, d, root, solved)
			if err != nil || len(list) != 2 {
				t.Fatalf("suspects after the migration: %+v %v", list, err)
			}
			a, b := list[0], list[1]
			if a.Name != "甲" || a.Role != inv.Mule || a.IDNumber != "43010219900101123X" || len(a.Phones) != 1 || len(a.Accounts) != 1 {
				t.Errorf("first suspect %+v", a)
			}
			if b.Role != inv.OtherRole || b.Note != "（原登记角色：收购、贩卖两卡）" {
				t.Errorf("second suspect %+v", b)
			}
			for id, want := range map[int64]inv.State{solved: inv.Solved, open: inv.Reported} {
				if cs, err := inv.StateOf(ctx, d, root, id); err != nil || cs.State != want {
					t.Errorf("case %d: %s %v, want %s", id, cs.State, err, want)
				}
			}
			sid, err := inv.AddSuspect(ctx, d, root, entry(t, d, root), open, inv.SuspectInput{Name: "丙"}, time.Now())
			if err != nil || sid <= b.ID {
				t.Fatalf("new suspect id %d after %d (%v)", sid, b.ID, err)
			}
		})
	}
}
