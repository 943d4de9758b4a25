package funds

import (
	"context"
	"fmt"
	"os"
	"reflect"
	"testing"
	"time"

	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/db/dbtest"
	"github.com/fanzha/fanzha/internal/trace"
)

// The multi-hop world of the engine's tests (internal/trace): victim 7
// pays 10,000.00 to A; A forwards to B, to C (no statement), withdraws
// cash; B pays a merchant and sends part back to A; A sends to D, whose
// statement has no matching inflow.
var tT0 = time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)

func tAt(min, sec int) time.Time {
	return tT0.Add(time.Duration(min)*time.Minute + time.Duration(sec)*time.Second)
}

func row(acct string, at time.Time, fen int64, counter, summary string) trace.LedgerRow {
	return trace.LedgerRow{Account: acct, At: at, AmountFen: fen, Counter: counter, Summary: summary}
}

func multiHopRows() []trace.LedgerRow {
	bal := int64(1_000_000)
	return []trace.LedgerRow{
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

func multiHopLedger(t *testing.T) *trace.Ledger {
	b := trace.NewLedgerBuilder()
	for _, r := range multiHopRows() {
		if err := b.AddRow(r); err != nil {
			t.Fatal(err)
		}
	}
	return b.Build()
}

var multiHopStart = []trace.Start{{VictimID: 7, TransferID: 1, At: tAt(0, 0), FromAccount: "6222V", ToAccount: "A", AmountFen: 1_000_000}}

func mustTrace(t *testing.T, l *trace.Ledger, starts []trace.Start, opt trace.Options) trace.Result {
	t.Helper()
	res, err := trace.Trace(l, starts, opt)
	if err != nil {
		t.Fatal(err)
	}
	if err := res.CheckConservation(); err != nil {
		t.Fatal(err)
	}
	return res
}

// The ledger loaded from the database gives the same trace as the one
// built in memory.
func TestLoadLedgerTrace(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		rows := multiHopRows()
		for k, r := range rows {
			var b any
			if r.BalanceFen != nil {
				b = *r.BalanceFen
			}
			if _, err := d.Exec(ctx, `INSERT INTO statement_rows (account, at, amount_fen, balance_fen, counter_account, summary, row_key)
				VALUES (?, ?, ?, ?, ?, ?, ?)`, r.Account, db.Millis(r.At), r.AmountFen, b, r.Counter, r.Summary, fmt.Sprint("k", k)); err != nil {
				t.Fatal(err)
			}
		}
		l, err := LoadLedger(ctx, d, nil)
		if err != nil {
			t.Fatal(err)
		}
		want := mustTrace(t, multiHopLedger(t), multiHopStart, trace.Options{})
		got := mustTrace(t, l, multiHopStart, trace.Options{})
		if !reflect.DeepEqual(got.Victims, want.Victims) || !reflect.DeepEqual(got.Nodes, want.Nodes) || !reflect.DeepEqual(got.Edges, want.Edges) {
			t.Fatalf("db ledger trace differs:\n%+v\n%+v", got.Victims, want.Victims)
		}
		l2, err := LoadLedger(ctx, d, []string{"A"})
		if err != nil || l2.Rows() != 6 || l2.HasStatement("B") || !l2.HasStatement("A") {
			t.Fatalf("partial load: %v rows %d", err, l2.Rows())
		}

		// Loading level by level from the receiving account reads A, then
		// what A paid to (B, C — C has no statement, D has), then what B
		// paid to (A again): the same trace as the whole table.
		l3, sc, err := LoadLedgerFrom(ctx, d, []string{"A"}, 0)
		if err != nil {
			t.Fatal(err)
		}
		if sc.Accounts != 3 || sc.Rows != 10 || sc.Truncated {
			t.Fatalf("scope %+v, want A, B, D with 10 rows", sc)
		}
		if got3 := mustTrace(t, l3, multiHopStart, trace.Options{}); !reflect.DeepEqual(got3.Nodes, want.Nodes) || !reflect.DeepEqual(got3.Edges, want.Edges) {
			t.Fatalf("level-by-level ledger traces differently:\n%+v\n%+v", got3.Nodes, want.Nodes)
		}
		// One hop: A's statement, and the accounts it paid to; D and B at
		// level 2 are read, nothing beyond.
		_, sc1, err := LoadLedgerFrom(ctx, d, []string{"A"}, 1)
		if err != nil || sc1.Levels != 2 || sc1.Accounts != 3 {
			t.Fatalf("one hop: %+v %v", sc1, err)
		}
		// The case trace loads statements as the traced money reaches
		// them and traces as the whole table does. An account that only
		// paid money to A before the victim's money arrived (its statement
		// is in the table) is never read.
		if _, err := d.Exec(ctx, `INSERT INTO statement_rows (account, at, amount_fen, counter_account, summary, row_key)
			VALUES ('Z', ?, -500, 'A', '转账', 'kz')`, db.Millis(tAt(0, 0).Add(-time.Hour))); err != nil {
			t.Fatal(err)
		}
		st := multiHopStart[0]
		cs := Case{CaseNo: "T-1", Transfers: []Transfer{{ID: st.TransferID, VictimID: st.VictimID, At: st.At, FromAccount: st.FromAccount,
			ToAccount: st.ToAccount, AmountFen: st.AmountFen}}}
		got4, sc4, err := TraceCaseFrom(ctx, d, cs, trace.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got4.Nodes, want.Nodes) || !reflect.DeepEqual(got4.Edges, want.Edges) {
			t.Fatalf("case trace differs from the whole table's:\n%+v\n%+v", got4.Nodes, want.Nodes)
		}
		if sc4.Truncated || sc4.Accounts > 3 || sc4.Rows > 10 {
			t.Fatalf("case trace scope %+v: read more than A, B, D", sc4)
		}
		_, sc0, err := LoadLedgerFrom(ctx, d, []string{"NOPE", "", "NOPE"}, 0)
		if err != nil || sc0.Accounts != 0 || sc0.Rows != 0 {
			t.Fatalf("unknown account: %+v %v", sc0, err)
		}

		// Candidates: accounts still holding traced money, largest first,
		// with their bank from the accounts table.
		if _, err := d.Exec(ctx, `INSERT INTO accounts (number, bank, branch, holder_name) VALUES ('A', '工商银行', '城关支行', '张三')`); err != nil {
			t.Fatal(err)
		}
		cands, err := Candidates(ctx, d, &got)
		if err != nil {
			t.Fatal(err)
		}
		var sum int64
		for i, c := range cands {
			sum += c.BalanceFen
			if c.BalanceFen <= 0 || (i > 0 && c.BalanceFen > cands[i-1].BalanceFen) {
				t.Fatalf("candidates not ranked by balance: %+v", cands)
			}
			if n, _ := got.Node(c.NodeID); n.BalanceFen != c.BalanceFen || n.Account != c.Account {
				t.Fatalf("candidate %+v does not match its node %+v", c, n)
			}
		}
		var remaining int64
		for _, v := range got.Victims {
			remaining += v.RemainingFen
		}
		if sum != remaining || len(cands) == 0 {
			t.Fatalf("candidates hold %d, the victims' remaining money is %d", sum, remaining)
		}
		for _, c := range cands {
			if c.Account == "A" && (c.Bank != "工商银行" || c.AccountID == 0 || c.Holder != "张三") {
				t.Fatalf("A's metadata: %+v", c)
			}
		}
	})
}

// TestFinBenchThroughStatementImporter loads the LDBC example's transfer
// table through the statement importer (built-in mapping
// finbench-transfer: each transfer becomes the payer's outflow and the
// payee's inflow), reads it back as a ledger and checks TCR5 gives the same
// paths as on the transfers loaded directly.
func TestFinBenchThroughStatementImporter(t *testing.T) {
	dir := "../../../shared/data/finbench-example"
	if _, err := os.Stat(dir); err != nil {
		t.Skip("FinBench example data not present at ../shared/data/finbench-example")
	}
	fb, err := trace.LoadFinBenchTransfers(dir)
	if err != nil {
		t.Fatal(err)
	}
	d := dbtest.SQLite(t)
	ctx := context.Background()
	f, err := os.Open(dir + "/snapshot/AccountTransferAccount.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rep, err := ImportStatement(ctx, d, "AccountTransferAccount.csv", f, ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Mapping != "finbench-transfer" || !rep.Committed || rep.Rows != 37861 || int(rep.Bad) != fb.Skipped || rep.Stored != 2*int64(fb.Loaded) {
		t.Fatalf("import: %+v (direct loader: %d loaded, %d skipped)", rep, fb.Loaded, fb.Skipped)
	}
	l, err := LoadLedger(ctx, d, nil)
	if err != nil {
		t.Fatal(err)
	}
	if l.Accounts() != fb.Ledger.Accounts() {
		t.Fatalf("%d accounts through the importer, %d directly", l.Accounts(), fb.Ledger.Accounts())
	}
	first, last := fb.Ledger.Span()
	for _, order := range []trace.TruncationOrder{trace.TimestampDescending, trace.AmountAscending} {
		p := trace.TCR5Params{Start: first.Add(-time.Millisecond), End: last.Add(time.Millisecond), TruncationLimit: 20, TruncationOrder: order}
		for a := 0; a < fb.Ledger.Accounts(); a += 7 {
			src := fb.Ledger.AccountName(int32(a))
			want, err := trace.TCR5(fb.Ledger, src, p)
			if err != nil {
				t.Fatal(err)
			}
			got, err := trace.TCR5(l, src, p)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("TCR5 from %s (%v): through the importer %v, directly %v", src, order, got, want)
			}
		}
	}
}
