package warning

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/db"
)

// Event is one line of a warning's timeline.
type Event struct {
	WarningID int64     `json:"warning_id"`
	At        time.Time `json:"at"`
	Kind      string    `json:"kind"` // intake | routed | assigned | merged | contact | outcome | handover | emergency | escalated
	UserName  string    `json:"user_name,omitempty"`
	Detail    string    `json:"detail"`
}

// Timeline returns the events of a warning and of the warnings merged into
// it, oldest first. The warning must lie in scope.
func Timeline(ctx context.Context, q db.Querier, scope area.Node, id int64) ([]Event, error) {
	if _, err := Get(ctx, q, scope, id); err != nil {
		return nil, err
	}
	rows, err := q.Query(ctx, `SELECT e.warning_id, e.at, e.kind, COALESCE(u.display_name, ''), e.detail
		FROM warning_events e LEFT JOIN users u ON u.id = e.user_id
		WHERE e.warning_id IN (SELECT CAST(? AS BIGINT) UNION ALL SELECT id FROM warnings WHERE merged_into = ?)
		ORDER BY e.at, e.id`, id, id)
	if err != nil {
		return nil, fmt.Errorf("timeline of warning %d: %w", id, err)
	}
	defer rows.Close()
	out := []Event{}
	for rows.Next() {
		var e Event
		var at int64
		if err := rows.Scan(&e.WarningID, &at, &e.Kind, &e.UserName, &e.Detail); err != nil {
			return nil, err
		}
		e.At = db.Time(at)
		out = append(out, e)
	}
	return out, rows.Err()
}

// Merged returns the warnings merged into id.
func Merged(ctx context.Context, q db.Querier, scope area.Node, id int64) ([]Warning, error) {
	cond, arg := scopeClause("w", scope)
	rows, err := q.Query(ctx, selectWarning+` WHERE w.merged_into = ? AND `+cond+` ORDER BY w.id`, id, arg)
	if err != nil {
		return nil, fmt.Errorf("merged warnings of %d: %w", id, err)
	}
	defer rows.Close()
	out := []Warning{}
	for rows.Next() {
		w, err := scanWarning(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, w)
	}
	return out, rows.Err()
}

// BoardFilter selects the duty board's warnings.
type BoardFilter struct {
	StationID  int64
	Grade      Grade
	FraudType  string
	AssigneeID int64 // "my warnings"
	Limit      int
}

// BoardItem is a warning on the duty board with its urgency.
type BoardItem struct {
	Warning
	// Due is the deadline that matters now (first contact, else on-site).
	Due     time.Time `json:"due"`
	DueKind string    `json:"due_kind"` // contact | onsite | none
	Overdue bool      `json:"overdue"`
	Merged  int       `json:"merged_count"`
	// Waiting: nobody has reached the person since the last intake (a
	// merged new warning asks for a new contact). WaitingSince is that
	// last intake.
	Waiting      bool      `json:"waiting"`
	WaitingSince time.Time `json:"waiting_since"`
	// Expected is the dispatch priority of a waiting warning (zero once the
	// person was reached) and Why says it in Chinese for the row's tooltip.
	Expected Expected `json:"expected"`
	Why      string   `json:"why,omitempty"`
	// ExpectedText is the row's short form: "¥40,000 · 50%".
	ExpectedText string `json:"expected_text,omitempty"`
}

// setPriority fills the dispatch priority of a row at now.
func (it *BoardItem) setPriority(now time.Time) {
	it.Expected, it.Why, it.ExpectedText = Expected{}, "", ""
	if !it.Waiting {
		return
	}
	it.Expected = ExpectedKept(it.Grade, it.AmountFen, now.Sub(it.WaitingSince))
	it.Why = it.Expected.Why()
	it.ExpectedText = "¥" + yuanText(it.Expected.KeptFen) + " · " + permilleText(it.Expected.ChancePermille)
}

// Board returns the open warnings in scope in the order of SortBoard.
func Board(ctx context.Context, q db.Querier, scope area.Node, f BoardFilter, now time.Time) ([]BoardItem, error) {
	var where db.Where
	where.And("w.status = 'open'").And(scopeClause("w", scope)).
		AndIf(f.StationID != 0, "w.station_id = ?", f.StationID).
		AndIf(f.Grade != "", "w.grade = ?", f.Grade).
		AndIf(f.FraudType != "", "w.fraud_type = ?", f.FraudType).
		AndIf(f.AssigneeID != 0, "w.assignee_id = ?", f.AssigneeID)
	// The limit keeps the rows SortBoard lists first: the warnings waiting
	// for a contact, newest intake first (the chance that the money is
	// still there falls with the wait, so what a busy board leaves out is
	// the longest-waiting), then the others by their deadline.
	page := db.Page{Limit: f.Limit}.ClampToDefault(500, 1000)
	rows, err := q.Query(ctx, selectWarning+` WHERE `+where.String()+`
		ORDER BY CASE WHEN w.last_contact_at IS NOT NULL AND w.last_contact_at >= COALESCE(w.last_intake_at, w.received_at) THEN 1 ELSE 0 END,
		CASE WHEN w.last_contact_at IS NOT NULL AND w.last_contact_at >= COALESCE(w.last_intake_at, w.received_at) THEN 0 ELSE COALESCE(w.last_intake_at, w.received_at) END DESC,
		w.onsite_due_at, w.id`+page.SQL(), where.Args()...)
	if err != nil {
		return nil, fmt.Errorf("duty board: %w", err)
	}
	var items []BoardItem
	for rows.Next() {
		w, err := scanWarning(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		items = append(items, BoardItem{Warning: w})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// Contact state and merge counts for the listed warnings.
	if len(items) > 0 {
		idx := map[int64]int{}
		ids := ""
		for i, it := range items {
			idx[it.ID] = i
			if i > 0 {
				ids += ","
			}
			ids += strconv.FormatInt(it.ID, 10)
		}
		rows, err := q.Query(ctx, `SELECT id, COALESCE(last_contact_at, 0), COALESCE(last_intake_at, received_at),
			(SELECT COUNT(*) FROM warnings m WHERE m.merged_into = w.id) FROM warnings w WHERE id IN (`+ids+`)`)
		if err != nil {
			return nil, fmt.Errorf("duty board state: %w", err)
		}
		for rows.Next() {
			var id, lastContact, lastIntake int64
			var merged int
			if err := rows.Scan(&id, &lastContact, &lastIntake, &merged); err != nil {
				rows.Close()
				return nil, err
			}
			it := &items[idx[id]]
			it.Merged = merged
			contacted := lastContact != 0 && lastContact >= lastIntake
			it.Waiting, it.WaitingSince = !contacted, db.Time(lastIntake)
			it.setPriority(now)
			switch {
			case !contacted && !it.ContactDueAt.IsZero():
				it.Due, it.DueKind = it.ContactDueAt, "contact"
			case !it.OnsiteDueAt.IsZero() && it.OnsiteAt.IsZero():
				it.Due, it.DueKind = it.OnsiteDueAt, "onsite"
			default:
				it.DueKind = "none"
			}
			it.Overdue = it.DueKind != "none" && it.Due.Before(now)
		}
		rows.Close()
	}
	SortBoard(items)
	return items, nil
}

// BoardOrder says in Chinese how the duty board is sorted; the page shows
// it above the table so the order it claims is the order SortBoard makes.
const BoardOrder = "按预计可挽回金额排序：尚未联系的在前，按“涉案金额 × 资金尚未转出的概率”由高到低（鼠标停在金额上可看依据）；" +
	"已联系待落地核查的按核查期限先后；无待办期限的在最后。超时的标红"

// SortBoard orders the board: first the warnings waiting for a contact, by
// the dispatch priority (ByExpectedKept.Ahead: the money expected to be
// kept by calling now); then those contacted with an on-site check pending,
// earliest deadline first; last those with no live deadline, newest intake
// first. Overdue rows keep their place and are marked (Overdue). This is
// the one place the board's order is decided; 「我的预警」 is the same board
// filtered to one officer, and 「下一条」 (Next) ranks with the same Ahead.
func SortBoard(items []BoardItem) {
	rank := func(it BoardItem) int {
		switch {
		case it.Waiting:
			return 0
		case it.DueKind == "onsite" && !it.Due.IsZero():
			return 1
		}
		return 2
	}
	less := func(a, b BoardItem) bool {
		ra, rb := rank(a), rank(b)
		if ra != rb {
			return ra < rb
		}
		switch ra {
		case 0:
			return ByExpectedKept.Ahead(a, b)
		case 1:
			if !a.Due.Equal(b.Due) {
				return a.Due.Before(b.Due)
			}
		default:
			if !a.ReceivedAt.Equal(b.ReceivedAt) {
				return a.ReceivedAt.After(b.ReceivedAt)
			}
		}
		return a.ID < b.ID
	}
	sort.SliceStable(items, func(i, j int) bool { return less(items[i], items[j]) })
}

// ContactLive reports whether the first-contact deadline still runs: the
// warning is open and nobody has reached the person yet. A contacted or
// closed warning shows the deadline as a fact, never a countdown.
func (w Warning) ContactLive() bool {
	return w.Status == "open" && w.FirstContactAt.IsZero() && !w.ContactDueAt.IsZero()
}

// OnsiteLive reports whether the on-site check deadline still runs: the
// warning is open, has such a deadline and the check is not yet done.
func (w Warning) OnsiteLive() bool {
	return w.Status == "open" && !w.OnsiteDueAt.IsZero() && w.OnsiteAt.IsZero()
}

// ContactLate reports whether the first contact came after its deadline.
func (w Warning) ContactLate() bool {
	return !w.FirstContactAt.IsZero() && !w.ContactDueAt.IsZero() && w.FirstContactAt.After(w.ContactDueAt)
}
