package roster

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/domain"
	"github.com/fanzha/fanzha/internal/zone"
)

// Horizon is how far ahead patterns are materialised into shifts.
const Horizon = 21 * 24 * time.Hour

// DayLayout is how days are written (Asia/Shanghai).
const DayLayout = "2006-01-02"

// Weekdays is a set of weekdays: bit 0 Monday … bit 6 Sunday.
type Weekdays uint8

// AllWeek is every day of the week.
const AllWeek Weekdays = 0x7f

// WeekdayBit is the bit of a Go weekday.
func WeekdayBit(d time.Weekday) Weekdays { return 1 << ((int(d) + 6) % 7) }

// Has reports whether the set holds d.
func (w Weekdays) Has(d time.Weekday) bool { return w&WeekdayBit(d) != 0 }

var weekdayNames = []string{"一", "二", "三", "四", "五", "六", "日"}

// WeekdayLabels are the Chinese names of the weekdays, Monday first.
func WeekdayLabels() []string { return append([]string(nil), weekdayNames...) }

// String writes the set as 周一、周三 (每天 for all seven).
func (w Weekdays) String() string {
	if w&AllWeek == AllWeek {
		return "每天"
	}
	var parts []string
	for i, n := range weekdayNames {
		if w&(1<<i) != 0 {
			parts = append(parts, "周"+n)
		}
	}
	return strings.Join(parts, "、")
}

// Pattern is a weekly pattern: an officer stands a duty at a node on some
// weekdays from a start time for a length, from a day and optionally until
// a day (inclusive).
type Pattern struct {
	ID          int64    `json:"id"`
	AreaID      int64    `json:"area_id"`
	AreaName    string   `json:"area_name"`
	UserID      int64    `json:"user_id"`
	Username    string   `json:"username"`
	UserName    string   `json:"user_name"`
	Duty        Duty     `json:"duty"`
	Weekdays    Weekdays `json:"weekdays"`
	StartMinute int      `json:"start_minute"` // minutes after midnight, Shanghai
	Minutes     int      `json:"minutes"`
	From        string   `json:"from"`  // YYYY-MM-DD
	Until       string   `json:"until"` // YYYY-MM-DD, "" for indefinitely
}

// StartText is the start time as HH:MM.
func (p Pattern) StartText() string {
	return fmt.Sprintf("%02d:%02d", p.StartMinute/60, p.StartMinute%60)
}

// LengthText is the length in hours.
func (p Pattern) LengthText() string {
	if p.Minutes%60 == 0 {
		return fmt.Sprintf("%d 小时", p.Minutes/60)
	}
	return fmt.Sprintf("%.1f 小时", float64(p.Minutes)/60)
}

// Interval is a span of time.
type Interval struct{ Start, End time.Time }

// ParseDay reads YYYY-MM-DD as midnight in Shanghai.
func ParseDay(s string) (time.Time, error) {
	t, err := time.ParseInLocation(DayLayout, strings.TrimSpace(s), zone.Shanghai)
	if err != nil {
		return time.Time{}, domain.Invalid("日期 %q 格式不对，应为 2026-12-08", s)
	}
	return t, nil
}

// DayOf is midnight (Shanghai) of the day holding t.
func DayOf(t time.Time) time.Time {
	l := t.In(zone.Shanghai)
	return time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, zone.Shanghai)
}

// Occurrences lists the shifts of p that start in [from, to). A shift that
// crosses midnight belongs to the day it starts on.
func (p Pattern) Occurrences(from, to time.Time) []Interval {
	if p.Minutes <= 0 || p.Weekdays&AllWeek == 0 || !to.After(from) {
		return nil
	}
	first, err := ParseDay(p.From)
	if err != nil {
		return nil
	}
	var last time.Time
	if p.Until != "" {
		if last, err = ParseDay(p.Until); err != nil {
			return nil
		}
	}
	var out []Interval
	for day := DayOf(from); day.Before(to); day = day.AddDate(0, 0, 1) {
		if day.Before(first) || (!last.IsZero() && day.After(last)) || !p.Weekdays.Has(day.Weekday()) {
			continue
		}
		s := day.Add(time.Duration(p.StartMinute) * time.Minute)
		if s.Before(from) || !s.Before(to) {
			continue
		}
		out = append(out, Interval{s.UTC(), s.Add(time.Duration(p.Minutes) * time.Minute).UTC()})
	}
	return out
}

// PatternInput is a pattern to add; AreaID 0 puts it where the officer
// stands that duty.
type PatternInput struct {
	AreaID   int64
	UserID   int64
	Duty     Duty
	Weekdays Weekdays
	Start    string // HH:MM
	Hours    float64
	From     string // YYYY-MM-DD
	Until    string // YYYY-MM-DD or ""
}

// ParseClock reads HH:MM as minutes after midnight.
func ParseClock(s string) (int, error) {
	t, err := time.Parse("15:04", strings.TrimSpace(s))
	if err != nil {
		return 0, domain.Invalid("开始时间 %q 格式不对，应为 08:00", s)
	}
	return t.Hour()*60 + t.Minute(), nil
}

// AddPattern stores a weekly pattern and materialises it at once from the
// start of today to the horizon.
func AddPattern(ctx context.Context, q db.Querier, a Actor, in PatternInput) (int64, error) {
	if in.Weekdays&AllWeek == 0 {
		return 0, domain.Invalid("请至少选择一个星期几")
	}
	start, err := ParseClock(in.Start)
	if err != nil {
		return 0, err
	}
	minutes := int(in.Hours*60 + 0.5)
	if minutes < 15 || minutes > int(MaxShift/time.Minute) {
		return 0, domain.Invalid("班次时长应在 0.25 到 24 小时之间")
	}
	from, err := ParseDay(in.From)
	if err != nil {
		return 0, err
	}
	if in.Until = strings.TrimSpace(in.Until); in.Until != "" {
		until, err := ParseDay(in.Until)
		if err != nil {
			return 0, err
		}
		if until.Before(from) {
			return 0, domain.Invalid("截止日期早于起始日期")
		}
	}
	if in.AreaID, err = areaOrHome(ctx, q, in.AreaID, in.UserID, in.Duty); err != nil {
		return 0, err
	}
	pl, err := place(ctx, q, a.Scope, in.AreaID, in.UserID, in.Duty)
	if err != nil {
		return 0, err
	}
	var id int64
	err = q.QueryRow(ctx, `INSERT INTO roster_patterns (area_id, user_id, duty, weekdays, start_minute, minutes, from_day, until_day, created_by, created_at)
		VALUES (?,?,?,?,?,?,?,?,?,?) RETURNING id`, in.AreaID, in.UserID, string(in.Duty), int64(in.Weekdays&AllWeek), start, minutes,
		from.Format(DayLayout), in.Until, nullID(a.Audit.UserID), db.Millis(a.now())).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("add pattern: %w", err)
	}
	p := Pattern{ID: id, AreaID: in.AreaID, UserID: in.UserID, Duty: in.Duty, Weekdays: in.Weekdays & AllWeek,
		StartMinute: start, Minutes: minutes, From: from.Format(DayLayout), Until: in.Until}
	if _, err := materialise(ctx, q, []Pattern{p}, DayOf(a.now()), a.now().Add(Horizon), a.now()); err != nil {
		return 0, err
	}
	until := in.Until
	if until == "" {
		until = "长期"
	}
	return id, a.changed(ctx, q, auth.AuditCreate, "roster_pattern", id, fmt.Sprintf("%s %s %s %s %s 起 %s，%s 至 %s",
		pl.node.Name, DutyName(in.Duty), pl.user.Username, p.Weekdays, p.StartText(), p.LengthText(), p.From, until))
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

const patternColumns = `p.id, p.area_id, a.name, p.user_id, u.username, u.display_name, p.duty, p.weekdays, p.start_minute, p.minutes,
	p.from_day, p.until_day FROM roster_patterns p JOIN areas a ON a.id = p.area_id JOIN users u ON u.id = p.user_id`

func scanPattern(sc interface{ Scan(...any) error }) (Pattern, error) {
	var p Pattern
	var wd int64
	err := sc.Scan(&p.ID, &p.AreaID, &p.AreaName, &p.UserID, &p.Username, &p.UserName, &p.Duty, &wd, &p.StartMinute, &p.Minutes, &p.From, &p.Until)
	p.Weekdays = Weekdays(wd)
	return p, err
}

// ListPatterns returns the patterns in force of the nodes in scope (one
// node when areaID is not 0).
func ListPatterns(ctx context.Context, q db.Querier, scope area.Node, areaID int64) ([]Pattern, error) {
	cond, arg := area.UnderClause("p.area_id", scope)
	query := `SELECT ` + patternColumns + ` WHERE p.deleted_at IS NULL AND ` + cond
	args := []any{arg}
	if areaID != 0 {
		query += ` AND p.area_id = ?`
		args = append(args, areaID)
	}
	return queryPatterns(ctx, q, query+` ORDER BY p.area_id, p.start_minute, u.display_name, p.id`, args...)
}

func queryPatterns(ctx context.Context, q db.Querier, query string, args ...any) ([]Pattern, error) {
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("list patterns: %w", err)
	}
	defer rows.Close()
	out := []Pattern{}
	for rows.Next() {
		p, err := scanPattern(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// DeletePattern ends a pattern: it is kept for the shifts it made in the
// past, and its occurrences that have not begun are removed.
func DeletePattern(ctx context.Context, q db.Querier, a Actor, id int64) error {
	cond, arg := area.UnderClause("p.area_id", a.Scope)
	list, err := queryPatterns(ctx, q, `SELECT `+patternColumns+` WHERE p.id = ? AND p.deleted_at IS NULL AND `+cond, id, arg)
	if err != nil {
		return err
	}
	if len(list) == 0 {
		return domain.NotFound("排班规则不存在或不在您的辖区")
	}
	p := list[0]
	now := db.Millis(a.now())
	if _, err := q.Exec(ctx, `UPDATE roster_patterns SET deleted_at = ? WHERE id = ?`, now, id); err != nil {
		return fmt.Errorf("delete pattern %d: %w", id, err)
	}
	res, err := q.Exec(ctx, `DELETE FROM duty_shifts WHERE pattern_id = ? AND starts_at >= ?`, id, now)
	if err != nil {
		return fmt.Errorf("delete pattern %d shifts: %w", id, err)
	}
	n, _ := res.RowsAffected()
	return a.changed(ctx, q, auth.AuditDelete, "roster_pattern", id, fmt.Sprintf("%s %s %s %s %s，删除未开始的班次 %d 个",
		p.AreaName, DutyName(p.Duty), p.Username, p.Weekdays, p.StartText(), n))
}

// Materialise turns the patterns in force into shifts starting in
// [from, to). It is idempotent, also with two processes at once: an
// occurrence is unique (pattern_id, starts_at) and inserted with ON CONFLICT
// DO NOTHING; occurrences deleted or moved by hand are skipped, and so are
// those that would overlap a shift the officer already has. Disabled
// officers get no new shifts. It bumps db.GenRoster when it inserted any.
func Materialise(ctx context.Context, q db.Querier, from, to, now time.Time) (int, error) {
	list, err := queryPatterns(ctx, q, `SELECT `+patternColumns+` WHERE p.deleted_at IS NULL AND u.disabled = 0
		AND (p.until_day = '' OR p.until_day >= ?) AND p.from_day <= ? ORDER BY p.id`,
		DayOf(from).Format(DayLayout), DayOf(to).Format(DayLayout))
	if err != nil {
		return 0, err
	}
	return materialise(ctx, q, list, from, to, now)
}

// MaterialiseUnder is Materialise for the patterns placed in scope's
// subtree only: one county's roster made without reading the rest of a
// province's.
func MaterialiseUnder(ctx context.Context, q db.Querier, scope area.Node, from, to, now time.Time) (int, error) {
	cond, arg := area.UnderClause("p.area_id", scope)
	list, err := queryPatterns(ctx, q, `SELECT `+patternColumns+` WHERE p.deleted_at IS NULL AND u.disabled = 0
		AND (p.until_day = '' OR p.until_day >= ?) AND p.from_day <= ? AND `+cond+` ORDER BY p.id`,
		DayOf(from).Format(DayLayout), DayOf(to).Format(DayLayout), arg)
	if err != nil {
		return 0, err
	}
	return materialise(ctx, q, list, from, to, now)
}

// busyUsersMax is the most officers whose shifts materialise reads by
// name; a longer list (a whole province's patterns) reads the window's
// shifts of everyone.
const busyUsersMax = 500

func materialise(ctx context.Context, q db.Querier, list []Pattern, from, to, now time.Time) (int, error) {
	if len(list) == 0 {
		return 0, nil
	}
	// Only the shifts of the patterns' officers matter below.
	var users []any
	seen := map[int64]bool{}
	for _, p := range list {
		if !seen[p.UserID] {
			seen[p.UserID] = true
			users = append(users, p.UserID)
		}
	}
	userCond := ""
	if len(users) <= busyUsersMax {
		userCond = ` AND user_id IN (?` + strings.Repeat(`,?`, len(users)-1) + `)`
	} else {
		users = nil
	}
	skips := map[[2]int64]bool{}
	rows, err := q.Query(ctx, `SELECT pattern_id, starts_at FROM roster_skips WHERE starts_at >= ? AND starts_at < ?`, db.Millis(from), db.Millis(to))
	if err != nil {
		return 0, fmt.Errorf("read roster skips: %w", err)
	}
	for rows.Next() {
		var k [2]int64
		if err := rows.Scan(&k[0], &k[1]); err != nil {
			rows.Close()
			return 0, err
		}
		skips[k] = true
	}
	rows.Close()
	// The officers' shifts around the window: an occurrence overlapping a
	// shift the officer already has (by hand, imported, or another pattern)
	// is left out, so a pattern never double-books anyone.
	busy := map[int64][]Interval{}
	br, err := q.Query(ctx, `SELECT user_id, starts_at, ends_at FROM duty_shifts WHERE starts_at < ? AND ends_at > ?`+userCond,
		append([]any{db.Millis(to.Add(MaxShift)), db.Millis(from)}, users...)...)
	if err != nil {
		return 0, fmt.Errorf("read shifts: %w", err)
	}
	for br.Next() {
		var uid, st, en int64
		if err := br.Scan(&uid, &st, &en); err != nil {
			br.Close()
			return 0, err
		}
		busy[uid] = append(busy[uid], Interval{db.Time(st), db.Time(en)})
	}
	br.Close()
	if err := br.Err(); err != nil {
		return 0, err
	}
	// The occurrences are written with multi-row INSERTs: a province's
	// years of history are millions of shifts.
	n := 0
	const perInsert = 500
	var args []any
	queued := 0
	flush := func() error {
		if queued == 0 {
			return nil
		}
		res, err := q.Exec(ctx, `INSERT INTO duty_shifts (user_id, area_id, duty, starts_at, ends_at, source, pattern_id, created_at)
			VALUES `+strings.TrimSuffix(strings.Repeat(`(?,?,?,?,?,'pattern',?,?),`, queued), ",")+`
			ON CONFLICT (pattern_id, starts_at) DO NOTHING`, args...)
		if err != nil {
			return fmt.Errorf("materialise patterns: %w", err)
		}
		if k, _ := res.RowsAffected(); k > 0 {
			n += int(k)
		}
		args, queued = args[:0], 0
		return nil
	}
	for _, p := range list {
	occurrences:
		for _, oc := range p.Occurrences(from, to) {
			st := db.Millis(oc.Start)
			if skips[[2]int64{p.ID, st}] {
				continue
			}
			for _, b := range busy[p.UserID] {
				if b.Start.Before(oc.End) && b.End.After(oc.Start) {
					continue occurrences
				}
			}
			busy[p.UserID] = append(busy[p.UserID], oc)
			args = append(args, p.UserID, p.AreaID, string(p.Duty), st, db.Millis(oc.End), p.ID, db.Millis(now))
			if queued++; queued == perInsert {
				if err := flush(); err != nil {
					return n, err
				}
			}
		}
	}
	if err := flush(); err != nil {
		return n, err
	}
	if n > 0 {
		if err := db.Bump(ctx, q, db.GenRoster); err != nil {
			return n, err
		}
	}
	return n, nil
}

// MaterialiseAhead materialises the patterns from the start of today to the
// horizon in one transaction, audited when it made shifts. The gap watcher
// runs it periodically, so patterns keep the roster filled month after
// month.
func MaterialiseAhead(ctx context.Context, d *db.DB, now time.Time) (int, error) {
	var n int
	err := d.InTx(ctx, func(tx *db.Tx) error {
		var err error
		n, err = Materialise(ctx, tx, DayOf(now), now.Add(Horizon), now)
		if err != nil || n == 0 {
			return err
		}
		return auth.Audit(ctx, tx, auth.AuditEntry{At: now, Username: "system", Action: auth.AuditCreate, ObjectType: "duty_shift",
			Detail: fmt.Sprintf("排班规则生成班次 %d 个（至 %s）", n, now.Add(Horizon).In(zone.Shanghai).Format(DayLayout))})
	})
	return n, err
}

// CopyResult is what a copy forward did.
type CopyResult struct {
	Created int `json:"created"`
	Skipped int `json:"skipped"` // the officer already had a shift then, or is disabled
}

// CopyWeek copies the shifts (not those made by patterns, which repeat by
// themselves) of the week starting on the Monday of week at the nodes in
// scope (one node when areaID is not 0) to the next weeks weeks.
func CopyWeek(ctx context.Context, q db.Querier, a Actor, areaID int64, week string, weeks int) (CopyResult, error) {
	var res CopyResult
	if weeks < 1 || weeks > 12 {
		return res, domain.Invalid("复制周数应在 1 到 12 之间")
	}
	day, err := ParseDay(week)
	if err != nil {
		return res, err
	}
	if areaID != 0 {
		// A node outside the scope is not found, as everywhere else; it
		// would copy nothing but be recorded as done.
		n, err := area.Get(ctx, q, areaID)
		if err != nil || !a.Scope.Contains(n) {
			return res, domain.NotFound("所属单位不存在或不在您的辖区")
		}
	}
	monday := day.AddDate(0, 0, -((int(day.Weekday()) + 6) % 7))
	list, err := ListShifts(ctx, q, a.Scope, areaID, monday, monday.AddDate(0, 0, 7))
	if err != nil {
		return res, err
	}
	for _, s := range list {
		if s.PatternID != 0 || s.Start.Before(monday) || s.Disabled {
			continue
		}
		for k := 1; k <= weeks; k++ {
			in := ShiftInput{AreaID: s.AreaID, UserID: s.UserID, Duty: s.Duty,
				Start: s.Start.AddDate(0, 0, 7*k), End: s.End.AddDate(0, 0, 7*k)}
			if other, err := overlapping(ctx, q, s.UserID, in.Start, in.End, 0); err != nil {
				return res, err
			} else if other != 0 {
				res.Skipped++
				continue
			}
			if _, err := addShift(ctx, q, a, in, "copy", false); err != nil {
				return res, err
			}
			res.Created++
		}
	}
	return res, a.changed(ctx, q, auth.AuditCreate, "duty_shift", 0, fmt.Sprintf("复制 %s 所在周的班次到之后 %d 周：新增 %d 个，跳过 %d 个",
		monday.Format(DayLayout), weeks, res.Created, res.Skipped))
}
