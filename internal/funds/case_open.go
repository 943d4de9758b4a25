package funds

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/domain"
	"github.com/fanzha/fanzha/internal/money"
)

// Opening a case from a report (报案): the API and the console's report
// form give a CaseReport; OpenCase checks it against the caller's
// jurisdiction, stores it and audits it in one transaction.

// Markers of the rules a report can break: the refusal is a rule refusal
// (domain.Refuse, answered 422) saying what to correct, with the rule's
// code (bad_area …), and errors.Is matches its marker.
var (
	ErrCaseArea        = errors.New("case area")
	ErrNoVictim        = errors.New("case victims")
	ErrTransferAmount  = errors.New("transfer amount")
	ErrTransferTime    = errors.New("transfer time")
	ErrTransferAccount = errors.New("transfer account")
)

// CaseReport is a report as the caller gives it. Amounts are fen or yuan as
// text ("1,234.50").
type CaseReport struct {
	AreaID     int64            `json:"area_id"` // where it happened / the victim lives; 0: the caller's own area
	FraudType  string           `json:"fraud_type"`
	ReportedAt *time.Time       `json:"reported_at"`
	Summary    string           `json:"summary"`
	Victims    []ReportedVictim `json:"victims"`
}

// ReportedVictim is a victim of a report with the transfers they lost.
type ReportedVictim struct {
	Name       string             `json:"name"`
	Sex        string             `json:"sex"`
	BirthDate  string             `json:"birth_date"`
	IDNumber   string             `json:"id_number"`
	Phone      string             `json:"phone"`
	Address    string             `json:"address"`
	Occupation string             `json:"occupation"`
	LossFen    int64              `json:"loss_fen"` // when no transfer is known yet
	Transfers  []ReportedTransfer `json:"transfers"`
}

// ReportedTransfer is a losing transfer of a report.
type ReportedTransfer struct {
	At          time.Time `json:"at"`
	FromAccount string    `json:"from_account"`
	ToAccount   string    `json:"to_account"`
	ToBank      string    `json:"to_bank"` // default: from the card number's prefix
	ToName      string    `json:"to_name"`
	AmountFen   int64     `json:"amount_fen"`
	Amount      string    `json:"amount"` // yuan, when amount_fen is not given
	Channel     string    `json:"channel"`
}

// OpenedCase is the answer to a report stored as a case.
type OpenedCase struct {
	ID        int64  `json:"id"`
	CaseNo    string `json:"case_no"`
	FraudType string `json:"fraud_type"`
}

// NewCaseFromReport checks a report against the caller's jurisdiction
// (scope) and turns it into a NewCase investigated by investigatorID: the
// area must exist, lie in scope and belong to a station; there must be a
// victim; every transfer needs an amount, a time and a receiving account.
func NewCaseFromReport(ctx context.Context, q db.Querier, scope area.Node, investigatorID int64, in CaseReport) (NewCase, error) {
	aid := in.AreaID
	if aid == 0 {
		aid = scope.ID
	}
	a, err := area.Get(ctx, q, aid)
	if err != nil && !errors.Is(err, area.ErrNotFound) && !errors.Is(err, domain.ErrNotFound) {
		return NewCase{}, err
	}
	if err != nil || !scope.Contains(a) {
		return NewCase{}, domain.Refuse("bad_area", "辖区 %d 不存在或不在您的辖区内", aid).With(ErrCaseArea)
	}
	if a.StationID == 0 {
		return NewCase{}, domain.Refuse("bad_area", "请选择派出所或其下的辖区（%s 不属于任何派出所）", a.FullName).With(ErrCaseArea)
	}
	if len(in.Victims) == 0 {
		return NewCase{}, domain.Refuse("no_victim", "至少登记一名受害人").With(ErrNoVictim)
	}
	nc := NewCase{AreaID: a.ID, StationID: a.StationID, FraudType: strings.TrimSpace(in.FraudType), InvestigatorID: investigatorID,
		Summary: strings.TrimSpace(in.Summary)}
	if in.ReportedAt != nil {
		nc.ReportedAt = *in.ReportedAt
	}
	for i, v := range in.Victims {
		nv := NewVictim{Name: strings.TrimSpace(v.Name), Sex: v.Sex, BirthDate: v.BirthDate, IDNumber: strings.TrimSpace(v.IDNumber),
			Phone: strings.TrimSpace(v.Phone), Address: strings.TrimSpace(v.Address), AreaID: a.ID, Occupation: v.Occupation, LossFen: v.LossFen}
		for j, t := range v.Transfers {
			amt := t.AmountFen
			if amt == 0 && t.Amount != "" {
				if amt, err = money.ParseYuan(t.Amount); err != nil {
					return NewCase{}, domain.Refuse("bad_amount", "第 %d 名受害人第 %d 笔转账金额：%v", i+1, j+1, err).With(ErrTransferAmount)
				}
			}
			if t.At.IsZero() {
				return NewCase{}, domain.Refuse("bad_time", "第 %d 名受害人第 %d 笔转账缺少时间", i+1, j+1).With(ErrTransferTime)
			}
			if strings.TrimSpace(t.ToAccount) == "" {
				return NewCase{}, domain.Refuse("bad_account", "第 %d 名受害人第 %d 笔转账缺少收款账号", i+1, j+1).With(ErrTransferAccount)
			}
			bank := strings.TrimSpace(t.ToBank)
			if bank == "" {
				bank = CardBank(t.ToAccount)
			}
			nv.Transfers = append(nv.Transfers, NewTransfer{At: t.At, FromAccount: strings.ReplaceAll(strings.TrimSpace(t.FromAccount), " ", ""),
				ToAccount: strings.ReplaceAll(strings.TrimSpace(t.ToAccount), " ", ""), ToBank: bank, ToName: strings.TrimSpace(t.ToName),
				AmountFen: amt, Channel: t.Channel})
		}
		nc.Victims = append(nc.Victims, nv)
	}
	if nc.FraudType == "" {
		nc.FraudType = SuggestFraudType(nc.Summary)
	}
	return nc, nil
}

// OpenCase stores a report as a case investigated by the caller (who) —
// the classifier suggests the type when none is given — and audits it, in
// one transaction.
func OpenCase(ctx context.Context, d *db.DB, scope area.Node, who auth.AuditEntry, in CaseReport, now time.Time) (OpenedCase, error) {
	nc, err := NewCaseFromReport(ctx, d, scope, who.UserID, in)
	if err != nil {
		return OpenedCase{}, err
	}
	out := OpenedCase{FraudType: nc.FraudType}
	err = d.InTx(ctx, func(tx *db.Tx) error {
		if out.ID, out.CaseNo, err = CreateCase(ctx, tx, nc, now); err != nil {
			return err
		}
		e := who.With(auth.AuditCreate, "case", strconv.FormatInt(out.ID, 10))
		e.At, e.Detail = now, out.CaseNo
		return auth.Audit(ctx, tx, e)
	})
	if err != nil {
		return OpenedCase{}, err
	}
	return out, nil
}
