// Package consult is the log of 96110 calls and walk-in visits: the
// consultations and tips that do not (yet) name a person at risk, kept in
// the caller's jurisdiction, and their conversion to a warning through the
// one intake path when a person at risk appears.
package consult

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
	"github.com/fanzha/fanzha/internal/intel"
	"github.com/fanzha/fanzha/internal/warning"
	"github.com/fanzha/fanzha/internal/zone"
)

var channels = map[string]string{"hotline": "96110", "walkin": "来访", "online": "网上", "other": "其他"}
var kinds = map[string]string{"consult": "咨询", "tip": "线索"}
var statuses = map[string]string{"open": "待处理", "converted": "已转预警", "lead": "已转断卡线索", "closed": "已办结"}

// StatusName is the Chinese label of a consultation's status.
func StatusName(s string) string { return label(statuses, s) }

// ChannelName and KindName give the Chinese labels.
func ChannelName(c string) string { return label(channels, c) }

// KindName is the Chinese label of a consultation kind.
func KindName(k string) string { return label(kinds, k) }

func label(m map[string]string, k string) string {
	if v, ok := m[k]; ok {
		return v
	}
	return k
}

// Input is one consultation as the officer types it.
type Input struct {
	At          time.Time `json:"at,omitzero"` // default now
	Channel     string    `json:"channel"`
	Kind        string    `json:"kind"`
	CallerName  string    `json:"caller_name"`
	CallerPhone string    `json:"caller_phone"`
	AreaID      int64     `json:"area_id"` // where it happened; default the officer's node
	Summary     string    `json:"summary"`
	FraudType   string    `json:"fraud_type"`
	ScamPhone   string    `json:"scam_phone"`
	ScamAccount string    `json:"scam_account"`
	AmountFen   int64     `json:"amount_fen"`
}

// Consultation is one logged consultation.
type Consultation struct {
	ID        int64  `json:"id"`
	Input            // as typed
	AreaName  string `json:"area_name"`
	Status    string `json:"status"`
	WarningID int64  `json:"warning_id,omitempty"`
	UserID    int64  `json:"user_id,omitempty"`
	// LeadAt is when the tip became a 断卡 lead (ConvertToCardLead).
	LeadAt time.Time `json:"lead_at,omitzero"`
}

// Masked masks the caller's phone and the scam account.
func (c Consultation) Masked(m auth.Masker) Consultation {
	c.CallerPhone = m.Phone(c.CallerPhone)
	c.ScamAccount = m.Card(c.ScamAccount)
	c.Summary = m.Text(c.Summary)
	return c
}

// Log stores a consultation in the caller's jurisdiction.
func Log(ctx context.Context, d *db.DB, scope area.Node, who auth.AuditEntry, in Input, now time.Time) (int64, error) {
	if _, ok := channels[in.Channel]; !ok {
		return 0, domain.Invalid("来源渠道 %q 无效（hotline/walkin/online/other）", in.Channel)
	}
	if _, ok := kinds[in.Kind]; !ok {
		return 0, domain.Invalid("类别 %q 无效（consult/tip）", in.Kind)
	}
	in.Summary = strings.TrimSpace(in.Summary)
	if in.Summary == "" {
		return 0, domain.Invalid("请填写咨询或线索的内容")
	}
	if in.AmountFen < 0 {
		return 0, domain.Invalid("金额不能为负数")
	}
	if in.At.IsZero() {
		in.At = now
	}
	if in.AreaID == 0 {
		in.AreaID = scope.ID
	}
	if _, err := area.GetUnder(ctx, d, scope, in.AreaID); err != nil {
		return 0, err
	}
	var id int64
	err := d.InTx(ctx, func(tx *db.Tx) error {
		err := tx.QueryRow(ctx, `INSERT INTO consultations (at, channel, kind, caller_name, caller_phone, area_id, summary, fraud_type,
			scam_phone, scam_account, amount_fen, user_id, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?) RETURNING id`,
			db.Millis(in.At), in.Channel, in.Kind, strings.TrimSpace(in.CallerName), strings.TrimSpace(in.CallerPhone), in.AreaID, in.Summary,
			in.FraudType, strings.TrimSpace(in.ScamPhone), strings.TrimSpace(in.ScamAccount), in.AmountFen, who.UserID, db.Millis(now), db.Millis(now)).Scan(&id)
		if err != nil {
			return fmt.Errorf("log consultation: %w", err)
		}
		e := who.With(auth.AuditCreate, "consultation", strconv.FormatInt(id, 10))
		e.At = now
		return auth.Audit(ctx, tx, e)
	})
	return id, err
}

const selectConsultation = `SELECT c.id, c.at, c.channel, c.kind, c.caller_name, c.caller_phone, c.area_id, COALESCE(a.name, ''), c.summary,
	c.fraud_type, c.scam_phone, c.scam_account, c.amount_fen, c.status, COALESCE(c.warning_id, 0), COALESCE(c.user_id, 0), c.lead_at
	FROM consultations c LEFT JOIN areas a ON a.id = c.area_id`

func scan(sc interface{ Scan(...any) error }) (Consultation, error) {
	var c Consultation
	var at int64
	var lead sql.NullInt64
	err := sc.Scan(&c.ID, &at, &c.Channel, &c.Kind, &c.CallerName, &c.CallerPhone, &c.AreaID, &c.AreaName, &c.Summary,
		&c.FraudType, &c.ScamPhone, &c.ScamAccount, &c.AmountFen, &c.Status, &c.WarningID, &c.UserID, &lead)
	c.At = db.Time(at)
	if lead.Valid {
		c.LeadAt = db.Time(lead.Int64)
	}
	return c, err
}

// List gives the consultations in scope logged in [from, to), newest
// first; status filters when not empty.
func List(ctx context.Context, q db.Querier, scope area.Node, from, to time.Time, status string) ([]Consultation, error) {
	cond, arg := area.UnderClause("c.area_id", scope)
	args := []any{db.Millis(from), db.Millis(to), arg}
	where := `c.at >= ? AND c.at < ? AND ` + cond
	if status != "" {
		where += ` AND c.status = ?`
		args = append(args, status)
	}
	rows, err := q.Query(ctx, selectConsultation+` WHERE `+where+` ORDER BY c.at DESC, c.id DESC LIMIT 1000`, args...)
	if err != nil {
		return nil, fmt.Errorf("consultations: %w", err)
	}
	defer rows.Close()
	var out []Consultation
	for rows.Next() {
		c, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// Get reads one consultation in scope.
func Get(ctx context.Context, q db.Querier, scope area.Node, id int64) (Consultation, error) {
	cond, arg := area.UnderClause("c.area_id", scope)
	c, err := scan(q.QueryRow(ctx, selectConsultation+` WHERE c.id = ? AND `+cond, id, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return c, fmt.Errorf("consultation %d: %w", id, domain.ErrNotFound)
	}
	return c, err
}

// Convert turns an open consultation into a warning about the person at
// risk it names now, through the one intake path (source 96110 or 来访,
// reference ZX-<id>, so converting twice finds the same warning), and
// marks it converted with the warning's id.
func Convert(ctx context.Context, d *db.DB, in *warning.Intake, scope area.Node, who auth.AuditEntry, id int64, person warning.Person, grade warning.Grade, now time.Time) (int64, error) {
	c, err := Get(ctx, d, scope, id)
	if err != nil {
		return 0, err
	}
	if c.Status == "converted" {
		return c.WarningID, domain.Conflict("该记录已转为预警 #%d", c.WarningID)
	}
	if c.Status != "open" && c.Status != "lead" {
		return 0, domain.Conflict("该记录已办结，不能再转为预警")
	}
	if person.Phone == "" && person.IDNumber == "" {
		return 0, domain.Invalid("转为预警须填写当事人的手机号或身份证号")
	}
	src := warning.SourceHotline
	if c.Channel != "hotline" {
		src = warning.SourceWalkIn
	}
	if person.Address == "" {
		person.Address = c.AreaName
	}
	res, err := in.Submit(ctx, []warning.Input{{Source: src, SourceRef: "ZX-" + strconv.FormatInt(id, 10), ReceivedAt: now, Grade: grade,
		Person: person, FraudType: c.FraudType, Scam: warning.ScamContact{Phone: c.ScamPhone, Account: c.ScamAccount},
		AmountFen: c.AmountFen, Text: ChannelName(c.Channel) + KindName(c.Kind) + "：" + c.Summary}},
		warning.SubmitOptions{Door: "api", UserID: who.UserID, AllOrNothing: true})
	if err != nil {
		return 0, err
	}
	if len(res.Items) != 1 || res.Items[0].ID == 0 {
		reason := ""
		if len(res.Items) == 1 {
			reason = res.Items[0].Error
		}
		return 0, domain.Invalid("转为预警未成功：%s", reason)
	}
	wid := res.Items[0].ID
	err = d.InTx(ctx, func(tx *db.Tx) error {
		r, err := tx.Exec(ctx, `UPDATE consultations SET status = 'converted', warning_id = ?, updated_at = ? WHERE id = ? AND status IN ('open', 'lead')`,
			wid, db.Millis(now), id)
		if err != nil {
			return fmt.Errorf("convert consultation %d: %w", id, err)
		}
		if n, _ := r.RowsAffected(); n != 1 {
			return domain.Conflict("该记录已被他人处理")
		}
		e := who.With(auth.AuditUpdate, "consultation", strconv.FormatInt(id, 10))
		e.At, e.Detail = now, "converted to warning "+strconv.FormatInt(wid, 10)
		return auth.Audit(ctx, tx, e)
	})
	return wid, err
}

// CardLead is what converting a tip into a 断卡 lead labelled: the scam
// account and phone number it named (” when it named none).
type CardLead struct {
	ConsultationID int64  `json:"consultation_id"`
	Account        string `json:"account,omitempty"`
	Phone          string `json:"phone,omitempty"`
}

// Masked is the lead as a caller without unmask sees it: the account
// masked as in the consultation list (Consultation.Masked).
func (l CardLead) Masked(m auth.Masker) CardLead {
	l.Account = m.Card(l.Account)
	return l
}

// ConvertToCardLead turns a tip that names a scam account or phone number
// into a 断卡 lead: fanzha has no separate card-lead record, so the lead is
// 两卡研判's own — each number is labelled a mule (intel.SetLabel, label
// mule, the tip's reference ZX-<id> and text in the note), which puts it on
// the analysts' watch list and into the outlets and scores. A tip gives its
// lead once; an open one is then 已转断卡线索 (it may still become a
// warning), one already converted to a warning keeps that status. A tip
// naming neither number is a rule refusal (code no_number, HTTP 422).
func ConvertToCardLead(ctx context.Context, d *db.DB, scope area.Node, who auth.AuditEntry, id int64, now time.Time) (CardLead, error) {
	lead := CardLead{ConsultationID: id}
	c, err := Get(ctx, d, scope, id)
	if err != nil {
		return lead, err
	}
	if !c.LeadAt.IsZero() {
		return lead, domain.Conflict("该记录已于 %s 转为断卡线索", c.LeadAt.In(zone.Shanghai).Format("01-02 15:04"))
	}
	if c.Status == "closed" {
		return lead, domain.Conflict("该记录已办结，不能再转为断卡线索")
	}
	lead.Account, lead.Phone = strings.TrimSpace(c.ScamAccount), strings.TrimSpace(c.ScamPhone)
	if lead.Account == "" && lead.Phone == "" {
		return lead, domain.Refuse("no_number", "该记录没有涉诈账号或涉诈号码，无法转为断卡线索：请先补充涉诈账号或涉诈号码")
	}
	// The claim first: of two officers clicking at once, one labels.
	err = d.InTx(ctx, func(tx *db.Tx) error {
		r, err := tx.Exec(ctx, `UPDATE consultations SET lead_at = ?, lead_by = ?, updated_at = ?,
			status = CASE WHEN status = 'open' THEN 'lead' ELSE status END WHERE id = ? AND lead_at IS NULL AND status <> 'closed'`,
			db.Millis(now), nullable(who.UserID), db.Millis(now), id)
		if err != nil {
			return fmt.Errorf("card lead of consultation %d: %w", id, err)
		}
		if n, _ := r.RowsAffected(); n != 1 {
			return domain.Conflict("该记录已被他人处理")
		}
		e := who.With(auth.AuditUpdate, "consultation", strconv.FormatInt(id, 10))
		e.At, e.Detail = now, "converted to card lead"
		return auth.Audit(ctx, tx, e)
	})
	if err != nil {
		return lead, err
	}
	note := "来自" + ChannelName(c.Channel) + KindName(c.Kind) + " ZX-" + strconv.FormatInt(id, 10) + "：" + c.Summary
	for _, l := range []struct{ kind, subject string }{{intel.KindAccount, lead.Account}, {intel.KindPhone, lead.Phone}} {
		if l.subject == "" {
			continue
		}
		if err := intel.SetLabel(ctx, d, who, l.kind, l.subject, intel.LabelMule, note, now); err != nil {
			// Give the claim back so the lead can be made again.
			_, _ = d.Exec(ctx, `UPDATE consultations SET lead_at = NULL, lead_by = NULL,
				status = CASE WHEN status = 'lead' THEN 'open' ELSE status END WHERE id = ?`, id)
			return lead, err
		}
	}
	return lead, nil
}

func nullable(v int64) any {
	if v == 0 {
		return nil
	}
	return v
}

// Close ends an open consultation that needs no warning.
func Close(ctx context.Context, d *db.DB, scope area.Node, who auth.AuditEntry, id int64, now time.Time) error {
	if _, err := Get(ctx, d, scope, id); err != nil {
		return err
	}
	return d.InTx(ctx, func(tx *db.Tx) error {
		r, err := tx.Exec(ctx, `UPDATE consultations SET status = 'closed', updated_at = ? WHERE id = ? AND status IN ('open', 'lead')`, db.Millis(now), id)
		if err != nil {
			return fmt.Errorf("close consultation %d: %w", id, err)
		}
		if n, _ := r.RowsAffected(); n != 1 {
			return domain.Conflict("该记录已办结或已转为预警")
		}
		e := who.With(auth.AuditUpdate, "consultation", strconv.FormatInt(id, 10))
		e.At, e.Detail = now, "closed"
		return auth.Audit(ctx, tx, e)
	})
}

// ChannelLabel is the Chinese label of the consultation's channel.
func (c Consultation) ChannelLabel() string { return ChannelName(c.Channel) }
