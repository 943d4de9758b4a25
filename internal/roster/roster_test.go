package roster_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/db/dbtest"
	"github.com/fanzha/fanzha/internal/domain"
	"github.com/fanzha/fanzha/internal/notify"
	"github.com/fanzha/fanzha/internal/roster"
	"github.com/fanzha/fanzha/internal/warning"
	"github.com/fanzha/fanzha/internal/zone"
)

// county is a small tree: the centre, two stations with a town and a
// village each, two dissuaders and a head at station A, one dissuader at
// B, two duty officers at the centre, and an admin.
type county struct {
	d              *db.DB
	root, stA, stB area.Node
	a1, a2, headA  auth.User
	b1             auth.User
	duty1, duty2   auth.User
	admin          auth.User
	now            time.Time // Monday 2026-12-07 10:00 in Shanghai
}

func sh(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, zone.Shanghai)
	if err != nil {
		panic(err)
	}
	return t.UTC()
}

func newCounty(t *testing.T, d *db.DB) *county {
	t.Helper()
	ctx := context.Background()
	auth.BcryptCost = 4
	c := &county{d: d, now: sh("2026-12-07 10:00")}
	mk := func(n *area.Node) {
		t.Helper()
		if err := area.Create(ctx, d, n); err != nil {
			t.Fatal(err)
		}
	}
	c.root = area.Node{Level: area.County, Kind: "县", Code: "330000", Name: "云溪县"}
	mk(&c.root)
	c.stA = area.Node{ParentID: c.root.ID, Level: area.Station, Kind: "派出所", Code: "S1", Name: "青石派出所"}
	mk(&c.stA)
	c.stB = area.Node{ParentID: c.root.ID, Level: area.Station, Kind: "派出所", Code: "S2", Name: "城关派出所"}
	mk(&c.stB)
	townA := area.Node{ParentID: c.stA.ID, Level: area.Town, Kind: "镇", Code: "T1", Name: "青石镇", Aliases: "青石"}
	mk(&townA)
	vA := area.Node{ParentID: townA.ID, Level: area.Village, Kind: "村", Code: "V1", Name: "李家村"}
	mk(&vA)
	townB := area.Node{ParentID: c.stB.ID, Level: area.Town, Kind: "街道", Code: "T2", Name: "城关街道", Aliases: "城关"}
	mk(&townB)
	user := func(name string, role auth.Role, areaID int64) auth.User {
		u, err := auth.CreateUser(ctx, d, auth.NewUser{Username: name, DisplayName: name, Role: role, AreaID: areaID})
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	c.a1 = user("a1", auth.RoleDissuader, c.stA.ID)
	c.a2 = user("a2", auth.RoleDissuader, vA.ID)
	c.headA = user("heada", auth.RoleStationHead, c.stA.ID)
	c.b1 = user("b1", auth.RoleDissuader, c.stB.ID)
	c.duty1 = user("duty1", auth.RoleDuty, c.root.ID)
	c.duty2 = user("duty2", auth.RoleDuty, c.root.ID)
	c.admin = user("admin", auth.RoleAdmin, c.root.ID)
	return c
}

func (c *county) actor(u auth.User) roster.Actor {
	n, _ := area.Get(context.Background(), c.d, u.AreaID)
	return roster.Actor{Scope: n, Audit: auth.AuditEntry{UserID: u.ID, Username: u.Username, Role: u.Role}, Now: c.now}
}

// tx runs fn in a transaction.
func (c *county) tx(t *testing.T, fn func(q db.Querier) error) error {
	t.Helper()
	return c.d.InTx(context.Background(), func(tx *db.Tx) error { return fn(tx) })
}

func (c *county) mustTx(t *testing.T, fn func(q db.Querier) error) {
	t.Helper()
	if err := c.tx(t, fn); err != nil {
		t.Fatal(err)
	}
}

func (c *county) addShift(t *testing.T, u auth.User, duty roster.Duty, from, to string) int64 {
	t.Helper()
	var id int64
	c.mustTx(t, func(q db.Querier) error {
		var err error
		id, err = roster.AddShift(context.Background(), q, c.actor(c.admin), roster.ShiftInput{UserID: u.ID, Duty: duty, Start: sh(from), End: sh(to)})
		return err
	})
	return id
}

func onDutyUsers(t *testing.T, d *db.DB, at time.Time) map[int64]bool {
	t.Helper()
	slots, err := roster.OnDuty(context.Background(), d, at)
	if err != nil {
		t.Fatal(err)
	}
	out := map[int64]bool{}
	for _, s := range slots {
		out[s.UserID] = true
	}
	return out
}

func TestShiftsLeaveAndSwap(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		c := newCounty(t, d)
		g0, _ := db.Generations(ctx, d)
		id := c.addShift(t, c.a1, roster.Dissuader, "2026-12-07 08:00", "2026-12-07 16:00")
		g1, _ := db.Generations(ctx, d)
		if g1[db.GenRoster] <= g0[db.GenRoster] {
			t.Fatal("adding a shift did not bump the roster generation")
		}
		s, err := roster.GetShift(ctx, d, c.root, id)
		if err != nil || s.AreaID != c.stA.ID || s.Source != "manual" {
			t.Fatalf("shift %+v, %v: want at 青石派出所 (the officer's station)", s, err)
		}
		if !onDutyUsers(t, d, c.now)[c.a1.ID] {
			t.Fatal("a1 not on duty during the shift")
		}
		// Overlap with the same officer's shift: refused.
		err = c.tx(t, func(q db.Querier) error {
			_, err := roster.AddShift(ctx, q, c.actor(c.admin), roster.ShiftInput{UserID: c.a1.ID, Duty: roster.Dissuader,
				Start: sh("2026-12-07 15:00"), End: sh("2026-12-07 20:00")})
			return err
		})
		if !errors.Is(err, domain.ErrConflict) {
			t.Fatalf("overlapping shift: %v", err)
		}
		// Over 24 hours, and end before start: refused.
		for _, iv := range [][2]string{{"2026-12-08 08:00", "2026-12-09 09:00"}, {"2026-12-08 08:00", "2026-12-08 07:00"}} {
			err = c.tx(t, func(q db.Querier) error {
				_, err := roster.AddShift(ctx, q, c.actor(c.admin), roster.ShiftInput{UserID: c.a1.ID, Duty: roster.Dissuader, Start: sh(iv[0]), End: sh(iv[1])})
				return err
			})
			if !errors.Is(err, domain.ErrInvalid) {
				t.Fatalf("shift %v: %v", iv, err)
			}
		}
		// Leave: off duty, whatever the shift says; the shift is cut.
		var leaveID int64
		c.mustTx(t, func(q db.Querier) error {
			var err error
			leaveID, err = roster.AddLeave(ctx, q, c.actor(c.admin), c.a1.ID, sh("2026-12-07 09:00"), sh("2026-12-07 12:00"), "病假")
			return err
		})
		if onDutyUsers(t, d, c.now)[c.a1.ID] {
			t.Fatal("a1 on leave but on duty")
		}
		if !onDutyUsers(t, d, sh("2026-12-07 13:00"))[c.a1.ID] {
			t.Fatal("a1 back from leave but not on duty")
		}
		slots, _ := roster.Window(ctx, d, sh("2026-12-07 00:00"), sh("2026-12-08 00:00"))
		if len(slots) != 2 {
			t.Fatalf("leave should split the shift in two slots: %+v", slots)
		}
		c.mustTx(t, func(q db.Querier) error { return roster.DeleteLeave(ctx, q, c.actor(c.admin), leaveID) })
		if !onDutyUsers(t, d, c.now)[c.a1.ID] {
			t.Fatal("leave cancelled, a1 should be on duty again")
		}
		// Swap to a2 (bound under the station, at a village): allowed.
		c.mustTx(t, func(q db.Querier) error { return roster.SwapShift(ctx, q, c.actor(c.admin), id, c.a2.ID) })
		if on := onDutyUsers(t, d, c.now); on[c.a1.ID] || !on[c.a2.ID] {
			t.Fatalf("after swap: %v", on)
		}
		// Swap to b1 (another station): refused.
		err = c.tx(t, func(q db.Querier) error { return roster.SwapShift(ctx, q, c.actor(c.admin), id, c.b1.ID) })
		if !errors.Is(err, domain.ErrInvalid) {
			t.Fatalf("swap to another station's officer: %v", err)
		}
		// A disabled officer never counts.
		if _, err := d.Exec(ctx, `UPDATE users SET disabled = 1 WHERE id = ?`, c.a2.ID); err != nil {
			t.Fatal(err)
		}
		if onDutyUsers(t, d, c.now)[c.a2.ID] {
			t.Fatal("disabled officer on duty")
		}
		if _, err := d.Exec(ctx, `UPDATE users SET disabled = 0 WHERE id = ?`, c.a2.ID); err != nil {
			t.Fatal(err)
		}
		// Edit and delete.
		c.mustTx(t, func(q db.Querier) error {
			return roster.EditShift(ctx, q, c.actor(c.admin), id, sh("2026-12-07 07:00"), sh("2026-12-07 15:00"))
		})
		c.mustTx(t, func(q db.Querier) error { return roster.DeleteShift(ctx, q, c.actor(c.admin), id) })
		if _, err := roster.GetShift(ctx, d, c.root, id); !errors.Is(err, domain.ErrNotFound) {
			t.Fatalf("deleted shift: %v", err)
		}
		var audits int
		_ = d.QueryRow(ctx, `SELECT COUNT(*) FROM audit_log WHERE object_type IN ('duty_shift', 'roster_leave')`).Scan(&audits)
		if audits < 6 {
			t.Fatalf("%d audit lines for 6 changes", audits)
		}
	})
}

func TestStationHeadJurisdiction(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		c := newCounty(t, d)
		head := c.actor(c.headA)
		// Own station: allowed.
		c.mustTx(t, func(q db.Querier) error {
			_, err := roster.AddShift(ctx, q, head, roster.ShiftInput{UserID: c.a1.ID, Duty: roster.Dissuader, Start: sh("2026-12-07 08:00"), End: sh("2026-12-07 16:00")})
			return err
		})
		// Another station's officer, or the centre: not found (outside the jurisdiction).
		for _, in := range []roster.ShiftInput{
			{UserID: c.b1.ID, Duty: roster.Dissuader, Start: sh("2026-12-07 08:00"), End: sh("2026-12-07 16:00")},
			{UserID: c.duty1.ID, Duty: roster.DutyOfficer, Start: sh("2026-12-07 08:00"), End: sh("2026-12-07 16:00")},
			{AreaID: c.stB.ID, UserID: c.a1.ID, Duty: roster.Dissuader, Start: sh("2026-12-08 08:00"), End: sh("2026-12-08 16:00")},
		} {
			err := c.tx(t, func(q db.Querier) error { _, err := roster.AddShift(ctx, q, head, in); return err })
			if !errors.Is(err, domain.ErrNotFound) {
				t.Fatalf("station head adding %+v: %v", in, err)
			}
		}
		// B's shift is invisible to A's head: neither listed nor deletable.
		bID := c.addShift(t, c.b1, roster.Dissuader, "2026-12-07 08:00", "2026-12-07 16:00")
		list, _ := roster.ListShifts(ctx, d, head.Scope, 0, sh("2026-12-07 00:00"), sh("2026-12-08 00:00"))
		if len(list) != 1 || list[0].UserID != c.a1.ID {
			t.Fatalf("station head sees %+v", list)
		}
		if err := c.tx(t, func(q db.Querier) error { return roster.DeleteShift(ctx, q, head, bID) }); !errors.Is(err, domain.ErrNotFound) {
			t.Fatalf("station head deleting another station's shift: %v", err)
		}
		if err := c.tx(t, func(q db.Querier) error {
			_, err := roster.AddLeave(ctx, q, head, c.b1.ID, sh("2026-12-07 08:00"), sh("2026-12-08 08:00"), "")
			return err
		}); !errors.Is(err, domain.ErrNotFound) {
			t.Fatalf("station head putting another station's officer on leave: %v", err)
		}
		if err := c.tx(t, func(q db.Querier) error {
			_, err := roster.AddPattern(ctx, q, head, roster.PatternInput{UserID: c.b1.ID, Duty: roster.Dissuader, Weekdays: roster.AllWeek,
				Start: "08:00", Hours: 8, From: "2026-12-07"})
			return err
		}); !errors.Is(err, domain.ErrNotFound) {
			t.Fatalf("station head adding a pattern for another station: %v", err)
		}
		// Gaps: the head sees their station only, never the centre.
		gaps, _ := roster.Gaps(ctx, d, head.Scope, c.now, c.now.Add(24*time.Hour))
		for _, g := range gaps {
			if g.AreaID != c.stA.ID {
				t.Fatalf("station head sees gap of %s", g.AreaName)
			}
		}
		// The centre's duty officers stand duty at the centre only.
		if err := c.tx(t, func(q db.Querier) error {
			_, err := roster.AddShift(ctx, q, c.actor(c.admin), roster.ShiftInput{AreaID: c.stA.ID, UserID: c.duty1.ID, Duty: roster.Dissuader,
				Start: sh("2026-12-07 08:00"), End: sh("2026-12-07 16:00")})
			return err
		}); !errors.Is(err, domain.ErrInvalid) {
			t.Fatalf("duty officer at a station: %v", err)
		}
	})
}

func TestPatternsMaterialiseIdempotent(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		c := newCounty(t, d)
		var pid int64
		c.mustTx(t, func(q db.Querier) error {
			var err error
			pid, err = roster.AddPattern(ctx, q, c.actor(c.admin), roster.PatternInput{UserID: c.a1.ID, Duty: roster.Dissuader,
				Weekdays: roster.AllWeek, Start: "22:00", Hours: 10, From: "2026-12-01"})
			return err
		})
		count := func() int {
			var n int
			_ = d.QueryRow(ctx, `SELECT COUNT(*) FROM duty_shifts WHERE pattern_id = ?`, pid).Scan(&n)
			return n
		}
		// Today's 22:00 through the horizon (21 days from 10:00 today).
		if n := count(); n != 21 {
			t.Fatalf("%d shifts materialised, want 21", n)
		}
		// Overnight: on duty at 03:00 the next morning.
		if !onDutyUsers(t, d, sh("2026-12-08 03:00"))[c.a1.ID] {
			t.Fatal("overnight shift does not cover 03:00")
		}
		// Two materialisers at once (two replicas), and again: nothing added.
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i := range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = roster.MaterialiseAhead(ctx, d, c.now)
			}()
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil && !strings.Contains(err.Error(), "locked") && !strings.Contains(err.Error(), "busy") {
				t.Fatal(err)
			}
		}
		if n := count(); n != 21 {
			t.Fatalf("%d shifts after concurrent materialisers, want 21", n)
		}
		// A week later the worker extends the horizon by a week.
		if n, err := roster.MaterialiseAhead(ctx, d, c.now.Add(7*24*time.Hour)); err != nil || n != 7 {
			t.Fatalf("a week later: %d new, %v", n, err)
		}
		// An occurrence deleted by hand is not put back.
		list, _ := roster.ListShifts(ctx, d, c.root, c.stA.ID, sh("2026-12-09 12:00"), sh("2026-12-09 23:00"))
		if len(list) != 1 {
			t.Fatalf("shifts on 12-09: %+v", list)
		}
		c.mustTx(t, func(q db.Querier) error { return roster.DeleteShift(ctx, q, c.actor(c.admin), list[0].ID) })
		if n, _ := roster.MaterialiseAhead(ctx, d, c.now); n != 0 {
			t.Fatalf("deleted occurrence recreated (%d)", n)
		}
		// Ending the pattern removes its shifts that have not begun.
		c.mustTx(t, func(q db.Querier) error { return roster.DeletePattern(ctx, q, c.actor(c.admin), pid) })
		var left int
		_ = d.QueryRow(ctx, `SELECT COUNT(*) FROM duty_shifts WHERE pattern_id = ? AND starts_at >= ?`, pid, db.Millis(c.now)).Scan(&left)
		if left != 0 {
			t.Fatalf("%d future shifts of a deleted pattern", left)
		}
		if n, _ := roster.MaterialiseAhead(ctx, d, c.now); n != 0 {
			t.Fatalf("deleted pattern materialised (%d)", n)
		}
		// Until date: a pattern ending on Wednesday makes Mon..Wed only, and
		// never double-books: b1's own shift on Tuesday keeps Tuesday's out.
		c.addShift(t, c.b1, roster.Dissuader, "2026-12-08 10:00", "2026-12-08 12:00")
		c.mustTx(t, func(q db.Querier) error {
			var err error
			pid, err = roster.AddPattern(ctx, q, c.actor(c.admin), roster.PatternInput{UserID: c.b1.ID, Duty: roster.Dissuader,
				Weekdays: roster.AllWeek, Start: "08:00", Hours: 8, From: "2026-12-07", Until: "2026-12-09"})
			return err
		})
		if n := count(); n != 2 {
			t.Fatalf("%d shifts of a pattern until 12-09, want 2 (Monday and Wednesday)", n)
		}
	})
}

func TestCopyForward(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		c := newCounty(t, d)
		c.addShift(t, c.a1, roster.Dissuader, "2026-12-07 08:00", "2026-12-07 16:00") // Monday
		c.addShift(t, c.a2, roster.Dissuader, "2026-12-13 22:00", "2026-12-14 06:00") // Sunday night
		c.addShift(t, c.b1, roster.Dissuader, "2026-12-21 08:00", "2026-12-21 16:00") // already there in week 3
		c.addShift(t, c.b1, roster.Dissuader, "2026-12-07 08:00", "2026-12-07 16:00")
		var res roster.CopyResult
		c.mustTx(t, func(q db.Querier) error {
			var err error
			res, err = roster.CopyWeek(ctx, q, c.actor(c.admin), 0, "2026-12-09", 3)
			return err
		})
		if res.Created != 8 || res.Skipped != 1 {
			t.Fatalf("copy: %+v, want 8 created and 1 skipped", res)
		}
		list, _ := roster.ListShifts(ctx, d, c.root, c.stA.ID, sh("2026-12-28 06:00"), sh("2027-01-04 00:00"))
		if len(list) != 2 || !list[0].Start.Equal(sh("2026-12-28 08:00")) || !list[1].Start.Equal(sh("2027-01-03 22:00")) || list[1].Source != "copy" {
			t.Fatalf("week 4 after copy: %+v", list)
		}
		// A station head copies only their station.
		c.mustTx(t, func(q db.Querier) error {
			var err error
			res, err = roster.CopyWeek(ctx, q, c.actor(c.headA), 0, "2026-12-07", 4)
			return err
		})
		if res.Created != 2 || res.Skipped != 6 {
			t.Fatalf("head's copy: %+v", res)
		}
	})
}

func TestImportBadRows(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		c := newCounty(t, d)
		c.addShift(t, c.b1, roster.Dissuader, "2026-12-08 08:00", "2026-12-08 16:00")
		if _, err := d.Exec(ctx, `UPDATE users SET disabled = 1 WHERE id = ?`, c.a2.ID); err != nil {
			t.Fatal(err)
		}
		file := "用户名,开始,结束,岗位,所属\n" +
			"a1,2026-12-08 08:00,2026-12-08 16:00,,\n" + // 2 good
			"nobody,2026-12-08 08:00,2026-12-08 16:00,,\n" + // 3 unknown user
			"a2,2026-12-08 08:00,2026-12-08 16:00,,\n" + // 4 disabled
			"a1,2026-12-09 16:00,2026-12-09 08:00,,\n" + // 5 end before start
			"a1,2026-12-10 08:00,2026-12-11 09:00,,\n" + // 6 over 24 h
			"a1,2026-12-08 12:00,2026-12-08 20:00,,\n" + // 7 overlaps row 2
			"b1,2026-12-08 15:00,2026-12-08 23:00,,\n" + // 8 overlaps the roster
			"a1,12/08 08:00,2026-12-08 16:00,,\n" + // 9 bad time
			"duty1,2026-12-08 08:00,2026-12-08 16:00,,\n" + // 10 good: 值班 at the centre
			"a1,2026-12-12 08:00,2026-12-12 16:00,巡逻,\n" + // 11 bad duty
			"a1,2026-12-13 08:00,2026-12-13 16:00,劝阻,S2\n" // 12 a1 is not at S2
		var rep roster.ImportReport
		err := c.tx(t, func(q db.Querier) error {
			var err error
			rep, err = roster.Import(ctx, q, c.actor(c.admin), "roster.csv", strings.NewReader(file))
			return err
		})
		if !errors.Is(err, domain.ErrInvalid) {
			t.Fatalf("import with bad rows: %v", err)
		}
		want := map[int]string{3: "不存在", 4: "停用", 5: "晚于", 6: "24 小时", 7: "第 2 行", 8: "重叠", 9: "格式", 11: "岗位", 12: "不属于"}
		if len(rep.Bad) != len(want) {
			t.Fatalf("bad rows %+v, want rows %v", rep.Bad, want)
		}
		for _, b := range rep.Bad {
			if w, ok := want[b.Row]; !ok || !strings.Contains(b.Reason, w) {
				t.Errorf("row %d: %q, want it to mention %q", b.Row, b.Reason, w)
			}
		}
		var n int
		_ = d.QueryRow(ctx, `SELECT COUNT(*) FROM duty_shifts`).Scan(&n)
		if n != 1 {
			t.Fatalf("%d shifts after a failed import, want only the 1 there before", n)
		}
		// A good file (GBK) imports everything; export writes it back.
		good := "用户名,开始,结束\na1,2026-12-08 08:00,2026-12-08 16:00\nduty1,2026-12-08 08:00,2026-12-08 20:00\n"
		c.mustTx(t, func(q db.Querier) error {
			var err error
			rep, err = roster.Import(ctx, q, c.actor(c.admin), "roster.csv", strings.NewReader(toGBK(t, good)))
			return err
		})
		if rep.Created != 2 || rep.Encoding == "utf-8" {
			t.Fatalf("good import: %+v", rep)
		}
		rows, err := roster.ExportRows(ctx, d, c.root, sh("2026-12-08 00:00"), sh("2026-12-09 00:00"))
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]bool{}
		for _, r := range rows {
			got[strings.Join(r, ",")] = true
		}
		for _, w := range []string{"a1,2026-12-08 08:00,2026-12-08 16:00,劝阻,S1", "duty1,2026-12-08 08:00,2026-12-08 20:00,值班,330000",
			"b1,2026-12-08 08:00,2026-12-08 16:00,劝阻,S2"} {
			if !got[w] {
				t.Errorf("export lacks %q: %v", w, rows)
			}
		}
		// The export imports into an empty roster as the same shifts.
		var buf strings.Builder
		if err := roster.WriteCSV(&buf, rows); err != nil {
			t.Fatal(err)
		}
		if _, err := d.Exec(ctx, `DELETE FROM duty_shifts`); err != nil {
			t.Fatal(err)
		}
		c.mustTx(t, func(q db.Querier) error {
			var err error
			rep, err = roster.Import(ctx, q, c.actor(c.admin), "export.csv", strings.NewReader(buf.String()))
			return err
		})
		again, _ := roster.ExportRows(ctx, d, c.root, sh("2026-12-08 00:00"), sh("2026-12-09 00:00"))
		if rep.Created != 3 || len(again) != 3 {
			t.Fatalf("round trip: %+v, %v", rep, again)
		}
	})
}

func TestGapsAndWatcher(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		c := newCounty(t, d)
		// Station A covered 00:00–24:00 on Monday except 16:00–18:00; B and
		// the centre covered for two days.
		c.addShift(t, c.a1, roster.Dissuader, "2026-12-05 12:00", "2026-12-06 08:00")
		c.addShift(t, c.a2, roster.Dissuader, "2026-12-06 08:00", "2026-12-07 00:00")
		c.addShift(t, c.a1, roster.Dissuader, "2026-12-07 00:00", "2026-12-07 16:00")
		c.addShift(t, c.a2, roster.Dissuader, "2026-12-07 18:00", "2026-12-08 18:00")
		c.addShift(t, c.a1, roster.Dissuader, "2026-12-08 18:00", "2026-12-09 12:00")
		for _, day := range []string{"2026-12-06", "2026-12-07", "2026-12-08"} {
			c.addShift(t, c.b1, roster.Dissuader, day+" 00:00", day+" 23:59")
			c.addShift(t, c.duty1, roster.DutyOfficer, day+" 00:00", day+" 12:00")
			c.addShift(t, c.duty2, roster.DutyOfficer, day+" 12:00", day+" 23:59")
		}
		c.addShift(t, c.b1, roster.Dissuader, "2026-12-06 23:59", "2026-12-07 00:00")
		c.addShift(t, c.b1, roster.Dissuader, "2026-12-07 23:59", "2026-12-08 00:00")
		c.addShift(t, c.b1, roster.Dissuader, "2026-12-08 23:59", "2026-12-09 12:00")
		c.addShift(t, c.duty1, roster.DutyOfficer, "2026-12-06 23:59", "2026-12-07 00:00")
		c.addShift(t, c.duty1, roster.DutyOfficer, "2026-12-07 23:59", "2026-12-08 00:00")
		c.addShift(t, c.duty1, roster.DutyOfficer, "2026-12-08 23:59", "2026-12-09 12:00")
		gaps, err := roster.Gaps(ctx, d, c.root, c.now, c.now.Add(24*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if len(gaps) != 1 || gaps[0].AreaID != c.stA.ID || !gaps[0].Start.Equal(sh("2026-12-07 16:00")) || !gaps[0].End.Equal(sh("2026-12-07 18:00")) {
			t.Fatalf("gaps: %+v", gaps)
		}
		// Leave opens a gap at the centre.
		c.mustTx(t, func(q db.Querier) error {
			_, err := roster.AddLeave(ctx, q, c.actor(c.admin), c.duty2.ID, sh("2026-12-07 20:00"), sh("2026-12-07 21:00"), "事假")
			return err
		})
		gaps, _ = roster.Gaps(ctx, d, c.root, c.now, c.now.Add(24*time.Hour))
		if len(gaps) != 2 || gaps[1].AreaID != c.root.ID || gaps[1].Duty != roster.DutyOfficer {
			t.Fatalf("gaps with leave: %+v", gaps)
		}
		// The watcher: two sweepers (two replicas) with a fixed clock.
		clock := sh("2026-12-06 15:00") // more than 24 h before the gap at A
		target := []notify.Target{{URL: "http://127.0.0.1:1/hook", Format: notify.FormatJSON}}
		mk := func() *roster.GapWatch {
			return &roster.GapWatch{DB: d, Targets: func(context.Context) []notify.Target { return target }, BaseURL: "http://fanzha",
				Now: func() time.Time { return clock }}
		}
		w1, w2 := mk(), mk()
		outbox := func() int {
			var n int
			_ = d.QueryRow(ctx, `SELECT COUNT(*) FROM outbox WHERE kind = 'roster_gap'`).Scan(&n)
			return n
		}
		if sent, err := w1.Sweep(ctx); err != nil || len(sent) != 0 {
			t.Fatalf("sweep more than 24 h ahead sent %+v, %v", sent, err)
		}
		clock = sh("2026-12-06 16:30") // gap at A within 24 h, centre gap not yet
		var wg sync.WaitGroup
		for _, w := range []*roster.GapWatch{w1, w2} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					_, err := w.Sweep(ctx)
					if err == nil || (!strings.Contains(err.Error(), "locked") && !strings.Contains(err.Error(), "busy")) {
						if err != nil {
							t.Error(err)
						}
						return
					}
				}
			}()
		}
		wg.Wait()
		if n := outbox(); n != 1 {
			t.Fatalf("%d messages for one gap and two sweepers", n)
		}
		var payload string
		_ = d.QueryRow(ctx, `SELECT payload FROM outbox WHERE kind = 'roster_gap'`).Scan(&payload)
		if !strings.Contains(payload, "青石派出所") || !strings.Contains(payload, "/admin/roster?area=") {
			t.Fatalf("message: %s", payload)
		}
		// Later sweeps before the gap begins send nothing new for it.
		clock = sh("2026-12-07 10:00")
		if _, err := w2.Sweep(ctx); err != nil {
			t.Fatal(err)
		}
		if n := outbox(); n != 2 { // the centre's gap at 20:00 is now within 24 h
			t.Fatalf("%d messages, want 2 (A's gap once, the centre's once)", n)
		}
		// The centre's gap filled: nothing more; A's gap is also covered now.
		c.addShift(t, c.headA, roster.Dissuader, "2026-12-07 16:00", "2026-12-07 18:00")
		clock = sh("2026-12-07 12:00")
		if sent, _ := w1.Sweep(ctx); len(sent) != 0 {
			t.Fatalf("sent %+v with everything covered", sent)
		}
		if n := outbox(); n != 2 {
			t.Fatalf("%d messages", n)
		}
	})
}

// TestIntakeFollowsRosterEdits: an intake made before the change assigns
// the very next warning by the roster as edited.
func TestIntakeFollowsRosterEdits(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		c := newCounty(t, d)
		c.addShift(t, c.a1, roster.Dissuader, "2026-12-07 08:00", "2026-12-07 16:00")
		in, err := warning.NewIntake(ctx, d, warning.DefaultPolicy(), func() time.Time { return c.now })
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		submit := func() int64 {
			t.Helper()
			n++
			phone := "1380000" + strings.Repeat("0", 4-len(itoa(n))) + itoa(n)
			res, err := in.Submit(ctx, []warning.Input{{Source: warning.SourceUpper, SourceRef: "R-" + itoa(n), Grade: warning.GradeHigh,
				FraudType: "police", Person: warning.Person{Name: "王秀英", Phone: phone, Address: "云溪县青石镇李家村3组", Age: 68},
				Text: "冒充公检法"}}, warning.SubmitOptions{})
			if err != nil {
				t.Fatal(err)
			}
			return res.Items[0].AssigneeID
		}
		if got := submit(); got != c.a1.ID {
			t.Fatalf("first warning assigned to %d, want a1 %d", got, c.a1.ID)
		}
		// a1 goes on leave: the next warning has nobody at A (centre queue).
		c.mustTx(t, func(q db.Querier) error {
			_, err := roster.AddLeave(ctx, q, c.actor(c.headA), c.a1.ID, sh("2026-12-07 09:00"), sh("2026-12-07 18:00"), "外出")
			return err
		})
		if got := submit(); got != 0 {
			t.Fatalf("a1 on leave, yet warning assigned to %d", got)
		}
		// a2 added to the roster: the next warning is theirs.
		c.mustTx(t, func(q db.Querier) error {
			_, err := roster.AddShift(ctx, q, c.actor(c.headA), roster.ShiftInput{UserID: c.a2.ID, Duty: roster.Dissuader,
				Start: sh("2026-12-07 09:30"), End: sh("2026-12-07 17:30")})
			return err
		})
		if got := submit(); got != c.a2.ID {
			t.Fatalf("a2 added, yet warning assigned to %d", got)
		}
	})
}

func itoa(n int) string {
	s := ""
	for {
		s = string(rune('0'+n%10)) + s
		n /= 10
		if n == 0 {
			return s
		}
	}
}

func toGBK(t *testing.T, s string) string {
	t.Helper()
	b, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
