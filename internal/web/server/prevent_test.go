package server

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/db/dbtest"
	"github.com/fanzha/fanzha/internal/web"
	"github.com/fanzha/fanzha/internal/zone"
)

// villages adds a town and two villages under station A and one under B.
func (f *fixture) villages(t *testing.T) (vA1, vA2, vB area.Node) {
	t.Helper()
	ctx := context.Background()
	mk := func(n *area.Node) {
		if err := area.Create(ctx, f.d, n); err != nil {
			t.Fatal(err)
		}
	}
	town := area.Node{ParentID: f.stA.ID, Level: area.Town, Code: "TA", Name: "青石镇", Population: 3000}
	mk(&town)
	vA1 = area.Node{ParentID: town.ID, Level: area.Village, Code: "VA1", Name: "东村", Population: 1200, Elderly: 300}
	mk(&vA1)
	vA2 = area.Node{ParentID: town.ID, Level: area.Village, Code: "VA2", Name: "西村", Population: 800, Elderly: 200}
	mk(&vA2)
	townB := area.Node{ParentID: f.stB.ID, Level: area.Town, Code: "TB", Name: "城关街道"}
	mk(&townB)
	vB = area.Node{ParentID: townB.ID, Level: area.Village, Code: "VB", Name: "百花社区", Population: 900}
	mk(&vB)
	return
}

func photoPNG() []byte {
	var b bytes.Buffer
	_ = png.Encode(&b, image.NewGray(image.Rect(0, 0, 3, 3)))
	return b.Bytes()
}

func (f *fixture) multipart(t *testing.T, user string, fields url.Values, photos ...[]byte) answer {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, vs := range fields {
		for _, v := range vs {
			_ = mw.WriteField(k, v)
		}
	}
	for _, p := range photos {
		w, _ := mw.CreateFormFile("photos", "现场.png")
		_, _ = w.Write(p)
	}
	_ = mw.Close()
	req, _ := http.NewRequest("POST", f.srv.URL+"/api/v1/prevention/events", &body)
	req.Header.Set("Authorization", "Bearer "+f.tokens[user])
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var buf bytes.Buffer
	_, _ = buf.ReadFrom(resp.Body)
	a := answer{status: resp.StatusCode, body: buf.String()}
	_ = web.JSONUnmarshal(buf.Bytes(), &a.json)
	return a
}

// Prevention through the API: a grid worker uploads an event with a photo
// in their area and sees only their own events; officers of another station
// do not see it; partners may not touch prevention; coverage, surveys,
// targeting answer; bulletins come as JSON, Excel (audited) and a print page.
func TestPreventionAndBulletinAPI(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		vA1, vA2, vB := f.villages(t)
		at := time.Now().Add(-2 * time.Hour).UTC().Format(time.RFC3339)
		fields := url.Values{"area_id": {itoa(vA1.ID)}, "kind": {"door_to_door"}, "title": {"入户宣传"}, "at": {at},
			"audience": {"elderly"}, "fraud_types": {"police,health"}, "reached": {"35"}, "leaflets": {"40"}, "organiser_kind": {"grid_worker"}}
		a := f.multipart(t, "grid", fields, photoPNG())
		if a.status != 201 {
			t.Fatalf("grid upload: %d %s", a.status, a.body)
		}
		id := int64(a.json["id"].(float64))
		photos := a.json["photos"].([]any)
		if len(photos) != 1 || photos[0].(map[string]any)["content_type"] != "image/png" {
			t.Fatalf("photos %v", photos)
		}
		pid := int64(photos[0].(map[string]any)["id"].(float64))
		// Outside the grid worker's area, a text file as photo, no audience.
		bad := url.Values{}
		for k, v := range fields {
			bad[k] = v
		}
		bad.Set("area_id", itoa(vB.ID))
		if a := f.multipart(t, "grid", bad); a.status != 404 {
			t.Errorf("outside the area: %d %s", a.status, a.body)
		}
		if a := f.multipart(t, "grid", fields, []byte("hello, not an image")); a.status != 400 || !strings.Contains(a.body, "不是 JPEG") {
			t.Errorf("text photo: %d %s", a.status, a.body)
		}
		// An officer of station A logs one by JSON.
		if a := f.do(t, "POST", "/api/v1/prevention/events", "offA", `{"area_id":`+itoa(vA2.ID)+`,"kind":"lecture","at":"`+at+
			`","title":"讲座","audience":["students"],"reached":80,"fraud_types":["game"]}`); a.status != 201 {
			t.Fatalf("JSON event: %d %s", a.status, a.body)
		}
		ev := "/api/v1/prevention/events/" + itoa(id)
		ph := "/api/v1/prevention/photos/" + itoa(pid)
		for _, c := range []struct {
			user, path string
			want       int
		}{
			{"grid", ev, 200}, {"offA", ev, 200}, {"offB", ev, 404}, {"admin", ev, 200}, {"bank", ev, 403},
			{"grid", ph, 200}, {"offB", ph, 404}, {"bank", ph, 403},
			{"bank", "/api/v1/prevention/coverage", 403}, {"leader", "/api/v1/prevention/coverage", 200},
			{"grid", "/api/v1/prevention/targeting", 200}, {"offB", "/api/v1/prevention/coverage?area_id=" + itoa(vA1.ID), 404},
			{"leader", "/api/v1/bulletins/report?kind=monthly", 200}, {"grid", "/api/v1/bulletins/report", 403},
			{"bank", "/api/v1/dashboard", 403}, {"leader", "/api/v1/dashboard", 200},
			{"leader", "/api/v1/bulletins/report?kind=yearly", 400}, {"leader", "/api/v1/bulletins/report?kind=custom", 400},
		} {
			if a := f.do(t, "GET", c.path, c.user, ""); a.status != c.want {
				t.Errorf("%s GET %s: %d, want %d: %.200s", c.user, c.path, a.status, c.want, a.body)
			}
		}
		// The grid worker's list has their own event only; the officer's both.
		if a := f.do(t, "GET", "/api/v1/prevention/events", "grid", ""); len(a.json["events"].([]any)) != 1 {
			t.Errorf("grid list: %s", a.body)
		}
		if a := f.do(t, "GET", "/api/v1/prevention/events", "offA", ""); len(a.json["events"].([]any)) != 2 {
			t.Errorf("officer list: %s", a.body)
		}
		cov := f.do(t, "GET", "/api/v1/prevention/coverage?area_id="+itoa(f.stA.ID), "offA", "")
		if cov.json["events"].(float64) != 2 || cov.json["people"].(float64) != 115 || cov.json["villages_reached"].(float64) != 2 {
			t.Errorf("coverage %s", cov.body)
		}
		// Surveys.
		if a := f.do(t, "POST", "/api/v1/prevention/surveys", "offA", `{"area_id":`+itoa(vA1.ID)+`,"day":"`+time.Now().In(zone.Shanghai).Format("2006-01-02")+
			`","sample":200,"aware":150}`); a.status != 201 {
			t.Errorf("survey: %d %s", a.status, a.body)
		}
		if a := f.do(t, "GET", "/api/v1/prevention/surveys", "leader", ""); !strings.Contains(a.body, `"aware_permille":750`) {
			t.Errorf("survey trend: %s", a.body)
		}
		// Bulletins: JSON tables, Excel export audited, schedule admin only.
		b := f.do(t, "GET", "/api/v1/bulletins/report?kind=custom&from="+time.Now().In(zone.Shanghai).AddDate(0, 0, -3).Format("2006-01-02"), "leader", "")
		if b.status != 200 || len(b.json["tables"].([]any)) != 7 { // … 六、打击战果, 七、考核排名
			t.Fatalf("bulletin: %d %.300s", b.status, b.body)
		}
		req, _ := http.NewRequest("GET", f.srv.URL+"/api/v1/bulletins/report.xlsx?kind=weekly", nil)
		req.Header.Set("Authorization", "Bearer "+f.tokens["leader"])
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Content-Type"), "spreadsheetml") {
			t.Errorf("xlsx: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		var exports int
		_ = d.QueryRow(context.Background(), `SELECT COUNT(*) FROM audit_log WHERE action = 'export' AND object_type = 'bulletin'`).Scan(&exports)
		if exports != 1 {
			t.Errorf("bulletin exports audited: %d", exports)
		}
		if a := f.do(t, "PUT", "/api/v1/bulletins/schedule", "leader", `{"daily_hour":6}`); a.status != 403 {
			t.Errorf("leader sets the hour: %d", a.status)
		}
		if a := f.do(t, "PUT", "/api/v1/bulletins/schedule", "admin", `{"daily_hour":6}`); a.status != 200 {
			t.Errorf("admin sets the hour: %d %s", a.status, a.body)
		}
		if a := f.do(t, "GET", "/api/v1/bulletins/schedule", "leader", ""); a.json["daily_hour"].(float64) != 6 {
			t.Errorf("hour: %s", a.body)
		}
		dash := f.do(t, "GET", "/api/v1/dashboard", "leader", "")
		if st := dash.json["stations"].([]any); len(st) != 2 {
			t.Errorf("dashboard stations: %s", dash.body)
		}
	})
}

// The console pages of prevention, bulletins and the dashboard render for
// the roles that may see them, with no template leftovers and no inline
// scripts; the grid worker's form posts an event.
func TestPreventionConsolePages(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		vA1, _, _ := f.villages(t)
		admin := newConsoleClient(t, f.srv.URL)
		admin.login("admin", "secret-admin")
		checkPages(t, admin, "admin", []pageCheck{
			{"/prevention", 200, []string{"宣传防范", "登记活动", "覆盖情况"}},
			{"/prevention/new", 200, []string{"登记宣传活动", "东村", "冒充公检法", "老年人"}},
			{"/prevention/coverage", 200, []string{"宣传覆盖", "coverage-map", "东村", "各村/社区明细（3 个）", "未覆盖"}},
			{"/prevention/surveys", 200, []string{"知晓率调查"}},
			{"/prevention/targeting", 200, []string{"精准滴灌"}},
			{"/bulletins", 200, []string{"研判通报", "生成通报", "打开大屏"}},
			{"/bulletins/report?kind=monthly", 200, []string{"研判月报", "一、总体情况", "立案数（起）", "按受害人年龄段", "同比"}},
			{"/bulletins/report?kind=daily&area_id=" + itoa(f.stA.ID), 200, []string{"青石派出所", "研判日报", "按区域", "青石镇"}},
			{"/dashboard", 200, []string{"反诈大屏", "dash-map"}},
		})
		grid := newConsoleClient(t, f.srv.URL)
		grid.login("grid", "secret-grid")
		checkPages(t, grid, "grid", []pageCheck{
			{"/prevention/new", 200, []string{"登记宣传活动", `value="grid_worker" selected`}},
			{"/bulletins/report?kind=monthly", 403, nil},
			{"/dashboard", 403, nil},
		})
		form := url.Values{"csrf_token": {grid.csrf()}, "area_id": {itoa(vA1.ID)}, "kind": {"stall"}, "title": {"摆摊宣传"},
			"at": {time.Now().In(zone.Shanghai).Add(-time.Hour).Format("2006-01-02T15:04")}, "audience": {"general", "elderly"}, "reached": {"120"}}
		a := grid.post("/prevention/events", form)
		if a.status != http.StatusSeeOther || !strings.HasPrefix(a.location, "/prevention/events/") {
			t.Fatalf("form post: %d %s %.300s", a.status, a.location, a.body)
		}
		page := grid.get(strings.SplitN(a.location, "?", 2)[0])
		checkHTML(t, a.location, page)
		if !strings.Contains(page.body, "摆摊宣传") || !strings.Contains(page.body, "普通群众、老年人") {
			t.Errorf("event page: %.500s", page.body)
		}
		// A form without the CSRF token is refused.
		delete(form, "csrf_token")
		if a := grid.post("/prevention/events", form); a.status != http.StatusForbidden {
			t.Errorf("no CSRF: %d", a.status)
		}
	})
}
