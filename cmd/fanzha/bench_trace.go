package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/funds"
	"github.com/fanzha/fanzha/internal/trace"
)

// benchTrace measures the trace engine on a generated transaction set (or
// FinBench TCR5 with --finbench) and compares it with the recursive CTE an
// analyst would run in PostgreSQL on the same data. The last line is
//
//	RESULT transactions=<n> trace_p50_ms=<x> trace_p99_ms=<y> pg_cte_p50_ms=<z> speedup=<r> rss_mb=<m>
func benchTrace(ctx context.Context, args []string) error {
	fs := newFlags("bench trace")
	transfers := fs.Int("transfers", 10_000_000, "transfers to generate")
	accounts := fs.Int("accounts", 0, "accounts (0: transfers/10)")
	victims := fs.Int("victims", 1000, "planted victim transfers to trace")
	hops := fs.Int("hops", 6, "hops to follow")
	rounds := fs.Int("rounds", 5, "times every start is traced, each round followed by a share of the CTEs")
	seed := fs.Uint64("seed", 1, "generator seed")
	ruleName := fs.String("rule", "fifo", "allocation rule: fifo | proportional")
	libr := fs.Bool("libr", false, "lowest-intermediate-balance cap")
	pgURL := fs.String("postgres", os.Getenv("FANZHA_TEST_POSTGRES"), "PostgreSQL server for the CTE comparison (default $FANZHA_TEST_POSTGRES)")
	pgTransfers := fs.Int("pg-transfers", 0, "load only the first N transfers into PostgreSQL (0: all)")
	dir := fs.String("dir", "", "folder for the generated CSV (default: a temporary folder)")
	keep := fs.Bool("keep", false, "keep the generated CSV")
	finbench := fs.String("finbench", "", "run FinBench TCR5 on the LDBC example data in this folder instead")
	window := fs.String("window", "", "TCR5 window from,to (RFC 3339); default: the parameter file's, or the whole data when it selects nothing")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	rule, err := trace.ParseRule(*ruleName)
	if err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	// Keep the heap near what is live: the 10M-transfer ledger must stay
	// under 2 GB resident.
	debug.SetMemoryLimit(1500 << 20)
	if *rounds < 1 {
		return fmt.Errorf("%w: --rounds must be at least 1", errUsage)
	}
	if *finbench != "" {
		return benchTCR5(ctx, *finbench, *window, *pgURL)
	}
	if *accounts <= 0 {
		*accounts = max(100, *transfers/10)
	}
	fmt.Printf("trace benchmark: %d transfers among %d accounts, %d planted victim transfers, seed %d, %d hops, rule %s (LIBR %v), %d CPUs\n",
		*transfers, *accounts, *victims, *seed, *hops, rule, *libr, runtime.NumCPU())

	// 1. Generate the CSV.
	folder := *dir
	if folder == "" {
		folder, err = os.MkdirTemp("", "fanzha-bench-trace-")
		if err != nil {
			return err
		}
		if !*keep {
			defer os.RemoveAll(folder)
		}
	}
	path := filepath.Join(folder, fmt.Sprintf("transfers-%d-%d.csv", *transfers, *seed))
	t0 := time.Now()
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	gen, err := trace.WriteBenchCSV(f, trace.GenConfig{Seed: *seed, Transfers: *transfers, Accounts: *accounts, Victims: *victims})
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if !*keep && *dir != "" {
		defer os.Remove(path)
	}
	st, _ := os.Stat(path)
	fmt.Printf("generated %s: %d lines (%d in planted chains), %.0f MB in %.1f s\n", path, gen.Lines, gen.Planted, float64(st.Size())/1e6, time.Since(t0).Seconds())

	// 2. Import into the in-memory index.
	runtime.GC()
	t0 = time.Now()
	f, err = os.Open(path)
	if err != nil {
		return err
	}
	l, err := trace.LoadTransferCSV(f, gen.Lines)
	f.Close()
	if err != nil {
		return err
	}
	imp := time.Since(t0)
	fmt.Printf("import: %d transfers → %d statement rows of %d accounts in %.2f s = %.0f rows/s\n",
		gen.Lines, l.Rows(), l.Accounts(), imp.Seconds(), float64(gen.Lines)/imp.Seconds())
	if mb := procMB("/proc/self/smaps_rollup", "Rss:", "AnonHugePages:"); mb[0] >= 0 {
		fmt.Printf("memory: %d MB resident, %d MB of it on transparent huge pages\n", mb[0], mb[1])
	}

	// 3. PostgreSQL: the same transfers, COPY, index; not timed with traces.
	var pg *pgTraceTable
	if *pgURL == "" {
		fmt.Println("PostgreSQL: no server (--postgres or FANZHA_TEST_POSTGRES): CTE comparison skipped")
	} else {
		pg, err = loadPGTraceTable(ctx, *pgURL, l, *pgTransfers)
		if err != nil {
			return err
		}
		defer pg.drop()
	}

	// 4. Trace every planted victim transfer (timed), in rounds: each round
	// traces all starts, then runs a share of the CTEs. A p50 taken over a
	// tenth of a second of traces moves by a quarter with what else the
	// host does then; spread over the whole run, both sides see the same
	// machine. Between rounds PostgreSQL's queries have long pushed the
	// ledger out of the processor's caches, so a later round is no warmer.
	//
	// Traces are timed as a running server does them: on a heap that has
	// been collected before. A fresh process with a 1.4 GB ledger and the
	// default GOGC would not collect during the whole run, so every trace's
	// result would land on memory never touched before, and each first
	// touch of a page is a page fault (2–13 µs on this VM, several per
	// trace). So one untimed round runs first, and a collection (untimed)
	// precedes every round: a round's results then reuse the memory the
	// previous round's have freed.
	opt := trace.Options{Rule: rule, LIBRCap: *libr, MaxHops: *hops, Envelope: true}
	for _, s := range gen.Starts {
		if _, err := trace.Trace(l, []trace.Start{s}, opt); err != nil {
			return err
		}
	}
	var lat, pgLat []time.Duration
	var reached, nodes, leaves, mismatches int
	sets := make([][]int64, len(gen.Starts))
	names := make([][]string, len(gen.Starts))
	counts := make([]int, len(gen.Starts))
	for r := 0; r < *rounds; r++ {
		runtime.GC()
		for k, s := range gen.Starts {
			t1 := time.Now()
			res, err := trace.Trace(l, []trace.Start{s}, opt)
			d := time.Since(t1)
			if err != nil {
				return err
			}
			lat = append(lat, d)
			if err := res.CheckConservation(); err != nil {
				return fmt.Errorf("trace %d: %w", k, err)
			}
			// The same work between traces in every round; what is kept
			// comes from the first.
			reachable := res.Reachable()
			if r > 0 {
				if len(reachable) != counts[k] {
					return fmt.Errorf("trace %d reached %d accounts in round %d, %d in the first", k, len(reachable), r+1, counts[k])
				}
				continue
			}
			counts[k] = len(reachable)
			reached += len(reachable)
			nodes += len(res.Nodes)
			for _, n := range res.Nodes {
				if n.Kind == "leaf" {
					leaves++
				}
			}
			if pg != nil {
				// Kept as returned (substrings of the ledger's names, no
				// copies); turned into sorted sets after the timed loop,
				// so that no other work runs between traces.
				if pg.limit > 0 {
					names[k] = l.Reach([]trace.Start{s}, *hops, 0, pg.limit)
				} else {
					names[k] = reachable
				}
			}
		}
		if pg == nil {
			continue
		}
		if r == 0 {
			for k := range names {
				if sets[k], err = accountSet(names[k]); err != nil {
					return err
				}
				names[k] = nil
			}
		}
		n := len(gen.Starts)
		for k := r * n / *rounds; k < (r+1)*n / *rounds; k++ {
			s := gen.Starts[k]
			got, d, err := pg.reach(ctx, s, *hops)
			if err != nil {
				return fmt.Errorf("CTE for trace %d: %w", k, err)
			}
			pgLat = append(pgLat, d)
			gs, err := accountSet(got)
			if err != nil {
				return err
			}
			if !slices.Equal(gs, sets[k]) {
				mismatches++
				if mismatches <= 5 {
					fmt.Printf("MISMATCH trace %d (%s at %s): fanzha reached %d accounts, CTE %d\n", k, s.ToAccount, s.At.Format(time.RFC3339), len(sets[k]), len(gs))
				}
			}
			sets[k] = nil
		}
	}
	n := len(gen.Starts)
	fmt.Printf("traces: %d victim transfers × %d rounds, %d hops, rule %s: p50 %.3f ms, p90 %.3f ms, p99 %.3f ms, max %.3f ms; mean %.0f accounts reachable, %.1f nodes in the flow graph (%.1f leaves)\n",
		n, *rounds, *hops, rule, traceMs(tracePct(lat, 0.5)), traceMs(tracePct(lat, 0.9)), traceMs(tracePct(lat, 0.99)), traceMs(tracePct(lat, 1)),
		float64(reached)/float64(n), float64(nodes)/float64(n), float64(leaves)/float64(n))
	pgP50, speedup := "NA", "NA"
	if pg != nil {
		fmt.Printf("PostgreSQL recursive CTE on %d transfers: p50 %.2f ms, p99 %.2f ms, max %.2f ms; reached sets identical on %d of %d traces\n",
			pg.rows, traceMs(tracePct(pgLat, 0.5)), traceMs(tracePct(pgLat, 0.99)), traceMs(tracePct(pgLat, 1)), n-mismatches, n)
		pgP50 = fmt.Sprintf("%.2f", traceMs(tracePct(pgLat, 0.5)))
		speedup = fmt.Sprintf("%.0f", float64(tracePct(pgLat, 0.5))/float64(tracePct(lat, 0.5)))
	}
	fmt.Printf("RESULT transactions=%d trace_p50_ms=%.3f trace_p99_ms=%.3f pg_cte_p50_ms=%s speedup=%s rss_mb=%d\n",
		gen.Lines, traceMs(tracePct(lat, 0.5)), traceMs(tracePct(lat, 0.99)), pgP50, speedup, peakRSSMB())
	if mismatches > 0 {
		return fmt.Errorf("%d traces reached a different set of accounts than the CTE", mismatches)
	}
	return nil
}

// benchTCR5 runs FinBench TCR5 from every account with outgoing transfers
// and checks each answer against the same query as a recursive CTE.
func benchTCR5(ctx context.Context, dir, window, pgURL string) error {
	runtime.GC()
	// The transfer table goes through the statement importer (built-in
	// mapping finbench-transfer) into a SQLite database in a temporary
	// folder, and is read back as a ledger: the path a centre's data takes.
	tmp, err := os.MkdirTemp("", "fanzha-finbench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	d, err := db.Open(ctx, "", tmp)
	if err != nil {
		return err
	}
	defer d.Close()
	if _, err := d.Migrate(ctx); err != nil {
		return err
	}
	file := filepath.Join(dir, "snapshot", "AccountTransferAccount.csv")
	f, err := os.Open(file)
	if err != nil {
		return fmt.Errorf("FinBench transfers: %w", err)
	}
	t0 := time.Now()
	rep, err := funds.ImportStatement(ctx, d, filepath.Base(file), f, funds.ImportOptions{})
	f.Close()
	if err != nil {
		return err
	}
	imp := time.Since(t0)
	t0 = time.Now()
	l, err := funds.LoadLedger(ctx, d, nil)
	if err != nil {
		return err
	}
	n := int(rep.Rows - rep.Bad)
	fmt.Printf("FinBench TCR5 on %s: %d transfers imported through the statement importer (mapping %s: %d statement rows, %d lines refused: a transfer to the same account or of nothing) in %.3f s = %.0f rows/s; ledger of %d accounts read back in %.3f s\n",
		dir, n, rep.Mapping, rep.Stored, rep.Bad, imp.Seconds(), float64(rep.Rows)/imp.Seconds(), l.Accounts(), time.Since(t0).Seconds())
	params, err := trace.ReadTCR5Params(dir)
	if err != nil {
		return err
	}
	if len(params) == 0 {
		return errors.New("complex_5_param.csv has no rows")
	}
	p := params[0].Params
	first, last := l.Span()
	fmt.Printf("parameters (read_params/complex_5_param.csv row 1): window %d–%d ms, truncationLimit %d, truncationOrder %s\n",
		p.Start.UnixMilli(), p.End.UnixMilli(), p.TruncationLimit, p.TruncationOrder)
	switch {
	case window != "":
		a, b, ok := strings.Cut(window, ",")
		from, err1 := time.Parse(time.RFC3339, a)
		to, err2 := time.Parse(time.RFC3339, b)
		if !ok || err1 != nil || err2 != nil {
			return fmt.Errorf("%w: --window from,to in RFC 3339", errUsage)
		}
		p.Start, p.End = from, to
	case !p.End.After(first) || !p.Start.Before(last):
		fmt.Printf("the example's window selects no transfer (data span %s – %s): using the whole span instead\n",
			first.Format(time.RFC3339Nano), last.Format(time.RFC3339Nano))
		p.Start, p.End = first.Add(-time.Millisecond), last.Add(time.Millisecond)
	}
	var srcs []string
	seen := map[string]bool{}
	l.EachTransfer(func(_ int32, from, _ string, _, _ int64) bool {
		if !seen[from] {
			seen[from] = true
			srcs = append(srcs, from)
		}
		return true
	})
	var pg *pgTraceTable
	if pgURL == "" {
		fmt.Println("PostgreSQL: no server (--postgres or FANZHA_TEST_POSTGRES): CTE comparison skipped")
	} else if pg, err = loadPGTraceTable(ctx, pgURL, l, 0); err != nil {
		return err
	} else {
		defer pg.drop()
	}
	var lat, pgLat []time.Duration
	paths, mismatches := 0, 0
	for _, src := range srcs {
		t1 := time.Now()
		res, err := trace.TCR5(l, src, p)
		d := time.Since(t1)
		if err != nil {
			return err
		}
		lat = append(lat, d)
		paths += len(res)
		if pg == nil {
			continue
		}
		got, d, err := pg.tcr5(ctx, src, p)
		if err != nil {
			return fmt.Errorf("TCR5 CTE from %s: %w", src, err)
		}
		pgLat = append(pgLat, d)
		want := make([]string, len(res))
		for k, ps := range res {
			want[k] = strings.Join(ps, ">")
		}
		if !sameSet(got, want) {
			mismatches++
			if mismatches <= 5 {
				fmt.Printf("MISMATCH TCR5 from %s: fanzha %d paths, CTE %d\n", src, len(want), len(got))
			}
		}
	}
	fmt.Printf("TCR5 from %d accounts: %d paths; p50 %.3f ms, p99 %.3f ms, max %.3f ms\n",
		len(srcs), paths, traceMs(tracePct(lat, 0.5)), traceMs(tracePct(lat, 0.99)), traceMs(tracePct(lat, 1)))
	pgP50, speedup := "NA", "NA"
	if pg != nil {
		fmt.Printf("PostgreSQL recursive CTE (LATERAL … ORDER BY … LIMIT per step): p50 %.2f ms, p99 %.2f ms; answers identical on %d of %d accounts\n",
			traceMs(tracePct(pgLat, 0.5)), traceMs(tracePct(pgLat, 0.99)), len(srcs)-mismatches, len(srcs))
		pgP50 = fmt.Sprintf("%.2f", traceMs(tracePct(pgLat, 0.5)))
		speedup = fmt.Sprintf("%.0f", float64(tracePct(pgLat, 0.5))/float64(tracePct(lat, 0.5)))
	}
	fmt.Printf("RESULT transactions=%d trace_p50_ms=%.3f trace_p99_ms=%.3f pg_cte_p50_ms=%s speedup=%s rss_mb=%d\n",
		n, traceMs(tracePct(lat, 0.5)), traceMs(tracePct(lat, 0.99)), pgP50, speedup, peakRSSMB())
	if mismatches > 0 {
		return fmt.Errorf("%d TCR5 answers differ from the CTE", mismatches)
	}
	return nil
}

// pgTraceTable is the benchmark's copy of the transfers in PostgreSQL, in a
// schema of its own dropped afterwards. Accounts are bigint (the account
// numbers are digit strings).
type pgTraceTable struct {
	conn   *pgx.Conn
	url    string
	schema string
	rows   int
	limit  int // only transfers with seq < limit (0: all)
}

func loadPGTraceTable(ctx context.Context, url string, l *trace.Ledger, limit int) (*pgTraceTable, error) {
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return nil, fmt.Errorf("connect to PostgreSQL: %w", err)
	}
	pg := &pgTraceTable{conn: conn, url: url, schema: fmt.Sprintf("fanzha_bench_trace_%d_%d", os.Getpid(), rand.IntN(1e6)), limit: limit}
	if _, err := conn.Exec(ctx, `CREATE SCHEMA `+pg.schema+`; CREATE UNLOGGED TABLE `+pg.schema+`.transfers (id bigint, from_id bigint, to_id bigint, at bigint, amount_fen bigint)`); err != nil {
		conn.Close(ctx)
		return nil, err
	}
	t0 := time.Now()
	// Stream the ledger's transfers through COPY without holding them.
	type row struct{ id, from, to, at, amt int64 }
	ch := make(chan row, 4096)
	var convErr error
	go func() {
		defer close(ch)
		l.EachTransfer(func(seq int32, from, to string, at, amt int64) bool {
			if limit > 0 && int(seq) >= limit {
				return true
			}
			f, err1 := strconv.ParseInt(from, 10, 64)
			t, err2 := strconv.ParseInt(to, 10, 64)
			if err1 != nil || err2 != nil {
				convErr = fmt.Errorf("account %q or %q is not a number", from, to)
				return false
			}
			select {
			case ch <- row{int64(seq), f, t, at, amt}:
				return true
			case <-ctx.Done():
				return false
			}
		})
	}()
	var cur row
	n, err := conn.CopyFrom(ctx, pgx.Identifier{pg.schema, "transfers"}, []string{"id", "from_id", "to_id", "at", "amount_fen"},
		pgx.CopyFromFunc(func() ([]any, error) {
			r, ok := <-ch
			if !ok {
				return nil, convErr
			}
			cur = r
			return []any{cur.id, cur.from, cur.to, cur.at, cur.amt}, nil
		}))
	for range ch { // drain on error
	}
	if err == nil {
		err = convErr
	}
	if err != nil {
		pg.drop()
		return nil, fmt.Errorf("COPY transfers: %w", err)
	}
	pg.rows = int(n)
	copied := time.Since(t0)
	t1 := time.Now()
	// VACUUM, not only ANALYZE: after a bulk load the table's visibility
	// map is empty, so the index — which covers every column the CTE reads
	// — cannot answer alone and each probe also reads the table. A table
	// an analyst queries has been vacuumed (autovacuum does it in time);
	// the comparison is with PostgreSQL at its best, using index-only
	// scans.
	if _, err := conn.Exec(ctx, `CREATE INDEX ON `+pg.schema+`.transfers (from_id, at) INCLUDE (to_id, amount_fen, id)`); err != nil {
		pg.drop()
		return nil, err
	}
	if _, err := conn.Exec(ctx, `VACUUM (ANALYZE) `+pg.schema+`.transfers`); err != nil {
		pg.drop()
		return nil, err
	}
	// The load left a gigabyte or more of dirty pages (table and index
	// files) that the kernel would write back during the first rounds,
	// its flusher threads taking processor time from both sides: write
	// them now.
	syncDisks()
	prefix := ""
	if limit > 0 {
		prefix = fmt.Sprintf(" (the first %d lines only: --pg-transfers; compared with fanzha's envelope on the same prefix)", limit)
	}
	fmt.Printf("PostgreSQL: %d transfers COPYed into %s.transfers in %.1f s (%.0f rows/s), index (from_id, at), VACUUM (ANALYZE) and sync in %.1f s%s\n",
		n, pg.schema, copied.Seconds(), float64(n)/copied.Seconds(), time.Since(t1).Seconds(), prefix)
	return pg, nil
}

func (pg *pgTraceTable) drop() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_, _ = pg.conn.Exec(ctx, `DROP SCHEMA IF EXISTS `+pg.schema+` CASCADE`)
	pg.conn.Close(ctx)
}

func (pg *pgTraceTable) query(ctx context.Context, q string, args ...any) ([]string, time.Duration, error) {
	qctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	t0 := time.Now()
	rows, err := pg.conn.Query(qctx, q, args...)
	if err != nil {
		return nil, 0, err
	}
	var out []string
	for rows.Next() {
		var v any
		if err := rows.Scan(&v); err != nil {
			rows.Close()
			return nil, 0, err
		}
		switch x := v.(type) {
		case int64:
			out = append(out, strconv.FormatInt(x, 10))
		case []any:
			parts := make([]string, len(x))
			for k, p := range x {
				parts[k] = fmt.Sprint(p)
			}
			out = append(out, strings.Join(parts, ">"))
		default:
			out = append(out, fmt.Sprint(x))
		}
	}
	rows.Close()
	d := time.Since(t0)
	return out, d, rows.Err()
}

func (pg *pgTraceTable) reach(ctx context.Context, s trace.Start, hops int) ([]string, time.Duration, error) {
	a, err := strconv.ParseInt(s.ToAccount, 10, 64)
	if err != nil {
		return nil, 0, err
	}
	return pg.query(ctx, trace.ReachSQL(pg.schema+".transfers"), a, s.At.UnixMilli(), hops)
}

func (pg *pgTraceTable) tcr5(ctx context.Context, src string, p trace.TCR5Params) ([]string, time.Duration, error) {
	a, err := strconv.ParseInt(src, 10, 64)
	if err != nil {
		return nil, 0, err
	}
	var limit any
	if p.TruncationLimit > 0 {
		limit = p.TruncationLimit
	}
	return pg.query(ctx, trace.TCR5SQL(pg.schema+".transfers", p.TruncationOrder), a, p.Start.UnixMilli(), p.End.UnixMilli(), limit)
}

// accountSet turns account numbers into a sorted set of integers.
func accountSet(names []string) ([]int64, error) {
	out := make([]int64, len(names))
	for k, n := range names {
		v, err := strconv.ParseInt(n, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("account %q is not a number", n)
		}
		out[k] = v
	}
	slices.Sort(out)
	return out, nil
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	x, y := slices.Clone(a), slices.Clone(b)
	sort.Strings(x)
	sort.Strings(y)
	return slices.Equal(x, y)
}

func tracePct(d []time.Duration, p float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	k := int(p*float64(len(s)-1) + 0.5)
	return s[min(k, len(s)-1)]
}

func traceMs(d time.Duration) float64 { return float64(d) / 1e6 }

// peakRSSMB is the process's peak resident memory (VmHWM) in MB.
func peakRSSMB() int { return procMB("/proc/self/status", "VmHWM:")[0] }

// procMB reads "Name:   123 kB" lines of a /proc file in MB, one value per
// name from the same read; −1 for a name not there (or not Linux).
func procMB(path string, names ...string) []int {
	out := make([]int, len(names))
	for k := range out {
		out[k] = -1
	}
	f, err := os.Open(path)
	if err != nil {
		return out
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		for k, name := range names {
			if v, ok := strings.CutPrefix(sc.Text(), name); ok {
				kb, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
				out[k] = kb / 1024
			}
		}
	}
	return out
}
