package partner

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/db/dbtest"
	"github.com/fanzha/fanzha/internal/domain"
	"github.com/fanzha/fanzha/internal/funds"
	"github.com/fanzha/fanzha/internal/trace"
)

// traceWorld is the partner world with traced cases: station A's case paid
// 10,000.00 into m1 (工商银行, a member unit) and 5,000.00 into m2 (建设银行,
// no member unit); station B's case paid into m3. The receiving accounts'
// statements show the money arriving and staying.
type traceWorld struct {
	*world
	icbc, operator int64
	caseA, caseB   int64
	m1, m2, m3, mx int64 // accounts.id
}

const (
	traceM1 = "6222021001000000001"
	traceM2 = "6217002000000000002"
	traceM3 = "6222021001000000003"
	traceMX = "6222021001000000009" // in the accounts table, not in any trace
)

func newTraceWorld(t *testing.T, d *db.DB) *traceWorld {
	t.Helper()
	ctx := context.Background()
	w := &traceWorld{world: newWorld(t, d)}
	for _, u := range []struct {
		id         *int64
		kind, name string
	}{{&w.icbc, "bank", "工商银行云溪支行"}, {&w.operator, "operator", "中国移动云溪分公司"}} {
		if err := d.QueryRow(ctx, `INSERT INTO units (kind, code, name, created_at) VALUES (?,?,?,0) RETURNING id`, u.kind, u.name, u.name).Scan(u.id); err != nil {
			t.Fatal(err)
		}
	}
	open := func(st int64, transfers ...funds.NewTransfer) int64 {
		id, _, err := funds.CreateCase(ctx, d, funds.NewCase{AreaID: st, StationID: st, FraudType: "police", ReportedAt: t0,
			Victims: []funds.NewVictim{{Name: "甲", Transfers: transfers}}}, t0)
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	w.caseA = open(w.stA.ID, funds.NewTransfer{At: t0, FromAccount: "6228480000000000001", ToAccount: traceM1, ToBank: "中国工商银行", AmountFen: 1_000_000},
		funds.NewTransfer{At: t0, FromAccount: "6228480000000000001", ToAccount: traceM2, ToBank: "中国建设银行", AmountFen: 500_000})
	w.caseB = open(w.stB.ID, funds.NewTransfer{At: t0, FromAccount: "6228480000000000002", ToAccount: traceM3, ToBank: "中国工商银行", AmountFen: 300_000})
	for _, a := range []struct {
		id           *int64
		number, bank string
		in           int64
	}{{&w.m1, traceM1, "中国工商银行", 1_000_000}, {&w.m2, traceM2, "中国建设银行", 500_000}, {&w.m3, traceM3, "中国工商银行", 300_000}, {&w.mx, traceMX, "中国工商银行", 0}} {
		if err := d.QueryRow(ctx, `INSERT INTO accounts (number, bank) VALUES (?,?) RETURNING id`, a.number, a.bank).Scan(a.id); err != nil {
			t.Fatal(err)
		}
		if a.in > 0 {
			if _, err := d.Exec(ctx, `INSERT INTO statement_rows (account, at, amount_fen, counter_account, row_key) VALUES (?,?,?,?,?)`,
				a.number, db.Millis(t0)+1000, a.in, "6228480000000000001", "in-"+a.number); err != nil {
				t.Fatal(err)
			}
		}
	}
	return w
}

func fen(v int64) *int64 { return &v }

// A request from a trace is checked before anything is sent: each rule
// answers its own error (wrapping domain.ErrInvalid), another station's
// case is not found, and a refused request stores nothing.
func TestFreezeFromTraceRules(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newTraceWorld(t, d)
		for _, c := range []struct {
			name   string
			caseID int64
			in     TraceRequest
			want   error
			words  string
		}{
			{"kind", w.caseA, TraceRequest{AccountID: w.m1, Kind: "release"}, ErrTraceRequestKind, "stop_payment"},
			{"no account", w.caseA, TraceRequest{Kind: "freeze"}, ErrTraceRequestAccount, "account_id"},
			{"negative amount", w.caseA, TraceRequest{AccountID: w.m1, Kind: "freeze", AmountFen: fen(-1)}, ErrTraceRequestAmount, "不能为负"},
			{"another station's case", w.caseB, TraceRequest{AccountID: w.m3, Kind: "freeze"}, domain.ErrNotFound, ""},
			{"account not in the trace", w.caseA, TraceRequest{AccountID: w.mx, Kind: "freeze"}, ErrNoTracedBalance, "没有留存余额"},
			{"unit not a bank", w.caseA, TraceRequest{AccountID: w.m1, Kind: "freeze", UnitID: w.operator}, ErrNotBank, "不是银行"},
			{"no member unit for the bank", w.caseA, TraceRequest{AccountID: w.m2, Kind: "freeze"}, ErrNoBankUnit, "中国建设银行"},
		} {
			t.Run(c.name, func(t *testing.T) {
				_, err := FreezeFromTrace(ctx, d, w.stA, w.inv, true, c.caseID, trace.Options{}, c.in, t0)
				if !errors.Is(err, c.want) || !strings.Contains(err.Error(), c.words) {
					t.Errorf("error %v, want %v saying %q", err, c.want, c.words)
				}
				if c.want != domain.ErrNotFound && !errors.Is(err, domain.ErrInvalid) {
					t.Errorf("error %v does not wrap domain.ErrInvalid", err)
				}
			})
		}
		reqs, err := ForCase(ctx, d, w.stA, w.caseA, t0)
		if err != nil {
			t.Fatal(err)
		}
		if len(reqs) != 0 {
			t.Errorf("refused requests stored %d requests", len(reqs))
		}
	})
}

// A preview shows what would be sent — the full number only to a caller who
// may unmask, audited — and sends nothing; the request then goes to the
// account's bank for the traced balance, or to the unit named.
func TestFreezeFromTraceSends(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newTraceWorld(t, d)
		unmasks := func() int {
			var n int
			if err := d.QueryRow(ctx, `SELECT COUNT(*) FROM audit_log WHERE action = ? AND object_type = 'account'`, auth.AuditUnmask).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		in := TraceRequest{AccountID: w.m1, Kind: "freeze", Preview: true}
		p, err := FreezeFromTrace(ctx, d, w.stA, w.inv, false, w.caseA, trace.Options{}, in, t0)
		if err != nil {
			t.Fatal(err)
		}
		if p.Status != "preview" || p.Unmasked || p.Account == traceM1 || p.UnitID != w.icbc || p.AmountFen != 1_000_000 || unmasks() != 0 {
			t.Errorf("masked preview %+v (%d unmask audits)", p, unmasks())
		}
		p, err = FreezeFromTrace(ctx, d, w.stA, w.inv, true, w.caseA, trace.Options{}, in, t0)
		if err != nil {
			t.Fatal(err)
		}
		if !p.Unmasked || p.Account != traceM1 || unmasks() != 1 {
			t.Errorf("unmasked preview %+v (%d unmask audits, want 1)", p, unmasks())
		}
		if reqs, _ := ForCase(ctx, d, w.stA, w.caseA, t0); len(reqs) != 0 {
			t.Fatalf("a preview sent %d requests", len(reqs))
		}

		in.Preview = false
		sent, err := FreezeFromTrace(ctx, d, w.stA, w.inv, true, w.caseA, trace.Options{}, in, t0)
		if err != nil {
			t.Fatal(err)
		}
		named, err := FreezeFromTrace(ctx, d, w.stA, w.inv, true, w.caseA, trace.Options{},
			TraceRequest{AccountID: w.m2, Kind: "stop_payment", UnitID: w.icbc, AmountFen: fen(200_000), Reason: "  经核实  "}, t0)
		if err != nil {
			t.Fatal(err)
		}
		if sent.Status != "sent" || sent.RequestID == 0 || sent.Account == traceM1 || named.UnitID != w.icbc {
			t.Errorf("sent %+v, named %+v", sent, named)
		}
		reqs, err := ForCase(ctx, d, w.stA, w.caseA, t0)
		if err != nil {
			t.Fatal(err)
		}
		byID := map[int64]Request{}
		for _, r := range reqs {
			byID[r.ID] = r
		}
		r := byID[sent.RequestID]
		if r.Account != traceM1 || r.UnitID != w.icbc || r.AmountFen != 1_000_000 || r.Kind != "freeze" ||
			!strings.Contains(r.Reason, "资金追踪（先进先出）") || !strings.Contains(r.Reason, "10,000.00") {
			t.Errorf("stored request %+v", r)
		}
		if r := byID[named.RequestID]; r.Account != traceM2 || r.AmountFen != 200_000 || r.Reason != "经核实" {
			t.Errorf("stored request to the named unit %+v", r)
		}
	})
}

// The trace view names each candidate's bank unit and the requests made
// about it; another station's case is not found.
func TestCaseTraceView(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newTraceWorld(t, d)
		if _, err := CaseTraceView(ctx, d, w.stA, w.caseB, trace.Options{}, auth.Masker{}, t0); !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("another station's case: %v, want not found", err)
		}
		if _, err := FreezeFromTrace(ctx, d, w.stA, w.inv, false, w.caseA, trace.Options{}, TraceRequest{AccountID: w.m1, Kind: "freeze"}, t0); err != nil {
			t.Fatal(err)
		}
		v, err := CaseTraceView(ctx, d, w.stA, w.caseA, trace.Options{}, auth.Masker{}, t0)
		if err != nil {
			t.Fatal(err)
		}
		if len(v.Candidates) != 2 {
			t.Fatalf("%d candidates, want m1 and m2: %+v", len(v.Candidates), v.Candidates)
		}
		c1, c2 := v.Candidates[0], v.Candidates[1]
		if c1.AccountID != w.m1 || c1.UnitID != w.icbc || c1.UnitName != "工商银行云溪支行" || len(c1.Requests) != 1 || c1.Requests[0].Kind != "freeze" {
			t.Errorf("m1 candidate %+v", c1)
		}
		if c2.AccountID != w.m2 || c2.UnitID != 0 || c2.Requests == nil || len(c2.Requests) != 0 {
			t.Errorf("m2 candidate %+v, want no unit and no requests", c2)
		}
		for _, n := range v.Nodes {
			if strings.Contains(n.Account, traceM1) || strings.Contains(n.Label, traceM1) || strings.HasPrefix(n.ID, "6") {
				t.Errorf("node %+v shows the full number", n)
			}
		}
	})
}

// The bank unit of an account's bank is a top-level bank unit whose name
// is the bank's (everyday) name: the one serving the nearest area of the
// case's chain (county, city, province), then one bound to no area, then
// one of another county; among equals the first made.
func TestBankUnitOf(t *testing.T) {
	units := []Unit{
		{ID: 1, Kind: "operator", Name: "中国银行大厦"},
		{ID: 2, Kind: "bank", Name: "工商银行云溪支行", ParentID: 9},
		{ID: 3, Kind: "bank", Name: "工商银行云溪支行"},
		{ID: 4, Kind: "bank", Name: "中国银行云溪支行"},
		{ID: 5, Kind: "bank", Name: "工商银行城关分理处"},
		// A province: county 30's and county 40's branches, a city's.
		{ID: 6, Kind: "bank", Name: "农业银行云溪支行", AreaID: 30},
		{ID: 7, Kind: "bank", Name: "农业银行青川支行", AreaID: 40},
		{ID: 8, Kind: "bank", Name: "农业银行云州分行", AreaID: 20},
		{ID: 10, Kind: "bank", Name: "交通银行青川支行", AreaID: 40},
		{ID: 11, Kind: "bank", Name: "交通银行营业部"},
		{ID: 12, Kind: "bank", Name: "邮储银行青川支行", AreaID: 40},
	}
	county30, county40, city := []int64{30, 20, 1}, []int64{40, 20, 1}, []int64{20, 1}
	for _, c := range []struct {
		bank string
		near []int64
		want int64
	}{
		{"中国工商银行", nil, 3}, {"工商银行", nil, 3}, {"中国银行", nil, 4}, {"中国建设银行", nil, 0}, {"", nil, 0}, {"银行", nil, 0},
		{"中国工商银行", county40, 3},
		{"中国农业银行", county30, 6}, {"中国农业银行", county40, 7}, {"中国农业银行", city, 8}, {"中国农业银行", nil, 6},
		{"中国农业银行", []int64{50, 21, 1}, 6},              // another city's county: no branch near, the first made
		{"交通银行", county30, 11}, {"交通银行", county40, 10}, // unbound before another county's
		{"邮储银行", county30, 12},
	} {
		u, ok := BankUnitOf(units, c.bank, c.near)
		if u.ID != c.want || ok != (c.want != 0) {
			t.Errorf("%q near %v: unit %d (%v), want %d", c.bank, c.near, u.ID, ok, c.want)
		}
	}
}

// In a province a request from a case's trace goes to the branch of the
// account's bank serving the case's county — not the first made — for a
// province-level caller as for the county's own; a county without a branch
// of its own gets the city's.
func TestFreezeFromTraceGoesToCaseCounty(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		mk := func(n *area.Node) {
			if err := area.Create(ctx, d, n); err != nil {
				t.Fatal(err)
			}
		}
		prov := area.Node{Level: area.Province, Code: "P", Name: "湘南省"}
		mk(&prov)
		city := area.Node{ParentID: prov.ID, Level: area.City, Code: "PC", Name: "云州市"}
		mk(&city)
		var counties [3]area.Node
		for i, name := range []string{"云溪县", "青川区", "白山县"} {
			counties[i] = area.Node{ParentID: city.ID, Level: area.County, Code: fmt.Sprintf("PC%d", i), Name: name}
			mk(&counties[i])
		}
		unit := func(name string, at int64) int64 {
			u, err := InsertUnit(ctx, d, UnitInput{Kind: "bank", Name: name, AreaID: at}, t0)
			if err != nil {
				t.Fatal(err)
			}
			return u.ID
		}
		// Made in this order: 青川's branch has the lowest id.
		qingchuan := unit("工商银行青川支行", counties[1].ID)
		yunxi := unit("工商银行云溪支行", counties[0].ID)
		cityBranch := unit("工商银行云州分行", city.ID)
		if _, err := InsertUnit(ctx, d, UnitInput{Kind: "bank", Name: "工商银行某支行", AreaID: 999999}, t0); !errors.Is(err, domain.ErrInvalid) {
			t.Errorf("a unit serving no such area: %v, want invalid", err)
		}
		caseIn := func(n area.Node, account string) (int64, int64) {
			id, _, err := funds.CreateCase(ctx, d, funds.NewCase{AreaID: n.ID, FraudType: "police", ReportedAt: t0,
				Victims: []funds.NewVictim{{Name: "甲", Transfers: []funds.NewTransfer{{At: t0, FromAccount: "6228480000000000001",
					ToAccount: account, ToBank: "中国工商银行", AmountFen: 100_000}}}}}, t0)
			if err != nil {
				t.Fatal(err)
			}
			var acc int64
			if err := d.QueryRow(ctx, `INSERT INTO accounts (number, bank) VALUES (?,?) RETURNING id`, account, "中国工商银行").Scan(&acc); err != nil {
				t.Fatal(err)
			}
			if _, err := d.Exec(ctx, `INSERT INTO statement_rows (account, at, amount_fen, counter_account, row_key) VALUES (?,?,?,?,?)`,
				account, db.Millis(t0)+1000, 100_000, "6228480000000000001", "in-"+account); err != nil {
				t.Fatal(err)
			}
			return id, acc
		}
		who := auth.AuditEntry{Username: "prov-inv", Role: auth.RoleInvestigator}
		for i, c := range []struct {
			county area.Node
			scope  area.Node
			want   int64
		}{
			{counties[0], prov, yunxi},
			{counties[1], prov, qingchuan},
			{counties[0], counties[0], yunxi},
			{counties[2], city, cityBranch}, // no branch of its own
		} {
			account := fmt.Sprintf("62220210010000001%02d", i)
			caseID, acc := caseIn(c.county, account)
			v, err := CaseTraceView(ctx, d, c.scope, caseID, trace.Options{}, auth.Masker{}, t0)
			if err != nil {
				t.Fatal(err)
			}
			if len(v.Candidates) != 1 || v.Candidates[0].UnitID != c.want {
				t.Errorf("%s's case as %s: trace view candidates %+v, want unit %d", c.county.Name, c.scope.Name, v.Candidates, c.want)
			}
			res, err := FreezeFromTrace(ctx, d, c.scope, who, false, caseID, trace.Options{}, TraceRequest{AccountID: acc, Kind: "freeze"}, t0)
			if err != nil {
				t.Fatal(err)
			}
			var stored int64
			if err := d.QueryRow(ctx, `SELECT unit_id FROM partner_requests WHERE id = ?`, res.RequestID).Scan(&stored); err != nil {
				t.Fatal(err)
			}
			if res.UnitID != c.want || stored != c.want {
				t.Errorf("%s's case as %s: request to unit %d (stored %d, %s), want %d", c.county.Name, c.scope.Name, res.UnitID, stored, res.UnitName, c.want)
			}
		}
	})
}
