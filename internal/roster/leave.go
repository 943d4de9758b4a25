package roster

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/domain"
)

// Leave is a time an officer is off duty whatever the roster says.
type Leave struct {
	ID       int64     `json:"id"`
	UserID   int64     `json:"user_id"`
	Username string    `json:"username"`
	UserName string    `json:"user_name"`
	Start    time.Time `json:"starts_at"`
	End      time.Time `json:"ends_at"`
	Reason   string    `json:"reason"`
}

// officerInScope returns a user bound under scope.
func officerInScope(ctx context.Context, q db.Querier, scope area.Node, userID int64) (auth.User, error) {
	u, err := auth.GetUser(ctx, q, userID)
	if err == nil {
		var n area.Node
		if n, err = area.Get(ctx, q, u.AreaID); err == nil && scope.Contains(n) {
			return u, nil
		}
	}
	return auth.User{}, domain.NotFound("民警不存在或不在您的辖区")
}

// AddLeave puts an officer of the actor's jurisdiction on leave.
func AddLeave(ctx context.Context, q db.Querier, a Actor, userID int64, start, end time.Time, reason string) (int64, error) {
	u, err := officerInScope(ctx, q, a.Scope, userID)
	if err != nil {
		return 0, err
	}
	if start.IsZero() || end.IsZero() || !end.After(start) {
		return 0, domain.Invalid("请假的结束时间必须晚于开始时间")
	}
	if end.Sub(start) > 366*24*time.Hour {
		return 0, domain.Invalid("一次请假不能超过一年")
	}
	reason = strings.TrimSpace(reason)
	if len([]rune(reason)) > 200 {
		return 0, domain.Invalid("事由不超过 200 字")
	}
	var id int64
	if err := q.QueryRow(ctx, `INSERT INTO roster_leave (user_id, starts_at, ends_at, reason, created_by, created_at) VALUES (?,?,?,?,?,?) RETURNING id`,
		userID, db.Millis(start), db.Millis(end), reason, nullID(a.Audit.UserID), db.Millis(a.now())).Scan(&id); err != nil {
		return 0, fmt.Errorf("add leave: %w", err)
	}
	return id, a.changed(ctx, q, auth.AuditCreate, "roster_leave", id, fmt.Sprintf("%s 请假 %s %s", u.Username, span(start, end), reason))
}

// DeleteLeave cancels a leave of an officer of the actor's jurisdiction.
func DeleteLeave(ctx context.Context, q db.Querier, a Actor, id int64) error {
	list, err := listLeave(ctx, q, a.Scope, ` AND l.id = ?`, id)
	if err != nil {
		return err
	}
	if len(list) == 0 {
		return domain.NotFound("请假记录不存在或不在您的辖区")
	}
	if _, err := q.Exec(ctx, `DELETE FROM roster_leave WHERE id = ?`, id); err != nil {
		return fmt.Errorf("delete leave %d: %w", id, err)
	}
	l := list[0]
	return a.changed(ctx, q, auth.AuditDelete, "roster_leave", id, fmt.Sprintf("取消 %s 请假 %s", l.Username, span(l.Start, l.End)))
}

// ListLeave returns the leave overlapping [from, to) of the officers in scope.
func ListLeave(ctx context.Context, q db.Querier, scope area.Node, from, to time.Time) ([]Leave, error) {
	return listLeave(ctx, q, scope, ` AND l.starts_at < ? AND l.ends_at > ?`, db.Millis(to), db.Millis(from))
}

func listLeave(ctx context.Context, q db.Querier, scope area.Node, where string, args ...any) ([]Leave, error) {
	cond, arg := area.UnderClause("u.area_id", scope)
	rows, err := q.Query(ctx, `SELECT l.id, l.user_id, u.username, u.display_name, l.starts_at, l.ends_at, l.reason
		FROM roster_leave l JOIN users u ON u.id = l.user_id WHERE `+cond+where+` ORDER BY l.starts_at, l.id`, append([]any{arg}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("list leave: %w", err)
	}
	defer rows.Close()
	out := []Leave{}
	for rows.Next() {
		var l Leave
		var s, e int64
		if err := rows.Scan(&l.ID, &l.UserID, &l.Username, &l.UserName, &s, &e, &l.Reason); err != nil {
			return nil, err
		}
		l.Start, l.End = db.Time(s), db.Time(e)
		out = append(out, l)
	}
	return out, rows.Err()
}

// Slot is an officer on duty at a node for a span: a shift of an enabled
// officer with their leave cut out (one shift may give several slots).
type Slot struct {
	AreaID int64
	UserID int64
	Name   string // the officer's display name, for notes and pages
	Duty   Duty
	Start  time.Time
	End    time.Time
}

// Window returns who is on duty during [from, to): the shifts overlapping
// it of officers who are not disabled, minus their leave. Slots are not
// clipped to the window. This is what intake caches and what gaps are
// computed from.
func Window(ctx context.Context, q db.Querier, from, to time.Time) ([]Slot, error) {
	rows, err := q.Query(ctx, `SELECT s.area_id, s.user_id, COALESCE(NULLIF(u.display_name, ''), u.username), s.duty, s.starts_at, s.ends_at FROM duty_shifts s JOIN users u ON u.id = s.user_id
		WHERE s.starts_at < ? AND s.ends_at > ? AND u.disabled = 0 ORDER BY s.user_id, s.starts_at`, db.Millis(to), db.Millis(from))
	if err != nil {
		return nil, fmt.Errorf("read duty roster: %w", err)
	}
	var slots []Slot
	for rows.Next() {
		var s Slot
		var st, en int64
		if err := rows.Scan(&s.AreaID, &s.UserID, &s.Name, &s.Duty, &st, &en); err != nil {
			rows.Close()
			return nil, err
		}
		s.Start, s.End = db.Time(st), db.Time(en)
		slots = append(slots, s)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(slots) == 0 {
		return slots, nil
	}
	// Leave of these officers overlapping the slots' span.
	lo, hi := slots[0].Start, slots[0].End
	for _, s := range slots {
		if s.Start.Before(lo) {
			lo = s.Start
		}
		if s.End.After(hi) {
			hi = s.End
		}
	}
	leave := map[int64][]Interval{}
	lr, err := q.Query(ctx, `SELECT user_id, starts_at, ends_at FROM roster_leave WHERE starts_at < ? AND ends_at > ? ORDER BY starts_at`,
		db.Millis(hi), db.Millis(lo))
	if err != nil {
		return nil, fmt.Errorf("read leave: %w", err)
	}
	for lr.Next() {
		var uid, st, en int64
		if err := lr.Scan(&uid, &st, &en); err != nil {
			lr.Close()
			return nil, err
		}
		leave[uid] = append(leave[uid], Interval{db.Time(st), db.Time(en)})
	}
	lr.Close()
	if err := lr.Err(); err != nil {
		return nil, err
	}
	out := make([]Slot, 0, len(slots))
	for _, s := range slots {
		for _, iv := range subtract(Interval{s.Start, s.End}, leave[s.UserID]) {
			c := s
			c.Start, c.End = iv.Start, iv.End
			out = append(out, c)
		}
	}
	return out, nil
}

// subtract cuts the intervals cut out of iv.
func subtract(iv Interval, cut []Interval) []Interval {
	parts := []Interval{iv}
	for _, c := range cut {
		var next []Interval
		for _, p := range parts {
			if !c.Start.Before(p.End) || !c.End.After(p.Start) {
				next = append(next, p)
				continue
			}
			if c.Start.After(p.Start) {
				next = append(next, Interval{p.Start, c.Start})
			}
			if c.End.Before(p.End) {
				next = append(next, Interval{c.End, p.End})
			}
		}
		parts = next
	}
	return parts
}

// OnDuty returns who is on duty at an instant, by node and user id.
func OnDuty(ctx context.Context, q db.Querier, at time.Time) ([]Slot, error) {
	slots, err := Window(ctx, q, at, at.Add(time.Millisecond))
	if err != nil {
		return nil, err
	}
	out := slots[:0]
	for _, s := range slots {
		if !s.Start.After(at) && s.End.After(at) {
			out = append(out, s)
		}
	}
	return out, nil
}

// OnDutyUsers is the set of officers on duty at at (any duty, any node),
// for pickers that mark who is on duty now.
func OnDutyUsers(ctx context.Context, q db.Querier, at time.Time) (map[int64]bool, error) {
	slots, err := OnDuty(ctx, q, at)
	if err != nil {
		return nil, err
	}
	on := make(map[int64]bool, len(slots))
	for _, s := range slots {
		on[s.UserID] = true
	}
	return on, nil
}

// OnDutyNow is an officer on duty at an instant, for display.
type OnDutyNow struct {
	AreaID   int64
	AreaName string
	Duty     Duty
	UserID   int64
	Username string
	UserName string
	Until    time.Time
}

// NowOnDuty lists who is on duty at an instant at the nodes in scope.
func NowOnDuty(ctx context.Context, q db.Querier, scope area.Node, at time.Time) ([]OnDutyNow, error) {
	slots, err := OnDuty(ctx, q, at)
	if err != nil {
		return nil, err
	}
	nodes, err := Nodes(ctx, q, scope)
	if err != nil {
		return nil, err
	}
	names := map[int64]string{}
	order := map[int64]int{}
	for i, n := range nodes {
		names[n.ID], order[n.ID] = n.Name, i
	}
	users := map[int64]auth.User{}
	best := map[[2]int64]int{}
	var out []OnDutyNow
	for _, s := range slots {
		if _, ok := names[s.AreaID]; !ok {
			continue
		}
		k := [2]int64{s.AreaID, s.UserID}
		if i, seen := best[k]; seen {
			if s.End.After(out[i].Until) {
				out[i].Until = s.End
			}
			continue
		}
		u, ok := users[s.UserID]
		if !ok {
			if u, err = auth.GetUser(ctx, q, s.UserID); err != nil {
				return nil, err
			}
			users[s.UserID] = u
		}
		best[k] = len(out)
		out = append(out, OnDutyNow{AreaID: s.AreaID, AreaName: names[s.AreaID], Duty: s.Duty, UserID: u.ID, Username: u.Username,
			UserName: u.DisplayName, Until: s.End})
	}
	sort.SliceStable(out, func(i, j int) bool {
		if order[out[i].AreaID] != order[out[j].AreaID] {
			return order[out[i].AreaID] < order[out[j].AreaID]
		}
		return out[i].UserID < out[j].UserID
	})
	return out, nil
}
