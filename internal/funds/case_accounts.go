package funds

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/domain"
)

// CaseAccount is an account tied to a case by its investigation (涉案账户)
// besides the receiving accounts of its transfers. It is not a trace input:
// the trace follows the victims' money from their transfers.
type CaseAccount struct {
	ID        int64     `json:"id"`
	CaseID    int64     `json:"case_id"`
	Account   string    `json:"account"`
	Bank      string    `json:"bank"`
	Holder    string    `json:"holder_name"`
	Kind      string    `json:"kind"`
	KindName  string    `json:"kind_name"`
	Note      string    `json:"note,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

// CaseAccountKinds are the kinds of linked account, in display order.
var CaseAccountKinds = []struct{ Code, Name string }{
	{"receiving", "收款账户"}, {"mule", "涉案中转账户"}, {"suspect", "嫌疑人账户"}, {"platform", "支付平台账户"}, {"other", "其他"},
}

// CaseAccountKindName is the Chinese name of a linked account's kind.
func CaseAccountKindName(code string) string {
	for _, k := range CaseAccountKinds {
		if k.Code == code {
			return k.Name
		}
	}
	return code
}

// Masked returns the account with its number masked by m.
func (a CaseAccount) Masked(m auth.Masker) CaseAccount {
	a.Account, a.Note = m.Card(a.Account), m.Text(a.Note)
	return a
}

// CaseAccountInput is a linked account as an officer adds it.
type CaseAccountInput struct {
	Account string `json:"account"`
	Bank    string `json:"bank,omitempty"` // default: from the card number's prefix
	Holder  string `json:"holder_name,omitempty"`
	Kind    string `json:"kind,omitempty"` // default other
	Note    string `json:"note,omitempty"`
}

// AddCaseAccount links an account to a case in scope and returns its id.
func AddCaseAccount(ctx context.Context, d *db.DB, scope area.Node, who auth.AuditEntry, caseID int64, in CaseAccountInput, now time.Time) (int64, error) {
	a := CaseAccount{CaseID: caseID, Account: normAccount(in.Account), Bank: strings.TrimSpace(in.Bank), Holder: strings.TrimSpace(in.Holder),
		Kind: strings.TrimSpace(in.Kind), Note: strings.TrimSpace(in.Note), CreatedAt: now}
	if a.Kind == "" {
		a.Kind = "other"
	}
	if a.Bank == "" {
		a.Bank = CardBank(a.Account)
	}
	a.KindName = CaseAccountKindName(a.Kind)
	switch {
	case a.Account == "":
		return 0, domain.Refuse("bad_account", "账号：请填写涉案账号").With(ErrTransferAccount)
	case !validAccount(a.Account):
		return 0, domain.Refuse("bad_account", "账号：%s 不是有效账号（6–40 位数字或字母）", auth.MaskCard(a.Account)).With(ErrTransferAccount)
	case a.KindName == a.Kind:
		return 0, domain.Refuse("bad_kind", "账户类别：%q 无效", a.Kind).With(ErrTransferAccount)
	case utf8.RuneCountInString(a.Holder) > 50 || utf8.RuneCountInString(a.Note) > 500:
		return 0, domain.Refuse("too_long", "户名最长 50 字，备注最长 500 字").With(ErrTransferAccount)
	}
	err := changeParties(ctx, d, scope, who, caseID, now, func(tx *db.Tx, c Case) (partyChange, error) {
		var n int
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM case_accounts WHERE case_id = ? AND account = ?`, c.ID, a.Account).Scan(&n); err != nil {
			return partyChange{}, fmt.Errorf("case accounts: %w", err)
		}
		if n > 0 {
			return partyChange{}, domain.Conflict("账号：%s 已是本案的涉案账户", auth.MaskCard(a.Account))
		}
		err := tx.QueryRow(ctx, `INSERT INTO case_accounts (case_id, account, bank, holder_name, kind, note, created_by, created_at)
			VALUES (?,?,?,?,?,?,?,?) RETURNING id`, c.ID, a.Account, a.Bank, a.Holder, a.Kind, a.Note, nullID(who.UserID), db.Millis(now)).Scan(&a.ID)
		if err != nil {
			return partyChange{}, fmt.Errorf("add case account: %w", err)
		}
		return partyChange{kind: AccountAdded, subject: a.ID, after: PartyRecord{Account: &a}, object: "case_account",
			text: "新增涉案账户：" + a.KindName + " " + auth.MaskCard(a.Account)}, nil
	})
	return a.ID, err
}

// CaseAccounts lists the accounts linked to a case in scope, oldest first.
func CaseAccounts(ctx context.Context, q db.Querier, scope area.Node, caseID int64) ([]CaseAccount, error) {
	if err := CaseInScope(ctx, q, scope, caseID); err != nil {
		return nil, err
	}
	rows, err := q.Query(ctx, `SELECT id, case_id, account, bank, holder_name, kind, note, created_at FROM case_accounts WHERE case_id = ? ORDER BY id`, caseID)
	if err != nil {
		return nil, fmt.Errorf("accounts of case %d: %w", caseID, err)
	}
	defer rows.Close()
	out := []CaseAccount{}
	for rows.Next() {
		var a CaseAccount
		var at int64
		if err := rows.Scan(&a.ID, &a.CaseID, &a.Account, &a.Bank, &a.Holder, &a.Kind, &a.Note, &at); err != nil {
			return nil, fmt.Errorf("accounts of case %d: %w", caseID, err)
		}
		a.CreatedAt, a.KindName = db.Time(at), CaseAccountKindName(a.Kind)
		out = append(out, a)
	}
	return out, rows.Err()
}
