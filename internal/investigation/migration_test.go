package investigation_test

import (
	"context"
	"strings"
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

// Suspects recorded through funds' old per-case path after migration 00025
// end in the one suspect model with migration 00042: a person whose ID
// number is already recorded is linked, not duplicated; two old rows of one
// new person become one suspect on both cases; the old table is gone, and
// each suspect is counted once.
func TestMigrationFoldsLaterCaseSuspects(t *testing.T) {
	for _, eng := range dbtest.Engines() {
		t.Run(string(eng), func(t *testing.T) {
			ctx := context.Background()
			d := dbtest.Unmigrated(t, eng)
			if _, err := d.MigrateTo(ctx, 41); err != nil {
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
			c1, c2 := w.newCase(t, d, st, t0), w.newCase(t, d, st, t0)
			who := entry(t, d, root)
			known, err := inv.AddSuspect(ctx, d, root, who, c1, inv.SuspectInput{Name: "甲", IDNumber: "430102199001011234", Role: inv.Organiser}, t0)
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range []struct {
				caseID                         int64
				name, id, phone, account, role string
			}{
				{c2, "甲", "430102199001011234", "13800000001", "", "organiser"}, // known person, on another case
				{c1, "乙", "43010219920202222x", "", "6222000011112222", "money_mule"},
				{c2, "乙", "43010219920202222X", "13800000002", "", "money_mule"}, // the same new person
				{c1, "无名", "", "13800000003", "", "caller"},
			} {
				if _, err := d.Exec(ctx, `INSERT INTO case_suspects (case_id, name, id_number, phone, account, role, note, created_at)
					VALUES (?,?,?,?,?,?,'',?)`, s.caseID, s.name, s.id, s.phone, s.account, s.role, db.Millis(t0.Add(time.Hour))); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := d.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			root, _ = area.Get(ctx, d, root.ID)
			names := func(caseID int64) map[string]inv.Suspect {
				list, err := inv.CaseSuspects(ctx, d, root, caseID)
				if err != nil {
					t.Fatal(err)
				}
				out := map[string]inv.Suspect{}
				for _, s := range list {
					if _, dup := out[s.Name]; dup {
						t.Errorf("case %d lists %s twice", caseID, s.Name)
					}
					out[s.Name] = s
				}
				return out
			}
			one, two := names(c1), names(c2)
			if len(one) != 3 || len(two) != 2 {
				t.Fatalf("case 1 %v, case 2 %v; want 甲 乙 无名 and 甲 乙", one, two)
			}
			if two["甲"].ID != known || len(two["甲"].CaseIDs) != 2 || strings.Join(two["甲"].Phones, ",") != "13800000001" {
				t.Errorf("甲 on case 2: %+v, want the known person %d on both cases with the phone", two["甲"], known)
			}
			if one["乙"].ID != two["乙"].ID || one["乙"].Role != inv.Mule || len(one["乙"].Phones) != 1 || len(one["乙"].Accounts) != 1 {
				t.Errorf("乙: %+v and %+v, want one mule with a phone and an account", one["乙"], two["乙"])
			}
			if one["无名"].Role != inv.OtherRole || !strings.Contains(one["无名"].Note, "实施诈骗") {
				t.Errorf("无名: %+v", one["无名"])
			}
			if n := count(t, d, `SELECT COUNT(*) FROM suspects`); n != 3 {
				t.Errorf("%d suspects, want 3", n)
			}
			var exists int
			q := `SELECT COUNT(*) FROM sqlite_master WHERE name = 'case_suspects'`
			if eng == db.Postgres {
				q = `SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = 'case_suspects'`
			}
			if err := d.QueryRow(ctx, q).Scan(&exists); err != nil || exists != 0 {
				t.Errorf("case_suspects still there (%d, %v)", exists, err)
			}
			sid, err := inv.AddSuspect(ctx, d, root, who, c2, inv.SuspectInput{Name: "丁"}, time.Now())
			if err != nil || sid <= one["乙"].ID {
				t.Fatalf("new suspect id %d after %d (%v)", sid, one["乙"].ID, err)
			}
		})
	}
}
