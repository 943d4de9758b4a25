package server

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/db/dbtest"
	"github.com/fanzha/fanzha/internal/web"
	"github.com/fanzha/fanzha/internal/web/api"
)

// TestAPIAccessMatrix asks every read endpoint as every role of the small
// county: a station officer asking for a record of another station gets the
// same 404 as for a record that does not exist; a partner reads none of the
// officers' data (403); full numbers only on ?unmask=1 by a role allowed to
// unmask, each such read audited, and nothing audited for a refused one.
func TestAPIAccessMatrix(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		w := "/api/v1/warnings/" + itoa(f.warningA)
		c := "/api/v1/cases/" + itoa(f.caseA)
		const ok, forbidden, notFound = 200, 403, 404
		roles := []string{"admin", "offA", "offB", "leader", "bank", "grid"}
		matrix := []struct {
			path string
			want []int // in the order of roles
		}{
			{"/api/v1/me", []int{ok, ok, ok, ok, ok, ok}},
			{"/api/v1/warnings", []int{ok, ok, ok, ok, forbidden, forbidden}},
			{w, []int{ok, ok, notFound, ok, forbidden, forbidden}},
			{w + "?unmask=1", []int{ok, ok, notFound, forbidden, forbidden, forbidden}},
			{"/api/v1/cases", []int{ok, ok, ok, ok, forbidden, forbidden}},
			{c, []int{ok, ok, notFound, ok, forbidden, forbidden}},
			{c + "?unmask=1", []int{ok, ok, notFound, forbidden, forbidden, forbidden}},
			{"/api/v1/users", []int{ok, forbidden, forbidden, forbidden, forbidden, forbidden}},
			{"/api/v1/audit", []int{ok, forbidden, forbidden, forbidden, forbidden, forbidden}},
			{"/api/v1/figures/overview", []int{ok, ok, ok, ok, forbidden, forbidden}},
			{"/api/v1/areas", []int{ok, ok, ok, ok, forbidden, ok}},
			{"/api/v1/areas/" + itoa(f.stA.ID), []int{ok, ok, notFound, ok, forbidden, ok}},
		}
		granted := 0
		for _, m := range matrix {
			for i, role := range roles {
				a := f.do(t, "GET", m.path, role, "")
				if a.status != m.want[i] {
					t.Errorf("%s GET %s: %d, want %d: %.200s", role, m.path, a.status, m.want[i], a.body)
					continue
				}
				unmask := strings.HasSuffix(m.path, "?unmask=1")
				switch a.status {
				case ok:
					if unmask {
						granted++
						if !strings.Contains(a.body, phoneA) || !strings.Contains(a.body, idA) {
							t.Errorf("%s GET %s: full numbers missing", role, m.path)
						}
					} else if strings.Contains(a.body, phoneA) || strings.Contains(a.body, idA) {
						t.Errorf("%s GET %s: a full number without asking", role, m.path)
					}
				case forbidden, notFound:
					want := map[int]string{forbidden: "forbidden", notFound: "not_found"}[a.status]
					if a.json["code"] != want || a.json["error"] == "" || a.json["request_id"] == "" {
						t.Errorf("%s GET %s: error body %s", role, m.path, a.body)
					}
					// (The request id is random: look at the message only.)
					if msg, _ := a.json["error"].(string); strings.Contains(msg, "王秀英") || strings.Contains(msg, "5678") || len(a.json) != 3 {
						t.Errorf("%s GET %s: a refusal leaks the record", role, m.path)
					}
				}
			}
		}
		// Masked by default, in the agreed shapes.
		a := f.do(t, "GET", c, "offA", "")
		var cs struct {
			Victims []struct {
				Phone    string `json:"phone"`
				IDNumber string `json:"id_number"`
			} `json:"victims"`
		}
		if err := json.Unmarshal([]byte(a.body), &cs); err != nil || len(cs.Victims) != 1 ||
			cs.Victims[0].Phone != "138****5678" || cs.Victims[0].IDNumber != "4301*************5" {
			t.Errorf("case victims masked: %v %s", err, a.body)
		}
		// One audit line per granted unmasked read, none for refused ones.
		var lines, refused int
		_ = d.QueryRow(context.Background(), `SELECT COUNT(*) FROM audit_log WHERE action = 'unmask'`).Scan(&lines)
		_ = d.QueryRow(context.Background(), `SELECT COUNT(*) FROM audit_log WHERE action = 'unmask' AND username IN ('offB','leader','bank','grid')`).Scan(&refused)
		if lines != granted || granted != 4 || refused != 0 {
			t.Errorf("unmask audit: %d lines for %d granted reads, %d for refused ones", lines, granted, refused)
		}
	})
}

// TestAPIErrorShapes: every refusal is JSON {"error","code","request_id"}
// with the status that says what went wrong.
func TestAPIErrorShapes(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		check := func(what string, resp *http.Response, status int, code string) {
			t.Helper()
			defer resp.Body.Close()
			var body web.ErrorBody
			b, _ := io.ReadAll(resp.Body)
			if err := json.Unmarshal(b, &body); err != nil || resp.StatusCode != status || body.Code != code || body.Error == "" ||
				!strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
				t.Errorf("%s: %d %s, want %d %s", what, resp.StatusCode, b, status, code)
			}
		}
		get := func(path, authz string) *http.Response {
			req, _ := http.NewRequest("GET", f.srv.URL+path, nil)
			if authz != "" {
				req.Header.Set("Authorization", authz)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			return resp
		}
		check("bad id", get("/api/v1/warnings/0", "Bearer "+f.tokens["admin"]), 400, "bad_id")
		check("bad case id", get("/api/v1/cases/x1", "Bearer "+f.tokens["admin"]), 400, "bad_id")
		check("unknown path", get("/api/v1/no/such/thing", "Bearer "+f.tokens["admin"]), 404, "not_found")
		check("unknown path, anonymous", get("/api/v1/no/such/thing", ""), 404, "not_found")
		check("no auth", get("/api/v1/cases", ""), 401, "unauthenticated")
		check("bad token", get("/api/v1/cases", "Bearer fzt_nope"), 401, "bad_token")
		check("not a bearer", get("/api/v1/cases", "Basic YWRtaW46eA=="), 401, "unauthenticated")

		// A console session: unsafe API calls need the CSRF header.
		cc := newConsoleClient(t, f.srv.URL)
		cc.login("offA", "secret-offA")
		post := func(header string) *http.Response {
			req, _ := http.NewRequest("POST", f.srv.URL+"/api/v1/logout", nil)
			if header != "" {
				req.Header.Set(web.CSRFHeader, header)
			}
			resp, err := cc.cl.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			return resp
		}
		check("logout without CSRF", post(""), 403, "csrf")
		check("logout with a wrong CSRF token", post("nope"), 403, "csrf")
		resp := post(cc.csrf())
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("logout with the session's token: %d", resp.StatusCode)
		}
	})
}

// TestLoginAuditAndRateLimitAPI: the JSON login answers 401 with a Chinese
// message for a wrong password, 429 on the sixth failure in a row (even
// with the right password), and every attempt is in the audit log.
func TestLoginAuditAndRateLimitAPI(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		login := func(user, pw string) answer {
			b, _ := json.Marshal(api.LoginRequest{Username: user, Password: pw})
			return f.do(t, "POST", "/api/v1/login", "", string(b))
		}
		if a := login("leader", "secret-leader"); a.status != 200 || a.json["csrf_token"] == "" {
			t.Fatalf("JSON login: %d %s", a.status, a.body)
		}
		for i := 1; i <= 5; i++ {
			if a := login("grid", "wrong"); a.status != 401 || a.json["code"] != "bad_credentials" || a.json["error"] != "用户名或密码错误" {
				t.Fatalf("failure %d: %d %s", i, a.status, a.body)
			}
		}
		a := login("grid", "secret-grid")
		if a.status != 429 || a.json["code"] != "rate_limited" || !strings.Contains(a.json["error"].(string), "登录失败次数过多") {
			t.Fatalf("6th attempt: %d %s", a.status, a.body)
		}
		// The limit is per username and address: another name from the
		// same address is still checked (and audited).
		if a := login("nobody", "x"); a.status != 401 {
			t.Errorf("another user from the same address: %d", a.status)
		}
		count := func(user, action string) (n int) {
			_ = d.QueryRow(context.Background(), `SELECT COUNT(*) FROM audit_log WHERE username = ? AND action = ?`, user, action).Scan(&n)
			return n
		}
		if count("leader", "login") != 1 || count("grid", "login_failed") != 6 || count("grid", "login") != 0 || count("nobody", "login_failed") != 1 {
			t.Errorf("audit: leader logins %d, grid failures %d, grid logins %d, unknown %d",
				count("leader", "login"), count("grid", "login_failed"), count("grid", "login"), count("nobody", "login_failed"))
		}
		// The audit API lists them for the admin, filtered.
		a = f.do(t, "GET", "/api/v1/audit?action=login_failed&user="+url.QueryEscape("grid"), "admin", "")
		if list, _ := a.json["entries"].([]any); a.status != 200 || len(list) != 6 {
			t.Errorf("audit API: %d %.300s", a.status, a.body)
		}
	})
}
