package server

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/db/dbtest"
	"github.com/fanzha/fanzha/internal/web"
)

// areasFixture is an empty 清河县 (code 439901, as setup creates it) with an
// admin and a station officer, served by a test server.
type areasFixture struct {
	d      *db.DB
	srv    *httptest.Server
	root   area.Node
	tokens map[string]string
}

func newAreasFixture(t *testing.T, d *db.DB) *areasFixture {
	t.Helper()
	ctx := context.Background()
	auth.BcryptCost = 4
	f := &areasFixture{d: d, tokens: map[string]string{}}
	f.root = area.Node{Level: area.County, Kind: "县", Code: "439901", Name: "清河县"}
	if err := area.Create(ctx, d, &f.root); err != nil {
		t.Fatal(err)
	}
	for _, u := range []struct {
		name string
		role auth.Role
	}{{"admin", auth.RoleAdmin}, {"duty", auth.RoleDuty}} {
		us, err := auth.CreateUser(ctx, d, auth.NewUser{Username: u.name, Role: u.role, AreaID: f.root.ID, Password: "secret-" + u.name})
		if err != nil {
			t.Fatal(err)
		}
		tok, _, err := auth.CreateToken(ctx, d, us.ID, "test", time.Now())
		if err != nil {
			t.Fatal(err)
		}
		f.tokens[u.name] = tok
	}
	twoFactorOptional(t, d) // password-only logins (login_security_test.go)
	s := New(web.Config{DB: d, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	s.SetReady(true)
	f.srv = httptest.NewServer(s.Handler())
	t.Cleanup(f.srv.Close)
	return f
}

func testdataFile(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "area", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestAreasConsole(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := newAreasFixture(t, d)
		c := newConsoleClient(t, f.srv.URL)
		c.login("admin", "secret-admin")
		csrf := c.csrf()

		a := c.get("/admin/areas")
		checkHTML(t, "/admin/areas", a)
		for _, want := range []string{`id="areas-import"`, `name="file"`, `id="areas-export-csv"`, `id="areas-export-xlsx"`, `id="area-add"`, `辖区树还是空的`} {
			if !strings.Contains(a.body, want) {
				t.Errorf("tree page lacks %s", want)
			}
		}

		// The GBK file with a bad row: reported, nothing imported.
		a = c.upload("/admin/areas/import", csrf, "county-tree-bad-gbk.csv", testdataFile(t, "county-tree-bad-gbk.csv"), nil)
		checkHTML(t, "import bad", a)
		if a.status != http.StatusUnprocessableEntity || !strings.Contains(a.body, `id="import-report"`) {
			t.Fatalf("bad import: %d %.500s", a.status, a.body)
		}
		bad := regexp.MustCompile(`<tr class="bad-row"><td class="num">(\d+)</td>`).FindAllStringSubmatch(a.body, -1)
		if len(bad) != 1 || bad[0][1] != "20" || !strings.Contains(a.body, "上级代码 439901300000 不存在") {
			t.Fatalf("bad rows %v", bad)
		}
		var n int
		_ = d.QueryRow(ctx, `SELECT COUNT(*) FROM areas`).Scan(&n)
		if n != 1 {
			t.Fatalf("%d areas after a refused import", n)
		}

		// Oversize: refused with a Chinese message before anything is parsed.
		a = c.upload("/admin/areas/import", csrf, "big.csv", bytes.Repeat([]byte("x"), web.MaxTreeUpload+1), nil)
		if a.status != http.StatusRequestEntityTooLarge || !strings.Contains(a.body, "不超过 10 MB") {
			t.Errorf("oversize upload: %d", a.status)
		}

		// The .xlsx: imported, a flash with the counts.
		a = c.upload("/admin/areas/import", csrf, "county-tree.xlsx", testdataFile(t, "county-tree.xlsx"), nil)
		if a.status != http.StatusSeeOther {
			t.Fatalf("import: %d %.500s", a.status, a.body)
		}
		loc, _ := url.Parse(a.location)
		if flash := loc.Query().Get("flash"); !strings.Contains(flash, "新增 29") || !strings.Contains(flash, "村社区 20") {
			t.Errorf("flash %q", flash)
		}
		a = c.get(a.location)
		checkHTML(t, "tree", a)
		if !strings.Contains(a.body, "杏林村") || !strings.Contains(a.body, `class="flash"`) {
			t.Errorf("tree after import lacks the village or the flash")
		}

		// Exports.
		a = c.get("/admin/areas/export.csv")
		if a.status != 200 || !strings.HasPrefix(a.body, "\uFEFF代码,上级代码,级别,名称,别名,人口,老年人,未成年人,学生") || strings.Count(a.body, "\n") != 30 {
			t.Errorf("csv export %d %.200s", a.status, a.body)
		}
		a = c.get("/admin/areas/export.xlsx")
		if a.status != 200 || !strings.HasPrefix(a.body, "PK") || !strings.Contains(a.header.Get("Content-Disposition"), "attachment") {
			t.Errorf("xlsx export %d %v", a.status, a.header)
		}

		// Add a cell under 杏林村, then edit, move, merge, retire.
		xl, _ := area.ByCode(ctx, d, "439901100201")
		a = c.post("/admin/areas", url.Values{"csrf_token": {csrf}, "parent_id": {itoa(xl.ID)}, "code": {"XL-G1"}, "name": {"杏林第一网格"},
			"aliases": {"一网格"}, "population": {"500"}})
		if a.status != http.StatusSeeOther {
			t.Fatalf("add: %d %.300s", a.status, a.body)
		}
		cell, err := area.ByCode(ctx, d, "XL-G1")
		if err != nil || cell.FullName != "清河县柳湾镇杏林村杏林第一网格" {
			t.Fatalf("cell %+v %v", cell, err)
		}
		a = c.get("/admin/areas/" + itoa(xl.ID))
		checkHTML(t, "node", a)
		for _, want := range []string{`id="area-edit"`, `id="area-move"`, `id="area-merge"`, `id="area-retire"`, `name="into_id"`, `name="parent_id"`, `杏林第一网格`} {
			if !strings.Contains(a.body, want) {
				t.Errorf("node page lacks %s", want)
			}
		}
		a = c.post("/admin/areas/"+itoa(xl.ID), url.Values{"csrf_token": {csrf}, "name": {"杏林村"}, "aliases": {"杏林；杏花岭"},
			"population": {"2400"}, "elderly": {"600"}, "minors": {"300"}, "students": {"200"}})
		if a.status != http.StatusSeeOther {
			t.Fatalf("edit: %d %.300s", a.status, a.body)
		}
		if x, _ := area.Get(ctx, d, xl.ID); x.Aliases != "杏林|杏花岭" || x.Population != 2400 {
			t.Errorf("edited %+v", x)
		}
		bad2 := c.post("/admin/areas/"+itoa(xl.ID), url.Values{"csrf_token": {csrf}, "name": {"杏林村"}, "population": {"10"}, "elderly": {"20"}})
		if bad2.status != http.StatusBadRequest || !strings.Contains(bad2.body, "多于人口") {
			t.Errorf("bad edit: %d", bad2.status)
		}
		sg, _ := area.ByCode(ctx, d, "439901101000")
		a = c.post("/admin/areas/"+itoa(xl.ID)+"/move", url.Values{"csrf_token": {csrf}, "parent_id": {itoa(sg.ID)}})
		if a.status != http.StatusSeeOther {
			t.Fatalf("move: %d %.300s", a.status, a.body)
		}
		if x, _ := area.Get(ctx, d, cell.ID); x.FullName != "清河县松岗镇杏林村杏林第一网格" {
			t.Errorf("cell after move %q", x.FullName)
		}
		ht, _ := area.ByCode(ctx, d, "439901100202")
		a = c.post("/admin/areas/"+itoa(ht.ID)+"/merge", url.Values{"csrf_token": {csrf}, "into_id": {itoa(xl.ID)}})
		if a.status != http.StatusSeeOther || !strings.Contains(a.location, "/admin/areas/"+itoa(xl.ID)) {
			t.Fatalf("merge: %d %.300s", a.status, a.body)
		}
		a = c.get("/admin/areas/" + itoa(ht.ID))
		if !strings.Contains(a.body, `id="area-retired"`) || !strings.Contains(a.body, "已并入") || strings.Contains(a.body, `id="area-edit"`) {
			t.Errorf("merged node page")
		}
		a = c.post("/admin/areas/"+itoa(xl.ID)+"/retire", url.Values{"csrf_token": {csrf}})
		if a.status != http.StatusSeeOther {
			t.Fatalf("retire: %d %.300s", a.status, a.body)
		}
		a = c.post("/admin/areas/"+itoa(f.root.ID)+"/retire", url.Values{"csrf_token": {csrf}})
		if a.status != http.StatusBadRequest {
			t.Errorf("retire root: %d", a.status)
		}
		a = c.get("/admin/areas?retired=1")
		if !strings.Contains(a.body, "已撤销") {
			t.Error("retired nodes not shown")
		}
		// Without the CSRF token: refused.
		if a := c.post("/admin/areas/"+itoa(xl.ID)+"/retire", url.Values{}); a.status != http.StatusForbidden {
			t.Errorf("no csrf: %d", a.status)
		}

		// A duty officer may look, not change.
		dc := newConsoleClient(t, f.srv.URL)
		dc.login("duty", "secret-duty")
		a = dc.get("/admin/areas")
		if a.status != 200 || strings.Contains(a.body, `id="areas-import"`) || strings.Contains(a.body, `id="area-add"`) {
			t.Errorf("duty view: %d", a.status)
		}
		if a := dc.upload("/admin/areas/import", dc.csrf(), "t.csv", testdataFile(t, "county-tree.csv"), nil); a.status != http.StatusForbidden {
			t.Errorf("duty import: %d", a.status)
		}
	})
}

func TestAreasAPI(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := newAreasFixture(t, d)
		send := func(method, path, user, ctype string, body []byte) answer {
			req, _ := http.NewRequest(method, f.srv.URL+path, bytes.NewReader(body))
			if ctype != "" {
				req.Header.Set("Content-Type", ctype)
			}
			return (&fixture{tokens: f.tokens}).send(t, req, user)
		}
		a := send("POST", "/api/v1/areas/import?name=bad.csv", "admin", "text/csv", testdataFile(t, "county-tree-bad-gbk.csv"))
		if a.status != http.StatusUnprocessableEntity || a.json["stored"] != false || !strings.Contains(a.body, `"row":20`) {
			t.Fatalf("bad import %d %s", a.status, a.body)
		}
		if a := send("POST", "/api/v1/areas/import", "duty", "text/csv", testdataFile(t, "county-tree.csv")); a.status != http.StatusForbidden {
			t.Errorf("duty import %d", a.status)
		}
		big := bytes.Repeat([]byte("x"), web.MaxTreeUpload+10)
		if a := send("POST", "/api/v1/areas/import", "admin", "text/csv", big); a.status != http.StatusRequestEntityTooLarge || !strings.Contains(a.body, "10 MB") {
			t.Errorf("oversize %d %.200s", a.status, a.body)
		}
		a = send("POST", "/api/v1/areas/import?name=tree.csv", "admin", "text/csv", testdataFile(t, "county-tree.csv"))
		if a.status != 200 || a.json["created"] != float64(29) {
			t.Fatalf("import %d %s", a.status, a.body)
		}
		a = send("GET", "/api/v1/areas/export?format=csv", "duty", "", nil)
		if a.status != 200 || !strings.Contains(a.body, "杏林村") {
			t.Errorf("export %d", a.status)
		}
		xl, _ := area.ByCode(ctx, d, "439901100201")
		a = send("POST", "/api/v1/areas", "admin", "application/json", []byte(`{"parent_id":`+itoa(xl.ID)+`,"code":"G-9","name":"九号网格","population":10}`))
		if a.status != http.StatusCreated {
			t.Fatalf("add %d %s", a.status, a.body)
		}
		a = send("PATCH", "/api/v1/areas/"+itoa(xl.ID), "admin", "application/json", []byte(`{"name":"杏林村","aliases":"杏林;杏花坪","population":2316}`))
		if a.status != 200 || !strings.Contains(a.body, "杏林|杏花坪") {
			t.Errorf("patch %d %s", a.status, a.body)
		}
		tw, _ := area.ByCode(ctx, d, "439901200000")
		a = send("POST", "/api/v1/areas/"+itoa(xl.ID)+"/move", "admin", "application/json", []byte(`{"parent_id":`+itoa(tw.ID)+`}`))
		if a.status != 200 {
			t.Errorf("move %d %s", a.status, a.body)
		}
		gl, _ := area.ByCode(ctx, d, "439901200203")
		a = send("POST", "/api/v1/areas/"+itoa(gl.ID)+"/merge", "admin", "application/json", []byte(`{"into_id":`+itoa(xl.ID)+`}`))
		if a.status != 200 {
			t.Errorf("merge %d %s", a.status, a.body)
		}
		a = send("POST", "/api/v1/areas/"+itoa(xl.ID)+"/retire", "admin", "", nil)
		if a.status != 200 || a.json["retired"] != float64(2) {
			t.Errorf("retire %d %s", a.status, a.body)
		}
	})
}

func TestAreasBoundaries(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newAreasFixture(t, d)
		c := newConsoleClient(t, f.srv.URL)
		c.login("admin", "secret-admin")
		csrf := c.csrf()
		if a := c.upload("/admin/areas/import", csrf, "county-tree.csv", testdataFile(t, "county-tree.csv"), nil); a.status != http.StatusSeeOther {
			t.Fatalf("import %d", a.status)
		}
		sq := func(lon, lat float64) string {
			return fmt.Sprintf(`{"type":"Polygon","coordinates":[[[%g,%g],[%g,%g],[%g,%g],[%g,%g],[%g,%g]]]}`,
				lon, lat, lon+0.1, lat, lon+0.1, lat+0.1, lon, lat+0.1, lon, lat)
		}
		feat := func(code, geom string) string {
			return `{"type":"Feature","properties":{"code":"` + code + `"},"geometry":` + geom + `}`
		}
		bad := `{"type":"FeatureCollection","features":[` + feat("439901-PCS01", sq(112.9, 28.2)) + `,` + feat("NOPE", sq(113, 28.2)) + `]}`
		a := c.upload("/admin/areas/boundaries", csrf, "bad.geojson", []byte(bad), nil)
		checkHTML(t, "boundaries bad", a)
		if a.status != http.StatusUnprocessableEntity || strings.Count(a.body, `class="bad-feature"`) != 1 || !strings.Contains(a.body, "NOPE") {
			t.Fatalf("bad boundaries %d", a.status)
		}
		good := `{"type":"FeatureCollection","features":[` + feat("439901-PCS01", sq(112.9, 28.2)) + `,` + feat("439901-PCS02", sq(113, 28.2)) + `,` +
			feat("439901-PCS03", sq(112.9, 28.3)) + `]}`
		a = c.upload("/admin/areas/boundaries", csrf, "county.geojson", []byte(good), nil)
		if a.status != http.StatusSeeOther || !strings.Contains(a.location, "flash=") {
			t.Fatalf("boundaries %d %.300s", a.status, a.body)
		}
		dash := (&fixture{tokens: f.tokens}).send(t, mustReq("GET", f.srv.URL+"/api/v1/dashboard"), "admin")
		var body struct {
			Stations []struct {
				Name    string       `json:"name"`
				Polygon [][2]float64 `json:"polygon"`
			} `json:"stations"`
		}
		if err := json.Unmarshal([]byte(dash.body), &body); err != nil || len(body.Stations) != 3 {
			t.Fatalf("dashboard %d %v %.300s", dash.status, err, dash.body)
		}
		for _, s := range body.Stations {
			if len(s.Polygon) != 4 {
				t.Errorf("%s polygon %v", s.Name, s.Polygon)
			}
		}
		// 北山 (north) is drawn above (smaller y) 城南.
		if body.Stations[2].Polygon[0][1] >= body.Stations[0].Polygon[0][1] {
			t.Errorf("north station not above: %v vs %v", body.Stations[2].Polygon, body.Stations[0].Polygon)
		}
	})
}

func mustReq(method, u string) *http.Request {
	req, _ := http.NewRequest(method, u, nil)
	return req
}

// A large tree (more than 2,000 rows) lists the first two levels below the
// county and opens the rest node by node: the towns show how many villages
// they hold behind 展开, and opening one lists its villages and no other's.
func TestAreasConsoleLargeTreeFolds(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newAreasFixture(t, d)
		c := newConsoleClient(t, f.srv.URL)
		c.login("admin", "secret-admin")
		var b strings.Builder
		b.WriteString("代码,上级代码,级别,名称\n439901-PCS01,439901,派出所,城南派出所\n")
		for i := 1; i <= 30; i++ {
			town := fmt.Sprintf("439901%03d000", i)
			fmt.Fprintf(&b, "%s,439901-PCS01,乡镇街道,镇%02d\n", town, i)
			for j := 1; j <= 70; j++ {
				fmt.Fprintf(&b, "439901%03d%03d,%s,村社区,镇%02d村%02d\n", i, j, town, i, j)
			}
		}
		if a := c.upload("/admin/areas/import", c.csrf(), "big-tree.csv", []byte(b.String()), nil); a.status != http.StatusSeeOther {
			t.Fatalf("import: %d %.500s", a.status, a.body)
		}
		a := c.get("/admin/areas")
		checkHTML(t, "/admin/areas", a)
		// Neither the table nor the parents offered list all 2,100 villages.
		if a.status != 200 || !strings.Contains(a.body, `id="areas-folded"`) || !strings.Contains(a.body, ">镇30</a>") ||
			strings.Contains(a.body, "镇01村01") || strings.Count(a.body, `>展开（70）</a>`) != 30 || !strings.Contains(a.body, "镇30（乡镇）</option>") {
			t.Fatalf("large tree not folded below the towns: %d, %d rows, %d options", a.status, strings.Count(a.body, "<tr id="), strings.Count(a.body, "<option"))
		}
		var town int64
		if err := d.QueryRow(context.Background(), `SELECT id FROM areas WHERE code = '439901002000'`).Scan(&town); err != nil {
			t.Fatal(err)
		}
		o := c.get(fmt.Sprintf("/admin/areas?open=%d", town))
		if o.status != 200 || !strings.Contains(o.body, ">镇02村70</a>") || strings.Contains(o.body, "镇01村01") || strings.Count(o.body, `>展开（70）</a>`) != 29 {
			t.Fatalf("opened town: %d, 镇02村70 %v", o.status, strings.Contains(o.body, "镇02村70"))
		}
	})
}
