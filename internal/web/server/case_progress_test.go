package server

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/db/dbtest"
)

// The case page's 办案进度 and 犯罪嫌疑人 panels: station A's investigator
// takes 受理 and asks for 立案 on the page; the leader sees the pending step
// and approves it; 破案 is refused in Chinese until a suspect added on the
// page is caught; the history and the dispositions are shown; the case
// list filters by lifecycle state.
func TestCaseProgressPage(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFreezeFixture(t, d)
		inv := newConsoleClient(t, f.srv.URL)
		inv.login("invA", "secret-invA")
		lead := newConsoleClient(t, f.srv.URL)
		lead.login("leader", "secret-leader")
		caseURL := "/cases/" + itoa(f.caseA)
		post := func(c *consoleClient, path string, form url.Values) pageAnswer {
			t.Helper()
			form.Set("csrf_token", c.csrf())
			return c.post(path, form)
		}
		page := func(c *consoleClient) string {
			t.Helper()
			pg := c.get(caseURL)
			checkHTML(t, "case page", pg)
			if pg.status != 200 {
				t.Fatalf("case page: %d %.500s", pg.status, pg.body)
			}
			return pg.body
		}

		body := page(inv)
		if !strings.Contains(body, `id="case-state"><strong>接报</strong>`) || !strings.Contains(body, `<option value="accept">受理`) {
			t.Fatalf("a new case's progress: %.3000s", body)
		}
		if r := post(inv, caseURL+"/steps", url.Values{"action": {"accept"}}); r.status >= 400 {
			t.Fatalf("受理: %d %.300s", r.status, r.body)
		}
		if r := post(inv, caseURL+"/steps", url.Values{"action": {"file"}, "doc_no": {"青公立字〔2026〕12号"}}); r.status >= 400 {
			t.Fatalf("立案: %d %.300s", r.status, r.body)
		}
		body = page(inv)
		if !strings.Contains(body, `id="case-state"><strong>受理</strong>`) || !strings.Contains(body, "“立案”待领导审批") ||
			strings.Contains(body, `id="decision-form"`) || strings.Contains(body, `id="step-form"`) {
			t.Fatalf("pending 立案 on the investigator's page: %.4000s", body)
		}
		if l := lead.get("/cases?pending=1"); l.status != 200 || !strings.Contains(l.body, "AJ-1") || !strings.Contains(l.body, "待审批 1<") {
			t.Fatalf("the 待审批 tab: %d %.3000s", l.status, l.body)
		}
		if b := page(lead); !strings.Contains(b, `id="decision-form"`) || !strings.Contains(b, "青公立字〔2026〕12号") {
			t.Fatalf("the leader's page has no approval form: %.4000s", b)
		}
		if r := post(lead, caseURL+"/steps/decision", url.Values{"approve": {"1"}}); r.status >= 400 {
			t.Fatalf("approve: %d %.300s", r.status, r.body)
		}
		if r := post(inv, caseURL+"/steps", url.Values{"action": {"investigate"}}); r.status >= 400 {
			t.Fatalf("侦查: %d %.300s", r.status, r.body)
		}
		r := post(inv, caseURL+"/steps", url.Values{"action": {"solve"}})
		if r.status != 422 || !strings.Contains(r.body, "破案须至少有一名犯罪嫌疑人已被抓获或处理") {
			t.Fatalf("破案 without a disposed suspect: %d %.2000s", r.status, r.body)
		}
		if r := post(inv, caseURL+"/suspects", url.Values{"name": {"邝德胜"}, "phone": {"13500417762"}, "role": {"mule"}}); r.status >= 400 {
			t.Fatalf("add suspect: %d %.300s", r.status, r.body)
		}
		var sid int64
		if err := d.QueryRow(context.Background(), `SELECT id FROM suspects WHERE name = '邝德胜'`).Scan(&sid); err != nil {
			t.Fatal(err)
		}
		if r := post(inv, caseURL+"/suspects/"+itoa(sid)+"/dispositions", url.Values{"kind": {"caught"}}); r.status != 400 {
			t.Fatalf("抓获 without unit and place: %d", r.status)
		}
		if r := post(inv, caseURL+"/suspects/"+itoa(sid)+"/dispositions", url.Values{"kind": {"caught"}, "unit": {"青石派出所"}, "place": {"汽车站"}}); r.status >= 400 {
			t.Fatalf("抓获: %d %.300s", r.status, r.body)
		}
		if r := post(inv, caseURL+"/steps", url.Values{"action": {"solve"}}); r.status >= 400 {
			t.Fatalf("破案: %d %.300s", r.status, r.body)
		}
		body = page(inv)
		for _, want := range []string{`id="case-state"><strong>破案</strong>`, "取款人", "135****7762", "抓获", "（青石派出所，汽车站）", "《立案决定书》青公立字〔2026〕12号"} {
			if !strings.Contains(body, want) {
				t.Errorf("case page after 破案 lacks %q", want)
			}
		}
		if strings.Contains(body, "13500417762") {
			t.Errorf("the suspect's phone in full on a masked page")
		}
		if strings.Count(body, "<td>破案</td>") != 1 {
			t.Errorf("history: want one 破案 row: %.4000s", body)
		}
		// The list by lifecycle state.
		if l := inv.get("/cases?state=solved"); l.status != 200 || !strings.Contains(l.body, "AJ-1") {
			t.Fatalf("state filter 破案: %d %.2000s", l.status, l.body)
		}
		if l := inv.get("/cases?state=filed"); l.status != 200 || strings.Contains(l.body, "AJ-1") {
			t.Fatalf("state filter 立案 lists a solved case: %d", l.status)
		}
	})
}
