package area_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/db/dbtest"
	"github.com/fanzha/fanzha/internal/domain"
	"github.com/fanzha/fanzha/internal/warning"
)

// importedCounty is 清河县 of the testdata, imported.
func importedCounty(t *testing.T, d *db.DB) area.Node {
	t.Helper()
	root := newCounty(t, d)
	if rep, err := importFile(t, d, root, "county-tree.csv"); err != nil {
		t.Fatalf("%v %+v", err, rep.Errors)
	}
	r, err := area.Get(context.Background(), d, root.ID)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func mkUser(t *testing.T, d *db.DB, name string, role auth.Role, areaID int64) auth.User {
	t.Helper()
	auth.BcryptCost = 4
	u, err := auth.CreateUser(context.Background(), d, auth.NewUser{Username: name, DisplayName: name + "民警", Role: role, AreaID: areaID, Password: "pw-" + name + "-long-enough"})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestAddUpdateMove(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		root := importedCounty(t, d)
		au := auditor()
		v := byCode(t, d, "439901100201") // 杏林村, 柳湾镇, 河西派出所
		cell, err := area.AddChild(ctx, d, root, au, v.ID, area.NodeInput{Code: "439901100201-G1", Name: "杏林第一网格", Aliases: "一网格；杏林一组",
			Figures: area.Figures{Population: 600, Elderly: 150, Minors: 90, Students: 60}})
		if err != nil {
			t.Fatal(err)
		}
		if cell.Level != area.Cell || cell.Kind != "网格" || cell.FullName != "清河县柳湾镇杏林村杏林第一网格" || cell.StationID != v.StationID ||
			cell.Aliases != "一网格|杏林一组" || !v.Contains(cell) {
			t.Errorf("cell %+v", cell)
		}
		for name, c := range map[string]struct {
			parent int64
			in     area.NodeInput
			want   error
		}{
			"duplicate code": {v.ID, area.NodeInput{Code: "439901100201-G1", Name: "x"}, domain.ErrConflict},
			"under a cell":   {cell.ID, area.NodeInput{Code: "X1", Name: "x"}, domain.ErrInvalid},
			"wrong level":    {v.ID, area.NodeInput{Level: area.Town, Code: "X2", Name: "x"}, domain.ErrInvalid},
			"no name":        {v.ID, area.NodeInput{Code: "X3"}, domain.ErrInvalid},
			"bad code":       {v.ID, area.NodeInput{Code: "a b", Name: "x"}, domain.ErrInvalid},
			"bad figures":    {v.ID, area.NodeInput{Code: "X4", Name: "x", Figures: area.Figures{Population: 1, Elderly: 2}}, domain.ErrInvalid},
		} {
			if _, err := area.AddChild(ctx, d, root, au, c.parent, c.in); !errors.Is(err, c.want) {
				t.Errorf("%s: %v, want %v", name, err, c.want)
			}
		}
		// A town added under a station: the kind follows the name.
		st1 := byCode(t, d, "439901-PCS01")
		tw, err := area.AddChild(ctx, d, root, au, st1.ID, area.NodeInput{Level: "乡镇街道", Code: "439901003000", Name: "新城街道"})
		if err != nil || tw.Kind != "街道" || tw.FullName != "清河县新城街道" {
			t.Fatalf("town %+v %v", tw, err)
		}

		// Rename the town: the full names below follow.
		town := byCode(t, d, "439901100000")
		gen0, _ := db.Generations(ctx, d)
		up, err := area.Update(ctx, d, root, au, town.ID, area.NodeInput{Name: "柳湾新镇", Aliases: "柳湾; 新镇 ；柳湾", Figures: area.Figures{Population: 9000, Elderly: 2000}})
		if err != nil {
			t.Fatal(err)
		}
		if up.Name != "柳湾新镇" || up.FullName != "清河县柳湾新镇" || up.Aliases != "柳湾|新镇" || up.Population != 9000 {
			t.Errorf("renamed %+v", up)
		}
		if c := byCode(t, d, "439901100201-G1"); c.FullName != "清河县柳湾新镇杏林村杏林第一网格" {
			t.Errorf("cell after rename %q", c.FullName)
		}
		if gen1, _ := db.Generations(ctx, d); gen1[db.GenTree] <= gen0[db.GenTree] {
			t.Error("rename did not bump the tree generation")
		}
		// Renaming a station changes no full names below it (addresses are
		// written without the station).
		if _, err := area.Update(ctx, d, root, au, st1.ID, area.NodeInput{Name: "城南中心派出所"}); err != nil {
			t.Fatal(err)
		}
		if x := byCode(t, d, "439901001001"); x.FullName != "清河县清源街道桂香社区" {
			t.Errorf("community after station rename %q", x.FullName)
		}

		// Move the village (and its cell) to a town of another station.
		songgang := byCode(t, d, "439901101000")
		moved, err := area.Move(ctx, d, root, au, v.ID, songgang.ID)
		if err != nil {
			t.Fatal(err)
		}
		st3 := byCode(t, d, "439901-PCS03")
		c := byCode(t, d, "439901100201-G1")
		if moved.StationID != st3.ID || moved.FullName != "清河县松岗镇杏林村" || !strings.HasPrefix(moved.Path, songgang.Path) ||
			c.StationID != st3.ID || c.FullName != "清河县松岗镇杏林村杏林第一网格" || c.Path != moved.Path+fmt.Sprint(c.ID)+"/" {
			t.Errorf("moved %+v, cell %+v", moved, c)
		}
		// A whole town to another station: its villages' stations follow.
		if _, err := area.Move(ctx, d, root, au, songgang.ID, st1.ID); err != nil {
			t.Fatal(err)
		}
		if x := byCode(t, d, "439901100201-G1"); x.StationID != st1.ID {
			t.Errorf("cell station after town move: %d, want %d", x.StationID, st1.ID)
		}
		for name, c := range map[string]struct{ id, to int64 }{
			"root":             {root.ID, st1.ID},
			"under itself":     {songgang.ID, songgang.ID},
			"level order":      {v.ID, st3.ID},
			"same parent":      {v.ID, songgang.ID},
			"station under tw": {st3.ID, songgang.ID},
		} {
			if _, err := area.Move(ctx, d, root, au, c.id, c.to); !errors.Is(err, domain.ErrInvalid) {
				t.Errorf("%s: %v", name, err)
			}
		}
		// Jurisdiction: a station's scope sees nothing of another station.
		st2 := byCode(t, d, "439901-PCS02")
		if _, err := area.Update(ctx, d, st2, au, st1.ID, area.NodeInput{Name: "x"}); !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("out of scope update: %v", err)
		}
		if _, err := area.Move(ctx, d, st2, au, byCode(t, d, "439901200000").ID, st1.ID); !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("out of scope move: %v", err)
		}
		var audits int
		if err := d.QueryRow(ctx, `SELECT COUNT(*) FROM audit_log WHERE object_type = 'area'`).Scan(&audits); err != nil || audits < 7 {
			t.Errorf("audit lines %d %v", audits, err)
		}
	})
}

func TestRetire(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		root := importedCounty(t, d)
		au := auditor()
		town := byCode(t, d, "439901200000") // 杨桥乡, 3 villages
		gl := byCode(t, d, "439901200203")
		u := mkUser(t, d, "gaoling", auth.RoleGrid, gl.ID)
		_, err := area.Retire(ctx, d, root, au, town.ID, fixedNow)
		if !errors.Is(err, domain.ErrConflict) || !strings.Contains(err.Error(), "gaoling") {
			t.Fatalf("retire with a user: %v", err)
		}
		if _, err := d.Exec(ctx, `UPDATE users SET disabled = 1 WHERE id = ?`, u.ID); err != nil {
			t.Fatal(err)
		}
		n, err := area.Retire(ctx, d, root, au, town.ID, fixedNow)
		if err != nil || n != 4 {
			t.Fatalf("retired %d, %v", n, err)
		}
		if x := byCode(t, d, "439901200203"); !x.Retired {
			t.Error("village not retired with its town")
		}
		if _, err := area.Retire(ctx, d, root, au, town.ID, fixedNow); !errors.Is(err, domain.ErrConflict) {
			t.Errorf("retire twice: %v", err)
		}
		if _, err := area.Retire(ctx, d, root, au, root.ID, fixedNow); !errors.Is(err, domain.ErrInvalid) {
			t.Errorf("retire root: %v", err)
		}
		if _, err := area.AddChild(ctx, d, root, au, town.ID, area.NodeInput{Code: "Z1", Name: "新村"}); !errors.Is(err, domain.ErrInvalid) {
			t.Errorf("add under retired: %v", err)
		}
		// A retired code cannot come back through an import.
		rep, err := importBytes(t, d, root, "t.csv", []byte(head+"439901200203,439901200000,村社区,高岭村,,,,,\n"))
		if !errors.Is(err, area.ErrBadRows) || len(rep.Errors) != 1 {
			t.Errorf("import into retired: %v %+v", err, rep.Errors)
		}
	})
}

func TestMerge(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		root := importedCounty(t, d)
		au := auditor()
		a := byCode(t, d, "439901100202") // 荷塘湾村, 河西
		b := byCode(t, d, "439901101203") // 石桥铺村, 北山
		st2, st3 := byCode(t, d, "439901-PCS02"), byCode(t, d, "439901-PCS03")
		cell, err := area.AddChild(ctx, d, root, au, a.ID, area.NodeInput{Code: "HT-G1", Name: "荷塘第一网格"})
		if err != nil {
			t.Fatal(err)
		}
		grid := mkUser(t, d, "hetang", auth.RoleGrid, a.ID)
		off := mkUser(t, d, "hexi1", auth.RoleDissuader, st2.ID)
		now := time.Date(2026, 12, 5, 2, 0, 0, 0, time.UTC)
		if _, err := d.Exec(ctx, `INSERT INTO duty_shifts (user_id, area_id, duty, starts_at, ends_at) VALUES (?,?,?,?,?)`,
			off.ID, st2.ID, "dissuader", db.Millis(now.Add(-time.Hour)), db.Millis(now.Add(8*time.Hour))); err != nil {
			t.Fatal(err)
		}
		in, err := warning.NewIntake(ctx, d, warning.DefaultPolicy(), func() time.Time { return now })
		if err != nil {
			t.Fatal(err)
		}
		res, err := in.Submit(ctx, []warning.Input{sampleWarning("M-1", "13800000011", "清河县柳湾镇荷塘湾村2组")}, warning.SubmitOptions{})
		if err != nil || res.Items[0].StationID != st2.ID {
			t.Fatalf("submit %+v %v", res, err)
		}
		wid := res.Items[0].ID
		assertWarningArea(t, d, wid, a.ID, st2.ID)

		if _, err := area.Merge(ctx, d, root, au, a.ID, byCode(t, d, "439901100000").ID, now); !errors.Is(err, domain.ErrInvalid) {
			t.Errorf("merge across levels: %v", err)
		}
		if _, err := area.Merge(ctx, d, root, au, a.ID, a.ID, now); !errors.Is(err, domain.ErrInvalid) {
			t.Errorf("merge into itself: %v", err)
		}
		rep, err := area.Merge(ctx, d, root, au, a.ID, b.ID, now)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Children != 1 || rep.Moved["users"] != 1 || rep.Moved["warnings"] != 1 || !rep.From.Retired || rep.From.MergedInto != b.ID {
			t.Errorf("merge report %+v", rep)
		}
		assertWarningArea(t, d, wid, b.ID, st3.ID)
		c := byCode(t, d, "HT-G1")
		if c.ParentID != b.ID || c.StationID != st3.ID || c.FullName != "清河县松岗镇石桥铺村荷塘第一网格" || c.ID != cell.ID {
			t.Errorf("cell after merge %+v", c)
		}
		var uArea int64
		if err := d.QueryRow(ctx, `SELECT area_id FROM users WHERE id = ?`, grid.ID).Scan(&uArea); err != nil || uArea != b.ID {
			t.Errorf("user area %d %v", uArea, err)
		}
		// Retired: no longer routes. The next warning naming it goes to the town.
		res, err = in.Submit(ctx, []warning.Input{sampleWarning("M-2", "13800000012", "清河县柳湾镇荷塘湾村2组")}, warning.SubmitOptions{})
		if err != nil {
			t.Fatal(err)
		}
		var areaID int64
		if err := d.QueryRow(ctx, `SELECT area_id FROM warnings WHERE id = ?`, res.Items[0].ID).Scan(&areaID); err != nil {
			t.Fatal(err)
		}
		if areaID == a.ID {
			t.Error("a merged village still routes")
		}
		if _, err := area.Merge(ctx, d, root, au, a.ID, b.ID, now); !errors.Is(err, domain.ErrInvalid) {
			t.Errorf("merge a retired node: %v", err)
		}

		// Two stations: everything routed to the first goes to the second.
		if _, err := d.Exec(ctx, `UPDATE users SET disabled = 1 WHERE id = ?`, off.ID); err != nil {
			t.Fatal(err)
		}
		rep, err = area.Merge(ctx, d, root, au, st2.ID, st3.ID, now)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Children != 2 || rep.Moved["duty_shifts"] != 1 {
			t.Errorf("station merge %+v", rep)
		}
		if x := byCode(t, d, "439901100201"); x.StationID != st3.ID {
			t.Errorf("village of merged station: station %d", x.StationID)
		}
		var left int
		if err := d.QueryRow(ctx, `SELECT COUNT(*) FROM warnings WHERE station_id = ?`, st2.ID).Scan(&left); err != nil || left != 0 {
			t.Errorf("%d warnings still at the merged station (%v)", left, err)
		}
	})
}

func assertWarningArea(t *testing.T, d *db.DB, id, areaID, stationID int64) {
	t.Helper()
	var a, s int64
	if err := d.QueryRow(context.Background(), `SELECT area_id, COALESCE(station_id, 0) FROM warnings WHERE id = ?`, id).Scan(&a, &s); err != nil {
		t.Fatal(err)
	}
	if a != areaID || s != stationID {
		t.Errorf("warning %d at area %d station %d, want %d / %d", id, a, s, areaID, stationID)
	}
}

func sampleWarning(ref, phone, addr string) warning.Input {
	return warning.Input{Source: warning.SourceUpper, SourceRef: ref, Grade: warning.GradeHigh, FraudType: "police",
		Person: warning.Person{Name: "王秀英", Phone: phone, Address: addr, Age: 68}, Text: "对方自称公安局民警，要求转账到安全账户"}
}

// TestIntakeFollowsTreeEdits: an intake built before the edits routes by a
// new alias, and stops routing to a retired village, with the very next
// warning (the tree's generation counter makes it reload).
func TestIntakeFollowsTreeEdits(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		root := importedCounty(t, d)
		au := auditor()
		now := time.Date(2026, 12, 5, 2, 0, 0, 0, time.UTC)
		in, err := warning.NewIntake(ctx, d, warning.DefaultPolicy(), func() time.Time { return now })
		if err != nil {
			t.Fatal(err)
		}
		// Every village of the testdata routes to its station by the
		// address people write ("清河县柳湾镇杏林村3组").
		k := 0
		for _, st := range testCounty {
			s := byCode(t, d, st.code)
			for _, tw := range st.towns {
				for _, v := range tw.villages {
					k++
					res, err := in.Submit(ctx, []warning.Input{sampleWarning(fmt.Sprintf("R-%d", k), fmt.Sprintf("139%08d", k),
						testCountyName+tw.name+v.name+"3组")}, warning.SubmitOptions{})
					if err != nil {
						t.Fatal(err)
					}
					assertWarningArea(t, d, res.Items[0].ID, byCode(t, d, v.code).ID, s.ID)
					// The village's name alone (every name of the testdata is
					// unique in the county) routes as well.
					res, err = in.Submit(ctx, []warning.Input{sampleWarning(fmt.Sprintf("RV-%d", k), fmt.Sprintf("138%08d", k),
						v.name+"12号")}, warning.SubmitOptions{})
					if err != nil {
						t.Fatal(err)
					}
					assertWarningArea(t, d, res.Items[0].ID, byCode(t, d, v.code).ID, s.ID)
				}
			}
		}
		xl := byCode(t, d, "439901100201") // 杏林村
		st2 := byCode(t, d, "439901-PCS02")
		// An alias the tree does not know yet: not routed to the village.
		res, err := in.Submit(ctx, []warning.Input{sampleWarning("A-1", "13700000001", "杏花岭7号")}, warning.SubmitOptions{})
		if err != nil {
			t.Fatal(err)
		}
		assertWarningArea(t, d, res.Items[0].ID, root.ID, 0)
		if _, err := area.Update(ctx, d, root, au, xl.ID, area.NodeInput{Name: xl.Name, Aliases: "杏林；杏花岭", Figures: area.Figures{Population: xl.Population}}); err != nil {
			t.Fatal(err)
		}
		res, err = in.Submit(ctx, []warning.Input{sampleWarning("A-2", "13700000002", "杏花岭7号")}, warning.SubmitOptions{})
		if err != nil {
			t.Fatal(err)
		}
		assertWarningArea(t, d, res.Items[0].ID, xl.ID, st2.ID)
		// Retired: the next warning naming it stops at its town.
		if _, err := area.Retire(ctx, d, root, au, xl.ID, now); err != nil {
			t.Fatal(err)
		}
		res, err = in.Submit(ctx, []warning.Input{sampleWarning("A-3", "13700000003", "清河县柳湾镇杏林村3组")}, warning.SubmitOptions{})
		if err != nil {
			t.Fatal(err)
		}
		assertWarningArea(t, d, res.Items[0].ID, byCode(t, d, "439901100000").ID, st2.ID)
	})
}
