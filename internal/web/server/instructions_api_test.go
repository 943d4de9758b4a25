package server

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/db/dbtest"
	"github.com/fanzha/fanzha/internal/dissuade"
	"github.com/fanzha/fanzha/internal/instruction"
	"github.com/fanzha/fanzha/internal/zone"
)

// The doors of issue 24 (指令闭环, 劝阻质量, 96110, 考核排名): what an officer,
// the duty desk and a leader see through the API, on both engines.

// upload posts a file as multipart field "file" to path as user.
func (f *fixture) upload(t *testing.T, user, path, name string, data []byte) answer {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	w, _ := mw.CreateFormFile("file", name)
	_, _ = w.Write(data)
	_ = mw.Close()
	req, _ := http.NewRequest("POST", f.srv.URL+path, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return f.send(t, req, user)
}

// userID is the id of a fixture user.
func (f *fixture) userID(t *testing.T, name string) int64 {
	t.Helper()
	var id int64
	if err := f.d.QueryRow(context.Background(), `SELECT id FROM users WHERE username = ?`, name).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

// pendingTotal is the length of the 待反馈 queue user sees.
func (f *fixture) pendingTotal(t *testing.T, user string) (int, []any) {
	t.Helper()
	a := f.do(t, "GET", "/api/v1/instructions/pending", user, "")
	if a.status != 200 {
		t.Fatalf("pending: %d %s", a.status, a.body)
	}
	items, _ := a.json["items"].([]any)
	return int(a.json["total"].(float64)), items
}

// An instruction file is imported (a bad row reported in Chinese), signed
// by hand, worked, and exported as the feedback file: the file reads back
// on the issuer's side with the result, the 待反馈 queue shrinks, and a
// second export sends nothing new.
func TestInstructionFeedbackRoundTrip(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		if _, err := d.Exec(context.Background(), `INSERT INTO settings (key, value, updated_at) VALUES (?, 'false', 0)`, instruction.AutoSignSetting); err != nil {
			t.Fatal(err)
		}
		csv := "指令编号,下发级别,下发单位,姓名,手机号,地址,预警等级,简要情况\n" +
			"省反诈指20261206001,省厅,省厅反诈中心,柴春生,13877712345,云溪县青石镇,high,冒充客服\n" +
			"X-2,火星,某单位,某人,13877712346,云溪县,high,x\n"
		a := f.upload(t, "admin", "/api/v1/instructions/import", "指令.csv", []byte(csv))
		if a.status != 200 || a.json["registered"] != float64(1) {
			t.Fatalf("import: %d %s", a.status, a.body)
		}
		errs, _ := a.json["errors"].([]any)
		if len(errs) != 1 || !strings.Contains(fmt.Sprint(errs[0]), "下发级别") {
			t.Fatalf("the bad row is reported in Chinese: %s", a.body)
		}
		total, items := f.pendingTotal(t, "admin")
		if total != 1 {
			t.Fatalf("pending after import: %d %v", total, items)
		}
		it := items[0].(map[string]any)
		wid := int64(it["warning_id"].(float64))
		if it["number"] != "省反诈指20261206001" || it["level_name"] != "省" || it["overdue"] != false || it["left"].(float64) <= 0 {
			t.Fatalf("pending row: %v", it)
		}
		// The province's default deadlines: 30 minutes to sign, 24 hours to report.
		in := f.do(t, "GET", fmt.Sprintf("/api/v1/warnings/%d/instruction", wid), "admin", "")
		var info instruction.Info
		if err := json.Unmarshal([]byte(in.body), &info); err != nil || in.status != 200 {
			t.Fatalf("instruction: %d %s", in.status, in.body)
		}
		if info.SignDueAt.Sub(info.ReceivedAt) != 30*time.Minute || info.FeedbackDueAt.Sub(info.ReceivedAt) != 24*time.Hour || !info.SignedAt.IsZero() {
			t.Fatalf("deadlines: %+v", info)
		}
		if a := f.do(t, "GET", fmt.Sprintf("/api/v1/warnings/%d/instruction", f.warningA), "admin", ""); a.status != 404 {
			t.Fatalf("a warning that came as no instruction: %d %s", a.status, a.body)
		}
		// Signed by hand, once.
		if a := f.do(t, "POST", fmt.Sprintf("/api/v1/warnings/%d/sign", wid), "admin", ""); a.status != 200 || a.json["sign_mode"] != "manual" {
			t.Fatalf("sign: %d %s", a.status, a.body)
		}
		if a := f.do(t, "POST", fmt.Sprintf("/api/v1/warnings/%d/sign", wid), "admin", ""); a.status != 409 {
			t.Fatalf("second sign: %d %s", a.status, a.body)
		}
		// Nothing to report before the result: the file is empty and the queue stays.
		file := func(path string) answer {
			t.Helper()
			a := f.do(t, "GET", path, "admin", "")
			if a.status != 200 || !strings.HasPrefix(a.body, "PK") {
				t.Fatalf("GET %s: %d %.300s", path, a.status, a.body)
			}
			return a
		}
		file("/api/v1/warnings/feedback.xlsx")
		if n, _ := f.pendingTotal(t, "admin"); n != 1 {
			t.Fatalf("a warning without result left the queue: %d", n)
		}
		// Worked: called, dissuaded.
		if a := f.do(t, "POST", fmt.Sprintf("/api/v1/warnings/%d/contacts", wid), "admin", `{"method":"call","result":"reached"}`); a.status != 201 {
			t.Fatalf("contact: %d %s", a.status, a.body)
		}
		if a := f.do(t, "POST", fmt.Sprintf("/api/v1/warnings/%d/outcome", wid), "admin", `{"outcome":"dissuaded","kept_fen":500000}`); a.status != 200 {
			t.Fatalf("outcome: %d %s", a.status, a.body)
		}
		day := time.Now().In(zone.Shanghai).Format("2006-01-02")
		req, _ := http.NewRequest("GET", f.srv.URL+"/api/v1/warnings/feedback.xlsx?from="+day+"&to="+day, nil)
		req.Header.Set("Authorization", "Bearer "+f.tokens["admin"])
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var body bytes.Buffer
		_, _ = body.ReadFrom(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || resp.Header.Get("X-Feedback-New") != "1" || !strings.Contains(resp.Header.Get("Content-Disposition"), "attachment") {
			t.Fatalf("feedback file: %d %v", resp.StatusCode, resp.Header)
		}
		l, _ := instruction.LayoutByName("")
		back, err := instruction.ReadFile("反馈.xlsx", bytes.NewReader(body.Bytes()), l)
		if err != nil || len(back) != 1 {
			t.Fatalf("read back: %v %+v", err, back)
		}
		r := back[0]
		if r.Number != "省反诈指20261206001" || r.Result != "劝阻成功" || !r.Reached || r.ContactMethod != "电话" || r.KeptFen != 500000 || r.Version != 1 {
			t.Fatalf("the issuer reads: %+v", r)
		}
		if n, _ := f.pendingTotal(t, "admin"); n != 0 {
			t.Fatalf("the queue did not shrink: %d", n)
		}
		// Again under the other name: the same row, nothing new.
		a2 := file("/api/v1/instructions/feedback.xlsx?from=" + day + "&to=" + day)
		back, err = instruction.ReadFile("反馈.xlsx", strings.NewReader(a2.body), l)
		if err != nil || len(back) != 1 || back[0].Version != 1 {
			t.Fatalf("second export: %v %+v", err, back)
		}
		// Only roles that work warnings export (it records what is sent).
		if a := f.do(t, "GET", "/api/v1/warnings/feedback.xlsx", "leader", ""); a.status != 403 {
			t.Fatalf("leader export: %d", a.status)
		}
		// Another station's officer sees none of it.
		if a := f.do(t, "GET", fmt.Sprintf("/api/v1/warnings/%d/instruction", wid), "offB", ""); a.status != 404 {
			t.Fatalf("offB instruction: %d %s", a.status, a.body)
		}
	})
}

// The on-site rule through the door: a visit on an unreached high-risk
// warning before three calls is refused with onsite_needs_calls and a
// Chinese message; after three calls it is recorded.
func TestOnsiteNeedsCallsAPI(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		path := fmt.Sprintf("/api/v1/warnings/%d/contacts", f.warningA)
		visit := `{"method":"visit","result":"reached","note":"上门"}`
		a := f.do(t, "POST", path, "offA", visit)
		if a.status != http.StatusUnprocessableEntity || a.json["code"] != "onsite_needs_calls" || !strings.Contains(fmt.Sprint(a.json["error"]), "至少电话联系 3 次") {
			t.Fatalf("visit before calls: %d %s", a.status, a.body)
		}
		for i := 0; i < 2; i++ {
			if a := f.do(t, "POST", path, "offA", `{"method":"call","result":"no_answer"}`); a.status != 201 {
				t.Fatalf("call: %d %s", a.status, a.body)
			}
		}
		if a := f.do(t, "POST", path, "offA", visit); a.status != 422 || !strings.Contains(a.body, "已拨打 2 次") {
			t.Fatalf("visit after two calls: %d %s", a.status, a.body)
		}
		if a := f.do(t, "POST", path, "offA", `{"method":"call","result":"no_answer"}`); a.status != 201 {
			t.Fatalf("third call: %d %s", a.status, a.body)
		}
		if a := f.do(t, "POST", path, "offA", visit); a.status != 201 {
			t.Fatalf("visit after three calls: %d %s", a.status, a.body)
		}
	})
}

// The league table answers one row per station with each figure's colour:
// station A dissuaded its warning (green), station B's person was
// defrauded (red); the dissuasion figures say the same per station.
func TestLeagueAnswersColours(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		if a := f.do(t, "POST", fmt.Sprintf("/api/v1/warnings/%d/contacts", f.warningA), "offA", `{"method":"call","result":"reached"}`); a.status != 201 {
			t.Fatalf("contact: %d %s", a.status, a.body)
		}
		if a := f.do(t, "POST", fmt.Sprintf("/api/v1/warnings/%d/outcome", f.warningA), "offA", `{"outcome":"dissuaded"}`); a.status != 200 {
			t.Fatalf("outcome: %d %s", a.status, a.body)
		}
		now := db.Millis(time.Now().Add(-time.Minute))
		if _, err := d.Exec(ctx, `INSERT INTO warnings (source, source_ref, received_at, grade, person_name, person_phone, area_id, station_id,
			status, outcome, outcome_at, created_at, updated_at) VALUES ('upper','W-B1',?,'high','卜某','13900000077',?,?,'closed','defrauded',?,?,?)`,
			now, f.stB.ID, f.stB.ID, now, now, now); err != nil {
			t.Fatal(err)
		}
		a := f.do(t, "GET", "/api/v1/figures/league", "leader", "")
		if a.status != 200 {
			t.Fatalf("league: %d %s", a.status, a.body)
		}
		rows, _ := a.json["rows"].([]any)
		figs, _ := a.json["figures"].([]any)
		if len(rows) != 2 || len(figs) != 8 || a.json["unit"] != "派出所" {
			t.Fatalf("league rows: %s", a.body)
		}
		colour := map[string]string{}
		for _, r := range rows {
			row := r.(map[string]any)
			fs := row["figures"].(map[string]any)
			diss := fs["dissuasion"].(map[string]any)
			colour[row["name"].(string)] = diss["colour"].(string)
			if row["colour"] == "" {
				t.Errorf("%s has no colour: %v", row["name"], row)
			}
		}
		if colour["青石派出所"] != "green" || colour["城关派出所"] != "red" {
			t.Fatalf("dissuasion colours: %v", colour)
		}
		// A station's league is its towns; another station's is not the caller's.
		if a := f.do(t, "GET", fmt.Sprintf("/api/v1/figures/league?area=%d", f.stB.ID), "offA", ""); a.status != 404 {
			t.Fatalf("offA league of B: %d %s", a.status, a.body)
		}
		ds := f.do(t, "GET", "/api/v1/figures/dissuasion", "leader", "")
		tot, _ := ds.json["total"].(map[string]any)
		if ds.status != 200 || tot["closed"] != float64(2) || tot["dissuaded"] != float64(1) || tot["dissuasion_permille"] != float64(500) {
			t.Fatalf("dissuasion figures: %d %s", ds.status, ds.body)
		}
		if bs, _ := ds.json["by_station"].([]any); len(bs) != 2 {
			t.Fatalf("per station: %s", ds.body)
		}
	})
}

// 回访 after a successful dissuasion are on the dissuader's list and are
// recorded through the door; the person's history on a later warning shows
// the earlier warning and the case, phones masked.
func TestFollowupsAndHistoryAPI(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		if _, err := d.Exec(ctx, `UPDATE warnings SET assignee_id = ? WHERE id = ?`, f.userID(t, "offA"), f.warningA); err != nil {
			t.Fatal(err)
		}
		if a := f.do(t, "POST", fmt.Sprintf("/api/v1/warnings/%d/contacts", f.warningA), "offA", `{"method":"call","result":"reached"}`); a.status != 201 {
			t.Fatalf("contact: %d %s", a.status, a.body)
		}
		if a := f.do(t, "POST", fmt.Sprintf("/api/v1/warnings/%d/outcome", f.warningA), "offA", `{"outcome":"dissuaded"}`); a.status != 200 {
			t.Fatalf("outcome: %d %s", a.status, a.body)
		}
		if n, err := dissuade.Schedule(ctx, d, time.Now()); err != nil || n != 2 {
			t.Fatalf("schedule: %d %v", n, err)
		}
		list := func(user string) []any {
			a := f.do(t, "GET", "/api/v1/followups?days=30", user, "")
			if a.status != 200 {
				t.Fatalf("followups: %d %s", a.status, a.body)
			}
			items, _ := a.json["items"].([]any)
			return items
		}
		items := list("offA")
		if len(items) != 2 || strings.Contains(fmt.Sprint(items), phoneA) {
			t.Fatalf("offA's follow-ups (masked): %v", items)
		}
		if len(list("offB")) != 0 {
			t.Fatal("offB sees offA's follow-ups")
		}
		first := int64(items[0].(map[string]any)["id"].(float64))
		if a := f.do(t, "POST", "/api/v1/followups", "offB", fmt.Sprintf(`{"id":%d,"result":"safe"}`, first)); a.status != 404 {
			t.Fatalf("offB records offA's follow-up: %d %s", a.status, a.body)
		}
		if a := f.do(t, "POST", "/api/v1/followups", "offA", fmt.Sprintf(`{"id":%d,"result":"maybe"}`, first)); a.status != 400 || !strings.Contains(a.body, "回访结果") {
			t.Fatalf("a bad result: %d %s", a.status, a.body)
		}
		if a := f.do(t, "POST", "/api/v1/followups", "offA", fmt.Sprintf(`{"id":%d,"result":"safe","note":"情况稳定"}`, first)); a.status != 200 {
			t.Fatalf("record: %d %s", a.status, a.body)
		}
		if len(list("offA")) != 1 {
			t.Fatal("the recorded follow-up is still on the list")
		}
		// A later warning of the same person.
		var later int64
		now := db.Millis(time.Now().Add(time.Minute))
		if err := d.QueryRow(ctx, `INSERT INTO warnings (source, source_ref, received_at, grade, person_name, person_phone, area_id, station_id,
			status, created_at, updated_at) VALUES ('upper','W-2',?,'fund','王秀英',?,?,?,'open',?,?) RETURNING id`,
			now, phoneA, f.stA.ID, f.stA.ID, now, now).Scan(&later); err != nil {
			t.Fatal(err)
		}
		a := f.do(t, "GET", fmt.Sprintf("/api/v1/warnings/%d/history", later), "offA", "")
		ws, _ := a.json["warnings"].([]any)
		cs, _ := a.json["cases"].([]any)
		if a.status != 200 || len(ws) != 1 || len(cs) != 1 || strings.Contains(a.body, phoneA) {
			t.Fatalf("history: %d %s", a.status, a.body)
		}
		if w := ws[0].(map[string]any); int64(w["id"].(float64)) != f.warningA || w["outcome"] != "dissuaded" || len(w["contacts"].([]any)) != 1 {
			t.Fatalf("earlier warning: %v", w)
		}
		if a := f.do(t, "GET", fmt.Sprintf("/api/v1/warnings/%d/history", later), "offB", ""); a.status != 404 {
			t.Fatalf("offB history: %d", a.status)
		}
	})
}

// A 96110 call is logged, listed masked in its jurisdiction, converted once
// into a warning through the intake; another station neither sees nor
// converts it.
func TestConsultationsAPI(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		a := f.do(t, "POST", "/api/v1/consultations", "offA",
			`{"channel":"hotline","kind":"tip","caller_name":"来电人","caller_phone":"13700001111","summary":"邻居老人接到自称公安的电话"}`)
		if a.status != 201 {
			t.Fatalf("log: %d %s", a.status, a.body)
		}
		id := int64(a.json["id"].(float64))
		if a := f.do(t, "POST", "/api/v1/consultations", "offA", `{"channel":"fax","kind":"tip","summary":"x"}`); a.status != 400 || !strings.Contains(a.body, "来源渠道") {
			t.Fatalf("bad channel: %d %s", a.status, a.body)
		}
		l := f.do(t, "GET", "/api/v1/consultations", "offA", "")
		items, _ := l.json["items"].([]any)
		if l.status != 200 || len(items) != 1 || strings.Contains(l.body, "13700001111") || !strings.Contains(l.body, "1111") {
			t.Fatalf("list: %d %s", l.status, l.body)
		}
		if l := f.do(t, "GET", "/api/v1/consultations", "offB", ""); strings.Contains(l.body, "邻居老人") {
			t.Fatalf("offB sees A's consultation: %s", l.body)
		}
		conv := fmt.Sprintf("/api/v1/consultations/%d/convert", id)
		if a := f.do(t, "POST", conv, "offB", `{"name":"老人","phone":"13600002222","grade":"high"}`); a.status != 404 {
			t.Fatalf("offB converts: %d %s", a.status, a.body)
		}
		if a := f.do(t, "POST", conv, "offA", `{"name":"老人","grade":"high"}`); a.status != 400 || !strings.Contains(a.body, "手机号或身份证号") {
			t.Fatalf("convert without a number: %d %s", a.status, a.body)
		}
		a = f.do(t, "POST", conv, "offA", `{"name":"老人","phone":"13600002222","grade":"high"}`)
		if a.status != 201 || a.json["warning_id"] == nil {
			t.Fatalf("convert: %d %s", a.status, a.body)
		}
		wid := int64(a.json["warning_id"].(float64))
		if w := f.do(t, "GET", fmt.Sprintf("/api/v1/warnings/%d", wid), "admin", ""); w.status != 200 || w.json["source"] != "hotline" {
			t.Fatalf("the warning: %d %s", w.status, w.body)
		}
		if a := f.do(t, "POST", conv, "offA", `{"name":"老人","phone":"13600002222","grade":"high"}`); a.status != 409 {
			t.Fatalf("second convert: %d %s", a.status, a.body)
		}
	})
}

// The console pages as the duty desk, a leader and a dissuader see them:
// the import's row report links the warning, the queue counts down and
// marks the overdue red, the warning page signs the instruction, the
// export empties the queue, the league paints its cells, and the nav
// shows each role its links.
func TestInstructionConsolePages(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		if _, err := d.Exec(ctx, `INSERT INTO settings (key, value, updated_at) VALUES (?, 'false', 0)`, instruction.AutoSignSetting); err != nil {
			t.Fatal(err)
		}
		admin := newConsoleClient(t, f.srv.URL)
		admin.login("admin", "secret-admin")
		csrf := admin.csrf()
		csv := "指令编号,下发级别,姓名,手机号,地址\n市反诈指0001,市局,柴春生,13877712345,云溪县\n坏行,,某人,13877712346,云溪县\n"
		a := admin.upload("/instructions/import", csrf, "指令.csv", []byte(csv), nil)
		if a.status != 200 || !strings.Contains(a.body, `<b id="import-registered">1</b>`) || !strings.Contains(a.body, "下发级别为空") {
			t.Fatalf("import page: %d %.2000s", a.status, a.body)
		}
		m := regexp.MustCompile(`href="/warnings/(\d+)">预警 #`).FindStringSubmatch(a.body)
		if m == nil {
			t.Fatalf("the report links no warning: %.2000s", a.body)
		}
		wp := "/warnings/" + m[1]
		// The fixture's county has no towns to route by: the warning goes to station A.
		if _, err := d.Exec(ctx, `UPDATE warnings SET area_id = ?, station_id = ? WHERE id = ?`, f.stA.ID, f.stA.ID, m[1]); err != nil {
			t.Fatal(err)
		}
		q := admin.get("/instructions")
		if !strings.Contains(q.body, `<span id="queue-total">1</span>`) || !strings.Contains(q.body, "市反诈指0001") || !strings.Contains(q.body, `data-kind="feedback"`) {
			t.Fatalf("queue: %.3000s", q.body)
		}
		p := admin.get(wp)
		if !strings.Contains(p.body, "上级指令") || !strings.Contains(p.body, `id="sign-form"`) || !strings.Contains(p.body, `data-kind="sign"`) {
			t.Fatalf("warning page: %.3000s", p.body)
		}
		if a := admin.post(wp+"/sign", url.Values{"csrf_token": {csrf}}); a.status != http.StatusSeeOther {
			t.Fatalf("sign: %d %.500s", a.status, a.body)
		}
		if p := admin.get(wp); strings.Contains(p.body, `id="sign-form"`) || !strings.Contains(p.body, "签收") {
			t.Fatalf("signed warning page: %.3000s", p.body)
		}
		// Past its deadline the row is red.
		if _, err := d.Exec(ctx, `UPDATE instructions SET feedback_due_at = ?`, db.Millis(time.Now().Add(-time.Hour))); err != nil {
			t.Fatal(err)
		}
		if q := admin.get("/instructions"); !strings.Contains(q.body, `<tr class="overdue"`) || !strings.Contains(q.body, "已超时 1 条") {
			t.Fatalf("overdue queue: %.3000s", q.body)
		}
		// Worked, then exported: the queue is empty.
		if a := f.do(t, "POST", "/api/v1"+wp+"/contacts", "admin", `{"method":"call","result":"reached"}`); a.status != 201 {
			t.Fatalf("contact: %d %s", a.status, a.body)
		}
		if a := f.do(t, "POST", "/api/v1"+wp+"/outcome", "admin", `{"outcome":"dissuaded"}`); a.status != 200 {
			t.Fatalf("outcome: %d %s", a.status, a.body)
		}
		x := admin.post("/instructions/feedback.xlsx", url.Values{"csrf_token": {csrf}})
		if x.status != 200 || !strings.HasPrefix(x.body, "PK") || x.header.Get("X-Feedback-New") != "1" {
			t.Fatalf("export: %d %v", x.status, x.header)
		}
		if q := admin.get("/instructions"); !strings.Contains(q.body, `<span id="queue-total">0</span>`) || !strings.Contains(q.body, "没有待反馈的指令") {
			t.Fatalf("queue after export: %.3000s", q.body)
		}
		// The leader's league: the dissuaded station's cell is green.
		lead := newConsoleClient(t, f.srv.URL)
		lead.login("leader", "secret-leader")
		if nav := strings.Join(navLabels(lead.get("/").body), ","); !strings.Contains(nav, "考核排名") || strings.Contains(nav, "96110") {
			t.Errorf("leader nav: %s", nav)
		}
		l := lead.get("/league")
		if l.status != 200 || !strings.Contains(l.body, `data-key="dissuasion" data-colour="green"`) || !strings.Contains(l.body, "c-green") {
			t.Fatalf("league page: %d %.3000s", l.status, l.body)
		}
		// A consultation is logged and offered for conversion.
		if a := admin.post("/consultations", url.Values{"csrf_token": {csrf}, "channel": {"walkin"}, "kind": {"consult"},
			"summary": {"老人来所咨询投资理财"}, "amount": {"1,000.00"}}); a.status != http.StatusSeeOther {
			t.Fatalf("log consultation: %d %.1000s", a.status, a.body)
		}
		if c := admin.get("/consultations"); !strings.Contains(c.body, "老人来所咨询投资理财") || !strings.Contains(c.body, "转为预警") {
			t.Fatalf("consultations page: %.3000s", c.body)
		}
		// A dissuader sees the queue but not the league link.
		off := newConsoleClient(t, f.srv.URL)
		off.login("offA", "secret-offA")
		if nav := strings.Join(navLabels(off.get("/").body), ","); strings.Contains(nav, "考核排名") || !strings.Contains(nav, "指令反馈") {
			t.Errorf("dissuader nav: %s", nav)
		}
		if h := off.get("/"); !strings.Contains(h.body, "今日回访") {
			t.Errorf("the dissuader's home has no 回访 block")
		}
	})
}
