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

// Partner intake: a bank submits a fund warning (资金预警) or a
// suspicious-transaction report (可疑交易报告), an operator a scam-number
// report (涉诈号码), straight into the warning intake — the same
// warning.Intake.Submit as every other door, so the same validation,
// idempotency on (source, source_ref), merging and routing. The unit's own
// number is kept per unit (the intake's source_ref is "<unit code>:<ref>",
// so two banks' numbers never collide), and the unit later sees what
// became of its report, without any officer-only data.

// Report kinds.
var reportKinds = map[string]struct {
	unitKind string
	name     string
}{
	"fund_warning":   {"bank", "资金预警"},
	"suspicious_txn": {"bank", "可疑交易报告"},
	"scam_number":    {"operator", "涉诈号码报告"},
}

// ReportKindName is the Chinese label of a report kind.
func ReportKindName(k string) string {
	if v, ok := reportKinds[k]; ok {
		return v.name
	}
	return k
}

// ReportInput is what a partner submits.
type ReportInput struct {
	Kind       string              `json:"kind"` // fund_warning | suspicious_txn (banks) | scam_number (operators)
	Ref        string              `json:"ref"`  // the unit's own number, unique per unit (resending is harmless)
	ReceivedAt time.Time           `json:"received_at,omitzero"`
	Person     warning.Person      `json:"person"` // the person at risk (the account holder, the number called)
	Scam       warning.ScamContact `json:"scam,omitzero"`
	AmountFen  int64               `json:"amount_fen,omitempty"`
	FraudType  string              `json:"fraud_type,omitempty"`
	Text       string              `json:"text,omitempty"`
}

// ReportReceipt answers a submission.
type ReportReceipt struct {
	ReportID int64  `json:"report_id"`
	Ref      string `json:"ref"`
	// Intake is "received" for a new report — whether the person was known
	// to fanzha or not, which a unit must not learn — or "duplicate" for a
	// ref the unit sent before.
	Intake string `json:"intake"`
}

// Report is a partner's view of one of its reports: its own fields and the
// state of the warning it became — no officer, station or other person.
type Report struct {
	ID          int64     `json:"id"`
	Kind        string    `json:"kind"`
	KindName    string    `json:"kind_name"`
	Ref         string    `json:"ref"`
	SubmittedAt time.Time `json:"submitted_at"`
	Status      string    `json:"status"` // received | handling | closed
	StatusName  string    `json:"status_name"`
	Result      string    `json:"result,omitempty"` // the outcome's label once closed
	ClosedAt    time.Time `json:"closed_at,omitzero"`
}

// Unit is a member unit.
type Unit struct {
	ID       int64  `json:"id"`
	ParentID int64  `json:"parent_id,omitempty"`
	Kind     string `json:"kind"`
	Code     string `json:"code"`
	Name     string `json:"name"`
	// AreaID is the area the unit serves (a bank's county branch: its
	// county); 0: bound to no area.
	AreaID int64 `json:"area_id,omitempty"`
}

// GetUnit returns a member unit.
func GetUnit(ctx context.Context, q db.Querier, id int64) (Unit, error) {
	var u Unit
	err := q.QueryRow(ctx, `SELECT id, COALESCE(parent_id, 0), kind, code, name, COALESCE(area_id, 0) FROM units WHERE id = ?`, id).Scan(&u.ID, &u.ParentID, &u.Kind, &u.Code, &u.Name, &u.AreaID)
	if errors.Is(err, sql.ErrNoRows) {
		return u, fmt.Errorf("unit %d: %w", id, domain.ErrNotFound)
	}
	return u, err
}

// ReportReceived is the intake answer of a new report.
const ReportReceived = "received"

// SubmitReport runs a partner's report through the warning intake and
// records it for the unit. Resending the same ref is answered "duplicate"
// and changes nothing.
func SubmitReport(ctx context.Context, d *db.DB, in *warning.Intake, unitID, userID int64, who auth.AuditEntry, r ReportInput, now time.Time) (ReportReceipt, error) {
	u, err := GetUnit(ctx, d, unitID)
	if err != nil {
		return ReportReceipt{}, err
	}
	k, ok := reportKinds[r.Kind]
	if !ok {
		return ReportReceipt{}, domain.Invalid("报告类型 %q 无效（fund_warning 资金预警 / suspicious_txn 可疑交易报告 / scam_number 涉诈号码报告）", r.Kind)
	}
	if k.unitKind != u.Kind {
		return ReportReceipt{}, domain.Invalid("%s只能由%s报送", k.name, UnitKindName(k.unitKind))
	}
	r.Ref = strings.TrimSpace(r.Ref)
	if r.Ref == "" || len(r.Ref) > 100 {
		return ReportReceipt{}, domain.Invalid("请填写本单位的报告编号 ref（不超过 100 个字符）")
	}
	if r.Kind == "scam_number" && strings.TrimSpace(r.Scam.Phone) == "" {
		return ReportReceipt{}, domain.Invalid("涉诈号码报告须填写 scam.phone")
	}
	input := warning.Input{SourceRef: u.Code + ":" + r.Ref, ReceivedAt: r.ReceivedAt, Person: r.Person, Scam: r.Scam,
		AmountFen: r.AmountFen, FraudType: r.FraudType, Text: r.Text}
	switch r.Kind {
	case "fund_warning":
		input.Source, input.Grade = warning.SourceBank, warning.GradeFund
	case "suspicious_txn":
		input.Source, input.Grade = warning.SourceBank, warning.GradeHigh
	case "scam_number":
		input.Source, input.Grade = warning.SourceOperator, warning.GradeHigh
	}
	if input.ReceivedAt.IsZero() {
		input.ReceivedAt = now
	}
	audit := who
	audit.Action, audit.ObjectType, audit.ObjectID, audit.At = auth.AuditCreate, "partner_report", u.Code+":"+r.Ref, now
	res, err := in.Submit(ctx, []warning.Input{input}, warning.SubmitOptions{AllOrNothing: true, Door: "api", UserID: userID, Audit: &audit})
	if err != nil {
		return ReportReceipt{}, err
	}
	it := res.Items[0]
	if it.Status == warning.ItemRejected {
		return ReportReceipt{}, domain.Invalid("%s", it.Error)
	}
	// The warning is stored; record the report (once — a resend or a
	// retry after a crash between the two finds it or adds it now).
	if _, err := d.Exec(ctx, `INSERT INTO partner_reports (unit_id, kind, ref, warning_id, user_id, created_at) VALUES (?,?,?,?,?,?)
		ON CONFLICT (unit_id, ref) DO NOTHING`, unitID, r.Kind, r.Ref, nullable(it.ID), nullable(userID), db.Millis(now)); err != nil {
		return ReportReceipt{}, fmt.Errorf("record report: %w", err)
	}
	rc := ReportReceipt{Ref: r.Ref, Intake: ReportReceived}
	if it.Status == warning.ItemDuplicate {
		rc.Intake = warning.ItemDuplicate
	}
	if err := d.QueryRow(ctx, `SELECT id FROM partner_reports WHERE unit_id = ? AND ref = ?`, unitID, r.Ref).Scan(&rc.ReportID); err != nil {
		return rc, err
	}
	return rc, nil
}

// Reports lists a unit's own reports, newest first, with the state of the
// warning each became (the open primary warning when it was merged).
func Reports(ctx context.Context, q db.Querier, unitID int64, limit int) ([]Report, error) {
	// A report merged into the person's open warning follows that warning,
	// but only from the report's own time on: a contact made before it
	// would show "handling" at once and tell the unit the person was
	// already under a warning.
	rows, err := q.Query(ctx, `SELECT p.id, p.kind, p.ref, p.created_at, COALESCE(m.status, w.status, ''), COALESCE(m.outcome, w.outcome, ''),
		COALESCE(m.outcome_at, w.outcome_at), CASE WHEN COALESCE(m.last_contact_at, w.last_contact_at, w.first_contact_at) >= p.created_at
			THEN COALESCE(m.last_contact_at, w.last_contact_at, w.first_contact_at) END
		FROM partner_reports p LEFT JOIN warnings w ON w.id = p.warning_id LEFT JOIN warnings m ON m.id = w.merged_into
		WHERE p.unit_id = ? ORDER BY p.id DESC LIMIT `+strconv.Itoa(limit), unitID)
	if err != nil {
		return nil, fmt.Errorf("reports of unit %d: %w", unitID, err)
	}
	defer rows.Close()
	out := []Report{}
	for rows.Next() {
		var r Report
		var created int64
		var status, outcome string
		var outcomeAt, contact sql.NullInt64
		if err := rows.Scan(&r.ID, &r.Kind, &r.Ref, &created, &status, &outcome, &outcomeAt, &contact); err != nil {
			return nil, err
		}
		r.KindName, r.SubmittedAt = ReportKindName(r.Kind), db.Time(created)
		switch {
		case status == "closed" || outcome != "":
			r.Status, r.StatusName = "closed", "已办结"
			r.Result, r.ClosedAt = warning.OutcomeName(warning.Outcome(outcome)), db.NullTime(outcomeAt)
		case contact.Valid:
			r.Status, r.StatusName = "handling", "处置中"
		default:
			r.Status, r.StatusName = "received", "已受理"
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
