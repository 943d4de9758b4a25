package funds

import (
	"context"
	"fmt"
	"sync"

	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/trace"
)

// Recent case traces, so that an explain click, a freeze from the trace or
// a return plan after the trace does not load and trace the case again.
// An entry is keyed by the database, the case's losing transfers and the
// options, and holds the statement generation (db.GenStatements) read
// before its statements were loaded and every account the trace looked up.
// Every statement import bumps the generation and stamps the accounts it
// added rows to with the new one (statement_accounts.gen, in its
// transaction): while the generation is unchanged the entry is used at
// once; after an import it is used still if none of its accounts was
// stamped since (one indexed query), so imports for other cases do not
// throw it away. The counters are in the database, so this holds across
// replicas. Traces in a transaction are not cached. A change to a case's
// victims or transfers (case_parties.go) drops the case's entries.
const traceCacheSize = 256

type traceCacheEntry struct {
	caseID   int64
	gen      int64
	res      trace.Result
	sc       LedgerScope
	accounts []string // looked up by the trace
}

var traceCache = struct {
	sync.Mutex
	m     map[string]*traceCacheEntry
	order []string // oldest first
}{m: map[string]*traceCacheEntry{}}

func traceCacheKey(d *db.DB, starts []trace.Start, opt trace.Options) string {
	return fmt.Sprintf("%p|%s|%+v|%+v", d, d.DSN, starts, opt)
}

// cachedCaseTrace is TraceCaseFrom through the cache when q is a database
// handle.
func cachedCaseTrace(ctx context.Context, q db.Querier, c Case, opt trace.Options,
	run func() (trace.Result, LedgerScope, []string, error)) (trace.Result, LedgerScope, error) {
	d, ok := q.(*db.DB)
	if !ok {
		res, sc, _, err := run()
		return res, sc, err
	}
	gens, err := db.Generations(ctx, d)
	if err != nil {
		return trace.Result{}, LedgerScope{}, err
	}
	gen := gens[db.GenStatements]
	key := traceCacheKey(d, StartsOfCase(c), opt)
	traceCache.Lock()
	e := traceCache.m[key]
	traceCache.Unlock()
	if e != nil {
		fresh := e.gen == gen
		if !fresh {
			changed, err := accountsChangedSince(ctx, d, e.accounts, e.gen)
			if err != nil {
				return trace.Result{}, LedgerScope{}, err
			}
			fresh = !changed
		}
		if fresh {
			if e.gen != gen {
				traceCache.Lock()
				if traceCache.m[key] == e {
					traceCache.m[key] = &traceCacheEntry{caseID: c.ID, gen: gen, res: e.res, sc: e.sc, accounts: e.accounts}
				}
				traceCache.Unlock()
			}
			return e.res, e.sc, nil
		}
	}
	res, sc, accounts, err := run()
	if err != nil {
		return res, sc, err
	}
	res.Node("") // builds the node index now: cached results are only read
	traceCache.Lock()
	defer traceCache.Unlock()
	if _, ok := traceCache.m[key]; !ok {
		traceCache.order = append(traceCache.order, key)
	}
	traceCache.m[key] = &traceCacheEntry{caseID: c.ID, gen: gen, res: res, sc: sc, accounts: accounts}
	for len(traceCache.order) > traceCacheSize {
		delete(traceCache.m, traceCache.order[0])
		traceCache.order = traceCache.order[1:]
	}
	return res, sc, nil
}

// accountsChangedSince reports whether an import stamped one of accounts
// with a statements generation after gen.
func accountsChangedSince(ctx context.Context, q db.Querier, accounts []string, gen int64) (bool, error) {
	for i := 0; i < len(accounts); i += 500 {
		part := accounts[i:min(i+500, len(accounts))]
		args := make([]any, 0, len(part)+1)
		args = append(args, gen)
		for _, a := range part {
			args = append(args, a)
		}
		var n int64
		if err := q.QueryRow(ctx, `SELECT COUNT(*) FROM statement_accounts WHERE gen > ? AND account IN (`+placeholders(len(part))+`)`,
			args...).Scan(&n); err != nil {
			return false, fmt.Errorf("trace cache: %w", err)
		}
		if n > 0 {
			return true, nil
		}
	}
	return false, nil
}

// forgetCaseTrace drops this process's cached traces of a case after its
// victims or transfers changed. Other replicas need no notice: an entry is
// keyed by the case's transfers, so a changed transfer list never finds
// the old entry (victims' names are read with the case, not cached);
// forgetting frees the memory at once.
func forgetCaseTrace(caseID int64) {
	traceCache.Lock()
	defer traceCache.Unlock()
	keep := traceCache.order[:0]
	for _, k := range traceCache.order {
		if e := traceCache.m[k]; e != nil && e.caseID == caseID && caseID != 0 {
			delete(traceCache.m, k)
			continue
		}
		keep = append(keep, k)
	}
	traceCache.order = keep
}
