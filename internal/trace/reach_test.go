package trace

import (
	"bytes"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"
)

// TestEnvelopeOnBusyAccounts: accounts with dozens of out-edges, so that
// arrivals land before, among and after each account's edges; the envelope
// equals an enumeration of walks, with and without a lag.
func TestEnvelopeOnBusyAccounts(t *testing.T) {
	var buf bytes.Buffer
	gen, err := WriteBenchCSV(&buf, GenConfig{Seed: 3, Transfers: 6000, Accounts: 200, Victims: 40, Span: 2 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	l, err := LoadTransferCSV(&buf, gen.Lines)
	if err != nil {
		t.Fatal(err)
	}
	busy := 0
	for a := 0; a < l.Accounts(); a++ {
		if l.outIdx[a+1].lo-l.outIdx[a].lo > 14 {
			busy++
		}
	}
	if busy < 50 {
		t.Fatalf("only %d accounts with more than 14 out-edges", busy)
	}
	for k, s := range gen.Starts {
		for _, lag := range []time.Duration{0, 10 * time.Minute} {
			const hops = 3
			var want []string
			for a := range walkReach(l, []Start{s}, hops, lag) {
				want = append(want, a)
			}
			slices.Sort(want)
			got := l.Reach([]Start{s}, hops, lag, 0)
			slices.Sort(got)
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("start %d lag %v: envelope of %d accounts, walks reach %d", k, lag, len(got), len(want))
			}
		}
	}
}

// TestEnvelopeOverYears: a ledger spanning five years; the envelope's
// times in whole seconds from the first row still order its transfers.
func TestEnvelopeOverYears(t *testing.T) {
	b := NewLedgerBuilder()
	t0 := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	add := func(acct string, at time.Time, amt int64, counter string) {
		if err := b.AddRow(LedgerRow{Account: acct, At: at, AmountFen: amt, Counter: counter}); err != nil {
			t.Fatal(err)
		}
	}
	add("A", t0, 1000, "V")
	add("A", t0.Add(time.Hour), -500, "B")
	add("B", t0.Add(time.Hour), 500, "A")
	later := t0.AddDate(5, 0, 0)
	add("B", later, -400, "C")
	add("C", later, 400, "B")
	l := b.Build()
	got := l.Reach([]Start{{VictimID: 1, At: t0, FromAccount: "V", ToAccount: "A", AmountFen: 1000}}, 0, 0, 0)
	slices.Sort(got)
	if want := []string{"A", "B", "C"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("envelope %v, want %v", got, want)
	}
}

func TestAddLagWindow(t *testing.T) {
	w := func(lo, hi int64) lagWindow { return lagWindow{lo, hi} }
	for _, c := range []struct {
		name       string
		have       []lagWindow
		add        lagWindow
		want, gaps []lagWindow
	}{
		{"empty", nil, w(10, 20), []lagWindow{w(10, 20)}, []lagWindow{w(10, 20)}},
		{"covered", []lagWindow{w(0, 30)}, w(10, 20), []lagWindow{w(0, 30)}, nil},
		{"before and after", []lagWindow{w(0, 5), w(40, 50)}, w(10, 20), []lagWindow{w(0, 5), w(10, 20), w(40, 50)}, []lagWindow{w(10, 20)}},
		{"overlap left", []lagWindow{w(0, 15)}, w(10, 20), []lagWindow{w(0, 20)}, []lagWindow{w(15, 20)}},
		{"overlap right", []lagWindow{w(15, 30)}, w(10, 20), []lagWindow{w(10, 30)}, []lagWindow{w(10, 15)}},
		{"spans two", []lagWindow{w(12, 14), w(16, 18)}, w(10, 20), []lagWindow{w(10, 20)}, []lagWindow{w(10, 12), w(14, 16), w(18, 20)}},
		{"touching", []lagWindow{w(0, 10)}, w(10, 20), []lagWindow{w(0, 20)}, []lagWindow{w(10, 20)}},
	} {
		got, gaps := addLagWindow(c.have, c.add)
		if !reflect.DeepEqual(got, c.want) || !reflect.DeepEqual(gaps, c.gaps) {
			t.Errorf("%s: windows %v gaps %v, want %v gaps %v", c.name, got, gaps, c.want, c.gaps)
		}
	}
}

// TestSlotTable: the envelope's per-trace slots survive growth (one
// account at a time or reserved a level at once) and are all gone after a
// reset; a table grown far by one trace is back to tableKeep entries for
// the next, and the arrays it reuses hold nothing of earlier traces.
func TestSlotTable(t *testing.T) {
	var tab acctTable[reachSlot]
	for round := 0; round < 6; round++ {
		n := int32(5000 * (round%3 + 1))
		if round >= 3 {
			tab.reserve(int(n)) // the envelope's way: room for a level at once
		}
		before := len(tab.keys)
		for a := int32(0); a < n; a++ {
			*tab.insert(a*7 + int32(round)) = reachSlot{mark: uint32(round), best: int64(a)}
		}
		if round >= 3 && len(tab.keys) != before {
			t.Fatalf("round %d: table grew from %d to %d entries after reserving room for %d", round, before, len(tab.keys), n)
		}
		for a := int32(0); a < n; a++ {
			if s := tab.get(a*7 + int32(round)); s == nil || s.best != int64(a) || s.mark != uint32(round) {
				t.Fatalf("round %d: account %d has %+v", round, a*7+int32(round), s)
			}
			// The accounts of earlier rounds were at other positions.
			if round > 0 && tab.get(a*7+int32(round-1)) != nil {
				t.Fatalf("round %d: account %d of the round before is still there", round, a*7+int32(round-1))
			}
		}
		tab.reset()
		if len(tab.keys) > tableKeep {
			t.Fatalf("round %d: %d entries after reset, want at most %d", round, len(tab.keys), tableKeep)
		}
		for i, k := range tab.keys {
			if k != 0 {
				t.Fatalf("round %d: entry %d still holds account %d after reset", round, i, k-1)
			}
		}
		for c, sp := range tab.spare {
			for i, k := range sp.keys {
				if k != 0 || sp.vals[i] != (reachSlot{}) {
					t.Fatalf("round %d: kept arrays of %d entries hold account %d at %d", round, 1<<c, k-1, i)
				}
			}
		}
	}
}

// TestEnvelopeDeadEnds: an account reached when it has no out-edge left
// still counts as reached, and is expanded when a longer walk reaches it
// earlier. Times in ms after 2026-01-01 10:00.
func TestEnvelopeDeadEnds(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 10, 0, 0, 0, time.UTC)
	ms := func(d time.Duration) int64 { return t0.Add(d).UnixMilli() }
	lines := []struct {
		from, to string
		at       int64
	}{
		{"100", "200", ms(time.Minute)},                    // A→B
		{"200", "300", ms(time.Minute + time.Millisecond)}, // B→C one ms later: B is no dead end
		{"100", "400", ms(2 * time.Minute)},                // A→D
		{"400", "500", ms(2 * time.Minute)},                // D→E at the arrival's ms: not after it
		{"100", "700", ms(3 * time.Minute)},                // A→H
		{"700", "600", ms(3*time.Minute + 30*time.Second)}, // H→F, earlier than A→F
		{"600", "800", ms(4 * time.Minute)},                // F→G: after H→F, before A→F
		{"100", "600", ms(5 * time.Minute)},                // A→F: F is a dead end here
		{"900", "100", ms(0)},                              // the victim's transfer
	}
	var buf bytes.Buffer
	buf.WriteString(TransferCSVHeader + "\n")
	for _, x := range lines {
		fmt.Fprintf(&buf, "%s,%s,100,%d,t\n", x.from, x.to, x.at)
	}
	l, err := LoadTransferCSV(&buf, 0)
	if err != nil {
		t.Fatal(err)
	}
	start := Start{VictimID: 1, FromAccount: "900", ToAccount: "100", At: t0, AmountFen: 100}
	for _, c := range []struct {
		hops int
		want []string
	}{
		{1, []string{"100", "200", "400", "600", "700"}},
		{2, []string{"100", "200", "300", "400", "600", "700"}},
		{3, []string{"100", "200", "300", "400", "600", "700", "800"}}, // G through the earlier arrival at F
		{0, []string{"100", "200", "300", "400", "600", "700", "800"}},
	} {
		got := l.Reach([]Start{start}, c.hops, 0, 0)
		slices.Sort(got)
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%d hops: reached %v, want %v", c.hops, got, c.want)
		}
		var walks []string
		for a := range walkReach(l, []Start{start}, c.hops, 0) {
			walks = append(walks, a)
		}
		slices.Sort(walks)
		if !reflect.DeepEqual(walks, c.want) {
			t.Errorf("%d hops: the walks reach %v, want %v", c.hops, walks, c.want)
		}
	}
}
