package warning

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
	"github.com/fanzha/fanzha/internal/money"
	"github.com/fanzha/fanzha/internal/zone"
)

// Actor is the officer changing a warning: who (for the timeline and the
// audit log) and where they may act (their jurisdiction).
type Actor struct {
	UserID int64
	Scope  area.Node
	Audit  auth.AuditEntry // who/where for the audit log; action and object are filled here
}

// Contact methods and results.
var (
	contactMethods = map[string]string{"call": "电话", "sms": "短信", "visit": "上门", "bank_counter": "银行网点", "family": "联系家属", "other": "其他"}
	contactResults = map[string]string{"reached": "已联系上", "no_answer": "无人接听", "refused": "拒绝沟通", "wrong_number": "号码错误",
		"at_risk": "仍有被骗风险", "safe": "已确认安全"}
)

// ContactMethodName and ContactResultName give the Chinese labels.
func ContactMethodName(m string) string { return labelOr(contactMethods, m) }

// ContactResultName gives the Chinese label of a contact result.
func ContactResultName(r string) string { return labelOr(contactResults, r) }

func labelOr(m map[string]string, k string) string {
	if v, ok := m[k]; ok {
		return v
	}
	return k
}

// ContactInput is one attempt to reach the person at risk.
type ContactInput struct {
	Method string    `json:"method"`
	Result string    `json:"result"`
	Note   string    `json:"note"`
	At     time.Time `json:"at,omitzero"` // defaults to now
}

// loadForChange reads the fields a change needs, inside tx, refusing a
// warning outside the actor's jurisdiction (not found) or not open.
func loadForChange(ctx context.Context, tx *db.Tx, a Actor, id int64) (status string, grade Grade, onsiteDue sql.NullInt64, err error) {
	cond, arg := scopeClause("", a.Scope)
	err = tx.QueryRow(ctx, `SELECT status, grade, onsite_due_at FROM warnings WHERE id = ? AND `+cond, id, arg).Scan(&status, &grade, &onsiteDue)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", onsiteDue, fmt.Errorf("warning %d: %w", id, domain.ErrNotFound)
	}
	if err != nil {
		return "", "", onsiteDue, fmt.Errorf("warning %d: %w", id, err)
	}
	if status == "merged" {
		return "", "", onsiteDue, domain.Conflict("该预警已并入另一条预警，请在主预警上操作")
	}
	if status != "open" {
		return "", "", onsiteDue, domain.Conflict("该预警已办结")
	}
	return status, grade, onsiteDue, nil
}

// AddEvent writes a line of a warning's timeline (also for the partner
// requests about the warning, which report their answers on it).
func AddEvent(ctx context.Context, q db.Querier, id int64, at time.Time, kind string, userID int64, detail string) error {
	_, err := q.Exec(ctx, `INSERT INTO warning_events (warning_id, at, kind, user_id, detail) VALUES (?,?,?,?,?)`,
		id, db.Millis(at), kind, nullable(userID), detail)
	if err != nil {
		return fmt.Errorf("timeline event: %w", err)
	}
	return nil
}

func auditChange(ctx context.Context, q db.Querier, a Actor, at time.Time, id int64, detail string) error {
	e := a.Audit.With(auth.AuditUpdate, "warning", strconv.FormatInt(id, 10))
	e.At, e.Detail = at, detail
	return auth.Audit(ctx, q, e)
}

// RecordContact stores a contact attempt. The first-contact deadline is met
// by it; an unreachable or still-at-risk person of a fund or high-risk
// warning starts the on-site check deadline.
func RecordContact(ctx context.Context, d *db.DB, p Policy, a Actor, id int64, c ContactInput, now time.Time) error {
	if _, ok := contactMethods[c.Method]; !ok {
		return domain.Invalid("联系方式 %q 无效（call/sms/visit/bank_counter/family/other）", c.Method)
	}
	if _, ok := contactResults[c.Result]; !ok {
		return domain.Invalid("联系结果 %q 无效（reached/no_answer/refused/wrong_number/at_risk/safe）", c.Result)
	}
	if c.At.IsZero() {
		c.At = now
	}
	if c.At.After(now.Add(5 * time.Minute)) {
		return domain.Invalid("联系时间不能晚于当前时间")
	}
	return d.InTx(ctx, func(tx *db.Tx) error {
		_, grade, onsiteDue, err := loadForChange(ctx, tx, a, id)
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `INSERT INTO contacts (warning_id, at, user_id, method, result, note, created_at) VALUES (?,?,?,?,?,?,?)`,
			id, db.Millis(c.At), nullable(a.UserID), c.Method, c.Result, strings.TrimSpace(c.Note), db.Millis(now))
		if err != nil {
			return fmt.Errorf("record contact: %w", err)
		}
		set := `last_contact_at = CASE WHEN last_contact_at IS NULL OR last_contact_at < ? THEN ? ELSE last_contact_at END,
			first_contact_at = COALESCE(first_contact_at, ?), updated_at = ?`
		args := []any{db.Millis(c.At), db.Millis(c.At), db.Millis(c.At), db.Millis(now)}
		unreachable := c.Result == "no_answer" || c.Result == "wrong_number" || c.Result == "refused"
		if (unreachable || c.Result == "at_risk") && p.NeedsOnsite(grade) && !onsiteDue.Valid && c.Method != "visit" {
			set += `, onsite_due_at = ?`
			args = append(args, db.Millis(c.At.Add(p.OnsiteWithin)))
		}
		if c.Method == "visit" {
			set += `, onsite_at = COALESCE(onsite_at, ?)`
			args = append(args, db.Millis(c.At))
		}
		args = append(args, id)
		if _, err := tx.Exec(ctx, `UPDATE warnings SET `+set+` WHERE id = ?`, args...); err != nil {
			return fmt.Errorf("record contact: %w", err)
		}
		detail := ContactMethodName(c.Method) + "：" + ContactResultName(c.Result)
		if c.Note != "" {
			detail += "（" + strings.TrimSpace(c.Note) + "）"
		}
		if err := AddEvent(ctx, tx, id, c.At, "contact", a.UserID, detail); err != nil {
			return err
		}
		return auditChange(ctx, tx, a, now, id, "contact "+c.Method+" "+c.Result)
	})
}

// OutcomeInput closes a warning (or, for 无法联系 on a fund or high-risk
// warning, sends it to an on-site check).
type OutcomeInput struct {
	Outcome Outcome `json:"outcome"`
	KeptFen int64   `json:"kept_fen"` // money kept from loss (避免损失)
	Note    string  `json:"note"`
	// For 已被骗: the loss and where the money went, when known; the case
	// opens with the warning's data either way.
	LossFen   int64  `json:"loss_fen"`
	ToAccount string `json:"to_account"`
	ToBank    string `json:"to_bank"`
}

// OutcomeResult tells what the outcome did.
type OutcomeResult struct {
	Status string `json:"status"` // closed | open (sent to on-site check)
	CaseID int64  `json:"case_id,omitempty"`
	CaseNo string `json:"case_no,omitempty"`
}

// SetOutcome records how a warning ended. 已被骗 opens a case with the
// warning's data; 无法联系 on a fund or high-risk warning keeps it open with
// an on-site check deadline, otherwise it closes.
func SetOutcome(ctx context.Context, d *db.DB, p Policy, a Actor, id int64, o OutcomeInput, now time.Time) (OutcomeResult, error) {
	switch o.Outcome {
	case OutcomeDissuaded, OutcomeDefrauded, OutcomeUnreachable, OutcomeFalseAlarm:
	default:
		return OutcomeResult{}, domain.Invalid("结果 %q 无效（dissuaded/defrauded/unreachable/false_alarm）", o.Outcome)
	}
	if o.KeptFen < 0 || o.LossFen < 0 {
		return OutcomeResult{}, domain.Invalid("金额不能为负数")
	}
	if o.KeptFen > 0 && o.Outcome != OutcomeDissuaded {
		return OutcomeResult{}, domain.Invalid("只有劝阻成功才有避免损失金额")
	}
	var res OutcomeResult
	err := d.InTx(ctx, func(tx *db.Tx) error {
		_, grade, onsiteDue, err := loadForChange(ctx, tx, a, id)
		if err != nil {
			return err
		}
		ms := db.Millis(now)
		if o.Outcome == OutcomeUnreachable && p.NeedsOnsite(grade) {
			due := onsiteDue
			if !due.Valid {
				due = sql.NullInt64{Int64: db.Millis(now.Add(p.OnsiteWithin)), Valid: true}
			}
			if _, err := tx.Exec(ctx, `UPDATE warnings SET outcome = 'unreachable', onsite_due_at = ?, updated_at = ? WHERE id = ?`,
				due.Int64, ms, id); err != nil {
				return fmt.Errorf("set outcome: %w", err)
			}
			res.Status = "open"
			detail := fmt.Sprintf("无法联系，转落地核查（限 %s 前）", db.Time(due.Int64).In(zone.Shanghai).Format("01-02 15:04"))
			if err := AddEvent(ctx, tx, id, now, "outcome", a.UserID, withNote(detail, o.Note)); err != nil {
				return err
			}
			return auditChange(ctx, tx, a, now, id, "outcome unreachable -> onsite")
		}
		if o.Outcome == OutcomeDefrauded {
			caseID, caseNo, err := openCaseFromWarning(ctx, tx, id, o, now)
			if err != nil {
				return err
			}
			res.CaseID, res.CaseNo = caseID, caseNo
		}
		if _, err := tx.Exec(ctx, `UPDATE warnings SET status = 'closed', outcome = ?, outcome_at = ?, kept_fen = ?,
			case_id = ?, updated_at = ? WHERE id = ?`, o.Outcome, ms, o.KeptFen, nullable(res.CaseID), ms, id); err != nil {
			return fmt.Errorf("set outcome: %w", err)
		}
		// The warnings merged into this one end with it.
		if _, err := tx.Exec(ctx, `UPDATE warnings SET outcome = ?, outcome_at = ?, updated_at = ? WHERE merged_into = ?`,
			o.Outcome, ms, ms, id); err != nil {
			return fmt.Errorf("close merged warnings: %w", err)
		}
		res.Status = "closed"
		detail := OutcomeName(o.Outcome)
		if o.KeptFen > 0 {
			detail += fmt.Sprintf("，避免损失 %s 元", money.FormatYuan(o.KeptFen))
		}
		if res.CaseID != 0 {
			detail += "，已立案 " + res.CaseNo
		}
		if err := AddEvent(ctx, tx, id, now, "outcome", a.UserID, withNote(detail, o.Note)); err != nil {
			return err
		}
		return auditChange(ctx, tx, a, now, id, "outcome "+string(o.Outcome))
	})
	return res, err
}

func withNote(s, note string) string {
	if strings.TrimSpace(note) == "" {
		return s
	}
	return s + "（" + strings.TrimSpace(note) + "）"
}

// openCaseFromWarning opens a case carrying the warning's person, fraud
// type and place.
func openCaseFromWarning(ctx context.Context, tx *db.Tx, id int64, o OutcomeInput, now time.Time) (int64, string, error) {
	var w struct {
		areaID, stationID, amount         int64
		name, phone, idn, birth, sex, adr string
		fraudType, text, scamAccount      string
	}
	err := tx.QueryRow(ctx, `SELECT area_id, COALESCE(station_id, 0), amount_fen, person_name, person_phone, person_id_number,
		person_birth, person_sex, person_address, fraud_type, text, scam_account FROM warnings WHERE id = ?`, id).
		Scan(&w.areaID, &w.stationID, &w.amount, &w.name, &w.phone, &w.idn, &w.birth, &w.sex, &w.adr, &w.fraudType, &w.text, &w.scamAccount)
	if err != nil {
		return 0, "", fmt.Errorf("read warning for case: %w", err)
	}
	loss := o.LossFen
	if loss == 0 {
		loss = w.amount
	}
	v := funds.NewVictim{Name: w.name, Sex: w.sex, BirthDate: w.birth, IDNumber: w.idn, Phone: w.phone, Address: w.adr,
		AreaID: w.areaID, LossFen: loss}
	if v.Name == "" {
		v.Name = "（预警当事人）"
	}
	to := o.ToAccount
	if to == "" {
		to = w.scamAccount
	}
	if to != "" && loss > 0 {
		v.Transfers = []funds.NewTransfer{{At: now, ToAccount: to, ToBank: o.ToBank, AmountFen: loss, Channel: "bank_transfer"}}
	}
	summary := fmt.Sprintf("由预警 #%d 转立：当事人已被骗。%s", id, strings.TrimSpace(w.text))
	return funds.CreateCase(ctx, tx, funds.NewCase{AreaID: w.areaID, StationID: w.stationID, FraudType: w.fraudType,
		ReportedAt: now, Summary: summary, WarningID: id, Victims: []funds.NewVictim{v}}, now)
}

// HandoverInput moves a warning to another officer or back to the centre.
type HandoverInput struct {
	ToUserID int64  `json:"to_user_id"` // 0: back to the centre's queue
	Reason   string `json:"reason"`
}

// Handover hands a warning over to another dissuader or back to the centre,
// with a reason (交回 / 转交).
func Handover(ctx context.Context, d *db.DB, a Actor, id int64, h HandoverInput, now time.Time) error {
	if strings.TrimSpace(h.Reason) == "" {
		return domain.Invalid("请填写交回或转交的原因")
	}
	return d.InTx(ctx, func(tx *db.Tx) error {
		if _, _, _, err := loadForChange(ctx, tx, a, id); err != nil {
			return err
		}
		var detail string
		if h.ToUserID == 0 {
			// Back to the centre's queue: no station, no officer; the
			// person's place (area_id) stays.
			if _, err := tx.Exec(ctx, `UPDATE warnings SET assignee_id = NULL, station_id = NULL, taken_at = NULL, handed_reason = ?, updated_at = ? WHERE id = ?`,
				h.Reason, db.Millis(now), id); err != nil {
				return fmt.Errorf("handover: %w", err)
			}
			detail = "交回中心：" + h.Reason
		} else {
			u, err := auth.GetUser(ctx, tx, h.ToUserID)
			if err != nil {
				return fmt.Errorf("handover: %w", err)
			}
			n, err := area.Get(ctx, tx, u.AreaID)
			if err != nil {
				return err
			}
			if !u.Role.Can(auth.CapWarningWrite) || u.Disabled {
				return domain.Invalid("%s 不能处理预警", u.DisplayName)
			}
			// The handling station becomes the new officer's when it was
			// the centre's queue or another station. The person's place
			// (area_id, and the routing note that explains it) never
			// changes by handover.
			var curStation int64
			var place string
			if err := tx.QueryRow(ctx, `SELECT COALESCE(w.station_id, 0), a.full_name FROM warnings w JOIN areas a ON a.id = w.area_id WHERE w.id = ?`,
				id).Scan(&curStation, &place); err != nil {
				return fmt.Errorf("handover: %w", err)
			}
			newStation := curStation
			if n.StationID != 0 && n.StationID != curStation {
				newStation = n.StationID
			}
			if _, err := tx.Exec(ctx, `UPDATE warnings SET assignee_id = ?, station_id = ?, taken_at = NULL, handed_reason = ?, updated_at = ? WHERE id = ?`,
				u.ID, nullable(newStation), h.Reason, db.Millis(now), id); err != nil {
				return fmt.Errorf("handover: %w", err)
			}
			detail = "转交 " + u.DisplayName + "：" + h.Reason
			if newStation != curStation {
				st, err := area.Get(ctx, tx, newStation)
				if err != nil {
					return err
				}
				detail = "转交 " + st.Name + " " + u.DisplayName + "（当事人属地仍为 " + place + "）：" + h.Reason
			}
		}
		if err := AddEvent(ctx, tx, id, now, "handover", a.UserID, detail); err != nil {
			return err
		}
		return auditChange(ctx, tx, a, now, id, detail)
	})
}

// EmergencyInput asks a bank or operator to suspend the person's card or
// number (紧急止付/停机).
type EmergencyInput struct {
	Kind    string `json:"kind"` // suspend_card | suspend_number
	UnitID  int64  `json:"unit_id"`
	Account string `json:"account"`
	Phone   string `json:"phone"`
	Reason  string `json:"reason"`
}

// EmergencyDue is how long a bank or operator has to act on an emergency
// suspension.
const EmergencyDue = 30 * time.Minute

// RequestEmergency creates a tracked request to a partner unit.
func RequestEmergency(ctx context.Context, d *db.DB, a Actor, id int64, e EmergencyInput, now time.Time) (int64, error) {
	if e.Kind != "suspend_card" && e.Kind != "suspend_number" {
		return 0, domain.Invalid("措施 %q 无效（suspend_card 紧急止付 / suspend_number 紧急停机）", e.Kind)
	}
	if e.Kind == "suspend_card" && strings.TrimSpace(e.Account) == "" {
		return 0, domain.Invalid("请填写要止付的银行卡号")
	}
	if e.Kind == "suspend_number" && strings.TrimSpace(e.Phone) == "" {
		return 0, domain.Invalid("请填写要停机的号码")
	}
	var reqID int64
	err := d.InTx(ctx, func(tx *db.Tx) error {
		if _, _, _, err := loadForChange(ctx, tx, a, id); err != nil {
			return err
		}
		var unitKind, unitName string
		var unitRetired sql.NullInt64
		if err := tx.QueryRow(ctx, `SELECT kind, name, retired_at FROM units WHERE id = ?`, e.UnitID).Scan(&unitKind, &unitName, &unitRetired); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return domain.Invalid("成员单位 %d 不存在", e.UnitID)
			}
			return err
		}
		if unitRetired.Valid {
			return domain.Conflict("成员单位“%s”已停用，不能再向其发送请求", unitName)
		}
		err := tx.QueryRow(ctx, `INSERT INTO partner_requests (kind, unit_id, warning_id, account, phone, reason, status, due_at, created_by, created_at)
			VALUES (?,?,?,?,?,?,'sent',?,?,?) RETURNING id`, e.Kind, e.UnitID, id, strings.TrimSpace(e.Account), strings.TrimSpace(e.Phone),
			e.Reason, db.Millis(now.Add(EmergencyDue)), nullable(a.UserID), db.Millis(now)).Scan(&reqID)
		if err != nil {
			return fmt.Errorf("emergency request: %w", err)
		}
		what := "紧急止付银行卡 " + auth.MaskCard(e.Account)
		if e.Kind == "suspend_number" {
			what = "紧急停机 " + auth.MaskPhone(e.Phone)
		}
		if err := AddEvent(ctx, tx, id, now, "emergency", a.UserID, fmt.Sprintf("向%s申请%s（请求 #%d）", unitName, what, reqID)); err != nil {
			return err
		}
		return auditChange(ctx, tx, a, now, id, "emergency "+e.Kind)
	})
	return reqID, err
}
