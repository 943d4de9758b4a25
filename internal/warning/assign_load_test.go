package warning

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/db/dbtest"
	"github.com/fanzha/fanzha/internal/roster"
)

// openLoads counts the open warnings of each officer from the warnings
// themselves.
func openLoads(t *testing.T, d *db.DB, ids ...int64) map[int64]int {
	t.Helper()
	out := map[int64]int{}
	for _, id := range ids {
		var n int
		if err := d.QueryRow(context.Background(), `SELECT COUNT(*) FROM warnings WHERE status = 'open' AND assignee_id = ?`, id).Scan(&n); err != nil {
			t.Fatal(err)
		}
		out[id] = n
	}
	return out
}

// dutyOfficer creates a dissuader of the station on duty around the test
// county's clock.
func (c *testCounty) dutyOfficer(t *testing.T, name string, station int64) auth.User {
	t.Helper()
	ctx := context.Background()
	u, err := auth.CreateUser(ctx, c.d, auth.NewUser{Username: name, DisplayName: name, Role: auth.RoleDissuader, AreaID: station, Password: "pw-" + name})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.d.Exec(ctx, `INSERT INTO duty_shifts (user_id, area_id, duty, starts_at, ends_at) VALUES (?,?,?,?,?)`,
		u.ID, station, "dissuader", db.Millis(c.now.Add(-4*time.Hour)), db.Millis(c.now.Add(8*time.Hour))); err != nil {
		t.Fatal(err)
	}
	return u
}

// Two intake instances on one PostgreSQL database (two connection pools, as
// two fanzha processes) take 200 warnings for one station with four
// on-duty dissuaders at the same time, after one officer closed some of his
// warnings: the open loads end at most 1 apart. Then a shift added through
// replica A is used by replica B's next assignment.
func TestTwoReplicasBalanceLoad(t *testing.T) {
	d := dbtest.Postgres(t)
	ctx := context.Background()
	c := newTestCounty(t, d)
	a3 := c.dutyOfficer(t, "a3", c.stA.ID)
	a4 := c.dutyOfficer(t, "a4", c.stA.ID)
	a5, err := auth.CreateUser(ctx, d, auth.NewUser{Username: "a5", DisplayName: "a5", Role: auth.RoleDissuader, AreaID: c.stA.ID, Password: "pw-a5"})
	if err != nil {
		t.Fatal(err)
	}
	officers := []int64{c.offA1.ID, c.offA2.ID, a3.ID, a4.ID}
	d2, err := db.Open(ctx, d.DSN, "")
	if err != nil {
		t.Fatal(err)
	}
	defer d2.Close()
	inA := c.intake
	inB, err := NewIntake(ctx, d2, DefaultPolicy(), c.intake.now)
	if err != nil {
		t.Fatal(err)
	}
	seq := 0
	one := func(in *Intake) (ItemResult, error) {
		seq++
		res, err := in.Submit(ctx, []Input{sample(fmt.Sprintf("L-%d", seq), fmt.Sprintf("1392222%04d", seq), "青石镇李家村")}, SubmitOptions{})
		return res.Items[0], err
	}
	// Both replicas have taken warnings before (whatever they keep in
	// memory is warm).
	for range 20 {
		for _, in := range []*Intake{inA, inB} {
			if _, err := one(in); err != nil {
				t.Fatal(err)
			}
		}
	}
	// a1 closes 8 of his warnings.
	ids, err := db.Int64s(must(d.Query(ctx, `SELECT id FROM warnings WHERE assignee_id = ? AND status = 'open' ORDER BY id LIMIT 8`, c.offA1.ID)))
	if err != nil || len(ids) != 8 {
		t.Fatalf("a1's warnings %v: %v", ids, err)
	}
	for _, id := range ids {
		if _, err := SetOutcome(ctx, d, DefaultPolicy(), c.actor(c.offA1), id, OutcomeInput{Outcome: OutcomeDissuaded}, c.now); err != nil {
			t.Fatal(err)
		}
	}

	// 200 warnings at once, two of every three through A.
	var wg sync.WaitGroup
	errs := make(chan error, 200)
	for i := range 200 {
		in := inA
		if i%3 == 2 {
			in = inB
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := in.Submit(ctx, []Input{sample(fmt.Sprintf("C-%d", i), fmt.Sprintf("1393333%04d", i), "青石镇李家村")}, SubmitOptions{})
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	loads := openLoads(t, d, officers...)
	lo, hi := 1<<30, 0
	total := 0
	for _, n := range loads {
		lo, hi, total = min(lo, n), max(hi, n), total+n
	}
	if total != 40-8+200 {
		t.Fatalf("open warnings of the station's officers %d, want %d (%v)", total, 40-8+200, loads)
	}
	if hi-lo > 1 {
		t.Fatalf("open loads %v: the most loaded has %d more than the least (want at most 1)", loads, hi-lo)
	}

	// A shift added on A is in force for B's very next assignment: the new
	// officer has no open warning, so B gives him the next one.
	root, err := area.Root(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	ra := roster.Actor{Scope: root, Audit: auth.AuditEntry{Username: "admin", Role: auth.RoleAdmin}, Now: c.now}
	if _, err := roster.AddShift(ctx, d, ra, roster.ShiftInput{AreaID: c.stA.ID, UserID: a5.ID, Duty: roster.Dissuader,
		Start: c.now.Add(-time.Hour), End: c.now.Add(4 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	it, err := one(inB)
	if err != nil {
		t.Fatal(err)
	}
	if it.AssigneeID != a5.ID {
		t.Fatalf("B assigned the warning after A's roster change to %d, want the officer just put on duty %d", it.AssigneeID, a5.ID)
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// checkOfficerLoad fails when officer_load differs from the open warnings
// counted per officer.
func checkOfficerLoad(t *testing.T, d *db.DB) {
	t.Helper()
	want := dbtest.Pairs(t, d, `SELECT assignee_id, COUNT(*) FROM warnings WHERE status = 'open' AND assignee_id IS NOT NULL GROUP BY assignee_id`)
	got := dbtest.Pairs(t, d, `SELECT user_id, open_count FROM officer_load WHERE open_count <> 0`)
	if len(want) == 0 || fmt.Sprint(want) != fmt.Sprint(got) {
		t.Fatalf("officer_load %v, open warnings per officer %v", got, want)
	}
}

// The stored open load follows every change of a warning: intake (new,
// merged, unassigned), outcome, handover to an officer and to the centre,
// a plain UPDATE of many rows and a DELETE.
func TestOfficerLoadFollowsWarnings(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		c := newTestCounty(t, d)
		var ins []Input
		for i := range 30 {
			addr := []string{"青石镇李家村", "城关街道新华社区", "", "广东省深圳市南山区"}[i%4]
			ins = append(ins, sample(fmt.Sprintf("F-%d", i), fmt.Sprintf("1394444%04d", i%24), addr))
		}
		res, err := c.intake.Submit(ctx, ins, SubmitOptions{})
		if err != nil || res.Merged == 0 {
			t.Fatalf("intake: %+v %v", res, err)
		}
		checkOfficerLoad(t, d)
		// Another batch merging into stored warnings.
		res, err = c.intake.Submit(ctx, []Input{sample("F-x1", "13944440000", "青石镇李家村"), sample("F-x2", "13955550000", "青石镇李家村")}, SubmitOptions{})
		if err != nil || res.Merged != 1 || res.Created != 1 {
			t.Fatalf("second intake: %+v %v", res, err)
		}
		checkOfficerLoad(t, d)
		mine := func(u auth.User) []int64 {
			ids, err := db.Int64s(must(d.Query(ctx, `SELECT id FROM warnings WHERE assignee_id = ? AND status = 'open' ORDER BY id`, u.ID)))
			if err != nil || len(ids) < 2 {
				t.Fatalf("%s's open warnings %v %v", u.Username, ids, err)
			}
			return ids
		}
		a1, a2 := mine(c.offA1), mine(c.offA2)
		if _, err := SetOutcome(ctx, d, DefaultPolicy(), c.actor(c.offA1), a1[0], OutcomeInput{Outcome: OutcomeDissuaded}, c.now); err != nil {
			t.Fatal(err)
		}
		if err := Handover(ctx, d, c.actor(c.offA2), a2[0], HandoverInput{ToUserID: c.offB.ID, Reason: "当事人住在城关"}, c.now); err != nil {
			t.Fatal(err)
		}
		if err := Handover(ctx, d, c.actor(c.offA2), a2[1], HandoverInput{Reason: "需中心协调"}, c.now); err != nil {
			t.Fatal(err)
		}
		checkOfficerLoad(t, d)
		if _, err := d.Exec(ctx, `UPDATE warnings SET assignee_id = ? WHERE assignee_id = ? AND status = 'open'`, c.offA2.ID, c.offA1.ID); err != nil {
			t.Fatal(err)
		}
		checkOfficerLoad(t, d)
		gone := mine(c.offA2)[0]
		for _, q := range []string{`DELETE FROM warning_events WHERE warning_id = ?`, `DELETE FROM warnings WHERE id = ?`} {
			if _, err := d.Exec(ctx, q, gone); err != nil {
				t.Fatal(err)
			}
		}
		checkOfficerLoad(t, d)
	})
}
