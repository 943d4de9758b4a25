package server

import (
	"bytes"
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/db/dbtest"
	"github.com/fanzha/fanzha/internal/web"
)

func userID(t *testing.T, d *db.DB, name string) int64 {
	t.Helper()
	u, err := auth.GetUserByName(context.Background(), d, name)
	if err != nil {
		t.Fatal(err)
	}
	return u.ID
}

func TestPeopleAdminStationHead(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		f.addUser(t, auth.NewUser{Username: "headA", Role: auth.RoleStationHead, AreaID: f.stA.ID, Password: "Head-of-A-2026"})
		c := newConsoleClient(t, f.srv.URL)
		c.login("headA", "Head-of-A-2026")
		csrf := c.csrf()

		list := c.get("/admin/users")
		if list.status != 200 {
			t.Fatalf("list: %d %.300s", list.status, list.body)
		}
		checkHTML(t, "/admin/users", list)
		for _, id := range []string{`id="user-create"`, `id="users-import"`, `name="area_id"`, `name="display_name"`} {
			if !strings.Contains(list.body, id) {
				t.Errorf("list page lacks %s", id)
			}
		}
		if !strings.Contains(list.body, `data-username="offA"`) || strings.Contains(list.body, `data-username="offB"`) {
			t.Error("the head's list shows other stations' officers or not their own")
		}
		createForm := list.body[strings.Index(list.body, `id="user-create"`):]
		createForm = createForm[:strings.Index(createForm, "</form>")]
		if strings.Contains(createForm, `<option value="admin"`) || !strings.Contains(createForm, `<option value="station_head"`) {
			t.Error("the head is offered the admin role")
		}
		offB := userID(t, d, "offB")
		if a := c.get("/admin/users/" + itoa(offB)); a.status != http.StatusNotFound {
			t.Errorf("another station's officer: %d", a.status)
		}
		if a := c.post("/admin/users/"+itoa(offB)+"/disable", url.Values{"csrf_token": {csrf}}); a.status != http.StatusNotFound {
			t.Errorf("disable another station's officer: %d", a.status)
		}
		if a := c.post("/admin/users/"+itoa(offB), url.Values{"csrf_token": {csrf}, "display_name": {"x"}}); a.status != http.StatusNotFound {
			t.Errorf("edit another station's officer: %d", a.status)
		}
		a := c.post("/admin/users", url.Values{"csrf_token": {csrf}, "username": {"newadmin"}, "role": {"admin"},
			"area_id": {itoa(f.stA.ID)}, "password": {"Strong-pass-2026"}})
		if a.status != http.StatusForbidden || !strings.Contains(a.body, "无权授予") {
			t.Errorf("head grants admin: %d %.200s", a.status, a.body)
		}
		a = c.post("/admin/users", url.Values{"csrf_token": {csrf}, "username": {"moved"}, "role": {"dissuader"},
			"area_id": {itoa(f.stB.ID)}, "password": {"Strong-pass-2026"}})
		if a.status != http.StatusForbidden {
			t.Errorf("head places an officer in another station: %d", a.status)
		}
		a = c.post("/admin/users", url.Values{"csrf_token": {csrf}, "username": {"li"}, "display_name": {"李强"}, "role": {"dissuader"},
			"area_id": {itoa(f.stA.ID)}, "phone": {"13900002222"}, "generate": {"1"}})
		if a.status != http.StatusCreated || !regexp.MustCompile(`id="new-password">[^<]{14}<`).MatchString(a.body) {
			t.Fatalf("head creates an officer: %d %.400s", a.status, a.body)
		}
		checkHTML(t, "create", a)
		if strings.Contains(c.get("/admin/users").body, "13900002222") {
			t.Error("phone not masked in the list")
		}
		// API: the same rules.
		if r := f.do(t, "POST", "/api/v1/users", "headA", `{"username":"x1","role":"admin","area_id":`+itoa(f.stA.ID)+`,"password":"Strong-pass-2026"}`); r.status != http.StatusForbidden {
			t.Errorf("API grant admin: %d %s", r.status, r.body)
		}
		if r := f.do(t, "GET", "/api/v1/users/"+itoa(offB), "headA", ""); r.status != http.StatusNotFound {
			t.Errorf("API read another station's officer: %d", r.status)
		}
		// Not for a dissuader.
		d2 := newConsoleClient(t, f.srv.URL)
		d2.login("offA", "secret-offA")
		if a := d2.get("/admin/users"); a.status != http.StatusForbidden {
			t.Errorf("dissuader on /admin/users: %d", a.status)
		}
	})
}

func TestPeopleAdminDisableAndTokens(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		admin := newConsoleClient(t, f.srv.URL)
		admin.login("admin", "secret-admin")
		csrf := admin.csrf()
		officer := newConsoleClient(t, f.srv.URL)
		officer.login("offA", "secret-offA")
		if a := officer.get("/warnings"); a.status != 200 {
			t.Fatalf("officer before: %d", a.status)
		}
		if r := f.do(t, "GET", "/api/v1/me", "offA", ""); r.status != 200 {
			t.Fatalf("token before: %d", r.status)
		}
		offA := userID(t, d, "offA")
		page := admin.get("/admin/users/" + itoa(offA))
		checkHTML(t, "user page", page)
		for _, id := range []string{`id="user-edit"`, `id="user-disable"`, `id="user-password"`, `id="token-create"`, `id="tokens"`, `id="password-generate"`} {
			if !strings.Contains(page.body, id) {
				t.Errorf("user page lacks %s", id)
			}
		}
		a := admin.post("/admin/users/"+itoa(offA)+"/disable", url.Values{"csrf_token": {csrf}})
		if a.status != http.StatusSeeOther {
			t.Fatalf("disable: %d %.300s", a.status, a.body)
		}
		if a := officer.get("/warnings"); a.status != http.StatusSeeOther || !strings.HasPrefix(a.location, "/login") {
			t.Errorf("old cookie after disable: %d %s", a.status, a.location)
		}
		if r := f.do(t, "GET", "/api/v1/me", "offA", ""); r.status != http.StatusUnauthorized && r.status != http.StatusForbidden {
			t.Errorf("old token after disable: %d", r.status)
		}
		if !strings.Contains(admin.get("/admin/users/"+itoa(offA)).body, `id="user-enable"`) {
			t.Error("no enable form for a disabled user")
		}
		// The admin cannot disable themselves, nor the last admin.
		self := userID(t, d, "admin")
		if a := admin.post("/admin/users/"+itoa(self)+"/disable", url.Values{"csrf_token": {csrf}}); a.status != http.StatusForbidden {
			t.Errorf("disable self: %d", a.status)
		}
		if a := admin.post("/admin/users/"+itoa(offA)+"/enable", url.Values{"csrf_token": {csrf}}); a.status != http.StatusSeeOther {
			t.Errorf("enable: %d", a.status)
		}
		// Password: typed (weak refused), generated (shown once).
		if a := admin.post("/admin/users/"+itoa(offA)+"/password", url.Values{"csrf_token": {csrf}, "password": {"weak"}}); a.status != http.StatusBadRequest || !strings.Contains(a.body, "密码") {
			t.Errorf("weak password: %d", a.status)
		}
		a = admin.post("/admin/users/"+itoa(offA)+"/password", url.Values{"csrf_token": {csrf}, "generate": {"1"}})
		m := regexp.MustCompile(`id="new-password">([^<]+)<`).FindStringSubmatch(a.body)
		if a.status != 200 || m == nil {
			t.Fatalf("generated password: %d", a.status)
		}
		if _, err := auth.CheckPassword(context.Background(), d, "offA", html.UnescapeString(m[1])); err != nil {
			t.Errorf("generated password does not sign in: %v", err)
		}
		if strings.Contains(admin.get("/admin/users/"+itoa(offA)).body, m[1]) {
			t.Error("the generated password is shown again")
		}
		// Tokens: create (shown once), use, revoke.
		a = admin.post("/admin/users/"+itoa(offA)+"/tokens", url.Values{"csrf_token": {csrf}, "label": {"对接脚本"}})
		tm := regexp.MustCompile(`id="new-token">(fzt_[^<]+)<`).FindStringSubmatch(a.body)
		if a.status != http.StatusCreated || tm == nil {
			t.Fatalf("token: %d %.300s", a.status, a.body)
		}
		f.tokens["offA-new"] = tm[1]
		if r := f.do(t, "GET", "/api/v1/me", "offA-new", ""); r.status != 200 {
			t.Errorf("new token: %d", r.status)
		}
		toks, _ := auth.ListTokens(context.Background(), d, offA)
		last := toks[len(toks)-1]
		if a := admin.post("/admin/users/"+itoa(offA)+"/tokens/"+itoa(last.ID)+"/revoke", url.Values{"csrf_token": {csrf}}); a.status != http.StatusSeeOther {
			t.Errorf("revoke: %d", a.status)
		}
		if r := f.do(t, "GET", "/api/v1/me", "offA-new", ""); r.status != http.StatusUnauthorized {
			t.Errorf("revoked token: %d", r.status)
		}
		if r := f.do(t, "GET", "/api/v1/users/"+itoa(offA)+"/tokens", "admin", ""); r.status != 200 || !strings.Contains(r.body, `"revoked":true`) {
			t.Errorf("tokens API: %d %s", r.status, r.body)
		}
		// The existing list API stays as it was.
		if r := f.do(t, "GET", "/api/v1/users", "admin", ""); r.status != 200 || r.json["users"] == nil {
			t.Errorf("GET /api/v1/users: %d", r.status)
		}
	})
}

func TestPeopleImportPage(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		admin := newConsoleClient(t, f.srv.URL)
		admin.login("admin", "secret-admin")
		csrf := admin.csrf()
		var before int
		_ = d.QueryRow(context.Background(), `SELECT COUNT(*) FROM users`).Scan(&before)
		bad := "用户名,姓名,角色,辖区代码\nzhang,张伟,劝阻民警,A\nwang,王芳,队长,A\nzhang,重复,劝阻民警,B\nliu,刘洋,dissuader,NOPE\n"
		a := admin.upload("/admin/users/import", csrf, "people.csv", []byte(bad), nil)
		if a.status != http.StatusUnprocessableEntity || !strings.Contains(a.body, `id="import-report"`) {
			t.Fatalf("bad import: %d %.300s", a.status, a.body)
		}
		if n := strings.Count(a.body, `class="bad-row"`); n != 3 {
			t.Errorf("bad rows shown: %d", n)
		}
		var after int
		_ = d.QueryRow(context.Background(), `SELECT COUNT(*) FROM users`).Scan(&after)
		if after != before {
			t.Fatal("a rejected import stored users")
		}
		good := "用户名,姓名,角色,辖区代码,手机\nzhang,张伟,劝阻民警,A,13900001111\nwang,王芳,所领导,B,\n"
		a = admin.upload("/admin/users/import", csrf, "people.csv", []byte(good), nil)
		if a.status != 200 || strings.Count(a.body, `class="imported-row"`) != 2 || !strings.Contains(a.body, `href="data:text/csv;charset=utf-8;base64,`) {
			t.Fatalf("good import: %d %.500s", a.status, a.body)
		}
		checkHTML(t, "import", a)
		// Oversize files are refused before they are read.
		big := bytes.Repeat([]byte("a,b,c,d\n"), (web.MaxUserImport/8)+10)
		if a := admin.upload("/admin/users/import", csrf, "big.csv", big, nil); a.status != http.StatusRequestEntityTooLarge {
			t.Errorf("oversize: %d", a.status)
		}
	})
}

func TestUnitsAdminPages(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		admin := newConsoleClient(t, f.srv.URL)
		admin.login("admin", "secret-admin")
		csrf := admin.csrf()
		list := admin.get("/admin/units")
		checkHTML(t, "/admin/units", list)
		if list.status != 200 || !strings.Contains(list.body, `id="unit-create"`) || !strings.Contains(list.body, "工商银行云溪支行") {
			t.Fatalf("units page: %d", list.status)
		}
		a := admin.post("/admin/units", url.Values{"csrf_token": {csrf}, "kind": {"payment"}, "name": {"某支付公司云溪服务点"}})
		if a.status != http.StatusSeeOther || !strings.HasPrefix(a.location, "/admin/units/") {
			t.Fatalf("create: %d %.300s", a.status, a.body)
		}
		unitPath := strings.SplitN(a.location, "?", 2)[0]
		if a := admin.post("/admin/units", url.Values{"csrf_token": {csrf}, "kind": {"bank"}, "name": {"某支付公司云溪服务点"}}); a.status != http.StatusConflict {
			t.Errorf("duplicate name: %d", a.status)
		}
		page := admin.get(unitPath)
		checkHTML(t, unitPath, page)
		for _, id := range []string{`id="unit-edit"`, `id="unit-contact-add"`, `id="unit-webhook"`, `id="unit-user-create"`, `id="unit-retire"`} {
			if !strings.Contains(page.body, id) {
				t.Errorf("unit page lacks %s", id)
			}
		}
		if a := admin.post(unitPath+"/contacts", url.Values{"csrf_token": {csrf}, "name": {"赵经理"}, "title": {"负责人"}, "phone": {"13711112222"}}); a.status != http.StatusSeeOther {
			t.Errorf("contact: %d %.200s", a.status, a.body)
		}
		if page := admin.get(unitPath); !strings.Contains(page.body, "赵经理") || strings.Contains(page.body, "13711112222") {
			t.Error("contact missing or phone not masked")
		}
		if a := admin.post(unitPath+"/webhook", url.Values{"csrf_token": {csrf}, "url": {"https://example.com/hook"}, "format": {"wecom"}}); a.status != http.StatusSeeOther {
			t.Errorf("webhook: %d %.200s", a.status, a.body)
		}
		a = admin.post(unitPath+"/users", url.Values{"csrf_token": {csrf}, "username": {"payuser"}, "display_name": {"钱"}, "generate": {"1"}})
		m := regexp.MustCompile(`id="new-password">([^<]+)<`).FindStringSubmatch(a.body)
		if a.status != http.StatusCreated || m == nil {
			t.Fatalf("unit user: %d %.300s", a.status, a.body)
		}
		pu := newConsoleClient(t, f.srv.URL)
		pu.login("payuser", html.UnescapeString(m[1]))
		if a := pu.get("/inbox"); a.status != 200 {
			t.Errorf("partner inbox: %d", a.status)
		}
		if a := admin.post(unitPath+"/retire", url.Values{"csrf_token": {csrf}}); a.status != http.StatusSeeOther {
			t.Fatalf("retire: %d %.300s", a.status, a.body)
		}
		if a := pu.get("/inbox"); a.status != http.StatusSeeOther {
			t.Errorf("partner of a retired unit still signed in: %d", a.status)
		}
		page = admin.get(unitPath)
		if !strings.Contains(page.body, `id="unit-reactivate"`) || strings.Contains(page.body, `id="unit-user-create"`) {
			t.Error("retired unit page")
		}
		if a := admin.post(unitPath+"/reactivate", url.Values{"csrf_token": {csrf}}); a.status != http.StatusSeeOther {
			t.Errorf("reactivate: %d", a.status)
		}
		// JSON API.
		r := f.do(t, "POST", "/api/v1/units", "admin", `{"kind":"school","name":"云溪一中"}`)
		if r.status != http.StatusCreated || r.json["code"] != "S01" {
			t.Errorf("API create: %d %s", r.status, r.body)
		}
		if r := f.do(t, "POST", "/api/v1/units", "leader", `{"kind":"school","name":"云溪二中"}`); r.status != http.StatusForbidden {
			t.Errorf("leader creates a unit: %d", r.status)
		}
		if r := f.do(t, "GET", "/api/v1/units", "admin", ""); r.status != 200 || !strings.Contains(r.body, "云溪一中") {
			t.Errorf("GET /api/v1/units: %d", r.status)
		}
		// Not for a station head.
		f.addUser(t, auth.NewUser{Username: "headA", Role: auth.RoleStationHead, AreaID: f.stA.ID, Password: "Head-of-A-2026"})
		h := newConsoleClient(t, f.srv.URL)
		h.login("headA", "Head-of-A-2026")
		if a := h.get("/admin/units"); a.status != http.StatusForbidden {
			t.Errorf("head on /admin/units: %d", a.status)
		}
	})
}
