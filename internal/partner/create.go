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
)

// Time a bank or operator has to act on a request, by kind: stop-payment
// and emergency suspension within the hour (the money is moving); a freeze
// or a release within a working day; queries within three days.
var answerWithin = map[string]time.Duration{
	"stop_payment": time.Hour, "suspend_card": 30 * time.Minute, "suspend_number": 30 * time.Minute,
	"freeze": 24 * time.Hour, "release": 24 * time.Hour, "query": 72 * time.Hour, "holder_check": 72 * time.Hour,
}

// CaseRequest is a request made from a case: stop-payment (止付), freeze
// (冻结), release, or a query about an account.
type CaseRequest struct {
	Kind      string `json:"kind"` // stop_payment | freeze | release | query | holder_check
	UnitID    int64  `json:"unit_id"`
	Account   string `json:"account"`
	AmountFen int64  `json:"amount_fen"` // the amount to stop or freeze (the traced balance), 0 for the whole balance
	Reason    string `json:"reason"`
	// Draft keeps the request in the centre (status drafted) until it is
	// sent with Send; otherwise it goes to the bank at once.
	Draft bool `json:"draft,omitempty"`
}

// CreateForCase makes a request about an account from a case in scope to a
// member unit: sent at once, due by the kind's answer time, or kept as a
// draft (r.Draft) until Send. It goes on the case's timeline and is audited.
func CreateForCase(ctx context.Context, d *db.DB, scope area.Node, who auth.AuditEntry, userID, caseID int64, r CaseRequest, now time.Time) (int64, error) {
	within, ok := answerWithin[r.Kind]
	if !ok || r.Kind == "suspend_card" || r.Kind == "suspend_number" {
		return 0, domain.Invalid("请求类型 %q 无效（stop_payment 止付 / freeze 冻结 / release 解冻 / query 查询 / holder_check 持卡人核查）", r.Kind)
	}
	r.Account = strings.ReplaceAll(strings.TrimSpace(r.Account), " ", "")
	if r.Account == "" {
		return 0, domain.Invalid("请填写账号")
	}
	if r.AmountFen < 0 {
		return 0, domain.Invalid("金额不能为负数")
	}
	var id int64
	err := d.InTx(ctx, func(tx *db.Tx) error {
		cond, arg := area.UnderClause("area_id", scope)
		var n int
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM cases WHERE id = ? AND `+cond, caseID, arg).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return fmt.Errorf("case %d: %w", caseID, domain.ErrNotFound)
		}
		var kind string
		if err := tx.QueryRow(ctx, `SELECT kind FROM units WHERE id = ?`, r.UnitID).Scan(&kind); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return domain.Invalid("成员单位 %d 不存在", r.UnitID)
			}
			return err
		}
		if kind != "bank" {
			return domain.Invalid("止付、冻结和账户查询应发给银行")
		}
		if err := unitAcceptsRequests(ctx, tx, r.UnitID); err != nil {
			return err
		}
		status, due, sent := "sent", any(db.Millis(now.Add(within))), any(db.Millis(now))
		if r.Draft {
			status, due, sent = "drafted", nil, nil
		}
		err := tx.QueryRow(ctx, `INSERT INTO partner_requests (kind, unit_id, case_id, account, amount_fen, reason, status, due_at, sent_at, created_by, created_at)
			VALUES (?,?,?,?,?,?,?,?,?,?,?) RETURNING id`, r.Kind, r.UnitID, caseID, r.Account, r.AmountFen, strings.TrimSpace(r.Reason),
			status, due, sent, nullable(userID), db.Millis(now)).Scan(&id)
		if err != nil {
			return fmt.Errorf("create request: %w", err)
		}
		what := "发出"
		if r.Draft {
			what = "起草"
		}
		if err := caseEvent(ctx, tx, caseID, now, "request_"+status, userID, fmt.Sprintf("%s%s请求 #%d：账号 %s", what, KindName(r.Kind), id, auth.MaskCard(r.Account))); err != nil {
			return err
		}
		e := who.With(auth.AuditCreate, "partner_request", strconv.FormatInt(id, 10))
		e.At, e.Detail = now, fmt.Sprintf("%s %s case %d account %s", status, r.Kind, caseID, auth.MaskCard(r.Account))
		return auth.Audit(ctx, tx, e)
	})
	return id, err
}

// ForCase lists the requests a case made (the case must be in scope).
func ForCase(ctx context.Context, q db.Querier, scope area.Node, caseID int64, now time.Time) ([]Request, error) {
	cond, arg := area.UnderClause("area_id", scope)
	var n int
	if err := q.QueryRow(ctx, `SELECT COUNT(*) FROM cases WHERE id = ? AND `+cond, caseID, arg).Scan(&n); err != nil {
		return nil, err
	}
	if n == 0 {
		return nil, fmt.Errorf("case %d: %w", caseID, domain.ErrNotFound)
	}
	rows, err := q.Query(ctx, selectRequest+` WHERE r.case_id = ? ORDER BY r.id`, caseID)
	if err != nil {
		return nil, fmt.Errorf("requests of case %d: %w", caseID, err)
	}
	defer rows.Close()
	out := []Request{}
	for rows.Next() {
		r, err := scanRequest(rows, now)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

func nullable(v int64) any {
	if v == 0 {
		return nil
	}
	return v
}
