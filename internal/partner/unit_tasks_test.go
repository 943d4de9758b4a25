package partner

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/db/dbtest"
)

// A unit's tasks come with their notes, the same as reading each task
// (GetTask), and only the unit's own tasks.
func TestUnitTasks(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newWorld(t, d)
		task := func(unit int64, title string) int64 {
			id, err := CreateTask(ctx, d, w.inv, 0, TaskInput{UnitID: unit, Title: title, DueAt: t0.Add(72 * time.Hour)}, t0)
			if err != nil {
				t.Fatal(err)
			}
			return id
		}
		a1, a2 := task(w.bank, "排查涉诈账户"), task(w.bank, "张贴防骗海报")
		task(w.bank2, "另一家银行的任务")
		for i, u := range []struct {
			unit, task int64
			note       string
		}{{w.bank, a1, "已排查 12 个账户"}, {0, a1, "请于周五前报结果"}, {w.bank, a2, "已张贴"}} {
			if err := UpdateTask(ctx, d, w.bankWho, 0, u.unit, u.task, TaskUpdate{Note: u.note}, t0.Add(time.Duration(i+1)*time.Hour)); err != nil {
				t.Fatal(err)
			}
		}
		got, err := UnitTasks(ctx, d, w.bank, t0)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 {
			t.Fatalf("%d tasks, want the unit's 2: %+v", len(got), got)
		}
		for _, g := range got {
			want, err := GetTask(ctx, d, w.bank, g.ID, t0)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(g, want) {
				t.Errorf("task %d:\n got %+v\nwant %+v", g.ID, g, want)
			}
		}
		if byID := map[int64]Task{got[0].ID: got[0], got[1].ID: got[1]}; len(byID[a1].Notes) != 2 || byID[a1].Notes[1].Author != "反诈中心" ||
			len(byID[a2].Notes) != 1 || !byID[a2].Notes[0].ByUnit {
			t.Errorf("notes: %+v / %+v", byID[a1].Notes, byID[a2].Notes)
		}
	})
}
