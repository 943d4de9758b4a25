package server

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/db/dbtest"
)

// provinceIntelFixture puts the intel fixture's county under a city of a
// province (with a second city and county holding nothing), and adds
// analysts at the province (anP, password "x") and at the second city (anC2).
func provinceIntelFixture(t *testing.T, d *db.DB) (f *fixture, county2 area.Node) {
	t.Helper()
	ctx := context.Background()
	mk := func(n area.Node) area.Node {
		t.Helper()
		if err := area.Create(ctx, d, &n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	prov := mk(area.Node{Level: area.Province, Kind: "省", Code: "430000", Name: "湘南省", FullName: "湘南省"})
	city1 := mk(area.Node{ParentID: prov.ID, Level: area.City, Kind: "市", Code: "439900", Name: "云州市"})
	city2 := mk(area.Node{ParentID: prov.ID, Level: area.City, Kind: "市", Code: "439800", Name: "石州市"})
	county2 = mk(area.Node{ParentID: city2.ID, Level: area.County, Kind: "县", Code: "439801", Name: "石门县"})
	f = intelFixtureUnder(t, d, city1.ID)
	f.addUser(t, auth.NewUser{Username: "anP", Role: auth.RoleAnalyst, AreaID: prov.ID})
	f.addUser(t, auth.NewUser{Username: "anC2", Role: auth.RoleAnalyst, AreaID: city2.ID})
	return f, county2
}

// A province's analyst works on the graph county by county: without a
// county the API answers the Chinese reason, with one of the province's
// counties the groups and expansion of that county; a county outside the
// caller's tree (or a station given as county) is not found.
func TestIntelGraphProvinceAPI(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f, county2 := provinceIntelFixture(t, d)
		var id int64
		_ = d.QueryRow(context.Background(), `SELECT id FROM accounts WHERE number = ?`, muleA).Scan(&id)
		county := itoa(f.root.ID)

		a := f.do(t, "GET", "/api/v1/intel/groups", "anP", "")
		if a.status == http.StatusOK || a.status >= 500 || !strings.Contains(a.body, "请选择一个县查看") {
			t.Fatalf("province groups without county: %d %.300s", a.status, a.body)
		}
		a = f.do(t, "GET", "/api/v1/intel/groups?county="+county, "anP", "")
		if a.status != http.StatusOK || !strings.Contains(a.body, `"case_no":"AJ-1"`) {
			t.Fatalf("province groups of the county: %d %.500s", a.status, a.body)
		}
		a = f.do(t, "GET", "/api/v1/intel/graph/expand?county="+county+"&account="+itoa(id), "anP", "")
		if a.status != http.StatusOK || !strings.Contains(a.body, `"nodes"`) || strings.Contains(a.body, muleA) {
			t.Fatalf("province expansion in the county: %d %.500s", a.status, a.body)
		}
		// The other city's analyst: its own empty county answers, the
		// first city's county (and a station) are not found.
		if a := f.do(t, "GET", "/api/v1/intel/groups?county="+itoa(county2.ID), "anC2", ""); a.status != http.StatusOK || strings.Contains(a.body, "AJ-1") {
			t.Fatalf("city 2 own county: %d %.300s", a.status, a.body)
		}
		for _, c := range []string{county, itoa(f.stA.ID)} {
			if a := f.do(t, "GET", "/api/v1/intel/groups?county="+c, "anC2", ""); a.status != http.StatusNotFound {
				t.Fatalf("city 2 asking county %s: %d %.300s", c, a.status, a.body)
			}
		}
		if a := f.do(t, "GET", "/api/v1/intel/groups?county="+itoa(f.stA.ID), "anP", ""); a.status != http.StatusNotFound {
			t.Fatalf("a station as county: %d", a.status)
		}
		// A county user's graph is unchanged by the parameter.
		if a := f.do(t, "GET", "/api/v1/intel/groups", "anA", ""); a.status != http.StatusOK || !strings.Contains(a.body, "AJ-1") {
			t.Fatalf("station analyst groups: %d %.300s", a.status, a.body)
		}
		// The account reads without a graph link instead of failing.
		a = f.do(t, "GET", "/api/v1/intel/accounts/"+itoa(id), "anP", "")
		if a.status != http.StatusOK || strings.Contains(a.body, "graph_ref") {
			t.Fatalf("province account: %d %.300s", a.status, a.body)
		}
	})
}

// The console: a province's analyst is offered the counties of the
// province, sees the chosen county's groups with links that keep the
// county, opens a group, and reads an account without a graph link.
func TestIntelGraphProvincePages(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f, county2 := provinceIntelFixture(t, d)
		var id int64
		_ = d.QueryRow(context.Background(), `SELECT id FROM accounts WHERE number = ?`, muleA).Scan(&id)
		c := newConsoleClient(t, f.srv.URL)
		c.login("anP", "x")
		a := c.get("/intel/groups")
		if a.status != 200 || !strings.Contains(a.body, `id="county-picker"`) || !strings.Contains(a.body, "请选择一个县查看") ||
			!strings.Contains(a.body, `<option value="`+itoa(f.root.ID)+`">云溪县</option>`) ||
			!strings.Contains(a.body, `<option value="`+itoa(county2.ID)+`">石门县</option>`) || strings.Contains(a.body, `id="groups"`) {
			t.Fatalf("province groups page without county: %d %.1500s", a.status, a.body)
		}
		checkHTML(t, "/intel/groups", a)
		q := "?county=" + itoa(f.root.ID)
		a = c.get("/intel/groups" + q)
		if a.status != 200 || !strings.Contains(a.body, ">AJ-1</a>") || !strings.Contains(a.body, `value="`+itoa(f.root.ID)+`" selected`) {
			t.Fatalf("province groups page of the county: %d %.1500s", a.status, a.body)
		}
		checkHTML(t, "/intel/groups"+q, a)
		m := strings.Index(a.body, `href="/intel/groups/`)
		ref := a.body[m+len(`href="/intel/groups/`):]
		ref = ref[:strings.Index(ref, `"`)]
		if !strings.HasSuffix(ref, q) {
			t.Fatalf("group link loses the county: %s", ref)
		}
		g := c.get("/intel/groups/" + ref)
		if g.status != 200 || !strings.Contains(g.body, "AJ-1") {
			t.Fatalf("province group page: %d %.300s", g.status, g.body)
		}
		// Its graph link stays in the county, and the graph page hands the
		// county to the expansion it runs.
		gl := "/intel/graph?node=" + strings.TrimSuffix(ref, q) + "&county=" + itoa(f.root.ID)
		if !strings.Contains(g.body, `href="`+gl+`"`) {
			i := strings.Index(g.body, "/intel/graph?")
			t.Fatalf("group page graph link without the county (want %s): %.200s", gl, g.body[max(i, 0):])
		}
		if gp := c.get(gl); gp.status != 200 || !strings.Contains(gp.body, `data-county="`+itoa(f.root.ID)+`"`) {
			t.Fatalf("graph page: %d %.800s", gp.status, gp.body)
		}
		acc := c.get("/intel/accounts/" + itoa(id))
		if acc.status != 200 || strings.Contains(acc.body, `id="open-graph"`) || strings.Contains(acc.body, muleA) ||
			!strings.Contains(acc.body, `id="county-picker"`) || !strings.Contains(acc.body, `id="pick-county"`) {
			t.Fatalf("province account page: %d %.500s", acc.status, acc.body)
		}
		// With the county picked, the account's graph and group links
		// open in that county; in a county without it, the page says so.
		acc = c.get("/intel/accounts/" + itoa(id) + q)
		if acc.status != 200 || !strings.Contains(acc.body, `value="`+itoa(f.root.ID)+`" selected`) ||
			!strings.Contains(acc.body, `id="open-graph" href="/intel/graph?node=`) || !strings.Contains(acc.body, `&county=`+itoa(f.root.ID)+`">在关系图谱中展开`) {
			t.Fatalf("province account page in the county: %d %.1500s", acc.status, acc.body)
		}
		checkHTML(t, "/intel/accounts/"+itoa(id)+q, acc)
		acc = c.get("/intel/accounts/" + itoa(id) + "?county=" + itoa(county2.ID))
		if acc.status != 200 || strings.Contains(acc.body, `id="open-graph"`) || !strings.Contains(acc.body, `id="not-in-county"`) {
			t.Fatalf("province account page in another county: %d %.800s", acc.status, acc.body)
		}
		// Another city's analyst is offered only its own county.
		c2 := newConsoleClient(t, f.srv.URL)
		c2.login("anC2", "x")
		if a := c2.get("/intel/groups"); a.status != 200 || strings.Contains(a.body, "云溪县") || !strings.Contains(a.body, "石门县") {
			t.Fatalf("city 2 picker: %d %.800s", a.status, a.body)
		}
		if a := c2.get("/intel/groups" + q); a.status != 404 {
			t.Fatalf("city 2 opening county 1: %d", a.status)
		}
	})
}
