package server

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"log/slog"
	"net/http"
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
