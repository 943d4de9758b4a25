package trace

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fanzha/fanzha/internal/db/dbtest"
)

func tcr5Ledger(lines ...string) *Ledger {
	fb, err := ReadFinBenchTransfers(strings.NewReader("fromId|toId|amount|createTime\n" + strings.Join(lines, "\n")))
	if err != nil {
		panic(err)
	}
	return fb.Ledger
}

func pathStrings(ps [][]string) []string {
	var out []string
	for _, p := range ps {
		out = append(out, strings.Join(p, ">"))
	}
	return out
}

func TestTCR5HandWorked(t *testing.T) {
	l := tcr5Ledger(
		"1|2|100.005|2020-01-01 00:00:01.5",
		"1|2|50|2020-01-01 00:00:09",
		"2|3|10|2020-01-01 00:00:02",
		"2|1|10|2020-01-01 00:00:03", // back to the source: not a path
		"3|4|10|2020-01-01 00:00:01", // earlier than 2→3: not after it
		"3|4|10|2020-01-01 00:00:04",
		"4|5|10|2020-01-01 00:00:05", // a fourth hop: too long
		"2|6|10|2020-01-01 00:00:08", // after the first 1→2 only
		"6|7|10|2020-01-01 00:00:07", // before 2→6
	)
	all := TCR5Params{Start: time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC), End: time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC)}
	got, err := TCR5(l, "1", all)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"1>2>3>4", "1>2>3", "1>2>6", "1>2"}
	if !reflect.DeepEqual(pathStrings(got), want) {
		t.Fatalf("paths %v, want %v", pathStrings(got), want)
	}
	// Truncation: one transfer per step, latest first: 1→2 at :09 only,
	// then 2's latest transfer 2→6 is at :08, before :09.
	p := all
	p.TruncationLimit, p.TruncationOrder = 1, TimestampDescending
	got, _ = TCR5(l, "1", p)
	if !reflect.DeepEqual(pathStrings(got), []string{"1>2"}) {
		t.Fatalf("truncated desc: %v", pathStrings(got))
	}
	// Earliest first: 1→2 at :01.5, 2→3 at :02, 3→4 at :01 (truncated to
	// it; :04 is cut).
	p.TruncationOrder = TimestampAscending
	got, _ = TCR5(l, "1", p)
	if !reflect.DeepEqual(pathStrings(got), []string{"1>2>3", "1>2"}) {
		t.Fatalf("truncated asc: %v", pathStrings(got))
	}
	// Window: only transfers strictly after :01.5.
	p = all
	p.Start = time.Date(2020, 1, 1, 0, 0, 1, 500e6, time.UTC)
	got, _ = TCR5(l, "1", p)
	if !reflect.DeepEqual(pathStrings(got), []string{"1>2"}) {
		t.Fatalf("window: %v", pathStrings(got))
	}
	if o, err := ParseTruncationOrder("TIMESTAMP_ASCENDING"); err != nil || o != TimestampAscending || o.String() != "TIMESTAMP_ASCENDING" {
		t.Fatalf("order %v %v", o, err)
	}
}

// randomTransfers is a random FinBench-like transfer file.
func randomTransfers(rng *rand.Rand, accounts, n int) *Ledger {
	var lines []string
	for k := 0; k < n; k++ {
		f, to := 1+rng.IntN(accounts), 1+rng.IntN(accounts)
		if f == to {
			continue
		}
		lines = append(lines, fmt.Sprintf("%d|%d|%d.%02d|2020-01-01 00:%02d:%02d", f, to, 1+rng.IntN(50), rng.IntN(100), rng.IntN(60), rng.IntN(60)))
	}
	return tcr5Ledger(lines...)
}

// TestTCR5BruteForce: the engine against a plain enumeration of the
// definition on random graphs, for every truncation order.
func TestTCR5BruteForce(t *testing.T) {
	for it := 0; it < 300; it++ {
		rng := rand.New(rand.NewPCG(uint64(it), 5))
		l := randomTransfers(rng, 4+rng.IntN(8), rng.IntN(60))
		type edge struct {
			from, to string
			at, amt  int64
			seq      int32
		}
		var es []edge
		l.EachTransfer(func(seq int32, from, to string, at, amt int64) bool {
			es = append(es, edge{from, to, at, amt, seq})
			return true
		})
		p := TCR5Params{Start: time.Date(2020, 1, 1, 0, rng.IntN(20), 0, 0, time.UTC), End: time.Date(2020, 1, 1, 0, 40+rng.IntN(20), 0, 0, time.UTC),
			TruncationLimit: rng.IntN(4), TruncationOrder: TruncationOrder(rng.IntN(4))}
		out := func(a string) []edge {
			var o []edge
			for _, e := range es {
				if e.from == a && e.at > p.Start.UnixMilli() && e.at < p.End.UnixMilli() {
					o = append(o, e)
				}
			}
			slices.SortFunc(o, func(x, y edge) int {
				var c int
				switch p.TruncationOrder {
				case TimestampAscending:
					c = int(x.at - y.at)
				case TimestampDescending:
					c = int(y.at - x.at)
				case AmountAscending:
					c = int(x.amt - y.amt)
				case AmountDescending:
					c = int(y.amt - x.amt)
				}
				if c == 0 {
					c = int(x.seq - y.seq)
				}
				return c
			})
			if p.TruncationLimit > 0 && len(o) > p.TruncationLimit {
				o = o[:p.TruncationLimit]
			}
			return o
		}
		for a := 0; a < l.Accounts(); a++ {
			src := l.AccountName(int32(a))
			want := map[string]bool{}
			var walk func(path []string, t int64)
			walk = func(path []string, t int64) {
				for _, e := range out(path[len(path)-1]) {
					if e.at <= t || slices.Contains(path, e.to) {
						continue
					}
					np := append(slices.Clone(path), e.to)
					want[strings.Join(np, ">")] = true
					if len(np) < 4 {
						walk(np, e.at)
					}
				}
			}
			walk([]string{src}, 0)
			got, err := TCR5(l, src, p)
			if err != nil {
				t.Fatal(err)
			}
			gs := pathStrings(got)
			if len(gs) != len(want) {
				t.Fatalf("iter %d src %s %+v: %v, want %v", it, src, p, gs, want)
			}
			for _, g := range gs {
				if !want[g] {
					t.Fatalf("iter %d src %s: extra path %s", it, src, g)
				}
			}
		}
	}
}

// TestTraceSQLMatchesEngine: the recursive CTEs give exactly what the
// engine gives (PostgreSQL only).
func TestTraceSQLMatchesEngine(t *testing.T) {
	d := dbtest.Postgres(t)
	ctx := context.Background()
	if _, err := d.Exec(ctx, `CREATE TABLE tr (id bigint, from_id bigint, to_id bigint, at bigint, amount_fen bigint)`); err != nil {
		t.Fatal(err)
	}
	for it := 0; it < 20; it++ {
		rng := rand.New(rand.NewPCG(uint64(it), 11))
		var l *Ledger
		var starts []Start
		if it%2 == 0 {
			l, starts, _ = randomTraceLedger(rng)
		} else {
			l = randomTransfers(rng, 6, 50)
		}
		if _, err := d.Exec(ctx, `DELETE FROM tr`); err != nil {
			t.Fatal(err)
		}
		l.EachTransfer(func(seq int32, from, to string, at, amt int64) bool {
			f, _ := l.AccountID(from)
			g, _ := l.AccountID(to)
			if _, err := d.Exec(ctx, `INSERT INTO tr VALUES (?, ?, ?, ?, ?)`, seq, f, g, at, amt); err != nil {
				t.Fatal(err)
			}
			return true
		})
		ids := func(q string, args ...any) []string {
			rows, err := d.DB.QueryContext(ctx, q, args...)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			var out []string
			for rows.Next() {
				var s string
				if err := rows.Scan(&s); err != nil {
					t.Fatal(err)
				}
				out = append(out, s)
			}
			slices.Sort(out)
			return out
		}
		for _, s := range starts {
			a, ok := l.AccountID(s.ToAccount)
			if !ok {
				continue
			}
			for _, hops := range []int{1, 3, 6} {
				var want []string
				for _, n := range l.Reach([]Start{s}, hops, 0, 0) {
					id, _ := l.AccountID(n)
					want = append(want, fmt.Sprint(id))
				}
				slices.Sort(want)
				got := ids(ReachSQL("tr"), a, millis(s.At), hops)
				if !reflect.DeepEqual(got, want) {
					t.Fatalf("iter %d reach %d hops: sql %v engine %v", it, hops, got, want)
				}
			}
		}
		for _, order := range []TruncationOrder{TimestampDescending, TimestampAscending, AmountDescending, AmountAscending} {
			p := TCR5Params{Start: time.Date(2020, 1, 1, 0, 5, 0, 0, time.UTC), End: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), TruncationLimit: 2, TruncationOrder: order}
			for a := 0; a < l.Accounts(); a++ {
				src := l.AccountName(int32(a))
				paths, _ := TCR5(l, src, p)
				var want []string
				for _, ps := range paths {
					var parts []string
					for _, n := range ps {
						id, _ := l.AccountID(n)
						parts = append(parts, fmt.Sprint(id))
					}
					want = append(want, "{"+strings.Join(parts, ",")+"}")
				}
				slices.Sort(want)
				got := ids(TCR5SQL("tr", order), a, p.Start.UnixMilli(), p.End.UnixMilli(), p.TruncationLimit)
				if !reflect.DeepEqual(got, want) {
					t.Fatalf("iter %d tcr5 %s from %s: sql %v engine %v", it, order, src, got, want)
				}
			}
		}
	}
}

// TestTCR5FinBenchExample runs on the LDBC example data when present.
func TestTCR5FinBenchExample(t *testing.T) {
	dir := "../../../shared/data/finbench-example"
	if _, err := os.Stat(dir); err != nil {
		t.Skip("FinBench example data not present at ../shared/data/finbench-example")
	}
	fb, err := LoadFinBenchTransfers(dir)
	if err != nil {
		t.Fatal(err)
	}
	l := fb.Ledger
	if fb.Loaded+fb.Skipped != 37861 || fb.Skipped > 10 {
		t.Fatalf("%d transfers loaded, %d skipped", fb.Loaded, fb.Skipped)
	}
	params, err := ReadTCR5Params(dir)
	if err != nil || len(params) == 0 {
		t.Fatalf("params: %v", err)
	}
	first, last := l.Span()
	p := TCR5Params{Start: first.Add(-time.Millisecond), End: last.Add(time.Millisecond), TruncationLimit: params[0].Params.TruncationLimit, TruncationOrder: params[0].Params.TruncationOrder}
	total := 0
	for a := 0; a < 200; a++ {
		paths, err := TCR5(l, l.AccountName(int32(a)), p)
		if err != nil {
			t.Fatal(err)
		}
		for _, ps := range paths {
			if len(ps) < 2 || len(ps) > 4 {
				t.Fatalf("path %v", ps)
			}
		}
		total += len(paths)
	}
	if total == 0 {
		t.Fatal("no paths")
	}
}
