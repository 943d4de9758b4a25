package server

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/db/dbtest"
	"github.com/fanzha/fanzha/internal/funds"
)

// A case without an investigator says 未指派 and can be assigned on its page
// among the investigators of its station and the centre (audited); the
// list filters 未指派 and 我的案件; a case opened for a station goes to its
// investigator on duty.
func TestCaseInvestigatorAssign(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFreezeFixture(t, d)
		ctx := context.Background()
		centre := f.addUser(t, auth.NewUser{Username: "invC", DisplayName: "中心侦查员", Role: auth.RoleInvestigator, AreaID: f.root.ID, Password: "secret-invC"})
		c := newConsoleClient(t, f.srv.URL)
		c.login("invA", "secret-invA")
		caseURL := "/cases/" + itoa(f.caseA)
		pg := c.get(caseURL)
		checkHTML(t, "case page", pg)
		if pg.status != 200 || !strings.Contains(pg.body, "未指派") || !strings.Contains(pg.body, `action="/cases/`+itoa(f.caseA)+`/investigator"`) ||
			!strings.Contains(pg.body, "中心侦查员（反诈中心") || strings.Contains(pg.body, ">invB（") {
			t.Fatalf("case page without investigator: %d %.4000s", pg.status, pg.body)
		}
		if l := c.get("/cases?who=none"); !strings.Contains(l.body, "AJ-1") || !strings.Contains(l.body, "未指派") {
			t.Fatalf("未指派 filter: %.2000s", l.body)
		}
		var invA, invB int64
		_ = d.QueryRow(ctx, `SELECT id FROM users WHERE username = 'invA'`).Scan(&invA)
		_ = d.QueryRow(ctx, `SELECT id FROM users WHERE username = 'invB'`).Scan(&invB)
		if r := c.post(caseURL+"/investigator", url.Values{"csrf_token": {c.csrf()}, "investigator_id": {itoa(invB)}}); r.status != 400 && r.status != 422 {
			t.Fatalf("another station's investigator assigned: %d", r.status)
		}
		if r := c.post(caseURL+"/investigator", url.Values{"csrf_token": {c.csrf()}, "investigator_id": {itoa(centre)}}); r.status != 200 && r.status != 303 {
			t.Fatalf("assign the centre's investigator: %d %.300s", r.status, r.body)
		}
		if r := c.post(caseURL+"/investigator", url.Values{"csrf_token": {c.csrf()}, "investigator_id": {itoa(invA)}}); r.status != 200 && r.status != 303 {
			t.Fatalf("assign: %d %.300s", r.status, r.body)
		}
		var inv int64
		var audits int
		_ = d.QueryRow(ctx, `SELECT COALESCE(investigator_id, 0) FROM cases WHERE id = ?`, f.caseA).Scan(&inv)
		_ = d.QueryRow(ctx, `SELECT COUNT(*) FROM audit_log WHERE object_type = 'case' AND object_id = ? AND action = ?`, itoa(f.caseA), auth.AuditUpdate).Scan(&audits)
		if inv != invA || audits != 2 {
			t.Fatalf("investigator %d (want %d), %d audit rows", inv, invA, audits)
		}
		if l := c.get("/cases?who=mine"); !strings.Contains(l.body, "AJ-1") {
			t.Fatalf("我的案件: %.2000s", l.body)
		}
		if l := c.get("/cases?who=none"); strings.Contains(l.body, "AJ-1") {
			t.Fatalf("an assigned case listed as 未指派: %.2000s", l.body)
		}
		if tl := c.get(caseURL + "/returns"); !strings.Contains(tl.body, "指派办案民警") {
			t.Fatalf("timeline lacks the assignment: %.3000s", tl.body)
		}

		// Station A's investigator on duty takes a new case of the station.
		now := time.Now()
		if _, err := d.Exec(ctx, `INSERT INTO duty_shifts (user_id, area_id, duty, starts_at, ends_at) VALUES (?,?,?,?,?)`,
			invA, f.stA.ID, "duty_officer", db.Millis(now.Add(-time.Hour)), db.Millis(now.Add(time.Hour))); err != nil {
			t.Fatal(err)
		}
		id, _, err := funds.CreateCase(ctx, d, funds.NewCase{AreaID: f.stA.ID, StationID: f.stA.ID, Summary: "由预警转立", Victims: []funds.NewVictim{{Name: "甲"}}}, now)
		if err != nil {
			t.Fatal(err)
		}
		_ = d.QueryRow(ctx, `SELECT COALESCE(investigator_id, 0) FROM cases WHERE id = ?`, id).Scan(&inv)
		if inv != invA {
			t.Fatalf("new case of station A went to %d, want the investigator on duty %d", inv, invA)
		}
		// Station B has nobody on duty: 未指派.
		id, _, err = funds.CreateCase(ctx, d, funds.NewCase{AreaID: f.stB.ID, StationID: f.stB.ID, Victims: []funds.NewVictim{{Name: "乙"}}}, now)
		if err != nil {
			t.Fatal(err)
		}
		_ = d.QueryRow(ctx, `SELECT COALESCE(investigator_id, 0) FROM cases WHERE id = ?`, id).Scan(&inv)
		if inv != 0 {
			t.Fatalf("case of station B assigned to %d without anyone on duty", inv)
		}
	})
}
