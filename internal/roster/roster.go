// Package roster is the 7×24 duty roster: concrete shifts of officers at a
// station (dissuaders, 劝阻) or at the centre (duty officers, 值班), weekly
// patterns that repeat indefinitely and are materialised ahead into shifts,
// leave that takes an officer off duty whatever the shifts say, swaps, copy
// forward, file import/export, who is on duty at an instant (what intake
// assigns warnings to), the gaps of the coming hours and their watcher.
//
// Every change is audited and bumps db.GenRoster in its transaction, so the
// intake of every replica reads the roster again before its next warning.
// The functions that change the roster take a db.Querier and must be called
// inside a transaction (db.DB.InTx); the caller's jurisdiction (Actor.Scope)
// is checked inside the queries: a station head edits only their station, a
// centre admin everything.
package roster

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/domain"
	"github.com/fanzha/fanzha/internal/zone"
)

// MaxShift is the longest shift the roster accepts.
const MaxShift = 24 * time.Hour

// Duty is what an officer does on a shift.
type Duty string

// Duties.
const (
	Dissuader   Duty = "dissuader"    // 劝阻: takes the station's warnings
	DutyOfficer Duty = "duty_officer" // 值班: watches the centre's board
)

// DutyName is the Chinese label of a duty.
func DutyName(d Duty) string {
	switch d {
	case Dissuader:
		return "劝阻"
	case DutyOfficer:
		return "值班"
	}
	return string(d)
}

// Name is the Chinese label of the duty.
func (d Duty) Name() string { return DutyName(d) }

// ParseDuty reads a duty written in Chinese or English.
func ParseDuty(s string) (Duty, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "劝阻", "劝阻员", "劝阻民警", "dissuader":
		return Dissuader, true
	case "值班", "值班员", "值班民警", "duty_officer", "duty":
		return DutyOfficer, true
	}
	return "", false
}

// Shift is one concrete shift.
type Shift struct {
	ID        int64     `json:"id"`
	AreaID    int64     `json:"area_id"`
	AreaName  string    `json:"area_name"`
	AreaCode  string    `json:"area_code"`
	UserID    int64     `json:"user_id"`
	Username  string    `json:"username"`
	UserName  string    `json:"user_name"`
	Disabled  bool      `json:"disabled,omitempty"`
	Duty      Duty      `json:"duty"`
	Start     time.Time `json:"starts_at"`
	End       time.Time `json:"ends_at"`
	Source    string    `json:"source"` // manual | import | copy | pattern
	PatternID int64     `json:"pattern_id,omitempty"`
}

// Actor is who changes the roster: their jurisdiction, the audit line's who,
// and the time of the change.
type Actor struct {
	Scope area.Node
	Audit auth.AuditEntry
	Now   time.Time
}

func (a Actor) now() time.Time {
	if a.Now.IsZero() {
		return time.Now().UTC()
	}
	return a.Now.UTC()
}

func (a Actor) audit(ctx context.Context, q db.Querier, action, objType string, id int64, detail string) error {
	e := a.Audit.With(action, objType, "")
	if id != 0 {
		e.ObjectID = strconv.FormatInt(id, 10)
	}
	e.At, e.Detail = a.now(), detail
	return auth.Audit(ctx, q, e)
}

// changed audits a change and bumps the roster's generation counter.
func (a Actor) changed(ctx context.Context, q db.Querier, action, objType string, id int64, detail string) error {
	if err := a.audit(ctx, q, action, objType, id, detail); err != nil {
		return err
	}
	return db.Bump(ctx, q, db.GenRoster)
}

// officerRole reports whether a role can stand a police shift.
func officerRole(r auth.Role) bool { return r != auth.RolePartner && r != auth.RoleGrid }

// placement is a checked (node, officer, duty) triple.
type placement struct {
	node area.Node
	user auth.User
	duty Duty
}

// place checks that user may stand duty at node and that node lies in the
// actor's scope: dissuaders at a station, bound under it; duty officers at
// the centre (the county root), bound to it. Disabled users and non-police
// roles are refused.
func place(ctx context.Context, q db.Querier, scope area.Node, nodeID, userID int64, duty Duty) (placement, error) {
	if duty != Dissuader && duty != DutyOfficer {
		return placement{}, domain.Invalid("岗位必须是劝阻或值班")
	}
	n, err := area.Get(ctx, q, nodeID)
	if err != nil || !scope.Contains(n) {
		return placement{}, domain.NotFound("所属单位不存在或不在您的辖区")
	}
	if n.Retired {
		return placement{}, domain.Invalid("%s 已撤销，不能排班", n.Name)
	}
	switch duty {
	case Dissuader:
		if n.Level != area.Station {
			return placement{}, domain.Invalid("劝阻岗位只能排在派出所（%s 不是派出所）", n.Name)
		}
	case DutyOfficer:
		if !n.Level.Centre() {
			return placement{}, domain.Invalid("值班岗位只能排在中心（%s 不是中心）", n.Name)
		}
	}
	u, err := auth.GetUser(ctx, q, userID)
	if err != nil {
		return placement{}, domain.NotFound("用户 %d 不存在", userID)
	}
	if u.Disabled {
		return placement{}, domain.Invalid("用户 %s 已停用，不能排班", u.Username)
	}
	if !officerRole(u.Role) {
		return placement{}, domain.Invalid("%s（%s）不是民警，不能排班", u.Username, auth.RoleName(u.Role))
	}
	un, err := area.Get(ctx, q, u.AreaID)
	if err != nil {
		return placement{}, err
	}
	switch duty {
	case Dissuader:
		if !n.Contains(un) {
			return placement{}, domain.Invalid("%s 不属于 %s，不能排在该所", u.Username, n.Name)
		}
	case DutyOfficer:
		if u.AreaID != n.ID {
			return placement{}, domain.Invalid("%s 不属于中心，不能排中心值班", u.Username)
		}
	}
	return placement{node: n, user: u, duty: duty}, nil
}

// HomeOf is where an officer stands duty by default: duty officers at the
// centre they belong to (值班: their county, or the city or province they
// are bound to), everyone else at the station they are bound under (劝阻).
func HomeOf(ctx context.Context, q db.Querier, u auth.User) (int64, Duty, error) {
	n, err := area.Get(ctx, q, u.AreaID)
	if err != nil {
		return 0, "", err
	}
	if u.Role == auth.RoleDuty {
		c, err := area.CentreOf(ctx, q, n)
		if err != nil {
			return 0, "", err
		}
		return c.ID, DutyOfficer, nil
	}
	if n.StationID == 0 {
		return 0, "", domain.Invalid("%s 不属于任何派出所，请指定岗位和所属", u.Username)
	}
	return n.StationID, Dissuader, nil
}

// homeFor is where an officer stands a given duty.
// areaOrHome is the node a shift or pattern is placed on: the one given,
// or, when none is, the officer's home for the duty (homeFor).
func areaOrHome(ctx context.Context, q db.Querier, areaID, userID int64, duty Duty) (int64, error) {
	if areaID != 0 {
		return areaID, nil
	}
	u, err := auth.GetUser(ctx, q, userID)
	if err != nil {
		return 0, domain.NotFound("用户 %d 不存在", userID)
	}
	return homeFor(ctx, q, u, duty)
}

func homeFor(ctx context.Context, q db.Querier, u auth.User, duty Duty) (int64, error) {
	n, err := area.Get(ctx, q, u.AreaID)
	if err != nil {
		return 0, err
	}
	if duty == DutyOfficer {
		c, err := area.CentreOf(ctx, q, n)
		if err != nil {
			return 0, err
		}
		return c.ID, nil
	}
	if n.StationID == 0 {
		return 0, domain.Invalid("%s 不属于任何派出所，不能排劝阻岗", u.Username)
	}
	return n.StationID, nil
}

func checkTimes(start, end time.Time) error {
	if start.IsZero() || end.IsZero() {
		return domain.Invalid("请填写开始和结束时间")
	}
	if !end.After(start) {
		return domain.Invalid("结束时间必须晚于开始时间")
	}
	if end.Sub(start) > MaxShift {
		return domain.Invalid("一个班次不能超过 24 小时")
	}
	return nil
}

// overlapping returns the id of a shift of user that overlaps [start, end),
// other than except, or 0.
func overlapping(ctx context.Context, q db.Querier, userID int64, start, end time.Time, except int64) (int64, error) {
	var id int64
	err := q.QueryRow(ctx, `SELECT id FROM duty_shifts WHERE user_id = ? AND starts_at < ? AND ends_at > ? AND id <> ? ORDER BY starts_at LIMIT 1`,
		userID, db.Millis(end), db.Millis(start), except).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return id, err
}

func overlapError(ctx context.Context, q db.Querier, u auth.User, id int64) error {
	var s, e int64
	_ = q.QueryRow(ctx, `SELECT starts_at, ends_at FROM duty_shifts WHERE id = ?`, id).Scan(&s, &e)
	return domain.Conflict("%s 在 %s 已有班次，时间重叠", u.DisplayName, span(db.Time(s), db.Time(e)))
}

// span formats an interval in Shanghai time.
func span(s, e time.Time) string {
	s, e = s.In(zone.Shanghai), e.In(zone.Shanghai)
	if s.Format("2006-01-02") == e.Format("2006-01-02") || (e.Sub(s) <= 24*time.Hour && e.Hour() == 0 && e.Minute() == 0) {
		end := e.Format("15:04")
		if end == "00:00" && e.After(s) {
			end = "24:00"
		}
		return s.Format("2006-01-02 15:04") + "–" + end
	}
	return s.Format("2006-01-02 15:04") + "–" + e.Format("01-02 15:04")
}

// ShiftInput is a shift to add. AreaID 0 puts it where the officer stands
// that duty (their station for 劝阻, the centre for 值班).
type ShiftInput struct {
	AreaID int64
	UserID int64
	Duty   Duty
	Start  time.Time
	End    time.Time
}

// AddShift stores a shift (source manual, import or copy).
func AddShift(ctx context.Context, q db.Querier, a Actor, in ShiftInput) (int64, error) {
	return addShift(ctx, q, a, in, "manual", true)
}

func addShift(ctx context.Context, q db.Querier, a Actor, in ShiftInput, source string, record bool) (int64, error) {
	if err := checkTimes(in.Start, in.End); err != nil {
		return 0, err
	}
	var err error
	if in.AreaID, err = areaOrHome(ctx, q, in.AreaID, in.UserID, in.Duty); err != nil {
		return 0, err
	}
	pl, err := place(ctx, q, a.Scope, in.AreaID, in.UserID, in.Duty)
	if err != nil {
		return 0, err
	}
	if other, err := overlapping(ctx, q, in.UserID, in.Start, in.End, 0); err != nil {
		return 0, err
	} else if other != 0 {
		return 0, overlapError(ctx, q, pl.user, other)
	}
	var id int64
	err = q.QueryRow(ctx, `INSERT INTO duty_shifts (user_id, area_id, duty, starts_at, ends_at, source, created_at) VALUES (?,?,?,?,?,?,?) RETURNING id`,
		in.UserID, in.AreaID, string(in.Duty), db.Millis(in.Start), db.Millis(in.End), source, db.Millis(a.now())).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("add shift: %w", err)
	}
	if !record {
		return id, nil
	}
	return id, a.changed(ctx, q, auth.AuditCreate, "duty_shift", id,
		fmt.Sprintf("%s %s %s %s", pl.node.Name, DutyName(in.Duty), pl.user.Username, span(in.Start, in.End)))
}

// StartInput and EndInput are the shift's times as a datetime-local form
// value in Shanghai (2026-12-08T08:00).
func (s Shift) StartInput() string { return s.Start.In(zone.Shanghai).Format("2006-01-02T15:04") }

// EndInput: see StartInput.
func (s Shift) EndInput() string { return s.End.In(zone.Shanghai).Format("2006-01-02T15:04") }

const shiftColumns = `s.id, s.area_id, a.name, a.code, s.user_id, u.username, u.display_name, u.disabled, s.duty, s.starts_at, s.ends_at,
	s.source, COALESCE(s.pattern_id, 0)`

const shiftFrom = ` FROM duty_shifts s JOIN areas a ON a.id = s.area_id JOIN users u ON u.id = s.user_id`

func scanShift(sc interface{ Scan(...any) error }) (Shift, error) {
	var s Shift
	var disabled int
	var st, en int64
	err := sc.Scan(&s.ID, &s.AreaID, &s.AreaName, &s.AreaCode, &s.UserID, &s.Username, &s.UserName, &disabled, &s.Duty, &st, &en, &s.Source, &s.PatternID)
	s.Disabled, s.Start, s.End = disabled != 0, db.Time(st), db.Time(en)
	return s, err
}

// GetShift returns a shift of a node in scope.
func GetShift(ctx context.Context, q db.Querier, scope area.Node, id int64) (Shift, error) {
	cond, arg := area.UnderClause("s.area_id", scope)
	s, err := scanShift(q.QueryRow(ctx, `SELECT `+shiftColumns+shiftFrom+` WHERE s.id = ? AND `+cond, id, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return Shift{}, domain.NotFound("班次不存在或不在您的辖区")
	}
	return s, err
}

// ListShifts returns the shifts overlapping [from, to) of the nodes in
// scope (one node when areaID is not 0), by start.
func ListShifts(ctx context.Context, q db.Querier, scope area.Node, areaID int64, from, to time.Time) ([]Shift, error) {
	cond, arg := area.UnderClause("s.area_id", scope)
	query := `SELECT ` + shiftColumns + shiftFrom + ` WHERE s.starts_at < ? AND s.ends_at > ? AND ` + cond
	args := []any{db.Millis(to), db.Millis(from), arg}
	if areaID != 0 {
		query += ` AND s.area_id = ?`
		args = append(args, areaID)
	}
	rows, err := q.Query(ctx, query+` ORDER BY s.starts_at, s.area_id, u.display_name, s.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("list shifts: %w", err)
	}
	defer rows.Close()
	out := []Shift{}
	for rows.Next() {
		s, err := scanShift(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// skip records that a pattern's occurrence was changed by hand, so the
// materialiser does not put it back.
func skip(ctx context.Context, q db.Querier, s Shift) error {
	if s.PatternID == 0 {
		return nil
	}
	_, err := q.Exec(ctx, `INSERT INTO roster_skips (pattern_id, starts_at) VALUES (?, ?) ON CONFLICT (pattern_id, starts_at) DO NOTHING`,
		s.PatternID, db.Millis(s.Start))
	return err
}

// EditShift moves a shift to new times. A pattern's occurrence edited by
// hand becomes a manual shift (the pattern does not recreate it).
func EditShift(ctx context.Context, q db.Querier, a Actor, id int64, start, end time.Time) error {
	s, err := GetShift(ctx, q, a.Scope, id)
	if err != nil {
		return err
	}
	if err := checkTimes(start, end); err != nil {
		return err
	}
	pl, err := place(ctx, q, a.Scope, s.AreaID, s.UserID, s.Duty)
	if err != nil {
		return err
	}
	if other, err := overlapping(ctx, q, s.UserID, start, end, id); err != nil {
		return err
	} else if other != 0 {
		return overlapError(ctx, q, pl.user, other)
	}
	if err := skip(ctx, q, s); err != nil {
		return err
	}
	if _, err := q.Exec(ctx, `UPDATE duty_shifts SET starts_at = ?, ends_at = ?, pattern_id = NULL,
		source = CASE WHEN source = 'pattern' THEN 'manual' ELSE source END WHERE id = ?`,
		db.Millis(start), db.Millis(end), id); err != nil {
		return fmt.Errorf("edit shift %d: %w", id, err)
	}
	return a.changed(ctx, q, auth.AuditUpdate, "duty_shift", id,
		fmt.Sprintf("%s %s %s → %s", s.AreaName, s.Username, span(s.Start, s.End), span(start, end)))
}

// DeleteShift removes a shift. A pattern's occurrence deleted stays deleted.
func DeleteShift(ctx context.Context, q db.Querier, a Actor, id int64) error {
	s, err := GetShift(ctx, q, a.Scope, id)
	if err != nil {
		return err
	}
	if err := skip(ctx, q, s); err != nil {
		return err
	}
	if _, err := q.Exec(ctx, `DELETE FROM duty_shifts WHERE id = ?`, id); err != nil {
		return fmt.Errorf("delete shift %d: %w", id, err)
	}
	return a.changed(ctx, q, auth.AuditDelete, "duty_shift", id,
		fmt.Sprintf("%s %s %s %s", s.AreaName, DutyName(s.Duty), s.Username, span(s.Start, s.End)))
}

// SwapShift gives a shift to another officer of the same station (or of
// the centre), who must be free at that time.
func SwapShift(ctx context.Context, q db.Querier, a Actor, id, toUser int64) error {
	s, err := GetShift(ctx, q, a.Scope, id)
	if err != nil {
		return err
	}
	if toUser == s.UserID {
		return domain.Invalid("请选择另一名民警")
	}
	pl, err := place(ctx, q, a.Scope, s.AreaID, toUser, s.Duty)
	if err != nil {
		return err
	}
	if other, err := overlapping(ctx, q, toUser, s.Start, s.End, id); err != nil {
		return err
	} else if other != 0 {
		return overlapError(ctx, q, pl.user, other)
	}
	if _, err := q.Exec(ctx, `UPDATE duty_shifts SET user_id = ? WHERE id = ?`, toUser, id); err != nil {
		return fmt.Errorf("swap shift %d: %w", id, err)
	}
	return a.changed(ctx, q, auth.AuditUpdate, "duty_shift", id,
		fmt.Sprintf("调班 %s %s：%s → %s", s.AreaName, span(s.Start, s.End), s.Username, pl.user.Username))
}

// Officers lists who may be put on the roster of node: the enabled police
// officers bound under a station, or bound to the centre.
func Officers(ctx context.Context, q db.Querier, scope area.Node, nodeID int64) ([]auth.User, error) {
	n, err := area.Get(ctx, q, nodeID)
	if err != nil || !scope.Contains(n) {
		return nil, domain.NotFound("所属单位不存在或不在您的辖区")
	}
	var list []auth.User
	if n.Level.Centre() {
		all, err := auth.ListUsers(ctx, q, n, "")
		if err != nil {
			return nil, err
		}
		for _, u := range all {
			if u.AreaID == n.ID {
				list = append(list, u)
			}
		}
	} else if list, err = auth.ListUsers(ctx, q, n, ""); err != nil {
		return nil, err
	}
	out := []auth.User{}
	for _, u := range list {
		if !u.Disabled && officerRole(u.Role) {
			out = append(out, u)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

// Nodes lists the nodes of scope that have a roster: the centres (the
// scope when it is a county, city or province, and the cities and counties
// under it), then the stations that are not retired, in tree order.
func Nodes(ctx context.Context, q db.Querier, scope area.Node) ([]area.Node, error) {
	all, err := area.ByLevels(ctx, q, scope, area.Province, area.City, area.County, area.Station)
	if err != nil {
		return nil, err
	}
	var out []area.Node
	for _, n := range all {
		if n.Level.Centre() && !n.Retired {
			out = append(out, n)
		}
	}
	for _, n := range all {
		if n.Level == area.Station && !n.Retired {
			out = append(out, n)
		}
	}
	return out, nil
}

// DutyAt is the duty stood at a node of the roster.
func DutyAt(n area.Node) Duty {
	if n.Level.Centre() {
		return DutyOfficer
	}
	return Dissuader
}
