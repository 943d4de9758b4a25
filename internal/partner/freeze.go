package partner

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
	"github.com/fanzha/fanzha/internal/zone"
)

// The stop-payment and freeze lifecycle (止付/冻结), on partner_requests of
// kind stop_payment or freeze:
//
//	drafted ──send──▶ sent ──(bank: seen)──▶ seen
//	sent|seen ──bank done + amount──▶ confirmed   (term starts, expires_at set)
//	sent|seen ──bank refused + reason──▶ rejected
//	confirmed ──expires_at passes──▶ lapsed       (the watcher, FreezeWatch)
//	confirmed ──release confirmed by the bank──▶ released
//	confirmed ──renewal confirmed by the bank──▶ renewed (the renewal carries on)
//
// A renewal (续冻, freezes only) is a new freeze request with prior_id set:
// the bank must confirm it again, and its term starts at the old expiry (or
// at the confirmation if the old term had already lapsed). A release (解冻)
// is a request of kind release with prior_id set; the bank's "done" releases
// the freeze. Any other move is refused with domain.ErrConflict, naming the
// current status. Every move is audited and written on the case timeline.

func isMeasure(kind string) bool { return kind == "stop_payment" || kind == "freeze" }

// measure is what a transition needs of a request.
type measure struct {
	id, caseID, unitID, priorID int64
	kind, status, account       string
	expiresAt                   int64
}

func loadMeasure(ctx context.Context, q db.Querier, scope *area.Node, id int64) (measure, error) {
	query := `SELECT r.id, COALESCE(r.case_id, 0), COALESCE(r.unit_id, 0), COALESCE(r.prior_id, 0), r.kind, r.status, r.account, COALESCE(r.expires_at, 0)
		FROM partner_requests r LEFT JOIN cases c ON c.id = r.case_id WHERE r.id = ?`
	args := []any{id}
	if scope != nil {
		cond, arg := area.UnderClause("c.area_id", *scope)
		query += ` AND ` + cond
		args = append(args, arg)
	}
	var m measure
	err := q.QueryRow(ctx, query, args...).Scan(&m.id, &m.caseID, &m.unitID, &m.priorID, &m.kind, &m.status, &m.account, &m.expiresAt)
	if errors.Is(err, sql.ErrNoRows) {
		return m, fmt.Errorf("request %d: %w", id, domain.ErrNotFound)
	}
	if err != nil {
		return m, fmt.Errorf("request %d: %w", id, err)
	}
	return m, nil
}

// refuse is the error of a move the lifecycle does not allow.
func refuse(m measure, action string) error {
	return domain.Conflict("%s #%d 当前状态为「%s」，不能%s", KindName(m.kind), m.id, StatusName(m.status), action)
}

// caseEvent writes a line of a case's timeline.
func caseEvent(ctx context.Context, q db.Querier, caseID int64, at time.Time, kind string, userID int64, detail string) error {
	if caseID == 0 {
		return nil
	}
	return funds.AddCaseEvent(ctx, q, caseID, at, kind, userID, detail)
}

func audit(ctx context.Context, q db.Querier, who auth.AuditEntry, id int64, now time.Time, detail string) error {
	e := who.With(auth.AuditUpdate, "partner_request", strconv.FormatInt(id, 10))
	e.At, e.Detail = now, detail
	return auth.Audit(ctx, q, e)
}

// Send sends a drafted request of a case in scope to its bank.
func Send(ctx context.Context, d *db.DB, scope area.Node, who auth.AuditEntry, id int64, now time.Time) error {
	return d.InTx(ctx, func(tx *db.Tx) error {
		m, err := loadMeasure(ctx, tx, &scope, id)
		if err != nil {
			return err
		}
		if m.status != "drafted" {
			return refuse(m, "发送（只有草稿可以发送）")
		}
		if err := unitAcceptsRequests(ctx, tx, m.unitID); err != nil {
			return err
		}
		within := answerWithin[m.kind]
		if _, err := tx.Exec(ctx, `UPDATE partner_requests SET status = 'sent', sent_at = ?, due_at = ? WHERE id = ?`,
			db.Millis(now), db.Millis(now.Add(within)), id); err != nil {
			return fmt.Errorf("send request %d: %w", id, err)
		}
		if err := caseEvent(ctx, tx, m.caseID, now, "request_sent", who.UserID, fmt.Sprintf("发出%s请求 #%d：账号 %s", KindName(m.kind), id, auth.MaskCard(m.account))); err != nil {
			return err
		}
		return audit(ctx, tx, who, id, now, "send "+m.kind)
	})
}

// Confirm records the bank's confirmation of a stop-payment or freeze of a
// case in scope, as an investigator holding the bank's written receipt does
// (the bank itself confirms through Respond).
func Confirm(ctx context.Context, d *db.DB, scope area.Node, who auth.AuditEntry, id, frozenFen int64, reference string, now time.Time) error {
	return d.InTx(ctx, func(tx *db.Tx) error {
		m, err := loadMeasure(ctx, tx, &scope, id)
		if err != nil {
			return err
		}
		if !isMeasure(m.kind) {
			return refuse(m, "确认冻结（不是止付或冻结请求）")
		}
		if m.status != "sent" && m.status != "seen" {
			return refuse(m, "确认（只有已发送、待银行答复的请求可以确认）")
		}
		return confirmTx(ctx, tx, who, m, frozenFen, reference, "", now)
	})
}

// Reject records the bank's refusal of a stop-payment or freeze with its
// reason.
func Reject(ctx context.Context, d *db.DB, scope area.Node, who auth.AuditEntry, id int64, reason string, now time.Time) error {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return domain.Invalid("请写明银行拒绝的原因")
	}
	return d.InTx(ctx, func(tx *db.Tx) error {
		m, err := loadMeasure(ctx, tx, &scope, id)
		if err != nil {
			return err
		}
		if !isMeasure(m.kind) {
			return refuse(m, "登记拒绝（不是止付或冻结请求）")
		}
		if m.status != "sent" && m.status != "seen" {
			return refuse(m, "登记拒绝（只有已发送、待银行答复的请求可以登记拒绝）")
		}
		return rejectTx(ctx, tx, who, m, reason, now)
	})
}

// answerMeasure applies a bank's answer to a stop-payment, freeze or
// release (the request is sent or seen, and addressed to the bank).
func answerMeasure(ctx context.Context, tx *db.Tx, who auth.AuditEntry, id int64, a Answer, now time.Time) error {
	m, err := loadMeasure(ctx, tx, nil, id)
	if err != nil {
		return err
	}
	switch {
	case a.Status == "seen":
		if _, err := tx.Exec(ctx, `UPDATE partner_requests SET status = 'seen', answered_at = ? WHERE id = ?`, db.Millis(now), id); err != nil {
			return err
		}
		return audit(ctx, tx, who, id, now, "answer seen")
	case m.kind == "release":
		return answerRelease(ctx, tx, who, m, a, now)
	case a.Status == "refused":
		return rejectTx(ctx, tx, who, m, a.Result, now)
	default:
		return confirmTx(ctx, tx, who, m, a.ResultFen, a.Reference, a.Result, now)
	}
}

func confirmTx(ctx context.Context, tx *db.Tx, who auth.AuditEntry, m measure, frozenFen int64, reference, result string, now time.Time) error {
	if frozenFen <= 0 {
		return domain.Invalid("确认%s须填写实际%s金额（账户无余额时请答复拒绝并说明）", KindName(m.kind), KindName(m.kind))
	}
	terms, err := LoadTerms(ctx, tx)
	if err != nil {
		return err
	}
	start := now
	detail := ""
	if m.priorID != 0 {
		prior, err := loadMeasure(ctx, tx, nil, m.priorID)
		if err != nil {
			return err
		}
		switch {
		case prior.kind == "stop_payment":
			// A stop-payment converted to a freeze (止付转冻结): the freeze's
			// term starts at the bank's confirmation and the stop-payment
			// ends there.
			if prior.status == "confirmed" {
				if _, err := tx.Exec(ctx, `UPDATE partner_requests SET status = 'converted', ended_at = ? WHERE id = ?`, db.Millis(now), prior.id); err != nil {
					return err
				}
			}
			detail = fmt.Sprintf("（由止付 #%d 转冻结）", prior.id)
		default:
			// A renewal continues the old term from its expiry; if the old
			// term lapsed before the bank confirmed, the freeze starts anew now.
			if prior.status == "confirmed" && prior.expiresAt > db.Millis(now) {
				start = db.Time(prior.expiresAt)
			}
			if prior.status == "confirmed" {
				if _, err := tx.Exec(ctx, `UPDATE partner_requests SET status = 'renewed', ended_at = ? WHERE id = ?`, db.Millis(start), prior.id); err != nil {
					return err
				}
			}
			detail = fmt.Sprintf("（续冻 #%d，期限自 %s 起）", prior.id, start.In(zone.Shanghai).Format("2006-01-02 15:04"))
		}
	}
	expires := terms.TermOf(m.kind).From(start)
	if _, err := tx.Exec(ctx, `UPDATE partner_requests SET status = 'confirmed', result_fen = ?, bank_ref = ?, result = ?, answered_at = ?,
		confirmed_at = ?, term_starts_at = ?, expires_at = ? WHERE id = ?`, frozenFen, strings.TrimSpace(reference), strings.TrimSpace(result),
		db.Millis(now), db.Millis(now), db.Millis(start), db.Millis(expires), m.id); err != nil {
		return fmt.Errorf("confirm request %d: %w", m.id, err)
	}
	text := fmt.Sprintf("银行确认%s #%d：账号 %s，金额 %s，文书号 %s，到期 %s%s", KindName(m.kind), m.id, auth.MaskCard(m.account),
		yuan(frozenFen), orNone(reference), expires.In(zone.Shanghai).Format("2006-01-02 15:04"), detail)
	if err := caseEvent(ctx, tx, m.caseID, now, "freeze_confirmed", who.UserID, text); err != nil {
		return err
	}
	return audit(ctx, tx, who, m.id, now, fmt.Sprintf("confirm %s %d fen ref %s expires %s", m.kind, frozenFen, reference, expires.Format(time.RFC3339)))
}

func rejectTx(ctx context.Context, tx *db.Tx, who auth.AuditEntry, m measure, reason string, now time.Time) error {
	if _, err := tx.Exec(ctx, `UPDATE partner_requests SET status = 'rejected', result = ?, answered_at = ? WHERE id = ?`,
		strings.TrimSpace(reason), db.Millis(now), m.id); err != nil {
		return fmt.Errorf("reject request %d: %w", m.id, err)
	}
	if err := caseEvent(ctx, tx, m.caseID, now, "freeze_rejected", who.UserID, fmt.Sprintf("银行拒绝%s #%d：%s", KindName(m.kind), m.id, strings.TrimSpace(reason))); err != nil {
		return err
	}
	return audit(ctx, tx, who, m.id, now, "reject "+m.kind+": "+reason)
}

func answerRelease(ctx context.Context, tx *db.Tx, who auth.AuditEntry, m measure, a Answer, now time.Time) error {
	if _, err := tx.Exec(ctx, `UPDATE partner_requests SET status = ?, result = ?, result_fen = ?, bank_ref = ?, answered_at = ? WHERE id = ?`,
		a.Status, strings.TrimSpace(a.Result), a.ResultFen, strings.TrimSpace(a.Reference), db.Millis(now), m.id); err != nil {
		return fmt.Errorf("answer release %d: %w", m.id, err)
	}
	text := fmt.Sprintf("银行拒绝解冻请求 #%d：%s", m.id, strings.TrimSpace(a.Result))
	if a.Status == "done" {
		text = fmt.Sprintf("银行确认解冻 #%d：账号 %s", m.id, auth.MaskCard(m.account))
		if m.priorID != 0 {
			res, err := tx.Exec(ctx, `UPDATE partner_requests SET status = 'released', ended_at = ? WHERE id = ? AND status = 'confirmed'`, db.Millis(now), m.priorID)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 1 {
				text += fmt.Sprintf("，冻结 #%d 已解除", m.priorID)
				if err := audit(ctx, tx, who, m.priorID, now, fmt.Sprintf("released by request %d", m.id)); err != nil {
					return err
				}
			}
		}
	}
	if err := caseEvent(ctx, tx, m.caseID, now, "release_"+a.Status, who.UserID, text); err != nil {
		return err
	}
	return audit(ctx, tx, who, m.id, now, "answer release "+a.Status)
}

// Renew asks the bank to renew a confirmed freeze (续冻) before it lapses:
// a new freeze request to the same bank for the same account and amount,
// continuing the term from the old expiry once the bank confirms it. A
// stop-payment is not renewed (it is followed by a freeze), and a freeze
// has at most one renewal waiting for the bank.
func Renew(ctx context.Context, d *db.DB, scope area.Node, who auth.AuditEntry, id int64, reason string, now time.Time) (int64, error) {
	var newID int64
	err := d.InTx(ctx, func(tx *db.Tx) error {
		m, err := loadMeasure(ctx, tx, &scope, id)
		if err != nil {
			return err
		}
		if m.kind != "freeze" {
			return refuse(m, "续冻（止付到期后应办理冻结，不能续期）")
		}
		if m.status != "confirmed" {
			return refuse(m, "续冻（只有已确认且未到期的冻结可以续冻）")
		}
		// One follow-up at a time: a renewal and a release waiting for the
		// bank together would leave the bank two contradicting requests.
		if err := noPending(ctx, tx, m, "freeze", "续冻"); err != nil {
			return err
		}
		if err := noPending(ctx, tx, m, "release", "解冻"); err != nil {
			return err
		}
		newID, err = follow(ctx, tx, who, m, "freeze", reason, "续冻", now)
		return err
	})
	return newID, err
}

// Convert asks the bank to freeze the account of a confirmed stop-payment
// (止付转冻结) before the stop-payment lapses: a freeze request to the same
// bank for the amount stopped, with prior_id set; the bank's confirmation
// starts the freeze's own term and ends the stop-payment (converted).
func Convert(ctx context.Context, d *db.DB, scope area.Node, who auth.AuditEntry, id int64, reason string, now time.Time) (int64, error) {
	var newID int64
	err := d.InTx(ctx, func(tx *db.Tx) error {
		m, err := loadMeasure(ctx, tx, &scope, id)
		if err != nil {
			return err
		}
		if m.kind != "stop_payment" {
			return refuse(m, "转冻结（只有止付可以转为冻结）")
		}
		if m.status != "confirmed" {
			return refuse(m, "转冻结（只有已确认、仍在期限内的止付可以转为冻结）")
		}
		if err := noPending(ctx, tx, m, "freeze", "转冻结"); err != nil {
			return err
		}
		if err := noPending(ctx, tx, m, "release", "解冻"); err != nil {
			return err
		}
		if strings.TrimSpace(reason) == "" {
			reason = fmt.Sprintf("止付 #%d 期限届满前转为冻结", m.id)
		}
		newID, err = follow(ctx, tx, who, m, "freeze", reason, "转冻结", now)
		return err
	})
	return newID, err
}

// Release asks the bank to lift a confirmed stop-payment or freeze (解冻):
// a release request to the same bank; the bank's "done" releases it.
func Release(ctx context.Context, d *db.DB, scope area.Node, who auth.AuditEntry, id int64, reason string, now time.Time) (int64, error) {
	if strings.TrimSpace(reason) == "" {
		return 0, domain.Invalid("请写明解冻事由（如已返还完毕、撤销案件）")
	}
	var newID int64
	err := d.InTx(ctx, func(tx *db.Tx) error {
		m, err := loadMeasure(ctx, tx, &scope, id)
		if err != nil {
			return err
		}
		if !isMeasure(m.kind) {
			return refuse(m, "解冻（不是止付或冻结请求）")
		}
		if m.status != "confirmed" {
			return refuse(m, "解冻（只有已确认、仍在期限内的止付或冻结可以解除）")
		}
		if err := noPending(ctx, tx, m, "release", "解冻"); err != nil {
			return err
		}
		if err := noPending(ctx, tx, m, "freeze", "续冻"); err != nil {
			return err
		}
		newID, err = follow(ctx, tx, who, m, "release", reason, "解冻", now)
		return err
	})
	return newID, err
}

func noPending(ctx context.Context, tx *db.Tx, m measure, kind, what string) error {
	var n int
	if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM partner_requests WHERE prior_id = ? AND kind = ? AND status IN ('drafted', 'sent', 'seen')`,
		m.id, kind).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return domain.Conflict("%s #%d 已有待银行答复的%s请求", KindName(m.kind), m.id, what)
	}
	return nil
}

// follow sends a request continuing m (a renewal or a release) to m's bank.
func follow(ctx context.Context, tx *db.Tx, who auth.AuditEntry, m measure, kind, reason, what string, now time.Time) (int64, error) {
	if err := unitAcceptsRequests(ctx, tx, m.unitID); err != nil {
		return 0, err
	}
	var id int64
	err := tx.QueryRow(ctx, `INSERT INTO partner_requests (kind, unit_id, case_id, account, amount_fen, reason, status, due_at, sent_at, created_by, created_at, prior_id)
		SELECT ?, unit_id, case_id, account, CASE WHEN result_fen > 0 THEN result_fen ELSE amount_fen END, ?, 'sent', ?, ?, ?, ?, id
		FROM partner_requests WHERE id = ? RETURNING id`,
		kind, strings.TrimSpace(reason), db.Millis(now.Add(answerWithin[kind])), db.Millis(now), nullable(who.UserID), db.Millis(now), m.id).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("%s request %d: %w", kind, m.id, err)
	}
	if err := caseEvent(ctx, tx, m.caseID, now, "request_sent", who.UserID, fmt.Sprintf("发出%s请求 #%d（%s #%d，账号 %s）", what, id, KindName(m.kind), m.id, auth.MaskCard(m.account))); err != nil {
		return 0, err
	}
	e := who.With(auth.AuditCreate, "partner_request", strconv.FormatInt(id, 10))
	e.At, e.Detail = now, fmt.Sprintf("%s of request %d", kind, m.id)
	if err := auth.Audit(ctx, tx, e); err != nil {
		return 0, err
	}
	return id, nil
}

// FreezeFilter selects stop-payments and freezes for the freeze list.
type FreezeFilter struct {
	Status    string // one status, or "" for all; "active" for confirmed
	CaseID    int64
	StationID int64  // the case's station; 0 for all in scope
	Search    string // part of the account number or the case number
	Mine      int64  // a user: the requests of cases assigned to them or sent by them
	Offset    int    // rows skipped (paging)
	Limit     int
}

// FreezeRow is a stop-payment or freeze with its case, for the freeze list.
type FreezeRow struct {
	Request
	CaseNo      string `json:"case_no"`
	StationName string `json:"station_name,omitempty"`
	// LeftSeconds is the time left before the term lapses (confirmed only).
	LeftSeconds int64 `json:"left_seconds,omitempty"`
	// PendingRenewal and PendingRelease name a follow-up waiting for the bank.
	PendingRenewal int64 `json:"pending_renewal,omitempty"`
	PendingRelease int64 `json:"pending_release,omitempty"`
}

// Masked returns the row with the account masked.
func (f FreezeRow) Masked(m auth.Masker) FreezeRow {
	f.Request = f.Request.Masked(m)
	return f
}

// freezeStatuses are the statuses a freeze list may be filtered by.
var freezeStatuses = map[string]bool{"drafted": true, "sent": true, "seen": true, "confirmed": true, "rejected": true,
	"lapsed": true, "released": true, "renewed": true, "converted": true}

const selectFreeze = `SELECT r.id, r.kind, COALESCE(r.unit_id, 0), COALESCE(u.name, ''), COALESCE(r.warning_id, 0), COALESCE(r.case_id, 0),
	r.account, r.phone, r.amount_fen, r.reason, r.status, r.due_at, r.created_at, r.answered_at, r.result, r.result_fen,
	r.sent_at, r.confirmed_at, r.bank_ref, r.term_starts_at, r.expires_at, r.ended_at, COALESCE(r.prior_id, 0),
	c.case_no, COALESCE(st.name, ''),
	COALESCE((SELECT MAX(x.id) FROM partner_requests x WHERE x.prior_id = r.id AND x.kind = 'freeze' AND x.status IN ('drafted','sent','seen')), 0),
	COALESCE((SELECT MAX(x.id) FROM partner_requests x WHERE x.prior_id = r.id AND x.kind = 'release' AND x.status IN ('drafted','sent','seen')), 0)
	FROM partner_requests r JOIN cases c ON c.id = r.case_id LEFT JOIN units u ON u.id = r.unit_id LEFT JOIN areas st ON st.id = c.station_id
	WHERE r.kind IN ('stop_payment', 'freeze')`

func scanFreeze(sc interface{ Scan(...any) error }, now time.Time) (FreezeRow, error) {
	var fr FreezeRow
	r, err := scanRequest(multiScan{sc, []any{&fr.CaseNo, &fr.StationName, &fr.PendingRenewal, &fr.PendingRelease}}, now)
	if err != nil {
		return fr, err
	}
	fr.Request = r
	if r.Status == "confirmed" && !r.ExpiresAt.IsZero() {
		fr.LeftSeconds = int64(r.ExpiresAt.Sub(now) / time.Second)
	}
	return fr, nil
}

// ListFreezes returns the stop-payments and freezes of cases in scope:
// confirmed ones first by expiry, then the rest newest first.
func ListFreezes(ctx context.Context, q db.Querier, scope area.Node, f FreezeFilter, now time.Time) ([]FreezeRow, error) {
	var where db.Where
	where.And(area.UnderClause("c.area_id", scope))
	switch {
	case f.Status == "":
	case f.Status == "active":
		where.And("r.status = 'confirmed'")
	case freezeStatuses[f.Status]:
		where.And("r.status = ?", f.Status)
	default:
		return nil, domain.Invalid("状态 %q 无效（active/drafted/sent/seen/confirmed/rejected/lapsed/released/renewed）", f.Status)
	}
	where.AndIf(f.CaseID != 0, "r.case_id = ?", f.CaseID).
		AndIf(f.StationID != 0, "c.station_id = ?", f.StationID).
		Contains(f.Search, "r.account", "c.case_no").
		AndIf(f.Mine != 0, "(c.investigator_id = ? OR r.created_by = ?)", f.Mine, f.Mine)
	page := db.Page{Limit: f.Limit, Offset: f.Offset}.ClampToDefault(500, 1000)
	// Expiring first: confirmed measures by expiry, then those waiting for
	// the bank by their answer deadline, then drafts and ended ones, newest first.
	rows, err := q.Query(ctx, selectFreeze+` AND `+where.String()+`
		ORDER BY CASE WHEN r.status = 'confirmed' THEN 0 WHEN r.status IN ('sent', 'seen') THEN 1 WHEN r.status = 'drafted' THEN 2 ELSE 3 END,
		CASE WHEN r.status = 'confirmed' THEN r.expires_at WHEN r.status IN ('sent', 'seen') THEN r.due_at ELSE 0 END, r.id DESC`+page.SQL(), where.Args()...)
	if err != nil {
		return nil, fmt.Errorf("list freezes: %w", err)
	}
	defer rows.Close()
	out := []FreezeRow{}
	for rows.Next() {
		fr, err := scanFreeze(rows, now)
		if err != nil {
			return nil, fmt.Errorf("list freezes: %w", err)
		}
		out = append(out, fr)
	}
	return out, rows.Err()
}

// GetFreeze returns one stop-payment or freeze of a case in scope.
func GetFreeze(ctx context.Context, q db.Querier, scope area.Node, id int64, now time.Time) (FreezeRow, error) {
	cond, arg := area.UnderClause("c.area_id", scope)
	fr, err := scanFreeze(q.QueryRow(ctx, selectFreeze+` AND r.id = ? AND `+cond, id, arg), now)
	if errors.Is(err, sql.ErrNoRows) {
		return fr, fmt.Errorf("freeze %d: %w", id, domain.ErrNotFound)
	}
	if err != nil {
		return fr, fmt.Errorf("freeze %d: %w", id, err)
	}
	return fr, nil
}

// multiScan appends extra destinations after a request's columns.
type multiScan struct {
	sc    interface{ Scan(...any) error }
	extra []any
}

func (m multiScan) Scan(dest ...any) error { return m.sc.Scan(append(dest, m.extra...)...) }

func yuan(fen int64) string { return fmt.Sprintf("¥%d.%02d", fen/100, fen%100) }

func orNone(s string) string {
	if strings.TrimSpace(s) == "" {
		return "（未填）"
	}
	return strings.TrimSpace(s)
}
