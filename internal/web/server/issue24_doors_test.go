package server

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/db/dbtest"
	"github.com/fanzha/fanzha/internal/zone"
)

// The doors of issue 24 that the domain had and HTTP lacked: a tip turned
// into a 断卡 lead, the 督办 tasks of red units with their closing, and
// the 大屏's league block — through the API and the console, on both
// engines.

// A tip naming a scam account and number becomes a 断卡 lead (201, both
// labelled mules with the tip's reference), once (409); a consultation
// naming no number is refused with 422 and a Chinese reason; another
// station's tip is not found. The console offers the button on open tips
// and shows the lead afterwards.
func TestConsultationCardLead(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		logTip := func(body string) int64 {
			t.Helper()
			a := f.do(t, "POST", "/api/v1/consultations", "offA", body)
			if a.status != 201 {
				t.Fatalf("log: %d %s", a.status, a.body)
			}
			return int64(a.json["id"].(float64))
		}
		tip := logTip(`{"channel":"walkin","kind":"tip","summary":"村口有人高价收购银行卡","scam_account":"6222020000005678","scam_phone":"17100003333"}`)
		bare := logTip(`{"channel":"hotline","kind":"tip","summary":"听说有人收卡，不知道号码"}`)
		lead := func(user string, id int64) answer {
			t.Helper()
			return f.do(t, "POST", fmt.Sprintf("/api/v1/consultations/%d/lead", id), user, "")
		}
		if a := lead("offB", tip); a.status != 404 {
			t.Fatalf("offB converts A's tip: %d %s", a.status, a.body)
		}
		if a := lead("leader", tip); a.status != 403 {
			t.Fatalf("a leader (no warning.write) converts: %d %s", a.status, a.body)
		}
		a := lead("offA", tip)
		// The account is masked as in the consultation list.
		if a.status != 201 || a.json["account"] != auth.MaskCard("6222020000005678") || a.json["account"] == "6222020000005678" ||
			a.json["phone"] != "17100003333" || a.json["consultation_id"] != float64(tip) {
			t.Fatalf("lead: %d %s", a.status, a.body)
		}
		var labels int
		if err := d.QueryRow(context.Background(), `SELECT COUNT(*) FROM intel_labels WHERE label = 'mule' AND note LIKE ?`,
			fmt.Sprintf("%%ZX-%d%%", tip)).Scan(&labels); err != nil || labels != 2 {
			t.Fatalf("%d mule labels carry the tip's reference (%v), want 2", labels, err)
		}
		if a := lead("offA", tip); a.status != 409 || !strings.Contains(a.json["error"].(string), "断卡线索") {
			t.Fatalf("second lead: %d %s", a.status, a.body)
		}
		a = lead("offA", bare)
		if a.status != 422 || a.json["code"] != "no_number" || !strings.Contains(a.json["error"].(string), "涉诈账号或涉诈号码") {
			t.Fatalf("lead without a number: %d %s", a.status, a.body)
		}
		l := f.do(t, "GET", "/api/v1/consultations?status=lead", "offA", "")
		if items, _ := l.json["items"].([]any); l.status != 200 || len(items) != 1 || items[0].(map[string]any)["lead_at"] == nil {
			t.Fatalf("the tips that became leads: %d %s", l.status, l.body)
		}
		var audited int
		if err := d.QueryRow(context.Background(), `SELECT COUNT(*) FROM audit_log WHERE object_type = 'consultation' AND object_id = ? AND detail = 'converted to card lead'`,
			fmt.Sprint(tip)).Scan(&audited); err != nil || audited != 1 {
			t.Fatalf("audit lines of the lead: %d %v", audited, err)
		}

		// The console: the bare tip still offers the button; clicking it
		// answers the same refusal; a fresh tip becomes a lead by the form.
		c := newConsoleClient(t, f.srv.URL)
		c.login("offA", "secret-offA")
		csrf := c.csrf()
		p := c.get("/consultations")
		if p.status != 200 || !strings.Contains(p.body, fmt.Sprintf(`action="/consultations/%d/lead"`, bare)) ||
			strings.Contains(p.body, fmt.Sprintf(`action="/consultations/%d/lead"`, tip)) || !strings.Contains(p.body, "已转断卡线索") {
			t.Fatalf("consultations page: %d %.4000s", p.status, p.body)
		}
		if r := c.post(fmt.Sprintf("/consultations/%d/lead", bare), url.Values{"csrf_token": {csrf}}); r.status != 422 || !strings.Contains(r.body, "涉诈账号或涉诈号码") {
			t.Fatalf("console lead without a number: %d %.1000s", r.status, r.body)
		}
		third := logTip(`{"channel":"online","kind":"tip","summary":"网友举报收卡号码","scam_phone":"17100004444"}`)
		if r := c.post(fmt.Sprintf("/consultations/%d/lead", third), url.Values{"csrf_token": {csrf}}); r.status != http.StatusSeeOther {
			t.Fatalf("console lead: %d %.1000s", r.status, r.body)
		}
		if p := c.get("/consultations?status=lead"); !strings.Contains(p.body, "网友举报收卡号码") || strings.Contains(p.body, fmt.Sprintf(`action="/consultations/%d/lead"`, third)) {
			t.Fatalf("after the console lead: %.3000s", p.body)
		}
	})
}

// addSupervisionTask stores a 督办 task of a unit for last month, as the
// monthly job does for a red unit.
func (f *fixture) addSupervisionTask(t *testing.T, areaID, leaderID int64, title string) int64 {
	t.Helper()
	now := time.Now()
	var leader any
	if leaderID != 0 {
		leader = leaderID
	}
	figs := `[{"key":"dissuasion","name":"劝阻成功率","value":750,"bound":800,"text":"劝阻成功率 75.0%（红线 80.0%）"}]`
	var id int64
	if err := f.d.QueryRow(context.Background(), `INSERT INTO supervision_tasks (area_id, scope_id, period_from, period_to, leader_id, title, figures, due_at, created_at)
		VALUES (?,?,?,?,?,?,?,?,?) RETURNING id`, areaID, f.root.ID, db.Millis(now.AddDate(0, -1, 0)), db.Millis(now), leader, title, figs,
		db.Millis(now.AddDate(0, 0, 7)), db.Millis(now)).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

// The 督办 tasks through the API and the console: each station sees its
// own, a task is closed only by the leader it is assigned to (or a user
// with staff.manage) — anyone else in scope is 403 in Chinese, out of
// scope 404 — and is then listed as closed.
func TestSupervisionTasks(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		leadA := f.addUser(t, auth.NewUser{Username: "leadA", DisplayName: "青石所长", Role: auth.RoleLeader, AreaID: f.stA.ID})
		taskA := f.addSupervisionTask(t, f.stA.ID, leadA, "督办：青石派出所考核评为红色")
		taskB := f.addSupervisionTask(t, f.stB.ID, f.userID(t, "leader"), "督办：城关派出所考核评为红色")
		ids := func(user, query string) []int64 {
			t.Helper()
			a := f.do(t, "GET", "/api/v1/supervision/tasks"+query, user, "")
			if a.status != 200 {
				t.Fatalf("%s tasks%s: %d %s", user, query, a.status, a.body)
			}
			var out []int64
			for _, it := range a.json["items"].([]any) {
				out = append(out, int64(it.(map[string]any)["id"].(float64)))
			}
			return out
		}
		if got := ids("admin", ""); len(got) != 2 {
			t.Fatalf("the centre's tasks: %v", got)
		}
		if got := ids("leadA", ""); len(got) != 1 || got[0] != taskA {
			t.Fatalf("station A's leader sees %v, want [%d]", got, taskA)
		}
		if got := ids("offB", "?status=open"); len(got) != 1 || got[0] != taskB {
			t.Fatalf("station B's officer sees %v, want only B's [%d]", got, taskB)
		}
		if a := f.do(t, "GET", "/api/v1/supervision/tasks?status=pending", "admin", ""); a.status != 400 || !strings.Contains(a.body, "状态") {
			t.Fatalf("a bad status: %d %s", a.status, a.body)
		}
		if a := f.do(t, "GET", "/api/v1/supervision/tasks", "grid", ""); a.status != 403 {
			t.Fatalf("a grid worker (no figures.read): %d %s", a.status, a.body)
		}
		closeTask := func(user string, id int64, note string) answer {
			t.Helper()
			return f.do(t, "POST", fmt.Sprintf("/api/v1/supervision/tasks/%d/close", id), user, fmt.Sprintf(`{"note":%q}`, note))
		}
		if a := closeTask("offB", taskA, "越权"); a.status != 404 {
			t.Fatalf("station B closes A's task: %d %s", a.status, a.body)
		}
		for _, u := range []string{"offA", "leader"} {
			if a := closeTask(u, taskA, "越权"); a.status != 403 || !strings.Contains(a.json["error"].(string), "青石所长") {
				t.Fatalf("%s (in scope, not the task's leader) closes: %d %s", u, a.status, a.body)
			}
		}
		if a := closeTask("leadA", taskA, " "); a.status != 400 || !strings.Contains(a.body, "整改情况") {
			t.Fatalf("closing without a note: %d %s", a.status, a.body)
		}
		a := closeTask("leadA", taskA, "已约谈劝阻民警，逐条回访")
		if a.status != 200 || a.json["status"] != "done" || a.json["note"] != "已约谈劝阻民警，逐条回访" || a.json["done_at"] == nil {
			t.Fatalf("the leader closes: %d %s", a.status, a.body)
		}
		if a := closeTask("leadA", taskA, "再次"); a.status != 409 {
			t.Fatalf("closing twice: %d %s", a.status, a.body)
		}
		if got := ids("admin", "?status=closed"); len(got) != 1 || got[0] != taskA {
			t.Fatalf("closed tasks: %v", got)
		}
		if got := ids("admin", "?status=open&limit=1&offset=0"); len(got) != 1 || got[0] != taskB {
			t.Fatalf("open tasks: %v", got)
		}
		var audited int
		if err := d.QueryRow(context.Background(), `SELECT COUNT(*) FROM audit_log WHERE object_type = 'supervision_task' AND object_id = ?`,
			fmt.Sprint(taskA)).Scan(&audited); err != nil || audited != 1 {
			t.Fatalf("audit lines of the closing: %d %v", audited, err)
		}

		// The console: the county leader's home counts the open task, the
		// league page lists it with the close form; a dissuader sees the
		// list without the form.
		lead := newConsoleClient(t, f.srv.URL)
		lead.login("leader", "secret-leader")
		h := lead.get("/")
		if m := regexp.MustCompile(`id="home-supervision"><a href="/league#supervision">督办任务：待办结 <b class="red">(\d+)</b> 项，其中由您办结 <b class="red">(\d+)</b>`).FindStringSubmatch(h.body); m == nil || m[1] != "1" || m[2] != "1" {
			t.Fatalf("the leader's home: %.3000s", h.body)
		}
		l := lead.get("/league")
		if l.status != 200 || !strings.Contains(l.body, `id="supervision-tasks"`) || !strings.Contains(l.body, fmt.Sprintf(`<tr data-task="%d" `, taskB)) ||
			!strings.Contains(l.body, "劝阻成功率 75.0%（红线 80.0%）") || !strings.Contains(l.body, fmt.Sprintf(`action="/league/tasks/%d/close"`, taskB)) ||
			strings.Contains(l.body, fmt.Sprintf(`<tr data-task="%d" `, taskA)) {
			t.Fatalf("league page: %d %.5000s", l.status, l.body)
		}
		off := newConsoleClient(t, f.srv.URL)
		off.login("offB", "secret-offB")
		if o := off.get("/league"); !strings.Contains(o.body, fmt.Sprintf(`<tr data-task="%d" `, taskB)) || strings.Contains(o.body, "/league/tasks/") {
			t.Fatalf("a dissuader's league page: %.5000s", o.body)
		}
		if h := off.get("/"); strings.Contains(h.body, `id="home-supervision"`) {
			t.Fatal("a dissuader's home counts 督办 tasks")
		}
		if r := off.post(fmt.Sprintf("/league/tasks/%d/close", taskB), url.Values{"csrf_token": {off.csrf()}, "note": {"越权"}}); r.status != 403 {
			t.Fatalf("a dissuader closes by the form: %d %.500s", r.status, r.body)
		}
		if r := lead.post(fmt.Sprintf("/league/tasks/%d/close", taskB), url.Values{"csrf_token": {lead.csrf()}, "note": {"已召开整改会"}}); r.status != http.StatusSeeOther {
			t.Fatalf("the leader closes by the form: %d %.500s", r.status, r.body)
		}
		if l := lead.get("/league"); !strings.Contains(l.body, "辖区内没有待办结的督办任务") {
			t.Fatalf("league page after closing: %.5000s", l.body)
		}
		if h := lead.get("/"); !strings.Contains(h.body, `督办任务：待办结 <b>0</b> 项`) {
			t.Fatalf("the leader's home after closing: %.3000s", h.body)
		}
	})
}

// The 大屏 shows this month's 考核排名: each station with its worst colour
// (A contacted in time: green; B's warning overdue: red) and the count of
// units per colour, as the league API grades them for the same month.
func TestDashboardLeague(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		now := time.Now()
		if _, err := d.Exec(ctx, `UPDATE warnings SET contact_due_at = ?, first_contact_at = ? WHERE id = ?`,
			db.Millis(now.Add(time.Hour)), db.Millis(now), f.warningA); err != nil {
			t.Fatal(err)
		}
		ms := db.Millis(now.Add(-time.Minute))
		if _, err := d.Exec(ctx, `INSERT INTO warnings (source, source_ref, received_at, grade, person_name, person_phone,
			area_id, station_id, status, contact_due_at, created_at, updated_at) VALUES ('upper','W-B',?,'high','李四','13900007777',?,?,'open',?,?,?)`,
			ms, f.stB.ID, f.stB.ID, ms, ms, ms); err != nil {
			t.Fatal(err)
		}
		today := now.In(zone.Shanghai)
		from := time.Date(today.Year(), today.Month(), 1, 0, 0, 0, 0, zone.Shanghai).Format("2006-01-02")
		api := f.do(t, "GET", "/api/v1/figures/league?from="+from+"&to="+today.Format("2006-01-02"), "admin", "")
		if api.status != 200 {
			t.Fatalf("league: %d %s", api.status, api.body)
		}
		want := map[string]string{}
		for _, r := range api.json["rows"].([]any) {
			row := r.(map[string]any)
			want[fmt.Sprint(row["name"])] = fmt.Sprint(row["colour"])
		}
		if want["青石派出所"] != "green" || want["城关派出所"] != "red" {
			t.Fatalf("the league API grades %v, want A green and B red", want)
		}
		c := newConsoleClient(t, f.srv.URL)
		c.login("admin", "secret-admin")
		p := c.get("/dashboard")
		if p.status != 200 || !strings.Contains(p.body, `id="dash-league"`) || !strings.Contains(p.body, today.Format("2006年1月")+"（截至 ") {
			t.Fatalf("dashboard: %d %.5000s", p.status, p.body)
		}
		units := regexp.MustCompile(`<span class="unit[^"]*" data-area="\d+" data-colour="([a-z]*)" title="[^"]*">([^<]+)</span>`).FindAllStringSubmatch(p.body, -1)
		got := map[string]string{}
		for _, u := range units {
			got[u[2]] = u[1]
		}
		if len(got) != 2 || got["青石派出所"] != want["青石派出所"] || got["城关派出所"] != want["城关派出所"] || units[0][2] != "城关派出所" {
			t.Fatalf("the 大屏's units %v, want %v with the red first", units, want)
		}
		for colour, n := range map[string]string{"red": "1", "orange": "0", "yellow": "0", "green": "1"} {
			if !regexp.MustCompile(`data-colour="` + colour + `">[红橙黄绿] <b>` + n + `</b>`).MatchString(p.body) {
				t.Errorf("the 大屏 does not count %s units %s: %.3000s", n, colour, p.body)
			}
		}
		if !strings.Contains(p.body, `href="/league?from=`+from+`&amp;to=`+today.Format("2006-01-02")+`"`) {
			t.Errorf("the block does not link this month's league table")
		}
	})
}
