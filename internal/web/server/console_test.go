package server

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/db/dbtest"
	"github.com/fanzha/fanzha/internal/web"
	"github.com/fanzha/fanzha/internal/web/console"
	"github.com/fanzha/fanzha/internal/zone"
)

// The console tests drive the server-rendered pages as a browser would: a
// cookie jar, the login form with its pre-login CSRF token, redirects not
// followed so that each answer can be checked.

type consoleClient struct {
	t    *testing.T
	base string
	jar  *cookiejar.Jar
	cl   *http.Client
}

type pageAnswer struct {
	status   int
	location string
	header   http.Header
	body     string
}

func newConsoleClient(t *testing.T, base string) *consoleClient {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	return &consoleClient{t: t, base: base, jar: jar, cl: &http.Client{Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (c *consoleClient) send(req *http.Request) pageAnswer {
	c.t.Helper()
	resp, err := c.cl.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return pageAnswer{status: resp.StatusCode, location: resp.Header.Get("Location"), header: resp.Header, body: string(b)}
}

func (c *consoleClient) get(path string) pageAnswer {
	c.t.Helper()
	req, _ := http.NewRequest("GET", c.base+path, nil)
	return c.send(req)
}

func (c *consoleClient) post(path string, form url.Values) pageAnswer {
	c.t.Helper()
	req, _ := http.NewRequest("POST", c.base+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.send(req)
}

func (c *consoleClient) cookie(name string) *http.Cookie {
	for _, ck := range c.jar.Cookies(mustURL(c.base + "/login")) {
		if ck.Name == name {
			return ck
		}
	}
	return nil
}

var (
	csrfFieldRe = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)
	linkRe      = regexp.MustCompile(`href="([^"]+)"`)
)

// login signs in through the form and fails the test if that does not work.
func (c *consoleClient) login(user, password string) {
	c.t.Helper()
	lp := c.get("/login")
	m := csrfFieldRe.FindStringSubmatch(lp.body)
	if m == nil {
		c.t.Fatalf("no csrf_token on the login page: %.300s", lp.body)
	}
	a := c.post("/login", url.Values{"csrf_token": {m[1]}, "username": {user}, "password": {password}})
	if a.status != http.StatusSeeOther {
		c.t.Fatalf("login %s: %d %.300s", user, a.status, a.body)
	}
}

// csrf is the session's token as the pages carry it.
func (c *consoleClient) csrf() string {
	c.t.Helper()
	m := regexp.MustCompile(`data-csrf="([^"]+)"`).FindStringSubmatch(c.get("/").body)
	if m == nil {
		c.t.Fatal("no session CSRF token on the page")
	}
	return m[1]
}

// checkHTML fails on what a broken template leaves behind.
func checkHTML(t *testing.T, path string, a pageAnswer) {
	t.Helper()
	if !strings.HasPrefix(a.header.Get("Content-Type"), "text/html") {
		t.Errorf("%s: content type %q", path, a.header.Get("Content-Type"))
	}
	for _, bad := range []string{"<no value>", "ZgotmplZ", "map[", "%!"} {
		if strings.Contains(a.body, bad) {
			i := strings.Index(a.body, bad)
			t.Errorf("%s: page contains %q near %q", path, bad, a.body[max(0, i-80):min(len(a.body), i+80)])
		}
	}
	// CSP allows scripts from the binary only: no inline script may be
	// needed by any page.
	for _, tag := range regexp.MustCompile(`<script[^>]*>`).FindAllString(a.body, -1) {
		if !strings.Contains(tag, `src="/static/`) && !strings.Contains(tag, `type="application/json"`) {
			t.Errorf("%s: inline script %s", path, tag)
		}
	}
}

func TestLoginPageAndForm(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		c := newConsoleClient(t, f.srv.URL)
		lp := c.get("/login?next=/cases")
		if lp.status != 200 || !strings.Contains(lp.body, "反诈中心业务平台") || !strings.Contains(lp.body, "用户名") || !strings.Contains(lp.body, "密码") {
			t.Fatalf("login page: %d %.300s", lp.status, lp.body)
		}
		checkHTML(t, "/login", lp)
		var set string
		for _, v := range lp.header.Values("Set-Cookie") {
			if strings.HasPrefix(v, web.LoginCSRFCookie+"=") {
				set = v
			}
		}
		if !strings.Contains(set, "HttpOnly") || !strings.Contains(set, "SameSite=Strict") || !strings.Contains(set, "Max-Age=") {
			t.Fatalf("pre-login CSRF cookie: %q", set)
		}
		field := csrfFieldRe.FindStringSubmatch(lp.body)[1]
		if ck := c.cookie(web.LoginCSRFCookie); ck == nil || ck.Value != field {
			t.Fatalf("cookie and form field differ: %v vs %q", ck, field)
		}
		if !strings.Contains(lp.body, `name="next" value="/cases"`) {
			t.Fatal("next not carried in the form")
		}

		good := url.Values{"username": {"offA"}, "password": {"secret-offA"}}
		with := func(extra map[string]string) url.Values {
			v := url.Values{}
			for k, x := range good {
				v[k] = x
			}
			for k, x := range extra {
				v.Set(k, x)
			}
			return v
		}
		// Without the token, or with a token not matching the cookie: refused,
		// no session.
		for _, form := range []url.Values{good, with(map[string]string{"csrf_token": "forged-" + field})} {
			a := c.post("/login", form)
			if a.status != http.StatusForbidden || !strings.Contains(a.body, "登录表单已过期或来源不明") {
				t.Fatalf("login without matching token: %d", a.status)
			}
			if c.cookie(web.SessionCookie) != nil {
				t.Fatal("a session was started without the login CSRF token")
			}
		}
		// A fresh client posting the token without the cookie (a cross-site
		// form cannot read or set it): refused.
		other := newConsoleClient(t, f.srv.URL)
		if a := other.post("/login", with(map[string]string{"csrf_token": field})); a.status != http.StatusForbidden {
			t.Fatalf("token without its cookie: %d", a.status)
		}

		// Wrong password: the Chinese message, the form again, the name kept.
		c.get("/login")
		a := c.post("/login", with(map[string]string{"csrf_token": c.cookie(web.LoginCSRFCookie).Value, "password": "wrong"}))
		if a.status != http.StatusUnauthorized || !strings.Contains(a.body, "用户名或密码错误") || !strings.Contains(a.body, `value="offA"`) {
			t.Fatalf("wrong password: %d %.400s", a.status, a.body)
		}

		// Right password: to next when it is a local path, else home.
		for next, want := range map[string]string{"/cases?status=open": "/cases?status=open", "//evil.example/": "/",
			"https://evil.example/": "/", `/\evil.example`: "/", "": "/"} {
			c := newConsoleClient(t, f.srv.URL)
			c.get("/login")
			a := c.post("/login", with(map[string]string{"csrf_token": c.cookie(web.LoginCSRFCookie).Value, "next": next}))
			if a.status != http.StatusSeeOther || a.location != want {
				t.Errorf("login with next=%q: %d → %q, want %q", next, a.status, a.location, want)
			}
			if c.cookie(web.SessionCookie) == nil {
				t.Errorf("no session after login")
			}
		}
		// A signed-in user asking for the login page goes on.
		c.login("offA", "secret-offA")
		if a := c.get("/login?next=/warnings"); a.status != http.StatusSeeOther || a.location != "/warnings" {
			t.Errorf("login page when signed in: %d → %s", a.status, a.location)
		}
	})
}

func TestSafeNext(t *testing.T) {
	for in, want := range map[string]string{"/": "/", "/warnings/7?unmask=1": "/warnings/7?unmask=1", "": "/", "warnings": "/",
		"//x.example": "/", `/\x.example`: "/", "http://x.example/": "/", "javascript:alert(1)": "/"} {
		if got := web.SafeNext(in); got != want {
			t.Errorf("safeNext(%q) = %q, want %q", in, got, want)
		}
	}
}

// Every console page needs a console session: anonymous callers and API
// tokens are sent to the login page, which brings them back afterwards.
func TestConsolePagesNeedLogin(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	c := newConsoleClient(t, f.srv.URL)
	for _, path := range []string{"/", "/warnings", "/warnings/list?grade=fund", "/warnings/" + itoa(f.warningA), "/cases",
		"/cases/" + itoa(f.caseA), "/intel", "/prevention", "/bulletins", "/partners", "/audit", "/inbox"} {
		a := c.get(path)
		if a.status != http.StatusSeeOther || a.location != "/login?next="+url.QueryEscape(path) {
			t.Errorf("anonymous %s: %d → %q", path, a.status, a.location)
		}
		req, _ := http.NewRequest("GET", f.srv.URL+path, nil)
		req.Header.Set("Authorization", "Bearer "+f.tokens["admin"])
		if a := c.send(req); a.status != http.StatusSeeOther || !strings.HasPrefix(a.location, "/login") {
			t.Errorf("bearer token on console page %s: %d", path, a.status)
		}
	}
	if a := c.post("/logout", url.Values{}); a.status != http.StatusSeeOther || !strings.HasPrefix(a.location, "/login") {
		t.Errorf("anonymous logout: %d → %s", a.status, a.location)
	}
	// Unknown paths get the Chinese 404 page, signed in or not.
	if a := c.get("/no/such/page"); a.status != http.StatusNotFound || !strings.Contains(a.body, "没有这个页面") {
		t.Errorf("unknown page: %d %.200s", a.status, a.body)
	}
}

type pageCheck struct {
	path   string
	status int
	want   []string // texts the page must show
}

func checkPages(t *testing.T, c *consoleClient, user string, checks []pageCheck) {
	t.Helper()
	for _, pc := range checks {
		a := c.get(pc.path)
		if a.status != pc.status {
			t.Errorf("%s GET %s: %d, want %d (%.200s)", user, pc.path, a.status, pc.status, a.body)
			continue
		}
		if a.status == http.StatusSeeOther {
			continue
		}
		checkHTML(t, pc.path, a)
		for _, w := range pc.want {
			if !strings.Contains(a.body, w) {
				t.Errorf("%s GET %s: page lacks %q", user, pc.path, w)
			}
		}
	}
}

// navLabels are the navigation entries a page shows.
func navLabels(body string) []string {
	i := strings.Index(body, `<nav id="nav">`)
	j := strings.Index(body, "</nav>")
	if i < 0 || j < i {
		return nil
	}
	var out []string
	for _, m := range regexp.MustCompile(`>([^<]+)</a>`).FindAllStringSubmatch(body[i:j], -1) {
		out = append(out, m[1])
	}
	return out
}

// Each role sees the pages its capabilities allow, in Chinese, with its
// name, role and jurisdiction in the header; other pages answer with the
// Chinese 403 page, and records of another station with the 404 page.
func TestConsolePagesByRole(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		if _, err := d.Exec(ctx, `INSERT INTO prevention_events (area_id, at, kind, title, organiser_kind, organiser, audience, reached, fraud_types, created_at)
			VALUES (?,?,?,?,?,?,?,?,?,?)`, f.stA.ID, db.Millis(time.Now().Add(-time.Hour)), "lecture", "反诈讲座进社区", "station", "青石派出所",
			"elderly", 120, "police", db.Millis(time.Now())); err != nil {
			t.Fatal(err)
		}
		w := "/warnings/" + itoa(f.warningA)
		cs := "/cases/" + itoa(f.caseA)
		forbidden := []string{"无权访问", "当前角色无权执行此操作"}
		notFound := []string{"记录不存在或不在您的辖区内"}

		admin := newConsoleClient(t, f.srv.URL)
		admin.login("admin", "secret-admin")
		checkPages(t, admin, "admin", []pageCheck{
			{"/", 200, []string{"云溪县 · 实时概况", "今日预警", "资金预警", "在办预警", "本年案件", "本年损失（万元）", "劝阻成功率", "避免损失（万元）",
				"宣传活动", "覆盖人数", `id="chart-trend"`, `id="chart-types"`, `id="chart-stations"`, "中心管理员", `<span class="scope" title="您的辖区">云溪县</span>`}},
			{"/warnings", 200, []string{"值班看板", "王秀英", "138****5678", "青石派出所"}},
			{"/warnings/mine", 200, []string{"我的预警", "没有在办预警"}},
			{"/warnings/list?grade=high&status=open", 200, []string{"全部预警", "高危", "138****5678"}},
			{w, 200, []string{"当事人", "138****5678", "4301*************5", "显示完整号码", "处置时间线", "记录联系"}},
			{"/cases", 200, []string{"AJ-1", "冒充公检法", "青石派出所"}},
			{cs, 200, []string{"案件 AJ-1", "受害人", "138****5678", "4301*************5", "显示完整号码"}},
			{"/intel", 200, []string{"两卡研判", "还没有导入银行流水"}},
			{"/prevention", 200, []string{"宣传防范", "近 30 天各派出所覆盖", "反诈讲座进社区", "讲座", "老年人", "冒充公检法"}},
			{"/bulletins", 200, []string{"研判通报 · 云溪县", "劝阻成功率", "青石派出所", "城关派出所"}},
			{"/partners", 200, []string{"联席成员单位", "工商银行云溪支行", "银行"}},
			{"/audit", 200, []string{"审计日志", "导出 CSV", "登录"}},
			{"/inbox", 403, forbidden},
		})
		if nav := strings.Join(navLabels(admin.get("/").body), ","); nav != "首页,预警劝阻,侦办追赃,止付冻结,两卡研判,宣传防范,研判通报,联席协作,联席会议,审计日志,系统管理" {
			t.Errorf("admin nav: %s", nav)
		}
		if a := admin.get(w + "?unmask=1"); !strings.Contains(a.body, phoneA) || !strings.Contains(a.body, idA) || strings.Contains(a.body, "显示完整号码") {
			t.Error("admin unmask did not show the full numbers")
		}

		offA := newConsoleClient(t, f.srv.URL)
		offA.login("offA", "secret-offA")
		checkPages(t, offA, "offA", []pageCheck{
			{"/", 200, []string{"云溪县青石派出所 · 实时概况", "劝阻民警", `<span class="scope" title="您的辖区">云溪县青石派出所</span>`}},
			{w, 200, []string{"138****5678", "显示完整号码"}},
			{w + "?unmask=1", 200, []string{phoneA, idA}},
			{cs + "?unmask=1", 200, []string{phoneA, idA}},
			{"/audit", 403, forbidden},
			{"/intel", 403, forbidden},
			{"/partners", 403, forbidden},
		})
		nav := strings.Join(navLabels(offA.get("/").body), ",")
		if nav != "首页,预警劝阻,侦办追赃,宣传防范,研判通报" {
			t.Errorf("dissuader nav: %s", nav)
		}
		var unmasked int
		_ = d.QueryRow(ctx, `SELECT COUNT(*) FROM audit_log WHERE action = 'unmask' AND username = 'offA'`).Scan(&unmasked)
		if unmasked != 2 {
			t.Errorf("console unmask audited %d times, want 2", unmasked)
		}

		offB := newConsoleClient(t, f.srv.URL)
		offB.login("offB", "secret-offB")
		checkPages(t, offB, "offB", []pageCheck{
			{w, 404, notFound}, {w + "?unmask=1", 404, notFound}, {cs, 404, notFound}, {"/warnings/999999", 404, notFound},
			{"/warnings/abc", 400, []string{"请求有误"}},
			{"/warnings/list", 200, []string{"没有记录"}},
			{"/cases", 200, []string{"没有案件"}},
		})
		for _, path := range []string{"/warnings", "/warnings/list", "/cases", "/prevention"} {
			if strings.Contains(offB.get(path).body, "王秀英") {
				t.Errorf("station B's officer sees station A's person on %s", path)
			}
		}

		leader := newConsoleClient(t, f.srv.URL)
		leader.login("leader", "secret-leader")
		checkPages(t, leader, "leader", []pageCheck{
			{w, 200, []string{"138****5678"}},
			{w + "?unmask=1", 403, []string{"无权查看完整的身份证号、手机号和银行卡号"}},
			{"/bulletins", 200, []string{"研判通报"}},
		})
		if a := leader.get(w); strings.Contains(a.body, "显示完整号码") || strings.Contains(a.body, "记录联系") {
			t.Error("a leader is offered the unmask button or the dissuader's forms")
		}

		bank := newConsoleClient(t, f.srv.URL)
		bank.login("bank", "secret-bank")
		if a := bank.get("/"); a.status != http.StatusSeeOther || a.location != "/inbox" {
			t.Errorf("partner home: %d → %s", a.status, a.location)
		}
		checkPages(t, bank, "bank", []pageCheck{
			{"/inbox", 200, []string{"协查请求 · 工商银行云溪支行", "合作单位"}},
			{"/warnings", 403, forbidden}, {"/warnings/list", 403, forbidden}, {w, 403, forbidden}, {"/cases", 403, forbidden},
			{cs, 403, forbidden}, {"/intel", 403, forbidden}, {"/prevention", 403, forbidden}, {"/bulletins", 403, forbidden},
			{"/partners", 403, forbidden}, {"/audit", 403, forbidden},
		})
		if nav := strings.Join(navLabels(bank.get("/inbox").body), ","); nav != "协查请求,本单位事务" {
			t.Errorf("partner nav: %s", nav)
		}

		grid := newConsoleClient(t, f.srv.URL)
		grid.login("grid", "secret-grid")
		checkPages(t, grid, "grid", []pageCheck{
			{"/", 200, []string{"云溪县青石派出所"}},
			{"/prevention", 200, []string{"宣传防范"}},
			{"/warnings", 403, forbidden}, {"/cases", 403, forbidden},
		})
		// The station's event was not logged by the grid worker: their home
		// lists only their own, as the API does (TestGridHomeOwnEvents).
		if home := grid.get("/"); strings.Contains(home.body, "反诈讲座进社区") {
			t.Errorf("grid home lists an event the grid worker did not log")
		}
		if a := grid.get("/"); strings.Contains(a.body, `id="figures"`) {
			t.Error("a grid worker got the figures, which need figures.read")
		}
	})
}

// Logging out needs the session's CSRF token, ends the session on the
// server (the old cookie no longer works anywhere) and is audited.
func TestConsoleLogout(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		c := newConsoleClient(t, f.srv.URL)
		c.login("leader", "secret-leader")
		old := c.cookie(web.SessionCookie)
		if a := c.post("/logout", url.Values{}); a.status != http.StatusForbidden || !strings.Contains(a.body, "CSRF") {
			t.Fatalf("logout without CSRF token: %d", a.status)
		}
		if a := c.get("/"); a.status != 200 {
			t.Fatalf("session ended by a forged logout: %d", a.status)
		}
		a := c.post("/logout", url.Values{"csrf_token": {c.csrf()}})
		if a.status != http.StatusSeeOther || !strings.HasPrefix(a.location, "/login") {
			t.Fatalf("logout: %d → %s", a.status, a.location)
		}
		if lp := c.get(a.location); !strings.Contains(lp.body, "已退出登录") {
			t.Error("no logout message on the login page")
		}
		// Replay the old cookie.
		for _, path := range []string{"/", "/api/v1/me"} {
			req, _ := http.NewRequest("GET", f.srv.URL+path, nil)
			req.AddCookie(&http.Cookie{Name: web.SessionCookie, Value: old.Value})
			resp, err := http.DefaultTransport.RoundTrip(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if path == "/" && (resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login")) ||
				path != "/" && resp.StatusCode != http.StatusUnauthorized {
				t.Errorf("old session cookie after logout, %s: %d", path, resp.StatusCode)
			}
		}
		var n int
		_ = d.QueryRow(context.Background(), `SELECT COUNT(*) FROM audit_log WHERE action = 'logout' AND username = 'leader'`).Scan(&n)
		if n != 1 {
			t.Errorf("logout audited %d times", n)
		}
	})
}

// The admin's audit page: filters by user, action and days (both included),
// pages by 100, and an export link carrying the same filter.
func TestAuditPage(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		// 130 older lines two days ago, so that there is a second page.
		old := time.Now().Add(-48 * time.Hour)
		for i := 0; i < 130; i++ {
			if err := auth.Audit(ctx, d, auth.AuditEntry{At: old.Add(time.Duration(i) * time.Second), Username: "offB", Role: auth.RoleDissuader,
				IP: "10.0.0.2", Action: auth.AuditUnmask, ObjectType: "warning", ObjectID: fmt.Sprint(i)}); err != nil {
				t.Fatal(err)
			}
		}
		c := newConsoleClient(t, f.srv.URL)
		c.login("admin", "secret-admin")
		rows := func(body string) int { return strings.Count(body, "<tr data-action=") }

		a := c.get("/audit")
		if rows(a.body) != console.AuditPageSize || !strings.Contains(a.body, `id="audit-older"`) {
			t.Fatalf("first page: %d rows", rows(a.body))
		}
		if !strings.Contains(a.body, `<td translate="no">admin</td>`) || !strings.Contains(a.body, "<td>登录</td>") {
			t.Error("the admin's own login is not on the first page")
		}
		older := strings.ReplaceAll(regexp.MustCompile(`href="([^"]+)" id="audit-older"`).FindStringSubmatch(a.body)[1], "&amp;", "&")
		var total int
		_ = d.QueryRow(ctx, `SELECT COUNT(*) FROM audit_log`).Scan(&total)
		if b := c.get(older); rows(b.body) != total-console.AuditPageSize || !strings.Contains(b.body, "← 最新记录") {
			t.Errorf("second page %s: %d rows", older, rows(b.body))
		}

		today := time.Now().In(zone.Shanghai).Format("2006-01-02")
		a = c.get("/audit?action=login&to=" + today)
		if rows(a.body) != 1 || !strings.Contains(a.body, `<td translate="no">admin</td>`) {
			t.Errorf("login entries up to and including today: %d rows", rows(a.body))
		}
		a = c.get("/audit?user=offB&from=" + time.Now().Add(-72*time.Hour).In(zone.Shanghai).Format("2006-01-02") + "&to=" +
			time.Now().Add(-24*time.Hour).In(zone.Shanghai).Format("2006-01-02"))
		if rows(a.body) != console.AuditPageSize || strings.Contains(a.body, `<td translate="no">admin</td>`) || !strings.Contains(a.body, "查看完整号码") {
			t.Errorf("offB's lines two days ago: %d rows", rows(a.body))
		}
		if a := c.get("/audit?from=yesterday"); a.status != 400 || !strings.Contains(a.body, "应为 年-月-日") {
			t.Errorf("bad date: %d", a.status)
		}

		// The export link hands the same filter to the API.
		a = c.get("/audit?action=login&user=admin&to=" + today)
		var export string
		for _, m := range linkRe.FindAllStringSubmatch(a.body, -1) {
			if strings.HasPrefix(m[1], "/api/v1/audit/export") {
				export = strings.ReplaceAll(m[1], "&amp;", "&")
			}
		}
		u, err := url.Parse(export)
		if err != nil || u.Query().Get("action") != "login" || u.Query().Get("user") != "admin" || !strings.HasPrefix(u.Query().Get("to"), time.Now().In(zone.Shanghai).AddDate(0, 0, 1).Format("2006-01-02")+"T00:00:00") {
			t.Fatalf("export link %q", export)
		}
		e := c.get(export)
		if e.status != 200 || !strings.HasPrefix(e.header.Get("Content-Type"), "text/csv") || !strings.Contains(e.header.Get("Content-Disposition"), "attachment") {
			t.Fatalf("export: %d %s", e.status, e.header)
		}
		recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(e.body, "\uFEFF"))).ReadAll()
		if err != nil || len(recs) != 2 || strings.Join(recs[0][:3], ",") != "编号,时间,用户" || recs[1][2] != "admin" {
			t.Fatalf("export CSV: %v %q", err, e.body)
		}
	})
}

// Static files come from the binary with their type, an ETag and a cache
// lifetime: a year for a link with the current content hash, minutes
// otherwise; folders and hidden build markers are not served.
func TestStaticAssets(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	c := newConsoleClient(t, f.srv.URL)
	css := web.AssetURL("console.css")
	if !strings.Contains(css, "?v=") {
		t.Fatalf("console.css has no version: %s", css)
	}
	for _, tc := range []struct{ path, ctype, cache string }{
		{css, "text/css", web.CacheImmutable},
		{"/static/console.css", "text/css", web.CacheShort},
		{"/static/console.css?v=old", "text/css", web.CacheShort},
		{web.AssetURL("shield.svg"), "image/svg+xml", web.CacheImmutable},
	} {
		a := c.get(tc.path)
		if a.status != 200 || !strings.HasPrefix(a.header.Get("Content-Type"), tc.ctype) || a.header.Get("Cache-Control") != tc.cache || a.header.Get("ETag") == "" {
			t.Errorf("%s: %d %q %q %q", tc.path, a.status, a.header.Get("Content-Type"), a.header.Get("Cache-Control"), a.header.Get("ETag"))
		}
	}
	req, _ := http.NewRequest("GET", f.srv.URL+css, nil)
	req.Header.Set("If-None-Match", c.get(css).header.Get("ETag"))
	if a := c.send(req); a.status != http.StatusNotModified {
		t.Errorf("If-None-Match: %d", a.status)
	}
	for _, path := range []string{"/static/", "/static/dist/", "/static/dist/.gitkeep", "/static/dist/.built", "/static/nothing.js"} {
		if a := c.get(path); a.status != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", path, a.status)
		}
	}
	if a := c.get("/favicon.ico"); a.status != http.StatusMovedPermanently || a.location != "/static/shield.svg" {
		t.Errorf("favicon: %d %s", a.status, a.location)
	}

	lp := c.get("/login")
	if web.JSBuilt() {
		// make web ran: the bundle is served and linked by version.
		js := web.AssetURL("dist/app.js")
		a := c.get(js)
		if a.status != 200 || !strings.HasPrefix(a.header.Get("Content-Type"), "text/javascript") || a.header.Get("Cache-Control") != web.CacheImmutable || len(a.body) < 10000 {
			t.Errorf("%s: %d %q %q %d bytes", js, a.status, a.header.Get("Content-Type"), a.header.Get("Cache-Control"), len(a.body))
		}
		if !strings.Contains(lp.body, `<script src="`+js+`"></script>`) || strings.Contains(lp.body, "前端资源未构建") {
			t.Error("the page does not load the bundle")
		}
	} else {
		t.Log("the JavaScript bundle is not built (run make web); checked the notice only")
	}
}

// Without the bundle (go build before make web) the pages still render
// their server-side content and say what is missing.
func TestPagesWithoutBundle(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	s := New(web.Config{DB: f.d, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	s.JSBuilt = false
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()
	c := newConsoleClient(t, srv.URL)
	c.login("admin", "secret-admin")
	a := c.get("/")
	if a.status != 200 || !strings.Contains(a.body, "前端资源未构建：请运行 make web") || strings.Contains(a.body, "<script") ||
		!strings.Contains(a.body, "今日预警") || !strings.Contains(a.body, "本年案件") {
		t.Fatalf("home without bundle: %d %.500s", a.status, a.body)
	}
	checkHTML(t, "/", a)
}

func TestFormatting(t *testing.T) {
	for n, want := range map[int64]string{0: "0", 7: "7", 999: "999", 1000: "1,000", 4199865: "4,199,865", -1234567: "-1,234,567"} {
		if got := web.Thousands(n); got != want {
			t.Errorf("thousands(%d) = %q, want %q", n, got, want)
		}
	}
	// 万元: fen / 1,000,000 with two decimals, rounded half away from zero.
	for fen, want := range map[int64]string{0: "0.00", 4999: "0.00", 5000: "0.01", 1000000: "1.00", 11143300049: "11,143.30", 11143305000: "11,143.31", -15000: "-0.02"} {
		if got := web.Wan(fen); got != want {
			t.Errorf("wan(%d) = %q, want %q", fen, got, want)
		}
	}
	if web.AuditActionName("unmask") != "查看完整号码" || web.AuditActionName("login_failed") != "登录失败" || web.AuditActionName("other") != "other" {
		t.Error("audit action names")
	}
	if got := web.Local(time.Date(2026, 1, 31, 17, 30, 0, 0, time.UTC)); got != "2026-02-01 01:30" {
		t.Errorf("local time in Shanghai: %s", got)
	}
}
