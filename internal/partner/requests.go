// Package partner is 联席: member units (banks, operators, other units) and
// the requests the centre sends them — emergency suspension of a card or
// number, stop-payment, freeze, release, queries — with their answers
// flowing back to the warning or case that asked; the stop-payment/freeze
// lifecycle with its watcher and its figures (freeze_figures.go); joint
// meetings and tasks.
package partner

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/domain"
	"github.com/fanzha/fanzha/internal/warning"
)

// Request is a request to a partner unit.
type Request struct {
	ID         int64     `json:"id"`
	Kind       string    `json:"kind"`
	KindName   string    `json:"kind_name"`
	UnitID     int64     `json:"unit_id"`
	UnitName   string    `json:"unit_name"`
	WarningID  int64     `json:"warning_id,omitempty"`
	CaseID     int64     `json:"case_id,omitempty"`
	Account    string    `json:"account,omitempty"`
	Phone      string    `json:"phone,omitempty"`
	AmountFen  int64     `json:"amount_fen"`
	Reason     string    `json:"reason"`
	Status     string    `json:"status"`
	DueAt      time.Time `json:"due_at,omitzero"`
	CreatedAt  time.Time `json:"created_at"`
	AnsweredAt time.Time `json:"answered_at,omitzero"`
	Result     string    `json:"result,omitempty"`
	ResultFen  int64     `json:"result_fen"`
	Overdue    bool      `json:"overdue"`
	StatusName string    `json:"status_name"`
	// The stop-payment and freeze lifecycle (see freeze.go): when the
	// request left the centre, when the bank confirmed it and under which
	// reference, the legal term, when it ended (lapsed, released or
	// renewed), and the earlier request it continues.
	SentAt       time.Time `json:"sent_at,omitzero"`
	ConfirmedAt  time.Time `json:"confirmed_at,omitzero"`
	BankRef      string    `json:"bank_ref,omitempty"`
	TermStartsAt time.Time `json:"term_starts_at,omitzero"`
	ExpiresAt    time.Time `json:"expires_at,omitzero"`
	EndedAt      time.Time `json:"ended_at,omitzero"`
	PriorID      int64     `json:"prior_id,omitempty"`
}

// KindName is the Chinese label of a request kind.
func KindName(k string) string {
	m := map[string]string{"suspend_card": "紧急止付银行卡", "suspend_number": "紧急停机", "stop_payment": "止付", "freeze": "冻结",
		"release": "解除冻结", "query": "查询", "holder_check": "持卡人核查"}
	if v, ok := m[k]; ok {
		return v
	}
	return k
}

// StatusName is the Chinese label of a request status.
func StatusName(s string) string {
	m := map[string]string{"drafted": "草稿", "sent": "已发送", "seen": "已查看", "done": "已办结", "refused": "已拒绝", "lapsed": "已失效", "released": "已解除",
		"confirmed": "已确认", "rejected": "被拒绝", "renewed": "已续冻", "converted": "已转冻结"}
	if v, ok := m[s]; ok {
		return v
	}
	return s
}

// Masked returns the request with the account and phone masked.
func (r Request) Masked(m auth.Masker) Request {
	r.Account, r.Phone = m.Card(r.Account), m.Phone(r.Phone)
	return r
}

const selectRequest = `SELECT r.id, r.kind, COALESCE(r.unit_id, 0), COALESCE(u.name, ''), COALESCE(r.warning_id, 0), COALESCE(r.case_id, 0),
	r.account, r.phone, r.amount_fen, r.reason, r.status, r.due_at, r.created_at, r.answered_at, r.result, r.result_fen,
	r.sent_at, r.confirmed_at, r.bank_ref, r.term_starts_at, r.expires_at, r.ended_at, COALESCE(r.prior_id, 0)
	FROM partner_requests r LEFT JOIN units u ON u.id = r.unit_id`

func scanRequest(sc interface{ Scan(...any) error }, now time.Time) (Request, error) {
	var r Request
	var due, answered, sent, confirmed, starts, expires, ended sql.NullInt64
	var created int64
	if err := sc.Scan(&r.ID, &r.Kind, &r.UnitID, &r.UnitName, &r.WarningID, &r.CaseID, &r.Account, &r.Phone, &r.AmountFen, &r.Reason,
		&r.Status, &due, &created, &answered, &r.Result, &r.ResultFen,
		&sent, &confirmed, &r.BankRef, &starts, &expires, &ended, &r.PriorID); err != nil {
		return r, err
	}
	r.KindName = KindName(r.Kind)
	if r.Kind == "freeze" && r.PriorID != 0 {
		r.KindName = "续冻"
	}
	r.StatusName = StatusName(r.Status)
	r.DueAt, r.CreatedAt, r.AnsweredAt = db.NullTime(due), db.Time(created), db.NullTime(answered)
	r.SentAt, r.ConfirmedAt, r.TermStartsAt = db.NullTime(sent), db.NullTime(confirmed), db.NullTime(starts)
	r.ExpiresAt, r.EndedAt = db.NullTime(expires), db.NullTime(ended)
	r.Overdue = (r.Status == "sent" || r.Status == "seen") && !r.DueAt.IsZero() && r.DueAt.Before(now)
	return r, nil
}

// Inbox lists the requests addressed to a unit (and its branches), open
// ones first. A partner sees only this: never another unit's requests, and
// never a draft the centre has not sent.
func Inbox(ctx context.Context, q db.Querier, unitID int64, now time.Time, limit int) ([]Request, error) {
	return InboxPage(ctx, q, unitID, InboxFilter{Limit: limit}, now)
}

// InboxFilter selects a page of a unit's inbox.
type InboxFilter struct {
	Search string // part of the account, phone or reason (case number)
	Open   bool   // only the requests still to answer
	Offset int
	Limit  int
}

// InboxPage lists a page of the requests addressed to a unit (and its
// branches): open ones first, newest first within each.
func InboxPage(ctx context.Context, q db.Querier, unitID int64, f InboxFilter, now time.Time) ([]Request, error) {
	var where db.Where
	where.And("(r.unit_id = ? OR r.unit_id IN (SELECT id FROM units WHERE parent_id = ?)) AND r.status <> 'drafted'", unitID, unitID).
		AndIf(f.Open, "r.status IN ('sent', 'seen')").
		Contains(f.Search, "r.account", "r.phone", "r.reason")
	page := db.Page{Limit: f.Limit, Offset: f.Offset}.ClampToDefault(200, 1000)
	rows, err := q.Query(ctx, selectRequest+` WHERE `+where.String()+`
		ORDER BY CASE WHEN r.status IN ('sent', 'seen') THEN 0 ELSE 1 END, r.created_at DESC, r.id DESC`+page.SQL(), where.Args()...)
	if err != nil {
		return nil, fmt.Errorf("inbox of unit %d: %w", unitID, err)
	}
	defer rows.Close()
	var out []Request
	for rows.Next() {
		r, err := scanRequest(rows, now)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// ForWarning lists the requests a warning made.
func ForWarning(ctx context.Context, q db.Querier, warningID int64, now time.Time) ([]Request, error) {
	rows, err := q.Query(ctx, selectRequest+` WHERE r.warning_id = ? ORDER BY r.id`, warningID)
	if err != nil {
		return nil, fmt.Errorf("requests of warning %d: %w", warningID, err)
	}
	defer rows.Close()
	var out []Request
	for rows.Next() {
		r, err := scanRequest(rows, now)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// Answer is a partner's answer to a request.
type Answer struct {
	Status    string `json:"status"` // seen | done | refused
	Result    string `json:"result"` // what was done, or why refused
	ResultFen int64  `json:"result_fen"`
	// Reference is the bank's own number for the measure (冻结文书号/回执号),
	// recorded on a confirmed stop-payment or freeze.
	Reference string `json:"reference,omitempty"`
}

// Respond records a partner unit's answer. Only the addressed unit (or its
// parent) may answer; the answer goes on the timeline of the warning or the
// case that asked. On a stop-payment or a freeze, "done" is the bank's
// confirmation (the frozen amount is required and the legal term starts),
// "refused" its rejection; on a release, "done" releases the freeze.
func Respond(ctx context.Context, d *db.DB, unitID int64, who auth.AuditEntry, id int64, a Answer, now time.Time) error {
	switch a.Status {
	case "seen", "done", "refused":
	default:
		return domain.Invalid("状态 %q 无效（seen/done/refused）", a.Status)
	}
	if a.Status == "refused" && strings.TrimSpace(a.Result) == "" {
		return domain.Invalid("拒绝时请写明原因")
	}
	if a.ResultFen < 0 {
		return domain.Invalid("金额不能为负数")
	}
	return d.InTx(ctx, func(tx *db.Tx) error {
		var status, kind string
		var warningID int64
		err := tx.QueryRow(ctx, `SELECT status, kind, COALESCE(warning_id, 0) FROM partner_requests WHERE id = ?
			AND (unit_id = ? OR unit_id IN (SELECT id FROM units WHERE parent_id = ?)) AND status <> 'drafted'`, id, unitID, unitID).Scan(&status, &kind, &warningID)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("request %d: %w", id, domain.ErrNotFound)
		}
		if err != nil {
			return err
		}
		if status != "sent" && status != "seen" {
			return domain.Conflict("该请求已答复（%s）", StatusName(status))
		}
		if isMeasure(kind) || kind == "release" {
			return answerMeasure(ctx, tx, who, id, a, now)
		}
		if _, err := tx.Exec(ctx, `UPDATE partner_requests SET status = ?, result = ?, result_fen = ?, answered_at = ? WHERE id = ?`,
			a.Status, strings.TrimSpace(a.Result), a.ResultFen, db.Millis(now), id); err != nil {
			return fmt.Errorf("answer request %d: %w", id, err)
		}
		if warningID != 0 && a.Status != "seen" {
			detail := fmt.Sprintf("协查请求 #%d（%s）%s", id, KindName(kind), StatusName(a.Status))
			if a.Result != "" {
				detail += "：" + strings.TrimSpace(a.Result)
			}
			if err := warning.AddEvent(ctx, tx, warningID, now, "emergency", 0, detail); err != nil {
				return err
			}
		}
		e := who.With(auth.AuditUpdate, "partner_request", strconv.FormatInt(id, 10))
		e.At, e.Detail = now, "answer "+a.Status
		return auth.Audit(ctx, tx, e)
	})
}
