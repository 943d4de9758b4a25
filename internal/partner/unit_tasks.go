package partner

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/fanzha/fanzha/internal/db"
)

// UnitTasks lists the joint tasks of a member unit (and its branches), as
// Tasks does, each with its notes (GetTask) — read in one query, not one
// per task.
func UnitTasks(ctx context.Context, q db.Querier, unitID int64, now time.Time) ([]Task, error) {
	tasks, err := Tasks(ctx, q, TaskFilter{UnitID: unitID}, now)
	if err != nil || len(tasks) == 0 {
		return tasks, err
	}
	at := make(map[int64]int, len(tasks))
	args := make([]any, 0, len(tasks))
	for i, t := range tasks {
		at[t.ID] = i
		args = append(args, t.ID)
	}
	rows, err := q.Query(ctx, `SELECT n.task_id, n.at, n.by_unit, n.note FROM joint_task_notes n
		WHERE n.task_id IN (`+strings.TrimSuffix(strings.Repeat("?,", len(args)), ",")+`) ORDER BY n.at, n.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("notes of unit %d's tasks: %w", unitID, err)
	}
	defer rows.Close()
	for rows.Next() {
		var n TaskNote
		var taskID, ms int64
		var byUnit int
		if err := rows.Scan(&taskID, &ms, &byUnit, &n.Note); err != nil {
			return nil, fmt.Errorf("notes of unit %d's tasks: %w", unitID, err)
		}
		t := &tasks[at[taskID]]
		n.At, n.ByUnit, n.Author = db.Time(ms), byUnit == 1, "反诈中心"
		if n.ByUnit {
			n.Author = t.UnitName
		}
		t.Notes = append(t.Notes, n)
	}
	return tasks, rows.Err()
}
