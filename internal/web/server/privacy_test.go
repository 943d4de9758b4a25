package server

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/db/dbtest"
	"github.com/fanzha/fanzha/internal/partner"
	"github.com/fanzha/fanzha/internal/settings"
)

// A dissuader without ?unmask=1 must not get what rebuilds a masked ID:
// neither the birth date (the ID's digits 7–14) nor the sequence and check
// digits. Every answer and console page that shows the person gives the
// birth year instead; the unmasked read still has the date.
func TestMaskedPersonHasNoBirthDate(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		if _, err := d.Exec(ctx, `UPDATE warnings SET person_birth = '1958-01-01', person_age = 68, person_sex = 'M' WHERE id = ?`, f.warningA); err != nil {
			t.Fatal(err)
		}
		// The free text beside the masked fields repeats the numbers.
		if _, err := d.Exec(ctx, `UPDATE warnings SET text = ? WHERE id = ?`, "当事人身份证 "+idA+"，手机 "+phoneA+"，正在转账", f.warningA); err != nil {
			t.Fatal(err)
		}
		if _, err := d.Exec(ctx, `UPDATE cases SET summary = ? WHERE id = ?`, "受害人（身份证 "+idA+"）被冒充公检法诈骗", f.caseA); err != nil {
			t.Fatal(err)
		}
		if _, err := d.Exec(ctx, `UPDATE victims SET birth_date = '1958-01-01', sex = 'M' WHERE case_id = ?`, f.caseA); err != nil {
			t.Fatal(err)
		}
		leaks := []string{"1958-01-01", "19580101", idA[10:], idA, phoneA}
		check := func(what, body string) {
			t.Helper()
			for _, l := range leaks {
				if strings.Contains(body, l) {
					t.Errorf("%s shows %q beside the masked ID:\n%s", what, l, body)
				}
			}
			if !strings.Contains(body, "4301*************5") || !strings.Contains(body, "1958") {
				t.Errorf("%s: no masked ID or birth year:\n%s", what, body)
			}
		}
		w := f.do(t, "GET", "/api/v1/warnings/"+itoa(f.warningA), "offA", "")
		check("GET warning", w.body)
		if p := w.json["person"].(map[string]any); p["birth_year"] != float64(1958) || p["birth"] != nil {
			t.Errorf("masked person: %v", p)
		}
		check("GET case", f.do(t, "GET", "/api/v1/cases/"+itoa(f.caseA), "offA", "").body)
		check("GET warnings", f.do(t, "GET", "/api/v1/warnings", "offA", "").body)
		if a := f.do(t, "GET", "/api/v1/cases", "offA", ""); a.status != 200 || strings.Contains(a.body, idA) {
			t.Errorf("GET cases shows the ID in a summary: %d %s", a.status, a.body)
		}

		c := newConsoleClient(t, f.srv.URL)
		c.login("offA", "secret-offA")
		check("warning page", c.get("/warnings/"+itoa(f.warningA)).body)
		check("case page", c.get("/cases/"+itoa(f.caseA)).body)

		// Unmasked (audited) reads keep the date.
		if u := f.do(t, "GET", "/api/v1/cases/"+itoa(f.caseA)+"?unmask=1", "offA", ""); !strings.Contains(u.body, "1958-01-01") || !strings.Contains(u.body, idA) {
			t.Errorf("unmasked case: %s", u.body)
		}
	})
}

// Only the centre admin and the unit itself manage a unit's webhook; a
// station investigator (partner.manage) neither reads a bank's delivery log
// — the messages carry full account numbers — nor repoints its webhook, and
// /joint shows him the webhooks' state without their addresses. The admin
// reads the log masked.
func TestWebhookManagedOnlyByAdminAndUnit(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		f.addUser(t, auth.NewUser{Username: "inv", Role: auth.RoleInvestigator, AreaID: f.stA.ID, Password: "secret-inv"})
		var bank int64
		_ = d.QueryRow(ctx, `SELECT id FROM units WHERE code = 'B1'`).Scan(&bank)
		if a := f.do(t, "PUT", "/api/v1/partner/webhook", "bank", `{"url":"https://hooks.bank.example/fanzha?key=robot-key","format":"json","secret":"bank-secret-123456"}`); a.status != 200 {
			t.Fatalf("bank sets its webhook: %d %s", a.status, a.body)
		}
		const account = "6222021001000000001"
		if a := f.do(t, "POST", "/api/v1/cases/"+itoa(f.caseA)+"/requests", "admin", `{"kind":"query","unit_id":`+itoa(bank)+`,"account":"`+account+`"}`); a.status != 201 {
			t.Fatalf("request: %d %s", a.status, a.body)
		}
		if _, err := (&partner.Sweeper{DB: d, Now: time.Now}).Sweep(ctx); err != nil {
			t.Fatal(err)
		}
		u := "/api/v1/units/" + itoa(bank) + "/webhook"
		for _, p := range []string{u, u + "/deliveries"} {
			if a := f.do(t, "GET", p, "inv", ""); a.status != 403 || strings.Contains(a.body, account) {
				t.Errorf("investigator GET %s: %d %s", p, a.status, a.body)
			}
		}
		if a := f.do(t, "PUT", u, "inv", `{"url":"https://evil.example/","format":"wecom"}`); a.status != 403 {
			t.Errorf("investigator repoints the bank's webhook: %d %s", a.status, a.body)
		}
		if wh, err := partner.UnitWebhook(ctx, d, bank); err != nil || !strings.Contains(wh.URL, "hooks.bank.example") {
			t.Errorf("webhook after: %+v %v", wh, err)
		}
		a := f.do(t, "GET", u+"/deliveries", "admin", "")
		if a.status != 200 || strings.Contains(a.body, account) || !strings.Contains(a.body, "**** 0001") {
			t.Errorf("admin reads the delivery log masked: %d %s", a.status, a.body)
		}
		if a := f.do(t, "PUT", u, "admin", `{"url":"https://hooks2.bank.example/","format":"json"}`); a.status != 200 {
			t.Errorf("admin sets the bank's webhook: %d %s", a.status, a.body)
		}
		if a := f.do(t, "GET", "/api/v1/partner/webhook/deliveries", "bank", ""); a.status != 200 || !strings.Contains(a.body, account) {
			t.Errorf("the bank reads its own deliveries: %d %s", a.status, a.body)
		}
		c := newConsoleClient(t, f.srv.URL)
		c.login("inv", "secret-inv")
		if p := c.get("/joint"); p.status != 200 || strings.Contains(p.body, "bank.example") || !strings.Contains(p.body, "仅中心管理员可见") {
			t.Errorf("investigator /joint shows the webhook address: %d %.3000s", p.status, p.body)
		}
	})
}

// A bank cannot point its webhook at the centre's own network (SSRF): the
// address is refused when saved; an allow-listed network is accepted; and
// what the bank reads of a failed delivery is "failed", never the error
// text of the connection.
func TestPartnerWebhookSSRF(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		for _, u := range []string{"http://127.0.0.1:22/", "http://localhost:5432/", "http://169.254.169.254/latest/meta-data/", "http://10.1.2.3/", "http://[::1]/"} {
			a := f.do(t, "PUT", "/api/v1/partner/webhook", "bank", `{"url":"`+u+`","format":"wecom"}`)
			if a.status/100 != 4 || a.json["code"] == nil {
				t.Errorf("bank webhook %s: %d %s", u, a.status, a.body)
			}
		}
		var bank int64
		_ = d.QueryRow(ctx, `SELECT id FROM units WHERE code = 'B1'`).Scan(&bank)
		if _, err := partner.UnitWebhook(ctx, d, bank); err == nil {
			t.Fatal("a refused webhook was stored")
		}
		// The admin allow-lists the banks' extranet.
		if a := f.do(t, "PUT", "/api/v1/partner/webhook", "bank", `{"url":"http://10.20.1.5/hook","format":"wecom"}`); a.status/100 != 4 {
			t.Fatalf("before the allow-list: %d %s", a.status, a.body)
		}
		st, err := settings.New(d, settings.Overrides{}, time.Now)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.Save(ctx, auth.AuditEntry{Username: "admin"}, map[string]string{"webhooks.allow_networks": "10.20.0.0/16"}, false); err != nil {
			t.Fatal(err)
		}
		if a := f.do(t, "PUT", "/api/v1/partner/webhook", "bank", `{"url":"http://10.20.1.5/hook","format":"wecom"}`); a.status != 200 {
			t.Fatalf("allow-listed: %d %s", a.status, a.body)
		}
		// A failed delivery, as the bank reads it.
		var hook int64
		_ = d.QueryRow(ctx, `SELECT id FROM unit_webhooks WHERE unit_id = ?`, bank).Scan(&hook)
		if _, err := d.Exec(ctx, `INSERT INTO outbox (kind, target, format, payload, created_at, next_at, webhook_id, attempts, last_error)
			VALUES ('partner_request', 'http://10.20.1.5/hook', 'wecom', '{}', 0, 0, ?, 1, ?)`, hook,
			`Post "http://10.20.1.5/hook": net/http: HTTP/1.x transport connection broken: malformed HTTP response "SSH-2.0-OpenSSH_9.2p1"`); err != nil {
			t.Fatal(err)
		}
		a := f.do(t, "GET", "/api/v1/partner/webhook/deliveries", "bank", "")
		if a.status != 200 || strings.Contains(a.body, "SSH") || !strings.Contains(a.body, "投递失败") {
			t.Errorf("bank deliveries: %d %s", a.status, a.body)
		}
		c := newConsoleClient(t, f.srv.URL)
		c.login("bank", "secret-bank")
		if p := c.get("/unit"); strings.Contains(p.body, "SSH") || !strings.Contains(p.body, "投递失败") {
			t.Errorf("/unit shows the connection error: %.3000s", p.body)
		}
	})
}

// "Is this person under a warning?" cannot be asked by submitting one: an
// officer of station B and a bank get the same answer for a person with an
// open warning in station A as for a person nobody knows — and the
// officer is never told the id of A's warning. The officer of A, who may
// open that warning, is told it was merged.
func TestIntakeAnswersNoWarningOracle(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		// A's warning was already contacted an hour ago.
		hourAgo := db.Millis(time.Now().Add(-time.Hour))
		if _, err := d.Exec(ctx, `UPDATE warnings SET first_contact_at = ?, last_contact_at = ? WHERE id = ?`, hourAgo, hourAgo, f.warningA); err != nil {
			t.Fatal(err)
		}
		shape := func(a answer) string {
			t.Helper()
			if a.status != 201 {
				t.Fatalf("submit: %d %s", a.status, a.body)
			}
			var keys []string
			for k, v := range a.json {
				if k == "id" || k == "source_ref" || k == "index" {
					continue
				}
				keys = append(keys, fmt.Sprintf("%s=%v", k, v))
			}
			sort.Strings(keys)
			return strings.Join(keys, " ")
		}
		submit := func(user, ref, phone string) answer {
			return f.do(t, "POST", "/api/v1/warnings", user, `{"source":"upper","source_ref":"`+ref+`","grade":"high","person":{"name":"某人","phone":"`+phone+`"}}`)
		}
		known := submit("offB", "B-1", phoneA)
		unknown := submit("offB", "B-2", "13900000077")
		if shape(known) != shape(unknown) || known.json["status"] != "created" || strings.Contains(known.body, itoa(f.warningA)+",") ||
			known.json["merged_into"] != nil {
			t.Errorf("station B's answers differ or tell the merge:\n known   %s\n unknown %s", known.body, unknown.body)
		}
		// Reading the new warning (its address in B's area), B is not told
		// the id of A's warning.
		knownID := int64(known.json["id"].(float64))
		if _, err := d.Exec(ctx, `UPDATE warnings SET area_id = ?, station_id = ? WHERE id = ?`, f.stB.ID, f.stB.ID, knownID); err != nil {
			t.Fatal(err)
		}
		if a := f.do(t, "GET", "/api/v1/warnings/"+itoa(knownID), "offB", ""); a.status != 200 || strings.Contains(a.body, "merged_into") {
			t.Errorf("B reads merged_into: %s", a.body)
		}
		if a := f.do(t, "GET", "/api/v1/warnings?status=merged", "offB", ""); strings.Contains(a.body, "merged_into") {
			t.Errorf("B's list has merged_into: %s", a.body)
		}
		cb := newConsoleClient(t, f.srv.URL)
		cb.login("offB", "secret-offB")
		if p := cb.get("/warnings/" + itoa(knownID)); p.status != 200 || strings.Contains(p.body, "/warnings/"+itoa(f.warningA)+`"`) || !strings.Contains(p.body, "已并入其他单位处置的预警") {
			t.Errorf("B's warning page links A's warning: %d %.2000s", p.status, p.body)
		}
		if a := f.do(t, "GET", "/api/v1/warnings?status=merged", "offB", ""); strings.Contains(a.body, "merged_into") {
			t.Errorf("B's list has merged_into: %s", a.body)
		}
		// A may open its warning: told the truth.
		if a := submit("offA", "A-1", phoneA); a.json["status"] != "merged" || a.json["merged_into"] != float64(f.warningA) {
			t.Errorf("station A: %s", a.body)
		}
		// A bank: the same receipt and the same report status for both.
		report := func(ref, phone string) answer {
			return f.do(t, "POST", "/api/v1/partner/reports", "bank", `{"kind":"suspicious_txn","ref":"`+ref+`","person":{"name":"某人","phone":"`+phone+`"}}`)
		}
		rk, ru := report("R-1", phoneA), report("R-2", "13900000088")
		if rk.status != ru.status || rk.json["intake"] != "received" || ru.json["intake"] != "received" {
			t.Errorf("bank receipts differ:\n known   %d %s\n unknown %d %s", rk.status, rk.body, ru.status, ru.body)
		}
		var list struct {
			Reports []struct {
				Ref, Status string
			}
		}
		if err := json.Unmarshal([]byte(f.do(t, "GET", "/api/v1/partner/reports", "bank", "").body), &list); err != nil || len(list.Reports) != 2 {
			t.Fatalf("reports: %v %+v", err, list)
		}
		if list.Reports[0].Status != list.Reports[1].Status || list.Reports[0].Status != "received" {
			t.Errorf("report statuses tell the known person: %+v", list.Reports)
		}
	})
}

// ?flash= in a link someone else wrote prints nothing on a trusted page;
// the message of a real redirect is shown once, to the browser it was sent
// to.
func TestFlashNotAttackerControlled(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		const bait = "您的账号存在风险，请立即拨打 400-000-0000 核实"
		c := newConsoleClient(t, f.srv.URL)
		if a := c.get("/login?flash=" + url.QueryEscape(bait)); strings.Contains(a.body, bait) || strings.Contains(a.body, "400-000-0000") {
			t.Errorf("login page prints a crafted flash")
		}
		c.login("offA", "secret-offA")
		if a := c.get("/warnings?flash=" + url.QueryEscape(bait)); strings.Contains(a.body, "400-000-0000") {
			t.Errorf("console page prints a crafted flash")
		}
		// A real redirect: the page shows its message, once.
		a := c.post("/logout", url.Values{"csrf_token": {c.csrf()}})
		if a.status != http.StatusSeeOther || !strings.Contains(a.location, "flash=") {
			t.Fatalf("logout: %d %s", a.status, a.location)
		}
		if p := c.get(a.location); !strings.Contains(p.body, "已退出登录") || !strings.Contains(p.body, `class="flash"`) {
			t.Errorf("the logout flash is not shown: %.2000s", p.body)
		}
		if p := c.get(a.location); strings.Contains(p.body, `class="flash"`) {
			t.Errorf("the flash is shown twice")
		}
		// Another browser given the same link sees nothing.
		other := newConsoleClient(t, f.srv.URL)
		if p := other.get(a.location); strings.Contains(p.body, "已退出登录") {
			t.Errorf("a copied flash link shows the message")
		}
	})
}
