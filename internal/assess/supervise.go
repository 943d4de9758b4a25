package assess

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/domain"
	"github.com/fanzha/fanzha/internal/zone"
)

// Text writes a value of the figure as people read it: a rate in ‰ as a
// percentage with one decimal, cases per 10,000 (hundredths) with two
// decimals, registrations per 10,000 as a whole number.
func (f Figure) Text(v int64) string {
	switch f.Key {
	case "cases_per_10k":
		return strconv.FormatInt(v/100, 10) + "." + fmt.Sprintf("%02d", v%100)
	case "app_per_10k":
		return strconv.FormatInt(v, 10)
	}
	return strconv.FormatInt(v/10, 10) + "." + strconv.FormatInt(v%10, 10) + "%"
}

// RedFigure is one figure that made a unit red: its value and the red
// bound it crossed.
type RedFigure struct {
	Key   string `json:"key"`
	Name  string `json:"name"`
	Value int64  `json:"value"`
	Bound int64  `json:"bound"`
	Text  string `json:"text"` // "劝阻成功率 75.0%（红线 80.0%）"
}

// Task is a 督办 task: a unit graded red in a period, on its leader's list.
type Task struct {
	ID         int64       `json:"id"`
	AreaID     int64       `json:"area_id"`
	AreaName   string      `json:"area_name"`
	ScopeID    int64       `json:"scope_id"`
	From       time.Time   `json:"from"`
	To         time.Time   `json:"to"`
	LeaderID   int64       `json:"leader_id,omitempty"`
	LeaderName string      `json:"leader_name,omitempty"`
	Title      string      `json:"title"`
	Figures    []RedFigure `json:"figures"`
	DueAt      time.Time   `json:"due_at"`
	Status     string      `json:"status"` // open | done
	DoneAt     time.Time   `json:"done_at,omitzero"`
	Note       string      `json:"note,omitempty"`
	CreatedAt  time.Time   `json:"created_at"`
}

// Period writes the task's period as a leader reads it (2026年11月).
func (t Task) Period() string { return periodText(t.From, t.To) }

// SupervisionDays is how long a leader has to answer a 督办 task.
const SupervisionDays = 7

// redFigures lists the figures of a row graded red, in table order.
func redFigures(r Row, th map[string]Thresholds) []RedFigure {
	var out []RedFigure
	for _, f := range Figures {
		v := r.Figures[f.Key]
		if v.Colour != Red {
			continue
		}
		b := th[f.Key].Red
		out = append(out, RedFigure{Key: f.Key, Name: f.Name, Value: v.Value, Bound: b,
			Text: f.Name + " " + f.Text(v.Value) + "（红线 " + f.Text(b) + "）"})
	}
	return out
}

// periodText writes a period as a leader reads it: a calendar month as
// 2026年10月, any other span by its first and last day.
func periodText(from, to time.Time) string {
	f, t := from.In(zone.Shanghai), to.In(zone.Shanghai)
	if f.Day() == 1 && f.Hour() == 0 && f.Minute() == 0 && t.Equal(f.AddDate(0, 1, 0)) {
		return f.Format("2006年1月")
	}
	return f.Format("2006-01-02") + " 至 " + t.Add(-time.Millisecond).Format("2006-01-02")
}

// Supervise grades the units under node for [from, to) (Compute) and
// creates a 督办 task for each unit graded red, for the unit's leader (a
// leader at the unit, else the nearest above it), titled with the figures
// that made it red. A unit has one task per period: called again, by
// another replica or by hand, it creates nothing more. It returns the
// tasks created now.
func Supervise(ctx context.Context, d *db.DB, node area.Node, from, to, now time.Time) ([]Task, error) {
	lg, err := Compute(ctx, d, node, from, to)
	if err != nil {
		return nil, err
	}
	th, err := LoadThresholds(ctx, d)
	if err != nil {
		return nil, err
	}
	var made []Task
	err = d.InTx(ctx, func(tx *db.Tx) error {
		made = made[:0]
		red := 0
		for _, r := range lg.Rows {
			if r.Colour != Red {
				continue
			}
			red++
			t, ok, err := createTask(ctx, tx, node, r, redFigures(r, th), from, to, now)
			if err != nil {
				return err
			}
			if ok {
				made = append(made, t)
			}
		}
		_, err := tx.Exec(ctx, `INSERT INTO supervision_runs (scope_id, period_from, period_to, ran_at, red) VALUES (?,?,?,?,?)
			ON CONFLICT (scope_id, period_from, period_to) DO NOTHING`, node.ID, db.Millis(from), db.Millis(to), db.Millis(now), red)
		if err != nil {
			return fmt.Errorf("supervision run of %s: %w", node.Name, err)
		}
		return nil
	})
	return made, err
}

// createTask stores the task of one red row unless the unit has one for
// the period (the unique key is the claim).
func createTask(ctx context.Context, tx *db.Tx, node area.Node, r Row, figs []RedFigure, from, to, now time.Time) (Task, bool, error) {
	t := Task{AreaID: r.AreaID, AreaName: r.Name, ScopeID: node.ID, From: from, To: to, Figures: figs,
		DueAt: now.AddDate(0, 0, SupervisionDays), Status: "open", CreatedAt: now}
	unit, err := area.Get(ctx, tx, r.AreaID)
	if err != nil {
		return t, false, err
	}
	if t.LeaderID, t.LeaderName, err = leaderOf(ctx, tx, unit); err != nil {
		return t, false, err
	}
	var names []string
	for _, f := range figs {
		names = append(names, f.Text)
	}
	t.Title = "督办：" + r.Name + " " + periodText(from, to) + "考核评为红色，" + strings.Join(names, "，")
	b, _ := json.Marshal(figs)
	var leader any
	if t.LeaderID != 0 {
		leader = t.LeaderID
	}
	res, err := tx.Exec(ctx, `INSERT INTO supervision_tasks (area_id, scope_id, period_from, period_to, leader_id, title, figures, due_at, created_at)
		VALUES (?,?,?,?,?,?,?,?,?) ON CONFLICT (area_id, period_from, period_to) DO NOTHING`,
		r.AreaID, node.ID, db.Millis(from), db.Millis(to), leader, t.Title, string(b), db.Millis(t.DueAt), db.Millis(now))
	if err != nil {
		return t, false, fmt.Errorf("supervision task of %s: %w", r.Name, err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return t, false, nil
	}
	if err := tx.QueryRow(ctx, `SELECT id FROM supervision_tasks WHERE area_id = ? AND period_from = ? AND period_to = ?`,
		r.AreaID, db.Millis(from), db.Millis(to)).Scan(&t.ID); err != nil {
		return t, false, fmt.Errorf("supervision task of %s: %w", r.Name, err)
	}
	return t, true, auth.Audit(ctx, tx, auth.AuditEntry{At: now, Username: "scheduler", Action: auth.AuditCreate,
		ObjectType: "supervision_task", ObjectID: strconv.FormatInt(t.ID, 10), Detail: t.Title})
}

// leaderOf finds the leader of a unit: an enabled leader whose node is the
// unit, else the one of the nearest node above it (a station without its
// own leader is supervised by the county's). None: 0.
func leaderOf(ctx context.Context, q db.Querier, unit area.Node) (int64, string, error) {
	var ids []any
	var marks []string
	for _, p := range strings.Split(strings.Trim(unit.Path, "/"), "/") {
		if id, err := strconv.ParseInt(p, 10, 64); err == nil {
			ids, marks = append(ids, id), append(marks, "?")
		}
	}
	if len(ids) == 0 {
		return 0, "", nil
	}
	var id int64
	var name string
	err := q.QueryRow(ctx, `SELECT u.id, u.display_name FROM users u JOIN areas a ON a.id = u.area_id
		WHERE u.role = 'leader' AND u.disabled = 0 AND u.area_id IN (`+strings.Join(marks, ",")+`)
		ORDER BY LENGTH(a.path) DESC, u.id LIMIT 1`, ids...).Scan(&id, &name)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, "", nil
	}
	if err != nil {
		return 0, "", fmt.Errorf("leader of %s: %w", unit.Name, err)
	}
	return id, name, nil
}

const selectTask = `SELECT t.id, t.area_id, COALESCE(a.name, ''), t.scope_id, t.period_from, t.period_to, COALESCE(t.leader_id, 0),
	COALESCE(u.display_name, ''), t.title, t.figures, t.due_at, t.status, t.done_at, t.note, t.created_at
	FROM supervision_tasks t LEFT JOIN areas a ON a.id = t.area_id LEFT JOIN users u ON u.id = t.leader_id`

func scanTask(sc interface{ Scan(...any) error }) (Task, error) {
	var t Task
	var from, to, due, created int64
	var done sql.NullInt64
	var figs string
	if err := sc.Scan(&t.ID, &t.AreaID, &t.AreaName, &t.ScopeID, &from, &to, &t.LeaderID, &t.LeaderName, &t.Title, &figs,
		&due, &t.Status, &done, &t.Note, &created); err != nil {
		return t, err
	}
	t.From, t.To, t.DueAt, t.CreatedAt = db.Time(from), db.Time(to), db.Time(due), db.Time(created)
	if done.Valid {
		t.DoneAt = db.Time(done.Int64)
	}
	t.Figures = []RedFigure{}
	if figs != "" {
		if err := json.Unmarshal([]byte(figs), &t.Figures); err != nil {
			return t, fmt.Errorf("figures of supervision task %d: %w", t.ID, err)
		}
	}
	return t, nil
}

// TaskStatus reads the status filter of a task list: "" (all), "open",
// or "done" (also spelled "closed", as the API's filter is).
func TaskStatus(s string) (string, error) {
	switch s = strings.TrimSpace(s); s {
	case "", "open", "done":
		return s, nil
	case "closed":
		return "done", nil
	}
	return "", domain.Invalid("状态应为 open（待办结）或 closed（已办结），不是 %q", s)
}

// Tasks lists the 督办 tasks of the units in scope, open ones first, the
// newest period first; status ("open", "done", or "closed" for done)
// filters when not empty, any other status is invalid.
func Tasks(ctx context.Context, q db.Querier, scope area.Node, status string, page db.Page) ([]Task, error) {
	status, err := TaskStatus(status)
	if err != nil {
		return nil, err
	}
	var w db.Where
	cond, arg := area.UnderClause("t.area_id", scope)
	w.And(cond, arg).AndIf(status != "", "t.status = ?", status)
	page = page.Clamp(50, 500)
	rows, err := q.Query(ctx, selectTask+` WHERE `+w.String()+` ORDER BY CASE WHEN t.status = 'open' THEN 0 ELSE 1 END,
		t.period_from DESC, t.id DESC`+page.SQL(), w.Args()...)
	if err != nil {
		return nil, fmt.Errorf("supervision tasks: %w", err)
	}
	defer rows.Close()
	out := []Task{}
	for rows.Next() {
		t, err := scanTask(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// OpenTasks counts the open 督办 tasks of the units in scope, and of them
// those assigned to the leader leaderID (0: none).
func OpenTasks(ctx context.Context, q db.Querier, scope area.Node, leaderID int64) (open, mine int, err error) {
	cond, arg := area.UnderClause("t.area_id", scope)
	err = q.QueryRow(ctx, `SELECT COUNT(*), COALESCE(SUM(CASE WHEN t.leader_id = ? THEN 1 ELSE 0 END), 0)
		FROM supervision_tasks t WHERE t.status = 'open' AND `+cond, leaderID, arg).Scan(&open, &mine)
	if err != nil {
		return 0, 0, fmt.Errorf("open supervision tasks: %w", err)
	}
	return open, mine, nil
}

// GetTask reads one 督办 task of a unit in scope.
func GetTask(ctx context.Context, q db.Querier, scope area.Node, id int64) (Task, error) {
	cond, arg := area.UnderClause("t.area_id", scope)
	t, err := scanTask(q.QueryRow(ctx, selectTask+` WHERE t.id = ? AND `+cond, id, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return t, fmt.Errorf("supervision task %d: %w", id, domain.ErrNotFound)
	}
	return t, err
}

// MayClose says whether who may close the task: the leader it is assigned
// to, or a user who manages the staff of the jurisdiction (staff.manage:
// the centre's admin, a station head). Others in scope may read it only.
func MayClose(who auth.AuditEntry, t Task) bool {
	if t.Status != "open" {
		return false
	}
	return (t.LeaderID != 0 && who.UserID == t.LeaderID) || who.Role.Can(auth.CapStaffManage)
}

// CloseTask records the answer to a 督办 task (what was done about the red
// figures) and closes it, once. A task outside scope is not found; in
// scope, only the leader it is assigned to or a user with staff.manage
// may close it (MayClose), anyone else is forbidden.
func CloseTask(ctx context.Context, d *db.DB, scope area.Node, who auth.AuditEntry, id int64, note string, now time.Time) error {
	t, err := GetTask(ctx, d, scope, id)
	if err != nil {
		return err
	}
	if t.Status != "open" {
		return domain.Conflict("该督办任务已办结")
	}
	if !MayClose(who, t) {
		if t.LeaderName != "" {
			return domain.Forbidden("该督办任务由%s办结；只有被督办的领导或有人员管理权限的用户可以办结", t.LeaderName)
		}
		return domain.Forbidden("只有被督办的领导或有人员管理权限的用户可以办结该督办任务")
	}
	note = strings.TrimSpace(note)
	if note == "" {
		return domain.Invalid("请填写整改情况")
	}
	return d.InTx(ctx, func(tx *db.Tx) error {
		res, err := tx.Exec(ctx, `UPDATE supervision_tasks SET status = 'done', done_at = ?, done_by = ?, note = ? WHERE id = ? AND status = 'open'`,
			db.Millis(now), nullable(who.UserID), note, id)
		if err != nil {
			return fmt.Errorf("close supervision task %d: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return domain.Conflict("该督办任务已办结")
		}
		e := who.With(auth.AuditUpdate, "supervision_task", strconv.FormatInt(id, 10))
		e.At, e.Detail = now, "done"
		return auth.Audit(ctx, tx, e)
	})
}

func nullable(v int64) any {
	if v == 0 {
		return nil
	}
	return v
}

// SuperviseJob names the monthly supervision's lock (db.RunExclusive).
const SuperviseJob = "assess.supervise"

// Supervisor runs Supervise for the month just ended, once the month is
// over, for the league of the root (its stations, or a province's) and of
// every station (its towns). A league examined is a row of
// supervision_runs, so each is computed once; on PostgreSQL the tick runs
// under the job's advisory lock, and the tasks' unique key keeps one task
// per unit and month whatever runs concurrently. A server down at the
// turn of the month catches up at its first tick.
type Supervisor struct {
	DB  *db.DB
	Log *slog.Logger
	Now func() time.Time // time.Now when nil
}

// Tick examines the leagues of last month not examined yet and returns
// the tasks it created.
func (s *Supervisor) Tick(ctx context.Context) ([]Task, error) {
	var made []Task
	_, err := s.DB.RunExclusive(ctx, SuperviseJob, func(ctx context.Context) error {
		var err error
		made, err = s.tick(ctx)
		return err
	})
	return made, err
}

// LastMonth is the calendar month (Shanghai) before the one of now.
func LastMonth(now time.Time) (from, to time.Time) {
	l := now.In(zone.Shanghai)
	to = time.Date(l.Year(), l.Month(), 1, 0, 0, 0, 0, zone.Shanghai)
	return to.AddDate(0, -1, 0), to
}

func (s *Supervisor) tick(ctx context.Context) ([]Task, error) {
	now := time.Now()
	if s.Now != nil {
		now = s.Now()
	}
	root, err := area.Root(ctx, s.DB)
	if errors.Is(err, area.ErrNotFound) {
		return nil, nil // first start not done yet
	}
	if err != nil {
		return nil, err
	}
	from, to := LastMonth(now)
	// Every assessing level ranks the one below (Compute): the root, and
	// under it each city (its counties), county (its stations) and
	// station (its towns).
	nodes := []area.Node{root}
	if root.Level != area.Station {
		under, err := area.ByLevels(ctx, s.DB, root, area.City, area.County, area.Station)
		if err != nil {
			return nil, err
		}
		for _, n := range area.Live(under) {
			if n.ID != root.ID {
				nodes = append(nodes, n)
			}
		}
	}
	var made []Task
	for _, n := range nodes {
		var done int
		if err := s.DB.QueryRow(ctx, `SELECT COUNT(*) FROM supervision_runs WHERE scope_id = ? AND period_from = ? AND period_to = ?`,
			n.ID, db.Millis(from), db.Millis(to)).Scan(&done); err != nil {
			return made, fmt.Errorf("supervision runs: %w", err)
		}
		if done > 0 {
			continue
		}
		ts, err := Supervise(ctx, s.DB, n, from, to, now)
		if err != nil {
			return made, fmt.Errorf("supervision of %s: %w", n.Name, err)
		}
		made = append(made, ts...)
	}
	return made, nil
}

// Run ticks every interval until ctx ends; the first tick is at once.
func (s *Supervisor) Run(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		made, err := s.Tick(ctx)
		if err != nil && ctx.Err() == nil {
			s.log().Error("supervision of red units", "err", err)
		} else if len(made) > 0 {
			s.log().Info("supervision tasks created for red units", "tasks", len(made))
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (s *Supervisor) log() *slog.Logger {
	if s.Log != nil {
		return s.Log
	}
	return slog.Default()
}
