package funds

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/domain"
	"github.com/fanzha/fanzha/internal/trace"
)

// Limits of the statements a case trace loads from the database. A case's
// money rarely crosses more than a few dozen accounts; the limits keep one
// trace of a badly connected account from loading the whole database.
const (
	CaseLedgerMaxAccounts = 20_000
	CaseLedgerMaxLevels   = 30
	// CaseHubRows: an account with more statement rows than this is a hub
	// (a payment platform's settlement account, a merchant acquirer): the
	// case trace does not follow money through it row by row, as
	// investigators do not — it loads only the hub's rows with the accounts
	// the money came from, so the traced money stays at the hub and the
	// hub is shown as a stop and a candidate for a request to the
	// platform.
	CaseHubRows = 20_000
)

// LedgerScope says which statements a case trace read.
type LedgerScope struct {
	Accounts  int  `json:"accounts"`  // accounts whose statements were loaded
	Rows      int  `json:"rows"`      // statement rows loaded
	Levels    int  `json:"levels"`    // rounds of loading (LoadLedgerFrom: counterparty levels) from the receiving accounts
	Truncated bool `json:"truncated"` // a limit was reached: accounts beyond it count as without statement
	Hubs      int  `json:"hubs"`      // hub accounts (CaseHubRows) the money reached, traced as stops
}

// LoadLedgerFrom loads the statements a trace from the given accounts can
// use: the seeds' statements, then the statements of every account they
// paid money to, level by level, until no new account with a statement
// appears, maxHops+1 levels have been read (maxHops > 0) or a limit above
// is reached. Inflows and the time order play no part in choosing what to
// load (the engine applies them): the set is a superset of what any rule
// reaches within maxHops.
func LoadLedgerFrom(ctx context.Context, q db.Querier, seeds []string, maxHops int) (*trace.Ledger, LedgerScope, error) {
	b := trace.NewLedgerBuilder()
	var sc LedgerScope
	known := map[string]bool{}
	var frontier []string
	for _, s := range seeds {
		s = strings.TrimSpace(s)
		if s != "" && !known[s] {
			known[s] = true
			frontier = append(frontier, s)
		}
	}
	levels := CaseLedgerMaxLevels
	if maxHops > 0 && maxHops+1 < levels {
		levels = maxHops + 1
	}
	for len(frontier) > 0 {
		if sc.Levels == levels || sc.Accounts+len(frontier) > CaseLedgerMaxAccounts {
			sc.Truncated = true
			break
		}
		sc.Levels++
		var next []string
		withRows := map[string]bool{}
		err := loadAccountsInto(ctx, q, b, frontier, func(r trace.LedgerRow) {
			sc.Rows++
			withRows[r.Account] = true
			c := strings.TrimSpace(r.Counter)
			if r.AmountFen < 0 && c != "" && !known[c] {
				known[c] = true
				next = append(next, c)
			}
		})
		if err != nil {
			return nil, sc, err
		}
		sc.Accounts += len(withRows)
		frontier = next
	}
	return b.Build(), sc, nil
}

// StartsOfCase turns a case's losing transfers into trace starts.
func StartsOfCase(c Case) []trace.Start {
	out := make([]trace.Start, 0, len(c.Transfers))
	for _, t := range c.Transfers {
		out = append(out, trace.Start{VictimID: t.VictimID, TransferID: t.ID, At: t.At,
			FromAccount: t.FromAccount, ToAccount: t.ToAccount, AmountFen: t.AmountFen})
	}
	return out
}

// TraceCaseFrom traces a case's losing transfers, loading statements as the
// traced money reaches them: the receiving accounts' statements first, then,
// after each trace, the statements of the accounts the traced money went to
// whose statements are not loaded yet (the trace's no-statement leaves),
// until the money reaches no account with an unread statement or a limit
// above is reached. How the engine allocates money at an account depends on
// that account's own rows only, so the result is the trace over every
// stored statement, while accounts that merely trade with the case's
// accounts (a payment platform's thousands of customers) are never read.
// An account is looked up in statement_accounts before its rows are read:
// a hub (CaseHubRows) contributes only its rows with the accounts that paid
// it. Levels counts the rounds.
//
// Results are cached per case and options while none of the accounts the
// trace looked up got statement rows (trace_cache.go); the cached result is
// shared and must only be read.
func TraceCaseFrom(ctx context.Context, q db.Querier, c Case, opt trace.Options) (trace.Result, LedgerScope, error) {
	return cachedCaseTrace(ctx, q, c, opt, func() (trace.Result, LedgerScope, []string, error) { return traceCaseFrom(ctx, q, c, opt) })
}

// traceCaseFrom is TraceCaseFrom without the cache; it also returns every
// account it looked up (what the result depends on).
func traceCaseFrom(ctx context.Context, q db.Querier, c Case, opt trace.Options) (trace.Result, LedgerScope, []string, error) {
	starts := StartsOfCase(c)
	var sc LedgerScope
	var rows []trace.LedgerRow
	asked := map[string]bool{}
	var lookedUp []string
	hubPaidBy := map[string]map[string]bool{} // hub → accounts whose rows with it are loaded
	var hubOrder []string
	withRows := map[string]bool{}
	want := make([]string, 0, len(starts))
	for _, s := range starts {
		want = append(want, s.ToAccount)
	}
	var res trace.Result
	fail := func(err error) (trace.Result, LedgerScope, []string, error) {
		return trace.Result{}, sc, nil, fmt.Errorf("trace case %s: %w", c.CaseNo, err)
	}
	for round := 0; ; round++ {
		var next []string
		for _, a := range want {
			a = strings.TrimSpace(a)
			if a != "" && !asked[a] {
				asked[a] = true
				next = append(next, a)
			}
		}
		if round > 0 && len(next) == 0 {
			return res, sc, lookedUp, nil
		}
		if round > 0 && (sc.Levels == CaseLedgerMaxLevels || len(withRows)+len(next) > CaseLedgerMaxAccounts) {
			sc.Truncated = true
			return res, sc, lookedUp, nil
		}
		sc.Levels++
		lookedUp = append(lookedUp, next...)
		info, err := statementAccounts(ctx, q, next)
		if err != nil {
			return fail(err)
		}
		var plain, hubs []string
		for _, a := range next {
			if info[a].rows > CaseHubRows {
				hubs = append(hubs, a)
			} else {
				plain = append(plain, a)
			}
		}
		keep := func(r trace.LedgerRow) {
			rows = append(rows, r)
			withRows[r.Account] = true
		}
		if err := loadAccountsInto(ctx, q, nil, plain, keep); err != nil {
			return fail(err)
		}
		for _, h := range hubs {
			sc.Hubs++
			hubPaidBy[h] = map[string]bool{}
			hubOrder = append(hubOrder, h)
		}
		// Every hub's rows with the accounts that paid it, including
		// accounts loaded after the hub was reached.
		plainRows := len(rows)
		for _, h := range hubOrder {
			var fresh []string
			for _, a := range hubSources(h, rows[:plainRows], starts) {
				if !hubPaidBy[h][a] {
					hubPaidBy[h][a] = true
					fresh = append(fresh, a)
				}
			}
			if err := loadHubInto(ctx, q, h, fresh, keep); err != nil {
				return fail(err)
			}
		}
		b := trace.NewLedgerBuilder()
		for _, r := range rows {
			if err := b.AddRow(r); err != nil {
				return fail(err)
			}
		}
		sc.Rows, sc.Accounts = len(rows), len(withRows)
		if res, err = trace.Trace(b.Build(), starts, opt); err != nil {
			return fail(err)
		}
		want = want[:0]
		for _, n := range res.Nodes {
			if n.Kind == "leaf" && n.LeafType == trace.LeafNoStatement && n.Counter != "" {
				want = append(want, n.Counter)
			}
		}
	}
}

// hubSources are the accounts that paid money into hub: the senders of the
// loaded rows and the victims' own accounts.
func hubSources(hub string, rows []trace.LedgerRow, starts []trace.Start) []string {
	seen := map[string]bool{}
	var out []string
	add := func(a string) {
		if a = strings.TrimSpace(a); a != "" && a != hub && !seen[a] {
			seen[a] = true
			out = append(out, a)
		}
	}
	for _, r := range rows {
		if r.AmountFen < 0 && strings.TrimSpace(r.Counter) == hub {
			add(r.Account)
		}
	}
	for _, s := range starts {
		if s.ToAccount == hub {
			add(s.FromAccount)
		}
	}
	return out
}

// loadHubInto loads the rows of hub whose counterparty is one of sources
// by the counterparty index, so that the hub's other rows are never read.
// The account is compared as an expression (account concatenated with the
// empty string) to keep the planner from walking the hub's 100k+ rows by
// the account index instead: SQLite has no statistics to tell.
func loadHubInto(ctx context.Context, q db.Querier, hub string, sources []string, seen func(trace.LedgerRow)) error {
	for i := 0; i < len(sources); i += 500 {
		part := sources[i:min(i+500, len(sources))]
		args := make([]any, 0, len(part)+1)
		args = append(args, hub)
		for _, a := range part {
			args = append(args, a)
		}
		if err := scanLedgerRows(ctx, q, nil, ledgerCols+` WHERE account || '' = ? AND counter_account IN (`+placeholders(len(part))+`) ORDER BY at, id`,
			args, seen); err != nil {
			return err
		}
	}
	return nil
}

// Candidate is an account still holding traced money: where a stop-payment
// or freeze request should go.
type Candidate struct {
	NodeID      string               `json:"node_id"`
	Account     string               `json:"account"`
	AccountID   int64                `json:"account_id,omitempty"` // accounts.id (0: the account is not in the accounts table)
	Bank        string               `json:"bank,omitempty"`
	Branch      string               `json:"branch,omitempty"`
	Holder      string               `json:"holder,omitempty"`
	BalanceFen  int64                `json:"balance_fen"` // traced money still there at the trace's AsOf
	Balance     []trace.VictimAmount `json:"balance"`     // per victim
	ReceivedFen int64                `json:"received_fen"`
	LastInAt    time.Time            `json:"last_in_at"` // the latest traced transfer into the account
	Depth       int                  `json:"depth"`
}

// Candidates ranks the accounts of a trace that still hold traced money:
// largest traced balance first; on equal balances the one the money
// reached most recently first (it is the most likely to move next), then
// by account number. Bank, branch and holder come from the accounts table;
// a bank it does not name is read from the card number's prefix (CardBank).
func Candidates(ctx context.Context, q db.Querier, res *trace.Result) ([]Candidate, error) {
	lastIn := map[string]time.Time{}
	for _, e := range res.Edges {
		if e.LastAt.After(lastIn[e.To]) {
			lastIn[e.To] = e.LastAt
		}
	}
	var out []Candidate
	for _, n := range res.Nodes {
		if n.Kind != "account" || n.BalanceFen <= 0 {
			continue
		}
		var recv int64
		for _, v := range n.Received {
			recv += v.AmountFen
		}
		out = append(out, Candidate{NodeID: n.ID, Account: n.Account, Bank: CardBank(n.Account), BalanceFen: n.BalanceFen, Balance: n.Balance,
			ReceivedFen: recv, LastInAt: lastIn[n.ID], Depth: n.Depth})
	}
	slices.SortFunc(out, func(a, b Candidate) int {
		if c := cmp.Compare(b.BalanceFen, a.BalanceFen); c != 0 {
			return c
		}
		if c := b.LastInAt.Compare(a.LastInAt); c != 0 {
			return c
		}
		return cmp.Compare(a.Account, b.Account)
	})
	if len(out) == 0 {
		return out, nil
	}
	idx := make(map[string]int, len(out))
	args := make([]any, 0, len(out))
	for i, c := range out {
		idx[c.Account] = i
		args = append(args, c.Account)
	}
	for i := 0; i < len(args); i += 500 {
		part := args[i:min(i+500, len(args))]
		ph := strings.TrimSuffix(strings.Repeat("?,", len(part)), ",")
		rows, err := q.Query(ctx, `SELECT id, number, bank, branch, holder_name FROM accounts WHERE number IN (`+ph+`)`, part...)
		if err != nil {
			return nil, fmt.Errorf("candidate accounts: %w", err)
		}
		for rows.Next() {
			var id int64
			var number, bank, branch, holder string
			if err := rows.Scan(&id, &number, &bank, &branch, &holder); err != nil {
				rows.Close()
				return nil, fmt.Errorf("candidate accounts: %w", err)
			}
			c := &out[idx[number]]
			c.AccountID, c.Branch, c.Holder = id, branch, holder
			if bank != "" {
				c.Bank = bank
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("candidate accounts: %w", err)
		}
	}
	return out, nil
}

// AccountByID returns the number of an account of the accounts table.
func AccountByID(ctx context.Context, q db.Querier, id int64) (number, bank string, err error) {
	err = q.QueryRow(ctx, `SELECT number, bank FROM accounts WHERE id = ?`, id).Scan(&number, &bank)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", fmt.Errorf("account %d: %w", id, domain.ErrNotFound)
	}
	if err != nil {
		return "", "", fmt.Errorf("account %d: %w", id, err)
	}
	return number, bank, nil
}
