package intel

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/db/dbtest"
	"github.com/fanzha/fanzha/internal/funds"
)

// busiestOracle is the busiest accounts summed over every statement row,
// as BusiestAccounts computed them before the per-account totals.
func busiestOracle(t *testing.T, d *db.DB, scope area.Node) []AccountActivity {
	t.Helper()
	cond, args := visibleAccounts("s.account", scope)
	ccond, carg := area.UnderClause("c.area_id", scope)
	rows, err := d.Query(context.Background(), `SELECT s.account, COALESCE(a.bank, ''), COALESCE(a.branch, ''), COALESCE(a.holder_name, ''), COUNT(*),
		COALESCE(SUM(CASE WHEN s.amount_fen > 0 THEN s.amount_fen ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN s.amount_fen < 0 THEN -s.amount_fen ELSE 0 END), 0),
		COUNT(DISTINCT s.counter_account),
		(SELECT COUNT(*) FROM case_transfers t JOIN cases c ON c.id = t.case_id WHERE t.to_account = s.account AND `+ccond+`)
		FROM statement_rows s LEFT JOIN accounts a ON a.number = s.account
		WHERE `+cond+`
		GROUP BY s.account, a.bank, a.branch, a.holder_name
		ORDER BY 6 DESC, s.account`, append([]any{carg}, args...)...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := []AccountActivity{}
	for rows.Next() {
		var a AccountActivity
		if err := rows.Scan(&a.Number, &a.Bank, &a.Branch, &a.Holder, &a.Rows, &a.InFen, &a.OutFen, &a.Counters, &a.Victims); err != nil {
			t.Fatal(err)
		}
		out = append(out, a)
	}
	return out
}

// The busiest accounts come from the totals kept on import: the same rows,
// money in and out, counterparties and victims as summing every statement
// row, in the same order, for the county and each station — after a
// second import by station B's officer that repeats a row of M1 (not
// counted twice), pays M1 from a counterparty already seen and from a new
// one, and brings a new account.
func TestBusiestAccountsFromTotals(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := buildStoreWorld(t, d)
		u, err := auth.CreateUser(ctx, d, auth.NewUser{Username: "invB", Role: auth.RoleInvestigator, AreaID: w.stB.ID, Password: "secret-invB"})
		if err != nil {
			t.Fatal(err)
		}
		stmt := stmtHeader +
			"M1,2026-10-01 10:00:00,50000.00,50010.00,V-王芳,工商银行北京分行,转账,113.1.2.3,\n" + // a duplicate
			"M1,2026-10-03 10:00:00,70000.00,70020.00,V-王芳,,转账,,\n" +
			"M1,2026-10-03 10:10:00,-1000.00,69020.00,L9,,转账,,\n" +
			"N1,2026-10-03 11:00:00,60000.00,60000.00,X1,,转账,,\n"
		rep, err := funds.ImportStatement(ctx, d, "b.csv", strings.NewReader(stmt), funds.ImportOptions{Mapping: "signed", UserID: u.ID})
		if err != nil || rep.Bad != 0 || rep.Duplicates != 1 {
			t.Fatalf("import: %+v %v", rep, err)
		}
		for _, scope := range []area.Node{w.root, w.stA, w.stB} {
			got, err := BusiestAccounts(ctx, d, scope, 100)
			if err != nil {
				t.Fatal(err)
			}
			want := busiestOracle(t, d, scope)
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("%s: busiest\n%+v\nwant\n%+v", scope.Name, got, want)
			}
		}
		// What a user of the county sees: M1 first with its two
		// imports' money in and its three counterparties.
		got, _ := BusiestAccounts(ctx, d, w.root, 2)
		if len(got) != 2 || got[0].Number != "M1" || got[0].InFen != 12_000_000 || got[0].Counters != 3 || got[0].Rows != 4 || got[1].Number != "N1" {
			t.Errorf("the county's two busiest: %+v", got)
		}
		// Station B sees the accounts its officer imported (M1, N1) and
		// its own case's M2, not L2 or O.
		b, _ := BusiestAccounts(ctx, d, w.stB, 100)
		var names []string
		for _, a := range b {
			names = append(names, a.Number)
		}
		if strings.Join(names, " ") != "M1 N1 M2" {
			t.Errorf("station B sees %v, want M1 N1 M2", names)
		}
	})
}
