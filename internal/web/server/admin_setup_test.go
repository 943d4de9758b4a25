package server

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/db/dbtest"
	"github.com/fanzha/fanzha/internal/setup"
)

// TestSetupFlow drives the first start as a browser would: an empty
// database answers /readyz with setup_required and says so on the login
// page; /setup needs a valid token; the form creates the county and the
// admin, signs in and goes to /admin; after that /setup is 404 for good.
func TestSetupFlow(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		srv := newEmptyServer(t, d)
		c := newConsoleClient(t, srv.URL)

		ready := c.get("/readyz")
		var rz map[string]string
		_ = json.Unmarshal([]byte(ready.body), &rz)
		if ready.status != http.StatusOK || rz["status"] != "setup_required" {
			t.Fatalf("/readyz on an empty database: %d %s", ready.status, ready.body)
		}
		lp := c.get("/login")
		if !strings.Contains(lp.body, `id="login-setup-required"`) || !strings.Contains(lp.body, "系统尚未初始化") {
			t.Fatalf("login page does not say the system is not set up: %.400s", lp.body)
		}
		for _, path := range []string{"/setup", "/setup?token=wrong"} {
			if a := c.get(path); a.status != http.StatusForbidden || !strings.Contains(a.body, "初始化链接无效") {
				t.Fatalf("GET %s: %d %.300s", path, a.status, a.body)
			}
		}
		expired, err := setup.IssueToken(ctx, d, time.Now().Add(-25*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if a := c.get("/setup?token=" + expired); a.status != http.StatusForbidden {
			t.Fatalf("expired token: %d", a.status)
		}
		tok, err := setup.IssueToken(ctx, d, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		page := c.get("/setup?token=" + url.QueryEscape(tok))
		checkHTML(t, "/setup", page)
		if page.status != http.StatusOK || !strings.Contains(page.body, `id="setup-form"`) {
			t.Fatalf("setup page: %d %.300s", page.status, page.body)
		}
		for _, f := range []string{"county_code", "county_name", "admin_username", "admin_name", "password", "password2"} {
			if !strings.Contains(page.body, `name="`+f+`"`) {
				t.Errorf("setup form lacks %s", f)
			}
		}
		m := csrfFieldRe.FindStringSubmatch(page.body)
		if m == nil {
			t.Fatal("no csrf_token in the setup form")
		}
		form := url.Values{"csrf_token": {m[1]}, "token": {tok}, "county_code": {"430102"}, "county_name": {"芙蓉区"},
			"admin_username": {"boss"}, "admin_name": {"王主任"}, "password": {"Correct-horse-9"}, "password2": {"Correct-horse-8"}}
		// Mismatched passwords: the form comes back with the message and the
		// typed values (not the passwords); nothing is created, the token
		// still works.
		a := c.post("/setup", form)
		if a.status != http.StatusBadRequest || !strings.Contains(a.body, "两次输入的密码不一致") || !strings.Contains(a.body, `value="芙蓉区"`) {
			t.Fatalf("mismatched passwords: %d %.500s", a.status, a.body)
		}
		if need, _ := setup.Required(ctx, d); !need {
			t.Fatal("a refused form created the county")
		}
		// Without the CSRF cookie's token: refused.
		bad := url.Values{}
		for k, v := range form {
			bad[k] = v
		}
		bad.Set("csrf_token", "forged")
		bad.Set("password2", "Correct-horse-9")
		if a := c.post("/setup", bad); a.status != http.StatusForbidden {
			t.Fatalf("forged csrf: %d", a.status)
		}
		m = csrfFieldRe.FindStringSubmatch(c.get("/setup?token=" + url.QueryEscape(tok)).body)
		form.Set("csrf_token", m[1])
		form.Set("password2", "Correct-horse-9")
		a = c.post("/setup", form)
		// Two-factor login is required for the admin on a real server: the
		// new admin binds an authenticator first (login_security_test.go).
		if a.status != http.StatusSeeOther || a.location != "/login/2fa?next=%2Fadmin" {
			t.Fatalf("setup: %d %s %.300s", a.status, a.location, a.body)
		}
		c.enrolTwoFactor(time.Now())
		// Signed in as the new admin: /admin opens.
		if adm := c.get("/admin"); adm.status != http.StatusOK || !strings.Contains(adm.body, "王主任") {
			t.Fatalf("/admin after setup: %d %.300s", adm.status, adm.body)
		}
		// Closed for good, for anyone, with any token.
		other := newConsoleClient(t, srv.URL)
		for _, path := range []string{"/setup", "/setup?token=" + url.QueryEscape(tok)} {
			if a := other.get(path); a.status != http.StatusNotFound || !strings.Contains(a.body, "系统已完成初始化") {
				t.Fatalf("GET %s after setup: %d %.300s", path, a.status, a.body)
			}
		}
		if a := other.post("/setup", form); a.status != http.StatusNotFound {
			t.Fatalf("POST /setup after setup: %d", a.status)
		}
		if lp := other.get("/login"); strings.Contains(lp.body, "login-setup-required") {
			t.Fatal("login page still says not set up")
		}
		ready = other.get("/readyz")
		_ = json.Unmarshal([]byte(ready.body), &rz)
		if rz["status"] != "ready" {
			t.Fatalf("/readyz after setup: %s", ready.body)
		}
		var n int
		if err := d.QueryRow(ctx, `SELECT COUNT(*) FROM audit_log WHERE action = 'create' AND ip <> ''`).Scan(&n); err != nil || n != 2 {
			t.Fatalf("setup audit lines with the caller's address: %d, %v", n, err)
		}
	})
}

// A province's centre is set up from the same form: the level offered,
// a county's name refused for a province with the Chinese reason (the
// form keeps the chosen level), then the province created as the root
// with its administrator there.
func TestSetupProvinceForm(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		srv := newEmptyServer(t, d)
		c := newConsoleClient(t, srv.URL)
		tok, err := setup.IssueToken(ctx, d, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		page := c.get("/setup?token=" + url.QueryEscape(tok))
		if page.status != http.StatusOK || !strings.Contains(page.body, `<option value="province">省级`) {
			t.Fatalf("setup page offers no province: %d %.1500s", page.status, page.body)
		}
		m := csrfFieldRe.FindStringSubmatch(page.body)
		form := url.Values{"csrf_token": {m[1]}, "token": {tok}, "level": {"province"}, "county_code": {"430000"}, "county_name": {"云溪县"},
			"admin_username": {"prov"}, "admin_name": {"李处长"}, "password": {"Correct-horse-9"}, "password2": {"Correct-horse-9"}}
		a := c.post("/setup", form)
		if a.status != http.StatusBadRequest || !strings.Contains(a.body, "省级单位名称应以 省、自治区 或 市 结尾") ||
			!strings.Contains(a.body, `<option value="province" selected>`) {
			t.Fatalf("county name for a province: %d %.1500s", a.status, a.body)
		}
		form.Set("csrf_token", csrfFieldRe.FindStringSubmatch(c.get("/setup?token=" + url.QueryEscape(tok)).body)[1])
		form.Set("county_name", "湖南省")
		if a := c.post("/setup", form); a.status != http.StatusSeeOther {
			t.Fatalf("province setup: %d %.500s", a.status, a.body)
		}
		var level, name string
		var parent *int64
		if err := d.QueryRow(ctx, `SELECT a.level, a.name, a.parent_id FROM users u JOIN areas a ON a.id = u.area_id WHERE u.username = 'prov'`).
			Scan(&level, &name, &parent); err != nil || level != "province" || name != "湖南省" || parent != nil {
			t.Fatalf("the province's admin sits at %s %s (parent %v): %v", level, name, parent, err)
		}
	})
}
