package intel

import (
	"context"
	"fmt"
	"strings"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/db"
)

// AccountActivity is an account's flow in the loaded statements.
type AccountActivity struct {
	Number   string `json:"number"`
	Bank     string `json:"bank"`
	Branch   string `json:"branch"`
	Holder   string `json:"holder"`
	Rows     int64  `json:"rows"`
	InFen    int64  `json:"in_fen"`
	OutFen   int64  `json:"out_fen"`
	Counters int64  `json:"counters"` // distinct counterparties
	Victims  int64  `json:"victims"`  // transfers from victims of cases in the jurisdiction
}

// Masked hides the number and all but the first character of the holder's
// name unless m unmasks, as the watch list does.
func (a AccountActivity) Masked(m auth.Masker) AccountActivity {
	a.Number = m.Card(a.Number)
	if a.Holder != "" && !m.Unmasked {
		r := []rune(a.Holder)
		a.Holder = string(r[:1]) + strings.Repeat("*", len(r)-1)
	}
	return a
}

// BusiestAccounts lists the statement accounts with the most inflow that
// the jurisdiction may see (visibleAccounts: paid by its cases' victims,
// named in its warnings, or on statements its users imported; the centre
// sees all). Victims counts only transfers of cases in the jurisdiction.
// The console's 两卡研判 page and GET /api/v1/intel/accounts both call it.
//
// The ranking reads the per-account totals kept on import
// (statement_accounts, funds.NoteStatementRows): the top of its in_fen
// index at the root, the jurisdiction's visible accounts elsewhere; no
// statement row is read.
func BusiestAccounts(ctx context.Context, q db.Querier, scope area.Node, limit int) ([]AccountActivity, error) {
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	cond, args := visibleAccounts("sa.account", scope)
	ccond, carg := area.UnderClause("c.area_id", scope)
	all := append([]any{carg}, args...)
	all = append(all, limit)
	rows, err := q.Query(ctx, `SELECT top.account, COALESCE(a.bank, ''), COALESCE(a.branch, ''), COALESCE(a.holder_name, ''),
		top.row_count, top.in_fen, top.out_fen, top.counters,
		(SELECT COUNT(*) FROM case_transfers t JOIN cases c ON c.id = t.case_id WHERE t.to_account = top.account AND `+ccond+`)
		FROM (SELECT sa.account, sa.row_count, sa.in_fen, sa.out_fen, sa.counters FROM statement_accounts sa
			WHERE `+cond+` ORDER BY sa.in_fen DESC, sa.account LIMIT ?) top
		LEFT JOIN accounts a ON a.number = top.account
		ORDER BY top.in_fen DESC, top.account`, all...)
	if err != nil {
		return nil, fmt.Errorf("busiest accounts: %w", err)
	}
	defer rows.Close()
	out := []AccountActivity{}
	for rows.Next() {
		var a AccountActivity
		if err := rows.Scan(&a.Number, &a.Bank, &a.Branch, &a.Holder, &a.Rows, &a.InFen, &a.OutFen, &a.Counters, &a.Victims); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}
