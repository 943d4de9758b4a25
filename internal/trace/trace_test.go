package trace

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

var tT0 = time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)

// tAt is tT0 plus minutes and seconds.
func tAt(min, sec int) time.Time {
	return tT0.Add(time.Duration(min)*time.Minute + time.Duration(sec)*time.Second)
}

func row(acct string, at time.Time, fen int64, counter, summary string) LedgerRow {
	return LedgerRow{Account: acct, At: at, AmountFen: fen, Counter: counter, Summary: summary}
}

func mustTrace(t *testing.T, l *Ledger, starts []Start, opt Options) Result {
	t.Helper()
	res, err := Trace(l, starts, opt)
	if err != nil {
		t.Fatal(err)
	}
	if err := res.CheckConservation(); err != nil {
		t.Fatal(err)
	}
	return res
}

func victimOf(res Result, id int64) Victim {
	for _, v := range res.Victims {
		if v.VictimID == id {
			return v
		}
	}
	return Victim{}
}

// The textbook example: P pays in 10, M pays in 10, 10 is spent, K pays in
// 10, 10 is spent, 10 remains (in fen ×100: 1000 each).
func TestTraceTextbook(t *testing.T) {
	b := NewLedgerBuilder()
	for _, r := range []LedgerRow{
		row("X", tAt(0, 0), 1000, "P", ""),
		row("X", tAt(1, 0), 1000, "M", ""),
		row("X", tAt(2, 0), -1000, "Z", ""),
		row("X", tAt(3, 0), 1000, "K", ""),
		row("X", tAt(4, 0), -1000, "Z", ""),
	} {
		if err := b.AddRow(r); err != nil {
			t.Fatal(err)
		}
	}
	l := b.Build()
	const P, M, K = 1, 2, 3
	starts := []Start{
		{VictimID: P, At: tAt(0, 0), FromAccount: "P", ToAccount: "X", AmountFen: 1000},
		{VictimID: M, At: tAt(1, 0), FromAccount: "M", ToAccount: "X", AmountFen: 1000},
		{VictimID: K, At: tAt(3, 0), FromAccount: "K", ToAccount: "X", AmountFen: 1000},
	}
	cases := []struct {
		name    string
		opt     Options
		P, M, K int64
	}{
		{"fifo: all K's", Options{Rule: FIFO}, 0, 0, 1000},
		{"rolling pro rata: 2.5, 2.5, 5", Options{Rule: Proportional}, 250, 250, 500},
		// No money but the victims' in X: the cap changes nothing.
		{"fifo+libr", Options{Rule: FIFO, LIBRCap: true}, 0, 0, 1000},
		{"proportional+libr", Options{Rule: Proportional, LIBRCap: true}, 250, 250, 500},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := mustTrace(t, l, starts, c.opt)
			got := [3]int64{res.BalanceOf("X", P), res.BalanceOf("X", M), res.BalanceOf("X", K)}
			if got != [3]int64{c.P, c.M, c.K} {
				t.Fatalf("balances P, M, K = %v, want %v", got, [3]int64{c.P, c.M, c.K})
			}
			for _, v := range res.Victims {
				if v.LeafFen[LeafNoStatement]+v.RemainingFen != 1000 {
					t.Fatalf("victim %+v", v)
				}
			}
		})
	}
	// Pro rata over the remaining balance: a third each, the odd fen to
	// the first contributor.
	if got := ShareRemainingProRata(1000, []int64{1000, 1000, 1000}, nil); !reflect.DeepEqual(got, []int64{334, 333, 333, 0}) {
		t.Fatalf("pro rata over the remaining balance: %v", got)
	}
	// The same with a lowest-intermediate-balance cap on P (her money in at
	// a time the account later fell to 1.00): what the cap frees goes to M
	// and K pro rata.
	if got := ShareRemainingProRata(1000, []int64{1000, 1000, 1000}, []int64{100, 1000, 1000}); !reflect.DeepEqual(got, []int64{100, 450, 450, 0}) {
		t.Fatalf("pro rata with LIBR caps: %v", got)
	}
	if got := ShareRemainingProRata(5000, []int64{1000, 3000}, nil); !reflect.DeepEqual(got, []int64{1000, 3000, 1000}) {
		t.Fatalf("more left than contributed: %v", got)
	}
}

// Other money in the account: a pre-existing balance of 5.00 and an
// unrelated deposit. Hand-worked in docs/TRACE.md.
func TestTraceOtherMoneyAndLIBR(t *testing.T) {
	b := NewLedgerBuilder()
	b.SetOpeningBalance("A", 500)
	for _, r := range []LedgerRow{
		row("A", tAt(0, 0), 1000, "V", ""),
		row("A", tAt(10, 0), -800, "Z", ""),
		row("A", tAt(20, 0), 2000, "W", ""),
		row("A", tAt(30, 0), -1000, "Z2", ""),
	} {
		_ = b.AddRow(r)
	}
	l := b.Build()
	starts := []Start{{VictimID: 9, At: tAt(0, 0), FromAccount: "V", ToAccount: "A", AmountFen: 1000}}
	for _, c := range []struct {
		name            string
		opt             Options
		remaining, leaf int64
	}{
		// FIFO: the 5.00 first, then 3.00 of V; then V's 7.00 before W's.
		{"fifo", Options{Rule: FIFO}, 0, 1000},
		// Cap: other money spent first; V keeps 7.00, the lowest balance
		// after her money came in.
		{"fifo+libr", Options{Rule: FIFO, LIBRCap: true}, 700, 300},
		// Rolling: 8.00 of 15.00 → V 5.33⅓ (533), other 2.66⅔ (267: larger
		// remainder); then 10.00 of 27.00 → V 1.7296 (173), other 827.
		{"proportional", Options{Rule: Proportional}, 294, 706},
		{"proportional+libr", Options{Rule: Proportional, LIBRCap: true}, 700, 300},
	} {
		t.Run(c.name, func(t *testing.T) {
			res := mustTrace(t, l, starts, c.opt)
			v := victimOf(res, 9)
			if v.RemainingFen != c.remaining || v.LeafFen[LeafNoStatement] != c.leaf || res.BalanceOf("A", 9) != c.remaining {
				t.Fatalf("remaining %d, leaves %v; want %d, %d", v.RemainingFen, v.LeafFen, c.remaining, c.leaf)
			}
		})
	}
}

// multiHopRows are the statement rows of multiHopLedger.
func multiHopRows() []LedgerRow {
	bal := int64(1_000_000)
	return []LedgerRow{
		{Account: "A", At: tAt(0, 5), AmountFen: 1_000_000, Counter: "6222V", BalanceFen: &bal},
		row("A", tAt(20, 0), -600_000, "B", "转账"),
		row("A", tAt(25, 0), -300_000, "C", "网银转账"),
		row("A", tAt(30, 0), -50_000, "", "ATM取现"),
		row("B", tAt(20, 40), 600_000, "A", "转账"),
		row("B", tAt(60, 0), -200_000, "财付通", "快捷支付"),
		row("B", tAt(65, 0), -100_000, "A", "转账"),
		row("A", tAt(65, 10), 100_000, "B", "转账"),
		row("A", tAt(120, 0), -80_000, "D", "转账"),
		row("D", tAt(-60, 0), 5_000, "X", "转账"),
	}
}

// multiHopLedger: victim 7 pays 10,000.00 to A; A forwards to B (loaded,
// recorded 40 s later by B's bank), to C (no statement), withdraws cash;
// B pays a merchant and sends part back to A; A sends to D, whose loaded
// statement has no matching inflow.
func multiHopLedger(t *testing.T) *Ledger {
	b := NewLedgerBuilder()
	for _, r := range multiHopRows() {
		if err := b.AddRow(r); err != nil {
			t.Fatal(err)
		}
	}
	return b.Build()
}

var multiHopStart = []Start{{VictimID: 7, TransferID: 1, At: tAt(0, 0), FromAccount: "6222V", ToAccount: "A", AmountFen: 1_000_000}}

func TestTraceMultiHop(t *testing.T) {
	l := multiHopLedger(t)
	for _, rule := range []Rule{FIFO, Proportional} {
		res := mustTrace(t, l, multiHopStart, Options{Rule: rule})
		v := victimOf(res, 7)
		want := map[string]int64{LeafNoStatement: 300_000, LeafCash: 50_000, LeafPayment: 200_000, LeafUnmatched: 80_000}
		if !reflect.DeepEqual(v.LeafFen, want) || v.RemainingFen != 370_000 {
			t.Fatalf("%s: leaves %v remaining %d", rule, v.LeafFen, v.RemainingFen)
		}
		if res.BalanceOf("A", 7) != 70_000 || res.BalanceOf("B", 7) != 300_000 {
			t.Fatalf("%s: A %d B %d", rule, res.BalanceOf("A", 7), res.BalanceOf("B", 7))
		}
		a, _ := res.Node("A")
		bn, _ := res.Node("B")
		if a.Depth != 0 || bn.Depth != 1 || !bn.HasStatement {
			t.Fatalf("depths A %d B %d", a.Depth, bn.Depth)
		}
		if _, ok := res.Node("leaf/payment/B/财付通"); !ok {
			t.Fatalf("no payment leaf in %v", nodeIDs(res))
		}
		ex, err := res.Explain("leaf/payment/B/财付通", 7)
		if err != nil {
			t.Fatal(err)
		}
		if ex.AmountFen != 200_000 || len(ex.Paths) != 1 || strings.Join(ex.Paths[0], " ") != "victim/7 A B leaf/payment/B/财付通" {
			t.Fatalf("explain payment: %+v", ex)
		}
		ex, err = res.Explain("A", 7)
		if err != nil {
			t.Fatal(err)
		}
		// Into A: the victim's transfer, and B's return (which carried
		// money A had sent B at 10:20).
		if ex.AmountFen != 70_000 || ex.ReceivedFen != 1_100_000 || len(ex.Steps) != 3 {
			t.Fatalf("explain A: %+v", ex)
		}
		if !strings.Contains(ex.Text, "路径：victim/7 → A") {
			t.Fatalf("text: %s", ex.Text)
		}
	}
}

func nodeIDs(res Result) []string {
	var ids []string
	for _, n := range res.Nodes {
		ids = append(ids, n.ID)
	}
	return ids
}

func TestTraceLimits(t *testing.T) {
	l := multiHopLedger(t)
	res := mustTrace(t, l, multiHopStart, Options{MaxHops: 1})
	v := victimOf(res, 7)
	want := map[string]int64{LeafNoStatement: 300_000, LeafCash: 50_000, LeafHopLimit: 300_000, LeafUnmatched: 50_000}
	if !reflect.DeepEqual(v.LeafFen, want) || v.RemainingFen != 300_000 || res.BalanceOf("B", 7) != 300_000 {
		t.Fatalf("max hops 1: %v %d", v.LeafFen, v.RemainingFen)
	}
	res = mustTrace(t, l, multiHopStart, Options{MaxLag: 30 * time.Minute})
	v = victimOf(res, 7)
	// B's payment after 39 min stays a payment (the money ends there
	// anyway); its return to A is not followed.
	want = map[string]int64{LeafNoStatement: 300_000, LeafCash: 50_000, LeafPayment: 200_000, LeafMaxLag: 100_000, LeafUnmatched: 50_000}
	if !reflect.DeepEqual(v.LeafFen, want) || v.RemainingFen != 300_000 {
		t.Fatalf("max lag 30 min: %v %d", v.LeafFen, v.RemainingFen)
	}
	// As of 10:22: A has sent B its 6,000.00; nothing else happened yet.
	res = mustTrace(t, l, multiHopStart, Options{AsOf: tAt(22, 0)})
	if res.BalanceOf("A", 7) != 400_000 || res.BalanceOf("B", 7) != 600_000 {
		t.Fatalf("as of 10:22: A %d B %d", res.BalanceOf("A", 7), res.BalanceOf("B", 7))
	}
	// A victim transfer to an account without statement is a leaf at once;
	// one the statement does not show is unmatched.
	res = mustTrace(t, l, []Start{
		{VictimID: 1, At: tAt(0, 0), ToAccount: "NOPE", AmountFen: 500},
		{VictimID: 2, At: tAt(0, 0), ToAccount: "A", AmountFen: 12345},
	}, Options{})
	if v := victimOf(res, 1); v.LeafFen[LeafNoStatement] != 500 {
		t.Fatalf("no statement start: %+v", v)
	}
	if v := victimOf(res, 2); v.LeafFen[LeafUnmatched] != 12345 {
		t.Fatalf("unmatched start: %+v", v)
	}
	if _, err := Trace(l, []Start{{VictimID: 1, ToAccount: "A"}}, Options{}); err == nil {
		t.Fatal("zero amount accepted")
	}
}

// Two victims' money mixing across a hop: FIFO keeps the order of mixed
// money, the proportional rule splits by shares.
func TestTraceMixingVictims(t *testing.T) {
	b := NewLedgerBuilder()
	b.SetOpeningBalance("B", 400)
	for _, r := range []LedgerRow{
		row("A", tAt(0, 0), 1000, "V1", ""),
		row("A", tAt(1, 0), 1000, "V2", ""),
		row("A", tAt(2, 0), -1500, "B", ""),
		row("B", tAt(2, 10), 1500, "A", ""),
		row("B", tAt(3, 0), -1600, "Z", ""),
	} {
		_ = b.AddRow(r)
	}
	l := b.Build()
	starts := []Start{
		{VictimID: 1, At: tAt(0, 0), FromAccount: "V1", ToAccount: "A", AmountFen: 1000},
		{VictimID: 2, At: tAt(1, 0), FromAccount: "V2", ToAccount: "A", AmountFen: 1000},
	}
	res := mustTrace(t, l, starts, Options{Rule: FIFO})
	// A sends [V1 1000, V2 500]; B spends its 4.00 first, then V1, then 2.00 of V2.
	if got := [4]int64{res.BalanceOf("A", 1), res.BalanceOf("A", 2), res.BalanceOf("B", 1), res.BalanceOf("B", 2)}; got != [4]int64{0, 500, 0, 300} {
		t.Fatalf("fifo: %v", got)
	}
	res = mustTrace(t, l, starts, Options{Rule: Proportional})
	// A: 750/750 leave. B: other 400, V1 750, V2 750; 16.00 of 19.00 →
	// 336.84, 631.58, 631.58 → other 337 (largest remainder), then V1 632
	// (tie with V2, V1 first).
	if got := [4]int64{res.BalanceOf("A", 1), res.BalanceOf("A", 2), res.BalanceOf("B", 1), res.BalanceOf("B", 2)}; got != [4]int64{250, 250, 118, 119} {
		t.Fatalf("proportional: %v", got)
	}
	e := edgeBetween(res, "A", "B")
	if e.TotalFen != 1500 || len(e.Amounts) != 2 {
		t.Fatalf("edge A→B %+v", e)
	}
}

func edgeBetween(res Result, from, to string) Edge {
	for _, e := range res.Edges {
		if e.From == from && e.To == to {
			return e
		}
	}
	return Edge{}
}

func TestSplitLargestRemainder(t *testing.T) {
	var sc splitScratch
	for _, c := range []struct {
		x    int64
		w    []int64
		want []int64
	}{
		{10, []int64{1, 1, 1}, []int64{4, 3, 3}},
		{1000, []int64{1000, 1000, 1000}, []int64{334, 333, 333}},
		{800, []int64{500, 1000}, []int64{267, 533}},
		{7, []int64{0, 5, 0, 2}, []int64{0, 5, 0, 2}},
		// 128-bit products: 5·10^15 fen × 6·10^15.
		{5_000_000_000_000_000, []int64{6_000_000_000_000_000, 3_000_000_000_000_000}, []int64{3_333_333_333_333_333, 1_666_666_666_666_667}},
	} {
		got := splitLargestRemainder(c.x, c.w, &sc)
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("split %d over %v = %v, want %v", c.x, c.w, got, c.want)
		}
	}
}

func db0(ms int64) time.Time { return time.UnixMilli(ms).UTC() }

func TestAcctIndex(t *testing.T) {
	x := newAcctIndex(4)
	names := []string{"6217000000000001", "0", "7", "007", "abc", "银行", "1234567890123456789", "999999999999999999", "12a", ""}
	for k := 0; k < 5000; k++ {
		names = append(names, fmt.Sprint(k*7919+1))
	}
	for k, n := range names {
		if _, ok := x.get(n); ok {
			t.Fatalf("%q found before added", n)
		}
		x.add([]byte(n), int32(k))
	}
	for k, n := range names {
		if id, ok := x.get(n); !ok || id != int32(k) {
			t.Fatalf("%q: %d %v, want %d", n, id, ok, k)
		}
	}
	if _, ok := x.get("6217000000000002"); ok {
		t.Fatal("absent number found")
	}
	if v, ok := canonicalNumber([]byte("0123")); ok {
		t.Fatalf("leading zero canonical: %d", v)
	}
}

func TestAsOfText(t *testing.T) {
	for _, c := range []struct {
		at   time.Time
		want string
	}{
		{time.Time{}, "无流水"},
		{time.Date(2026, 11, 20, 10, 0, 5, 0, time.UTC), "2026-11-20 18:00:05"},
	} {
		if got := AsOfText(c.at); got != c.want {
			t.Errorf("AsOfText(%v) = %q, want %q", c.at, got, c.want)
		}
	}
}
