package server

import (
	"archive/zip"
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/db/dbtest"
	"github.com/fanzha/fanzha/internal/funds"
	"github.com/fanzha/fanzha/internal/zone"
)

// Work inside station A's case through the API: a task given, overdue in
// the assignee's list, done; a note; an attachment uploaded, refused when
// it is not a file of an allowed type, read (audited); a related warning.
// Station B's investigator gets 404 for each, and a dissuader may not write.
func TestCaseWorkAPI(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		invA := f.addUser(t, auth.NewUser{Username: "invA", Role: auth.RoleInvestigator, AreaID: f.stA.ID, Password: "secret-invA-2026"})
		f.addUser(t, auth.NewUser{Username: "invB", Role: auth.RoleInvestigator, AreaID: f.stB.ID, Password: "secret-invB-2026"})
		c := "/api/v1/cases/" + itoa(f.caseA)
		want := func(a answer, status int, what string) answer {
			t.Helper()
			if a.status != status {
				t.Fatalf("%s: %d, want %d: %.300s", what, a.status, status, a.body)
			}
			return a
		}
		home := func(user string) string {
			t.Helper()
			cl := newConsoleClient(t, f.srv.URL)
			cl.login(user, "secret-"+user+"-2026")
			pg := cl.get("/")
			if pg.status != 200 {
				t.Fatalf("%s home: %d", user, pg.status)
			}
			return pg.body
		}

		// Tasks.
		today := time.Now().In(zone.Shanghai).Format("2006-01-02")
		body := `{"title":"调取监控","assignee_id":` + itoa(invA) + `,"due_at":"` + today + `"}`
		want(f.do(t, "POST", c+"/tasks", "offA", body), 403, "a dissuader gives a task")
		want(f.do(t, "POST", c+"/tasks", "invB", body), 404, "station B gives a task on A's case")
		tid := int64(want(f.do(t, "POST", c+"/tasks", "invA", body), 201, "give a task").json["id"].(float64))
		if l := want(f.do(t, "GET", "/api/v1/tasks/overdue", "invA", ""), 200, "overdue").json["tasks"].([]any); len(l) != 0 {
			t.Fatalf("a task due at the end of today is overdue: %v", l)
		}
		// A day later, the task is overdue.
		if _, err := d.Exec(context.Background(), `UPDATE case_tasks SET due_at = ? WHERE id = ?`, db.Millis(time.Now().Add(-time.Hour)), tid); err != nil {
			t.Fatal(err)
		}
		tasks := want(f.do(t, "GET", c+"/tasks", "invA", ""), 200, "tasks").json["tasks"].([]any)
		if len(tasks) != 1 || tasks[0].(map[string]any)["title"] != "调取监控" || tasks[0].(map[string]any)["overdue"] != true {
			t.Fatalf("the task past its due time is not shown overdue: %v", tasks)
		}
		if l := want(f.do(t, "GET", "/api/v1/tasks/overdue", "invA", ""), 200, "overdue").json["tasks"].([]any); len(l) != 1 {
			t.Fatalf("the assignee's overdue list: %v", l)
		}
		if l := want(f.do(t, "GET", "/api/v1/tasks/overdue", "invB", ""), 200, "overdue B").json["tasks"].([]any); len(l) != 0 {
			t.Fatalf("station B sees A's overdue task: %v", l)
		}
		if h := home("invA"); !strings.Contains(h, "我的逾期任务") || !strings.Contains(h, "调取监控") || !strings.Contains(h, "AJ-1") {
			t.Fatal("the assignee's home page does not list the overdue task")
		}
		if h := home("invB"); strings.Contains(h, "调取监控") {
			t.Fatal("station B's home page shows A's task")
		}
		want(f.do(t, "GET", c+"/tasks", "invB", ""), 404, "station B reads A's tasks")
		want(f.do(t, "POST", c+"/tasks/"+itoa(tid), "invB", `{"done":true}`), 404, "station B closes A's task")
		want(f.do(t, "POST", c+"/tasks/"+itoa(tid), "invA", `{"done":true}`), 200, "done")
		if l := want(f.do(t, "GET", "/api/v1/tasks/overdue", "invA", ""), 200, "overdue").json["tasks"].([]any); len(l) != 0 {
			t.Fatalf("a done task is still overdue: %v", l)
		}
		if h := home("invA"); strings.Contains(h, "我的逾期任务") {
			t.Fatal("a done task stays on the home page")
		}

		// Notes.
		want(f.do(t, "POST", c+"/notes", "invA", `{"body":"嫌疑人常在车站出没"}`), 201, "note")
		if a := want(f.do(t, "GET", c+"/notes", "invA", ""), 200, "notes"); !strings.Contains(a.body, "嫌疑人常在车站出没") {
			t.Fatalf("the note is not listed: %s", a.body)
		}
		want(f.do(t, "GET", c+"/notes", "invB", ""), 404, "station B reads A's notes")
		want(f.do(t, "POST", c+"/notes", "invB", `{"body":"x"}`), 404, "station B writes on A's case")

		// Attachments.
		pdf := "%PDF-1.4\n笔录\n%%EOF\n"
		a := want(f.do(t, "POST", c+"/attachments?name=%E7%AC%94%E5%BD%95.pdf", "invA", pdf), 201, "upload")
		if a.json["content_type"] != "application/pdf" || a.json["name"] != "笔录.pdf" {
			t.Fatalf("upload answer: %s", a.body)
		}
		aid := int64(a.json["id"].(float64))
		if a := want(f.do(t, "POST", c+"/attachments?name=x.pdf", "invA", "not a file"), 400, "junk upload"); !strings.Contains(a.body, "不是 JPEG、PNG、WebP 图片或 PDF 文件") {
			t.Fatalf("junk refused without saying why: %s", a.body)
		}
		if l := want(f.do(t, "GET", c+"/attachments", "invA", ""), 200, "attachments").json["attachments"].([]any); len(l) != 1 {
			t.Fatalf("attachments: %v", l)
		}
		if a := want(f.do(t, "GET", c+"/attachments/"+itoa(aid), "invA", ""), 200, "read"); a.body != pdf {
			t.Fatalf("read back %q, want %q", a.body, pdf)
		}
		var reads int
		if err := d.QueryRow(context.Background(), `SELECT COUNT(*) FROM audit_log WHERE action = 'view' AND object_type = 'case_attachment' AND object_id = ? AND username = 'invA'`, itoa(aid)).Scan(&reads); err != nil || reads != 1 {
			t.Fatalf("attachment reads audited: %d %v, want 1", reads, err)
		}
		want(f.do(t, "GET", c+"/attachments/"+itoa(aid), "invB", ""), 404, "station B reads A's attachment")
		want(f.do(t, "GET", c+"/attachments", "invB", ""), 404, "station B lists A's attachments")
		big := bytes.Repeat([]byte{'x'}, 12<<20)
		req, _ := http.NewRequest("POST", f.srv.URL+c+"/attachments?name=big.pdf", bytes.NewReader(big))
		if a := f.send(t, req, "invA"); a.status != http.StatusRequestEntityTooLarge || !strings.Contains(a.body, "文件过大") {
			t.Fatalf("12 MB upload: %d %.200s, want 413", a.status, a.body)
		}

		// Links.
		link := `{"kind":"warning","warning_id":` + itoa(f.warningA) + `}`
		want(f.do(t, "POST", c+"/links", "invA", link), 201, "link")
		want(f.do(t, "POST", c+"/links", "invA", link), 409, "the same link twice")
		if l := want(f.do(t, "GET", c+"/links", "invA", ""), 200, "links").json["links"].([]any); len(l) != 1 {
			t.Fatalf("links: %v", l)
		}
		want(f.do(t, "GET", c+"/links", "invB", ""), 404, "station B reads A's links")
	})
}

// Series, campaigns and the case file through the API: station A merges a
// second case into caseA and takes it out again (history kept); a 集群战役
// of station A holds caseA and shows its progress; the case file is a
// workbook, masked unless unmasked. Station B gets 404 for each.
func TestCaseSeriesCampaignFileAPI(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		f.addUser(t, auth.NewUser{Username: "invA", Role: auth.RoleInvestigator, AreaID: f.stA.ID})
		f.addUser(t, auth.NewUser{Username: "invB", Role: auth.RoleInvestigator, AreaID: f.stB.ID})
		c := "/api/v1/cases/" + itoa(f.caseA)
		want := func(a answer, status int, what string) answer {
			t.Helper()
			if a.status != status {
				t.Fatalf("%s: %d, want %d: %.300s", what, a.status, status, a.body)
			}
			return a
		}
		at := time.Now().Add(-time.Hour)
		second, _, err := funds.CreateCase(context.Background(), d, funds.NewCase{AreaID: f.stA.ID, StationID: f.stA.ID, FraudType: "police", ReportedAt: at,
			Victims: []funds.NewVictim{{Name: "李四", Transfers: []funds.NewTransfer{{At: at, FromAccount: "6222000011112222", ToAccount: "6222000033334444", AmountFen: 50_000}}}}}, at)
		if err != nil {
			t.Fatal(err)
		}

		// Series.
		merge := `{"case_ids":[` + itoa(second) + `],"reason":"同一团伙"}`
		want(f.do(t, "POST", c+"/series", "invB", merge), 404, "station B merges A's cases")
		s := want(f.do(t, "POST", c+"/series", "invA", merge), 200, "merge").json
		if m := s["members"].([]any); len(m) != 1 || s["cases"].(float64) != 2 {
			t.Fatalf("after merge: %v", s)
		}
		if s := want(f.do(t, "GET", "/api/v1/cases/"+itoa(second)+"/series", "invA", ""), 200, "series of the child").json; int64(s["parent_id"].(float64)) != f.caseA {
			t.Fatalf("the child's series names no parent: %v", s)
		}
		want(f.do(t, "GET", c+"/series", "invB", ""), 404, "station B reads A's series")
		want(f.do(t, "DELETE", c+"/series/"+itoa(second), "invB", ""), 404, "station B un-merges")
		want(f.do(t, "DELETE", c+"/series/"+itoa(f.caseA), "invA", ""), 404, "the parent is not its own member")
		s = want(f.do(t, "DELETE", c+"/series/"+itoa(second)+"?note=%E8%AF%AF%E5%B9%B6", "invA", ""), 200, "un-merge").json
		if len(s["members"].([]any)) != 0 || len(s["history"].([]any)) != 1 {
			t.Fatalf("after un-merge the history keeps the case: %v", s)
		}

		// Campaigns.
		camp := `{"kind":"cluster","name":"断卡集群战役","area_id":` + itoa(f.stA.ID) + `}`
		want(f.do(t, "POST", "/api/v1/campaigns", "offA", camp), 403, "a dissuader sets up a campaign")
		want(f.do(t, "POST", "/api/v1/campaigns", "invB", camp), 404, "station B sets up a campaign in A")
		id := itoa(int64(want(f.do(t, "POST", "/api/v1/campaigns", "invA", camp), 201, "campaign").json["id"].(float64)))
		want(f.do(t, "POST", "/api/v1/campaigns/"+id+"/cases", "invB", `{"case_id":`+itoa(f.caseA)+`}`), 404, "station B tags")
		p := want(f.do(t, "POST", "/api/v1/campaigns/"+id+"/cases", "invA", `{"case_id":`+itoa(f.caseA)+`}`), 200, "tag").json
		if len(p["cases"].([]any)) != 1 {
			t.Fatalf("the campaign's progress lists no case: %v", p)
		}
		if a := want(f.do(t, "GET", "/api/v1/campaigns", "invA", ""), 200, "campaigns"); !strings.Contains(a.body, "断卡集群战役") || !strings.Contains(a.body, "集群战役") {
			t.Fatalf("campaigns: %s", a.body)
		}
		if a := want(f.do(t, "GET", "/api/v1/campaigns", "invB", ""), 200, "campaigns B"); strings.Contains(a.body, "断卡集群战役") {
			t.Fatalf("station B sees A's campaign: %s", a.body)
		}
		want(f.do(t, "GET", "/api/v1/campaigns/"+id, "invB", ""), 404, "station B reads A's campaign")

		// The case file.
		xlsx := func(user, q string) (answer, string) {
			t.Helper()
			a := f.do(t, "GET", c+"/file.xlsx"+q, user, "")
			if a.status != 200 {
				return a, ""
			}
			zr, err := zip.NewReader(strings.NewReader(a.body), int64(len(a.body)))
			if err != nil {
				t.Fatalf("the case file is not a workbook: %v", err)
			}
			var b strings.Builder
			for _, zf := range zr.File {
				rc, _ := zf.Open()
				_, _ = io.Copy(&b, rc)
				rc.Close()
			}
			return a, b.String()
		}
		if a, text := xlsx("invA", ""); a.status != 200 {
			t.Fatalf("case file: %d %.300s", a.status, a.body)
		} else if !strings.Contains(text, "卷宗目录") || strings.Contains(text, phoneA) || strings.Contains(text, idA) {
			t.Fatalf("masked case file: has 卷宗目录 %v, shows the phone %v, the ID number %v",
				strings.Contains(text, "卷宗目录"), strings.Contains(text, phoneA), strings.Contains(text, idA))
		}
		if _, text := xlsx("invA", "?unmask=1"); !strings.Contains(text, phoneA) {
			t.Fatal("the unmasked case file does not show the victim's phone")
		}
		var n int
		if err := d.QueryRow(context.Background(), `SELECT COUNT(*) FROM audit_log WHERE action = 'export' AND object_type = 'case' AND object_id = ? AND username = 'invA'`, itoa(f.caseA)).Scan(&n); err != nil || n != 2 {
			t.Fatalf("case file exports audited: %d %v, want 2", n, err)
		}
		if a, _ := xlsx("invB", ""); a.status != 404 {
			t.Fatalf("station B exports A's case file: %d", a.status)
		}
	})
}
