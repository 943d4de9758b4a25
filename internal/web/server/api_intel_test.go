package server

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/db/dbtest"
	"github.com/fanzha/fanzha/internal/funds"
	"github.com/fanzha/fanzha/internal/intel"
)

const muleA = "6222000011112222"

// intelFixture adds analysts of stations A and B to the small county, a
// mule account paid by case A's victim with its statement (imported by
// analyst A), and scores it.
func intelFixture(t *testing.T, d *db.DB) *fixture {
	t.Helper()
	return intelFixtureUnder(t, d, 0)
}

// intelFixtureUnder is intelFixture with its county under the node parent.
func intelFixtureUnder(t *testing.T, d *db.DB, parent int64) *fixture {
	t.Helper()
	ctx := context.Background()
	f := newFixtureUnder(t, d, parent)
	for name, st := range map[string]int64{"anA": f.stA.ID, "anB": f.stB.ID} {
		u, err := auth.CreateUser(ctx, d, auth.NewUser{Username: name, Role: auth.RoleAnalyst, AreaID: st, Password: "secret-" + name})
		if err != nil {
			t.Fatal(err)
		}
		tok, _, err := auth.CreateToken(ctx, d, u.ID, "test", time.Now())
		if err != nil {
			t.Fatal(err)
		}
		f.tokens[name] = tok
	}
	var vid, uid int64
	_ = d.QueryRow(ctx, `SELECT id FROM victims WHERE case_id = ?`, f.caseA).Scan(&vid)
	_ = d.QueryRow(ctx, `SELECT id FROM users WHERE username = 'anA'`).Scan(&uid)
	if _, err := d.Exec(ctx, `INSERT INTO case_transfers (case_id, victim_id, at, from_account, to_account, amount_fen) VALUES (?,?,?,?,?,?)`,
		f.caseA, vid, db.Millis(time.Now()), "6217000000000001", muleA, 5_000_000); err != nil {
		t.Fatal(err)
	}
	stmt := "账号,交易时间,交易金额,余额,对方账号,摘要,IP地址\n" +
		muleA + ",2026-10-01 10:00:00,50000.00,50000.00,6217000000000001,转账,113.1.2.3\n"
	for i, c := range []string{"6230000000000001", "6230000000000002", "6230000000000001", "6230000000000002", "6230000000000001"} {
		stmt += muleA + ",2026-10-01 10:0" + string(rune('1'+i)) + ":00,-9990.00,,"
		stmt += c + ",转账,113.1.2.3\n"
	}
	if rep, err := funds.ImportStatement(ctx, d, "s.csv", strings.NewReader(stmt), funds.ImportOptions{Mapping: "signed", UserID: uid}); err != nil || rep.Bad != 0 {
		t.Fatalf("import: %+v %v", rep, err)
	}
	if a := f.do(t, "POST", "/api/v1/intel/rescore", "anA", ""); a.status != 200 {
		t.Fatalf("rescore: %d %s", a.status, a.body)
	}
	return f
}

func TestIntelAPIAccessAndJurisdiction(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := intelFixture(t, d)
		var id int64
		_ = d.QueryRow(context.Background(), `SELECT id FROM accounts WHERE number = ?`, muleA).Scan(&id)
		acct := "/api/v1/intel/accounts/" + itoa(id)
		const ok, forbidden, notFound = 200, 403, 404
		roles := []string{"admin", "anA", "anB", "leader", "offA", "bank"}
		for _, m := range []struct {
			path string
			want []int
		}{
			{"/api/v1/intel/watch", []int{ok, ok, ok, ok, forbidden, forbidden}},
			{acct, []int{ok, ok, notFound, ok, forbidden, forbidden}},
			{acct + "?unmask=1", []int{ok, ok, notFound, forbidden, forbidden, forbidden}},
			{"/api/v1/intel/graph/expand?account=" + itoa(id) + "&hops=2", []int{ok, ok, notFound, ok, forbidden, forbidden}},
			{"/api/v1/intel/groups", []int{ok, ok, ok, ok, forbidden, forbidden}},
			{"/api/v1/intel/outlets", []int{ok, ok, ok, ok, forbidden, forbidden}},
			{"/api/v1/intel/cases/" + itoa(f.caseA) + "/linked", []int{ok, ok, ok, ok, forbidden, forbidden}},
			{"/api/v1/intel/weights", []int{ok, ok, ok, ok, forbidden, forbidden}},
		} {
			for i, role := range roles {
				if a := f.do(t, "GET", m.path, role, ""); a.status != m.want[i] {
					t.Errorf("%s GET %s: %d, want %d: %.200s", role, m.path, a.status, m.want[i], a.body)
				}
			}
		}
		// The watch list: masked by default, the explanation adds up, and
		// station B's analyst does not see station A's mule.
		a := f.do(t, "GET", "/api/v1/intel/watch", "anA", "")
		var wl struct {
			Items []struct {
				Subject string  `json:"subject"`
				Score   float64 `json:"score"`
				Explain []struct {
					Points float64 `json:"points"`
				} `json:"explain"`
			} `json:"items"`
		}
		_ = json.Unmarshal([]byte(a.body), &wl)
		if len(wl.Items) == 0 || wl.Items[0].Subject != "**** 2222" || strings.Contains(a.body, muleA) {
			t.Fatalf("watch list of anA: %.300s", a.body)
		}
		var sum float64
		for _, c := range wl.Items[0].Explain {
			sum += c.Points
		}
		if d := sum - wl.Items[0].Score; d > 1e-6 || d < -1e-6 {
			t.Fatalf("explanation %v, score %v", sum, wl.Items[0].Score)
		}
		if a := f.do(t, "GET", "/api/v1/intel/watch", "anB", ""); strings.Contains(a.body, "2222") {
			t.Fatalf("station B sees station A's account: %.300s", a.body)
		}
		// Unmasking is audited (once in the matrix above, once here).
		if a := f.do(t, "GET", acct+"?unmask=1", "anA", ""); !strings.Contains(a.body, muleA) {
			t.Fatalf("unmasked read lacks the number")
		}
		var n int
		_ = d.QueryRow(context.Background(), `SELECT COUNT(*) FROM audit_log WHERE action = 'unmask' AND username = 'anA'`).Scan(&n)
		if n != 2 {
			t.Fatalf("%d unmask audit lines", n)
		}
		// The expansion reaches case A within two hops and carries evidence.
		a = f.do(t, "GET", "/api/v1/intel/graph/expand?account="+itoa(id)+"&hops=2", "anA", "")
		if !strings.Contains(a.body, `"case_id":`+itoa(f.caseA)) || !strings.Contains(a.body, "受害人转入") || strings.Contains(a.body, muleA) {
			t.Fatalf("expansion: %.500s", a.body)
		}
		if a := f.do(t, "GET", "/api/v1/intel/graph/expand?account="+itoa(id)+"&types=nope", "anA", ""); a.status != 400 {
			t.Fatalf("bad type filter: %d", a.status)
		}
		// Writes: analysts and admin only, labels audited.
		body := `{"account_id":` + itoa(id) + `,"label":"mule","note":"供述"}`
		for role, want := range map[string]int{"offA": forbidden, "leader": forbidden, "anB": notFound, "anA": http.StatusCreated} {
			if a := f.do(t, "POST", "/api/v1/intel/labels", role, body); a.status != want {
				t.Errorf("%s label: %d, want %d: %s", role, a.status, want, a.body)
			}
		}
		if a := f.do(t, "POST", "/api/v1/intel/labels", "anA", `{"account_id":`+itoa(id)+`,"label":"maybe"}`); a.status != 400 {
			t.Errorf("bad label: %d", a.status)
		}
		_ = d.QueryRow(context.Background(), `SELECT COUNT(*) FROM audit_log WHERE object_type = 'intel_account'`).Scan(&n)
		if n != 1 {
			t.Fatalf("%d label audit lines", n)
		}
		if a := f.do(t, "POST", "/api/v1/intel/fit?dry_run=1", "anA", ""); a.status != 422 {
			t.Fatalf("fit with one class: %d %s", a.status, a.body)
		}
		// The outlet export is an audited Excel file.
		a = f.do(t, "GET", "/api/v1/intel/outlets/export", "admin", "")
		if a.status != 200 || !strings.HasPrefix(a.body, "PK") {
			t.Fatalf("export: %d", a.status)
		}
	})
}

func TestIntelConsolePages(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := intelFixture(t, d)
		var id int64
		_ = d.QueryRow(context.Background(), `SELECT id FROM accounts WHERE number = ?`, muleA).Scan(&id)
		c := newConsoleClient(t, f.srv.URL)
		c.login("anA", "secret-anA")
		for _, p := range []string{"/intel", "/intel/watch", "/intel/accounts/" + itoa(id), "/intel/graph?account=" + itoa(id), "/intel/groups", "/intel/outlets"} {
			a := c.get(p)
			if a.status != 200 {
				t.Fatalf("%s: %d %.300s", p, a.status, a.body)
			}
			checkHTML(t, p, a)
			if strings.Contains(a.body, muleA) {
				t.Fatalf("%s shows the full number", p)
			}
		}
		groups := c.get("/intel/groups").body
		// The list speaks Chinese and names cases by their numbers.
		if !strings.Contains(groups, " 个") || !strings.Contains(groups, "银行卡 ") || strings.Contains(groups, ">card ") ||
			!strings.Contains(groups, ">AJ-1</a>") || strings.Contains(groups, ">#") {
			t.Fatalf("group list not in Chinese or without case numbers: %.1500s", groups)
		}
		// Scores state their scale.
		if w := c.get("/intel/watch").body; !strings.Contains(w, "得分（各依据分值之和，达 40 分入关注名单）") {
			t.Fatalf("watch list score without its scale: %.800s", w)
		}
		m := strings.Index(groups, `href="/intel/groups/`)
		if m < 0 {
			t.Fatalf("no group listed: %.500s", groups)
		}
		ref := groups[m+len(`href="/intel/groups/`):]
		ref = ref[:strings.Index(ref, `"`)]
		if a := c.get("/intel/groups/" + ref); a.status != 200 || !strings.Contains(a.body, "AJ-1") {
			t.Fatalf("group page: %d %.300s", a.status, a.body)
		}
		// Label through the form, then rescore through the form.
		a := c.post("/intel/accounts/"+itoa(id)+"/label", url.Values{"csrf_token": {c.csrf()}, "label": {"cleared"}})
		if a.status != http.StatusSeeOther {
			t.Fatalf("label form: %d %.300s", a.status, a.body)
		}
		if !strings.Contains(c.get("/intel/accounts/"+itoa(id)).body, "已排除") {
			t.Fatal("label not shown")
		}
		if a := c.post("/intel/rescore", url.Values{"csrf_token": {c.csrf()}}); a.status != http.StatusSeeOther {
			t.Fatalf("rescore form: %d", a.status)
		}
		// The group link taken before the rescore still opens the group,
		// and its reference is the one stored for the database (the same
		// on every replica and after a restart).
		if a := c.get("/intel/groups/" + ref); a.status != 200 || !strings.Contains(a.body, "AJ-1") {
			t.Fatalf("group page after rescore: %d %.300s", a.status, a.body)
		}
		if a := c.get("/intel/groups"); !strings.Contains(a.body, `href="/intel/groups/`+ref+`"`) {
			t.Fatalf("group list after rescore lost the reference %s", ref)
		}
		if r, err := intel.EntityRef(context.Background(), d, intel.Entity{Type: intel.TCard, Key: muleA}); err != nil ||
			!strings.Contains(c.get("/intel/accounts/"+itoa(id)).body, `href="/intel/groups/`+r+`"`) {
			t.Fatalf("account page group link is not the stored reference: %v", err)
		}
		// Station B's analyst gets the 404 page for station A's account.
		cb := newConsoleClient(t, f.srv.URL)
		cb.login("anB", "secret-anB")
		if a := cb.get("/intel/accounts/" + itoa(id)); a.status != 404 {
			t.Fatalf("anB account page: %d", a.status)
		}
	})
}

// A group page lists at most 200 members, those with most links first,
// and says how many more there are.
func TestIntelGroupPageCap(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := intelFixture(t, d)
		ctx := context.Background()
		var uid int64
		_ = d.QueryRow(ctx, `SELECT id FROM users WHERE username = 'anA'`).Scan(&uid)
		// A ring of 230 accounts dealing with each other: each pays 30
		// others, so every pair shares many counterparties.
		const n = 230
		acct := func(i int) string { return fmt.Sprintf("62250000%08d", i) }
		r := rand.New(rand.NewPCG(7, 7))
		var b strings.Builder
		b.WriteString("账号,交易时间,交易金额,余额,对方账号,摘要\n")
		at := time.Date(2026, 10, 1, 8, 0, 0, 0, time.UTC)
		for i := 0; i < n; i++ {
			for k := 0; k < 30; k++ {
				j := r.IntN(n)
				if j == i {
					continue
				}
				at = at.Add(time.Minute)
				fmt.Fprintf(&b, "%s,%s,-%d.00,,%s,转账\n", acct(i), at.Format("2006-01-02 15:04:05"), 1000+r.IntN(9000), acct(j))
			}
		}
		if rep, err := funds.ImportStatement(ctx, d, "ring.csv", strings.NewReader(b.String()), funds.ImportOptions{Mapping: "signed", UserID: uid}); err != nil || rep.Bad != 0 {
			t.Fatalf("import: %+v %v", rep, err)
		}
		c := newConsoleClient(t, f.srv.URL)
		c.login("anA", "secret-anA")
		groups := c.get("/intel/groups").body
		m := strings.Index(groups, `href="/intel/groups/`)
		if m < 0 {
			t.Fatalf("no group listed: %.500s", groups)
		}
		ref := groups[m+len(`href="/intel/groups/`):]
		ref = ref[:strings.Index(ref, `"`)]
		a := c.get("/intel/groups/" + ref)
		if a.status != 200 {
			t.Fatalf("group page: %d", a.status)
		}
		checkHTML(t, "/intel/groups/"+ref, a)
		body := a.body
		tbl := body[strings.Index(body, `id="group-members"`):]
		tbl = tbl[:strings.Index(tbl, "</table>")]
		if rows := strings.Count(tbl, "<tr>") - 1; rows != 200 { // minus the header row
			t.Fatalf("%d member rows, want 200", rows)
		}
		if !strings.Contains(body, fmt.Sprintf("仅列出前 200 个成员，共 %d 个，另有 %d 个未列出", n, n-200)) {
			t.Fatalf("the page does not say how many members are not listed: %.400s", body[strings.Index(body, "<h2>成员"):])
		}
		if !strings.Contains(body, `id="links-more"`) {
			t.Fatal("the page does not say how many links are not listed")
		}
		// The API gives every member.
		var d2 struct {
			Size  int `json:"size"`
			Nodes []struct {
				Ref string `json:"ref"`
			} `json:"nodes"`
		}
		resp := f.do(t, "GET", "/api/v1/intel/groups/"+ref, "anA", "")
		if err := json.Unmarshal([]byte(resp.body), &d2); err != nil || d2.Size != n || len(d2.Nodes) != n {
			t.Fatalf("API group: size %d, %d nodes, %v", d2.Size, len(d2.Nodes), err)
		}
	})
}
