package trace

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"
)

// randomTraceLedger builds a random little world: loaded statements with
// transfers among them (cycles, splits, merges, equal amounts, clock skew
// between banks in both directions, missing receiving rows, receivers that
// leave the counter empty), untraced outflows of every type, unrelated
// inflows, opening balances, outflows beyond the balance; and several
// victims' transfers into it (some to accounts without statement, some the
// statement does not show).
func randomTraceLedger(rng *rand.Rand) (*Ledger, []Start, time.Time) {
	return randomWorld(rng, false)
}

// randomWorld is randomTraceLedger; exact worlds have no clock skew between
// matched rows and put events on a few dozen minutes, so that many rows
// share a time.
func randomWorld(rng *rand.Rand, exact bool) (*Ledger, []Start, time.Time) {
	b := NewLedgerBuilder()
	n := 2 + rng.IntN(9)
	acct := func(k int) string { return fmt.Sprintf("L%d", k) }
	for k := 0; k < n; k++ {
		if rng.IntN(3) == 0 {
			b.SetOpeningBalance(acct(k), rng.Int64N(50_000))
		}
	}
	span := 600 // minutes
	at := func() time.Time { return tT0.Add(time.Duration(rng.IntN(span*60)) * time.Second) }
	if exact {
		at = func() time.Time { return tT0.Add(time.Duration(rng.IntN(40)) * time.Minute) }
	}
	amount := func() int64 {
		if rng.IntN(4) == 0 {
			return 1000 * (1 + rng.Int64N(5)) // equal amounts: matching must stay one-to-one
		}
		return 1 + rng.Int64N(100_000)
	}
	var starts []Start
	victims := 1 + rng.IntN(4)
	for v := 1; v <= victims; v++ {
		for j := 0; j < 1+rng.IntN(3); j++ {
			s := Start{VictimID: int64(v), TransferID: int64(len(starts) + 1), At: at(),
				FromAccount: fmt.Sprintf("V%d", v), ToAccount: acct(rng.IntN(n)), AmountFen: amount()}
			switch rng.IntN(12) {
			case 0:
				s.ToAccount = "NOSTATEMENT"
			case 1: // the statement does not show it
			default:
				counter := s.FromAccount
				if rng.IntN(5) == 0 {
					counter = ""
				}
				offset := time.Duration(rng.IntN(60)) * time.Second
				if exact {
					offset = 0
				}
				_ = b.AddRow(LedgerRow{Account: s.ToAccount, At: s.At.Add(offset), AmountFen: s.AmountFen, Counter: counter})
			}
			starts = append(starts, s)
		}
	}
	events := 5 + rng.IntN(60)
	if exact {
		events = 20 + rng.IntN(200)
	}
	for e := 0; e < events; e++ {
		from := acct(rng.IntN(n))
		t := at()
		a := amount()
		switch rng.IntN(10) {
		case 0, 1, 2, 3: // transfer between loaded statements
			to := acct(rng.IntN(n))
			if to == from {
				continue
			}
			_ = b.AddRow(LedgerRow{Account: from, At: t, AmountFen: -a, Counter: to})
			if rng.IntN(10) == 0 {
				continue // receiving row missing
			}
			skew := time.Duration(rng.IntN(120)-30) * time.Second
			if exact {
				skew = 0
			}
			counter := from
			if rng.IntN(6) == 0 {
				counter = ""
			}
			_ = b.AddRow(LedgerRow{Account: to, At: t.Add(skew), AmountFen: a, Counter: counter})
		case 4:
			_ = b.AddRow(LedgerRow{Account: from, At: t, AmountFen: -a, Summary: "ATM取现"})
		case 5:
			_ = b.AddRow(LedgerRow{Account: from, At: t, AmountFen: -a, Counter: "商户", Summary: "快捷支付"})
		case 6:
			_ = b.AddRow(LedgerRow{Account: from, At: t, AmountFen: -(1 + a%500), Summary: "手续费"})
		case 7:
			_ = b.AddRow(LedgerRow{Account: from, At: t, AmountFen: -a, Counter: fmt.Sprintf("U%d", rng.IntN(3))})
		case 8:
			_ = b.AddRow(LedgerRow{Account: from, At: t, AmountFen: -a})
		case 9:
			_ = b.AddRow(LedgerRow{Account: from, At: t, AmountFen: a, Counter: fmt.Sprintf("U%d", rng.IntN(3))})
		}
	}
	return b.Build(), starts, at()
}

// TestTraceConservationProperty: on many random worlds, under every rule and
// option, each victim's leaves plus remaining balances equal her loss
// exactly, nothing is negative, the graph agrees with the sums, and a trace
// is deterministic.
func TestTraceConservationProperty(t *testing.T) {
	iters := 1500
	if testing.Short() {
		iters = 300
	}
	traces := 0
	for it := 0; it < iters; it++ {
		rng := rand.New(rand.NewPCG(uint64(it), 42))
		l, starts, mid := randomTraceLedger(rng)
		for _, rule := range []Rule{FIFO, Proportional} {
			for _, libr := range []bool{false, true} {
				for _, hops := range []int{0, 1, 3} {
					for _, lag := range []time.Duration{0, 20 * time.Minute} {
						for _, asOf := range []time.Time{{}, mid} {
							opt := Options{Rule: rule, LIBRCap: libr, MaxHops: hops, MaxLag: lag, AsOf: asOf, Envelope: true}
							res, err := Trace(l, starts, opt)
							if err != nil {
								t.Fatalf("iter %d %+v: %v", it, opt, err)
							}
							traces++
							if err := res.CheckConservation(); err != nil {
								t.Fatalf("iter %d %+v: %v", it, opt, err)
							}
							checkTraceGraph(t, it, opt, res, starts)
							if it%50 == 0 {
								again, _ := Trace(l, starts, opt)
								if !reflect.DeepEqual(again.Nodes, res.Nodes) || !reflect.DeepEqual(again.Edges, res.Edges) || !reflect.DeepEqual(again.Victims, res.Victims) {
									t.Fatalf("iter %d %+v: not deterministic", it, opt)
								}
							}
						}
					}
				}
			}
		}
	}
	t.Logf("%d traces on %d random ledgers", traces, iters)
}

func checkTraceGraph(t *testing.T, it int, opt Options, res Result, starts []Start) {
	t.Helper()
	lost := map[int64]int64{}
	for _, s := range starts {
		lost[s.VictimID] += s.AmountFen
	}
	remaining := map[int64]int64{}
	leaves := map[int64]int64{}
	for _, n := range res.Nodes {
		for _, b := range n.Balance {
			if b.AmountFen <= 0 {
				t.Fatalf("iter %d %+v: balance %+v at %s", it, opt, b, n.ID)
			}
			remaining[b.VictimID] += b.AmountFen
		}
		if n.Kind == "leaf" {
			for _, r := range n.Received {
				leaves[r.VictimID] += r.AmountFen
			}
		}
	}
	for _, e := range res.Edges {
		var sum int64
		for _, a := range e.Amounts {
			if a.AmountFen <= 0 {
				t.Fatalf("iter %d %+v: edge %+v", it, opt, e)
			}
			sum += a.AmountFen
		}
		if sum != e.TotalFen {
			t.Fatalf("iter %d: edge total %+v", it, e)
		}
	}
	for _, v := range res.Victims {
		if v.LostFen != lost[v.VictimID] || v.RemainingFen != remaining[v.VictimID] || leaves[v.VictimID]+remaining[v.VictimID] != lost[v.VictimID] {
			t.Fatalf("iter %d %+v: victim %+v; graph remaining %d leaves %d", it, opt, v, remaining[v.VictimID], leaves[v.VictimID])
		}
	}
	// Every start shows up in the explanation of where its money went.
	for _, n := range res.Nodes {
		for _, b := range n.Balance {
			ex, err := res.Explain(n.ID, b.VictimID)
			if err != nil || ex.AmountFen != b.AmountFen || len(ex.Steps) == 0 || len(ex.Paths) == 0 {
				t.Fatalf("iter %d %+v: explain %s %d: %+v %v", it, opt, n.ID, b.VictimID, ex, err)
			}
		}
	}
}

// walkReach enumerates every walk of strictly increasing time (each
// transfer within lag of the previous arrival when lag > 0) of at most hops
// transfers (0: any) from the starts, and returns the accounts visited.
func walkReach(l *Ledger, starts []Start, hops int, lag time.Duration) map[string]bool {
	seen := map[string]bool{}
	var walk func(a int32, t int64, h int)
	walk = func(a int32, t int64, h int) {
		seen[l.names.at(a)] = true
		if hops > 0 && h == hops {
			return
		}
		lo, hi := l.rowsOf(a)
		for i := lo; i < hi; i++ {
			r := l.rows[i]
			if r.amt < 0 && r.counter >= 0 && r.at > t && (lag == 0 || r.at <= t+lag.Milliseconds()) {
				walk(r.counter, r.at, h+1)
			}
		}
	}
	for _, s := range starts {
		if a, ok := l.index.get(s.ToAccount); ok {
			walk(a, s.At.UnixMilli(), 0)
		}
	}
	return seen
}

// TestTraceEnvelopeBruteForce compares the envelope with an enumeration of
// all walks of strictly increasing time (within the lag when one is set).
func TestTraceEnvelopeBruteForce(t *testing.T) {
	for it := 0; it < 400; it++ {
		rng := rand.New(rand.NewPCG(uint64(it), 7))
		l, starts, _ := randomTraceLedger(rng)
		for _, lag := range []time.Duration{0, 40 * time.Minute} {
			for _, hops := range []int{0, 1, 2, 4} {
				want := walkReach(l, starts, hops, lag)
				got := map[string]bool{}
				for _, a := range l.Reach(starts, hops, lag, 0) {
					got[a] = true
				}
				if !reflect.DeepEqual(got, want) {
					t.Fatalf("iter %d hops %d lag %v: envelope %v, walks %v", it, hops, lag, got, want)
				}
			}
		}
	}
}

// TestTraceSkipIsInvisible: skipping the rows before the money arrives
// (skip.go) changes nothing a user sees. On random worlds whose
// matched rows agree on the time, with many rows sharing a time, every
// trace under every rule and option equals the same trace stepping every
// row: graph, balances, sums, records and envelope.
func TestTraceSkipIsInvisible(t *testing.T) {
	iters := 1500
	if testing.Short() {
		iters = 300
	}
	exactWorlds, skipped := 0, 0
	for it := 0; it < iters; it++ {
		rng := rand.New(rand.NewPCG(uint64(it), 7))
		l, starts, mid := randomWorld(rng, true)
		floor := l.floor
		if floor == nil {
			continue // a receiving row matched to an outflow of another time
		}
		exactWorlds++
		for _, rule := range []Rule{FIFO, Proportional} {
			for _, libr := range []bool{false, true} {
				for _, hops := range []int{0, 2} {
					for _, lag := range []time.Duration{0, 15 * time.Minute} {
						for _, asOf := range []time.Time{{}, mid} {
							opt := Options{Rule: rule, LIBRCap: libr, MaxHops: hops, MaxLag: lag, AsOf: asOf, Envelope: true}
							l.floor = floor
							got, err := Trace(l, starts, opt)
							if err != nil {
								t.Fatal(err)
							}
							l.floor = nil
							want, err := Trace(l, starts, opt)
							if err != nil {
								t.Fatal(err)
							}
							l.floor = floor
							skipped += got.skipped
							if want.skipped != 0 {
								t.Fatalf("iter %d: %d skips without skip points", it, want.skipped)
							}
							got.skipped = 0
							got.nodeIdx, want.nodeIdx = nil, nil
							if !reflect.DeepEqual(got, want) {
								t.Fatalf("iter %d %+v: skipping changed the trace\nwith: %+v\nwithout: %+v", it, opt, got, want)
							}
						}
					}
				}
			}
		}
	}
	if exactWorlds < iters/2 || skipped < iters {
		t.Fatalf("only %d of %d worlds had exact links, %d skips: the test checks too little", exactWorlds, iters, skipped)
	}
	t.Logf("%d exact worlds, %d accounts started past their first rows", exactWorlds, skipped)
}
