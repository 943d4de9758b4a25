package server

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/db/dbtest"
	"github.com/fanzha/fanzha/internal/partner"
	"github.com/fanzha/fanzha/internal/web"
	"github.com/fanzha/fanzha/internal/web/api"
)

// addPartner adds a member unit with one partner user and its token.
func (f *fixture) addPartner(t *testing.T, user, kind, code, name string) int64 {
	t.Helper()
	ctx := context.Background()
	var unit int64
	if err := f.d.QueryRow(ctx, `INSERT INTO units (kind, code, name, created_at) VALUES (?,?,?,0) RETURNING id`, kind, code, name).Scan(&unit); err != nil {
		t.Fatal(err)
	}
	f.addUser(t, auth.NewUser{Username: user, Role: auth.RolePartner, AreaID: f.root.ID, UnitID: unit})
	return unit
}

// A partner sees only its own unit's requests, reports, tasks and webhook,
// never another unit's, and never officer-only data; the centre's routes
// are closed to it.
func TestPartnerNeverSeesAnotherUnit(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		f.addUser(t, auth.NewUser{Username: "inv", DisplayName: "李建国警官", Role: auth.RoleInvestigator, AreaID: f.stA.ID})
		abc := f.addPartner(t, "abc", "bank", "B2", "农业银行云溪支行")
		f.addPartner(t, "mobile", "operator", "O1", "移动云溪分公司")
		var icbc int64
		_ = d.QueryRow(ctx, `SELECT id FROM units WHERE code = 'B1'`).Scan(&icbc)

		// A freeze request to ICBC from the case.
		a := f.do(t, "POST", "/api/v1/cases/"+itoa(f.caseA)+"/requests", "inv",
			`{"kind":"freeze","unit_id":`+itoa(icbc)+`,"account":"6222021001000000001","amount_fen":1500000,"reason":"案件涉案账户"}`)
		if a.status != 201 {
			t.Fatalf("freeze: %d %s", a.status, a.body)
		}
		// A task for each bank, with a note from the centre.
		var tasks [2]int64
		for i, u := range []int64{icbc, abc} {
			a := f.do(t, "POST", "/api/v1/joint/tasks", "inv", `{"unit_id":`+itoa(u)+`,"title":"网点反诈宣传`+itoa(int64(i))+`","owner":"张行长","due_at":"2026-12-31T10:00:00Z"}`)
			if a.status != 201 {
				t.Fatalf("task: %d %s", a.status, a.body)
			}
			tasks[i] = int64(a.json["id"].(float64))
		}
		if a := f.do(t, "POST", "/api/v1/joint/tasks/"+itoa(tasks[0])+"/progress", "inv", `{"note":"请本周内报送进展"}`); a.status != 200 || !strings.Contains(a.body, "反诈中心") {
			t.Fatalf("centre note: %d %s", a.status, a.body)
		}
		// A report by ICBC.
		if a := f.do(t, "POST", "/api/v1/partner/reports", "bank", `{"kind":"fund_warning","ref":"ICBC-001","person":{"name":"王秀英","phone":"13812345678"},"amount_fen":5000000,"scam":{"account":"6217000000000000001"}}`); a.status != 201 {
			t.Fatalf("report: %d %s", a.status, a.body)
		}
		// ICBC's webhook.
		if a := f.do(t, "PUT", "/api/v1/partner/webhook", "bank", `{"url":"https://bank.example/hook","format":"json-hmac","secret":"k"}`); a.status != 200 || strings.Contains(a.body, `"k"`) {
			t.Fatalf("webhook: %d %s", a.status, a.body)
		}

		// ICBC sees its own.
		for _, c := range []struct{ path, want string }{
			{"/api/v1/partner/requests", "6222021001000000001"},
			{"/api/v1/partner/reports", "ICBC-001"},
			{"/api/v1/partner/tasks", "网点反诈宣传0"},
			{"/api/v1/partner/tasks/" + itoa(tasks[0]), "请本周内报送进展"},
			{"/api/v1/partner/webhook", "bank.example"},
			{"/api/v1/partner/me", "工商银行云溪支行"},
		} {
			a := f.do(t, "GET", c.path, "bank", "")
			if a.status != 200 || !strings.Contains(a.body, c.want) {
				t.Errorf("bank %s: %d %s", c.path, a.status, a.body)
			}
			// Officer-only data never reaches a partner.
			for _, secret := range []string{"李建国", "inv", "青石派出所", "王秀英", idA, `"assignee`, `"station`, `"warning_id`, `"created_by`} {
				if strings.Contains(a.body, secret) {
					t.Errorf("bank %s shows %q: %s", c.path, secret, a.body)
				}
			}
		}
		// ABC sees none of ICBC's.
		for _, c := range []struct{ path, not string }{
			{"/api/v1/partner/requests", "6222021001000000001"},
			{"/api/v1/partner/reports", "ICBC-001"},
			{"/api/v1/partner/tasks", "网点反诈宣传0"},
		} {
			a := f.do(t, "GET", c.path, "abc", "")
			if a.status != 200 || strings.Contains(a.body, c.not) {
				t.Errorf("abc %s: %d %s", c.path, a.status, a.body)
			}
		}
		if a := f.do(t, "GET", "/api/v1/partner/tasks", "abc", ""); !strings.Contains(a.body, "网点反诈宣传1") {
			t.Errorf("abc's own task: %s", a.body)
		}
		if a := f.do(t, "GET", "/api/v1/partner/tasks/"+itoa(tasks[0]), "abc", ""); a.status != 404 {
			t.Errorf("abc read ICBC's task: %d", a.status)
		}
		if a := f.do(t, "POST", "/api/v1/partner/tasks/"+itoa(tasks[0])+"/progress", "abc", `{"status":"done"}`); a.status != 404 {
			t.Errorf("abc updated ICBC's task: %d", a.status)
		}
		if a := f.do(t, "GET", "/api/v1/partner/webhook", "abc", ""); a.status != 404 {
			t.Errorf("abc webhook: %d %s", a.status, a.body)
		}
		if a := f.do(t, "GET", "/api/v1/partner/webhook/deliveries", "abc", ""); a.status != 404 {
			t.Errorf("abc deliveries: %d %s", a.status, a.body)
		}
		// The same ref from another unit is another report, not a duplicate.
		if a := f.do(t, "POST", "/api/v1/partner/reports", "abc", `{"kind":"suspicious_txn","ref":"ICBC-001","person":{"phone":"13900001111"}}`); a.status != 201 {
			t.Errorf("abc report with the same ref: %d %s", a.status, a.body)
		}
		// The centre's routes and the officers' API are closed to partners.
		for _, p := range []string{"/api/v1/units", "/api/v1/units/" + itoa(icbc) + "/webhook", "/api/v1/units/" + itoa(icbc) + "/webhook/deliveries",
			"/api/v1/joint/meetings", "/api/v1/joint/tasks", "/api/v1/joint/tasks/" + itoa(tasks[0]), "/api/v1/joint/figures",
			"/api/v1/warnings", "/api/v1/cases/" + itoa(f.caseA), "/api/v1/cases/" + itoa(f.caseA) + "/requests", "/api/v1/users"} {
			if a := f.do(t, "GET", p, "abc", ""); a.status != 403 {
				t.Errorf("partner GET %s: %d", p, a.status)
			}
		}
		if a := f.do(t, "PUT", "/api/v1/units/"+itoa(icbc)+"/webhook", "abc", `{"url":"https://evil.example/","format":"wecom"}`); a.status != 403 {
			t.Errorf("partner set another unit's webhook: %d", a.status)
		}
		// Officers do not use the partner routes.
		if a := f.do(t, "GET", "/api/v1/partner/reports", "inv", ""); a.status != 403 {
			t.Errorf("officer GET partner reports: %d", a.status)
		}
		// The centre sees ICBC's webhook, never its secret.
		if a := f.do(t, "GET", "/api/v1/units/"+itoa(icbc)+"/webhook", "admin", ""); a.status != 200 || !strings.Contains(a.body, `"has_secret":true`) || strings.Contains(a.body, `"secret"`) {
			t.Errorf("centre webhook view: %d %s", a.status, a.body)
		}
	})
}

// A bank's fund warning and an operator's scam-number report go through the
// warning intake: stored as warnings of their source, idempotent on the
// unit's ref, validated by kind; the partner then sees what became of them.
func TestPartnerReportsIntake(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		f.addPartner(t, "mobile", "operator", "O1", "移动云溪分公司")
		body := `{"kind":"fund_warning","ref":"F-20261123-1","person":{"name":"赵大妈","phone":"13700001234","address":"青石镇"},"amount_fen":3000000,"scam":{"account":"6217000000000000002"},"text":"向陌生账户连续转账"}`
		a := f.do(t, "POST", "/api/v1/partner/reports", "bank", body)
		if a.status != 201 || a.json["intake"] != "received" {
			t.Fatalf("report: %d %s", a.status, a.body)
		}
		if a := f.do(t, "POST", "/api/v1/partner/reports", "bank", body); a.status != 200 || a.json["intake"] != "duplicate" {
			t.Fatalf("resend: %d %s", a.status, a.body)
		}
		var source, grade, status string
		var wid int64
		if err := d.QueryRow(ctx, `SELECT id, source, grade, status FROM warnings WHERE source_ref = 'B1:F-20261123-1'`).Scan(&wid, &source, &grade, &status); err != nil {
			t.Fatal(err)
		}
		if source != "bank" || grade != "fund" || status != "open" {
			t.Fatalf("warning: %s %s %s", source, grade, status)
		}
		for _, c := range []struct{ user, body string }{
			{"mobile", `{"kind":"fund_warning","ref":"x","person":{"phone":"13700001234"}}`}, // an operator's fund warning
			{"bank", `{"kind":"scam_number","ref":"x","person":{"phone":"13700001234"}}`},    // a bank's scam number
			{"mobile", `{"kind":"scam_number","ref":"y","person":{"phone":"13700001234"}}`},  // no scam number
			{"bank", `{"kind":"suspicious_txn","ref":"z","person":{"name":"无号码"}}`},          // no phone or ID: the intake refuses
			{"bank", `{"kind":"suspicious_txn","ref":"","person":{"phone":"13700001234"}}`},  // no ref
		} {
			if a := f.do(t, "POST", "/api/v1/partner/reports", c.user, c.body); a.status != 400 || a.json["code"] != "invalid" {
				t.Errorf("%s %s: %d %s", c.user, c.body, a.status, a.body)
			}
		}
		if a := f.do(t, "POST", "/api/v1/partner/reports", "mobile", `{"kind":"scam_number","ref":"S-1","person":{"phone":"13700005678"},"scam":{"phone":"17012345678"}}`); a.status != 201 {
			t.Fatalf("scam number: %d %s", a.status, a.body)
		}
		if err := d.QueryRow(ctx, `SELECT source FROM warnings WHERE source_ref = 'O1:S-1' AND scam_phone = '17012345678'`).Scan(&source); err != nil || source != "operator" {
			t.Fatalf("operator warning: %q %v", source, err)
		}
		a = f.do(t, "GET", "/api/v1/partner/reports", "bank", "")
		if a.status != 200 || !strings.Contains(a.body, `"status_name":"已受理"`) || strings.Contains(a.body, "S-1") {
			t.Fatalf("bank reports: %s", a.body)
		}
		if _, err := d.Exec(ctx, `UPDATE warnings SET status = 'closed', outcome = 'dissuaded', outcome_at = ? WHERE id = ?`, db.Millis(testNowWeb()), wid); err != nil {
			t.Fatal(err)
		}
		if a := f.do(t, "GET", "/api/v1/partner/reports", "bank", ""); !strings.Contains(a.body, `"status_name":"已办结"`) || !strings.Contains(a.body, "劝阻成功") {
			t.Fatalf("closed report: %s", a.body)
		}
	})
}

var partnerPattern = regexp.MustCompile(`"(GET|POST|PUT|PATCH|DELETE) (/api/v1/partner/[^"]*)"`)

// Every partner route the server registers is in the OpenAPI document, and
// every documented operation is registered.
func TestOpenAPICoversPartnerRoutes(t *testing.T) {
	d := dbtest.SQLite(t)
	s := New(web.Config{DB: d})
	registered := map[string]bool{}
	// Routes registered by hand anywhere in internal/web and its doors…
	var files []string
	for _, dir := range []string{"..", filepath.Join("..", "api"), filepath.Join("..", "console"), "."} {
		more, _ := filepath.Glob(filepath.Join(dir, "*.go"))
		files = append(files, more...)
	}
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range partnerPattern.FindAllStringSubmatch(string(b), -1) {
			registered[m[1]+" "+m[2]] = true
		}
	}
	// …and from the described table.
	for _, op := range api.Routes(s) {
		if op.Handler != nil && strings.HasPrefix(op.Path, "/api/v1/partner/") {
			registered[op.Method+" "+op.Path] = true
		}
	}
	var doc struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, mustRequest(t, "GET", "/api/v1/openapi.json"))
	if rec.Code != 200 {
		t.Fatalf("openapi.json: %d", rec.Code)
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	documented := map[string]bool{}
	for path, ops := range doc.Paths {
		for method := range ops {
			documented[strings.ToUpper(method)+" "+path] = true
		}
	}
	var missing []string
	for r := range registered {
		if !documented[r] {
			missing = append(missing, r)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("registered but not documented: %v", missing)
	}
	count := 0
	for op := range documented {
		method, path, _ := strings.Cut(op, " ")
		// The mux must route it to exactly this pattern.
		req := mustRequest(t, method, strings.ReplaceAll(api.PathParam.ReplaceAllString(path, "1"), "{", ""))
		if _, pattern := s.Mux.Handler(req); pattern != op {
			t.Errorf("documented %s is served by %q", op, pattern)
		}
		if strings.HasPrefix(path, "/api/v1/partner/") {
			count++
			if !registered[op] {
				t.Errorf("documented but not found among registrations: %s", op)
			}
		}
	}
	if count < 10 {
		t.Errorf("only %d partner operations documented", count)
	}
	var full map[string]any
	_ = json.Unmarshal(rec.Body.Bytes(), &full)
	comps := full["components"].(map[string]any)
	if _, ok := comps["securitySchemes"].(map[string]any)["bearer"]; !ok {
		t.Error("no bearer security scheme")
	}
	if _, ok := comps["schemas"].(map[string]any)["Error"]; !ok {
		t.Error("no Error schema")
	}
	if _, ok := comps["schemas"].(map[string]any)["PartnerAnswer"]; !ok {
		t.Error("no PartnerAnswer schema")
	}
}

func mustRequest(t *testing.T, method, path string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, "http://fanzha.test"+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	return req
}

// The console pages of 联席: the centre records a meeting and a task at
// /joint (with the figures), the bank updates its task at /unit and sets
// its webhook; neither reaches the other's page.
func TestJointConsolePages(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		if _, err := auth.CreateUser(ctx, d, auth.NewUser{Username: "inv", Role: auth.RoleInvestigator, AreaID: f.stA.ID, Password: "secret-inv"}); err != nil {
			t.Fatal(err)
		}
		var bank int64
		_ = d.QueryRow(ctx, `SELECT id FROM units WHERE code = 'B1'`).Scan(&bank)
		// A request answered, for the figures.
		a := f.do(t, "POST", "/api/v1/cases/"+itoa(f.caseA)+"/requests", "admin", `{"kind":"query","unit_id":`+itoa(bank)+`,"account":"6222021001000000001"}`)
		if a.status != 201 {
			t.Fatalf("query: %d %s", a.status, a.body)
		}
		if a := f.do(t, "POST", "/api/v1/partner/requests/"+itoa(int64(a.json["request_id"].(float64)))+"/answer", "bank", `{"status":"done","result":"余额 100 元","result_fen":10000}`); a.status != 200 {
			t.Fatalf("answer: %d %s", a.status, a.body)
		}
		centre := newConsoleClient(t, f.srv.URL)
		centre.login("inv", "secret-inv")
		if a := centre.get("/joint"); a.status != 200 || !strings.Contains(a.body, "工商银行云溪支行") || !strings.Contains(a.body, "100.0%") {
			t.Fatalf("/joint: %d %.2000s", a.status, a.body)
		}
		pa := centre.post("/joint/meetings", url.Values{"csrf_token": {centre.csrf()}, "held_on": {"2026-11-20"}, "title": {"第四季度联席会议"},
			"attendees": {"各行分管行长"}, "unit_id": {itoa(bank)}, "decisions": {"网点张贴反诈提示"}})
		if pa.status != http.StatusSeeOther {
			t.Fatalf("meeting: %d %s", pa.status, pa.body)
		}
		pa = centre.post("/joint/tasks", url.Values{"csrf_token": {centre.csrf()}, "unit_id": {itoa(bank)}, "title": {"网点张贴反诈提示"},
			"owner": {"王行长"}, "due_on": {"2026-12-31"}})
		if pa.status != http.StatusSeeOther {
			t.Fatalf("task: %d %s", pa.status, pa.body)
		}
		if a := centre.get("/joint"); !strings.Contains(a.body, "第四季度联席会议") || !strings.Contains(a.body, "王行长") {
			t.Fatalf("/joint after: %.3000s", a.body)
		}
		var taskID int64
		_ = d.QueryRow(ctx, `SELECT id FROM joint_tasks`).Scan(&taskID)

		bankPage := newConsoleClient(t, f.srv.URL)
		bankPage.login("bank", "secret-bank")
		up := bankPage.get("/unit")
		if up.status != 200 || !strings.Contains(up.body, "网点张贴反诈提示") {
			t.Fatalf("/unit: %d %.2000s", up.status, up.body)
		}
		bankCSRF := csrfFieldRe.FindStringSubmatch(up.body)[1]
		pa = bankPage.post("/unit/tasks/"+itoa(taskID), url.Values{"csrf_token": {bankCSRF}, "status": {"done"}, "note": {"已张贴"}})
		if pa.status != http.StatusSeeOther {
			t.Fatalf("progress: %d %s", pa.status, pa.body)
		}
		pa = bankPage.post("/unit/webhook", url.Values{"csrf_token": {bankCSRF}, "url": {"https://bank.example/hook"}, "format": {"wecom"}, "enabled": {"1"}})
		if pa.status != http.StatusSeeOther {
			t.Fatalf("webhook: %d %s", pa.status, pa.body)
		}
		if a := bankPage.get("/unit"); !strings.Contains(a.body, "已完成") || !strings.Contains(a.body, "已张贴") || !strings.Contains(a.body, "bank.example") {
			t.Fatalf("/unit after: %.3000s", a.body)
		}
		if a := centre.get("/joint"); strings.Contains(a.body, "https://bank.example/hook") || !strings.Contains(a.body, "wecom") {
			t.Errorf("/joint webhooks: %.3000s", a.body)
		}
		if a := bankPage.get("/joint"); a.status != 403 {
			t.Errorf("bank /joint: %d", a.status)
		}
		if a := centre.get("/unit"); a.status != 403 {
			t.Errorf("officer /unit: %d", a.status)
		}
	})
}

// An emergency suspension the bank leaves unanswered is escalated on the
// timeline of the warning that asked, once.
func TestUnansweredEmergencyEscalatesOnTheWarning(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		var bank int64
		_ = d.QueryRow(ctx, `SELECT id FROM units WHERE code = 'B1'`).Scan(&bank)
		a := f.do(t, "POST", "/api/v1/warnings/"+itoa(f.warningA)+"/emergency", "offA",
			`{"kind":"suspend_card","unit_id":`+itoa(bank)+`,"account":"6222021001000000001","reason":"正在转账"}`)
		if a.status/100 != 2 {
			t.Fatalf("emergency: %d %s", a.status, a.body)
		}
		now := time.Now()
		sw := &partner.Sweeper{DB: d, Now: func() time.Time { return now }}
		if r, err := sw.Sweep(ctx); err != nil || r.Timed != 1 {
			t.Fatalf("sweep: %+v %v", r, err)
		}
		now = now.Add(2 * time.Hour)
		for i := 0; i < 2; i++ {
			if _, err := sw.Sweep(ctx); err != nil {
				t.Fatal(err)
			}
		}
		a = f.do(t, "GET", "/api/v1/warnings/"+itoa(f.warningA)+"/timeline", "offA", "")
		if n := strings.Count(a.body, "逾期未答复"); a.status != 200 || n != 1 {
			t.Fatalf("timeline (%d escalations): %d %s", n, a.status, a.body)
		}
	})
}
