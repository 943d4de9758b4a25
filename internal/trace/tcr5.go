package trace

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/fanzha/fanzha/internal/money"
)

// FinBench TCR5, "exact account transfer trace" (LDBC Financial Benchmark,
// transaction workload, complex read 5; ldbc/ldbc_finbench_docs,
// query-specifications/transaction-complex-read-05.yaml and the
// "Truncation on hub vertices" section of workloads.tex), as a mode of the
// trace engine on the same Ledger. From a source account:
//
//   - every path src → a1 → … → ak of k = 1, 2 or 3 transfers,
//   - each transfer's time strictly inside the window: startTime < t < endTime,
//   - times strictly increasing along the path,
//   - no account twice (so the destination differs from the source),
//   - at each step only the first truncationLimit transfers of the current
//     account are traversed: its outgoing transfers inside the window,
//     sorted by truncationOrder (ties by the order the transfers were
//     loaded), truncated before the time and repetition conditions apply;
//   - several transfers between the same accounts give the same path;
//   - result: the distinct account paths, longest first, then by account
//     numbers (numerically for digit strings).
//
// The benchmark states TCR5 from a person's accounts; fanzha runs it from an
// account (a person's query is the union over her accounts).

// TruncationOrder is FinBench's sort order before truncation.
type TruncationOrder int

// The truncation orders of FinBench.
const (
	TimestampDescending TruncationOrder = iota // FinBench's default
	TimestampAscending
	AmountDescending
	AmountAscending
)

func (o TruncationOrder) String() string {
	return [...]string{"TIMESTAMP_DESCENDING", "TIMESTAMP_ASCENDING", "AMOUNT_DESCENDING", "AMOUNT_ASCENDING"}[o]
}

// ParseTruncationOrder reads TIMESTAMP_ASCENDING (or TIME_ASCENDING) and the
// like.
func ParseTruncationOrder(s string) (TruncationOrder, error) {
	switch strings.ToUpper(strings.TrimSpace(s)) {
	case "TIMESTAMP_DESCENDING", "TIME_DESCENDING", "":
		return TimestampDescending, nil
	case "TIMESTAMP_ASCENDING", "TIME_ASCENDING":
		return TimestampAscending, nil
	case "AMOUNT_DESCENDING":
		return AmountDescending, nil
	case "AMOUNT_ASCENDING":
		return AmountAscending, nil
	}
	return 0, fmt.Errorf("unknown truncation order %q", s)
}

// TCR5Params are the parameters of one TCR5 query.
type TCR5Params struct {
	Start, End      time.Time // exclusive bounds of the window
	TruncationLimit int       // ≤ 0: no truncation
	TruncationOrder TruncationOrder
}

// TCR5 returns the exact account transfer traces from src.
func TCR5(l *Ledger, src string, p TCR5Params) ([][]string, error) {
	s, ok := l.index.get(src)
	if !ok {
		return nil, fmt.Errorf("tcr5: account %s: not in the ledger", src)
	}
	lo, hi := p.Start.UnixMilli(), p.End.UnixMilli()
	cache := map[int32][]int32{}
	edges := func(a int32) []int32 {
		if e, ok := cache[a]; ok {
			return e
		}
		r0, r1 := l.rowsOf(a)
		i := l.firstAfter(r0, r1, lo)
		var e []int32
		for ; i < r1 && l.rows[i].at < hi; i++ {
			if l.rows[i].amt < 0 && l.rows[i].counter >= 0 {
				e = append(e, i)
			}
		}
		// Rows are in (time, seq) order: ascending time needs no sort.
		switch p.TruncationOrder {
		case TimestampDescending:
			slices.SortStableFunc(e, func(x, y int32) int { return cmpDesc(l.rows[x].at, l.rows[y].at) })
		case AmountDescending, AmountAscending:
			// By amount, ties by load order (seq), not by time.
			desc := p.TruncationOrder == AmountDescending
			slices.SortFunc(e, func(x, y int32) int {
				ax, ay := -l.rows[x].amt, -l.rows[y].amt
				if desc {
					ax, ay = ay, ax
				}
				if c := cmpDesc(ay, ax); c != 0 {
					return c
				}
				return int(l.rows[x].seq - l.rows[y].seq)
			})
		}
		if p.TruncationLimit > 0 && len(e) > p.TruncationLimit {
			e = e[:p.TruncationLimit]
		}
		cache[a] = e
		return e
	}
	// Paths as fixed arrays (a path has at most 4 accounts), deduplicated
	// by sorting: several transfers between the same accounts give one path.
	type fixedPath struct {
		n int
		a [4]int32
	}
	var found []fixedPath
	path := fixedPath{n: 1}
	path.a[0] = s
	var walk func(last int32, t int64)
	walk = func(last int32, t int64) {
		for _, i := range edges(last) {
			next := l.rows[i].counter
			if l.rows[i].at <= t || slices.Contains(path.a[:path.n], next) {
				continue
			}
			path.a[path.n] = next
			path.n++
			found = append(found, path)
			if path.n < 4 {
				walk(next, l.rows[i].at)
			}
			path.n--
			path.a[path.n] = 0 // unused entries stay zero: equal paths compare equal
		}
	}
	walk(s, lo)
	// One sort in the result order (longest first, then by account
	// numbers); equal paths become neighbours and are dropped.
	cmpAcct := func(a, b int32) int {
		if a == b {
			return 0
		}
		return cmpAccountNumbers(l.names.at(a), l.names.at(b))
	}
	slices.SortFunc(found, func(x, y fixedPath) int {
		if x.n != y.n {
			return y.n - x.n
		}
		for k := 0; k < x.n; k++ {
			if c := cmpAcct(x.a[k], y.a[k]); c != 0 {
				return c
			}
		}
		return 0
	})
	found = slices.Compact(found)
	out := make([][]string, len(found))
	all := make([]string, 0, 4*len(found))
	for k, p := range found {
		for _, a := range p.a[:p.n] {
			all = append(all, l.names.at(a))
		}
		out[k] = all[len(all)-p.n : len(all) : len(all)]
	}
	return out, nil
}

// cmpAccountNumbers orders account numbers numerically when they are digit
// strings (shorter first), else as text.
func cmpAccountNumbers(a, b string) int {
	if len(a) != len(b) {
		return len(a) - len(b)
	}
	return strings.Compare(a, b)
}

func cmpDesc(a, b int64) int {
	switch {
	case a > b:
		return -1
	case a < b:
		return 1
	}
	return 0
}

// SortTransferPaths orders paths as TCR5 returns them: longest first, then
// by account numbers (numerically for digit strings of different length).
func SortTransferPaths(ps [][]string) {
	slices.SortFunc(ps, func(a, b []string) int {
		if len(a) != len(b) {
			return len(b) - len(a)
		}
		for k := range a {
			if c := cmpAccountNumbers(a[k], b[k]); c != 0 {
				return c
			}
		}
		return 0
	})
}

// FinBenchTransfers is a loaded AccountTransferAccount file.
type FinBenchTransfers struct {
	Ledger  *Ledger
	Loaded  int // transfers in the ledger
	Skipped int // lines a trace cannot follow: transfers to the same account, or of nothing
}

// LoadFinBenchTransfers reads FinBench's snapshot/AccountTransferAccount.csv
// (fromId|toId|amount|createTime, pipe-separated with a header) from dir
// into a ledger, each transfer linked at both ends. Amounts are rounded to
// fen half up; times are read as UTC.
//
// TODO(statement importer): read this through the statement importer with
// a FinBench column mapping once it can take transfer files.
func LoadFinBenchTransfers(dir string) (FinBenchTransfers, error) {
	f, err := os.Open(filepath.Join(dir, "snapshot", "AccountTransferAccount.csv"))
	if err != nil {
		return FinBenchTransfers{}, err
	}
	defer f.Close()
	return ReadFinBenchTransfers(f)
}

// ReadFinBenchTransfers reads the AccountTransferAccount format from r.
func ReadFinBenchTransfers(r io.Reader) (FinBenchTransfers, error) {
	b := NewLedgerBuilder()
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<16), 1<<20)
	n, skipped, line := 0, 0, 0
	for sc.Scan() {
		line++
		text := strings.TrimRight(sc.Text(), "\r")
		if line == 1 {
			if !strings.HasPrefix(text, "fromId|toId|amount|createTime") {
				return FinBenchTransfers{}, fmt.Errorf("finbench transfers: header %q", text)
			}
			continue
		}
		if text == "" {
			continue
		}
		fs := strings.Split(text, "|")
		if len(fs) < 4 {
			return FinBenchTransfers{}, fmt.Errorf("finbench transfers line %d: %d fields", line, len(fs))
		}
		fen, err := money.ParseYuanRounded(fs[2])
		if err != nil {
			return FinBenchTransfers{}, fmt.Errorf("finbench transfers line %d: amount %q: %w", line, fs[2], err)
		}
		at, err := time.Parse("2006-01-02 15:04:05.999999999", fs[3])
		if err != nil {
			return FinBenchTransfers{}, fmt.Errorf("finbench transfers line %d: time %q: %w", line, fs[3], err)
		}
		if fs[0] == "" || fs[1] == "" || fs[0] == fs[1] || fen <= 0 {
			skipped++ // nothing a trace can follow: a transfer to itself, or nothing
			continue
		}
		b.AddTransfer(fs[0], fs[1], at, fen)
		n++
	}
	if err := sc.Err(); err != nil {
		return FinBenchTransfers{}, err
	}
	return FinBenchTransfers{Ledger: b.Build(), Loaded: n, Skipped: skipped}, nil
}

// TCR5ParamRow is one row of read_params/complex_5_param.csv
// (id|startTime|endTime|truncationLimit|truncationOrder; times in ms).
type TCR5ParamRow struct {
	PersonID string
	Params   TCR5Params
}

// ReadTCR5Params reads FinBench's TCR5 parameter file from dir.
func ReadTCR5Params(dir string) ([]TCR5ParamRow, error) {
	data, err := os.ReadFile(filepath.Join(dir, "read_params", "complex_5_param.csv"))
	if err != nil {
		return nil, err
	}
	var out []TCR5ParamRow
	for k, ln := range bytes.Split(data, []byte("\n")) {
		text := strings.TrimSpace(string(ln))
		if k == 0 || text == "" {
			continue
		}
		fs := strings.Split(text, "|")
		if len(fs) < 5 {
			return nil, fmt.Errorf("complex_5_param.csv line %d: %d fields", k+1, len(fs))
		}
		st, err1 := strconv.ParseInt(fs[1], 10, 64)
		en, err2 := strconv.ParseInt(fs[2], 10, 64)
		lim, err3 := strconv.Atoi(fs[3])
		ord, err4 := ParseTruncationOrder(fs[4])
		if err := errors.Join(err1, err2, err3, err4); err != nil {
			return nil, fmt.Errorf("complex_5_param.csv line %d: %w", k+1, err)
		}
		out = append(out, TCR5ParamRow{PersonID: fs[0], Params: TCR5Params{Start: time.UnixMilli(st).UTC(), End: time.UnixMilli(en).UTC(),
			TruncationLimit: lim, TruncationOrder: ord}})
	}
	return out, nil
}

// TCR5SQL is the same query as a PostgreSQL recursive CTE over a table
// table(id, from_id, to_id, at, amount_fen), where id orders transfers like
// the ledger's load order. Parameters: $1 source, $2 start ms, $3 end ms,
// $4 truncation limit (NULL: none). It returns one row per distinct path
// (an array of account ids).
func TCR5SQL(table string, order TruncationOrder) string {
	by := map[TruncationOrder]string{
		TimestampDescending: "at DESC, id", TimestampAscending: "at, id",
		AmountDescending: "amount_fen DESC, id", AmountAscending: "amount_fen, id",
	}[order]
	step := `SELECT to_id, at FROM ` + table + ` WHERE from_id = %s AND at > $2 AND at < $3 ORDER BY ` + by + ` LIMIT $4`
	return `WITH RECURSIVE p(last, t, path) AS (
    SELECT e.to_id, e.at, ARRAY[$1::bigint, e.to_id]
    FROM (` + fmt.Sprintf(step, "$1") + `) e
    WHERE e.to_id <> $1
  UNION ALL
    SELECT e.to_id, e.at, p.path || e.to_id
    FROM p CROSS JOIN LATERAL (` + fmt.Sprintf(step, "p.last") + `) e
    WHERE cardinality(p.path) < 4 AND e.at > p.t AND e.to_id <> ALL (p.path)
)
SELECT DISTINCT path FROM p`
}
