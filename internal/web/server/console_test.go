package server

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/db/dbtest"
	"github.com/fanzha/fanzha/internal/web"
)

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
		if nav := strings.Join(navLabels(admin.get("/").body), ","); nav != "首页,预警劝阻,指令反馈,96110,侦办追赃,战役督办,止付冻结,两卡研判,宣传防范,研判通报,考核排名,联席协作,联席会议,审计日志,系统管理" {
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
		if nav != "首页,预警劝阻,指令反馈,96110,侦办追赃,战役督办,宣传防范,研判通报" {
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
