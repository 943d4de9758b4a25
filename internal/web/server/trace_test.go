package server

import (
	"bytes"
	"context"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/db/dbtest"
	"github.com/fanzha/fanzha/internal/partner"
	"github.com/fanzha/fanzha/internal/web/api"
)

// An investigator traces a case's money through loaded statements, sees
// where it sits (masked), asks for the path of an amount, and sends a
// freeze of the top candidate to its bank in one call; the bank sees it.
// A station that does not own the case gets nothing.
func TestCaseTraceAndFreezeFromCandidate(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		f.addUser(t, auth.NewUser{Username: "inv", Role: auth.RoleInvestigator, AreaID: f.stA.ID})

		// The victim paid 10,000.00 into mule M1 (工商银行); M1 sent 6,000.00
		// to M2 (建设银行, no member unit) and 3,000.00 cash; M2 spent
		// 1,000.00. FIFO: M1 keeps 1,000.00, M2 5,000.00.
		var victim int64
		_ = d.QueryRow(ctx, `SELECT id FROM victims WHERE case_id = ?`, f.caseA).Scan(&victim)
		const m1, m2 = "6222021001000000001", "6217002000000000002"
		t0 := int64(1_790_000_000_000)
		if _, err := d.Exec(ctx, `INSERT INTO case_transfers (case_id, victim_id, at, from_account, to_account, to_bank, amount_fen, channel)
			VALUES (?,?,?,?,?,?,?,?)`, f.caseA, victim, t0, "6228480000000000009", m1, "中国工商银行", 1_000_000, "mobile_banking"); err != nil {
			t.Fatal(err)
		}
		for _, a := range [][3]string{{m1, "中国工商银行", "李四"}, {m2, "中国建设银行", "赵五"}} {
			if _, err := d.Exec(ctx, `INSERT INTO accounts (number, bank, holder_name) VALUES (?,?,?)`, a[0], a[1], a[2]); err != nil {
				t.Fatal(err)
			}
		}
		rows := []struct {
			acct    string
			at      int64
			amount  int64
			counter string
			summary string
		}{
			{m1, t0 + 1000, 1_000_000, "6228480000000000009", "转账"},
			{m1, t0 + 600_000, -600_000, m2, "网银转账"},
			{m1, t0 + 900_000, -300_000, "", "ATM取现"},
			{m2, t0 + 601_000, 600_000, m1, "转账"},
			{m2, t0 + 3_600_000, -100_000, "", "消费"},
		}
		for k, r := range rows {
			if _, err := d.Exec(ctx, `INSERT INTO statement_rows (account, at, amount_fen, counter_account, summary, row_key) VALUES (?,?,?,?,?,?)`,
				r.acct, r.at, r.amount, r.counter, r.summary, "tr"+itoa(int64(k))); err != nil {
				t.Fatal(err)
			}
		}

		url := "/api/v1/cases/" + itoa(f.caseA) + "/trace"
		if a := f.do(t, "GET", url, "offB", ""); a.status != 404 && a.status != 403 {
			t.Fatalf("another station traced the case: %d", a.status)
		}
		if a := f.do(t, "GET", url, "bank", ""); a.status != 403 {
			t.Fatalf("a bank traced a case: %d", a.status)
		}
		if a := f.do(t, "GET", url+"?rule=lifo", "inv", ""); a.status != 400 || !strings.Contains(a.body, "fifo") {
			t.Fatalf("bad rule: %d %s", a.status, a.body)
		}
		a := f.do(t, "GET", url, "inv", "")
		if a.status != 200 {
			t.Fatalf("trace: %d %s", a.status, a.body)
		}
		if strings.Contains(a.body, m1) || strings.Contains(a.body, m2) {
			t.Fatal("the trace shows full card numbers without unmask")
		}
		var v partner.TraceView
		if err := json.Unmarshal([]byte(a.body), &v); err != nil {
			t.Fatal(err)
		}
		if len(v.Victims) != 1 || v.Victims[0].LostFen != 1_000_000 || v.Victims[0].RemainingFen != 600_000 ||
			v.Victims[0].LeafFen["cash"] != 300_000 || v.Victims[0].LeafFen["payment"] != 100_000 || v.Victims[0].Name != "王秀英" {
			t.Fatalf("victim sums: %+v", v.Victims)
		}
		if len(v.Candidates) != 2 || v.Candidates[0].BalanceFen != 500_000 || v.Candidates[1].BalanceFen != 100_000 ||
			v.Candidates[0].Holder != "赵五" || v.Candidates[1].UnitName != "工商银行云溪支行" || v.Candidates[0].UnitID != 0 {
			t.Fatalf("candidates: %+v", v.Candidates)
		}
		if v.Scope.Accounts != 2 || v.Scope.Truncated {
			t.Fatalf("scope: %+v", v.Scope)
		}
		// Proportional rule: same here (no other money mixes in).
		if a := f.do(t, "GET", url+"?rule=proportional&libr=1&max_hops=3", "inv", ""); a.status != 200 || !strings.Contains(a.body, `"rule":"proportional"`) {
			t.Fatalf("proportional: %d %s", a.status, a.body)
		}

		// Explain M2's balance: victim → M1 → M2.
		ex := f.do(t, "GET", url+"/explain?node="+v.Candidates[0].Node+"&victim="+itoa(victim), "inv", "")
		if ex.status != 200 || !strings.Contains(ex.body, "受害人 王秀英") || !strings.Contains(ex.body, "仍留存 5,000.00 元") || strings.Contains(ex.body, m2) {
			t.Fatalf("explain: %d %s", ex.status, ex.body)
		}
		if a := f.do(t, "GET", url+"/explain?node=n999&victim="+itoa(victim), "inv", ""); a.status != 404 {
			t.Fatalf("unknown node: %d", a.status)
		}

		// M2's bank is no member unit: the request needs a unit.
		req := url + "/requests"
		if a := f.do(t, "POST", req, "inv", `{"kind":"freeze","account_id":`+itoa(v.Candidates[0].AccountID)+`}`); a.status != 422 || !strings.Contains(a.body, "unit_id") {
			t.Fatalf("freeze without a bank unit: %d %s", a.status, a.body)
		}
		// The confirmation before a freeze names the full account to an
		// officer who may freeze and unmask, audited as an unmask, and sends
		// nothing.
		a = f.do(t, "POST", req, "inv", `{"kind":"freeze","preview":true,"account_id":`+itoa(v.Candidates[1].AccountID)+`}`)
		if a.status != 200 || a.json["account"] != m1 || a.json["status"] != "preview" || a.json["unit_name"] != "工商银行云溪支行" || a.json["amount_fen"].(float64) != 100_000 {
			t.Fatalf("freeze confirmation: %d %s", a.status, a.body)
		}
		var unmasks, sent int
		_ = d.QueryRow(ctx, `SELECT COUNT(*) FROM audit_log WHERE action = ? AND object_type = 'account' AND object_id = ?`, auth.AuditUnmask, itoa(v.Candidates[1].AccountID)).Scan(&unmasks)
		_ = d.QueryRow(ctx, `SELECT COUNT(*) FROM partner_requests WHERE account = ?`, m1).Scan(&sent)
		if unmasks != 1 || sent != 0 {
			t.Fatalf("confirmation: %d unmask audits, %d requests sent", unmasks, sent)
		}
		// M1 goes to 工商银行 by itself, for its traced balance.
		a = f.do(t, "POST", req, "inv", `{"kind":"freeze","account_id":`+itoa(v.Candidates[1].AccountID)+`}`)
		if a.status != 201 || a.json["amount_fen"].(float64) != 100_000 || a.json["unit_name"] != "工商银行云溪支行" {
			t.Fatalf("freeze from candidate: %d %s", a.status, a.body)
		}
		if a := f.do(t, "GET", "/api/v1/partner/requests", "bank", ""); !strings.Contains(a.body, m1) || !strings.Contains(a.body, `"amount_fen":100000`) {
			t.Fatalf("bank inbox: %s", a.body)
		}
		// The trace now lists the request on the candidate.
		a = f.do(t, "GET", url, "inv", "")
		_ = json.Unmarshal([]byte(a.body), &v)
		if len(v.Candidates[1].Requests) != 1 || v.Candidates[1].Requests[0].Kind != "freeze" {
			t.Fatalf("candidate requests: %+v", v.Candidates[1].Requests)
		}
		// An account that holds no traced money is refused.
		var other int64
		_ = d.QueryRow(ctx, `INSERT INTO accounts (number, bank) VALUES ('6222999900000000000', '中国工商银行') RETURNING id`).Scan(&other)
		if a := f.do(t, "POST", req, "inv", `{"kind":"freeze","account_id":`+itoa(other)+`}`); a.status != 422 {
			t.Fatalf("freeze of an untraced account: %d %s", a.status, a.body)
		}
		if a := f.do(t, "POST", req, "offB", `{"kind":"freeze","account_id":`+itoa(v.Candidates[1].AccountID)+`}`); a.status != 403 && a.status != 404 {
			t.Fatalf("another station froze: %d", a.status)
		}
	})
}

// A case opens from a report through the API: amounts in yuan text become
// exact fen, the bank comes from the card number, the type from the
// narrative; a station cannot open a case in another station's area.
func TestCreateCaseFromReport(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		f.addUser(t, auth.NewUser{Username: "inv", Role: auth.RoleInvestigator, AreaID: f.stA.ID})
		body := `{"summary":"对方自称公安局民警，称我涉嫌洗钱，让我把钱转到安全账户","victims":[{"name":"刘某","phone":"13900001111",
			"transfers":[{"at":"2026-11-20T02:00:00Z","from_account":"6228480000000000001","to_account":"6222 0200 0000 0000 777","amount":"1,234.50"},
			             {"at":"2026-11-20T02:05:00Z","to_account":"6217000000000000888","amount_fen":1}]}]}`
		a := f.do(t, "POST", "/api/v1/cases", "inv", body)
		if a.status != 201 {
			t.Fatalf("create case: %d %s", a.status, a.body)
		}
		if a.json["fraud_type"] != "police" {
			t.Errorf("suggested type %v, want police (冒充公检法)", a.json["fraud_type"])
		}
		id := int64(a.json["id"].(float64))
		a = f.do(t, "GET", "/api/v1/cases/"+itoa(id)+"?unmask=1", "inv", "")
		if !strings.Contains(a.body, `"loss_fen":123451`) || !strings.Contains(a.body, `"to_account":"6222020000000000777"`) ||
			!strings.Contains(a.body, `"to_bank":"中国工商银行"`) || !strings.Contains(a.body, `"to_bank":"中国建设银行"`) {
			t.Fatalf("case: %s", a.body)
		}
		// Another station's officer may not open a case in station A's area.
		if a := f.do(t, "POST", "/api/v1/cases", "offB", `{"area_id":`+itoa(f.stA.ID)+`,"victims":[{"name":"x","loss_fen":100}]}`); a.status != 422 && a.status != 403 {
			t.Fatalf("case in another station: %d %s", a.status, a.body)
		}
		for _, bad := range []string{
			`{"victims":[]}`,
			`{"victims":[{"name":"x","transfers":[{"at":"2026-11-20T02:00:00Z","to_account":"1","amount":"1.234"}]}]}`,
			`{"victims":[{"name":"x","transfers":[{"to_account":"1","amount":"1"}]}]}`,
			`{"victims":[{"name":"","loss_fen":5}]}`,
		} {
			if a := f.do(t, "POST", "/api/v1/cases", "inv", bad); (a.status != 422 && a.status != 400) || a.json["error"] == "" {
				t.Errorf("%s: %d %s", bad, a.status, a.body)
			}
		}
	})
}

// Cases whose victims paid into the same account are shown as related; one
// of another station shows its number and station only. Suspects are
// recorded and masked.
func TestRelatedCasesAndSuspects(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		mk := func(user string, area int64) string {
			f.addUser(t, auth.NewUser{Username: user, Role: auth.RoleInvestigator, AreaID: area})
			return user
		}
		invA, invB := mk("invA", f.stA.ID), mk("invB", f.stB.ID)
		const shared = "6222020000000000555"
		open := func(user, name, to string) int64 {
			a := f.do(t, "POST", "/api/v1/cases", user, `{"summary":"刷单返利","victims":[{"name":"`+name+`","transfers":[{"at":"2026-11-20T02:00:00Z","to_account":"`+to+`","amount":"100"}]}]}`)
			if a.status != 201 {
				t.Fatalf("open case: %d %s", a.status, a.body)
			}
			return int64(a.json["id"].(float64))
		}
		c1 := open(invA, "甲", shared)
		c2 := open(invA, "乙", shared)
		c3 := open(invB, "丙", shared)
		_ = open(invA, "丁", "6222020000000000999")

		a := f.do(t, "GET", "/api/v1/cases/"+itoa(c1), invA, "")
		var got struct {
			Related []struct {
				ID       int64    `json:"id"`
				CaseNo   string   `json:"case_no"`
				Visible  bool     `json:"visible"`
				LossFen  int64    `json:"loss_fen"`
				Accounts []string `json:"accounts"`
			} `json:"related"`
			Suspects []struct {
				Phones   []string `json:"phones"`
				Accounts []string `json:"accounts"`
			} `json:"suspects"`
		}
		if err := json.Unmarshal([]byte(a.body), &got); err != nil {
			t.Fatal(err)
		}
		if len(got.Related) != 2 || got.Related[0].ID != c3 || got.Related[1].ID != c2 {
			t.Fatalf("related: %+v", got.Related)
		}
		if got.Related[0].Visible || got.Related[0].LossFen != 0 || !got.Related[1].Visible || got.Related[1].LossFen != 10000 {
			t.Fatalf("visibility: %+v", got.Related)
		}
		if got.Related[1].Accounts[0] != "**** 0555" || strings.Contains(a.body, "丙") {
			t.Fatalf("masking / other station's people: %s", a.body)
		}
		// Suspects.
		if a := f.do(t, "POST", "/api/v1/cases/"+itoa(c1)+"/suspects", invA, `{"name":"王某","phones":["13712345678"],"accounts":["`+shared+`"],"role":"card_farmer"}`); a.status != 201 {
			t.Fatalf("add suspect: %d %s", a.status, a.body)
		}
		if a := f.do(t, "POST", "/api/v1/cases/"+itoa(c1)+"/suspects", invB, `{"name":"x"}`); a.status != 404 {
			t.Fatalf("another station added a suspect: %d", a.status)
		}
		if a := f.do(t, "POST", "/api/v1/cases/"+itoa(c1)+"/suspects", invA, `{"role":"boss"}`); a.status != 400 && a.status != 422 {
			t.Fatalf("empty suspect: %d", a.status)
		}
		a = f.do(t, "GET", "/api/v1/cases/"+itoa(c1), invA, "")
		_ = json.Unmarshal([]byte(a.body), &got)
		if len(got.Suspects) != 1 || len(got.Suspects[0].Phones) != 1 || got.Suspects[0].Phones[0] != "137****5678" ||
			len(got.Suspects[0].Accounts) != 1 || got.Suspects[0].Accounts[0] != "**** 0555" {
			t.Fatalf("suspects: %s", a.body)
		}
	})
}

// Statement files through the API: each file is its own import with its
// report (bad rows by number); a file that cannot be read is listed as
// failed while the others go in; only unreadable files → 422. Officers
// without funds.write are refused.
func TestImportStatementsAPI(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		f.addUser(t, auth.NewUser{Username: "inv", Role: auth.RoleInvestigator, AreaID: f.stA.ID})
		upload := func(user string, files map[string]string) answer {
			var body bytes.Buffer
			mw := multipart.NewWriter(&body)
			names := make([]string, 0, len(files))
			for n := range files {
				names = append(names, n)
			}
			sort.Strings(names)
			for _, n := range names {
				w, _ := mw.CreateFormFile("file", n)
				_, _ = w.Write([]byte(files[n]))
			}
			mw.Close()
			req, _ := http.NewRequest("POST", f.srv.URL+"/api/v1/statements/import", &body)
			req.Header.Set("Content-Type", mw.FormDataContentType())
			return f.send(t, req, user)
		}
		good := "账号,交易时间,交易金额,对方账号,摘要,余额\n" +
			"6222020000000000001,2026-11-20 10:00:00,\"1,234.50\",6228480000000000009,转入,1234.50\n" +
			"6222020000000000001,2026-11-20 10:05:00,abc,6217000000000000002,转出,0\n" +
			"6222020000000000001,2026-11-20 10:06:00,-0.01,6217000000000000002,转出,1234.49\n"
		a := upload("inv", map[string]string{"a.csv": good, "b.csv": "这不是流水\n只有一列\n"})
		if a.status != 200 {
			t.Fatalf("import: %d %s", a.status, a.body)
		}
		var got struct {
			Reports []struct {
				File   string `json:"file"`
				Stored int    `json:"stored"`
				Bad    int    `json:"bad"`
				Errors []struct {
					Row    int    `json:"row"`
					Reason string `json:"reason"`
				} `json:"errors"`
			} `json:"reports"`
			Failed []struct {
				File  string `json:"file"`
				Error string `json:"error"`
			} `json:"failed"`
		}
		_ = json.Unmarshal([]byte(a.body), &got)
		if len(got.Reports) != 1 || got.Reports[0].File != "a.csv" || got.Reports[0].Stored != 2 || got.Reports[0].Bad != 1 ||
			got.Reports[0].Errors[0].Row != 3 || len(got.Failed) != 1 || got.Failed[0].File != "b.csv" || got.Failed[0].Error == "" {
			t.Fatalf("reports: %s", a.body)
		}
		var fen int64
		_ = d.QueryRow(ctx, `SELECT amount_fen FROM statement_rows WHERE at = ?`, db.Millis(time.Date(2026, 11, 20, 2, 0, 0, 0, time.UTC))).Scan(&fen)
		if fen != 123450 {
			t.Fatalf("1,234.50 stored as %d fen", fen)
		}
		if a := upload("inv", map[string]string{"b.csv": "x\n"}); a.status != 422 || a.json["code"] != "bad_file" {
			t.Fatalf("only unreadable files: %d %s", a.status, a.body)
		}
		if a := upload("offA", map[string]string{"a.csv": good}); a.status != 403 {
			t.Fatalf("a dissuader imported statements: %d", a.status)
		}
	})
}

// as_of is read as RFC 3339 or as Beijing time in two console shapes.

func TestTraceOptionsAsOf(t *testing.T) {
	for in, want := range map[string]time.Time{
		"2026-11-20T10:00:00Z": time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC),
		"2026-11-20T18:00":     time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC),
		"2026-11-20 18:00":     time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC),
	} {
		opt, err := api.TraceOptions(func(k string) string {
			if k == "as_of" {
				return in
			}
			return ""
		})
		if err != nil || !opt.AsOf.Equal(want) {
			t.Errorf("%s: %v %v", in, opt.AsOf, err)
		}
	}
	if _, err := api.TraceOptions(func(k string) string {
		if k == "as_of" {
			return "yesterday"
		}
		return ""
	}); err == nil {
		t.Error("bad as_of accepted")
	}
}

// A case whose accounts have no statement yet is traced "as of" nothing:
// the trace carries no as_of (the console says 无流水), never 1970-01-01
// (shown as 「01-01 08:00:00」).
func TestCaseTraceWithoutStatements(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		f.addUser(t, auth.NewUser{Username: "inv", Role: auth.RoleInvestigator, AreaID: f.stA.ID})
		var victim int64
		_ = d.QueryRow(ctx, `SELECT id FROM victims WHERE case_id = ?`, f.caseA).Scan(&victim)
		if _, err := d.Exec(ctx, `INSERT INTO case_transfers (case_id, victim_id, at, from_account, to_account, to_bank, amount_fen, channel)
			VALUES (?,?,?,?,?,?,?,?)`, f.caseA, victim, int64(1_790_000_000_000), "6228480000000000009", "6222021001000000001", "中国工商银行", 1_000_000, "mobile_banking"); err != nil {
			t.Fatal(err)
		}
		url := "/api/v1/cases/" + itoa(f.caseA) + "/trace"
		a := f.do(t, "GET", url, "inv", "")
		if a.status != 200 || strings.Contains(a.body, `"as_of":`) || strings.Contains(a.body, "1970-01-01") {
			t.Fatalf("trace without statements: %d %.600s", a.status, a.body)
		}
	})
}
