package dissuade

import (
	"context"
	"fmt"
	"time"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/domain"
	"github.com/fanzha/fanzha/internal/warning"
)

// Earlier is one earlier warning of the same person with its contacts.
type Earlier struct {
	ID         int64     `json:"id"`
	ReceivedAt time.Time `json:"received_at"`
	Grade      string    `json:"grade"`
	FraudType  string    `json:"fraud_type"`
	Phone      string    `json:"phone"`
	Status     string    `json:"status"`
	Outcome    string    `json:"outcome"`
	Contacts   []Contact `json:"contacts"`
}

// Contact is one attempt on an earlier warning, with its labels.
type Contact struct {
	At     time.Time `json:"at"`
	Method string    `json:"method"` // Chinese label
	Result string    `json:"result"` // Chinese label
}

// PastCase is a case where the person is a victim.
type PastCase struct {
	ID         int64     `json:"id"`
	CaseNo     string    `json:"case_no"`
	ReportedAt time.Time `json:"reported_at"`
	FraudType  string    `json:"fraud_type"`
	LossFen    int64     `json:"loss_fen"`
}

// History is what the warning page shows of the person's past.
type History struct {
	Warnings []Earlier  `json:"warnings"`
	Cases    []PastCase `json:"cases"`
}

// Masked masks the phones of the earlier warnings.
func (h History) Masked(m auth.Masker) History {
	for i := range h.Warnings {
		h.Warnings[i].Phone = m.Phone(h.Warnings[i].Phone)
	}
	return h
}

// PersonHistory gives the earlier warnings (same phone or ID number,
// received before this one, newest first) with their contacts, and the
// cases where the person is a victim, of the person of a warning the
// caller may see; earlier warnings outside the caller's scope are left out.
func PersonHistory(ctx context.Context, q db.Querier, scope area.Node, warningID int64) (History, error) {
	var h History
	w, err := warning.Get(ctx, q, scope, warningID)
	if err != nil {
		return h, err
	}
	phone, idn := w.Person.Phone, w.Person.IDNumber
	if phone == "" && idn == "" {
		return h, nil
	}
	c1, a1 := area.UnderClause("w.area_id", scope)
	c2, a2 := area.UnderClause("w.station_id", scope)
	rows, err := q.Query(ctx, `SELECT w.id, w.received_at, w.grade, w.fraud_type, w.person_phone, w.status, w.outcome FROM warnings w
		WHERE w.id <> ? AND w.received_at <= ? AND ((? <> '' AND w.person_phone = ?) OR (? <> '' AND w.person_id_number = ?))
		  AND (`+c1+` OR `+c2+`) ORDER BY w.received_at DESC, w.id DESC LIMIT 50`,
		warningID, db.Millis(w.ReceivedAt), phone, phone, idn, idn, a1, a2)
	if err != nil {
		return h, fmt.Errorf("earlier warnings: %w", err)
	}
	for rows.Next() {
		var e Earlier
		var at int64
		if err := rows.Scan(&e.ID, &at, &e.Grade, &e.FraudType, &e.Phone, &e.Status, &e.Outcome); err != nil {
			rows.Close()
			return h, err
		}
		e.ReceivedAt = db.Time(at)
		h.Warnings = append(h.Warnings, e)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return h, err
	}
	for i := range h.Warnings {
		cs, err := contactsOf(ctx, q, h.Warnings[i].ID)
		if err != nil {
			return h, err
		}
		h.Warnings[i].Contacts = cs
	}
	rows, err = q.Query(ctx, `SELECT DISTINCT c.id, c.case_no, c.reported_at, c.fraud_type, c.loss_fen FROM cases c JOIN victims v ON v.case_id = c.id
		WHERE ((? <> '' AND v.phone = ?) OR (? <> '' AND v.id_number = ?)) ORDER BY c.reported_at DESC, c.id DESC`, phone, phone, idn, idn)
	if err != nil {
		return h, fmt.Errorf("cases of the person: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var c PastCase
		var at int64
		if err := rows.Scan(&c.ID, &c.CaseNo, &at, &c.FraudType, &c.LossFen); err != nil {
			return h, err
		}
		c.ReportedAt = db.Time(at)
		h.Cases = append(h.Cases, c)
	}
	return h, rows.Err()
}

// MinCalls and MinNumbers are the on-site rule: an unreachable fund or
// high-risk warning is called at least MinCalls times, on at least
// MinNumbers of the person's known numbers (all of them when fewer are
// known), before a visit is recorded as the method.
const (
	MinCalls   = 3
	MinNumbers = 2
)

// CheckOnsite refuses recording a visit (上门) on a fund or high-risk
// warning whose person has not been reached yet, until the calls the rule
// asks for are recorded. A call counts on the number of the warning it was
// recorded on: the person's numbers are the phones of their warnings (by
// phone or ID number).
func CheckOnsite(ctx context.Context, q db.Querier, scope area.Node, warningID int64) error {
	w, err := warning.Get(ctx, q, scope, warningID)
	if err != nil {
		return err
	}
	if w.Grade != warning.GradeFund && w.Grade != warning.GradeHigh {
		return nil
	}
	var reached int
	if err := q.QueryRow(ctx, `SELECT COUNT(*) FROM contacts WHERE warning_id = ? AND result IN ('reached', 'safe', 'at_risk')`,
		warningID).Scan(&reached); err != nil {
		return fmt.Errorf("contacts of warning %d: %w", warningID, err)
	}
	if reached > 0 {
		return nil
	}
	phone, idn := w.Person.Phone, w.Person.IDNumber
	rows, err := q.Query(ctx, `SELECT w.person_phone, (SELECT COUNT(*) FROM contacts c WHERE c.warning_id = w.id AND c.method = 'call')
		FROM warnings w WHERE w.person_phone <> '' AND (w.id = ? OR (? <> '' AND w.person_phone = ?) OR (? <> '' AND w.person_id_number = ?))`,
		warningID, phone, phone, idn, idn)
	if err != nil {
		return fmt.Errorf("numbers of the person: %w", err)
	}
	defer rows.Close()
	calls := map[string]int{}
	for rows.Next() {
		var p string
		var n int
		if err := rows.Scan(&p, &n); err != nil {
			return err
		}
		calls[p] += n
	}
	if err := rows.Err(); err != nil {
		return err
	}
	var total int
	var called int
	for _, n := range calls {
		total += n
		if n > 0 {
			called++
		}
	}
	// This warning's calls count once even when its number was not recorded.
	if len(calls) == 0 {
		if err := q.QueryRow(ctx, `SELECT COUNT(*) FROM contacts WHERE warning_id = ? AND method = 'call'`, warningID).Scan(&total); err != nil {
			return err
		}
	}
	need := min(MinNumbers, len(calls))
	if total < MinCalls || called < need {
		msg := fmt.Sprintf("资金、高危预警未联系上的，须至少电话联系 %d 次", MinCalls)
		if need > 1 {
			msg += fmt.Sprintf("（已知 %d 个号码，须至少拨打其中 %d 个）", len(calls), need)
		}
		return domain.Refuse("onsite_needs_calls", "%s后才能登记上门核查：目前已拨打 %d 次、%d 个号码", msg, total, called)
	}
	return nil
}

// RecordContact records a contact attempt through the warning package
// after the on-site rule: a visit on an unreached fund or high-risk
// warning is refused until the calls are made. The check reads only
// attempts already recorded, which a concurrent attempt can only add to.
func RecordContact(ctx context.Context, d *db.DB, p warning.Policy, a warning.Actor, id int64, c warning.ContactInput, now time.Time) error {
	if c.Method == "visit" {
		if err := CheckOnsite(ctx, d, a.Scope, id); err != nil {
			return err
		}
	}
	return warning.RecordContact(ctx, d, p, a, id, c, now)
}

func contactsOf(ctx context.Context, q db.Querier, id int64) ([]Contact, error) {
	rows, err := q.Query(ctx, `SELECT at, method, result FROM contacts WHERE warning_id = ? ORDER BY at, id`, id)
	if err != nil {
		return nil, fmt.Errorf("contacts of warning %d: %w", id, err)
	}
	defer rows.Close()
	var out []Contact
	for rows.Next() {
		var at int64
		var m, r string
		if err := rows.Scan(&at, &m, &r); err != nil {
			return nil, err
		}
		out = append(out, Contact{At: db.Time(at), Method: warning.ContactMethodName(m), Result: warning.ContactResultName(r)})
	}
	return out, rows.Err()
}
