package server

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/db/dbtest"
)

// An investigator adds a transfer to a case after the report through the
// API: the answer is masked, the loss is recomputed, the trace then reaches
// the new transfer's downstream account and says the case changed since
// the last trace until the trace is looked at again; the case page shows
// the note, the matched statement row and the removal history. Station B's
// investigator cannot add anything to station A's case (404, nothing
// stored).
func TestCasePartiesAPIAndPage(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		f.addUser(t, auth.NewUser{Username: "inv", Role: auth.RoleInvestigator, AreaID: f.stA.ID, Password: "secret-inv"})
		f.addUser(t, auth.NewUser{Username: "invB", Role: auth.RoleInvestigator, AreaID: f.stB.ID})
		const m1, m2, down = "6222021001000000001", "6217002000000000002", "6230000000000000777"
		rows := []struct {
			acct, counter string
			at, amount    int64
		}{
			{m1, "6228480000000000009", 1_790_000_001_000, 1_000_000},
			{m2, "6228480000000000009", 1_790_000_500_000, 400_000},
			{m2, down, 1_790_000_900_000, -400_000},
		}
		var inRow int64 // m2's incoming row: the transfer matched below
		for k, r := range rows {
			var id int64
			if err := d.QueryRow(ctx, `INSERT INTO statement_rows (account, at, amount_fen, counter_account, summary, row_key) VALUES (?,?,?,?,?,?) RETURNING id`,
				r.acct, r.at, r.amount, r.counter, "转账", "cp"+itoa(int64(k))).Scan(&id); err != nil {
				t.Fatal(err)
			}
			if k == 1 {
				inRow = id
			}
		}
		base := "/api/v1/cases/" + itoa(f.caseA)
		body := `{"at":"2026-09-21 10:00","from_account":"6228480000000000009","to_account":"` + m1 + `","amount":"10,000.00","channel":"mobile_banking"}`
		if a := f.do(t, "POST", base+"/transfers", "invB", body); a.status != 404 {
			t.Fatalf("station B adds to station A's case: %d %s", a.status, a.body)
		}
		if a := f.do(t, "POST", base+"/victims", "invB", `{"name":"丙"}`); a.status != 404 {
			t.Fatalf("station B adds a victim to station A's case: %d %s", a.status, a.body)
		}
		var n int
		if err := d.QueryRow(ctx, `SELECT (SELECT COUNT(*) FROM case_transfers) + (SELECT COUNT(*) FROM case_party_changes)`).Scan(&n); err != nil || n != 0 {
			t.Fatalf("rows after station B's attempts: %d %v", n, err)
		}
		a := f.do(t, "POST", base+"/transfers", "inv", body)
		if a.status != 201 || strings.Contains(a.body, m1) || a.json["loss_fen"] != float64(1_000_000) {
			t.Fatalf("add transfer: %d %s", a.status, a.body)
		}
		if a := f.do(t, "POST", base+"/transfers", "inv", `{"at":"2026-09-21 10:00","to_account":"12","amount":"1"}`); a.status != 422 ||
			!strings.Contains(a.json["error"].(string), "收款账号：") {
			t.Fatalf("a bad account: %d %s", a.status, a.body)
		}
		trace := f.do(t, "GET", base+"/trace", "inv", "")
		if trace.status != 200 || strings.Contains(trace.body, "自上次追踪以来") {
			t.Fatalf("first trace: %d %.300s", trace.status, trace.body)
		}
		// The second transfer, matched to m2's incoming row: its fields
		// come from the row.
		a = f.do(t, "POST", base+"/transfers", "inv", `{"statement_row_id":`+itoa(inRow)+`}`)
		if a.status != 201 || a.json["loss_fen"] != float64(1_400_000) {
			t.Fatalf("add a matched transfer: %d %s", a.status, a.body)
		}
		detail := f.do(t, "GET", base, "inv", "")
		if !strings.Contains(detail.body, "自上次追踪以来案件已变更：新增转账 1 笔") {
			t.Errorf("the case does not say it changed since the trace: %.400s", detail.body)
		}
		page := newConsoleClient(t, f.srv.URL)
		page.login("inv", "secret-inv")
		p := page.get("/cases/" + itoa(f.caseA))
		for _, want := range []string{"自上次追踪以来案件已变更：新增转账 1 笔", "已匹配流水 #" + itoa(inRow), `id="transfer-form"`, "14,000.00"} {
			if !strings.Contains(p.body, want) {
				t.Errorf("case page lacks %q", want)
			}
		}
		trace = f.do(t, "GET", base+"/trace", "inv", "")
		changes, _ := trace.json["changes"].(map[string]any)
		if trace.status != 200 || changes["text"] != "自上次追踪以来案件已变更：新增转账 1 笔" || !strings.Contains(trace.body, "\"leaf_type\"") {
			t.Fatalf("trace after the change: %d %v", trace.status, changes)
		}
		if !traceReaches(trace, "**** 0777") {
			t.Errorf("the trace does not reach the new transfer's downstream account: %.600s", trace.body)
		}
		if again := f.do(t, "GET", base+"/trace", "inv", ""); strings.Contains(again.body, "自上次追踪以来") {
			t.Error("the change is still reported after the trace was looked at")
		}
		// Remove the matched transfer through the page: the reason is
		// required, the history keeps it.
		var tid int64
		if err := d.QueryRow(ctx, `SELECT id FROM case_transfers WHERE statement_row_id = ?`, inRow).Scan(&tid); err != nil {
			t.Fatal(err)
		}
		csrf := page.csrf()
		if r := page.post("/cases/"+itoa(f.caseA)+"/transfers/"+itoa(tid)+"/remove", url.Values{"csrf_token": {csrf}}); r.status != 422 ||
			!strings.Contains(r.body, "删除原因：") {
			t.Errorf("removal without a reason: %d", r.status)
		}
		if r := page.post("/cases/"+itoa(f.caseA)+"/transfers/"+itoa(tid)+"/remove", url.Values{"csrf_token": {csrf}, "reason": {"重复登记"}}); r.status != 303 {
			t.Fatalf("removal: %d %.300s", r.status, r.body)
		}
		parties := f.do(t, "GET", base+"/parties", "inv", "")
		if parties.status != 200 || parties.json["loss_fen"] != float64(1_000_000) || !strings.Contains(parties.body, "transfer_removed") ||
			!strings.Contains(parties.body, "重复登记") || strings.Contains(parties.body, m2) {
			t.Errorf("parties after removal: %d %.500s", parties.status, parties.body)
		}
		if a := f.do(t, "GET", base+"/parties", "invB", ""); a.status != 404 {
			t.Errorf("station B reads station A's parties: %d", a.status)
		}
	})
}

// traceReaches reports whether the trace view has a node labelled with the
// masked account.
func traceReaches(a answer, masked string) bool {
	nodes, _ := a.json["nodes"].([]any)
	for _, n := range nodes {
		if m, ok := n.(map[string]any); ok && (m["account"] == masked || strings.Contains(m["label"].(string), masked)) {
			return true
		}
	}
	return false
}
