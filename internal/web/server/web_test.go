package server

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/db/dbtest"
	"github.com/fanzha/fanzha/internal/web"
)

// fixture is a small county: two stations, their officers, a partner, and
// one warning and one case in station A.
type fixture struct {
	d               *db.DB
	srv             *httptest.Server
	root, stA, stB  area.Node
	tokens          map[string]string
	warningA, caseA int64
}

const (
	phoneA = "13812345678"
	idA    = "430102195801011235"
)

func newFixture(t *testing.T, d *db.DB) *fixture {
	t.Helper()
	return newFixtureUnder(t, d, 0)
}

// newFixtureUnder builds the fixture's county under the node parent (0: the
// county is the root), as a county of a province's tree is.
func newFixtureUnder(t *testing.T, d *db.DB, parent int64) *fixture {
	t.Helper()
	ctx := context.Background()
	auth.BcryptCost = 4
	f := &fixture{d: d, tokens: map[string]string{}}
	mk := func(n *area.Node) {
		if err := area.Create(ctx, d, n); err != nil {
			t.Fatal(err)
		}
	}
	f.root = area.Node{ParentID: parent, Level: area.County, Code: "C", Name: "云溪县"}
	mk(&f.root)
	f.stA = area.Node{ParentID: f.root.ID, Level: area.Station, Code: "A", Name: "青石派出所"}
	mk(&f.stA)
	f.stB = area.Node{ParentID: f.root.ID, Level: area.Station, Code: "B", Name: "城关派出所"}
	mk(&f.stB)
	var unit int64
	if err := d.QueryRow(ctx, `INSERT INTO units (kind, code, name, created_at) VALUES ('bank','B1','工商银行云溪支行',0) RETURNING id`).Scan(&unit); err != nil {
		t.Fatal(err)
	}
	users := []struct {
		name string
		role auth.Role
		area int64
		unit int64
	}{
		{"admin", auth.RoleAdmin, f.root.ID, 0}, {"offA", auth.RoleDissuader, f.stA.ID, 0}, {"offB", auth.RoleDissuader, f.stB.ID, 0},
		{"leader", auth.RoleLeader, f.root.ID, 0}, {"bank", auth.RolePartner, f.root.ID, unit}, {"grid", auth.RoleGrid, f.stA.ID, 0},
	}
	for _, u := range users {
		us, err := auth.CreateUser(ctx, d, auth.NewUser{Username: u.name, Role: u.role, AreaID: u.area, UnitID: u.unit, Password: "secret-" + u.name})
		if err != nil {
			t.Fatal(err)
		}
		tok, _, err := auth.CreateToken(ctx, d, us.ID, "test", time.Now())
		if err != nil {
			t.Fatal(err)
		}
		f.tokens[u.name] = tok
	}
	now := db.Millis(time.Now())
	if err := d.QueryRow(ctx, `INSERT INTO warnings (source, source_ref, received_at, grade, person_name, person_phone, person_id_number,
		area_id, station_id, status, created_at, updated_at) VALUES ('upper','W-1',?,'high','王秀英',?,?,?,?,'open',?,?) RETURNING id`,
		now, phoneA, idA, f.stA.ID, f.stA.ID, now, now).Scan(&f.warningA); err != nil {
		t.Fatal(err)
	}
	if err := d.QueryRow(ctx, `INSERT INTO cases (case_no, area_id, station_id, fraud_type, reported_at, loss_fen, created_at, updated_at)
		VALUES ('AJ-1',?,?,'police',?,100,?,?) RETURNING id`, f.stA.ID, f.stA.ID, now, now, now).Scan(&f.caseA); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Exec(ctx, `INSERT INTO victims (case_id, name, id_number, phone, area_id, loss_fen) VALUES (?,?,?,?,?,100)`, f.caseA, "王秀英", idA, phoneA, f.stA.ID); err != nil {
		t.Fatal(err)
	}
	twoFactorOptional(t, d) // password-only logins (login_security_test.go)
	s := New(web.Config{DB: d, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	s.SetReady(true)
	f.srv = httptest.NewServer(s.Handler())
	t.Cleanup(f.srv.Close)
	return f
}

type answer struct {
	status int
	body   string
	json   map[string]any
}

// addUser creates a user (password "x" unless given) with an API token
// kept under its username, and returns its id.
func (f *fixture) addUser(t *testing.T, nu auth.NewUser) int64 {
	t.Helper()
	ctx := context.Background()
	if nu.Password == "" {
		nu.Password = "x"
	}
	u, err := auth.CreateUser(ctx, f.d, nu)
	if err != nil {
		t.Fatal(err)
	}
	tok, _, err := auth.CreateToken(ctx, f.d, u.ID, "t", testNowWeb())
	if err != nil {
		t.Fatal(err)
	}
	f.tokens[nu.Username] = tok
	return u.ID
}

func (f *fixture) do(t *testing.T, method, path, user string, body string) answer {
	t.Helper()
	req, _ := http.NewRequest(method, f.srv.URL+path, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	return f.send(t, req, user)
}

// send sends a request as user (none: "") and reads the answer.
func (f *fixture) send(t *testing.T, req *http.Request, user string) answer {
	t.Helper()
	if user != "" {
		req.Header.Set("Authorization", "Bearer "+f.tokens[user])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	a := answer{status: resp.StatusCode, body: string(b)}
	_ = json.Unmarshal(b, &a.json)
	return a
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// A station officer asking for a record of another station gets 404, the
// same as for a record that does not exist; a partner reads no officers'
// data; numbers are masked unless asked and allowed, and the unmasked read
// is audited.
func TestJurisdictionMaskingAndAudit(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		w := "/api/v1/warnings/" + itoa(f.warningA)
		c := "/api/v1/cases/" + itoa(f.caseA)
		for _, path := range []string{w, c} {
			a := f.do(t, "GET", path, "offB", "")
			if a.status != 404 || a.json["code"] != "not_found" || a.json["error"] == "" {
				t.Fatalf("other station's officer GET %s: %d %s", path, a.status, a.body)
			}
			missing := f.do(t, "GET", path+"999", "offB", "")
			if missing.status != 404 || missing.json["error"] != a.json["error"] {
				t.Fatalf("a foreign record must look like a missing one: %s vs %s", a.body, missing.body)
			}
		}
		a := f.do(t, "GET", w, "offA", "")
		if a.status != 200 {
			t.Fatalf("own station's officer: %d %s", a.status, a.body)
		}
		person := a.json["person"].(map[string]any)
		if person["phone"] != "138****5678" || person["id_number"] != "4301*************5" {
			t.Fatalf("not masked by default: %v", person)
		}
		if strings.Contains(a.body, phoneA) || strings.Contains(a.body, idA) {
			t.Fatal("full number leaked in a masked answer")
		}
		cs := f.do(t, "GET", c, "offA", "")
		if strings.Contains(cs.body, phoneA) || !strings.Contains(cs.body, "138****5678") {
			t.Fatalf("case victims not masked: %s", cs.body)
		}
		// Unmask: allowed to a dissuader, audited.
		a = f.do(t, "GET", w+"?unmask=1", "offA", "")
		if a.status != 200 || a.json["person"].(map[string]any)["phone"] != phoneA {
			t.Fatalf("unmask as dissuader: %d %s", a.status, a.body)
		}
		var n int
		_ = d.QueryRow(context.Background(), `SELECT COUNT(*) FROM audit_log WHERE action = 'unmask' AND username = 'offA' AND object_id = ?`, itoa(f.warningA)).Scan(&n)
		if n != 1 {
			t.Fatalf("unmasked read audited %d times, want 1", n)
		}
		// A leader may read but not unmask.
		if a := f.do(t, "GET", w+"?unmask=1", "leader", ""); a.status != 403 {
			t.Fatalf("leader unmask: %d %s", a.status, a.body)
		}
		if a := f.do(t, "GET", w, "leader", ""); a.status != 200 {
			t.Fatalf("leader read: %d", a.status)
		}
		// A partner reads nothing of the officers'.
		for _, path := range []string{"/api/v1/warnings", w, "/api/v1/cases", c, "/api/v1/users", "/api/v1/figures/overview",
			"/api/v1/areas", "/api/v1/board", "/api/v1/audit", "/api/v1/figures/warnings"} {
			a := f.do(t, "GET", path, "bank", "")
			if a.status != 403 && a.status != 404 {
				t.Fatalf("partner GET %s: %d %s", path, a.status, a.body)
			}
			if strings.Contains(a.body, "王秀英") {
				t.Fatalf("partner saw a person at %s", path)
			}
		}
		if a := f.do(t, "POST", "/api/v1/warnings", "bank", `{"source":"bank","source_ref":"x","person":{"phone":"13800000000"}}`); a.status != 403 {
			t.Fatalf("partner posted a warning through the officers' door: %d", a.status)
		}
		// Grid workers see no warnings either.
		if a := f.do(t, "GET", w, "grid", ""); a.status != 403 {
			t.Fatalf("grid worker GET warning: %d", a.status)
		}
		// Lists are filtered by jurisdiction.
		a = f.do(t, "GET", "/api/v1/warnings", "offB", "")
		if list := a.json["warnings"].([]any); len(list) != 0 {
			t.Fatalf("station B lists station A's warnings: %s", a.body)
		}
		a = f.do(t, "GET", "/api/v1/warnings", "admin", "")
		if list := a.json["warnings"].([]any); len(list) != 1 {
			t.Fatalf("admin list: %s", a.body)
		}
		// Only the admin reads the audit log.
		if a := f.do(t, "GET", "/api/v1/audit", "offA", ""); a.status != 403 {
			t.Fatalf("officer read the audit log: %d", a.status)
		}
		a = f.do(t, "GET", "/api/v1/audit/export", "admin", "")
		if a.status != 200 || !strings.HasPrefix(a.body, "\uFEFF编号,时间,用户") || !strings.Contains(a.body, "unmask") {
			t.Fatalf("audit export: %d %.200s", a.status, a.body)
		}
	})
}

func TestAPIErrors(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		cases := []struct {
			method, path, user, body string
			status                   int
			code                     string
		}{
			{"GET", "/api/v1/warnings/abc", "admin", "", 400, "bad_id"},
			{"GET", "/api/v1/nothing", "admin", "", 404, "not_found"},
			{"GET", "/api/v1/warnings", "", "", 401, "unauthenticated"},
			{"POST", "/api/v1/warnings", "admin", "{not json", 400, "bad_json"},
			{"POST", "/api/v1/warnings", "admin", `{"source":"upper","source_ref":"Z","person":{}}`, 422, "invalid_warning"},
			{"GET", "/api/v1/warnings?from=yesterday", "admin", "", 400, "bad_param"},
		}
		for _, c := range cases {
			a := f.do(t, c.method, c.path, c.user, c.body)
			if a.status != c.status || a.json["code"] != c.code || a.json["error"] == "" {
				t.Errorf("%s %s: %d %s, want %d %s", c.method, c.path, a.status, a.body, c.status, c.code)
			}
		}
		req, _ := http.NewRequest("GET", f.srv.URL+"/api/v1/me", nil)
		req.Header.Set("Authorization", "Bearer fzt_not-a-token")
		resp, _ := http.DefaultClient.Do(req)
		if resp.StatusCode != 401 {
			t.Errorf("bad bearer token: %d", resp.StatusCode)
		}
		resp.Body.Close()
	})
}

// Console login: the form needs its CSRF token, sessions need the CSRF
// token on unsafe requests, failed logins are rate limited, and every
// login is audited.
func TestLoginCSRFAndRateLimit(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		jar, _ := cookiejar.New(nil)
		cl := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		// Without the login page's token: refused.
		resp, _ := cl.PostForm(f.srv.URL+"/login", url.Values{"username": {"offA"}, "password": {"secret-offA"}})
		if resp.StatusCode != 403 {
			t.Fatalf("login without CSRF token: %d", resp.StatusCode)
		}
		resp.Body.Close()
		token := func() string {
			return loginToken(t, cl, f.srv.URL)
		}
		resp, _ = cl.PostForm(f.srv.URL+"/login", url.Values{"csrf_token": {token()}, "username": {"offA"}, "password": {"secret-offA"}, "next": {"//evil.example/"}})
		if resp.StatusCode != 303 || resp.Header.Get("Location") != "/" {
			t.Fatalf("login: %d → %s", resp.StatusCode, resp.Header.Get("Location"))
		}
		resp.Body.Close()
		var sess *http.Cookie
		for _, c := range jar.Cookies(mustURL(f.srv.URL)) {
			if c.Name == web.SessionCookie {
				sess = c
			}
		}
		if sess == nil {
			t.Fatal("no session cookie")
		}
		setCookie := resp.Header.Values("Set-Cookie")
		joined := strings.Join(setCookie, "\n")
		if !strings.Contains(joined, "HttpOnly") || !strings.Contains(joined, "SameSite=Lax") {
			t.Fatalf("session cookie flags: %s", joined)
		}
		// A session request that changes something needs the CSRF token.
		resp, _ = cl.Post(f.srv.URL+"/api/v1/logout", "application/json", nil)
		if resp.StatusCode != 403 {
			t.Fatalf("cookie POST without CSRF: %d", resp.StatusCode)
		}
		resp.Body.Close()
		resp, _ = cl.Get(f.srv.URL + "/warnings/" + itoa(f.warningA))
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(string(b), "138****5678") || !strings.Contains(string(b), "显示完整号码") {
			t.Fatalf("warning page: %d", resp.StatusCode)
		}
		resp, _ = cl.Get(f.srv.URL + "/warnings/" + itoa(f.warningA) + "?unmask=1")
		b, _ = io.ReadAll(resp.Body)
		resp.Body.Close()
		if !strings.Contains(string(b), phoneA) {
			t.Fatal("unmask button does not show the full number")
		}
		// Rate limit: five failures, then 429 even with the right password.
		jar2, _ := cookiejar.New(nil)
		cl = &http.Client{Jar: jar2, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		for i := 0; i < 5; i++ {
			resp, _ := cl.PostForm(f.srv.URL+"/login", url.Values{"csrf_token": {token()}, "username": {"offB"}, "password": {"wrong"}})
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 401 || !strings.Contains(string(b), "用户名或密码错误") {
				t.Fatalf("bad password %d: %d", i, resp.StatusCode)
			}
		}
		resp, _ = cl.PostForm(f.srv.URL+"/login", url.Values{"csrf_token": {token()}, "username": {"offB"}, "password": {"secret-offB"}})
		resp.Body.Close()
		if resp.StatusCode != 429 {
			t.Fatalf("6th attempt: %d, want 429", resp.StatusCode)
		}
		var logins, failed int
		_ = d.QueryRow(context.Background(), `SELECT COUNT(*) FROM audit_log WHERE action = 'login' AND username = 'offA'`).Scan(&logins)
		_ = d.QueryRow(context.Background(), `SELECT COUNT(*) FROM audit_log WHERE action = 'login_failed' AND username = 'offB'`).Scan(&failed)
		if logins != 1 || failed != 6 {
			t.Fatalf("audit: %d logins, %d failed logins", logins, failed)
		}
		// Pages need a login; a partner gets 403 on officers' pages.
		resp, _ = http.Get(f.srv.URL + "/warnings")
		if resp.Request.URL.Path != "/login" {
			t.Fatalf("anonymous /warnings ended at %s", resp.Request.URL)
		}
		resp.Body.Close()
	})
}

func mustURL(s string) *url.URL { u, _ := url.Parse(s); return u }

func loginToken(t *testing.T, cl *http.Client, base string) string {
	t.Helper()
	resp, err := cl.Get(base + "/login")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := regexp.MustCompile(`name="csrf_token" value="([^"]+)"`).FindStringSubmatch(string(b))
	if m == nil {
		t.Fatal("no csrf token on the login page")
	}
	return m[1]
}

func TestStaticAndHealth(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	for _, c := range []struct {
		path, ctype string
		status      int
	}{{"/healthz", "application/json", 200}, {"/readyz", "application/json", 200}, {"/static/console.css", "text/css", 200},
		{"/static/shield.svg", "image/svg+xml", 200}, {"/login", "text/html", 200}} {
		resp, err := http.Get(f.srv.URL + c.path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != c.status || !strings.HasPrefix(resp.Header.Get("Content-Type"), c.ctype) {
			t.Errorf("%s: %d %s", c.path, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		if resp.Header.Get("X-Request-ID") == "" || !strings.Contains(resp.Header.Get("Content-Security-Policy"), "script-src 'self'") {
			t.Errorf("%s: missing request id or CSP", c.path)
		}
	}
}

func testNowWeb() time.Time { return time.Now() }
