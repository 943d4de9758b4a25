package funds

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/db/dbtest"
	"github.com/fanzha/fanzha/internal/trace"
	"github.com/fanzha/fanzha/internal/zone"
)

const signedHead = "账号,交易时间,交易金额,对方账号,摘要\n"

func importSigned(t *testing.T, d *db.DB, name, csv string) {
	t.Helper()
	rep, err := ImportStatement(context.Background(), d, name, strings.NewReader(signedHead+csv), ImportOptions{Mapping: "signed"})
	if err != nil || rep.Bad > 0 {
		t.Fatalf("import %s: %v %+v", name, err, rep.Errors)
	}
}

// The accounts the case trace loads, and how: the money is followed through
// ordinary accounts, an account without a statement is a leaf, and a hub
// (an account with more than CaseHubRows statement rows) is a stop holding
// the money that reached it — its rows with other customers are not read —
// and a candidate.
func TestTraceCaseLoading(t *testing.T) {
	at := time.Date(2026, 10, 1, 10, 0, 0, 0, zone.Shanghai)
	// A receives 5,000 from the victim and pays B 3,000 and the hub H
	// 1,500; B pays C 2,000 and H 500 (B is read a round after A, so H's
	// row with B must be read then); H has rows with its other customers
	// X and Y.
	statements := "A,2026-10-01 10:00:00,5000.00,V1,转账\n" +
		"A,2026-10-01 11:00:00,-3000.00,B,转账\n" +
		"A,2026-10-01 11:30:00,-1500.00,H,转账\n" +
		"B,2026-10-01 11:00:00,3000.00,A,转账\n" +
		"B,2026-10-01 12:00:00,-2000.00,C,转账\n" +
		"B,2026-10-01 12:30:00,-500.00,H,转账\n" +
		"H,2026-09-30 09:00:00,800.00,X,转账\n" +
		"H,2026-10-01 11:30:00,1500.00,A,转账\n" +
		"H,2026-10-01 12:00:00,-2000.00,Y,转账\n" +
		"H,2026-10-01 12:30:00,500.00,B,转账\n" +
		"H,2026-10-01 13:00:00,300.00,V2,转账\n" +
		"Y,2026-10-01 12:00:00,2000.00,H,转账\n"
	type want struct {
		balance   map[string]int64 // account node → traced balance (fen)
		leaves    []string         // no-statement leaves, by counterparty
		notLoaded []string         // accounts with no node
		hubs      int
		rows      int
	}
	for _, tc := range []struct {
		name   string
		hub    bool
		starts []Transfer
		want   want
	}{
		{"through ordinary accounts", false, []Transfer{{ID: 1, VictimID: 1, At: at, FromAccount: "V1", ToAccount: "A", AmountFen: 500000}},
			// Without the hub rule H is traced row by row: its
			// 2,000 to Y takes X's 800 first (FIFO), then 1,200 of
			// the money on to Y; B's 500 comes after.
			want{balance: map[string]int64{"A": 50000, "B": 50000, "H": 80000, "Y": 120000}, leaves: []string{"C"}, rows: 12}},
		{"through a hub", true, []Transfer{{ID: 1, VictimID: 1, At: at, FromAccount: "V1", ToAccount: "A", AmountFen: 500000}},
			want{balance: map[string]int64{"A": 50000, "B": 50000, "H": 200000}, leaves: []string{"C"}, notLoaded: []string{"Y"}, hubs: 1, rows: 8}},
		{"paid straight into a hub", true, []Transfer{{ID: 2, VictimID: 2, At: at.Add(3 * time.Hour), FromAccount: "V2", ToAccount: "H", AmountFen: 30000}},
			want{balance: map[string]int64{"H": 30000}, notLoaded: []string{"A", "Y"}, hubs: 1, rows: 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dbtest.Each(t, func(t *testing.T, d *db.DB) {
				ctx := context.Background()
				importSigned(t, d, "s.csv", statements)
				if tc.hub {
					// As if H had the statement of a payment platform.
					if _, err := d.Exec(ctx, `UPDATE statement_accounts SET row_count = ? WHERE account = 'H'`, CaseHubRows+1); err != nil {
						t.Fatal(err)
					}
				}
				c := Case{CaseNo: "T-1", Transfers: tc.starts}
				res, sc, looked, err := traceCaseFrom(ctx, d, c, trace.Options{})
				if err != nil {
					t.Fatal(err)
				}
				got := map[string]int64{}
				var leaves []string
				for _, n := range res.Nodes {
					switch {
					case n.Kind == "account":
						got[n.Account] = n.BalanceFen
					case n.Kind == "leaf" && n.LeafType == trace.LeafNoStatement:
						leaves = append(leaves, n.Counter)
					}
				}
				for a, fen := range tc.want.balance {
					if got[a] != fen {
						t.Errorf("balance at %s = %d, want %d (nodes %+v)", a, got[a], fen, res.Nodes)
					}
				}
				for _, a := range tc.want.notLoaded {
					if _, ok := got[a]; ok {
						t.Errorf("%s traced, want not loaded", a)
					}
				}
				if strings.Join(leaves, ",") != strings.Join(tc.want.leaves, ",") {
					t.Errorf("no-statement leaves %v, want %v", leaves, tc.want.leaves)
				}
				if sc.Hubs != tc.want.hubs || sc.Rows != tc.want.rows {
					t.Errorf("scope %+v, want hubs %d rows %d", sc, tc.want.hubs, tc.want.rows)
				}
				if len(looked) == 0 || looked[0] != tc.starts[0].ToAccount {
					t.Errorf("looked up %v", looked)
				}
				cands, err := Candidates(ctx, d, &res)
				if err != nil {
					t.Fatal(err)
				}
				hubCand := false
				for _, cd := range cands {
					hubCand = hubCand || cd.Account == "H"
				}
				if tc.hub && !hubCand {
					t.Errorf("the hub is not a candidate: %+v", cands)
				}
			})
		})
	}
}

// statement_accounts counts each account's stored rows (duplicates not
// counted) and stamps them with the import's generation.
func TestNoteStatementRows(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		importSigned(t, d, "a.csv", "A,2026-10-01 10:00:00,50.00,B,转账\nA,2026-10-01 11:00:00,-20.00,C,转账\n")
		importSigned(t, d, "b.csv", "A,2026-10-01 11:00:00,-20.00,C,转账\nA,2026-10-02 10:00:00,5.00,B,转账\nD,2026-10-02 10:00:00,7.00,B,转账\n")
		gens, err := db.Generations(ctx, d)
		if err != nil {
			t.Fatal(err)
		}
		info, err := statementAccounts(ctx, d, []string{"A", "B", "D"})
		if err != nil {
			t.Fatal(err)
		}
		g := gens[db.GenStatements]
		if info["A"] != (statementAccount{rows: 3, gen: g}) || info["D"] != (statementAccount{rows: 1, gen: g}) {
			t.Errorf("statement accounts %+v (generation %d)", info, g)
		}
		if _, ok := info["B"]; ok {
			t.Errorf("B has no statement rows but is listed: %+v", info["B"])
		}
	})
}
