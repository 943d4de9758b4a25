package funds

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/db/dbtest"
	"github.com/fanzha/fanzha/internal/trace"
	"github.com/fanzha/fanzha/internal/zone"
)

// A case trace is served from the cache until a statement is imported —
// through any handle on the database, as another replica would — and then
// traced again with the new statement.
func TestCaseTraceCacheFollowsImports(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		imp := func(name, csv string) {
			t.Helper()
			rep, err := ImportStatement(ctx, d, name, strings.NewReader("账号,交易时间,交易金额,对方账号,摘要\n"+csv), ImportOptions{Mapping: "signed"})
			if err != nil || rep.Bad > 0 {
				t.Fatalf("import %s: %v %+v", name, err, rep.Errors)
			}
		}
		imp("a.csv", "A1,2026-10-01 10:00:00,5000.00,V1,转账\nA1,2026-10-01 11:00:00,-3000.00,B1,转账\n")
		at := time.Date(2026, 10, 1, 10, 0, 0, 0, zone.Shanghai)
		c := Case{CaseNo: "T-9", Transfers: []Transfer{{ID: 1, VictimID: 9, At: at, FromAccount: "V1", ToAccount: "A1", AmountFen: 500000}}}
		leafTo := func(res trace.Result, counter string) bool {
			for _, n := range res.Nodes {
				if n.Kind == "leaf" && n.LeafType == trace.LeafNoStatement && n.Counter == counter {
					return true
				}
			}
			return false
		}
		res, _, err := TraceCaseFrom(ctx, d, c, trace.Options{})
		if err != nil || !leafTo(res, "B1") {
			t.Fatalf("first trace: %v %+v", err, res.Nodes)
		}
		// A row written behind the importer's back (no generation bump):
		// the cached trace is still served.
		if _, err := d.Exec(ctx, `INSERT INTO statement_rows (account, at, amount_fen, counter_account, summary, row_key)
			VALUES ('B1', ?, 300000, 'A1', '转账', 'raw1')`, db.Millis(at.Add(time.Hour))); err != nil {
			t.Fatal(err)
		}
		if res, _, err = TraceCaseFrom(ctx, d, c, trace.Options{}); err != nil || !leafTo(res, "B1") {
			t.Fatalf("second trace not from the cache: %v %+v", err, res.Nodes)
		}
		// B1's statement imported through another handle: the trace now
		// follows the money into B1 and on to C1.
		other, err := db.Open(ctx, d.DSN, "")
		if err != nil {
			t.Fatal(err)
		}
		defer other.Close()
		rep, err := ImportStatement(ctx, other, "b.csv", strings.NewReader("账号,交易时间,交易金额,对方账号,摘要\nB1,2026-10-01 12:00:00,-2000.00,C1,转账\n"), ImportOptions{Mapping: "signed"})
		if err != nil || rep.Stored != 1 {
			t.Fatalf("import b.csv: %v %+v", err, rep)
		}
		res, _, err = TraceCaseFrom(ctx, d, c, trace.Options{})
		if err != nil || leafTo(res, "B1") || !leafTo(res, "C1") {
			t.Fatalf("trace after the import: %v %+v", err, res.Nodes)
		}
	})
}

// An import for other accounts keeps a cached case trace; an import that
// touches an account the trace read replaces it, and the cached trace then
// equals the trace computed without the cache.
func TestCaseTraceCacheKeptForOtherAccounts(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		importSigned(t, d, "a.csv", "A1,2026-10-01 10:00:00,5000.00,V1,转账\nA1,2026-10-01 11:00:00,-3000.00,B1,转账\n"+
			"B1,2026-10-01 11:00:00,3000.00,A1,转账\nB1,2026-10-01 12:00:00,-1000.00,C1,转账\n")
		at := time.Date(2026, 10, 1, 10, 0, 0, 0, zone.Shanghai)
		c := Case{CaseNo: "T-10", Transfers: []Transfer{{ID: 1, VictimID: 9, At: at, FromAccount: "V1", ToAccount: "A1", AmountFen: 500000}}}
		first, _, err := TraceCaseFrom(ctx, d, c, trace.Options{})
		if err != nil {
			t.Fatal(err)
		}
		// A row of B1 written behind the importer's back, then an import of
		// an account the trace never read: the cached trace is served
		// (without the raw row).
		if _, err := d.Exec(ctx, `INSERT INTO statement_rows (account, at, amount_fen, counter_account, summary, row_key)
			VALUES ('B1', ?, -500000, 'E1', '转账', 'raw2')`, db.Millis(at.Add(3*time.Hour))); err != nil {
			t.Fatal(err)
		}
		importSigned(t, d, "other.csv", "Z9,2026-10-01 12:00:00,-10.00,Z8,转账\n")
		got, _, err := TraceCaseFrom(ctx, d, c, trace.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got.Nodes, first.Nodes) {
			t.Fatalf("an import for other accounts changed the cached trace:\n%+v\n%+v", got.Nodes, first.Nodes)
		}
		// C1's statement (C1 was a no-statement leaf the trace looked up).
		importSigned(t, d, "c.csv", "C1,2026-10-01 12:00:00,1000.00,B1,转账\nC1,2026-10-01 13:00:00,-600.00,D1,转账\n")
		cached, csc, err := TraceCaseFrom(ctx, d, c, trace.Options{})
		if err != nil {
			t.Fatal(err)
		}
		fresh, fsc, _, err := traceCaseFrom(ctx, d, c, trace.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(cached.Nodes, fresh.Nodes) || !reflect.DeepEqual(cached.Edges, fresh.Edges) || csc != fsc {
			t.Fatalf("cached trace after the import differs from the uncached one:\n%+v\n%+v", cached.Nodes, fresh.Nodes)
		}
		reachedD1 := false
		for _, n := range cached.Nodes {
			reachedD1 = reachedD1 || n.Counter == "D1"
		}
		if !reachedD1 {
			t.Fatalf("the trace after C1's import does not follow the money to D1: %+v", cached.Nodes)
		}
	})
}
