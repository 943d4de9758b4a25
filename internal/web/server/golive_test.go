package server

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/db/dbtest"
	"github.com/fanzha/fanzha/internal/setup"
	"github.com/fanzha/fanzha/internal/web"
	"github.com/fanzha/fanzha/internal/zone"
)

// TestGoLiveFromEmptyDatabase is the go-live flow of the browser test
// (web/e2e/golive.test.mjs) through the console's forms, on SQLite and
// PostgreSQL: an empty database, the setup link, the tree from Excel (a GBK
// CSV with a bad row refused whole first), a bank and its partner login,
// officers, a roster shift, a token; a warning posted through the API is
// routed by its address to the village's station and assigned to the
// dissuader on duty; 已被骗 opens a case; the station's investigator sends
// a freeze and the bank answers it.
func TestGoLiveFromEmptyDatabase(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		srv := newEmptyServer(t, d)

		// Setup by the one-time link.
		tok, err := setup.IssueToken(ctx, d, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		admin := newConsoleClient(t, srv.URL)
		m := csrfFieldRe.FindStringSubmatch(admin.get("/setup?token=" + url.QueryEscape(tok)).body)
		if m == nil {
			t.Fatal("no setup form")
		}
		const adminPW = "Qinghe-Admin-2026"
		a := admin.post("/setup", url.Values{"csrf_token": {m[1]}, "token": {tok}, "county_code": {"439901"}, "county_name": {"清河县"},
			"admin_username": {"qh_admin"}, "admin_name": {"周主任"}, "password": {adminPW}, "password2": {adminPW}})
		if a.status != http.StatusSeeOther {
			t.Fatalf("setup: %d %.300s", a.status, a.body)
		}
		// Two-factor login is required on a real server: the admin, and
		// below every officer who may unmask, binds an authenticator at the
		// first login (login_security_test.go).
		admin.enrolTwoFactor(time.Now())
		if p := admin.get("/admin"); p.status != http.StatusOK {
			t.Fatalf("setup did not sign the admin in: %d", p.status)
		}
		csrf := admin.csrf()

		// The tree: the GBK CSV with a bad row changes nothing; the .xlsx imports.
		a = admin.upload("/admin/areas/import", csrf, "county-tree-bad-gbk.csv", testdataFile(t, "county-tree-bad-gbk.csv"), nil)
		if a.status != http.StatusUnprocessableEntity || !strings.Contains(a.body, `class="bad-row"`) {
			t.Fatalf("bad tree: %d %.300s", a.status, a.body)
		}
		if n := countAreas(t, admin, ""); n != 1 {
			t.Fatalf("a refused file left %d nodes", n)
		}
		if a = admin.upload("/admin/areas/import", csrf, "county-tree.xlsx", testdataFile(t, "county-tree.xlsx"), nil); a.status != http.StatusSeeOther {
			t.Fatalf("tree: %d %.300s", a.status, a.body)
		}
		for lvl, want := range map[string]int{"station": 3, "town": 6, "village": 20} {
			if n := countAreas(t, admin, lvl); n != want {
				t.Errorf("%s: %d, want %d", lvl, n, want)
			}
		}
		codes := areaIDs(t, admin)
		hexi := codes["439901-PCS02"]

		// A bank and its partner login.
		a = admin.post("/admin/units", url.Values{"csrf_token": {csrf}, "kind": {"bank"}, "name": {"农业银行清河支行"}})
		bankID := idFrom(t, a, `^/admin/units/(\d+)`)
		if a = admin.post("/admin/units/"+itoa(bankID)+"/users", url.Values{"csrf_token": {csrf}, "username": {"bank_qh"},
			"display_name": {"刘柜员"}, "password": {"Bank-Qinghe-2026!"}}); a.status != http.StatusSeeOther {
			t.Fatalf("partner user: %d %.300s", a.status, a.body)
		}

		// Officers.
		mkUser := func(username, role string, area int64, pw string) int64 {
			a := admin.post("/admin/users", url.Values{"csrf_token": {csrf}, "username": {username}, "display_name": {username},
				"role": {role}, "area_id": {itoa(area)}, "password": {pw}})
			return idFrom(t, a, `^/admin/users/(\d+)`)
		}
		disID := mkUser("hx_quan", "dissuader", hexi, "Hexi-Quan-2026!")
		mkUser("hx_ban", "investigator", hexi, "Hexi-Ban-2026!")
		dutyID := mkUser("zhiban", "duty", codes["439901"], "Zhi-Ban-2026!")

		// The dissuader on duty now at 河西派出所.
		const layout = "2006-01-02T15:04"
		now := time.Now().In(zone.Shanghai)
		if a = admin.post("/admin/roster/shifts", url.Values{"csrf_token": {csrf}, "area": {itoa(hexi)}, "user_id": {itoa(disID)},
			"duty": {"dissuader"}, "starts_at": {now.Add(-time.Hour).Format(layout)}, "ends_at": {now.Add(10 * time.Hour).Format(layout)}}); a.status != http.StatusSeeOther {
			t.Fatalf("shift: %d %.300s", a.status, a.body)
		}
		if p := admin.get("/admin/roster?area=" + itoa(hexi)); !regexp.MustCompile(`(?s)id="on-duty-now".*hx_quan`).MatchString(p.body) {
			t.Fatalf("the dissuader is not on duty now: %.500s", p.body)
		}

		// A token made in the console; a warning through the API.
		a = admin.post("/admin/users/"+itoa(dutyID)+"/tokens", url.Values{"csrf_token": {csrf}, "label": {"上级预警对接"}})
		tm := regexp.MustCompile(`id="new-token">([^<]+)<`).FindStringSubmatch(a.body)
		if tm == nil {
			t.Fatalf("no token: %d %.300s", a.status, a.body)
		}
		body := `{"source":"upper","source_ref":"GOLIVE-0001","grade":"fund","fraud_type":"冒充公检法","amount_fen":5000000,
			"person":{"name":"何桂兰","phone":"13907310042","address":"清河县柳湾镇杏林村3组"}}`
		req, _ := http.NewRequest("POST", srv.URL+"/api/v1/warnings", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+tm[1])
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var item struct {
			ID         int64 `json:"id"`
			StationID  int64 `json:"station_id"`
			AssigneeID int64 `json:"assignee_id"`
		}
		err = json.NewDecoder(resp.Body).Decode(&item)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusCreated {
			t.Fatalf("post warning: %d %v", resp.StatusCode, err)
		}
		if item.StationID != hexi || item.AssigneeID != disID {
			t.Fatalf("routed to station %d, assigned to %d; want %d and %d", item.StationID, item.AssigneeID, hexi, disID)
		}

		// The dissuader: contact, 已被骗 → a case.
		dis := newConsoleClient(t, srv.URL)
		dis.login("hx_quan", "Hexi-Quan-2026!")
		dis.enrolTwoFactor(time.Now())
		dcsrf := dis.csrf()
		w := "/warnings/" + itoa(item.ID)
		if !strings.Contains(dis.get("/warnings/mine").body, `data-id="`+itoa(item.ID)+`"`) {
			t.Error("the warning is not on the dissuader's list")
		}
		if a = dis.post(w+"/contact", url.Values{"csrf_token": {dcsrf}, "method": {"call"}, "result": {"reached"}}); a.status != http.StatusSeeOther {
			t.Fatalf("contact: %d %.300s", a.status, a.body)
		}
		a = dis.post(w+"/outcome", url.Values{"csrf_token": {dcsrf}, "outcome": {"defrauded"}, "loss": {"50000"}, "to_account": {"6228480012345678901"}})
		if a.status != http.StatusSeeOther || !strings.Contains(flashOf(a), "已立案") {
			t.Fatalf("outcome: %d %s", a.status, flashOf(a))
		}
		cm := regexp.MustCompile(`href="/cases/(\d+)"`).FindStringSubmatch(dis.get(w).body)
		if cm == nil {
			t.Fatal("no case link on the warning")
		}

		// The station's investigator sends a freeze to the bank.
		inv := newConsoleClient(t, srv.URL)
		inv.login("hx_ban", "Hexi-Ban-2026!")
		inv.enrolTwoFactor(time.Now())
		a = inv.post("/cases/"+cm[1]+"/requests", url.Values{"csrf_token": {inv.csrf()}, "kind": {"freeze"}, "unit_id": {itoa(bankID)},
			"account": {"6228480012345678901"}, "amount": {"50000"}, "reason": {"涉案账户冻结"}})
		rm := regexp.MustCompile(`冻结请求 #(\d+)`).FindStringSubmatch(flashOf(a))
		if rm == nil {
			t.Fatalf("freeze: %d %s %.300s", a.status, flashOf(a), a.body)
		}

		// The bank answers in its inbox.
		bank := newConsoleClient(t, srv.URL)
		bank.login("bank_qh", "Bank-Qinghe-2026!")
		inbox := bank.get("/inbox")
		if !strings.Contains(inbox.body, "#"+rm[1]) {
			t.Fatalf("the freeze is not in the bank's inbox: %.500s", inbox.body)
		}
		bm := csrfFieldRe.FindStringSubmatch(inbox.body)
		if a = bank.post("/inbox/"+rm[1], url.Values{"csrf_token": {bm[1]}, "status": {"done"}, "result": {"已冻结"}, "amount": {"48000"}}); a.status != http.StatusSeeOther {
			t.Fatalf("answer: %d %.300s", a.status, a.body)
		}
		if p := inv.get("/cases/" + cm[1]); !strings.Contains(p.body, "48,000.00") {
			t.Error("the case does not show the bank's answer")
		}
	})
}

// newEmptyServer serves a database with no county, as `fanzha serve` on its
// first start does.
func newEmptyServer(t *testing.T, d *db.DB) *httptest.Server {
	t.Helper()
	auth.BcryptCost = 4
	s := New(web.Config{DB: d, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	s.SetReady(true)
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	return srv
}

func countAreas(t *testing.T, c *consoleClient, level string) int {
	t.Helper()
	q := ""
	if level != "" {
		q = "?level=" + level
	}
	var r struct {
		Areas []json.RawMessage `json:"areas"`
	}
	if err := json.Unmarshal([]byte(c.get("/api/v1/areas"+q).body), &r); err != nil {
		t.Fatal(err)
	}
	return len(r.Areas)
}

func areaIDs(t *testing.T, c *consoleClient) map[string]int64 {
	t.Helper()
	var r struct {
		Areas []struct {
			ID   int64  `json:"id"`
			Code string `json:"code"`
		} `json:"areas"`
	}
	if err := json.Unmarshal([]byte(c.get("/api/v1/areas").body), &r); err != nil {
		t.Fatal(err)
	}
	out := map[string]int64{}
	for _, a := range r.Areas {
		out[a.Code] = a.ID
	}
	return out
}

// idFrom takes the record id from a redirect to its page.
func idFrom(t *testing.T, a pageAnswer, pattern string) int64 {
	t.Helper()
	m := regexp.MustCompile(pattern).FindStringSubmatch(a.location)
	if a.status != http.StatusSeeOther || m == nil {
		t.Fatalf("want a redirect to %s: %d %s %.300s", pattern, a.status, a.location, a.body)
	}
	id, _ := strconv.ParseInt(m[1], 10, 64)
	return id
}

// flashOf is the message a redirect carries.
func flashOf(a pageAnswer) string {
	u, err := url.Parse(a.location)
	if err != nil {
		return ""
	}
	return u.Query().Get("flash")
}
