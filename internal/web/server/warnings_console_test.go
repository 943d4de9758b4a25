package server

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/db/dbtest"
	"github.com/fanzha/fanzha/internal/warning"
)

// addWarning inserts an open warning of station A with the given deadlines
// (zero: none) and returns its id.
func (f *fixture) addWarning(t *testing.T, name string, prio int64, contactDue, onsiteDue time.Time) int64 {
	t.Helper()
	now := db.Millis(time.Now())
	ms := func(t time.Time) any {
		if t.IsZero() {
			return nil
		}
		return db.Millis(t)
	}
	var id int64
	if err := f.d.QueryRow(context.Background(), `INSERT INTO warnings (source, source_ref, received_at, grade, person_name, person_phone,
		area_id, station_id, status, priority, contact_due_at, onsite_due_at, last_intake_at, created_at, updated_at)
		VALUES ('upper',?,?,'high',?,'13900000000',?,?,'open',?,?,?,?,?,?) RETURNING id`,
		"W-"+name, now, name, f.stA.ID, f.stA.ID, prio, ms(contactDue), ms(onsiteDue), now, now, now).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

// Item 1 of issue 19: a warning contacted in time and closed shows its
// deadlines as facts — no countdown element, no "超时" — while an open,
// uncontacted one still counts down.
func TestWarningPageNoLiveDeadlineOnceDone(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		now := time.Now()
		closed := f.addWarning(t, "李明", 0, now.Add(-5*time.Minute), now.Add(-time.Minute))
		if _, err := d.Exec(ctx, `UPDATE warnings SET status = 'closed', outcome = 'dissuaded', outcome_at = ?, first_contact_at = ?, last_contact_at = ? WHERE id = ?`,
			db.Millis(now.Add(-20*time.Minute)), db.Millis(now.Add(-20*time.Minute)), db.Millis(now.Add(-20*time.Minute)), closed); err != nil {
			t.Fatal(err)
		}
		open := f.addWarning(t, "赵六", 0, now.Add(10*time.Minute), now.Add(time.Hour))
		c := newConsoleClient(t, f.srv.URL)
		c.login("admin", "secret-admin")
		a := c.get("/warnings/" + itoa(closed))
		checkHTML(t, "/warnings/"+itoa(closed), a)
		if strings.Contains(a.body, "data-due=") {
			t.Errorf("closed warning still carries a live countdown: %s", dueLines(a.body))
		}
		if !strings.Contains(a.body, "（按时）") || !strings.Contains(a.body, "已办结，无需核查") || strings.Contains(a.body, "晚于期限") {
			t.Errorf("closed warning's deadlines not shown as facts: %s", dueLines(a.body))
		}
		a = c.get("/warnings/" + itoa(open))
		if !regexp.MustCompile(`id="contact-due" data-due="\d+" data-kind="contact"`).MatchString(a.body) ||
			!regexp.MustCompile(`id="onsite-due" data-due="\d+" data-kind="onsite"`).MatchString(a.body) {
			t.Errorf("open warning lost its countdowns: %s", dueLines(a.body))
		}
	})
}

func dueLines(body string) string {
	var out []string
	for _, l := range strings.Split(body, "\n") {
		if strings.Contains(l, "期限") {
			out = append(out, strings.TrimSpace(l))
		}
	}
	return strings.Join(out, "\n")
}

// Issue 21 (replacing issue 19's order by time left): the duty board says
// what it is sorted by and is sorted exactly so — waiting warnings by the
// money expected to be kept by calling now, whatever their deadline; overdue
// rows stay marked; each row says why. 「下一条」 hands a dissuader the first.
func TestBoardOrderByExpectedMoney(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		now := time.Now()
		amounts := map[string]int64{"甲二八": 5000_00, "乙九分": 80000_00, "丙超时": 20000_00, "丁久超": 1000_00}
		for n, due := range map[string]time.Duration{"甲二八": 28 * time.Minute, "乙九分": 9 * time.Minute, "丙超时": -3 * time.Minute, "丁久超": -30 * time.Minute} {
			id := f.addWarning(t, n, 0, now.Add(due), time.Time{})
			if _, err := d.Exec(context.Background(), `UPDATE warnings SET amount_fen = ?, assignee_id = NULL WHERE id = ?`, amounts[n], id); err != nil {
				t.Fatal(err)
			}
		}
		c := newConsoleClient(t, f.srv.URL)
		c.login("admin", "secret-admin")
		a := c.get("/warnings")
		checkHTML(t, "/warnings", a)
		if !strings.Contains(a.body, "按预计可挽回金额排序") || strings.Contains(a.body, "按剩余时间排序") {
			t.Errorf("board does not say truthfully how it is sorted")
		}
		want := []string{"乙九分", "丙超时", "甲二八", "丁久超"}
		last := -1
		for _, n := range want {
			i := strings.Index(a.body, ">"+n+"</a>")
			if i < 0 || i < last {
				t.Fatalf("board order wrong at %s (want %v)", n, want)
			}
			last = i
		}
		if n := strings.Count(a.body, `overdue" data-id=`); n != 2 {
			t.Errorf("%d rows marked overdue, want 2", n)
		}
		if !strings.Contains(a.body, `title="预计可挽回 ¥80,000：涉案 ¥80,000 × 资金尚未转出的概率 100%`) || !strings.Contains(a.body, "¥80,000 · 100%") {
			t.Errorf("the first row does not say why it is first")
		}
		// 「下一条」 as station A's dissuader: the first row, now theirs.
		o := newConsoleClient(t, f.srv.URL)
		o.login("offA", "secret-offA")
		r := o.post("/warnings/next", url.Values{"csrf_token": {o.csrf()}})
		w, err := warning.Get(context.Background(), d, f.root, pathTail(t, r.location))
		if err != nil || r.status != http.StatusSeeOther || w.Person.Name != "乙九分" || w.AssigneeID == 0 {
			t.Fatalf("下一条: %d %s → %+v %v", r.status, r.location, w.Person, err)
		}
		// The API's 「下一条」 for station B's dissuader: nothing of station A.
		if b := f.do(t, "POST", "/api/v1/warnings/next", "offB", ""); b.status != http.StatusNotFound || !strings.Contains(b.body, "nothing_waiting") {
			t.Fatalf("station B's 下一条: %d %s", b.status, b.body)
		}
		// Station A's: the same warning until a contact is recorded, then
		// the next row, with its reason.
		if b := f.do(t, "POST", "/api/v1/warnings/next", "offA", ""); !strings.Contains(b.body, `"resumed":true`) || !strings.Contains(b.body, "乙九分") {
			t.Fatalf("下一条 during a call in progress: %d %s", b.status, b.body)
		}
		if b := f.do(t, "POST", "/api/v1/warnings/"+strconv.FormatInt(w.ID, 10)+"/contacts", "offA", `{"method":"call","result":"reached"}`); b.status != http.StatusCreated {
			t.Fatalf("contact: %d %s", b.status, b.body)
		}
		b := f.do(t, "POST", "/api/v1/warnings/next", "offA", "")
		if b.status != http.StatusOK || !strings.Contains(b.body, "丙超时") || !strings.Contains(b.body, `"why":"预计可挽回`) {
			t.Fatalf("station A's API 下一条: %d %s", b.status, b.body)
		}
	})
}

// pathTail is the record id at the end of a redirect like /warnings/12?flash=….
func pathTail(t *testing.T, loc string) int64 {
	t.Helper()
	loc, _, _ = strings.Cut(loc, "?")
	id, err := strconv.ParseInt(loc[strings.LastIndex(loc, "/")+1:], 10, 64)
	if err != nil {
		t.Fatalf("redirect %q names no record", loc)
	}
	return id
}

// Item 15 of issue 19: the handover picker shows each officer's station,
// whether on duty now and open load, with the warning's station's officers
// on duty first and chosen by default.
func TestHandoverPickerStationDutyLoad(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		now := time.Now()
		duty := f.addUser(t, auth.NewUser{Username: "offA2", DisplayName: "孙在班", Role: auth.RoleDissuader, AreaID: f.stA.ID})
		if _, err := d.Exec(ctx, `INSERT INTO duty_shifts (user_id, area_id, duty, starts_at, ends_at, source, created_at) VALUES (?,?,'dissuader',?,?,'manual',?)`,
			duty, f.stA.ID, db.Millis(now.Add(-time.Hour)), db.Millis(now.Add(time.Hour)), db.Millis(now)); err != nil {
			t.Fatal(err)
		}
		busy := f.addWarning(t, "钱负载", 0, now.Add(time.Hour), time.Time{})
		if _, err := d.Exec(ctx, `UPDATE warnings SET assignee_id = (SELECT id FROM users WHERE username = 'offB') WHERE id = ?`, busy); err != nil {
			t.Fatal(err)
		}
		if _, err := d.Exec(ctx, `UPDATE warnings SET contact_due_at = ? WHERE id = ?`, db.Millis(now.Add(time.Hour)), f.warningA); err != nil {
			t.Fatal(err)
		}
		c := newConsoleClient(t, f.srv.URL)
		c.login("admin", "secret-admin")
		a := c.get("/warnings/" + itoa(f.warningA))
		checkHTML(t, "/warnings/"+itoa(f.warningA), a)
		m := regexp.MustCompile(`(?s)<select name="to_user_id" id="handover-to">(.*?)</select>`).FindStringSubmatch(a.body)
		if m == nil {
			t.Fatalf("no handover picker")
		}
		opts := regexp.MustCompile(`<option value="(\d+)"( selected)?>([^<]*)</option>`).FindAllStringSubmatch(m[1], -1)
		if len(opts) < 3 {
			t.Fatalf("picker options: %q", m[1])
		}
		if opts[0][1] != itoa(duty) || opts[0][2] == "" || opts[0][3] != "孙在班 · 青石派出所 · 在班 · 在办 0 条" {
			t.Errorf("first option %q, want the station's on-duty officer selected", opts[0])
		}
		if !strings.Contains(m[1], "offB · 城关派出所 · 不在班 · 在办 1 条") {
			t.Errorf("other station's officer without station, duty or load: %q", m[1])
		}
		last := opts[len(opts)-1]
		if last[1] != "0" || last[2] != "" {
			t.Errorf("交回中心 should be last and not chosen: %q", last)
		}
	})
}

// Item 13 of issue 19: on a phone (390 px) 我的预警 keeps 期限, 等级, 当事人
// and 类型 in view — the other columns are optional (hidden by .opt), the
// board table fits the width and wraps instead of running off the screen;
// the dissuader's home page starts with 我的预警; a phone number shown in
// full is a tel: link.
func TestPhoneLayoutMineHomeTel(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		if _, err := d.Exec(ctx, `UPDATE warnings SET assignee_id = (SELECT id FROM users WHERE username = 'offA'), contact_due_at = ? WHERE id = ?`,
			db.Millis(time.Now().Add(time.Hour)), f.warningA); err != nil {
			t.Fatal(err)
		}
		c := newConsoleClient(t, f.srv.URL)
		c.login("offA", "secret-offA")

		a := c.get("/warnings/mine")
		checkHTML(t, "/warnings/mine", a)
		for _, h := range []string{`<th>期限</th>`, `<th>等级</th>`, `<th>当事人</th>`, `<th>类型</th>`, `<th class="opt">辖区</th>`, `<th class="opt">劝阻员</th>`, `<th class="opt">接收</th>`} {
			if !strings.Contains(a.body, h) {
				t.Errorf("我的预警 header %s missing", h)
			}
		}
		css, err := os.ReadFile(filepath.Join("..", "static", "console.css"))
		if err != nil {
			t.Fatal(err)
		}
		phone := string(css[strings.Index(string(css), "@media (max-width: 760px)"):])
		for _, rule := range []string{"th.opt, td.opt { display: none; }", "table.board { display: table;", "table.board td { white-space: normal;"} {
			if !strings.Contains(phone, rule) {
				t.Errorf("phone CSS lacks %q", rule)
			}
		}

		a = c.get("/")
		checkHTML(t, "/", a)
		i := strings.Index(a.body, `id="home-mine"`)
		j := strings.Index(a.body, `<div class="cards"`)
		if j < 0 {
			j = strings.Index(a.body, `<div class="tiles"`)
		}
		if i < 0 || j < 0 || i > j || !strings.Contains(a.body[i:], ">王秀英</a>") {
			t.Errorf("dissuader's home does not start with 我的预警 (at %d, figures at %d)", i, j)
		}

		if a := c.get("/warnings/" + itoa(f.warningA)); strings.Contains(a.body, "tel:") {
			t.Errorf("masked phone is a link")
		}
		a = c.get("/warnings/" + itoa(f.warningA) + "?unmask=1")
		if !strings.Contains(a.body, `<a href="tel:`+phoneA+`">`+phoneA+`</a>`) {
			t.Errorf("full phone number is not a tel: link: %s", regexp.MustCompile(`id="person-phone">[^\n]*`).FindString(a.body))
		}
	})
}

// Item 7 of issue 19: one warning typed in at the console (a 96110 call)
// goes through the intake and answers with the warning and a link; a
// second one about the same person is merged; a bad entry is refused in
// Chinese with the typed values kept.
func TestConsoleNewWarningForm(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		c := newConsoleClient(t, f.srv.URL)
		c.login("admin", "secret-admin")
		a := c.get("/warnings/new")
		checkHTML(t, "/warnings/new", a)
		ref := regexp.MustCompile(`name="source_ref" value="([^"]+)"`).FindStringSubmatch(a.body)
		if ref == nil {
			t.Fatalf("no prefilled source reference")
		}
		form := url.Values{"csrf_token": {c.csrf()}, "source": {"hotline"}, "source_ref": {ref[1]}, "grade": {"high"},
			"name": {"周桂兰"}, "phone": {"13698765432"}, "address": {"云溪县青石镇李家村3组12号"}, "fraud_type": {""},
			"amount": {"5万"}, "scam_phone": {"17100001111"}, "text": {"来电称冒充公检法要求转账到安全账户"}}
		a = c.post("/warnings/new", form)
		checkHTML(t, "/warnings/new", a)
		m := regexp.MustCompile(`已新建预警</b> <a href="/warnings/(\d+)">#(\d+)</a>`).FindStringSubmatch(a.body)
		if a.status != http.StatusOK || m == nil || m[1] != m[2] {
			t.Fatalf("typed-in warning not answered with its link: %d %s", a.status, regexp.MustCompile(`(?s)<main.*?</form>`).FindString(a.body))
		}
		var name, source string
		var amount int64
		if err := d.QueryRow(context.Background(), `SELECT person_name, source, amount_fen FROM warnings WHERE id = ?`, m[1]).Scan(&name, &source, &amount); err != nil {
			t.Fatal(err)
		}
		if name != "周桂兰" || source != "hotline" || amount != 5000000 {
			t.Errorf("stored %s %s %d", name, source, amount)
		}
		// The same form sent again is a duplicate, not a second warning.
		if a = c.post("/warnings/new", form); !strings.Contains(a.body, "已录入过") {
			t.Errorf("resubmitted form not a duplicate")
		}
		// Another call about the same person joins the open warning.
		form.Set("source_ref", "96110-0002")
		if a = c.post("/warnings/new", form); !strings.Contains(a.body, `已并入</b> <a href="/warnings/`+m[1]+`">`) {
			t.Errorf("second call not merged into #%s", m[1])
		}
		// A bad phone number: refused in Chinese, typed values kept.
		form.Set("source_ref", "96110-0003")
		form.Set("phone", "138")
		a = c.post("/warnings/new", form)
		if a.status != http.StatusUnprocessableEntity || !strings.Contains(a.body, "不是有效号码") ||
			!strings.Contains(a.body, `name="name" value="周桂兰"`) || !strings.Contains(a.body, `name="phone" value="138"`) ||
			!strings.Contains(a.body, "来电称冒充公检法要求转账到安全账户</textarea>") {
			t.Errorf("validation error not shown with the typed values: %d %s", a.status, regexp.MustCompile(`(?s)<main.*?</form>`).FindString(a.body))
		}
		form.Set("amount", "五块")
		if a = c.post("/warnings/new", form); !strings.Contains(a.body, "涉及金额") || !strings.Contains(a.body, `value="五块"`) {
			t.Errorf("bad amount not explained")
		}
		// Who may not write warnings gets no form.
		l := newConsoleClient(t, f.srv.URL)
		l.login("leader", "secret-leader")
		if a := l.get("/warnings/new"); a.status != http.StatusForbidden {
			t.Errorf("leader: %d", a.status)
		}
		for _, path := range []string{"/warnings", "/warnings/list"} {
			if a := c.get(path); !strings.Contains(a.body, `href="/warnings/new"`) {
				t.Errorf("%s offers no 录入预警 to who may write", path)
			}
			if a := l.get(path); a.status != http.StatusOK || strings.Contains(a.body, `href="/warnings/new"`) {
				t.Errorf("%s offers 录入预警 to the leader (%d)", path, a.status)
			}
		}
	})
}
