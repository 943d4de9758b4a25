package web

import (
	"context"
	"strings"
	"testing"

	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/db/dbtest"
)

// A freeze request made from a case reaches the bank's inbox, the bank
// confirms it through the API with the frozen amount, and the case shows
// it; another unit never sees it.
func TestFreezeRequestRoundTrip(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		inv, err := auth.CreateUser(ctx, d, auth.NewUser{Username: "inv", Role: auth.RoleInvestigator, AreaID: f.stA.ID, Password: "x"})
		if err != nil {
			t.Fatal(err)
		}
		tok, _, _ := auth.CreateToken(ctx, d, inv.ID, "t", testNowWeb())
		f.tokens["inv"] = tok
		var other int64
		_ = d.QueryRow(ctx, `INSERT INTO units (kind, code, name, created_at) VALUES ('bank','B2','农业银行云溪支行',0) RETURNING id`).Scan(&other)
		ou, _ := auth.CreateUser(ctx, d, auth.NewUser{Username: "abc", Role: auth.RolePartner, AreaID: f.root.ID, UnitID: other, Password: "x"})
		otok, _, _ := auth.CreateToken(ctx, d, ou.ID, "t", testNowWeb())
		f.tokens["abc"] = otok
		var icbc int64
		_ = d.QueryRow(ctx, `SELECT id FROM units WHERE code = 'B1'`).Scan(&icbc)

		caseURL := "/api/v1/cases/" + itoa(f.caseA) + "/requests"
		body := `{"kind":"freeze","unit_id":` + itoa(icbc) + `,"account":"6222021001000000001","amount_fen":1500000,"reason":"案件涉案账户"}`
		if a := f.do(t, "POST", caseURL, "offB", body); a.status != 403 && a.status != 404 {
			t.Fatalf("a dissuader of another station created a freeze: %d", a.status)
		}
		a := f.do(t, "POST", caseURL, "inv", body)
		if a.status != 201 {
			t.Fatalf("create freeze: %d %s", a.status, a.body)
		}
		reqID := int64(a.json["request_id"].(float64))
		// The bank sees it in its inbox, with the account it must act on.
		a = f.do(t, "GET", "/api/v1/partner/requests", "bank", "")
		if a.status != 200 || !strings.Contains(a.body, "6222021001000000001") || !strings.Contains(a.body, `"kind":"freeze"`) {
			t.Fatalf("bank inbox: %d %s", a.status, a.body)
		}
		if strings.Contains(a.body, "王秀英") {
			t.Fatal("bank inbox shows the victim")
		}
		// Another bank does not, and cannot answer it.
		a = f.do(t, "GET", "/api/v1/partner/requests", "abc", "")
		if strings.Contains(a.body, "6222021001000000001") {
			t.Fatalf("another unit sees the request: %s", a.body)
		}
		if a := f.do(t, "POST", "/api/v1/partner/requests/"+itoa(reqID)+"/answer", "abc", `{"status":"done","result":"已冻结","result_fen":1}`); a.status != 404 {
			t.Fatalf("another unit answered: %d", a.status)
		}
		// The bank confirms with the frozen amount.
		a = f.do(t, "POST", "/api/v1/partner/requests/"+itoa(reqID)+"/answer", "bank", `{"status":"done","result":"已冻结，冻结期限6个月","result_fen":1234500}`)
		if a.status != 200 {
			t.Fatalf("bank answer: %d %s", a.status, a.body)
		}
		if a := f.do(t, "POST", "/api/v1/partner/requests/"+itoa(reqID)+"/answer", "bank", `{"status":"refused","result":"x"}`); a.status != 409 {
			t.Fatalf("second answer: %d", a.status)
		}
		// The case shows it.
		a = f.do(t, "GET", caseURL, "inv", "")
		if a.status != 200 || !strings.Contains(a.body, `"status":"done"`) || !strings.Contains(a.body, `"result_fen":1234500`) || strings.Contains(a.body, "6222021001000000001") {
			t.Fatalf("case requests: %d %s", a.status, a.body)
		}
		// Officers' data stays closed to the bank.
		if a := f.do(t, "GET", caseURL, "bank", ""); a.status != 403 {
			t.Fatalf("bank read the case's requests: %d", a.status)
		}
	})
}
