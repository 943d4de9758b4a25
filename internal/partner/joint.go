package partner

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/domain"
)

// 联席会议: a meeting record with its attendees, units and decisions, and
// the tasks it gives member units — each with an owner at the unit, a due
// date, a status and follow-up notes. The centre manages them; a partner
// sees and updates only its own unit's tasks (and its branches').

// Meeting is a joint meeting.
type Meeting struct {
	ID        int64     `json:"id"`
	HeldAt    time.Time `json:"held_at"`
	Title     string    `json:"title"`
	Place     string    `json:"place"`
	Attendees string    `json:"attendees"`
	Decisions string    `json:"decisions"`
	Units     []Unit    `json:"units"`
	CreatedAt time.Time `json:"created_at"`
}

// MeetingInput records a meeting.
type MeetingInput struct {
	HeldAt    time.Time `json:"held_at"`
	Title     string    `json:"title"`
	Place     string    `json:"place"`
	Attendees string    `json:"attendees"`
	Decisions string    `json:"decisions"`
	UnitIDs   []int64   `json:"unit_ids"`
}

// Task is a task for a member unit.
type Task struct {
	ID           int64      `json:"id"`
	MeetingID    int64      `json:"meeting_id,omitempty"`
	MeetingTitle string     `json:"meeting_title,omitempty"`
	UnitID       int64      `json:"unit_id"`
	UnitName     string     `json:"unit_name"`
	Title        string     `json:"title"`
	Detail       string     `json:"detail"`
	Owner        string     `json:"owner"`
	DueAt        time.Time  `json:"due_at,omitzero"`
	Status       string     `json:"status"` // open | doing | done
	StatusName   string     `json:"status_name"`
	Overdue      bool       `json:"overdue"`
	CreatedAt    time.Time  `json:"created_at"`
	UpdatedAt    time.Time  `json:"updated_at"`
	DoneAt       time.Time  `json:"done_at,omitzero"`
	Notes        []TaskNote `json:"notes,omitempty"`
}

// TaskNote is a follow-up note. The author is the unit or "反诈中心" —
// never an officer's name.
type TaskNote struct {
	At     time.Time `json:"at"`
	ByUnit bool      `json:"by_unit"`
	Author string    `json:"author"`
	Note   string    `json:"note"`
}

// TaskInput creates a task.
type TaskInput struct {
	MeetingID int64     `json:"meeting_id,omitempty"`
	UnitID    int64     `json:"unit_id"`
	Title     string    `json:"title"`
	Detail    string    `json:"detail"`
	Owner     string    `json:"owner"`
	DueAt     time.Time `json:"due_at,omitzero"`
}

// TaskUpdate changes a task's status and/or adds a note.
type TaskUpdate struct {
	Status string `json:"status,omitempty"` // open | doing | done; empty keeps it
	Owner  string `json:"owner,omitempty"`  // empty keeps it
	Note   string `json:"note,omitempty"`
}

// TaskStatusName is the Chinese label of a task status.
func TaskStatusName(s string) string {
	switch s {
	case "open":
		return "待办"
	case "doing":
		return "办理中"
	case "done":
		return "已完成"
	}
	return s
}

func clip(s string, n int) (string, bool) {
	s = strings.TrimSpace(s)
	return s, len([]rune(s)) <= n
}

// CreateMeeting records a meeting and audits it.
func CreateMeeting(ctx context.Context, d *db.DB, who auth.AuditEntry, userID int64, in MeetingInput, now time.Time) (int64, error) {
	var ok bool
	if in.Title, ok = clip(in.Title, 200); !ok || in.Title == "" {
		return 0, domain.Invalid("请填写会议名称（不超过 200 字）")
	}
	if in.HeldAt.IsZero() {
		return 0, domain.Invalid("请填写会议日期")
	}
	in.Place, _ = clip(in.Place, 200)
	in.Attendees, _ = clip(in.Attendees, 4000)
	if in.Decisions, ok = clip(in.Decisions, 20000); !ok {
		return 0, domain.Invalid("会议决定过长")
	}
	var id int64
	err := d.InTx(ctx, func(tx *db.Tx) error {
		err := tx.QueryRow(ctx, `INSERT INTO joint_meetings (held_at, title, place, attendees, decisions, created_by, created_at)
			VALUES (?,?,?,?,?,?,?) RETURNING id`, db.Millis(in.HeldAt), in.Title, in.Place, in.Attendees, in.Decisions, nullable(userID), db.Millis(now)).Scan(&id)
		if err != nil {
			return fmt.Errorf("create meeting: %w", err)
		}
		seen := map[int64]bool{}
		for _, u := range in.UnitIDs {
			if seen[u] {
				continue
			}
			seen[u] = true
			if _, err := GetUnit(ctx, tx, u); err != nil {
				return domain.Invalid("成员单位 %d 不存在", u)
			}
			if _, err := tx.Exec(ctx, `INSERT INTO joint_meeting_units (meeting_id, unit_id) VALUES (?,?)`, id, u); err != nil {
				return err
			}
		}
		e := who.With(auth.AuditCreate, "joint_meeting", strconv.FormatInt(id, 10))
		e.At, e.Detail = now, in.Title
		return auth.Audit(ctx, tx, e)
	})
	return id, err
}

// Meetings lists meetings, latest first.
func Meetings(ctx context.Context, q db.Querier, limit int) ([]Meeting, error) {
	rows, err := q.Query(ctx, `SELECT id, held_at, title, place, attendees, decisions, created_at FROM joint_meetings
		ORDER BY held_at DESC, id DESC LIMIT `+strconv.Itoa(limit))
	if err != nil {
		return nil, fmt.Errorf("meetings: %w", err)
	}
	out := []Meeting{}
	for rows.Next() {
		var m Meeting
		var held, created int64
		if err := rows.Scan(&m.ID, &held, &m.Title, &m.Place, &m.Attendees, &m.Decisions, &created); err != nil {
			rows.Close()
			return nil, err
		}
		m.HeldAt, m.CreatedAt = db.Time(held), db.Time(created)
		out = append(out, m)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range out {
		u, err := meetingUnits(ctx, q, out[i].ID)
		if err != nil {
			return nil, err
		}
		out[i].Units = u
	}
	return out, nil
}

func meetingUnits(ctx context.Context, q db.Querier, id int64) ([]Unit, error) {
	rows, err := q.Query(ctx, `SELECT u.id, COALESCE(u.parent_id, 0), u.kind, u.code, u.name, COALESCE(u.area_id, 0) FROM joint_meeting_units mu
		JOIN units u ON u.id = mu.unit_id WHERE mu.meeting_id = ? ORDER BY u.name`, id)
	if err != nil {
		return nil, err
	}
	return scanUnits(rows)
}

// CreateTask gives a member unit a task and audits it.
func CreateTask(ctx context.Context, d *db.DB, who auth.AuditEntry, userID int64, in TaskInput, now time.Time) (int64, error) {
	var ok bool
	if in.Title, ok = clip(in.Title, 300); !ok || in.Title == "" {
		return 0, domain.Invalid("请填写任务内容（不超过 300 字）")
	}
	in.Detail, _ = clip(in.Detail, 10000)
	in.Owner, _ = clip(in.Owner, 100)
	var id int64
	err := d.InTx(ctx, func(tx *db.Tx) error {
		if _, err := GetUnit(ctx, tx, in.UnitID); err != nil {
			return domain.Invalid("成员单位 %d 不存在", in.UnitID)
		}
		if err := unitAcceptsRequests(ctx, tx, in.UnitID); err != nil {
			return fmt.Errorf("task: %w", err)
		}
		if in.MeetingID != 0 {
			var n int
			if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM joint_meetings WHERE id = ?`, in.MeetingID).Scan(&n); err != nil {
				return err
			}
			if n == 0 {
				return domain.Invalid("会议 %d 不存在", in.MeetingID)
			}
		}
		var due any
		if !in.DueAt.IsZero() {
			due = db.Millis(in.DueAt)
		}
		err := tx.QueryRow(ctx, `INSERT INTO joint_tasks (meeting_id, unit_id, title, detail, owner, due_at, status, created_by, created_at, updated_at)
			VALUES (?,?,?,?,?,?,'open',?,?,?) RETURNING id`, nullable(in.MeetingID), in.UnitID, in.Title, in.Detail, in.Owner, due,
			nullable(userID), db.Millis(now), db.Millis(now)).Scan(&id)
		if err != nil {
			return fmt.Errorf("create task: %w", err)
		}
		e := who.With(auth.AuditCreate, "joint_task", strconv.FormatInt(id, 10))
		e.At, e.Detail = now, fmt.Sprintf("unit %d: %s", in.UnitID, in.Title)
		return auth.Audit(ctx, tx, e)
	})
	return id, err
}

// TaskFilter selects tasks. UnitID non-zero limits to that unit and its
// branches (a partner's view); MeetingID to one meeting's tasks.
type TaskFilter struct {
	UnitID    int64
	MeetingID int64
	Limit     int
}

const selectTask = `SELECT t.id, COALESCE(t.meeting_id, 0), COALESCE(m.title, ''), t.unit_id, u.name, t.title, t.detail, t.owner,
	t.due_at, t.status, t.created_at, t.updated_at, t.done_at
	FROM joint_tasks t JOIN units u ON u.id = t.unit_id LEFT JOIN joint_meetings m ON m.id = t.meeting_id`

func scanTask(sc interface{ Scan(...any) error }, now time.Time) (Task, error) {
	var t Task
	var due, done sql.NullInt64
	var created, updated int64
	if err := sc.Scan(&t.ID, &t.MeetingID, &t.MeetingTitle, &t.UnitID, &t.UnitName, &t.Title, &t.Detail, &t.Owner,
		&due, &t.Status, &created, &updated, &done); err != nil {
		return t, err
	}
	t.DueAt, t.CreatedAt, t.UpdatedAt, t.DoneAt = db.NullTime(due), db.Time(created), db.Time(updated), db.NullTime(done)
	t.StatusName = TaskStatusName(t.Status)
	t.Overdue = t.Status != "done" && !t.DueAt.IsZero() && t.DueAt.Before(now)
	return t, nil
}

const unitOrBranch = `(t.unit_id = ? OR t.unit_id IN (SELECT id FROM units WHERE parent_id = ?))`

// Tasks lists tasks, open ones first by due date.
func Tasks(ctx context.Context, q db.Querier, f TaskFilter, now time.Time) ([]Task, error) {
	var where db.Where
	where.AndIf(f.UnitID != 0, unitOrBranch, f.UnitID, f.UnitID).
		AndIf(f.MeetingID != 0, "t.meeting_id = ?", f.MeetingID)
	page := db.Page{Limit: f.Limit}.Clamp(500, math.MaxInt) // no upper bound
	rows, err := q.Query(ctx, selectTask+` WHERE `+where.String()+`
		ORDER BY CASE WHEN t.status = 'done' THEN 1 ELSE 0 END, COALESCE(t.due_at, 9000000000000), t.id`+page.SQL(), where.Args()...)
	if err != nil {
		return nil, fmt.Errorf("tasks: %w", err)
	}
	defer rows.Close()
	out := []Task{}
	for rows.Next() {
		t, err := scanTask(rows, now)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// GetTask returns a task with its notes. unitID non-zero is a partner's
// view: a task of another unit is domain.ErrNotFound.
func GetTask(ctx context.Context, q db.Querier, unitID, id int64, now time.Time) (Task, error) {
	query, args := selectTask+` WHERE t.id = ?`, []any{id}
	if unitID != 0 {
		query, args = query+" AND "+unitOrBranch, append(args, unitID, unitID)
	}
	t, err := scanTask(q.QueryRow(ctx, query, args...), now)
	if errors.Is(err, sql.ErrNoRows) {
		return t, fmt.Errorf("task %d: %w", id, domain.ErrNotFound)
	}
	if err != nil {
		return t, fmt.Errorf("task %d: %w", id, err)
	}
	rows, err := q.Query(ctx, `SELECT n.at, n.by_unit, n.note FROM joint_task_notes n WHERE n.task_id = ? ORDER BY n.at, n.id`, id)
	if err != nil {
		return t, err
	}
	defer rows.Close()
	for rows.Next() {
		var n TaskNote
		var at int64
		var byUnit int
		if err := rows.Scan(&at, &byUnit, &n.Note); err != nil {
			return t, err
		}
		n.At, n.ByUnit, n.Author = db.Time(at), byUnit == 1, "反诈中心"
		if n.ByUnit {
			n.Author = t.UnitName
		}
		t.Notes = append(t.Notes, n)
	}
	return t, rows.Err()
}

// UpdateTask changes a task's status or owner and adds a follow-up note.
// unitID non-zero is a partner of that unit, who may update only its own
// unit's tasks; zero is the centre.
func UpdateTask(ctx context.Context, d *db.DB, who auth.AuditEntry, userID, unitID, id int64, u TaskUpdate, now time.Time) error {
	switch u.Status {
	case "", "open", "doing", "done":
	default:
		return domain.Invalid("状态 %q 无效（open 待办 / doing 办理中 / done 已完成）", u.Status)
	}
	note, ok := clip(u.Note, 4000)
	if !ok {
		return domain.Invalid("备注过长")
	}
	owner, _ := clip(u.Owner, 100)
	if u.Status == "" && note == "" && owner == "" {
		return domain.Invalid("请填写状态或进展")
	}
	return d.InTx(ctx, func(tx *db.Tx) error {
		t, err := GetTask(ctx, tx, unitID, id, now)
		if err != nil {
			return err
		}
		status := t.Status
		if u.Status != "" {
			status = u.Status
		}
		if owner == "" {
			owner = t.Owner
		}
		var done any
		if status == "done" {
			done = db.Millis(now)
			if !t.DoneAt.IsZero() {
				done = db.Millis(t.DoneAt)
			}
		}
		if _, err := tx.Exec(ctx, `UPDATE joint_tasks SET status = ?, owner = ?, done_at = ?, updated_at = ? WHERE id = ?`,
			status, owner, done, db.Millis(now), id); err != nil {
			return fmt.Errorf("update task %d: %w", id, err)
		}
		if note != "" || status != t.Status {
			if note == "" {
				note = "状态改为" + TaskStatusName(status)
			}
			byUnit := 0
			if unitID != 0 {
				byUnit = 1
			}
			if _, err := tx.Exec(ctx, `INSERT INTO joint_task_notes (task_id, at, user_id, by_unit, note) VALUES (?,?,?,?,?)`,
				id, db.Millis(now), nullable(userID), byUnit, note); err != nil {
				return err
			}
		}
		e := who.With(auth.AuditUpdate, "joint_task", strconv.FormatInt(id, 10))
		e.At, e.Detail = now, "status "+status
		return auth.Audit(ctx, tx, e)
	})
}

// Units lists the member units in use (retired ones are left out), by kind
// and name.
func Units(ctx context.Context, q db.Querier) ([]Unit, error) {
	rows, err := q.Query(ctx, `SELECT id, COALESCE(parent_id, 0), kind, code, name, COALESCE(area_id, 0) FROM units WHERE retired_at IS NULL ORDER BY kind, name, id`)
	if err != nil {
		return nil, fmt.Errorf("units: %w", err)
	}
	return scanUnits(rows)
}

// scanUnits reads rows of (id, parent_id, kind, code, name, area_id) and
// closes them.
func scanUnits(rows *sql.Rows) ([]Unit, error) {
	defer rows.Close()
	out := []Unit{}
	for rows.Next() {
		var u Unit
		if err := rows.Scan(&u.ID, &u.ParentID, &u.Kind, &u.Code, &u.Name, &u.AreaID); err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, rows.Err()
}
