package funds

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/trace"
)

// LoadLedger reads statement rows from the database into a Ledger: the
// statements of the given accounts, or of every account when accounts is
// empty.
func LoadLedger(ctx context.Context, q db.Querier, accounts []string) (*trace.Ledger, error) {
	b := trace.NewLedgerBuilder()
	if len(accounts) == 0 {
		if err := scanLedgerRows(ctx, q, b, ledgerCols+` ORDER BY account, at, id`, nil, nil); err != nil {
			return nil, err
		}
		return b.Build(), nil
	}
	if err := loadAccountsInto(ctx, q, b, accounts, nil); err != nil {
		return nil, err
	}
	return b.Build(), nil
}

const ledgerCols = `SELECT account, at, amount_fen, balance_fen, counter_account, summary, channel FROM statement_rows`

// loadAccountsInto adds the statements of the given accounts to b (when
// not nil), 500 accounts a query; each row is also passed to seen when it
// is not nil.
func loadAccountsInto(ctx context.Context, q db.Querier, b *trace.LedgerBuilder, accounts []string, seen func(trace.LedgerRow)) error {
	for i := 0; i < len(accounts); i += 500 {
		part := accounts[i:min(i+500, len(accounts))]
		args := make([]any, len(part))
		for j, a := range part {
			args[j] = a
		}
		ph := strings.TrimSuffix(strings.Repeat("?,", len(part)), ",")
		if err := scanLedgerRows(ctx, q, b, ledgerCols+` WHERE account IN (`+ph+`) ORDER BY account, at, id`, args, seen); err != nil {
			return err
		}
	}
	return nil
}

func scanLedgerRows(ctx context.Context, q db.Querier, b *trace.LedgerBuilder, query string, args []any, seen func(trace.LedgerRow)) error {
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("load ledger: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var r trace.LedgerRow
		var at int64
		var bal sql.NullInt64
		if err := rows.Scan(&r.Account, &at, &r.AmountFen, &bal, &r.Counter, &r.Summary, &r.Channel); err != nil {
			return fmt.Errorf("load ledger: %w", err)
		}
		r.At = db.Time(at)
		if bal.Valid {
			v := bal.Int64
			r.BalanceFen = &v
		}
		if b != nil {
			if err := b.AddRow(r); err != nil {
				return err
			}
		}
		if seen != nil {
			seen(r)
		}
	}
	return rows.Err()
}
