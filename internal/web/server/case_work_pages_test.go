package server

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/db/dbtest"
	"github.com/fanzha/fanzha/internal/zone"
)

// casePages are two signed-in officers and helpers for the case page.
type casePages struct {
	t *testing.T
	f *freezeFixture
}

func (cp casePages) post(c *consoleClient, path string, form url.Values) pageAnswer {
	cp.t.Helper()
	form.Set("csrf_token", c.csrf())
	return c.post(path, form)
}

// ok posts a form that must be taken (a redirect back to the page).
func (cp casePages) ok(c *consoleClient, what, path string, form url.Values) {
	cp.t.Helper()
	if a := cp.post(c, path, form); a.status != 303 {
		cp.t.Fatalf("%s: %d %s", what, a.status, mainText(a.body))
	}
}

// refused posts a form that must be refused with status, saying words.
func (cp casePages) refused(c *consoleClient, what, path string, form url.Values, status int, words string) {
	cp.t.Helper()
	if a := cp.post(c, path, form); a.status != status || !strings.Contains(a.body, words) {
		cp.t.Fatalf("%s: %d, want %d saying %q: %.800s", what, a.status, status, words, a.body)
	}
}

func (cp casePages) page(c *consoleClient, path string) string {
	cp.t.Helper()
	pg := c.get(path)
	checkHTML(cp.t, path, pg)
	if pg.status != 200 {
		cp.t.Fatalf("%s: %d %.500s", path, pg.status, pg.body)
	}
	return pg.body
}

// section is the part of a page from the element with id to the next <h2>.
func section(body, id string) string {
	i := strings.Index(body, `id="`+id+`"`)
	if i < 0 {
		return ""
	}
	rest := body[i:]
	if j := strings.Index(rest[1:], "<h2"); j >= 0 {
		return rest[:j+1]
	}
	return rest
}

// mainText is the page's <main>, for failure messages.
func mainText(body string) string {
	if i := strings.Index(body, "<main>"); i >= 0 {
		body = body[i:]
	}
	return body[:min(len(body), 800)]
}

func tinyPNG(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 4, 4))
	img.Set(1, 1, color.RGBA{200, 30, 30, 255})
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// The case page's work panels as station A's investigator uses them: a task
// given to an investigator of the case, overdue in red, done and reopened;
// a note whose numbers are masked; an attachment uploaded within the
// limits, refused when it is not an image or PDF, and its download
// audited; a related warning and intel group; two cases merged into this
// one by number with the losses rolled up, and un-merged with a reason;
// a campaign set up by the leader, a case tagged into it and counted on
// 战役督办; the dissuader sees the panels but no forms and may not post.
func TestCaseWorkPages(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := newFreezeFixture(t, d)
		cp := casePages{t, f}
		inv := newConsoleClient(t, f.srv.URL)
		inv.login("invA", "secret-invA")
		caseURL := "/cases/" + itoa(f.caseA)
		var invID int64
		if err := d.QueryRow(ctx, `SELECT id FROM users WHERE username = 'invA'`).Scan(&invID); err != nil {
			t.Fatal(err)
		}

		body := cp.page(inv, caseURL)
		for _, want := range []string{`id="task-form"`, `id="note-form"`, `id="attachment-form"`, `id="link-form"`, `id="merge-form"`,
			"暂无任务", "暂无笔记", "暂无附件", "本案未串并", "未列入集群战役或督办", `href="/cases/` + itoa(f.caseA) + `/summary"`, "打印卷宗", "导出卷宗（Excel）"} {
			if !strings.Contains(body, want) {
				t.Errorf("a new case's work panels lack %q", want)
			}
		}
		if !strings.Contains(section(body, "task-form"), `<option value="`+itoa(invID)+`"`) {
			t.Errorf("the task form does not offer the station's investigator: %.1500s", section(body, "task-form"))
		}

		// Tasks.
		today := time.Now().In(zone.Shanghai).Format("2006-01-02")
		cp.refused(inv, "task due in the past", caseURL+"/tasks", url.Values{"title": {"调取流水"}, "assignee_id": {itoa(invID)},
			"due": {time.Now().AddDate(0, 0, -10).Format("2006-01-02")}}, 400, "截止时间不能早于今天")
		cp.refused(inv, "task without a due date", caseURL+"/tasks", url.Values{"title": {"调取流水"}, "assignee_id": {itoa(invID)}}, 422, "截止日期")
		cp.ok(inv, "task", caseURL+"/tasks", url.Values{"title": {"调取收款账户流水"}, "assignee_id": {itoa(invID)}, "due": {today}})
		tasks := section(cp.page(inv, caseURL), "case-tasks")
		if !strings.Contains(tasks, "调取收款账户流水") || !strings.Contains(tasks, "进行中") || strings.Contains(tasks, "overdue") {
			t.Fatalf("the new task: %.1500s", tasks)
		}
		var tid int64
		if err := d.QueryRow(ctx, `SELECT id FROM case_tasks WHERE case_id = ?`, f.caseA).Scan(&tid); err != nil {
			t.Fatal(err)
		}
		if _, err := d.Exec(ctx, `UPDATE case_tasks SET due_at = ? WHERE id = ?`, db.Millis(time.Now().Add(-72*time.Hour)), tid); err != nil {
			t.Fatal(err)
		}
		tasks = section(cp.page(inv, caseURL), "case-tasks")
		if !strings.Contains(tasks, `class="overdue"`) || !strings.Contains(tasks, `<span class="red">已逾期</span>`) {
			t.Fatalf("an overdue task is not red: %.1500s", tasks)
		}
		cp.ok(inv, "task done", caseURL+"/tasks/"+itoa(tid), url.Values{"done": {"1"}})
		if tasks = section(cp.page(inv, caseURL), "case-tasks"); !strings.Contains(tasks, "已完成") || !strings.Contains(tasks, "重新打开") {
			t.Fatalf("the done task: %.1500s", tasks)
		}
		cp.ok(inv, "task reopened", caseURL+"/tasks/"+itoa(tid), url.Values{"done": {"0"}})
		if tasks = section(cp.page(inv, caseURL), "case-tasks"); !strings.Contains(tasks, "已逾期") {
			t.Fatalf("the reopened task: %.1500s", tasks)
		}
		cp.refused(inv, "another case's task", "/cases/"+itoa(f.caseF)+"/tasks/"+itoa(tid), url.Values{"done": {"1"}}, 404, "没有任务")

		// Notes: numbers masked like the page.
		cp.ok(inv, "note", caseURL+"/notes", url.Values{"body": {"嫌疑人用 13912340000 联系受害人"}})
		notes := section(cp.page(inv, caseURL), "case-notes")
		if !strings.Contains(notes, "139****0000") || strings.Contains(notes, "13912340000") {
			t.Fatalf("the note, masked: %.1000s", notes)
		}
		cp.refused(inv, "empty note", caseURL+"/notes", url.Values{"body": {" "}}, 400, "笔记")

		// Attachments.
		if a := inv.upload(caseURL+"/attachments", inv.csrf(), "转账截图.png", tinyPNG(t), nil); a.status != 303 {
			t.Fatalf("upload: %d %.500s", a.status, a.body)
		}
		if a := inv.upload(caseURL+"/attachments", inv.csrf(), "说明.txt", []byte("plain text"), nil); a.status != 400 && a.status != 422 {
			t.Fatalf("a text file: %d %.500s", a.status, a.body)
		}
		files := section(cp.page(inv, caseURL), "case-attachments")
		m := regexp.MustCompile(`href="(/api/v1/cases/\d+/attachments/(\d+))"`).FindStringSubmatch(files)
		if m == nil || !strings.Contains(files, "转账截图.png") || !strings.Contains(files, "image/png") || strings.Contains(files, "说明.txt") {
			t.Fatalf("the attachment list: %.1500s", files)
		}
		if a := inv.get(m[1]); a.status != 200 || !strings.HasPrefix(a.body, "\x89PNG") {
			t.Fatalf("download: %d", a.status)
		}
		if n := countRows(t, d, `SELECT COUNT(*) FROM audit_log WHERE action = 'view' AND object_type = 'case_attachment' AND object_id = ?`, m[2]); n != 1 {
			t.Fatalf("the download is audited %d times, want 1", n)
		}

		// Links.
		cp.ok(inv, "link a warning", caseURL+"/links", url.Values{"kind": {"warning"}, "ref": {itoa(f.warningA)}, "note": {"同一受害人"}})
		cp.refused(inv, "the same warning again", caseURL+"/links", url.Values{"kind": {"warning"}, "ref": {itoa(f.warningA)}}, 409, "本案已关联该预警")
		cp.ok(inv, "link a group", caseURL+"/links", url.Values{"kind": {"intel_group"}, "ref": {"phone:13700001234"}})
		links := section(cp.page(inv, caseURL), "case-links")
		for _, want := range []string{`href="/warnings/` + itoa(f.warningA) + `"`, "同一受害人", "研判团伙", "phone:137****1234"} {
			if !strings.Contains(links, want) {
				t.Errorf("links lack %q: %.1500s", want, links)
			}
		}
		if strings.Contains(links, "13700001234") {
			t.Errorf("an intel group's phone in full on a masked page")
		}

		// 串并案: caseF (300,000 + 100,000 fen) into AJ-1 (100 fen).
		var noF string
		if err := d.QueryRow(ctx, `SELECT case_no FROM cases WHERE id = ?`, f.caseF).Scan(&noF); err != nil {
			t.Fatal(err)
		}
		cp.refused(inv, "merge an unknown number", caseURL+"/series", url.Values{"case_nos": {"AJ-404"}, "reason": {"同一收款账户"}}, 400, "案件编号 AJ-404 不存在或不在本辖区")
		cp.refused(inv, "merge without reason", caseURL+"/series", url.Values{"case_nos": {noF}}, 400, "串并理由")
		cp.ok(inv, "merge", caseURL+"/series", url.Values{"case_nos": {noF}, "reason": {"同一收款账户"}})
		series := section(cp.page(inv, caseURL), "case-series")
		for _, want := range []string{`id="series-cases">2<`, `id="series-loss">4,001.00<`, noF, "同一收款账户", `class="inline unmerge-form"`} {
			if !strings.Contains(series, want) {
				t.Errorf("the series lacks %q: %.2000s", want, series)
			}
		}
		if member := section(cp.page(inv, "/cases/"+itoa(f.caseF)), "case-series"); !strings.Contains(member, `<a href="/cases/`+itoa(f.caseA)+`">AJ-1</a>`) ||
			strings.Contains(member, `id="merge-form"`) {
			t.Errorf("the member's page does not lead to its parent: %.1500s", member)
		}
		unmerge := caseURL + "/series/" + itoa(f.caseF) + "/unmerge"
		cp.refused(inv, "un-merge without a reason", unmerge, url.Values{}, 400, "撤销串并的理由")
		cp.ok(inv, "un-merge", unmerge, url.Values{"note": {"经核实非同一团伙"}})
		series = section(cp.page(inv, caseURL), "case-series")
		if !strings.Contains(series, "已撤销的串并") || !strings.Contains(series, "经核实非同一团伙") || strings.Contains(series, `id="series-cases"`) {
			t.Errorf("after un-merging: %.2000s", series)
		}

		// Campaigns: set up by the leader at the county, the case tagged
		// by its investigator, counted on the list and its page.
		lead := newConsoleClient(t, f.srv.URL)
		lead.login("leader", "secret-leader")
		if l := cp.page(lead, "/campaigns"); !strings.Contains(l, "尚无集群战役或督办") || !strings.Contains(l, `id="campaign-new"`) ||
			!strings.Contains(l, `href="/campaigns"`) {
			t.Fatalf("the empty campaign list: %.2000s", l)
		}
		a := cp.post(lead, "/campaigns", url.Values{"kind": {"cluster"}, "name": {"断卡集群战役"}, "area_id": {itoa(f.root.ID)}})
		if a.status != 303 || !strings.HasPrefix(a.location, "/campaigns/") {
			t.Fatalf("set up a campaign: %d %s %.500s", a.status, a.location, a.body)
		}
		campID := regexp.MustCompile(`^/campaigns/(\d+)`).FindStringSubmatch(a.location)[1]
		campURL := "/campaigns/" + campID
		cp.refused(lead, "a campaign without a name", "/campaigns", url.Values{"kind": {"ministry"}, "area_id": {itoa(f.root.ID)}}, 400, "战役名称不能为空")
		if b := section(cp.page(inv, caseURL), "campaign-form"); !strings.Contains(b, "集群战役：断卡集群战役") {
			t.Fatalf("the case page does not offer the campaign: %.1000s", b)
		}
		cp.ok(inv, "tag the case", caseURL+"/campaigns", url.Values{"campaign_id": {campID}})
		if b := cp.page(inv, caseURL); !strings.Contains(section(b, "case-campaigns"), `<a href="/campaigns/`+campID+`">断卡集群战役</a>`) {
			t.Fatalf("the case's campaigns: %.1000s", section(b, "case-campaigns"))
		}
		list := section(cp.page(lead, "/campaigns"), "campaign-list")
		if !strings.Contains(list, "断卡集群战役") || !strings.Contains(list, `<td class="num">1</td>`) || !strings.Contains(list, "集群战役") {
			t.Fatalf("the campaign list: %.2000s", list)
		}
		if b := cp.page(lead, campURL); !strings.Contains(b, "AJ-1") || !strings.Contains(b, "接报 1 起") {
			t.Fatalf("the campaign page: %.2000s", b)
		}
		invB := newConsoleClient(t, f.srv.URL)
		invB.login("invB", "secret-invB")
		if b := cp.page(invB, campURL); strings.Contains(b, "AJ-1") || !strings.Contains(b, "本辖区尚无案件列入") {
			t.Fatalf("station B sees station A's case in the campaign: %.2000s", b)
		}
		cp.ok(inv, "untag the case", caseURL+"/campaigns", url.Values{"campaign_id": {campID}, "remove": {"1"}})
		if b := cp.page(inv, caseURL); !strings.Contains(b, "未列入集群战役或督办") {
			t.Fatalf("the case is still in the campaign")
		}

		// The dissuader reads the panels without forms and may not post.
		off := newConsoleClient(t, f.srv.URL)
		off.login("offA", "secret-offA")
		b := cp.page(off, caseURL)
		if !strings.Contains(b, "调取收款账户流水") || strings.Contains(b, `id="task-form"`) || strings.Contains(b, `id="note-form"`) ||
			strings.Contains(b, `class="inline task-done"`) {
			t.Fatalf("the dissuader's case page: %.2000s", section(b, "tasks"))
		}
		cp.refused(off, "a dissuader's note", caseURL+"/notes", url.Values{"body": {"x"}}, 403, "无权")
	})
}

// The printable case summary: a page of its own (no navigation) with A4
// print CSS, the 卷宗目录 and every part, numbers masked, the print audited
// as an export; ?unmask=true shows the numbers to a role that may see them
// and is audited, and is refused to one that may not; another station's
// case is not found.
func TestCaseSummaryPage(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFreezeFixture(t, d)
		cp := casePages{t, f}
		inv := newConsoleClient(t, f.srv.URL)
		inv.login("invA", "secret-invA")
		caseURL := "/cases/" + itoa(f.caseA)
		cp.ok(inv, "受理", caseURL+"/steps", url.Values{"action": {"accept"}, "doc_no": {"受案登记 88 号"}})
		cp.ok(inv, "suspect", caseURL+"/suspects", url.Values{"name": {"邝德胜"}, "id_number": {"430102199001011234"}, "phone": {"13500417762"}, "role": {"mule"}})
		var sid int64
		if err := d.QueryRow(context.Background(), `SELECT id FROM suspects WHERE name = '邝德胜'`).Scan(&sid); err != nil {
			t.Fatal(err)
		}
		cp.ok(inv, "抓获", caseURL+"/suspects/"+itoa(sid)+"/dispositions", url.Values{"kind": {"caught"}, "unit": {"青石派出所"}, "place": {"汽车站"}})

		s := cp.page(inv, caseURL+"/summary")
		for _, want := range []string{"@page { size: A4", "案件卷宗 AJ-1", `id="summary-toc"`, "卷宗目录", "一、当事人", "二、被骗转账", "三、资金追查",
			"四、止付/冻结/协查请求及答复", "五、处置情况", "六、办案流程", "七、时间线", "王秀英", "邝德胜", "取款人", "抓获", "青石派出所", "汽车站",
			"受理", "受案登记 88 号", "个人号码已脱敏", "135****7762", `id="print-button"`, `href="/cases/` + itoa(f.caseA) + `"`} {
			if !strings.Contains(s, want) {
				t.Errorf("the summary lacks %q", want)
			}
		}
		for _, leak := range []string{phoneA, idA, "13500417762", "430102199001011234", `<nav`, `id="nav"`} {
			if strings.Contains(s, leak) {
				t.Errorf("the masked summary shows %q", leak)
			}
		}
		if n := countRows(t, d, `SELECT COUNT(*) FROM audit_log WHERE action = 'export' AND object_type = 'case' AND object_id = ? AND detail LIKE 'case summary%'`, itoa(f.caseA)); n != 1 {
			t.Errorf("the print is audited %d times, want 1", n)
		}
		s = cp.page(inv, caseURL+"/summary?unmask=true")
		if !strings.Contains(s, phoneA) || !strings.Contains(s, "13500417762") || strings.Contains(s, "个人号码已脱敏") {
			t.Errorf("the unmasked summary hides the numbers")
		}
		if n := countRows(t, d, `SELECT COUNT(*) FROM audit_log WHERE action = 'unmask' AND object_type = 'case' AND object_id = ?`, itoa(f.caseA)); n != 1 {
			t.Errorf("the unmasked print is audited %d times as unmask, want 1", n)
		}
		lead := newConsoleClient(t, f.srv.URL)
		lead.login("leader", "secret-leader")
		if a := lead.get(caseURL + "/summary?unmask=true"); a.status != 403 {
			t.Errorf("a leader's unmasked print: %d, want 403", a.status)
		}
		if a := lead.get(caseURL + "/summary"); a.status != 200 || strings.Contains(a.body, "summary-unmask") {
			t.Errorf("a leader's print: %d, offers unmasking: %v", a.status, strings.Contains(a.body, "summary-unmask"))
		}
		invB := newConsoleClient(t, f.srv.URL)
		invB.login("invB", "secret-invB")
		if a := invB.get(caseURL + "/summary"); a.status != 404 || strings.Contains(a.body, "王秀英") {
			t.Errorf("station B prints station A's case: %d", a.status)
		}
	})
}

// The 大屏 shows this year's 打击战果 of the caller's node, and a case
// solved with a suspect caught today counts once in 破案 and 抓获.
func TestDashboardStrike(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFreezeFixture(t, d)
		cp := casePages{t, f}
		lead := newConsoleClient(t, f.srv.URL)
		lead.login("leader", "secret-leader")
		counter := func(key string) string {
			t.Helper()
			b := section(cp.page(lead, "/dashboard"), "dash-strike")
			m := regexp.MustCompile(`data-k="` + key + `"><div class="k">[^<]*</div><div class="v">([^<]*)</div>`).FindStringSubmatch(b)
			if m == nil {
				t.Fatalf("no %s counter on the 大屏: %.2000s", key, b)
			}
			return m[1]
		}
		b := cp.page(lead, "/dashboard")
		year := time.Now().In(zone.Shanghai).Format("2006")
		for _, want := range []string{year + " 年打击战果", "破案（起）", "刑事打击（人）", "行政处理（人）", "抓获（人）", "打掉团伙（个）", "止付（万元）", "冻结（万元）", "返还（万元）"} {
			if !strings.Contains(b, want) {
				t.Errorf("the 大屏 lacks %q", want)
			}
		}
		if counter("solved") != "0" || counter("caught") != "0" {
			t.Fatalf("a county without cases solved: 破案 %s, 抓获 %s", counter("solved"), counter("caught"))
		}
		inv := newConsoleClient(t, f.srv.URL)
		inv.login("invA", "secret-invA")
		caseURL := "/cases/" + itoa(f.caseA)
		cp.ok(inv, "受理", caseURL+"/steps", url.Values{"action": {"accept"}})
		cp.ok(inv, "立案", caseURL+"/steps", url.Values{"action": {"file"}, "doc_no": {"青公立字〔2026〕12号"}})
		cp.ok(lead, "approve 立案", caseURL+"/steps/decision", url.Values{"approve": {"1"}})
		cp.ok(inv, "侦查", caseURL+"/steps", url.Values{"action": {"investigate"}})
		cp.ok(inv, "suspect", caseURL+"/suspects", url.Values{"name": {"邝德胜"}, "role": {"mule"}})
		var sid int64
		if err := d.QueryRow(context.Background(), `SELECT id FROM suspects WHERE name = '邝德胜'`).Scan(&sid); err != nil {
			t.Fatal(err)
		}
		cp.ok(inv, "抓获", caseURL+"/suspects/"+itoa(sid)+"/dispositions", url.Values{"kind": {"caught"}, "unit": {"青石派出所"}, "place": {"汽车站"}})
		cp.ok(inv, "刑事拘留", caseURL+"/suspects/"+itoa(sid)+"/dispositions", url.Values{"kind": {"detained"}})
		cp.ok(inv, "破案", caseURL+"/steps", url.Values{"action": {"solve"}})
		if counter("solved") != "1" || counter("caught") != "1" || counter("criminal") != "1" || counter("administrative") != "0" {
			t.Fatalf("after 破案: 破案 %s, 抓获 %s, 刑事打击 %s", counter("solved"), counter("caught"), counter("criminal"))
		}
		offB := newConsoleClient(t, f.srv.URL)
		offB.login("offB", "secret-offB")
		if b := section(cp.page(offB, "/dashboard"), "dash-strike"); !strings.Contains(b, `data-k="solved"><div class="k">破案（起）</div><div class="v">0<`) {
			t.Fatalf("station B's 大屏 counts station A's case: %.1500s", b)
		}
	})
}

func countRows(t *testing.T, d *db.DB, q string, args ...any) int {
	t.Helper()
	var n int
	if err := d.QueryRow(context.Background(), q, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
