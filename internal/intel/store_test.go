package intel

import (
	"bytes"
	"context"
	"encoding/hex"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/db/dbtest"
	"github.com/fanzha/fanzha/internal/funds"
)

// storeWorld: a county with stations A and B. Case 1 (station A) paid mule
// account M1; case 2 (station B) paid M2. M1 and M2 both forward to the
// second-layer account L2, which splits to cash-out cards. A warning of
// station A names scam phone P with M1. Statements of M1, M2, L2 and an
// ordinary account O are imported.
type storeWorld struct {
	root, stA, stB area.Node
	case1, case2   int64
}

const stmtHeader = "账号,交易时间,交易金额,余额,对方账号,对方开户行,摘要,IP地址,MAC地址\n"

func buildStoreWorld(t *testing.T, d *db.DB) storeWorld {
	t.Helper()
	ctx := context.Background()
	var w storeWorld
	w.root = area.Node{Level: area.County, Code: "C", Name: "云溪县"}
	w.stA = area.Node{Level: area.Station, Code: "A", Name: "青石派出所"}
	w.stB = area.Node{Level: area.Station, Code: "B", Name: "城关派出所"}
	if err := area.Create(ctx, d, &w.root); err != nil {
		t.Fatal(err)
	}
	w.stA.ParentID, w.stB.ParentID = w.root.ID, w.root.ID
	for _, n := range []*area.Node{&w.stA, &w.stB} {
		if err := area.Create(ctx, d, n); err != nil {
			t.Fatal(err)
		}
	}
	now := db.Millis(time.Now())
	mkCase := func(no string, st area.Node, victim, phone, to string, fen int64) int64 {
		var id, vid int64
		if err := d.QueryRow(ctx, `INSERT INTO cases (case_no, area_id, station_id, reported_at, loss_fen, created_at, updated_at)
			VALUES (?,?,?,?,?,?,?) RETURNING id`, no, st.ID, st.ID, now, fen, now, now).Scan(&id); err != nil {
			t.Fatal(err)
		}
		if err := d.QueryRow(ctx, `INSERT INTO victims (case_id, name, phone, area_id, loss_fen) VALUES (?,?,?,?,?) RETURNING id`,
			id, victim, phone, st.ID, fen).Scan(&vid); err != nil {
			t.Fatal(err)
		}
		if _, err := d.Exec(ctx, `INSERT INTO case_transfers (case_id, victim_id, at, from_account, to_account, amount_fen) VALUES (?,?,?,?,?,?)`,
			id, vid, now, "V-"+victim, to, fen); err != nil {
			t.Fatal(err)
		}
		return id
	}
	w.case1 = mkCase("A-1", w.stA, "王芳", "13900000001", "M1", 5_000_000)
	w.case2 = mkCase("B-1", w.stB, "李强", "13900000002", "M2", 3_000_000)
	if _, err := d.Exec(ctx, `INSERT INTO warnings (source, source_ref, received_at, grade, person_name, person_phone, scam_phone, scam_account,
		area_id, case_id, created_at, updated_at) VALUES ('upper','w1',?,'fund','王芳','13900000001','17000000009','M1',?,?,?,?)`,
		now, w.stA.ID, w.case1, now, now); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	b.WriteString(stmtHeader)
	row := func(acct, at string, yuan, bal, counter, bank, summary, ip string) {
		b.WriteString(strings.Join([]string{acct, at, yuan, bal, counter, bank, summary, ip, ""}, ",") + "\n")
	}
	// M1 and M2: victims' money in, forwarded to L2 within minutes.
	row("M1", "2026-10-01 10:00:00", "50000.00", "50010.00", "V-王芳", "工商银行北京分行", "转账", "113.1.2.3")
	row("M1", "2026-10-01 10:05:00", "-49990.00", "20.00", "L2", "", "转账", "113.1.2.3")
	row("M2", "2026-10-01 11:00:00", "30000.00", "30000.00", "V-李强", "建设银行广州分行", "转账", "113.1.2.3")
	row("M2", "2026-10-01 11:03:00", "-29990.00", "10.00", "L2", "", "转账", "117.9.9.9")
	// L2: splits to three cards under 1万 at night, then cash.
	for i, c := range []string{"K1", "K2", "K3", "K1", "K2", "K3", "K1", "K2"} {
		row("L2", "2026-10-02 0"+string(rune('1'+i%5))+":00:00", "-9900.00", "", c, "", "转账", "")
	}
	row("L2", "2026-10-02 07:00:00", "-500.00", "0.00", "", "", "ATM取现", "")
	// O: a salary and groceries.
	row("O", "2026-10-01 09:00:00", "8000.00", "9000.00", "EMPLOYER", "农业银行云溪支行", "工资", "")
	row("O", "2026-10-05 18:00:00", "-200.00", "8800.00", "SHOP", "", "消费", "")
	rep, err := funds.ImportStatement(ctx, d, "stmts.csv", strings.NewReader(b.String()), funds.ImportOptions{Mapping: "signed"})
	if err != nil || rep.Bad != 0 {
		t.Fatalf("import: %+v %v", rep, err)
	}
	return w
}

func TestStoredScoringWatchListAndJurisdiction(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := buildStoreWorld(t, d)
		n, watch, err := Rescore(ctx, d, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if n < 8 || watch == 0 {
			t.Fatalf("rescore: %d accounts, %d watch", n, watch)
		}
		all, err := WatchList(ctx, d, w.root, WatchFilter{})
		if err != nil {
			t.Fatal(err)
		}
		rank := map[string]int{}
		for i, s := range all {
			rank[s.Subject] = i
			var sum float64
			for _, c := range s.Explain {
				sum += c.Points
			}
			if diff := sum - s.Score; diff > 1e-6 || diff < -1e-6 {
				t.Fatalf("%s: explanation adds up to %v, score %v", s.Subject, sum, s.Score)
			}
		}
		if rank["L2"] > rank["O"] || rank["M1"] > rank["O"] {
			t.Fatalf("mules rank below the ordinary account: %v", rank)
		}
		// M1 forwards 49,990 of 50,000 within the hour.
		f, _ := LoadFlows(ctx, d)
		// Case transfers to accounts with statements are not counted twice.
		if m1, _ := f.ID("M1"); len(f.ins(m1)) != 1 {
			t.Fatalf("M1 has %d inflows, want 1", len(f.ins(m1)))
		}
		// A victim's payment to an account without a statement counts.
		if _, err := d.Exec(ctx, `INSERT INTO case_transfers (case_id, victim_id, at, from_account, to_account, amount_fen)
			SELECT case_id, victim_id, at, from_account, 'NOSTMT', 700 FROM case_transfers WHERE case_id = ?`, w.case1); err != nil {
			t.Fatal(err)
		}
		f2, _ := LoadFlows(ctx, d)
		if ns, ok := f2.ID("NOSTMT"); !ok || len(f2.ins(ns)) != 1 || f2.amt[f2.ins(ns)[0]] != 700 {
			t.Fatal("the case transfer to an account without a statement is missing")
		}
		sc := ScoreFlows(f, DefaultWeights(), nil)
		m1, _ := f.ID("M1")
		if v := sc.Value[m1][FastOut1h]; v < 0.999 {
			t.Fatalf("M1 fast out %v", v)
		}
		// Station A sees M1 (its case) but not M2 (station B's case) nor O.
		a, err := WatchList(ctx, d, w.stA, WatchFilter{})
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		for _, s := range a {
			seen[s.Subject] = true
		}
		if !seen["M1"] || seen["M2"] || seen["O"] {
			t.Fatalf("station A sees %v", seen)
		}
		var idM2 int64
		_ = d.QueryRow(ctx, `SELECT id FROM accounts WHERE number = 'M2'`).Scan(&idM2)
		if _, err := AccountScore(ctx, d, w.stA, idM2); err == nil {
			t.Fatal("station A read station B's account")
		}
		if _, err := AccountScore(ctx, d, w.stB, idM2); err != nil {
			t.Fatal(err)
		}
		// Labels are stored, audited, and feed CaseLinks and the fit.
		who := auth.AuditEntry{Username: "analyst", IP: "127.0.0.1"}
		if err := SetLabel(ctx, d, who, KindAccount, "L2", LabelMule, "供述", time.Now()); err != nil {
			t.Fatal(err)
		}
		if err := SetLabel(ctx, d, who, KindAccount, "O", LabelCleared, "", time.Now()); err != nil {
			t.Fatal(err)
		}
		if err := SetLabel(ctx, d, who, KindAccount, "O", "maybe", "", time.Now()); err == nil {
			t.Fatal("bad label accepted")
		}
		var audits int
		_ = d.QueryRow(ctx, `SELECT COUNT(*) FROM audit_log WHERE object_type = 'intel_account'`).Scan(&audits)
		if audits != 2 {
			t.Fatalf("%d audit lines for 2 labels", audits)
		}
		labels, _ := Labels(ctx, d, KindAccount)
		if !labels["L2"] || labels["O"] {
			t.Fatalf("labels %v", labels)
		}
		s, err := ScoreStored(ctx, d)
		if err != nil {
			t.Fatal(err)
		}
		k1, _ := s.Flows.ID("K1")
		if s.Value[k1][CaseLinks] != 1 {
			t.Fatalf("K1 case links %v, want 1 (L2 confirmed)", s.Value[k1][CaseLinks])
		}
		wts, rep, err := FitStored(ctx, d)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Examples != 2 || rep.Mules != 1 {
			t.Fatalf("fit report %+v", rep)
		}
		if err := SaveWeights(ctx, d, who, wts, "test", time.Now()); err != nil {
			t.Fatal(err)
		}
		cur, err := CurrentWeights(ctx, d)
		if err != nil || cur.Threshold != wts.Threshold {
			t.Fatalf("weights in force %+v %v", cur, err)
		}
		// Phone P: one warned person, one case, one watched account (M1).
		if _, err := RescorePhones(ctx, d, time.Now()); err != nil {
			t.Fatal(err)
		}
		ph, err := WatchList(ctx, d, w.stA, WatchFilter{Kind: KindPhone})
		if err != nil || len(ph) != 1 || ph[0].Subject != "17000000009" {
			t.Fatalf("phones %+v %v", ph, err)
		}
		if ph2, _ := WatchList(ctx, d, w.stB, WatchFilter{Kind: KindPhone}); len(ph2) != 0 {
			t.Fatalf("station B sees station A's scam phone")
		}
	})
}

func TestStoredGraphGroupsAndLinkedCases(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := buildStoreWorld(t, d)
		g, err := BuildGraph(ctx, d, w.root)
		if err != nil {
			t.Fatal(err)
		}
		// Cases 1 and 2 are linked: M1 and M2 share IP 113.1.2.3 and both
		// pay L2, but neither is named by both cases, so the cases share no
		// entity directly …
		if l := g.CasesLinkedTo(w.case1); len(l) != 0 {
			t.Fatalf("linked cases %+v", l)
		}
		// … yet they are one group (money and the shared IP join them).
		c1, _ := g.Find(TCase, itoa(w.case1))
		c2, _ := g.Find(TCase, itoa(w.case2))
		comp := g.Components()
		if comp[c1] != comp[c2] {
			t.Fatal("the two cases are in different components")
		}
		// Two hops from M1 reach case 1 (paid it) and L2; the victim's
		// person node only by the weak link.
		m1, _ := g.Find(TCard, "M1")
		ex := g.Expand(m1, 2, nil, 0)
		got := map[Entity]bool{}
		for _, v := range ex.Nodes {
			got[g.Entity(v)] = true
		}
		for _, e := range []Entity{{TCase, itoa(w.case1)}, {TCard, "L2"}, {TIP, "113.1.2.3"}, {TCard, "M2"}, {TPhone, "17000000009"}} {
			if !got[e] {
				t.Fatalf("2-hop expansion from M1 lacks %v", e)
			}
		}
		// A third case paying L2 is linked to nothing until it shares an
		// entity; sharing M1 links it to case 1 with M1 named.
		now := db.Millis(time.Now())
		var id3, v3 int64
		_ = d.QueryRow(ctx, `INSERT INTO cases (case_no, area_id, reported_at, created_at, updated_at) VALUES ('A-2',?,?,?,?) RETURNING id`,
			w.stA.ID, now, now, now).Scan(&id3)
		_ = d.QueryRow(ctx, `INSERT INTO victims (case_id, name, area_id) VALUES (?,?,?) RETURNING id`, id3, "赵六", w.stA.ID).Scan(&v3)
		if _, err := d.Exec(ctx, `INSERT INTO case_transfers (case_id, victim_id, at, to_account, amount_fen) VALUES (?,?,?,?,?)`, id3, v3, now, "M1", 100); err != nil {
			t.Fatal(err)
		}
		g, _ = BuildGraph(ctx, d, w.root)
		l := g.CasesLinkedTo(w.case1)
		if len(l) != 1 || len(l[0].Shared) != 1 || l[0].Shared[0] != (Entity{TCard, "M1"}) {
			t.Fatalf("linked cases %+v", l)
		}
		// Station B's graph has no case of station A.
		gb, _ := BuildGraph(ctx, d, w.stB)
		if _, ok := gb.Find(TCase, itoa(w.case1)); ok {
			t.Fatal("station B's graph holds station A's case")
		}
		if _, ok := gb.Find(TCase, itoa(w.case2)); !ok {
			t.Fatal("station B's graph lacks its own case")
		}
	})
}

func TestImportTransfersAndOutlets(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := buildStoreWorld(t, d)
		csv := "sourceNodeId,targetNodeId,value,time\n1,2,100.50,0\n2,3,90.25,0\n2,3,90.25,0\nx,3,bad,1\n"
		rep, err := ImportTransfers(ctx, d, "transactions.csv", strings.NewReader(csv), AMLSimMapping, funds.ImportOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Stored != 6 || rep.Bad != 2 {
			t.Fatalf("import %+v", rep)
		}
		f, _ := LoadFlows(ctx, d)
		a2, ok := f.ID("AML2")
		if !ok || len(f.ins(a2)) != 1 || len(f.outs(a2)) != 2 {
			t.Fatal("AML2 should have one inflow and two outflows, each transfer once")
		}
		// Outlets: M1 and L2 opened at 青石分理处 (list), M2 at the
		// statement's branch; L2 labelled, M1/M2 paid by victims.
		list := "卡号,类别,发卡行,开户网点,开户日期\nM1,银行卡,工商银行,工商银行云溪支行青石分理处,2026-09-01\nL2,银行卡,工商银行,工商银行云溪支行青石分理处,2026-09-20\n"
		if n, err := ImportOutlets(ctx, d, "outlets.csv", strings.NewReader(list)); err != nil || n != 2 {
			t.Fatalf("outlets import %d %v", n, err)
		}
		if _, err := d.Exec(ctx, `UPDATE accounts SET bank = '建设银行', branch = '建设银行城关支行' WHERE number = 'M2'`); err != nil {
			t.Fatal(err)
		}
		if err := SetLabel(ctx, d, auth.AuditEntry{Username: "a"}, KindAccount, "L2", LabelMule, "", time.Now()); err != nil {
			t.Fatal(err)
		}
		out, err := RankOutlets(ctx, d, w.root, OutletFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(out) != 2 || out[0].Outlet != "工商银行云溪支行青石分理处" || out[0].Implicated != 2 || out[1].Implicated != 1 {
			t.Fatalf("ranking %+v", out)
		}
		sept := time.Date(2026, 9, 15, 0, 0, 0, 0, time.UTC)
		out, _ = RankOutlets(ctx, d, w.root, OutletFilter{From: sept})
		if len(out) != 1 || out[0].Implicated != 1 {
			t.Fatalf("period ranking %+v", out)
		}
		var buf bytes.Buffer
		if err := WriteOutletsXLSX(&buf, out, "2026"); err != nil || buf.Len() < 1000 {
			t.Fatalf("xlsx %d bytes %v", buf.Len(), err)
		}
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// A group link names one of its members by a reference that depends only
// on the database: after a rescore, a restart or on another replica the
// graph is rebuilt and the link opens the group that holds the member now.
func TestGroupRefsSurviveRebuild(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := buildStoreWorld(t, d)
		g1, err := BuildGraph(ctx, d, w.root)
		if err != nil {
			t.Fatal(err)
		}
		m1 := Entity{TCard, "M1"}
		ref := g1.Ref(m1)
		// Another process knows nothing but the database: the salt is
		// stored there and gives the same reference.
		var stored string
		if err := d.QueryRow(ctx, `SELECT value FROM settings WHERE key = ?`, RefSaltSetting).Scan(&stored); err != nil {
			t.Fatalf("no stored reference salt: %v", err)
		}
		salt, _ := hex.DecodeString(stored)
		if RefWith(salt, m1) != ref {
			t.Fatal("the reference does not follow from the stored salt")
		}
		if r, err := EntityRef(ctx, d, m1); err != nil || r != ref {
			t.Fatalf("EntityRef %q %v, want %q", r, err, ref)
		}
		// New data and a rebuild (as after 重新评分) keep the link.
		now := db.Millis(time.Now())
		var id3, v3 int64
		_ = d.QueryRow(ctx, `INSERT INTO cases (case_no, area_id, reported_at, created_at, updated_at) VALUES ('A-9',?,?,?,?) RETURNING id`,
			w.stA.ID, now, now, now).Scan(&id3)
		_ = d.QueryRow(ctx, `INSERT INTO victims (case_id, name, area_id) VALUES (?,?,?) RETURNING id`, id3, "孙七", w.stA.ID).Scan(&v3)
		if _, err := d.Exec(ctx, `INSERT INTO case_transfers (case_id, victim_id, at, to_account, amount_fen) VALUES (?,?,?,?,?)`, id3, v3, now, "M1", 100); err != nil {
			t.Fatal(err)
		}
		g2, err := BuildGraph(ctx, d, w.root)
		if err != nil {
			t.Fatal(err)
		}
		v, ok := g2.ByRef(ref)
		if !ok || g2.Entity(v) != m1 {
			t.Fatalf("the reference is lost after a rebuild: %v %v", v, ok)
		}
		gr, _ := g2.GroupOf(v)
		found := false
		for _, c := range gr.Cases {
			found = found || c == itoa(id3)
		}
		if !found {
			t.Fatalf("the group of M1 after the rebuild lacks the new case: %+v", gr.Cases)
		}
	})
}
