package server

import (
	"bytes"
	"context"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/db/dbtest"
	"github.com/fanzha/fanzha/internal/web"
	"github.com/fanzha/fanzha/internal/zone"
)

func (c *consoleClient) upload(path, csrf, name string, content []byte, fields url.Values) pageAnswer {
	c.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	_ = mw.WriteField("csrf_token", csrf)
	for k, vs := range fields {
		for _, v := range vs {
			_ = mw.WriteField(k, v)
		}
	}
	w, _ := mw.CreateFormFile("file", name)
	_, _ = w.Write(content)
	_ = mw.Close()
	req, _ := http.NewRequest("POST", c.base+path, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return c.send(req)
}

// The roster page: an admin adds a shift, a pattern, leave, copies a week,
// imports a file with bad rows (reported, nothing stored) and a good one,
// exports; a station head sees and edits their own station only; the duty
// board shows the gaps.
func TestRosterConsole(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := newFixture(t, d)
		head := f.addUser(t, auth.NewUser{Username: "headA", Role: auth.RoleStationHead, AreaID: f.stA.ID, Password: "secret-headA"})
		_ = head
		c := newConsoleClient(t, f.srv.URL)
		c.login("admin", "secret-admin")
		csrf := c.csrf()
		pg := c.get(fmt.Sprintf("/admin/roster?area=%d", f.stA.ID))
		if pg.status != 200 {
			t.Fatalf("roster page: %d %.300s", pg.status, pg.body)
		}
		checkHTML(t, "/admin/roster", pg)
		for _, id := range []string{`id="shift-add"`, `id="pattern-add"`, `id="leave-add"`, `id="roster-copy"`, `id="roster-import"`,
			`id="roster-export"`, `id="on-duty-now"`, `id="roster-grid"`, `type="datetime-local" name="starts_at"`, `name="weekdays"`} {
			if !strings.Contains(pg.body, id) {
				t.Errorf("roster page lacks %s", id)
			}
		}
		var offA int64
		_ = d.QueryRow(ctx, `SELECT id FROM users WHERE username = 'offA'`).Scan(&offA)
		now := time.Now().In(zone.Shanghai)
		at := func(h time.Duration) string { return now.Add(h).Format("2006-01-02T15:04") }
		// Nobody on duty: the duty board shows the gaps.
		if b := c.get("/warnings"); !strings.Contains(b.body, `id="roster-gaps"`) || !strings.Contains(b.body, "青石派出所") {
			t.Fatalf("board without the gap banner: %.500s", b.body)
		}
		a := c.post("/admin/roster/shifts", url.Values{"csrf_token": {csrf}, "area": {fmt.Sprint(f.stA.ID)}, "user_id": {fmt.Sprint(offA)},
			"duty": {"dissuader"}, "starts_at": {at(-time.Hour)}, "ends_at": {at(7 * time.Hour)}})
		if a.status != http.StatusSeeOther || !strings.Contains(a.location, "flash=") {
			t.Fatalf("shift add: %d %s %.300s", a.status, a.location, a.body)
		}
		pg = c.get(fmt.Sprintf("/admin/roster?area=%d", f.stA.ID))
		if !regexp.MustCompile(`(?s)id="on-duty-now".*青石派出所.*offA`).MatchString(pg.body) {
			t.Fatalf("offA not in the on-duty-now list")
		}
		// Overlap refused with a Chinese message.
		a = c.post("/admin/roster/shifts", url.Values{"csrf_token": {csrf}, "user_id": {fmt.Sprint(offA)}, "duty": {"dissuader"},
			"starts_at": {at(0)}, "ends_at": {at(2 * time.Hour)}})
		if a.status != http.StatusConflict || !strings.Contains(a.body, "时间重叠") {
			t.Fatalf("overlapping shift: %d %.300s", a.status, a.body)
		}
		// Pattern, leave, copy.
		a = c.post("/admin/roster/patterns", url.Values{"csrf_token": {csrf}, "area": {fmt.Sprint(f.stA.ID)}, "user_id": {fmt.Sprint(offA)},
			"duty": {"dissuader"}, "weekdays": {"5", "6"}, "start": {"20:00"}, "hours": {"12"}, "from": {now.Format("2006-01-02")}})
		if a.status != http.StatusSeeOther {
			t.Fatalf("pattern add: %d %.300s", a.status, a.body)
		}
		a = c.post("/admin/roster/leave", url.Values{"csrf_token": {csrf}, "user_id": {fmt.Sprint(offA)}, "from": {at(48 * time.Hour)},
			"to": {at(72 * time.Hour)}, "reason": {"年休假"}})
		if a.status != http.StatusSeeOther {
			t.Fatalf("leave add: %d %.300s", a.status, a.body)
		}
		a = c.post("/admin/roster/copy", url.Values{"csrf_token": {csrf}, "week": {now.Format("2006-01-02")}, "weeks": {"2"}})
		if a.status != http.StatusSeeOther || !strings.Contains(a.location, "flash=") {
			t.Fatalf("copy: %d %.300s", a.status, a.body)
		}
		pg = c.get(fmt.Sprintf("/admin/roster?area=%d", f.stA.ID))
		if !strings.Contains(pg.body, "周六、周日") || !strings.Contains(pg.body, "年休假") || !strings.Contains(pg.body, `class="shift-swap"`) {
			t.Fatalf("page lacks the pattern, the leave or the shift forms")
		}
		// Move the shift by an hour through its edit form.
		var sid int64
		_ = d.QueryRow(ctx, `SELECT id FROM duty_shifts WHERE user_id = ? AND source = 'manual'`, offA).Scan(&sid)
		a = c.post(fmt.Sprintf("/admin/roster/shifts/%d/edit", sid), url.Values{"csrf_token": {csrf}, "area": {fmt.Sprint(f.stA.ID)},
			"starts_at": {at(-2 * time.Hour)}, "ends_at": {at(6 * time.Hour)}})
		if a.status != http.StatusSeeOther {
			t.Fatalf("shift edit: %d %.300s", a.status, a.body)
		}
		if !strings.Contains(pg.body, `class="shift-edit"`) {
			t.Fatal("no shift edit form")
		}
		// Import: a bad file is reported row by row, nothing stored.
		var before int
		_ = d.QueryRow(ctx, `SELECT COUNT(*) FROM duty_shifts`).Scan(&before)
		day := now.AddDate(0, 0, 30).Format("2006-01-02")
		bad := "用户名,开始,结束\noffB," + day + " 08:00," + day + " 16:00\nnobody," + day + " 08:00," + day + " 16:00\noffB," + day + " 18:00," + day + " 17:00\n"
		a = c.upload("/admin/roster/import", csrf, "排班.csv", []byte(bad), nil)
		if a.status != http.StatusUnprocessableEntity || strings.Count(a.body, `class="bad-row"`) != 2 || !strings.Contains(a.body, `id="import-report"`) {
			t.Fatalf("bad import: %d, %d bad rows", a.status, strings.Count(a.body, `class="bad-row"`))
		}
		var after int
		_ = d.QueryRow(ctx, `SELECT COUNT(*) FROM duty_shifts`).Scan(&after)
		if after != before {
			t.Fatalf("bad import stored %d shifts", after-before)
		}
		a = c.upload("/admin/roster/import", csrf, "排班.csv", []byte("用户名,开始,结束\noffB,"+day+" 08:00,"+day+" 16:00\n"), nil)
		if a.status != 200 || !strings.Contains(a.body, "已导入 <b>1</b>") {
			t.Fatalf("good import: %d %.300s", a.status, a.body)
		}
		// Oversize upload: refused with a Chinese message.
		a = c.upload("/admin/roster/import", csrf, "big.csv", bytes.Repeat([]byte("x"), web.MaxRosterUpload+10), nil)
		if a.status != http.StatusRequestEntityTooLarge || !strings.Contains(a.body, "文件过大") {
			t.Fatalf("oversize upload: %d", a.status)
		}
		// Export: an Excel file, audited.
		ex := c.get("/admin/roster/export?from=" + day + "&days=1&format=csv")
		if ex.status != 200 || !strings.Contains(ex.body, "offB,"+day+" 08:00,"+day+" 16:00,劝阻,B") {
			t.Fatalf("export: %d %q", ex.status, ex.body)
		}
		if ex := c.get("/admin/roster/export"); ex.status != 200 || !strings.HasPrefix(ex.body, "PK") {
			t.Fatalf("xlsx export: %d", ex.status)
		}

		// The station head: own station only.
		h := newConsoleClient(t, f.srv.URL)
		h.login("headA", "secret-headA")
		hcsrf := h.csrf()
		hp := h.get(fmt.Sprintf("/admin/roster?area=%d", f.stB.ID))
		if hp.status != 200 || strings.Contains(hp.body, "城关派出所") || strings.Contains(hp.body, "中心值班") {
			t.Fatalf("station head's page shows other nodes: %d", hp.status)
		}
		var bShift int64
		_ = d.QueryRow(ctx, `SELECT s.id FROM duty_shifts s JOIN users u ON u.id = s.user_id WHERE u.username = 'offB'`).Scan(&bShift)
		if a := h.post(fmt.Sprintf("/admin/roster/shifts/%d/delete", bShift), url.Values{"csrf_token": {hcsrf}}); a.status != http.StatusNotFound {
			t.Fatalf("station head deleting B's shift: %d", a.status)
		}
		if a := h.upload("/admin/roster/import", hcsrf, "b.csv", []byte("用户名,开始,结束\noffB,"+day+" 18:00,"+day+" 20:00\n"), nil); a.status != http.StatusUnprocessableEntity {
			t.Fatalf("station head importing B's shift: %d", a.status)
		}
		// A dissuader may not open the page.
		o := newConsoleClient(t, f.srv.URL)
		o.login("offA", "secret-offA")
		if a := o.get("/admin/roster"); a.status != http.StatusForbidden {
			t.Fatalf("dissuader on the roster page: %d", a.status)
		}
	})
}
