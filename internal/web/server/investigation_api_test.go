package server

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/db/dbtest"
	"github.com/fanzha/fanzha/internal/zone"
)

// The case lifecycle through the API, as station A's investigator works
// caseA: 受理, a refused jump, 立案 waiting for approval and approved by the
// station's head, 破案 refused (422, Chinese) until a suspect is caught and
// detained, then done; station B sees none of it; the strike figures of
// station A count it.
func TestCaseLifecycleAPI(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		f.addUser(t, auth.NewUser{Username: "invA", Role: auth.RoleInvestigator, AreaID: f.stA.ID})
		f.addUser(t, auth.NewUser{Username: "invB", Role: auth.RoleInvestigator, AreaID: f.stB.ID})
		f.addUser(t, auth.NewUser{Username: "headA", Role: auth.RoleStationHead, AreaID: f.stA.ID})
		f.addUser(t, auth.NewUser{Username: "headB", Role: auth.RoleStationHead, AreaID: f.stB.ID})
		c := "/api/v1/cases/" + itoa(f.caseA)
		state := func() (string, bool) {
			t.Helper()
			a := f.do(t, "GET", c+"/lifecycle", "invA", "")
			if a.status != 200 {
				t.Fatalf("lifecycle: %d %s", a.status, a.body)
			}
			st := a.json["state"].(map[string]any)
			return st["state"].(string), st["pending"] != nil
		}
		step := func(user, body string, want int) answer {
			t.Helper()
			a := f.do(t, "POST", c+"/steps", user, body)
			if a.status != want {
				t.Fatalf("%s step %s: %d, want %d: %s", user, body, a.status, want, a.body)
			}
			return a
		}

		if s, _ := state(); s != "reported" {
			t.Fatalf("a new case is %q, want reported (接报)", s)
		}
		if a := step("invA", `{"action":"accept","doc_no":"受案字001号"}`, 201); a.json["status"] != "done" || a.json["to"] != "accepted" {
			t.Fatalf("accept: %s", a.body)
		}
		if a := step("invA", `{"action":"investigate"}`, 409); !strings.Contains(a.json["error"].(string), "不能直接“开始侦查”") {
			t.Fatalf("jump refused without saying why: %s", a.body)
		}
		step("offA", `{"action":"file","doc_no":"立字12号"}`, 403) // a dissuader
		step("invA", `{"action":"file"}`, 400)                  // 立案决定书 number missing
		step("invB", `{"action":"file","doc_no":"立字12号"}`, 404) // another station's case
		if a := step("invA", `{"action":"file","doc_no":"立字12号","reason":"经审查，电话 13812345678 涉案"}`, 201); a.json["status"] != "pending" {
			t.Fatalf("立案 needs a leader's approval by default: %s", a.body)
		}
		if s, pending := state(); s != "accepted" || !pending {
			t.Fatalf("a pending 立案 moved the case: %s pending=%v", s, pending)
		}
		// The leader's list; numbers in the reason masked.
		a := f.do(t, "GET", "/api/v1/approvals", "leader", "")
		var ap approvalsJSON
		if err := json.Unmarshal([]byte(a.body), &ap); err != nil || len(ap.Approvals) != 1 || ap.Approvals[0].CaseID != f.caseA ||
			ap.Approvals[0].Action != "file" || strings.Contains(a.body, "13812345678") {
			t.Fatalf("approvals: %v %s", err, a.body)
		}
		if a := f.do(t, "GET", "/api/v1/approvals", "headB", ""); a.status != 200 || strings.Contains(a.body, `"case_id"`) {
			t.Fatalf("station B's head sees station A's approval: %s", a.body)
		}
		if a := f.do(t, "POST", c+"/steps/decision", "invA", `{"approve":true}`); a.status != 403 {
			t.Fatalf("an investigator approved: %d %s", a.status, a.body)
		}
		if a := f.do(t, "POST", c+"/steps/decision", "headB", `{"approve":true}`); a.status != 404 {
			t.Fatalf("station B's head approved station A's case: %d %s", a.status, a.body)
		}
		if a := f.do(t, "POST", c+"/steps/decision", "headA", `{"approve":true}`); a.status != 200 || a.json["status"] != "done" {
			t.Fatalf("approve: %d %s", a.status, a.body)
		}
		if s, pending := state(); s != "filed" || pending {
			t.Fatalf("approved 立案: %s pending=%v", s, pending)
		}
		// Dated today: taken now, after the steps taken earlier today.
		step("invA", `{"action":"investigate","at":"`+time.Now().In(zone.Shanghai).Format("2006-01-02")+`"}`, 201)

		// 破案 without a disposed suspect: a rule refusal in Chinese.
		a = step("invA", `{"action":"solve"}`, 422)
		if a.json["code"] != "no_disposed_suspect" || !strings.Contains(a.json["error"].(string), "破案须至少有一名犯罪嫌疑人已被抓获或处理") {
			t.Fatalf("solve refusal: %s", a.body)
		}
		// A suspect, caught then detained.
		a = f.do(t, "POST", c+"/suspects", "invA", `{"name":"邝德胜","id_number":"430102199001011234","phones":["13500417762"],"role":"mule"}`)
		if a.status != 201 {
			t.Fatalf("add suspect: %d %s", a.status, a.body)
		}
		sid := itoa(int64(a.json["id"].(float64)))
		if a := f.do(t, "POST", c+"/suspects", "offA", `{"name":"x","role":"mule"}`); a.status != 403 {
			t.Fatalf("a dissuader added a suspect: %d", a.status)
		}
		disp := c + "/suspects/" + sid + "/dispositions"
		if a := f.do(t, "POST", disp, "invA", `{"kind":"detained"}`); a.status/100 != 4 {
			t.Fatalf("刑事拘留 before 抓获 taken: %d %s", a.status, a.body)
		}
		if a := f.do(t, "POST", disp, "invA", `{"kind":"caught","unit":"青石派出所","place":"汽车站"}`); a.status != 201 {
			t.Fatalf("caught: %d %s", a.status, a.body)
		}
		if a := f.do(t, "POST", disp, "invA", `{"kind":"detained","doc_no":"拘字3号"}`); a.status != 201 {
			t.Fatalf("detained: %d %s", a.status, a.body)
		}
		if a := f.do(t, "POST", disp, "invB", `{"kind":"arrested"}`); a.status != 404 {
			t.Fatalf("station B disposed of station A's suspect: %d", a.status)
		}
		if a := step("invA", `{"action":"solve","doc_no":"破案报告1号"}`, 201); a.json["status"] != "done" {
			t.Fatalf("solve: %s", a.body)
		}
		if s, _ := state(); s != "solved" {
			t.Fatalf("after 破案: %s", s)
		}
		if a := f.do(t, "GET", c, "invA", ""); a.json["status"] != "solved" {
			t.Fatalf("the case's coarse status after 破案: %v", a.json["status"])
		}
		a = f.do(t, "GET", c+"/lifecycle", "invA", "")
		var lc struct {
			History []struct {
				Action, Status string
			} `json:"history"`
		}
		_ = json.Unmarshal([]byte(a.body), &lc)
		if len(lc.History) != 4 || lc.History[1].Action != "file" || lc.History[1].Status != "done" || lc.History[3].Action != "solve" {
			t.Fatalf("history: %s", a.body)
		}

		// Suspects: masked by default, in full only when asked (audited).
		a = f.do(t, "GET", c+"/suspects", "invA", "")
		if a.status != 200 || strings.Contains(a.body, "13500417762") || strings.Contains(a.body, "430102199001011234") ||
			!strings.Contains(a.body, "刑事拘留") || !strings.Contains(a.body, "取款人") {
			t.Fatalf("case suspects: %d %s", a.status, a.body)
		}
		a = f.do(t, "GET", "/api/v1/suspects/"+sid+"?unmask=1", "invA", "")
		if a.status != 200 || !strings.Contains(a.body, "13500417762") {
			t.Fatalf("unmasked suspect: %d %s", a.status, a.body)
		}
		var unmasks int
		_ = d.QueryRow(context.Background(), `SELECT COUNT(*) FROM audit_log WHERE action = 'unmask' AND object_type = 'suspect' AND object_id = ?`, sid).Scan(&unmasks)
		if unmasks != 1 {
			t.Fatalf("unmasked suspect audited %d times", unmasks)
		}
		for _, p := range []string{c + "/lifecycle", c + "/suspects", "/api/v1/suspects/" + sid} {
			if a := f.do(t, "GET", p, "invB", ""); a.status != 404 || strings.Contains(a.body, "邝") {
				t.Fatalf("station B reads %s: %d %s", p, a.status, a.body)
			}
		}

		// The strike figures of station A this month: 立案 1, 破案 1,
		// 刑事打击 1, 抓获 1 (a 取款人); nothing before, so no percentage.
		a = f.do(t, "GET", "/api/v1/figures/strike?node="+itoa(f.stA.ID), "leader", "")
		var sf strikeJSON
		if err := json.Unmarshal([]byte(a.body), &sf); err != nil || a.status != 200 {
			t.Fatalf("strike figures: %d %v %s", a.status, err, a.body)
		}
		got := map[string]int64{}
		for _, r := range sf.Rows {
			got[r.Key] = r.Current
			if r.Previous != 0 || r.YoY.Text != "—" {
				t.Fatalf("row %s: %+v", r.Key, r)
			}
		}
		want := map[string]int64{"filed": 1, "solved": 1, "criminal": 1, "administrative": 0, "caught": 1, "gangs": 0, "role.mule": 1, "role.organiser": 0}
		for k, v := range want {
			if got[k] != v {
				t.Errorf("strike %s = %d, want %d (%s)", k, got[k], v, a.body)
			}
		}
		if sf.NodeName == "" || !sf.Previous.To.Equal(sf.Period.From) {
			t.Errorf("strike windows: %s", a.body)
		}
		if a := f.do(t, "GET", "/api/v1/figures/strike?node="+itoa(f.stB.ID), "leader", ""); a.status != 200 || strings.Contains(a.body, `"current":1`) {
			t.Errorf("station B's figures count station A's case: %s", a.body)
		}
		if a := f.do(t, "GET", "/api/v1/figures/strike?node="+itoa(f.stA.ID), "invB", ""); a.status != 404 {
			t.Errorf("station B's investigator read station A's figures: %d", a.status)
		}
		if a := f.do(t, "GET", "/api/v1/figures/strike?from=2026-12-01", "leader", ""); a.status != 400 {
			t.Errorf("from without to: %d", a.status)
		}
	})
}

type approvalsJSON struct {
	Approvals []struct {
		CaseID int64  `json:"case_id"`
		Action string `json:"action"`
	} `json:"approvals"`
}

type strikeJSON struct {
	NodeName string `json:"node_name"`
	Period   struct {
		From, To time.Time
	} `json:"period"`
	Previous struct {
		From, To time.Time
	} `json:"previous"`
	Rows []struct {
		Key      string `json:"key"`
		Current  int64  `json:"current"`
		Previous int64  `json:"previous"`
		YoY      struct {
			Text string `json:"text"`
		} `json:"yoy"`
	} `json:"rows"`
}
