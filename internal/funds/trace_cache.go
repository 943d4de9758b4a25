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
// before its statements were loaded: every statement import bumps it in
// its transaction, so an entry is used only while no statement was stored
// since — on this replica or any other, since the counter is in the
// database. Traces in a transaction are not cached.
const traceCacheSize = 32

type traceCacheEntry struct {
	gen int64
	res trace.Result
	sc  LedgerScope
}

var traceCache = struct {
	sync.Mutex
	m     map[string]traceCacheEntry
	order []string // oldest first
}{m: map[string]traceCacheEntry{}}

func traceCacheKey(d *db.DB, starts []trace.Start, opt trace.Options) string {
	return fmt.Sprintf("%p|%s|%+v|%+v", d, d.DSN, starts, opt)
}

// cachedCaseTrace is TraceCaseFrom through the cache when q is a database
// handle.
func cachedCaseTrace(ctx context.Context, q db.Querier, c Case, opt trace.Options,
	run func() (trace.Result, LedgerScope, error)) (trace.Result, LedgerScope, error) {
	d, ok := q.(*db.DB)
	if !ok {
		return run()
	}
	gens, err := db.Generations(ctx, d)
	if err != nil {
		return trace.Result{}, LedgerScope{}, err
	}
	gen := gens[db.GenStatements]
	key := traceCacheKey(d, StartsOfCase(c), opt)
	traceCache.Lock()
	e, hit := traceCache.m[key]
	traceCache.Unlock()
	if hit && e.gen == gen {
		return e.res, e.sc, nil
	}
	res, sc, err := run()
	if err != nil {
		return res, sc, err
	}
	res.Node("") // builds the node index now: cached results are only read
	traceCache.Lock()
	defer traceCache.Unlock()
	if _, ok := traceCache.m[key]; !ok {
		traceCache.order = append(traceCache.order, key)
	}
	traceCache.m[key] = traceCacheEntry{gen: gen, res: res, sc: sc}
	for len(traceCache.order) > traceCacheSize {
		delete(traceCache.m, traceCache.order[0])
		traceCache.order = traceCache.order[1:]
	}
	return res, sc, nil
}
