package investigation

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/domain"
	"github.com/fanzha/fanzha/internal/funds"
	"github.com/fanzha/fanzha/internal/notify"
	"github.com/fanzha/fanzha/internal/zone"
)

// Work inside a case: tasks, notes and links to related warnings and intel
// groups (attachments are in attachments.go). Everything is reached through
// the case, so the case's jurisdiction is the only scope check; writing
// needs case.write (mayWrite).

// Task is a piece of work on a case for one officer, due at a date.
type Task struct {
	ID           int64      `json:"id"`
	CaseID       int64      `json:"case_id"`
	CaseNo       string     `json:"case_no"`
	Title        string     `json:"title"`
	AssigneeID   int64      `json:"assignee_id"`
	AssigneeName string     `json:"assignee_name"`
	Due          time.Time  `json:"due_at"`
	DoneAt       *time.Time `json:"done_at,omitempty"`
	Overdue      bool       `json:"overdue"`
	CreatedAt    time.Time  `json:"created_at"`
}

// TaskInput is a task as an officer sets it.
type TaskInput struct {
	CaseID     int64     `json:"case_id"`
	Title      string    `json:"title"`
	AssigneeID int64     `json:"assignee_id"`
	Due        time.Time `json:"due_at"`
}

// caseNo reads the number of a case in scope; outside it, not found.
func caseNo(ctx context.Context, q db.Querier, scope area.Node, id int64) (string, error) {
	var no string
	err := q.QueryRow(ctx, `SELECT c.case_no FROM cases c JOIN areas a ON a.id = c.area_id WHERE c.id = ? AND a.path LIKE ?`,
		id, scope.SubtreePattern()).Scan(&no)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("case %d: %w", id, domain.ErrNotFound)
	}
	if err != nil {
		return "", fmt.Errorf("case %d: %w", id, err)
	}
	return no, nil
}

func mayWork(who auth.AuditEntry) error {
	if !who.Role.Can(auth.CapCaseWrite) {
		return domain.Forbidden("%s无权办理案件事项", auth.RoleName(who.Role))
	}
	return nil
}

// AddTask gives a task on a case in scope to an officer who may work the
// case (an active user with case.write whose jurisdiction holds the case):
// audited and on the case's timeline.
func AddTask(ctx context.Context, d *db.DB, scope area.Node, who auth.AuditEntry, in TaskInput, now time.Time) (int64, error) {
	return db.InTxValue(ctx, d, func(tx *db.Tx) (int64, error) { return AddTaskIn(ctx, tx, scope, who, in, now) })
}

// AddTaskIn is AddTask inside the caller's transaction.
func AddTaskIn(ctx context.Context, q db.Querier, scope area.Node, who auth.AuditEntry, in TaskInput, now time.Time) (int64, error) {
	if err := mayWork(who); err != nil {
		return 0, err
	}
	if _, err := caseNo(ctx, q, scope, in.CaseID); err != nil {
		return 0, err
	}
	in.Title = strings.TrimSpace(in.Title)
	if in.Title == "" || len([]rune(in.Title)) > 200 {
		return 0, domain.Invalid("任务内容不能为空，最长 200 字")
	}
	if in.Due.IsZero() {
		return 0, domain.Invalid("请填写任务的截止时间")
	}
	if in.Due.Before(now.Add(-24 * time.Hour)) {
		return 0, domain.Invalid("截止时间不能早于今天")
	}
	var name, role string
	err := q.QueryRow(ctx, `SELECT u.display_name, u.role FROM users u JOIN areas ua ON ua.id = u.area_id, cases c JOIN areas ca ON ca.id = c.area_id
		WHERE u.id = ? AND u.disabled = 0 AND c.id = ? AND ca.path LIKE ua.path || '%'`, in.AssigneeID, in.CaseID).Scan(&name, &role)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, domain.Invalid("承办人不存在、已停用或不管辖本案")
	}
	if err != nil {
		return 0, fmt.Errorf("assignee %d: %w", in.AssigneeID, err)
	}
	if !auth.Role(role).Can(auth.CapCaseWrite) {
		return 0, domain.Invalid("%s（%s）不能承办案件任务", name, auth.RoleName(auth.Role(role)))
	}
	var id int64
	err = q.QueryRow(ctx, `INSERT INTO case_tasks (case_id, title, assignee_id, due_at, created_by, created_at) VALUES (?,?,?,?,?,?) RETURNING id`,
		in.CaseID, in.Title, in.AssigneeID, db.Millis(in.Due), nullID(who.UserID), db.Millis(now)).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("task: %w", err)
	}
	text := fmt.Sprintf("新建任务：%s（承办人 %s，%s 前完成）", in.Title, name, in.Due.In(zone.Shanghai).Format("2006-01-02 15:04"))
	if err := funds.AddCaseEvent(ctx, q, in.CaseID, now, "task", who.UserID, text); err != nil {
		return 0, err
	}
	e := who.With(auth.AuditUpdate, "case", strconv.FormatInt(in.CaseID, 10))
	e.At, e.Detail = now, "task "+strconv.FormatInt(id, 10)+" added for user "+strconv.FormatInt(in.AssigneeID, 10)
	return id, auth.Audit(ctx, q, e)
}

// SetTaskDone marks a task of a case in scope done (or open again).
func SetTaskDone(ctx context.Context, d *db.DB, scope area.Node, who auth.AuditEntry, taskID int64, done bool, now time.Time) error {
	return d.InTx(ctx, func(tx *db.Tx) error {
		if err := mayWork(who); err != nil {
			return err
		}
		var caseID int64
		var title string
		var doneAt sql.NullInt64
		err := tx.QueryRow(ctx, `SELECT t.case_id, t.title, t.done_at FROM case_tasks t JOIN cases c ON c.id = t.case_id
			JOIN areas a ON a.id = c.area_id WHERE t.id = ? AND a.path LIKE ?`, taskID, scope.SubtreePattern()).Scan(&caseID, &title, &doneAt)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("task %d: %w", taskID, domain.ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("task %d: %w", taskID, err)
		}
		if doneAt.Valid == done {
			return nil
		}
		text := "任务完成：" + title
		if done {
			_, err = tx.Exec(ctx, `UPDATE case_tasks SET done_at = ?, done_by = ? WHERE id = ?`, db.Millis(now), nullID(who.UserID), taskID)
		} else {
			text = "任务重新打开：" + title
			_, err = tx.Exec(ctx, `UPDATE case_tasks SET done_at = NULL, done_by = NULL, reminded_at = NULL WHERE id = ?`, taskID)
		}
		if err != nil {
			return fmt.Errorf("task %d: %w", taskID, err)
		}
		if err := funds.AddCaseEvent(ctx, tx, caseID, now, "task", who.UserID, text); err != nil {
			return err
		}
		e := who.With(auth.AuditUpdate, "case", strconv.FormatInt(caseID, 10))
		e.At, e.Detail = now, "task "+strconv.FormatInt(taskID, 10)+" done="+strconv.FormatBool(done)
		return auth.Audit(ctx, tx, e)
	})
}

const taskColumns = `SELECT t.id, t.case_id, c.case_no, t.title, t.assignee_id, COALESCE(u.display_name, ''), t.due_at, t.done_at, t.created_at
	FROM case_tasks t JOIN cases c ON c.id = t.case_id LEFT JOIN users u ON u.id = t.assignee_id `

func tasks(ctx context.Context, q db.Querier, now time.Time, where string, args ...any) ([]Task, error) {
	out, err := db.All(ctx, q, func(sc db.Scanner) (Task, error) {
		var t Task
		var due, created int64
		var done sql.NullInt64
		if err := sc.Scan(&t.ID, &t.CaseID, &t.CaseNo, &t.Title, &t.AssigneeID, &t.AssigneeName, &due, &done, &created); err != nil {
			return t, err
		}
		t.Due, t.CreatedAt = db.Time(due), db.Time(created)
		if done.Valid {
			at := db.Time(done.Int64)
			t.DoneAt = &at
		}
		t.Overdue = !done.Valid && t.Due.Before(now)
		return t, nil
	}, taskColumns+where, args...)
	if err != nil {
		return nil, fmt.Errorf("tasks: %w", err)
	}
	return out, nil
}

// CaseTasks lists the tasks of a case in scope: open ones by due date, then
// the done ones.
func CaseTasks(ctx context.Context, q db.Querier, scope area.Node, caseID int64, now time.Time) ([]Task, error) {
	if _, err := caseNo(ctx, q, scope, caseID); err != nil {
		return nil, err
	}
	return tasks(ctx, q, now, `WHERE t.case_id = ? ORDER BY CASE WHEN t.done_at IS NULL THEN 0 ELSE 1 END, t.due_at, t.id`, caseID)
}

// OverdueTasks lists a user's open tasks past their due date, oldest due
// first, on cases still in the user's jurisdiction (scope): the home page's
// list.
func OverdueTasks(ctx context.Context, q db.Querier, scope area.Node, userID int64, now time.Time) ([]Task, error) {
	return tasks(ctx, q, now, `JOIN areas a ON a.id = c.area_id WHERE t.assignee_id = ? AND t.done_at IS NULL AND t.due_at < ? AND a.path LIKE ?
		ORDER BY t.due_at, t.id LIMIT 200`, userID, db.Millis(now), scope.SubtreePattern())
}

// RemindOverdue is the reminder job's sweep: every open task past its due
// date not reminded yet is claimed with a conditional UPDATE (the first
// replica to set reminded_at wins, so several replicas remind once), gets a
// timeline line and a message to targets. Reopening a task clears the
// claim. It returns how many tasks it reminded.
func RemindOverdue(ctx context.Context, d *db.DB, targets []notify.Target, baseURL string, now time.Time) (int, error) {
	due, err := tasks(ctx, d, now, `WHERE t.done_at IS NULL AND t.reminded_at IS NULL AND t.due_at < ? ORDER BY t.id LIMIT 500`, db.Millis(now))
	if err != nil {
		return 0, err
	}
	n := 0
	for _, t := range due {
		sent := false
		err := d.InTx(ctx, func(tx *db.Tx) error {
			r, err := tx.Exec(ctx, `UPDATE case_tasks SET reminded_at = ? WHERE id = ? AND reminded_at IS NULL AND done_at IS NULL`, db.Millis(now), t.ID)
			if err != nil {
				return fmt.Errorf("claim task %d: %w", t.ID, err)
			}
			if k, err := r.RowsAffected(); err != nil || k == 0 {
				return err
			}
			text := fmt.Sprintf("提醒 %s：案件 %s 的任务“%s”已于 %s 到期，尚未完成。", t.AssigneeName, t.CaseNo, t.Title,
				t.Due.In(zone.Shanghai).Format("2006-01-02 15:04"))
			if err := funds.AddCaseEvent(ctx, tx, t.CaseID, now, "task_reminder", 0, text); err != nil {
				return err
			}
			sent = true
			if len(targets) == 0 {
				return nil
			}
			m := notify.Message{Kind: "case_task_overdue", Title: fmt.Sprintf("【任务逾期】案件 %s：%s", t.CaseNo, t.Title), Text: text, At: now,
				Data: map[string]any{"task_id": t.ID, "case_id": t.CaseID, "assignee_id": t.AssigneeID, "due_at": t.Due}}
			if baseURL != "" {
				m.Link = baseURL + "/cases/" + strconv.FormatInt(t.CaseID, 10)
			}
			return notify.Enqueue(ctx, tx, targets, m)
		})
		if err != nil {
			return n, err
		}
		if sent {
			n++
		}
	}
	return n, nil
}

// Note is an officer's note on a case.
type Note struct {
	ID        int64     `json:"id"`
	CaseID    int64     `json:"case_id"`
	Body      string    `json:"body"`
	UserName  string    `json:"user_name"`
	CreatedAt time.Time `json:"created_at"`
}

// AddNote writes a note on a case in scope, audited.
func AddNote(ctx context.Context, d *db.DB, scope area.Node, who auth.AuditEntry, caseID int64, body string, now time.Time) (int64, error) {
	return db.InTxValue(ctx, d, func(tx *db.Tx) (int64, error) { return AddNoteIn(ctx, tx, scope, who, caseID, body, now) })
}

// AddNoteIn is AddNote inside the caller's transaction.
func AddNoteIn(ctx context.Context, q db.Querier, scope area.Node, who auth.AuditEntry, caseID int64, body string, now time.Time) (int64, error) {
	if err := mayWork(who); err != nil {
		return 0, err
	}
	if _, err := caseNo(ctx, q, scope, caseID); err != nil {
		return 0, err
	}
	body = strings.TrimSpace(body)
	if body == "" || len([]rune(body)) > 5000 {
		return 0, domain.Invalid("笔记不能为空，最长 5000 字")
	}
	var id int64
	if err := q.QueryRow(ctx, `INSERT INTO case_notes (case_id, body, created_by, created_at) VALUES (?,?,?,?) RETURNING id`,
		caseID, body, nullID(who.UserID), db.Millis(now)).Scan(&id); err != nil {
		return 0, fmt.Errorf("note: %w", err)
	}
	e := who.With(auth.AuditUpdate, "case", strconv.FormatInt(caseID, 10))
	e.At, e.Detail = now, "note "+strconv.FormatInt(id, 10)
	return id, auth.Audit(ctx, q, e)
}

// CaseNotes lists the notes of a case in scope, newest first.
func CaseNotes(ctx context.Context, q db.Querier, scope area.Node, caseID int64) ([]Note, error) {
	if _, err := caseNo(ctx, q, scope, caseID); err != nil {
		return nil, err
	}
	out, err := db.All(ctx, q, func(sc db.Scanner) (Note, error) {
		var n Note
		var at int64
		err := sc.Scan(&n.ID, &n.CaseID, &n.Body, &n.UserName, &at)
		n.CreatedAt = db.Time(at)
		return n, err
	}, `SELECT n.id, n.case_id, n.body, COALESCE(u.display_name, ''), n.created_at FROM case_notes n
		LEFT JOIN users u ON u.id = n.created_by WHERE n.case_id = ? ORDER BY n.id DESC`, caseID)
	if err != nil {
		return nil, fmt.Errorf("notes: %w", err)
	}
	return out, nil
}

// Link kinds.
const (
	LinkWarning    = "warning"
	LinkIntelGroup = "intel_group"
)

// Link is a warning or an intel group related to a case.
type Link struct {
	ID        int64     `json:"id"`
	CaseID    int64     `json:"case_id"`
	Kind      string    `json:"kind"`
	WarningID int64     `json:"warning_id,omitempty"`
	Ref       string    `json:"ref"`
	Note      string    `json:"note,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

// LinkInput relates a warning (WarningID) or an intel group (Ref: the key
// of an entity of the group, e.g. "phone:13800000000") to a case.
type LinkInput struct {
	CaseID    int64  `json:"case_id"`
	Kind      string `json:"kind"`
	WarningID int64  `json:"warning_id,omitempty"`
	Ref       string `json:"ref,omitempty"`
	Note      string `json:"note,omitempty"`
}

// AddLink relates a warning in scope, or an intel group, to a case in
// scope; the same link twice is a conflict.
func AddLink(ctx context.Context, d *db.DB, scope area.Node, who auth.AuditEntry, in LinkInput, now time.Time) (int64, error) {
	var id int64
	err := d.InTx(ctx, func(tx *db.Tx) error {
		if err := mayWork(who); err != nil {
			return err
		}
		if _, err := caseNo(ctx, tx, scope, in.CaseID); err != nil {
			return err
		}
		in.Note = strings.TrimSpace(in.Note)
		if len([]rune(in.Note)) > 500 {
			return domain.Invalid("关联说明最长 500 字")
		}
		var warning any
		text := ""
		switch in.Kind {
		case LinkWarning:
			var n int
			if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM warnings w WHERE w.id = ? AND EXISTS (SELECT 1 FROM areas sc
				WHERE sc.path LIKE ? AND sc.id IN (w.area_id, w.station_id))`, in.WarningID, scope.SubtreePattern()).Scan(&n); err != nil {
				return fmt.Errorf("warning %d: %w", in.WarningID, err)
			}
			if n == 0 {
				return fmt.Errorf("warning %d: %w", in.WarningID, domain.ErrNotFound)
			}
			warning, in.Ref = in.WarningID, strconv.FormatInt(in.WarningID, 10)
			text = "关联预警 #" + in.Ref
		case LinkIntelGroup:
			in.Ref = strings.TrimSpace(in.Ref)
			kind, key, ok := strings.Cut(in.Ref, ":")
			if !ok || kind == "" || key == "" || len(in.Ref) > 200 {
				return domain.Invalid("研判团伙须以其中一个实体标识（如 phone:13800000000）关联")
			}
			text = "关联研判团伙（" + kind + "）"
		default:
			return domain.Invalid("关联类型 %q 无效", in.Kind)
		}
		var exists int
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM case_links WHERE case_id = ? AND kind = ? AND ref = ?`, in.CaseID, in.Kind, in.Ref).Scan(&exists); err != nil {
			return fmt.Errorf("links: %w", err)
		}
		if exists > 0 {
			return domain.Conflict("本案已关联该%s", map[string]string{LinkWarning: "预警", LinkIntelGroup: "团伙"}[in.Kind])
		}
		if err := tx.QueryRow(ctx, `INSERT INTO case_links (case_id, kind, warning_id, ref, note, created_by, created_at) VALUES (?,?,?,?,?,?,?) RETURNING id`,
			in.CaseID, in.Kind, warning, in.Ref, in.Note, nullID(who.UserID), db.Millis(now)).Scan(&id); err != nil {
			return fmt.Errorf("link: %w", err)
		}
		if err := funds.AddCaseEvent(ctx, tx, in.CaseID, now, "link", who.UserID, text); err != nil {
			return err
		}
		e := who.With(auth.AuditUpdate, "case", strconv.FormatInt(in.CaseID, 10))
		e.At, e.Detail = now, "link "+strconv.FormatInt(id, 10)+" "+in.Kind
		return auth.Audit(ctx, tx, e)
	})
	return id, err
}

// CaseLinks lists the warnings and intel groups related to a case in scope;
// a linked warning outside the scope is left out.
func CaseLinks(ctx context.Context, q db.Querier, scope area.Node, caseID int64) ([]Link, error) {
	if _, err := caseNo(ctx, q, scope, caseID); err != nil {
		return nil, err
	}
	out, err := db.All(ctx, q, func(sc db.Scanner) (Link, error) {
		var l Link
		var at int64
		err := sc.Scan(&l.ID, &l.CaseID, &l.Kind, &l.WarningID, &l.Ref, &l.Note, &at)
		l.CreatedAt = db.Time(at)
		return l, err
	}, `SELECT l.id, l.case_id, l.kind, COALESCE(l.warning_id, 0), l.ref, l.note, l.created_at FROM case_links l
		LEFT JOIN warnings w ON w.id = l.warning_id
		WHERE l.case_id = ? AND (l.warning_id IS NULL OR EXISTS (SELECT 1 FROM areas sc WHERE sc.path LIKE ? AND sc.id IN (w.area_id, w.station_id)))
		ORDER BY l.id`, caseID, scope.SubtreePattern())
	if err != nil {
		return nil, fmt.Errorf("links: %w", err)
	}
	return out, nil
}
