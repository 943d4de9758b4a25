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
