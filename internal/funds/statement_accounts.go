package funds

import (
	"context"
	"fmt"
	"sort"

	"github.com/fanzha/fanzha/internal/db"
)

// NoteStatementRows records, in the transaction that stored them, that the
// accounts of added (account → rows stored) got statement rows: it bumps
// the statements generation and stamps each account's statement_accounts
// row with the new generation (migration 00036). Every writer of
// statement_rows calls it; a case trace reads the table to learn which
// accounts have a statement, which are hubs, and whether a cached trace
// read an account that changed.
func NoteStatementRows(ctx context.Context, tx db.Querier, added map[string]int64) error {
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
	for a, n := range added {
		if n > 0 {
			accts = append(accts, a)
		}
	}
	sort.Strings(accts) // the same lock order in concurrent imports
	for i := 0; i < len(accts); i += 200 {
		part := accts[i:min(i+200, len(accts))]
		q := `INSERT INTO statement_accounts (account, row_count, gen) VALUES `
		args := make([]any, 0, 3*len(part))
		for j, a := range part {
			if j > 0 {
				q += ","
			}
			q += "(?,?,?)"
			args = append(args, a, added[a], gen)
		}
		q += ` ON CONFLICT (account) DO UPDATE SET row_count = statement_accounts.row_count + excluded.row_count, gen = excluded.gen`
		if _, err := tx.Exec(ctx, q, args...); err != nil {
			return fmt.Errorf("statement accounts: %w", err)
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
