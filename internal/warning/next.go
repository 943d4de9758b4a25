package warning

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/domain"
	"github.com/fanzha/fanzha/internal/roster"
)

// 「下一条」: a free officer asks for the next person to call and is handed
// the best waiting warning they may take, claimed in the database so that
// two officers never get the same one.
//
// What the officer may take, in their jurisdiction (a station officer's
// station, a centre officer's county):
//   - a waiting warning (nobody reached the person since its last intake)
//     assigned to nobody (the centre's queue, or no dissuader was on duty);
//   - one assigned to themselves;
//   - one whose assignee is not on duty now (the roster: shift over, on
//     leave) — their queue would otherwise wait for the next shift;
//   - a fund or high-risk one whose assignee is busy: they took another
//     warning with 「下一条」 less than CallFor ago and have recorded no
//     contact on it since (a call in progress). Ordinary warnings stay with
//     their officer: their money is rarely at immediate risk.
//
// A warning another officer took less than CallFor ago and has recorded no
// contact on since is theirs (their call in progress). Among what is left, the first by DispatchOrder.Ahead
// wins — the same function the duty board sorts with.

// CallFor is how long a warning taken with 「下一条」 counts as a call in
// progress when no contact has been recorded on it; after that the claim
// lapses (an officer who walked away does not hold a warning for ever).
const CallFor = time.Hour

// NextResult is the warning 「下一条」 handed out.
type NextResult struct {
	Warning  Warning  `json:"warning"`
	Expected Expected `json:"expected"`
	Why      string   `json:"why"`
	// Resumed: the officer's own call in progress, handed back until they
	// record a contact on it.
	Resumed bool `json:"resumed,omitempty"`
	// Reassigned says from whom and why the warning moved (empty when it
	// was unassigned or already the officer's).
	Reassigned string `json:"reassigned,omitempty"`
}

// candidate is a waiting warning 「下一条」 may hand out.
type candidate struct {
	item     BoardItem
	assignee int64
	takenAt  int64
	contact  int64  // last contact, 0 when none
	why      string // reassignment reason
}

// inCall reports whether the warning is its assignee's call in progress:
// taken with 「下一条」 since stale, no contact recorded since.
func (c candidate) inCall(stale int64) bool {
	return c.takenAt != 0 && c.takenAt >= stale && c.contact < c.takenAt
}

// ErrNothingWaiting is Next's answer when no waiting warning is left for
// the officer.
var ErrNothingWaiting = domain.NotFound("当前没有等待联系的预警").WithCode("nothing_waiting")

// Next hands officer a.UserID the best waiting warning of a.Scope under
// order (ByExpectedKept in the product) at now, assigning it to them and
// marking it taken. ErrNothingWaiting when there is none.
func Next(ctx context.Context, d *db.DB, a Actor, order DispatchOrder, now time.Time) (NextResult, error) {
	cands, err := nextCandidates(ctx, d, a, now)
	if err != nil {
		return NextResult{}, err
	}
	stale := db.Millis(now.Add(-CallFor))
	// The officer's own call in progress comes back first: record the
	// contact, then ask for the next.
	for _, c := range cands {
		if c.assignee == a.UserID && c.inCall(stale) {
			return nextResult(ctx, d, a, c, true)
		}
	}
	var names map[int64]string
	eligible := cands[:0]
	onDuty, err := roster.OnDutyUsers(ctx, d, now)
	if err != nil {
		return NextResult{}, err
	}
	busy, err := busyOfficers(ctx, d, now)
	if err != nil {
		return NextResult{}, err
	}
	for _, c := range cands {
		switch {
		case c.assignee != 0 && c.assignee != a.UserID && c.inCall(stale):
			continue // another officer's call in progress
		case c.assignee == 0 || c.assignee == a.UserID:
		case !onDuty[c.assignee]:
			c.why = "原劝阻员 %s 当前不在班"
		case busy[c.assignee] != 0 && c.item.Grade != GradeOrdinary:
			c.why = fmt.Sprintf("原劝阻员 %%s 正在处理预警 #%d", busy[c.assignee])
		default:
			continue
		}
		eligible = append(eligible, c)
	}
	sort.SliceStable(eligible, func(i, j int) bool { return order.Ahead(eligible[i].item, eligible[j].item) })
	for _, c := range eligible {
		if c.why != "" {
			if names == nil {
				if names, err = officerNames(ctx, d); err != nil {
					return NextResult{}, err
				}
			}
			c.why = fmt.Sprintf(c.why, names[c.assignee])
		}
		ok, err := claim(ctx, d, a, c, stale, now)
		if err != nil {
			return NextResult{}, err
		}
		if ok {
			return nextResult(ctx, d, a, c, false)
		}
		// Another officer was quicker: try the next one.
	}
	return NextResult{}, ErrNothingWaiting
}

// nextCandidates reads the open warnings of the scope that wait for a
// contact, with their dispatch priority at now.
func nextCandidates(ctx context.Context, d *db.DB, a Actor, now time.Time) ([]candidate, error) {
	cond, arg := scopeClause("w", a.Scope)
	rows, err := d.Query(ctx, `SELECT w.id, w.grade, w.amount_fen, w.received_at, COALESCE(w.last_intake_at, w.received_at),
		COALESCE(w.assignee_id, 0), COALESCE(w.taken_at, 0), COALESCE(w.last_contact_at, 0)
		FROM warnings w WHERE w.status = 'open' AND `+cond+`
		AND (w.last_contact_at IS NULL OR w.last_contact_at < COALESCE(w.last_intake_at, w.received_at))`, arg)
	if err != nil {
		return nil, fmt.Errorf("next warning: %w", err)
	}
	defer rows.Close()
	var out []candidate
	for rows.Next() {
		var c candidate
		var received, since int64
		if err := rows.Scan(&c.item.ID, &c.item.Grade, &c.item.AmountFen, &received, &since, &c.assignee, &c.takenAt, &c.contact); err != nil {
			return nil, err
		}
		c.item.ReceivedAt, c.item.WaitingSince, c.item.Waiting = db.Time(received), db.Time(since), true
		c.item.setPriority(now)
		out = append(out, c)
	}
	return out, rows.Err()
}

// busyOfficers maps each officer with a call in progress (a warning taken
// with 「下一条」 less than CallFor ago, no contact recorded since) to that
// warning.
func busyOfficers(ctx context.Context, d *db.DB, now time.Time) (map[int64]int64, error) {
	rows, err := d.Query(ctx, `SELECT assignee_id, MIN(id) FROM warnings WHERE status = 'open' AND assignee_id IS NOT NULL
		AND taken_at >= ? AND (last_contact_at IS NULL OR last_contact_at < taken_at) GROUP BY assignee_id`, db.Millis(now.Add(-CallFor)))
	if err != nil {
		return nil, fmt.Errorf("busy officers: %w", err)
	}
	defer rows.Close()
	out := map[int64]int64{}
	for rows.Next() {
		var uid, id int64
		if err := rows.Scan(&uid, &id); err != nil {
			return nil, err
		}
		out[uid] = id
	}
	return out, rows.Err()
}

func officerNames(ctx context.Context, d *db.DB) (map[int64]string, error) {
	rows, err := d.Query(ctx, `SELECT id, display_name FROM users`)
	if err != nil {
		return nil, fmt.Errorf("officer names: %w", err)
	}
	defer rows.Close()
	out := map[int64]string{}
	for rows.Next() {
		var id int64
		var n string
		if err := rows.Scan(&id, &n); err != nil {
			return nil, err
		}
		out[id] = n
	}
	return out, rows.Err()
}

// claim assigns c to the officer and marks it taken, if it is still as
// Next saw it: open, waiting, with the same assignee and nobody else's call
// in progress. It reports whether the claim won.
func claim(ctx context.Context, d *db.DB, a Actor, c candidate, stale int64, now time.Time) (bool, error) {
	won := false
	err := d.InTx(ctx, func(tx *db.Tx) error {
		ms := db.Millis(now)
		res, err := tx.Exec(ctx, `UPDATE warnings SET assignee_id = ?, taken_at = ?, updated_at = ?
			WHERE id = ? AND status = 'open' AND COALESCE(assignee_id, 0) = ?
			AND (taken_at IS NULL OR taken_at < ? OR assignee_id = ? OR last_contact_at >= taken_at)
			AND (last_contact_at IS NULL OR last_contact_at < COALESCE(last_intake_at, received_at))`,
			a.UserID, ms, ms, c.item.ID, c.assignee, stale, a.UserID)
		if err != nil {
			return fmt.Errorf("claim warning %d: %w", c.item.ID, err)
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return err
		}
		won = true
		detail := "「下一条」接手联系；" + c.item.Why
		if c.why != "" {
			detail += "；" + c.why + "，改派"
		}
		if err := AddEvent(ctx, tx, c.item.ID, now, "assigned", a.UserID, detail); err != nil {
			return err
		}
		return auditChange(ctx, tx, a, now, c.item.ID, "next: taken")
	})
	return won, err
}

func nextResult(ctx context.Context, d *db.DB, a Actor, c candidate, resumed bool) (NextResult, error) {
	w, err := Get(ctx, d, a.Scope, c.item.ID)
	if err != nil {
		return NextResult{}, err
	}
	return NextResult{Warning: w, Expected: c.item.Expected, Why: c.item.Why, Resumed: resumed, Reassigned: c.why}, nil
}
