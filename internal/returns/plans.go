package returns

import (
	"context"
	"database/sql"
	"encoding/json"
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
	"github.com/fanzha/fanzha/internal/trace"
	"github.com/fanzha/fanzha/internal/zone"
)

// The return workflow (冻结资金返还) on top of Compute: a plan per
// frozen account of a case fixes the Art. 8 calculation; a public notice
// (30 days for the proportional rule) runs from a start to an end, during
// which objections are recorded; the plan is executed only after the
// notice has ended and while no objection is open; then the returns paid
// to each victim are recorded (amount, date, reference), never more than
// the victim's share. What the plan does not return stays frozen. A victim
// identified later starts a new plan over what is still frozen, with each
// victim's loss reduced by what was already returned to them in the case.
//
// Plan statuses: draft → notice → executed; a draft or a plan under notice
// is superseded when a new plan is made for the same freeze.

// Plan statuses.
const (
	PlanDraft      = "draft"
	PlanNotice     = "notice"
	PlanExecuted   = "executed"
	PlanSuperseded = "superseded"
)

// PlanStatusName is the Chinese label of a plan status.
func PlanStatusName(s string) string {
	switch s {
	case PlanDraft:
		return "待公告"
	case PlanNotice:
		return "公告中"
	case PlanExecuted:
		return "已执行"
	case PlanSuperseded:
		return "已被新方案取代"
	}
	return s
}

// Plan is the return of one frozen account's money.
type Plan struct {
	ID             int64       `json:"id"`
	CaseID         int64       `json:"case_id"`
	RequestID      int64       `json:"request_id"`
	Account        string      `json:"account"`
	FrozenFen      int64       `json:"frozen_fen"` // the pot of this plan: frozen minus returned by earlier plans
	Rule           Rule        `json:"rule"`
	RuleName       string      `json:"rule_name"`
	NoticeDays     int         `json:"notice_days"`
	Status         string      `json:"status"`
	StatusName     string      `json:"status_name"`
	NoticeStartsAt time.Time   `json:"notice_starts_at,omitzero"`
	NoticeEndsAt   time.Time   `json:"notice_ends_at,omitzero"`
	ExecutedAt     time.Time   `json:"executed_at,omitzero"`
	SupersededBy   int64       `json:"superseded_by,omitempty"`
	CreatedAt      time.Time   `json:"created_at"`
	Lines          []Line      `json:"lines"`
	ReturnFen      int64       `json:"return_fen"`      // the plan's shares added up
	PaidFen        int64       `json:"paid_fen"`        // returns paid under this plan
	OutstandingFen int64       `json:"outstanding_fen"` // shares not yet paid
	LeftFen        int64       `json:"left_fen"`        // stays frozen after the plan
	Objections     []Objection `json:"objections"`
	Payments       []Payment   `json:"payments"`
	// Executable says whether the plan may be executed now; Blocker says
	// why not.
	Executable bool   `json:"executable"`
	Blocker    string `json:"blocker,omitempty"`
}

// Line is one victim's line of a plan.
type Line struct {
	Share
	PaidFen        int64 `json:"paid_fen"`
	OutstandingFen int64 `json:"outstanding_fen"`
}

// Objection is an objection raised during the notice.
type Objection struct {
	ID         int64     `json:"id"`
	At         time.Time `json:"at"`
	Objector   string    `json:"objector"`
	Text       string    `json:"text"`
	Status     string    `json:"status"` // open | resolved
	Resolution string    `json:"resolution,omitempty"`
	ResolvedAt time.Time `json:"resolved_at,omitzero"`
}

// Payment is a return paid to a victim.
type Payment struct {
	ID        int64     `json:"id"`
	VictimID  int64     `json:"victim_id"`
	Name      string    `json:"name"`
	AmountFen int64     `json:"amount_fen"`
	PaidAt    time.Time `json:"paid_at"`
	Reference string    `json:"reference"`
}

// FrozenAccount is a confirmed stop-payment or freeze of a case with its
// return plans (the current one first).
type FrozenAccount struct {
	RequestID int64  `json:"request_id"`
	Kind      string `json:"kind"`
	Account   string `json:"account"`
	Bank      string `json:"bank"`
	Status    string `json:"status"`
	FrozenFen int64  `json:"frozen_fen"`
	PaidFen   int64  `json:"paid_fen"` // returned from this account, all plans
	LeftFen   int64  `json:"left_fen"` // still frozen
	Plans     []Plan `json:"plans"`    // newest first
	CanPlan   bool   `json:"can_plan"` // a new plan may be made
	PlanBlock string `json:"plan_blocker,omitempty"`
}

// CaseReturns is the return page of a case.
type CaseReturns struct {
	CaseID   int64           `json:"case_id"`
	CaseNo   string          `json:"case_no"`
	Accounts []FrozenAccount `json:"accounts"`
}

// Masked returns the view with the account numbers masked.
func (c CaseReturns) Masked(m auth.Masker) CaseReturns {
	out := c
	out.Accounts = make([]FrozenAccount, len(c.Accounts))
	for i, a := range c.Accounts {
		a.Account = m.Card(a.Account)
		plans := make([]Plan, len(a.Plans))
		for j, p := range a.Plans {
			p.Account = m.Card(p.Account)
			plans[j] = p
		}
		a.Plans = plans
		out.Accounts[i] = a
	}
	return out
}

// GetCaseReturns returns the confirmed freezes of a case in scope with
// their plans.
func GetCaseReturns(ctx context.Context, q db.Querier, scope area.Node, caseID int64, now time.Time) (CaseReturns, error) {
	cond, arg := area.UnderClause("area_id", scope)
	out := CaseReturns{CaseID: caseID, Accounts: []FrozenAccount{}}
	err := q.QueryRow(ctx, `SELECT case_no FROM cases WHERE id = ? AND `+cond, caseID, arg).Scan(&out.CaseNo)
	if errors.Is(err, sql.ErrNoRows) {
		return out, fmt.Errorf("case %d: %w", caseID, domain.ErrNotFound)
	}
	if err != nil {
		return out, err
	}
	rows, err := q.Query(ctx, `SELECT r.id, r.kind, r.account, COALESCE(u.name, ''), r.status, r.result_fen
		FROM partner_requests r LEFT JOIN units u ON u.id = r.unit_id
		WHERE r.case_id = ? AND r.kind IN ('stop_payment', 'freeze') AND r.status IN ('confirmed', 'released', 'lapsed')
		  AND (r.status = 'confirmed' OR EXISTS (SELECT 1 FROM return_plans p WHERE p.request_id = r.id))
		ORDER BY r.id`, caseID)
	if err != nil {
		return out, fmt.Errorf("frozen accounts of case %d: %w", caseID, err)
	}
	for rows.Next() {
		var a FrozenAccount
		if err := rows.Scan(&a.RequestID, &a.Kind, &a.Account, &a.Bank, &a.Status, &a.FrozenFen); err != nil {
			rows.Close()
			return out, err
		}
		out.Accounts = append(out.Accounts, a)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return out, err
	}
	for i := range out.Accounts {
		a := &out.Accounts[i]
		ids, err := planIDs(ctx, q, `request_id = ?`, a.RequestID)
		if err != nil {
			return out, err
		}
		a.Plans = []Plan{}
		for _, id := range ids {
			p, err := loadPlan(ctx, q, id, now)
			if err != nil {
				return out, err
			}
			a.PaidFen += p.PaidFen
			a.Plans = append(a.Plans, p)
		}
		a.LeftFen = a.FrozenFen - a.PaidFen
		a.CanPlan, a.PlanBlock = true, ""
		if a.Status != "confirmed" {
			a.CanPlan, a.PlanBlock = false, "冻结已不在期限内，不能制定新的返还方案"
		}
		for _, p := range a.Plans {
			if p.Status == PlanExecuted && p.OutstandingFen > 0 {
				a.CanPlan, a.PlanBlock = false, fmt.Sprintf("方案 #%d 尚有 %s 未登记返还", p.ID, yuan(p.OutstandingFen))
			}
		}
	}
	return out, nil
}

func planIDs(ctx context.Context, q db.Querier, where string, arg any) ([]int64, error) {
	rows, err := q.Query(ctx, `SELECT id FROM return_plans WHERE `+where+` ORDER BY id DESC`, arg)
	if err != nil {
		return nil, err
	}
	return db.Int64s(rows)
}

func loadPlan(ctx context.Context, q db.Querier, id int64, now time.Time) (Plan, error) {
	var p Plan
	var calc string
	var starts, ends, executed, superseded sql.NullInt64
	var created int64
	var notice int64
	err := q.QueryRow(ctx, `SELECT id, case_id, request_id, account, frozen_fen, rule, notice_days, calc, status, notice_starts_at, notice_ends_at,
		executed_at, superseded_by, created_at FROM return_plans WHERE id = ?`, id).Scan(&p.ID, &p.CaseID, &p.RequestID, &p.Account, &p.FrozenFen,
		&p.Rule, &notice, &calc, &p.Status, &starts, &ends, &executed, &superseded, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return p, fmt.Errorf("return plan %d: %w", id, domain.ErrNotFound)
	}
	if err != nil {
		return p, fmt.Errorf("return plan %d: %w", id, err)
	}
	p.NoticeDays = int(notice)
	p.RuleName, p.StatusName = RuleName(p.Rule), PlanStatusName(p.Status)
	if p.Status == PlanDraft && p.NoticeDays == 0 {
		// Art. 8: only the proportional rule is noticed; a single-victim
		// or traced plan goes straight to execution.
		p.StatusName = "待执行"
	}
	p.NoticeStartsAt, p.NoticeEndsAt, p.ExecutedAt = db.NullTime(starts), db.NullTime(ends), db.NullTime(executed)
	p.SupersededBy, p.CreatedAt = superseded.Int64, db.Time(created)
	var c Calc
	if err := json.Unmarshal([]byte(calc), &c); err != nil {
		return p, fmt.Errorf("return plan %d calculation: %w", id, err)
	}
	p.Payments, p.Objections = []Payment{}, []Objection{}
	rows, err := q.Query(ctx, `SELECT p.id, p.victim_id, v.name, p.amount_fen, p.paid_at, p.reference FROM return_payments p
		JOIN victims v ON v.id = p.victim_id WHERE p.plan_id = ? ORDER BY p.paid_at, p.id`, id)
	if err != nil {
		return p, err
	}
	paid := map[int64]int64{}
	for rows.Next() {
		var x Payment
		var at int64
		if err := rows.Scan(&x.ID, &x.VictimID, &x.Name, &x.AmountFen, &at, &x.Reference); err != nil {
			rows.Close()
			return p, err
		}
		x.PaidAt = db.Time(at)
		paid[x.VictimID] += x.AmountFen
		p.Payments = append(p.Payments, x)
	}
	rows.Close()
	rows, err = q.Query(ctx, `SELECT id, at, objector, text, status, resolution, resolved_at FROM return_objections WHERE plan_id = ? ORDER BY at, id`, id)
	if err != nil {
		return p, err
	}
	open := 0
	for rows.Next() {
		var o Objection
		var at int64
		var resolved sql.NullInt64
		if err := rows.Scan(&o.ID, &at, &o.Objector, &o.Text, &o.Status, &o.Resolution, &resolved); err != nil {
			rows.Close()
			return p, err
		}
		o.At, o.ResolvedAt = db.Time(at), db.NullTime(resolved)
		if o.Status == "open" {
			open++
		}
		p.Objections = append(p.Objections, o)
	}
	rows.Close()
	for _, s := range c.Shares {
		l := Line{Share: s, PaidFen: paid[s.VictimID]}
		l.OutstandingFen = s.ShareFen - l.PaidFen
		p.ReturnFen += s.ShareFen
		p.PaidFen += l.PaidFen
		p.OutstandingFen += l.OutstandingFen
		p.Lines = append(p.Lines, l)
	}
	if p.Lines == nil {
		p.Lines = []Line{}
	}
	p.LeftFen = p.FrozenFen - p.ReturnFen
	p.Blocker = executeBlocker(p, open, now)
	p.Executable = p.Blocker == ""
	return p, nil
}

// executeBlocker says why a plan cannot be executed now ("" when it can).
func executeBlocker(p Plan, openObjections int, now time.Time) string {
	switch {
	case p.Status == PlanExecuted:
		return "方案已执行"
	case p.Status == PlanSuperseded:
		return "方案已被新方案取代"
	case p.NoticeDays > 0 && p.Status != PlanNotice:
		return fmt.Sprintf("按比例返还须先公告 %d 日", p.NoticeDays)
	case p.Status == PlanNotice && now.Before(p.NoticeEndsAt):
		return fmt.Sprintf("公告期至 %s 结束，公告期内不能执行", p.NoticeEndsAt.In(zone.Shanghai).Format("2006-01-02 15:04"))
	case openObjections > 0:
		return fmt.Sprintf("尚有 %d 项异议未处理", openObjections)
	}
	return ""
}

// planInScope loads a plan of a case in scope.
func planInScope(ctx context.Context, q db.Querier, scope area.Node, id int64, now time.Time) (Plan, error) {
	var caseID int64
	err := q.QueryRow(ctx, `SELECT case_id FROM return_plans WHERE id = ?`, id).Scan(&caseID)
	if errors.Is(err, sql.ErrNoRows) {
		return Plan{}, fmt.Errorf("return plan %d: %w", id, domain.ErrNotFound)
	}
	if err != nil {
		return Plan{}, err
	}
	if err := funds.CaseInScope(ctx, q, scope, caseID); err != nil {
		return Plan{}, fmt.Errorf("return plan %d: %w", id, domain.ErrNotFound)
	}
	return loadPlan(ctx, q, id, now)
}

// GetPlan returns a plan of a case in scope.
func GetPlan(ctx context.Context, q db.Querier, scope area.Node, id int64, now time.Time) (Plan, error) {
	return planInScope(ctx, q, scope, id, now)
}

func auditPlan(ctx context.Context, q db.Querier, who auth.AuditEntry, action string, id int64, now time.Time, detail string) error {
	e := who.With(action, "return_plan", strconv.FormatInt(id, 10))
	e.At, e.Detail = now, detail
	return auth.Audit(ctx, q, e)
}

// CreatePlan makes a return plan for a confirmed stop-payment or
// freeze of a case in scope. The claims come from the trace engine (FIFO,
// balances at the bank's confirmation): the victims whose money is traced
// into the account are its claimants, with what is traced to them; when no
// statement lets the trace reach the account, the claimants are the
// victims who paid into it directly, or else every victim of the case, and
// the proportional rule applies. Earlier draft or noticed plans of the
// freeze are superseded.
func CreatePlan(ctx context.Context, d *db.DB, scope area.Node, who auth.AuditEntry, requestID int64, now time.Time) (int64, error) {
	// The trace reads every loaded statement: it runs before the
	// transaction, so the write lock is not held while it works. The
	// state it depends on (the freeze confirmed at that time, the case's
	// victims) is checked again inside.
	traced, tracedAt, err := tracedIntoFreeze(ctx, d, scope, requestID)
	if err != nil {
		return 0, err
	}
	var id int64
	err = d.InTx(ctx, func(tx *db.Tx) error {
		var caseID, frozen int64
		var status, account string
		var confirmed sql.NullInt64
		err := tx.QueryRow(ctx, `SELECT COALESCE(case_id, 0), status, account, result_fen, confirmed_at FROM partner_requests
			WHERE id = ? AND kind IN ('stop_payment', 'freeze')`, requestID).Scan(&caseID, &status, &account, &frozen, &confirmed)
		if errors.Is(err, sql.ErrNoRows) || caseID == 0 {
			return fmt.Errorf("freeze %d: %w", requestID, domain.ErrNotFound)
		}
		if err != nil {
			return err
		}
		c, err := funds.GetCase(ctx, tx, scope, caseID)
		if err != nil {
			return fmt.Errorf("freeze %d: %w", requestID, domain.ErrNotFound)
		}
		if status != "confirmed" {
			return domain.Conflict("只有已确认、仍在期限内的冻结可以制定返还方案（当前状态：%s）", status)
		}
		// What earlier plans of this freeze returned, and what is promised.
		var paidHere int64
		rows, err := tx.Query(ctx, `SELECT p.id, p.status, p.calc, COALESCE((SELECT SUM(amount_fen) FROM return_payments x WHERE x.plan_id = p.id), 0)
			FROM return_plans p WHERE p.request_id = ?`, requestID)
		if err != nil {
			return err
		}
		var open []int64
		for rows.Next() {
			var pid, paid int64
			var st, calc string
			if err := rows.Scan(&pid, &st, &calc, &paid); err != nil {
				rows.Close()
				return err
			}
			paidHere += paid
			if st == PlanExecuted {
				var rc Calc
				if err := json.Unmarshal([]byte(calc), &rc); err != nil {
					rows.Close()
					return err
				}
				if rc.ReturnedFen > paid {
					rows.Close()
					return domain.Conflict("方案 #%d 已执行但尚有 %s 未登记返还，请先登记返还", pid, yuan(rc.ReturnedFen-paid))
				}
			}
			if st == PlanDraft || st == PlanNotice {
				open = append(open, pid)
			}
		}
		rows.Close()
		returned, err := returnedToVictims(ctx, tx, caseID)
		if err != nil {
			return err
		}
		if !db.NullTime(confirmed).Equal(tracedAt) {
			return domain.Conflict("冻结刚刚发生变化，请重试")
		}
		claims := claimsFor(c, account, traced, returned)
		calc, err := Compute(frozen-paidHere, claims)
		if err != nil {
			return domain.Invalid("%v", err)
		}
		body, err := json.Marshal(calc)
		if err != nil {
			return err
		}
		err = tx.QueryRow(ctx, `INSERT INTO return_plans (case_id, request_id, account, frozen_fen, rule, notice_days, calc, status, created_by, created_at)
			VALUES (?,?,?,?,?,?,?,'draft',?,?) RETURNING id`, caseID, requestID, account, calc.FrozenFen, string(calc.Rule), calc.NoticeDays,
			string(body), nullID(who.UserID), db.Millis(now)).Scan(&id)
		if err != nil {
			return fmt.Errorf("create return plan: %w", err)
		}
		for _, old := range open {
			if _, err := tx.Exec(ctx, `UPDATE return_plans SET status = 'superseded', superseded_by = ? WHERE id = ?`, id, old); err != nil {
				return err
			}
			if err := auditPlan(ctx, tx, who, auth.AuditUpdate, old, now, fmt.Sprintf("superseded by plan %d", id)); err != nil {
				return err
			}
		}
		text := fmt.Sprintf("制定返还方案 #%d：账号 %s，可返还 %s，%s，%d 名被害人，返还 %s，余 %s 继续冻结", id, auth.MaskCard(account),
			yuan(calc.FrozenFen), calc.RuleName, len(calc.Shares), yuan(calc.ReturnedFen), yuan(calc.LeftFen))
		if len(open) > 0 {
			text += fmt.Sprintf("（取代方案 #%d）", open[0])
		}
		if err := funds.AddCaseEvent(ctx, tx, caseID, now, "return_plan", who.UserID, text); err != nil {
			return err
		}
		return auditPlan(ctx, tx, who, auth.AuditCreate, id, now, fmt.Sprintf("freeze %d rule %s pot %d", requestID, calc.Rule, calc.FrozenFen))
	})
	return id, err
}

// returnedToVictims sums the returns paid to each victim of a case.
func returnedToVictims(ctx context.Context, q db.Querier, caseID int64) (map[int64]int64, error) {
	rows, err := q.Query(ctx, `SELECT x.victim_id, SUM(x.amount_fen) FROM return_payments x JOIN return_plans p ON p.id = x.plan_id
		WHERE p.case_id = ? GROUP BY x.victim_id`, caseID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]int64{}
	for rows.Next() {
		var v, s int64
		if err := rows.Scan(&v, &s); err != nil {
			return nil, err
		}
		out[v] = s
	}
	return out, rows.Err()
}

// tracedIntoFreeze traces the case of a freeze (FIFO, balances at the
// bank's confirmation) and returns each victim's money still in the frozen
// account, and the confirmation time it used. A case without transfers, or
// a trace that cannot run, gives no traced amounts.
func tracedIntoFreeze(ctx context.Context, q db.Querier, scope area.Node, requestID int64) (map[int64]int64, time.Time, error) {
	var caseID int64
	var account string
	var confirmed sql.NullInt64
	err := q.QueryRow(ctx, `SELECT COALESCE(case_id, 0), account, confirmed_at FROM partner_requests WHERE id = ? AND kind IN ('stop_payment', 'freeze')`,
		requestID).Scan(&caseID, &account, &confirmed)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && caseID == 0) {
		return nil, time.Time{}, fmt.Errorf("freeze %d: %w", requestID, domain.ErrNotFound)
	}
	if err != nil {
		return nil, time.Time{}, err
	}
	c, err := funds.GetCase(ctx, q, scope, caseID)
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("freeze %d: %w", requestID, domain.ErrNotFound)
	}
	asOf := db.NullTime(confirmed)
	out := map[int64]int64{}
	if len(c.Transfers) == 0 {
		return out, asOf, nil
	}
	res, _, err := funds.TraceCaseFrom(ctx, q, c, trace.Options{Rule: trace.FIFO, AsOf: asOf})
	if err != nil {
		if errors.Is(err, trace.ErrInput) {
			return out, asOf, nil
		}
		return nil, asOf, fmt.Errorf("trace for freeze %d: %w", requestID, err)
	}
	for _, v := range c.Victims {
		if t := res.BalanceOf(account, v.ID); t > 0 {
			out[v.ID] = t
		}
	}
	return out, asOf, nil
}

// claimsFor builds the victims' claims on a frozen account (see
// CreatePlan) from the traced amounts. A victim's loss is reduced by
// what was already returned to them.
func claimsFor(c funds.Case, account string, traced, returned map[int64]int64) []Claim {
	remaining := func(v funds.Victim) int64 { return max(0, v.LossFen-returned[v.ID]) }
	var claims []Claim
	for _, v := range c.Victims {
		if t := traced[v.ID]; t > 0 && remaining(v) > 0 {
			claims = append(claims, Claim{VictimID: v.ID, Name: v.Name, LossFen: remaining(v), TracedFen: t, Traced: true})
		}
	}
	if len(claims) > 0 {
		return claims
	}
	direct := map[int64]bool{}
	for _, t := range c.Transfers {
		if t.ToAccount == account {
			direct[t.VictimID] = true
		}
	}
	for _, v := range c.Victims {
		if (len(direct) == 0 || direct[v.ID]) && remaining(v) > 0 {
			claims = append(claims, Claim{VictimID: v.ID, Name: v.Name, LossFen: remaining(v)})
		}
	}
	return claims
}

// PublishNotice starts the public notice of a draft plan at start (now when
// zero); it ends NoticeDays days later. Only a plan under the proportional
// rule has a notice (Art. 8): a plan without notice days is refused, never
// recorded as a notice of 0 days.
func PublishNotice(ctx context.Context, d *db.DB, scope area.Node, who auth.AuditEntry, id int64, start, now time.Time) error {
	if start.IsZero() {
		start = now
	}
	return d.InTx(ctx, func(tx *db.Tx) error {
		p, err := planInScope(ctx, tx, scope, id, now)
		if err != nil {
			return err
		}
		if p.Status != PlanDraft {
			return domain.Conflict("方案当前状态为「%s」，只有待公告的方案可以公告", p.StatusName)
		}
		if p.NoticeDays <= 0 {
			return domain.Conflict("本方案按「%s」返还，无需公告，可直接执行", p.RuleName)
		}
		ends := start.Add(time.Duration(p.NoticeDays) * 24 * time.Hour)
		if _, err := tx.Exec(ctx, `UPDATE return_plans SET status = 'notice', notice_starts_at = ?, notice_ends_at = ? WHERE id = ?`,
			db.Millis(start), db.Millis(ends), id); err != nil {
			return err
		}
		text := fmt.Sprintf("返还方案 #%d 公告：%s 至 %s（%d 日）", id, start.In(zone.Shanghai).Format("2006-01-02 15:04"),
			ends.In(zone.Shanghai).Format("2006-01-02 15:04"), p.NoticeDays)
		if err := funds.AddCaseEvent(ctx, tx, p.CaseID, now, "return_notice", who.UserID, text); err != nil {
			return err
		}
		return auditPlan(ctx, tx, who, auth.AuditUpdate, id, now, "notice "+start.Format(time.RFC3339)+" – "+ends.Format(time.RFC3339))
	})
}

// AddObjection records an objection to a plan not yet executed.
func AddObjection(ctx context.Context, d *db.DB, scope area.Node, who auth.AuditEntry, planID int64, objector, text string, now time.Time) (int64, error) {
	objector, text = strings.TrimSpace(objector), strings.TrimSpace(text)
	if objector == "" || text == "" {
		return 0, domain.Invalid("请填写异议人和异议内容")
	}
	var id int64
	err := d.InTx(ctx, func(tx *db.Tx) error {
		p, err := planInScope(ctx, tx, scope, planID, now)
		if err != nil {
			return err
		}
		if p.Status != PlanDraft && p.Status != PlanNotice {
			return domain.Conflict("方案当前状态为「%s」，不能再提出异议", p.StatusName)
		}
		if err := tx.QueryRow(ctx, `INSERT INTO return_objections (plan_id, at, objector, text, status, created_by) VALUES (?,?,?,?,'open',?) RETURNING id`,
			planID, db.Millis(now), objector, text, nullID(who.UserID)).Scan(&id); err != nil {
			return fmt.Errorf("record objection: %w", err)
		}
		if err := funds.AddCaseEvent(ctx, tx, p.CaseID, now, "return_objection", who.UserID, fmt.Sprintf("返还方案 #%d 收到异议 #%d（%s）：%s", planID, id, objector, text)); err != nil {
			return err
		}
		return auditPlan(ctx, tx, who, auth.AuditUpdate, planID, now, fmt.Sprintf("objection %d", id))
	})
	return id, err
}

// ResolveObjection closes an open objection with how it was resolved.
func ResolveObjection(ctx context.Context, d *db.DB, scope area.Node, who auth.AuditEntry, objectionID int64, resolution string, now time.Time) error {
	resolution = strings.TrimSpace(resolution)
	if resolution == "" {
		return domain.Invalid("请写明处理结果")
	}
	return d.InTx(ctx, func(tx *db.Tx) error {
		var planID int64
		var status string
		err := tx.QueryRow(ctx, `SELECT plan_id, status FROM return_objections WHERE id = ?`, objectionID).Scan(&planID, &status)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("objection %d: %w", objectionID, domain.ErrNotFound)
		}
		if err != nil {
			return err
		}
		p, err := planInScope(ctx, tx, scope, planID, now)
		if err != nil {
			return err
		}
		if status != "open" {
			return domain.Conflict("该异议已处理")
		}
		if _, err := tx.Exec(ctx, `UPDATE return_objections SET status = 'resolved', resolution = ?, resolved_at = ? WHERE id = ?`,
			resolution, db.Millis(now), objectionID); err != nil {
			return err
		}
		if err := funds.AddCaseEvent(ctx, tx, p.CaseID, now, "return_objection_resolved", who.UserID, fmt.Sprintf("异议 #%d 已处理：%s", objectionID, resolution)); err != nil {
			return err
		}
		return auditPlan(ctx, tx, who, auth.AuditUpdate, planID, now, fmt.Sprintf("objection %d resolved", objectionID))
	})
}

// ExecutePlan approves a plan for payment: the notice has ended (when one
// is required), no objection is open, and the money is still frozen.
func ExecutePlan(ctx context.Context, d *db.DB, scope area.Node, who auth.AuditEntry, id int64, now time.Time) error {
	return d.InTx(ctx, func(tx *db.Tx) error {
		p, err := planInScope(ctx, tx, scope, id, now)
		if err != nil {
			return err
		}
		if !p.Executable {
			return domain.Conflict("不能执行：%s", p.Blocker)
		}
		var status string
		if err := tx.QueryRow(ctx, `SELECT status FROM partner_requests WHERE id = ?`, p.RequestID).Scan(&status); err != nil {
			return err
		}
		if status != "confirmed" {
			return domain.Conflict("不能执行：冻结 #%d 已不在期限内", p.RequestID)
		}
		if _, err := tx.Exec(ctx, `UPDATE return_plans SET status = 'executed', executed_at = ? WHERE id = ?`, db.Millis(now), id); err != nil {
			return err
		}
		if err := funds.AddCaseEvent(ctx, tx, p.CaseID, now, "return_executed", who.UserID,
			fmt.Sprintf("返还方案 #%d 执行：返还 %s，%s 继续冻结", id, yuan(p.ReturnFen), yuan(p.LeftFen))); err != nil {
			return err
		}
		return auditPlan(ctx, tx, who, auth.AuditUpdate, id, now, "executed")
	})
}

// NewPayment is a return paid to a victim under an executed plan.
type NewPayment struct {
	VictimID  int64     `json:"victim_id"`
	AmountFen int64     `json:"amount_fen"`
	PaidAt    time.Time `json:"paid_at"`
	Reference string    `json:"reference"`
}

// RecordPayment records a return paid; the victim's payments under the
// plan never exceed the victim's share.
func RecordPayment(ctx context.Context, d *db.DB, scope area.Node, who auth.AuditEntry, planID int64, np NewPayment, now time.Time) (int64, error) {
	if np.AmountFen <= 0 {
		return 0, domain.Invalid("返还金额必须为正")
	}
	if np.PaidAt.IsZero() {
		np.PaidAt = now
	}
	var id int64
	err := d.InTx(ctx, func(tx *db.Tx) error {
		p, err := planInScope(ctx, tx, scope, planID, now)
		if err != nil {
			return err
		}
		if p.Status != PlanExecuted {
			return domain.Conflict("方案当前状态为「%s」，执行后才能登记返还", p.StatusName)
		}
		var line *Line
		for i := range p.Lines {
			if p.Lines[i].VictimID == np.VictimID {
				line = &p.Lines[i]
			}
		}
		if line == nil {
			return domain.Invalid("被害人 %d 不在方案 #%d 中", np.VictimID, planID)
		}
		if np.AmountFen > line.OutstandingFen {
			return domain.Conflict("%s 应返还 %s，已返还 %s，本次 %s 超出应返还额", line.Name, yuan(line.ShareFen), yuan(line.PaidFen), yuan(np.AmountFen))
		}
		if err := tx.QueryRow(ctx, `INSERT INTO return_payments (plan_id, victim_id, amount_fen, paid_at, reference, created_by, created_at)
			VALUES (?,?,?,?,?,?,?) RETURNING id`, planID, np.VictimID, np.AmountFen, db.Millis(np.PaidAt), strings.TrimSpace(np.Reference),
			nullID(who.UserID), db.Millis(now)).Scan(&id); err != nil {
			return fmt.Errorf("record payment: %w", err)
		}
		if err := funds.AddCaseEvent(ctx, tx, p.CaseID, now, "return_paid", who.UserID, fmt.Sprintf("返还方案 #%d 向 %s 返还 %s（%s，凭证 %s）", planID, line.Name,
			yuan(np.AmountFen), np.PaidAt.In(zone.Shanghai).Format("2006-01-02"), strings.TrimSpace(np.Reference))); err != nil {
			return err
		}
		return auditPlan(ctx, tx, who, auth.AuditUpdate, planID, now, fmt.Sprintf("payment %d victim %d %d fen", id, np.VictimID, np.AmountFen))
	})
	return id, err
}

// nullID stores a zero id (no user) as NULL.
func nullID(v int64) any {
	if v == 0 {
		return nil
	}
	return v
}
