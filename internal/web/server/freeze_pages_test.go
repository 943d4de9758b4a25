package server

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/db/dbtest"
	"github.com/fanzha/fanzha/internal/funds"
	"github.com/fanzha/fanzha/internal/partner"
	"github.com/fanzha/fanzha/internal/zone"
)

// The freeze list page: countdown red under 24 hours, filter, renew and
// release buttons; the figures endpoint is limited to the caller's area.
func TestFreezePageAndFigures(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFreezeFixture(t, d)
		ctx := context.Background()
		who := auth.AuditEntry{Username: "invA"}
		mk := func(kind string, confirmedAgo time.Duration) int64 {
			id, err := partner.CreateForCase(ctx, d, f.stA, who, 0, f.caseF, partner.CaseRequest{Kind: kind, UnitID: f.bank, Account: "62170099887766" + kind[:2]}, time.Now().Add(-confirmedAgo))
			if err != nil {
				t.Fatal(err)
			}
			if err := partner.Confirm(ctx, d, f.stA, who, id, 50_000, "ref", time.Now().Add(-confirmedAgo)); err != nil {
				t.Fatal(err)
			}
			return id
		}
		stop := mk("stop_payment", 30*time.Hour) // 18 hours left: red
		frz := mk("freeze", time.Hour)           // six months left
		c := newConsoleClient(t, f.srv.URL)
		c.login("invA", "secret-invA")
		pg := c.get("/freezes")
		checkHTML(t, "/freezes", pg)
		row := func(id int64) string {
			m := regexp.MustCompile(`(?s)<tr data-id="` + itoa(id) + `"[^>]*>.*?</tr>`).FindString(pg.body)
			if m == "" {
				t.Fatalf("row %d missing: %.2000s", id, pg.body)
			}
			return m
		}
		if r := row(stop); !strings.Contains(r, `class="overdue"`) || !strings.Contains(r, "还剩 17 小时") || !strings.Contains(r, `left red`) || strings.Contains(r, "续冻</button>") {
			t.Fatalf("stop-payment row: %s", r)
		}
		if r := row(frz); strings.Contains(r, "overdue") || !strings.Contains(r, "还剩 18") || !strings.Contains(r, "续冻</button>") || !strings.Contains(r, "申请解冻") {
			t.Fatalf("freeze row: %s", r)
		}
		if !strings.Contains(pg.body, `id="freeze-figures"`) || !strings.Contains(pg.body, "18.0 小时") || !strings.Contains(pg.body, "1 户") {
			t.Fatalf("figures on the freeze page")
		}
		if !strings.Contains(pg.body, "紧急止付 48 小时，冻结 6 个月") {
			t.Fatalf("terms not shown")
		}
		if pg := c.get("/freezes?status=rejected"); strings.Contains(pg.body, `data-id="`) {
			t.Fatal("status filter ignored")
		}
		r := c.post("/freezes/"+itoa(frz)+"/renew", url.Values{"csrf_token": {c.csrf()}, "reason": {"续冻"}})
		if r.status != 303 || !strings.Contains(r.location, url.QueryEscape("续冻请求")) {
			t.Fatalf("renew button: %d %s", r.status, r.location)
		}
		r = c.post("/freezes/"+itoa(frz)+"/renew", url.Values{"csrf_token": {c.csrf()}, "reason": {"续冻"}})
		if r.status != 409 || !strings.Contains(r.body, "待银行答复") {
			t.Fatalf("second renew: %d", r.status)
		}
		offB := newConsoleClient(t, f.srv.URL)
		offB.login("invB", "secret-invB")
		if pg := offB.get("/freezes"); strings.Contains(pg.body, `data-id="`) {
			t.Fatal("station B sees station A's freezes on the page")
		}
		// Figures: two cases of station A (the fixture's and this one); this one
		// was reported 48 h ago; its first request was
		// sent 30 h ago (18 h after the report) and confirmed at once.
		from := time.Now().Add(-72 * time.Hour).UTC().Format(time.RFC3339)
		a := f.do(t, "GET", "/api/v1/figures/funds?from="+from, "invA", "")
		tot, _ := a.json["total"].(map[string]any)
		if a.status != 200 || tot["cases"] != float64(2) || tot["cases_requested"] != float64(1) || tot["stopped_accounts"] != float64(1) || tot["frozen_fen"] != float64(50_000) {
			t.Fatalf("figures: %d %s", a.status, a.body)
		}
		if v := tot["to_request_median_s"].(float64); v < 18*3600-5 || v > 18*3600+5 {
			t.Fatalf("to request: %v", v)
		}
		if a := f.do(t, "GET", "/api/v1/figures/funds?from="+from, "invB", ""); a.json["total"].(map[string]any)["cases"] != float64(0) {
			t.Fatalf("station B figures count station A: %s", a.body)
		}
		if a := f.do(t, "GET", "/api/v1/figures/funds?area="+itoa(f.stA.ID), "invB", ""); a.status != 404 {
			t.Fatalf("station B asked for station A's figures: %d", a.status)
		}
		if a := f.do(t, "GET", "/api/v1/figures/funds", "bank", ""); a.status != 403 {
			t.Fatalf("partner figures: %d", a.status)
		}
		if a := f.do(t, "GET", "/api/v1/figures/funds?from=2026-02-01&to=2026-01-01", "admin", ""); a.status != 400 {
			t.Fatalf("inverted period: %d", a.status)
		}
	})
}

// A single-victim return plan offers no 发布公告 and the notice route refuses
// it: Art. 8 notices only the proportional rule.
func TestReturnPageSingleVictimNoNotice(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFreezeFixture(t, d)
		ctx := context.Background()
		at := time.Now().Add(-24 * time.Hour)
		caseID, _, err := funds.CreateCase(ctx, d, funds.NewCase{AreaID: f.stA.ID, StationID: f.stA.ID, FraudType: "police", ReportedAt: at,
			Victims: []funds.NewVictim{{Name: "钱秀英", Transfers: []funds.NewTransfer{{At: at, FromAccount: "6228009", ToAccount: "6217001122334455", AmountFen: 50_000}}}}}, at)
		if err != nil {
			t.Fatal(err)
		}
		id, err := partner.CreateForCase(ctx, d, f.stA, auth.AuditEntry{Username: "invA"}, 0, caseID,
			partner.CaseRequest{Kind: "freeze", UnitID: f.bank, Account: "6217001122334455"}, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if err := partner.Confirm(ctx, d, f.stA, auth.AuditEntry{Username: "invA"}, id, 50_000, "冻字第2号", time.Now()); err != nil {
			t.Fatal(err)
		}
		a := f.do(t, "POST", "/api/v1/freezes/"+itoa(id)+"/return-plans", "invA", "")
		if a.status != 201 || a.json["rule"] != "single_victim" {
			t.Fatalf("plan: %d %s", a.status, a.body)
		}
		plan := itoa(int64(a.json["id"].(float64)))
		c := newConsoleClient(t, f.srv.URL)
		c.login("invA", "secret-invA")
		pg := c.get("/cases/" + itoa(caseID) + "/returns")
		checkHTML(t, "returns page", pg)
		if pg.status != 200 || strings.Contains(pg.body, "发布公告") || !strings.Contains(pg.body, "无需公告") || !strings.Contains(pg.body, "执行方案") {
			t.Fatalf("single-victim returns page: %d %.3000s", pg.status, pg.body)
		}
		if a := f.do(t, "POST", "/api/v1/return-plans/"+plan+"/notice", "invA", ""); a.status != 409 || !strings.Contains(a.body, "无需公告") {
			t.Fatalf("notice of a single-victim plan: %d %s", a.status, a.body)
		}
	})
}

// /freezes pages by 50 with the filters kept, searches by account or case
// number, filters 我的案件, and offers 转冻结 on a confirmed stop-payment,
// which sends the bank a freeze.
func TestFreezesPageListAndConvert(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFreezeFixture(t, d)
		ctx := context.Background()
		who := auth.AuditEntry{Username: "invA"}
		for i := range 52 {
			if _, err := partner.CreateForCase(ctx, d, f.stA, who, 0, f.caseF, partner.CaseRequest{Kind: "freeze", UnitID: f.bank,
				Account: "62170000000000" + strings.Repeat("0", 2-len(itoa(int64(i)))) + itoa(int64(i)), Draft: true}, time.Now()); err != nil {
				t.Fatal(err)
			}
		}
		stop, err := partner.CreateForCase(ctx, d, f.stA, who, 0, f.caseF, partner.CaseRequest{Kind: "stop_payment", UnitID: f.bank, Account: "6217009988776655"}, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if err := partner.Confirm(ctx, d, f.stA, who, stop, 300_000, "止字第1号", time.Now()); err != nil {
			t.Fatal(err)
		}
		c := newConsoleClient(t, f.srv.URL)
		c.login("invA", "secret-invA")
		pg := c.get("/freezes")
		checkHTML(t, "freezes", pg)
		rows := strings.Count(pg.body, `<tr data-id="`)
		if pg.status != 200 || rows != 50 || !strings.Contains(pg.body, `id="next-page"`) || !strings.Contains(pg.body, "转冻结") ||
			!strings.Contains(pg.body, `name="q"`) || !strings.Contains(pg.body, `name="mine"`) {
			t.Fatalf("freezes page 1: %d, %d rows %.2000s", pg.status, rows, pg.body)
		}
		// The stop-payment, confirmed and lapsing first, is on top.
		if i, j := strings.Index(pg.body, `<tr data-id="`+itoa(stop)+`"`), strings.Index(pg.body, `<tr data-id="`); i != j {
			t.Fatalf("the expiring stop-payment is not first")
		}
		if p2 := c.get("/freezes?status=drafted&page=2"); strings.Count(p2.body, `<tr data-id="`) != 2 || !strings.Contains(p2.body, "上一页") {
			t.Fatalf("page 2: %.2000s", p2.body)
		}
		if s := c.get("/freezes?q=6217009988776655"); strings.Count(s.body, `<tr data-id="`) != 1 {
			t.Fatalf("search by account: %d rows", strings.Count(s.body, `<tr data-id="`))
		}
		if s := c.get("/freezes?mine=1"); strings.Count(s.body, `<tr data-id="`) != 0 {
			t.Fatalf("我的案件 lists requests of cases not mine: %d", strings.Count(s.body, `<tr data-id="`))
		}
		r := c.post("/freezes/"+itoa(stop)+"/convert", url.Values{"csrf_token": {c.csrf()}})
		if r.status != 200 && r.status != 303 {
			t.Fatalf("convert: %d %.300s", r.status, r.body)
		}
		var n int
		_ = d.QueryRow(ctx, `SELECT COUNT(*) FROM partner_requests WHERE kind = 'freeze' AND prior_id = ? AND status = 'sent'`, stop).Scan(&n)
		if n != 1 {
			t.Fatalf("convert sent %d freeze requests", n)
		}
		if a := f.do(t, "POST", "/api/v1/freezes/"+itoa(stop)+"/convert", "invA", `{}`); a.status != 409 {
			t.Fatalf("second conversion through the API: %d %s", a.status, a.body)
		}
		if a := f.do(t, "POST", "/api/v1/freezes/"+itoa(stop)+"/convert", "invB", `{}`); a.status != 404 {
			t.Fatalf("another station converted: %d %s", a.status, a.body)
		}
		if s := c.get("/freezes?q=6217009988776655"); !strings.Contains(s.body, "待银行确认") {
			t.Fatalf("pending conversion not shown: %.3000s", s.body)
		}
	})
}

// The bank's inbox puts open requests first, newest first, with the year in
// deadlines; it searches by account and pages by 50.
func TestInboxPageOrderSearchPaging(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFreezeFixture(t, d)
		ctx := context.Background()
		who := auth.AuditEntry{Username: "invA"}
		base := time.Now().Add(-10 * time.Hour)
		var ids []int64
		for i := range 52 {
			id, err := partner.CreateForCase(ctx, d, f.stA, who, 0, f.caseF, partner.CaseRequest{Kind: "query", UnitID: f.bank,
				Account: fmt.Sprintf("62170000000000%02d", i)}, base.Add(time.Duration(i)*time.Minute))
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, id)
		}
		bank := newConsoleClient(t, f.srv.URL)
		bank.login("bank", "secret-bank")
		pg := bank.get("/inbox")
		checkHTML(t, "inbox", pg)
		first := strings.Index(pg.body, "<td>#")
		year := time.Now().In(zone.Shanghai).Format("2006-")
		if pg.status != 200 || first < 0 || !strings.HasPrefix(pg.body[first:], "<td>#"+itoa(ids[51])+"<") || !strings.Contains(pg.body, `id="next-page"`) ||
			!strings.Contains(pg.body, `name="q"`) || !strings.Contains(pg.body, year) {
			t.Fatalf("inbox: %d %.3000s", pg.status, pg.body)
		}
		if n := strings.Count(pg.body, "<td>#"); n != 50 {
			t.Fatalf("inbox page 1 has %d rows", n)
		}
		if p2 := bank.get("/inbox?page=2"); strings.Count(p2.body, "<td>#") != 2 {
			t.Fatalf("inbox page 2: %.2000s", p2.body)
		}
		if s := bank.get("/inbox?q=6217000000000007"); strings.Count(s.body, "<td>#") != 1 || !strings.Contains(s.body, "#"+itoa(ids[7])) {
			t.Fatalf("inbox search: %.2000s", s.body)
		}
	})
}
