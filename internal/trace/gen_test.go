package trace

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
)

// The generated benchmark set loads back through the CSV parser, every
// planted victim transfer is found in the receiving statement, and traces
// conserve money under every rule.
func TestTraceBenchGeneratedSet(t *testing.T) {
	var buf bytes.Buffer
	gen, err := WriteBenchCSV(&buf, GenConfig{Seed: 3, Transfers: 30_000, Accounts: 3_000, Victims: 40})
	if err != nil {
		t.Fatal(err)
	}
	if gen.Lines != 30_000 || len(gen.Starts) != 40 || gen.Planted < 100 {
		t.Fatalf("generated %+v", gen)
	}
	l, err := LoadTransferCSV(bytes.NewReader(buf.Bytes()), 0)
	if err != nil {
		t.Fatal(err)
	}
	cash := strings.Count(buf.String(), ",c\n")
	if l.Rows() != 2*gen.Lines-cash {
		t.Fatalf("rows %d, lines %d, cash %d", l.Rows(), gen.Lines, cash)
	}
	again, _ := WriteBenchCSV(new(bytes.Buffer), GenConfig{Seed: 3, Transfers: 30_000, Accounts: 3_000, Victims: 40})
	if !reflect.DeepEqual(again.Starts, gen.Starts) {
		t.Fatal("generator not deterministic")
	}
	for _, rule := range []Rule{FIFO, Proportional} {
		for _, s := range gen.Starts {
			res := mustTrace(t, l, []Start{s}, Options{Rule: rule, MaxHops: 6, Envelope: true})
			v := res.Victims[0]
			if v.LeafFen[LeafUnmatched] != 0 || v.LeafFen[LeafNoStatement] != 0 {
				t.Fatalf("start %+v not followed: %+v", s, v)
			}
			reach := map[string]bool{}
			for _, a := range res.Reachable() {
				reach[a] = true
			}
			if !reach[s.ToAccount] {
				t.Fatalf("envelope misses the first mule")
			}
		}
	}
	// Multi-victim trace of the whole set.
	res := mustTrace(t, l, gen.Starts, Options{Rule: Proportional, LIBRCap: true})
	if len(res.Victims) != 40 {
		t.Fatalf("%d victims", len(res.Victims))
	}
}

func TestLoadTransferCSV(t *testing.T) {
	in := TransferCSVHeader + "\nB,C,300,2000,t\r\nA,B,500,1000,t\nC,,100,3000,c"
	l, err := LoadTransferCSV(strings.NewReader(in), 0)
	if err != nil {
		t.Fatal(err)
	}
	if l.Rows() != 5 || l.Accounts() != 3 {
		t.Fatalf("rows %d accounts %d", l.Rows(), l.Accounts())
	}
	// Out of order lines are sorted: A→B (1000) before B→C (2000).
	res := mustTrace(t, l, []Start{{VictimID: 1, At: db0(1000), FromAccount: "A", ToAccount: "B", AmountFen: 500}}, Options{})
	v := res.Victims[0]
	if res.BalanceOf("B", 1) != 200 || res.BalanceOf("C", 1) != 200 || v.LeafFen[LeafCash] != 100 {
		t.Fatalf("trace %+v %v", v, nodeIDs(res))
	}
	var got []string
	l.EachTransfer(func(seq int32, from, to string, at, amt int64) bool {
		got = append(got, from+">"+to)
		return true
	})
	if strings.Join(got, " ") != "B>C A>B" {
		t.Fatalf("transfers %v", got)
	}
	for _, bad := range []string{
		"from,to\n",
		TransferCSVHeader + "\nA,B,5,1,x\n",
		TransferCSVHeader + "\nA,,5,1,t\n",
		TransferCSVHeader + "\nA,B,5,1,c\n",
		TransferCSVHeader + "\nA,B,-5,1,t\n",
		TransferCSVHeader + "\nA,A,5,1,t\n",
		TransferCSVHeader + "\nA,B,5,1\n",
		TransferCSVHeader + "\n,B,5,1,t\n",
		TransferCSVHeader + "\nA,B,5,1x,t\n",
	} {
		if _, err := LoadTransferCSV(strings.NewReader(bad), 0); err == nil {
			t.Errorf("accepted %q", bad)
		}
	}
}

// FuzzTransferCSV: any input loads or fails with an error, never panics, and
// what loads conserves money when traced.
func FuzzTransferCSV(f *testing.F) {
	f.Add([]byte(TransferCSVHeader + "\nA,B,500,1000,t\nB,,100,3000,c\n"))
	f.Add([]byte(TransferCSVHeader + "\nA,B,5,9,t\r\nB,A,5,8,t"))
	f.Fuzz(func(t *testing.T, data []byte) {
		l, err := LoadTransferCSV(bytes.NewReader(data), 0)
		if err != nil {
			return
		}
		l.EachTransfer(func(seq int32, from, to string, at, amt int64) bool {
			res, err := Trace(l, []Start{{VictimID: 1, At: db0(at), FromAccount: from, ToAccount: to, AmountFen: amt}}, Options{Envelope: true})
			if err != nil {
				t.Fatal(err)
			}
			if err := res.CheckConservation(); err != nil {
				t.Fatal(err)
			}
			return false
		})
	})
}
