package assess_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fanzha/fanzha/internal/assess"
	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/db/dbtest"
	"github.com/fanzha/fanzha/internal/domain"
	"github.com/fanzha/fanzha/internal/testworld"
	"github.com/fanzha/fanzha/internal/warning"
)

// redStationA gives station A a November with 3 of 4 dissuaded (750‰,
// under the red bound 800‰) and one first contact late (750‰), and a
// leader of its own; the county has a leader too.
func redStationA(t *testing.T, w *world) (stationLeader, countyLeader auth.User) {
	t.Helper()
	ctx := context.Background()
	p := warning.DefaultPolicy()
	a := w.Actor(w.OffA)
	for i := range 4 {
		id := w.Warn(t, fmt.Sprintf("R-%d", i), warning.GradeHigh, fmt.Sprintf("1350000%04d", i), "", "青石镇李家村")
		at := w.Now.Add(5 * time.Minute)
		if i == 3 {
			at = w.Now.Add(2 * time.Hour)
		}
		if err := warning.RecordContact(ctx, w.D, p, a, id, warning.ContactInput{Method: "call", Result: "reached", At: at}, at); err != nil {
			t.Fatal(err)
		}
		o := warning.OutcomeDissuaded
		if i == 3 {
			o = warning.OutcomeDefrauded
		}
		if _, err := warning.SetOutcome(ctx, w.D, p, a, id, warning.OutcomeInput{Outcome: o}, at); err != nil {
			t.Fatal(err)
		}
	}
	mk := func(name string, areaID int64) auth.User {
		u, err := auth.CreateUser(ctx, w.D, auth.NewUser{Username: name, DisplayName: name, Role: auth.RoleLeader, AreaID: areaID, Password: "pw-" + name})
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	return mk("所长", w.StA.ID), mk("局长", w.Root.ID)
}

// A red unit gets one 督办 task for its leader (the county's leader when
// the station has none), titled with the figures that made it red; the
// monthly job examines last month once, and running it again — or calling
// Supervise by hand — creates nothing more. Closing needs an answer, once.
func TestSuperviseRedUnits(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newWorld(t, d)
		stationLeader, countyLeader := redStationA(t, w)
		now := time.Date(2026, 12, 1, 1, 0, 0, 0, time.UTC) // 09:00 on December 1st in Shanghai
		sup := &assess.Supervisor{DB: d, Now: func() time.Time { return now }}
		made, err := sup.Tick(ctx)
		if err != nil {
			t.Fatal(err)
		}
		from, to := assess.LastMonth(now)
		byArea := map[int64]assess.Task{}
		for _, tk := range made {
			byArea[tk.AreaID] = tk
			if !tk.From.Equal(from) || !tk.To.Equal(to) {
				t.Errorf("task %q for %v–%v, want November", tk.Title, tk.From, tk.To)
			}
		}
		ta, ok := byArea[w.StA.ID]
		if !ok {
			t.Fatalf("no task for station A among %+v", made)
		}
		for _, words := range []string{"督办：青石派出所 2026年11月考核评为红色", "劝阻成功率 75.0%（红线 80.0%）", "首次联系及时率 75.0%（红线 80.0%）"} {
			if !strings.Contains(ta.Title, words) {
				t.Errorf("station A's title %q lacks %q", ta.Title, words)
			}
		}
		if ta.LeaderID != stationLeader.ID || ta.Status != "open" || !ta.DueAt.Equal(now.AddDate(0, 0, assess.SupervisionDays)) {
			t.Errorf("station A's task: %+v", ta)
		}
		// Station B has no leader of its own: its task (no prevention
		// event reached its village) is the county leader's.
		if tb, ok := byArea[w.StB.ID]; !ok || tb.LeaderID != countyLeader.ID || !strings.Contains(tb.Title, "宣传覆盖率 0.0%") {
			t.Errorf("station B's task: %+v (found %v)", tb, ok)
		}
		first := testworld.Count(t, d, `SELECT COUNT(*) FROM supervision_tasks`)
		if first != len(made) || first < 2 {
			t.Fatalf("%d tasks stored, %d answered", first, len(made))
		}
		again, err := sup.Tick(ctx)
		if err != nil || len(again) != 0 {
			t.Fatalf("second tick created %d (%v)", len(again), err)
		}
		by, err := assess.Supervise(ctx, d, w.Root, from, to, now.Add(time.Hour))
		if err != nil || len(by) != 0 {
			t.Fatalf("Supervise by hand after the job created %d (%v)", len(by), err)
		}
		if n := testworld.Count(t, d, `SELECT COUNT(*) FROM supervision_tasks`); n != first {
			t.Fatalf("%d tasks after running twice, want %d", n, first)
		}
		if n := testworld.Count(t, d, `SELECT COUNT(*) FROM supervision_tasks WHERE area_id = ?`, w.StA.ID); n != 1 {
			t.Fatalf("station A has %d tasks", n)
		}
		// The lists: station B's officers do not see station A's task.
		inB, err := assess.Tasks(ctx, d, w.StB, "", db.Page{})
		if err != nil {
			t.Fatal(err)
		}
		for _, tk := range inB {
			if tk.AreaID == w.StA.ID {
				t.Fatalf("station B lists station A's task %+v", tk)
			}
		}
		_, err = assess.GetTask(ctx, d, w.StB, ta.ID)
		testworld.WantKind(t, err, domain.ErrNotFound, "")
		// Only the leader the task is assigned to (or staff.manage) closes
		// it: station A's dissuader and the county's leader may not.
		testworld.WantKind(t, assess.CloseTask(ctx, d, w.StA, w.Entry(w.OffA), ta.ID, "越权", now), domain.ErrForbidden, "所长")
		testworld.WantKind(t, assess.CloseTask(ctx, d, w.Root, w.Entry(countyLeader), ta.ID, "越权", now), domain.ErrForbidden, "")
		who := w.Entry(stationLeader)
		if !assess.MayClose(who, ta) || assess.MayClose(w.Entry(countyLeader), ta) {
			t.Fatal("MayClose: the assigned leader may, the county's leader may not")
		}
		testworld.WantKind(t, assess.CloseTask(ctx, d, w.StA, who, ta.ID, " ", now), domain.ErrInvalid, "整改情况")
		if err := assess.CloseTask(ctx, d, w.StA, who, ta.ID, "已约谈劝阻民警，逐条回访", now); err != nil {
			t.Fatal(err)
		}
		testworld.WantKind(t, assess.CloseTask(ctx, d, w.StA, who, ta.ID, "再次", now), domain.ErrConflict, "已办结")
		open, _ := assess.Tasks(ctx, d, w.Root, "open", db.Page{})
		for _, tk := range open {
			if tk.ID == ta.ID {
				t.Fatal("a closed task is listed as open")
			}
		}
		if closed, err := assess.Tasks(ctx, d, w.Root, "closed", db.Page{}); err != nil || len(closed) != 1 || closed[0].ID != ta.ID || closed[0].Note == "" {
			t.Fatalf("closed tasks: %+v %v", closed, err)
		}
		his := 0
		for _, tk := range open {
			if tk.LeaderID == countyLeader.ID {
				his++
			}
		}
		if n, mine, err := assess.OpenTasks(ctx, d, w.Root, countyLeader.ID); err != nil || n != first-1 || mine != his || his == 0 {
			t.Fatalf("open tasks %d, the county leader's %d (%v); want %d and %d", n, mine, err, first-1, his)
		}
		_, err = assess.Tasks(ctx, d, w.Root, "pending", db.Page{})
		testworld.WantKind(t, err, domain.ErrInvalid, "状态")
	})
}

// Two replicas grading the same league at the same moment, each on its
// own connection pool: one task per red unit.
func TestSuperviseTwoReplicas(t *testing.T) {
	d := dbtest.Postgres(t)
	ctx := context.Background()
	w := newWorld(t, d)
	redStationA(t, w)
	d2, err := db.Open(ctx, d.DSN, "")
	if err != nil {
		t.Fatal(err)
	}
	defer d2.Close()
	now := time.Date(2026, 12, 1, 1, 0, 0, 0, time.UTC)
	from, to := assess.LastMonth(now)
	var wg sync.WaitGroup
	start := make(chan struct{})
	counts := make([]int, 2)
	for i, h := range []*db.DB{d, d2} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			made, err := assess.Supervise(ctx, h, w.Root, from, to, now)
			if err != nil {
				t.Errorf("replica %d: %v", i, err)
			}
			counts[i] = len(made)
		}()
	}
	close(start)
	wg.Wait()
	stored := testworld.Count(t, d, `SELECT COUNT(*) FROM supervision_tasks`)
	twice := testworld.Count(t, d, `SELECT COUNT(*) FROM (SELECT area_id FROM supervision_tasks GROUP BY area_id HAVING COUNT(*) > 1) x`)
	if stored != 2 || twice != 0 || counts[0]+counts[1] != 2 {
		t.Fatalf("stored %d (twice %d), replicas answered %v; want 2 tasks, one each unit", stored, twice, counts)
	}
}
