package server

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/db/dbtest"
	"github.com/fanzha/fanzha/internal/settings"
	"github.com/fanzha/fanzha/internal/web"
)

// settingOf finds a setting in a GET /api/v1/settings answer.
func settingOf(t *testing.T, a answer, key string) map[string]any {
	t.Helper()
	groups, _ := a.json["groups"].([]any)
	for _, g := range groups {
		for _, s := range g.(map[string]any)["settings"].([]any) {
			if m := s.(map[string]any); m["key"] == key {
				return m
			}
		}
	}
	t.Fatalf("setting %s not in %.300s", key, a.body)
	return nil
}

// The settings API: admin only; values in force with their sources; a
// refused change answers 422 in Chinese per field and saves nothing; a
// change is in force and audited.
func TestSettingsAPI(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		for _, u := range []string{"offA", "leader", "bank"} {
			if a := f.do(t, "GET", "/api/v1/settings", u, ""); a.status != 403 {
				t.Fatalf("%s GET settings: %d", u, a.status)
			}
			if a := f.do(t, "PUT", "/api/v1/settings", u, `{"values":{"deadline.fund":"5m"}}`); a.status != 403 {
				t.Fatalf("%s PUT settings: %d", u, a.status)
			}
		}
		a := f.do(t, "GET", "/api/v1/settings", "admin", "")
		if a.status != 200 {
			t.Fatalf("GET: %d %s", a.status, a.body)
		}
		if s := settingOf(t, a, "deadline.fund"); s["value"] != "10m" || s["source"] != "default" || s["source_text"] != "默认值" {
			t.Fatalf("fund deadline: %v", s)
		}
		a = f.do(t, "PUT", "/api/v1/settings", "admin", `{"values":{"deadline.fund":"半小时","score.grade_high":"350"}}`)
		if a.status != 422 || a.json["code"] != "invalid_settings" || !strings.Contains(a.json["error"].(string), "资金预警首次联系时限：应为正的时长") {
			t.Fatalf("invalid PUT: %d %s", a.status, a.body)
		}
		var n int
		_ = d.QueryRow(context.Background(), `SELECT COUNT(*) FROM settings WHERE key LIKE 'score.%'`).Scan(&n)
		if n != 0 {
			t.Fatal("a valid value of a refused change was saved")
		}
		a = f.do(t, "PUT", "/api/v1/settings", "admin", `{"values":{"deadline.fund":"15m","score.grade_high":"350"}}`)
		if a.status != 200 || len(a.json["changed"].([]any)) != 2 {
			t.Fatalf("PUT: %d %s", a.status, a.body)
		}
		if s := settingOf(t, a, "deadline.fund"); s["value"] != "15m" || s["source"] != "console" || !strings.HasPrefix(s["source_text"].(string), "控制台设置（admin，") {
			t.Fatalf("after PUT: %v", s)
		}
		_ = d.QueryRow(context.Background(), `SELECT COUNT(*) FROM audit_log WHERE object_type = 'setting' AND username = 'admin' AND detail LIKE '%10m → 15m%'`).Scan(&n)
		if n != 1 {
			t.Fatalf("audited %d times", n)
		}
		// The server's intake uses the new deadline for the next warning.
		a = f.do(t, "POST", "/api/v1/warnings", "admin", `{"source":"bank","source_ref":"S-1","grade":"fund","person":{"name":"李四","phone":"13900000001"}}`)
		if a.status != 201 {
			t.Fatalf("warning: %d %s", a.status, a.body)
		}
		var recv, due int64
		_ = d.QueryRow(context.Background(), `SELECT received_at, contact_due_at FROM warnings WHERE source_ref = 'S-1'`).Scan(&recv, &due)
		if due-recv != 15*60*1000 {
			t.Fatalf("contact due %d ms after receipt, want 15 minutes", due-recv)
		}
	})
}

// A flag override wins, and the API and the page say so; the console
// cannot change it.
func TestSettingsFlagOverrideShown(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		st, err := settings.New(d, settings.Overrides{Deadlines: "fund=5m"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		s := New(web.Config{DB: d, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Settings: st})
		s.SetReady(true)
		srv := httptest.NewServer(s.Handler())
		defer srv.Close()
		f.srv = srv
		a := f.do(t, "GET", "/api/v1/settings", "admin", "")
		fund := settingOf(t, a, "deadline.fund")
		if fund["value"] != "5m" || fund["source"] != "flag" || fund["locked"] != true || !strings.Contains(fund["source_text"].(string), "--deadlines") {
			t.Fatalf("overridden: %v", fund)
		}
		a = f.do(t, "PUT", "/api/v1/settings", "admin", `{"values":{"deadline.fund":"20m"}}`)
		if a.status != 422 || !strings.Contains(a.body, "启动参数 --deadlines") {
			t.Fatalf("PUT over a flag: %d %s", a.status, a.body)
		}
		c := newConsoleClient(t, srv.URL)
		c.login("admin", "secret-admin")
		pg := c.get("/admin/settings")
		checkHTML(t, "/admin/settings", pg)
		if !strings.Contains(pg.body, "命令行/环境变量（--deadlines 或 FANZHA_DEADLINES）") ||
			!strings.Contains(pg.body, `id="set-deadline-fund" name="deadline.fund" value="5m" size="10" disabled`) {
			t.Fatalf("page does not show the override: %.2000s", pg.body)
		}
	})
}

// The console page: one form per group with the named ids, each field's
// value in force and source; a saved form redirects with what changed; a
// refused form shows the page again with the reason beside the field and
// saves nothing; the history lists the changes.
func TestSettingsPage(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		c := newConsoleClient(t, f.srv.URL)
		c.login("offA", "secret-offA")
		if a := c.get("/admin/settings"); a.status != 403 {
			t.Fatalf("officer on the settings page: %d", a.status)
		}
		c = newConsoleClient(t, f.srv.URL)
		c.login("admin", "secret-admin")
		pg := c.get("/admin/settings")
		if pg.status != 200 {
			t.Fatalf("page: %d %.300s", pg.status, pg.body)
		}
		checkHTML(t, "/admin/settings", pg)
		for _, id := range []string{"settings-deadlines", "settings-freeze", "settings-score", "settings-webhooks", "settings-bulletin", "settings-history"} {
			if !strings.Contains(pg.body, `id="`+id+`"`) {
				t.Errorf("no #%s", id)
			}
		}
		for _, want := range []string{"紧急止付期限为 48 小时", "冻结期限最长 6 个月", "默认值", "一通电话内就可能把全部存款转走"} {
			if !strings.Contains(pg.body, want) {
				t.Errorf("page lacks %q", want)
			}
		}
		tok := csrfFieldRe.FindStringSubmatch(pg.body)[1]
		a := c.post("/admin/settings/deadlines", url.Values{"csrf_token": {tok}, "deadline.fund": {"10m"}, "deadline.high": {"45m"},
			"deadline.ordinary": {"24h"}, "deadline.onsite": {"2h"}})
		if a.status != 303 || !strings.Contains(a.location, url.QueryEscape("高危预警首次联系时限：30m → 45m")) {
			t.Fatalf("save: %d %s", a.status, a.location)
		}
		a = c.post("/admin/settings/score", url.Values{"csrf_token": {tok}, "score.grade_fund": {"很多"}, "score.age_70": {"120"}})
		if a.status != 422 || !strings.Contains(a.body, "应为整数分值") || !strings.Contains(a.body, `value="很多"`) {
			t.Fatalf("refused form: %d %.1500s", a.status, a.body)
		}
		var n int
		_ = d.QueryRow(context.Background(), `SELECT COUNT(*) FROM settings WHERE key LIKE 'score.%'`).Scan(&n)
		if n != 0 {
			t.Fatal("refused form saved something")
		}
		// The bulletin switch: unchecked box turns it off.
		a = c.post("/admin/settings/bulletin", url.Values{"csrf_token": {tok}, "bulletin.daily_enabled._shown": {"1"}, "bulletin.daily_hour": {"7"}})
		if a.status != 303 {
			t.Fatalf("bulletin: %d %.500s", a.status, a.body)
		}
		// Webhooks: the secret is never shown again.
		a = c.post("/admin/settings/webhooks", url.Values{"csrf_token": {tok}, "webhooks.targets": {"wecom:https://qyapi.example/x"}, "webhooks.secret": {"very-secret-value-123"}})
		if a.status != 303 {
			t.Fatalf("webhooks: %d %.500s", a.status, a.body)
		}
		pg = c.get("/admin/settings")
		checkHTML(t, "/admin/settings", pg)
		if strings.Contains(pg.body, "very-secret-value-123") {
			t.Fatal("secret shown on the page")
		}
		for _, want := range []string{`控制台设置（<span translate="no">admin</span>，`, "高危预警首次联系时限：30m → 45m", "生成每日通报：开启 → 关闭", "每日通报生成时刻（时）：8 → 7", "wecom:https://qyapi.example/x"} {
			if !strings.Contains(pg.body, want) {
				t.Errorf("page after saving lacks %q", want)
			}
		}
	})
}
