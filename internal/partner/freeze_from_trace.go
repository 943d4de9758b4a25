package partner

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/domain"
	"github.com/fanzha/fanzha/internal/funds"
	"github.com/fanzha/fanzha/internal/money"
	"github.com/fanzha/fanzha/internal/trace"
)

// A stop-payment or freeze request made from a case's fund trace: the case
// is traced again with the options the officer saw, the account must still
// hold traced money, and the request goes to the account's bank.

// Markers of the rules a request from a trace can break, matched by
// errors.Is: a request the caller wrote wrong (kind, account, amount) is a
// domain.Invalid, one the records do not allow (no traced balance, no bank)
// a rule refusal (domain.Refuse); both say what to do, with the rule's code.
var (
	ErrTraceRequestKind    = errors.New("trace request kind")
	ErrTraceRequestAccount = errors.New("trace request account")
	ErrTraceRequestAmount  = errors.New("trace request amount")
	// ErrNoTracedBalance: the account holds no traced money of the case.
	ErrNoTracedBalance = errors.New("no traced balance")
	// ErrNotBank: the unit named is not a bank.
	ErrNotBank = errors.New("unit not a bank")
	// ErrNoBankUnit: no member unit is the account's bank.
	ErrNoBankUnit = errors.New("no bank unit")
)

// TraceRequest asks for a stop-payment or freeze of a candidate account of
// a trace.
type TraceRequest struct {
	AccountID int64  // accounts.id, as the trace's candidates carry it
	Kind      string // stop_payment | freeze
	UnitID    int64  // 0: the account's bank's unit serving the case's county (BankUnitOf)
	AmountFen *int64 // nil: the traced balance; 0: the whole balance
	Reason    string // empty: the trace's finding
	// Preview checks the request and answers what would be sent, without
	// sending it.
	Preview bool
}

// TraceRequestResult is the request sent, or previewed.
type TraceRequestResult struct {
	RequestID int64  `json:"request_id"`
	Status    string `json:"status"` // sent | preview
	Kind      string `json:"kind"`
	Account   string `json:"account"` // masked, full in a preview for a caller who may unmask
	Unmasked  bool   `json:"unmasked"`
	UnitID    int64  `json:"unit_id"`
	UnitName  string `json:"unit_name"`
	AmountFen int64  `json:"amount_fen"`
}

// FreezeFromTrace traces the case in scope again with opt, checks the
// account still holds traced money and sends the request to its bank for
// the caller (who), on the case's timeline and audited. A preview sends
// nothing; for a caller who may unmask (canUnmask) it carries the full
// account number and is audited as an unmask.
func FreezeFromTrace(ctx context.Context, d *db.DB, scope area.Node, who auth.AuditEntry, canUnmask bool, caseID int64, opt trace.Options,
	in TraceRequest, now time.Time) (TraceRequestResult, error) {
	if in.Kind != "stop_payment" && in.Kind != "freeze" {
		return TraceRequestResult{}, domain.Invalid("kind 只能是 stop_payment（止付）或 freeze（冻结）").WithCode("bad_kind").With(ErrTraceRequestKind)
	}
	if in.AccountID <= 0 {
		return TraceRequestResult{}, domain.Invalid("请用 account_id 指定账户（见追踪结果的 candidates）").WithCode("bad_account").With(ErrTraceRequestAccount)
	}
	if in.AmountFen != nil && *in.AmountFen < 0 {
		return TraceRequestResult{}, domain.Invalid("金额不能为负").WithCode("bad_amount").With(ErrTraceRequestAmount)
	}
	number, _, err := funds.AccountByID(ctx, d, in.AccountID)
	if err != nil {
		return TraceRequestResult{}, err
	}
	changes, err := funds.TraceChangesOf(ctx, d, caseID)
	if err != nil {
		return TraceRequestResult{}, err
	}
	ct, err := funds.TraceCaseInScope(ctx, d, scope, caseID, opt)
	if err != nil {
		return TraceRequestResult{}, err
	}
	cands, err := funds.Candidates(ctx, d, &ct.Result)
	if err != nil {
		return TraceRequestResult{}, err
	}
	i := slices.IndexFunc(cands, func(c funds.Candidate) bool { return c.Account == number })
	if i < 0 {
		return TraceRequestResult{}, domain.Refuse("no_traced_balance",
			"账户 %s 在本案的资金追踪中没有留存余额，不能从追踪结果发起止付/冻结；如确有需要，请在案件页手工发起请求", auth.MaskCard(number)).With(ErrNoTracedBalance)
	}
	c := cands[i]
	banks, err := BankUnits(ctx, d)
	if err != nil {
		return TraceRequestResult{}, err
	}
	var unit Unit
	if in.UnitID != 0 {
		k := slices.IndexFunc(banks, func(u Unit) bool { return u.ID == in.UnitID })
		if k < 0 {
			return TraceRequestResult{}, domain.Refuse("bad_unit", "成员单位 %d 不是银行", in.UnitID).With(ErrNotBank)
		}
		unit = banks[k]
	} else {
		near, err := AreaChain(ctx, d, ct.Case.AreaID)
		if err != nil {
			return TraceRequestResult{}, err
		}
		var ok bool
		if unit, ok = BankUnitOf(banks, c.Bank, near); !ok {
			return TraceRequestResult{}, domain.Refuse("no_bank_unit", "找不到账户开户行（%s）对应的成员单位，请用 unit_id 指定接收请求的银行", cmp.Or(c.Bank, "未知")).With(ErrNoBankUnit)
		}
	}
	amount := c.BalanceFen
	if in.AmountFen != nil {
		amount = *in.AmountFen
	}
	reason := strings.TrimSpace(in.Reason)
	if reason == "" {
		reason = fmt.Sprintf("案件 %s 资金追踪（%s%s）：该账户留存涉案资金 %s 元", ct.Case.CaseNo, TraceRuleName(opt.Rule),
			map[bool]string{true: "，最低余额规则"}[opt.LIBRCap], money.FormatYuan(c.BalanceFen))
	}
	out := TraceRequestResult{Kind: in.Kind, Account: auth.MaskCard(number), UnitID: unit.ID, UnitName: unit.Name, AmountFen: amount}
	if in.Preview {
		out.Status = "preview"
		if canUnmask {
			e := who.With(auth.AuditUnmask, "account", strconv.FormatInt(in.AccountID, 10))
			e.At, e.Detail = now, fmt.Sprintf("案件 %s 发出%s请求前确认完整账号", ct.Case.CaseNo, map[string]string{"stop_payment": "止付", "freeze": "冻结"}[in.Kind])
			if err := auth.Audit(ctx, d, e); err != nil {
				return TraceRequestResult{}, fmt.Errorf("audit unmask: %w", err)
			}
			out.Account, out.Unmasked = number, true
		}
		return out, nil
	}
	out.Status = "sent"
	out.RequestID, err = CreateForCase(ctx, d, scope, who, who.UserID, caseID,
		CaseRequest{Kind: in.Kind, UnitID: unit.ID, Account: number, AmountFen: amount, Reason: reason}, now)
	if err != nil {
		return TraceRequestResult{}, err
	}
	// A freeze from the trace uses the trace: it counts as a look.
	if err := funds.MarkTraceSeen(ctx, d, caseID, changes, now); err != nil {
		return TraceRequestResult{}, err
	}
	return out, nil
}

// TraceRuleName is the Chinese name of a trace's allocation rule.
func TraceRuleName(r trace.Rule) string {
	if r == trace.Proportional {
		return "按比例"
	}
	return "先进先出"
}
