package server

import (
	"context"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/db/dbtest"
	"github.com/fanzha/fanzha/internal/funds"
	"github.com/fanzha/fanzha/internal/money"
	"github.com/fanzha/fanzha/internal/partner"
	"github.com/xuri/excelize/v2"
)

// A freeze request made from a case reaches the bank's inbox, the bank
// confirms it through the API with the frozen amount, and the case shows
// it; another unit never sees it.
func TestFreezeRequestRoundTrip(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		f.addUser(t, auth.NewUser{Username: "inv", Role: auth.RoleInvestigator, AreaID: f.stA.ID})
		var other int64
		_ = d.QueryRow(ctx, `INSERT INTO units (kind, code, name, created_at) VALUES ('bank','B2','农业银行云溪支行',0) RETURNING id`).Scan(&other)
		ou, _ := auth.CreateUser(ctx, d, auth.NewUser{Username: "abc", Role: auth.RolePartner, AreaID: f.root.ID, UnitID: other, Password: "x"})
		otok, _, _ := auth.CreateToken(ctx, d, ou.ID, "t", testNowWeb())
		f.tokens["abc"] = otok
		var icbc int64
		_ = d.QueryRow(ctx, `SELECT id FROM units WHERE code = 'B1'`).Scan(&icbc)

		caseURL := "/api/v1/cases/" + itoa(f.caseA) + "/requests"
		body := `{"kind":"freeze","unit_id":` + itoa(icbc) + `,"account":"6222021001000000001","amount_fen":1500000,"reason":"案件涉案账户"}`
		if a := f.do(t, "POST", caseURL, "offB", body); a.status != 403 && a.status != 404 {
			t.Fatalf("a dissuader of another station created a freeze: %d", a.status)
		}
		a := f.do(t, "POST", caseURL, "inv", body)
		if a.status != 201 {
			t.Fatalf("create freeze: %d %s", a.status, a.body)
		}
		reqID := int64(a.json["request_id"].(float64))
		// The bank sees it in its inbox, with the account it must act on.
		a = f.do(t, "GET", "/api/v1/partner/requests", "bank", "")
		if a.status != 200 || !strings.Contains(a.body, "6222021001000000001") || !strings.Contains(a.body, `"kind":"freeze"`) {
			t.Fatalf("bank inbox: %d %s", a.status, a.body)
		}
		if strings.Contains(a.body, "王秀英") {
			t.Fatal("bank inbox shows the victim")
		}
		// Another bank does not, and cannot answer it.
		a = f.do(t, "GET", "/api/v1/partner/requests", "abc", "")
		if strings.Contains(a.body, "6222021001000000001") {
			t.Fatalf("another unit sees the request: %s", a.body)
		}
		if a := f.do(t, "POST", "/api/v1/partner/requests/"+itoa(reqID)+"/answer", "abc", `{"status":"done","result":"已冻结","result_fen":1}`); a.status != 404 {
			t.Fatalf("another unit answered: %d", a.status)
		}
		// The bank confirms with the frozen amount.
		a = f.do(t, "POST", "/api/v1/partner/requests/"+itoa(reqID)+"/answer", "bank", `{"status":"done","result":"已冻结，冻结期限6个月","result_fen":1234500}`)
		if a.status != 200 {
			t.Fatalf("bank answer: %d %s", a.status, a.body)
		}
		if a := f.do(t, "POST", "/api/v1/partner/requests/"+itoa(reqID)+"/answer", "bank", `{"status":"refused","result":"x"}`); a.status != 409 {
			t.Fatalf("second answer: %d", a.status)
		}
		// The case shows it.
		a = f.do(t, "GET", caseURL, "inv", "")
		if a.status != 200 || !strings.Contains(a.body, `"status":"confirmed"`) || !strings.Contains(a.body, `"result_fen":1234500`) || strings.Contains(a.body, "6222021001000000001") {
			t.Fatalf("case requests: %d %s", a.status, a.body)
		}
		// Officers' data stays closed to the bank.
		if a := f.do(t, "GET", caseURL, "bank", ""); a.status != 403 {
			t.Fatalf("bank read the case's requests: %d", a.status)
		}
	})
}

// freezeFixture adds investigators of stations A and B (API tokens and
// console passwords) and a case of station A whose two victims paid into
// the same account.
type freezeFixture struct {
	*fixture
	caseF int64
	bank  int64
}

func newFreezeFixture(t *testing.T, d *db.DB) *freezeFixture {
	t.Helper()
	ctx := context.Background()
	f := &freezeFixture{fixture: newFixture(t, d)}
	for name, st := range map[string]int64{"invA": f.stA.ID, "invB": f.stB.ID} {
		f.addUser(t, auth.NewUser{Username: name, Role: auth.RoleInvestigator, AreaID: st, Password: "secret-" + name})
	}
	_ = d.QueryRow(ctx, `SELECT id FROM units WHERE code = 'B1'`).Scan(&f.bank)
	at := time.Now().Add(-48 * time.Hour)
	id, _, err := funds.CreateCase(ctx, d, funds.NewCase{AreaID: f.stA.ID, StationID: f.stA.ID, FraudType: "police", ReportedAt: at,
		Victims: []funds.NewVictim{
			{Name: "李桂兰", Transfers: []funds.NewTransfer{{At: at, FromAccount: "6228001", ToAccount: "6217009988776655", AmountFen: 300_000}}},
			{Name: "赵建国", Transfers: []funds.NewTransfer{{At: at, FromAccount: "6228002", ToAccount: "6217009988776655", AmountFen: 100_000}}},
		}}, at)
	if err != nil {
		t.Fatal(err)
	}
	f.caseF = id
	return f
}

// The lifecycle through the API: a draft is sent, the bank confirms, an
// illegal move is a 409 JSON error naming the status, renewal and release
// are follow-up requests; stations and partners see only their own.
func TestFreezeAPILifecycleAndAccess(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFreezeFixture(t, d)
		reqURL := "/api/v1/cases/" + itoa(f.caseF) + "/requests"
		a := f.do(t, "POST", reqURL, "invA", `{"kind":"freeze","unit_id":`+itoa(f.bank)+`,"account":"6217009988776655","reason":"涉案账户","draft":true}`)
		if a.status != 201 || a.json["status"] != "drafted" {
			t.Fatalf("draft: %d %s", a.status, a.body)
		}
		id := itoa(int64(a.json["request_id"].(float64)))
		if a := f.do(t, "GET", "/api/v1/partner/requests", "bank", ""); strings.Contains(a.body, "6217009988776655") {
			t.Fatalf("the bank sees a draft: %s", a.body)
		}
		steps := []struct {
			name, method, path, user, body string
			status                         int
			code, contains                 string
		}{
			{"confirm a draft", "POST", "/api/v1/freezes/" + id + "/confirm", "invA", `{"frozen_fen":1,"reference":"x"}`, 409, "conflict", "草稿"},
			{"bank answers a draft", "POST", "/api/v1/partner/requests/" + id + "/answer", "bank", `{"status":"done","result_fen":1}`, 404, "not_found", ""},
			{"other station sends", "POST", "/api/v1/freezes/" + id + "/send", "invB", "", 404, "not_found", ""},
			{"dissuader sends", "POST", "/api/v1/freezes/" + id + "/send", "offA", "", 403, "forbidden", ""},
			{"partner lists freezes", "GET", "/api/v1/freezes", "bank", "", 403, "forbidden", ""},
			{"send", "POST", "/api/v1/freezes/" + id + "/send", "invA", "", 200, "", `"status":"sent"`},
			{"send twice", "POST", "/api/v1/freezes/" + id + "/send", "invA", "", 409, "conflict", "已发送"},
			{"renew unconfirmed", "POST", "/api/v1/freezes/" + id + "/renew", "invA", `{"reason":"x"}`, 409, "conflict", "不能续冻"},
			{"bank confirms without amount", "POST", "/api/v1/partner/requests/" + id + "/answer", "bank", `{"status":"done"}`, 400, "invalid", "冻结金额"},
			{"bank confirms", "POST", "/api/v1/partner/requests/" + id + "/answer", "bank", `{"status":"done","result":"已冻结","result_fen":200001,"reference":"冻字第88号"}`, 200, "", ""},
			{"freeze is confirmed", "GET", "/api/v1/freezes/" + id, "invA", "", 200, "", `"status":"confirmed"`},
			{"reject confirmed", "POST", "/api/v1/freezes/" + id + "/reject", "invA", `{"reason":"x"}`, 409, "conflict", "已确认"},
			{"release without reason", "POST", "/api/v1/freezes/" + id + "/release", "invA", `{"reason":""}`, 400, "invalid", "解冻事由"},
			{"unknown field", "POST", "/api/v1/freezes/" + id + "/renew", "invA", `{"why":"x"}`, 400, "bad_json", ""},
			{"other station renews", "POST", "/api/v1/freezes/" + id + "/renew", "invB", `{"reason":"x"}`, 404, "not_found", ""},
			{"renew", "POST", "/api/v1/freezes/" + id + "/renew", "invA", `{"reason":"案件仍在侦办"}`, 201, "", `"prior_id":` + id},
			{"renew twice", "POST", "/api/v1/freezes/" + id + "/renew", "invA", `{"reason":"x"}`, 409, "conflict", "待银行答复"},
			{"other station reads", "GET", "/api/v1/freezes/" + id, "invB", "", 404, "not_found", ""},
			{"terms", "GET", "/api/v1/freeze-terms", "invA", "", 200, "", `"freeze":"6mo"`},
		}
		for _, s := range steps {
			a := f.do(t, s.method, s.path, s.user, s.body)
			if a.status != s.status || (s.code != "" && a.json["code"] != s.code) || !strings.Contains(a.body, s.contains) {
				t.Errorf("%s: %d %s, want %d %s containing %q", s.name, a.status, a.body, s.status, s.code, s.contains)
			}
			if s.status >= 400 && (a.json["error"] == nil || a.json["error"] == "") {
				t.Errorf("%s: no error message: %s", s.name, a.body)
			}
		}
		// Lists: station A sees the freeze and its pending renewal; B none.
		a = f.do(t, "GET", "/api/v1/freezes?status=active", "invA", "")
		list := a.json["freezes"].([]any)
		if len(list) != 1 || list[0].(map[string]any)["pending_renewal"] == nil || strings.Contains(a.body, "6217009988776655") {
			t.Fatalf("station A list: %s", a.body)
		}
		if a := f.do(t, "GET", "/api/v1/freezes", "invB", ""); len(a.json["freezes"].([]any)) != 0 {
			t.Fatalf("station B sees station A's freezes: %s", a.body)
		}
		if a := f.do(t, "GET", "/api/v1/freezes", "admin", ""); len(a.json["freezes"].([]any)) != 2 {
			t.Fatalf("the centre sees all: %s", a.body)
		}
		if a := f.do(t, "GET", "/api/v1/freezes?status=bogus", "invA", ""); a.status != 400 {
			t.Fatalf("bad status filter: %d", a.status)
		}
		// The case timeline records it all.
		a = f.do(t, "GET", "/api/v1/cases/"+itoa(f.caseF)+"/timeline", "invA", "")
		if a.status != 200 || len(a.json["events"].([]any)) != 4 || !strings.Contains(a.body, "冻字第88号") {
			t.Fatalf("timeline: %s", a.body)
		}
		if a := f.do(t, "GET", "/api/v1/cases/"+itoa(f.caseF)+"/timeline", "invB", ""); a.status != 404 {
			t.Fatalf("other station's timeline: %d", a.status)
		}
	})
}

var shareCellRe = regexp.MustCompile(`<td class="num share">([^<]+)</td>`)

// The return workflow through the API and the console; the Excel export
// has the page's numbers; the notice blocks execution.
func TestReturnAPIAndExcelMatchPage(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFreezeFixture(t, d)
		ctx := context.Background()
		id, err := partner.CreateForCase(ctx, d, f.stA, auth.AuditEntry{Username: "invA"}, 0, f.caseF,
			partner.CaseRequest{Kind: "freeze", UnitID: f.bank, Account: "6217009988776655"}, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if err := partner.Confirm(ctx, d, f.stA, auth.AuditEntry{Username: "invA"}, id, 200_001, "冻字第1号", time.Now()); err != nil {
			t.Fatal(err)
		}
		if a := f.do(t, "POST", "/api/v1/freezes/"+itoa(id)+"/return-plans", "invB", ""); a.status != 404 {
			t.Fatalf("other station made a plan: %d", a.status)
		}
		a := f.do(t, "POST", "/api/v1/freezes/"+itoa(id)+"/return-plans", "invA", "")
		if a.status != 201 || a.json["rule"] != "proportional" || a.json["notice_days"] != float64(30) || a.json["executable"] != false {
			t.Fatalf("plan: %d %s", a.status, a.body)
		}
		plan := itoa(int64(a.json["id"].(float64)))
		if a := f.do(t, "POST", "/api/v1/return-plans/"+plan+"/execute", "invA", ""); a.status != 409 || !strings.Contains(a.json["error"].(string), "公告") {
			t.Fatalf("execute before the notice: %d %s", a.status, a.body)
		}
		a = f.do(t, "POST", "/api/v1/return-plans/"+plan+"/notice", "invA", "")
		if a.status != 200 || a.json["status"] != "notice" {
			t.Fatalf("notice: %d %s", a.status, a.body)
		}
		if a := f.do(t, "POST", "/api/v1/return-plans/"+plan+"/execute", "invA", ""); a.status != 409 || !strings.Contains(a.json["error"].(string), "公告期") {
			t.Fatalf("execute during the notice: %d %s", a.status, a.body)
		}
		a = f.do(t, "POST", "/api/v1/return-plans/"+plan+"/objections", "invA", `{"objector":"孙某","text":"本人也有损失"}`)
		if a.status != 201 {
			t.Fatalf("objection: %d %s", a.status, a.body)
		}
		// The JSON view, the page and the workbook agree.
		a = f.do(t, "GET", "/api/v1/cases/"+itoa(f.caseF)+"/returns", "invA", "")
		if a.status != 200 || strings.Contains(a.body, "6217009988776655") {
			t.Fatalf("returns view: %d %s", a.status, a.body)
		}
		lines := a.json["accounts"].([]any)[0].(map[string]any)["plans"].([]any)[0].(map[string]any)["lines"].([]any)
		var apiShares []string
		for _, l := range lines {
			apiShares = append(apiShares, money.FormatYuan(int64(l.(map[string]any)["share_fen"].(float64))))
		}
		if strings.Join(apiShares, ",") != "1,500.01,500.00" {
			t.Fatalf("shares: %v", apiShares)
		}
		c := newConsoleClient(t, f.srv.URL)
		c.login("invA", "secret-invA")
		pg := c.get("/cases/" + itoa(f.caseF) + "/returns")
		checkHTML(t, "returns page", pg)
		if pg.status != 200 || !strings.Contains(pg.body, "按比例返还") || !strings.Contains(pg.body, "孙某") || !strings.Contains(pg.body, "暂不能执行") {
			t.Fatalf("returns page: %d %.500s", pg.status, pg.body)
		}
		var pageShares []string
		for _, m := range shareCellRe.FindAllStringSubmatch(pg.body, -1) {
			pageShares = append(pageShares, m[1])
		}
		x := c.get("/cases/" + itoa(f.caseF) + "/returns.xlsx")
		if x.status != 200 || !strings.Contains(x.header.Get("Content-Type"), "spreadsheetml") {
			t.Fatalf("export: %d %s", x.status, x.header.Get("Content-Type"))
		}
		wb, err := excelize.OpenReader(strings.NewReader(x.body))
		if err != nil {
			t.Fatal(err)
		}
		rows, _ := wb.GetRows("返还计算")
		var xlsShares []string
		for _, r := range rows[2:] {
			if r[6] != "合计" {
				xlsShares = append(xlsShares, r[9])
			}
		}
		if strings.Join(pageShares, ",") != strings.Join(apiShares, ",") || strings.Join(xlsShares, ",") != strings.Join(apiShares, ",") {
			t.Fatalf("page %v, workbook %v, API %v", pageShares, xlsShares, apiShares)
		}
		// The workbook carries the full account for the bank and the court
		// (the investigator may unmask), and the export is audited.
		if rows[2][1] != "6217009988776655" {
			t.Fatalf("workbook account: %v", rows[2])
		}
		var n int
		_ = d.QueryRow(ctx, `SELECT COUNT(*) FROM audit_log WHERE action = 'export' AND object_type = 'case_returns'`).Scan(&n)
		if n != 1 {
			t.Fatalf("export audited %d times", n)
		}
		// Console forms: the objection is resolved from the page.
		oid := regexp.MustCompile(`name="objection_id" value="(\d+)"`).FindStringSubmatch(pg.body)
		if oid == nil {
			t.Fatal("no resolve form")
		}
		r := c.post("/cases/"+itoa(f.caseF)+"/returns/"+plan+"/resolve", url.Values{"csrf_token": {c.csrf()}, "objection_id": {oid[1]}, "resolution": {"另案处理"}})
		if r.status != 303 {
			t.Fatalf("resolve form: %d %.300s", r.status, r.body)
		}
		if pg := c.get("/cases/" + itoa(f.caseF) + "/returns"); !strings.Contains(pg.body, "已处理：另案处理") {
			t.Fatal("resolution not shown")
		}
		// A partner reads none of it.
		for _, p := range []string{"/api/v1/cases/" + itoa(f.caseF) + "/returns", "/api/v1/cases/" + itoa(f.caseF) + "/returns.xlsx", "/api/v1/return-plans/" + plan} {
			if a := f.do(t, "GET", p, "bank", ""); a.status != 403 {
				t.Fatalf("partner GET %s: %d", p, a.status)
			}
		}
		if a := f.do(t, "GET", "/api/v1/return-plans/"+plan, "invB", ""); a.status != 404 {
			t.Fatalf("other station reads the plan: %d", a.status)
		}
	})
}
