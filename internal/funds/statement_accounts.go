package funds

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/fanzha/fanzha/internal/db"
)

// StatementFlow is what an import stored for one account: rows, the money
// in and out (fen, both positive) and the counterparties.
type StatementFlow struct {
	Rows, InFen, OutFen int64
	Counters            map[string]struct{}
}

// Add counts a stored row of amount (signed, fen) with counter.
func (f *StatementFlow) Add(amount int64, counter string) {
	f.Rows++
	if amount > 0 {
		f.InFen += amount
	} else {
		f.OutFen -= amount
	}
	if f.Counters == nil {
		f.Counters = map[string]struct{}{}
	}
	f.Counters[counter] = struct{}{}
}

// newCounters stores the accounts' counterparties not seen before
// (statement_account_counters), in the accounts' order, and returns how
// many were new per account.
func newCounters(ctx context.Context, tx db.Querier, accts []string, added map[string]StatementFlow) (map[string]int64, error) {
	out := map[string]int64{}
	args := make([]any, 0, 800)
	flush := func() error {
		if len(args) == 0 {
			return nil
		}
		rows, err := tx.Query(ctx, `INSERT INTO statement_account_counters (account, counter) VALUES `+
			strings.TrimSuffix(strings.Repeat("(?,?),", len(args)/2), ",")+` ON CONFLICT (account, counter) DO NOTHING RETURNING account`, args...)
		if err != nil {
			return fmt.Errorf("statement counterparties: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var a string
			if err := rows.Scan(&a); err != nil {
				return fmt.Errorf("statement counterparties: %w", err)
			}
			out[a]++
		}
		args = args[:0]
		return rows.Err()
	}
	for _, a := range accts {
		list := make([]string, 0, len(added[a].Counters))
		for c := range added[a].Counters {
			list = append(list, c)
		}
		sort.Strings(list)
		for _, c := range list {
			args = append(args, a, c)
			if len(args) == 800 {
				if err := flush(); err != nil {
					return nil, err
				}
			}
		}
	}
	return out, flush()
}

// NoteStatementRows records, in the transaction that stored them, that the
// accounts of added got statement rows from the import importID: it bumps
// the statements generation, adds each account's rows and flow to its
// statement_accounts row stamped with the new generation (migrations 00036,
// 00045) with the counterparties not seen before, and lists the account under the import (statement_import_accounts,
// which says whose jurisdiction loaded it). Every writer of statement_rows
// calls it; a case trace reads statement_accounts to learn which accounts
// have a statement, which are hubs, and whether a cached trace read an
// account that changed; 两卡研判's busiest accounts are its top in_fen.
func NoteStatementRows(ctx context.Context, tx db.Querier, importID int64, added map[string]StatementFlow) error {
	if err := db.Bump(ctx, tx, db.GenStatements); err != nil {
		return err
	}
	if len(added) == 0 {
		return nil
	}
	var gen int64
	if err := tx.QueryRow(ctx, `SELECT n FROM generations WHERE name = ?`, db.GenStatements).Scan(&gen); err != nil {
		return fmt.Errorf("statement accounts: %w", err)
	}
	accts := make([]string, 0, len(added))
	for a, f := range added {
		if f.Rows > 0 {
			accts = append(accts, a)
		}
	}
	sort.Strings(accts) // the same lock order in concurrent imports
	fresh, err := newCounters(ctx, tx, accts, added)
	if err != nil {
		return err
	}
	for i := 0; i < len(accts); i += 200 {
		part := accts[i:min(i+200, len(accts))]
		q := `INSERT INTO statement_accounts (account, row_count, in_fen, out_fen, counters, gen) VALUES `
		args := make([]any, 0, 6*len(part))
		qi := `INSERT INTO statement_import_accounts (import_id, account) VALUES `
		argsi := make([]any, 0, 2*len(part))
		for j, a := range part {
			if j > 0 {
				q += ","
				qi += ","
			}
			q += "(?,?,?,?,?,?)"
			qi += "(?,?)"
			f := added[a]
			args = append(args, a, f.Rows, f.InFen, f.OutFen, fresh[a], gen)
			argsi = append(argsi, importID, a)
		}
		q += ` ON CONFLICT (account) DO UPDATE SET row_count = statement_accounts.row_count + excluded.row_count,
			in_fen = statement_accounts.in_fen + excluded.in_fen, out_fen = statement_accounts.out_fen + excluded.out_fen,
			counters = statement_accounts.counters + excluded.counters, gen = excluded.gen`
		if _, err := tx.Exec(ctx, q, args...); err != nil {
			return fmt.Errorf("statement accounts: %w", err)
		}
		if importID != 0 {
			if _, err := tx.Exec(ctx, qi+` ON CONFLICT (import_id, account) DO NOTHING`, argsi...); err != nil {
				return fmt.Errorf("statement import accounts: %w", err)
			}
		}
	}
	return nil
}

// statementAccount is what a trace knows of an account before loading it.
type statementAccount struct {
	rows int64
	gen  int64
}

// statementAccounts reads the statement_accounts rows of accounts (absent:
// the account has no statement rows).
func statementAccounts(ctx context.Context, q db.Querier, accounts []string) (map[string]statementAccount, error) {
	out := make(map[string]statementAccount, len(accounts))
	for i := 0; i < len(accounts); i += 500 {
		part := accounts[i:min(i+500, len(accounts))]
		args := make([]any, len(part))
		for j, a := range part {
			args[j] = a
		}
		rows, err := q.Query(ctx, `SELECT account, row_count, gen FROM statement_accounts WHERE account IN (`+placeholders(len(part))+`)`, args...)
		if err != nil {
			return nil, fmt.Errorf("statement accounts: %w", err)
		}
		for rows.Next() {
			var a string
			var s statementAccount
			if err := rows.Scan(&a, &s.rows, &s.gen); err != nil {
				rows.Close()
				return nil, fmt.Errorf("statement accounts: %w", err)
			}
			out[a] = s
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("statement accounts: %w", err)
		}
	}
	return out, nil
}

func placeholders(n int) string {
	b := make([]byte, 0, 2*n)
	for i := range n {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '?')
	}
	return string(b)
}
