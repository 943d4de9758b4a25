package sim_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/db/dbtest"
	"github.com/fanzha/fanzha/internal/sim"
	"github.com/fanzha/fanzha/internal/web"
	"github.com/fanzha/fanzha/internal/web/server"
)

// End to end: a freeze request made from a case through the API reaches
// the bank's inbox, the simulated bank confirms it through the public API
// with the frozen amount, and the case shows it — on both databases.
func TestSimulatedBankConfirmsFreeze(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		auth.BcryptCost = 4
		root := area.Node{Level: area.County, Code: "C", Name: "云溪县"}
		if err := area.Create(ctx, d, &root); err != nil {
			t.Fatal(err)
		}
		st := area.Node{ParentID: root.ID, Level: area.Station, Code: "A", Name: "青石派出所"}
		if err := area.Create(ctx, d, &st); err != nil {
			t.Fatal(err)
		}
		var bank, other int64
		_ = d.QueryRow(ctx, `INSERT INTO units (kind, code, name, created_at) VALUES ('bank','B1','工商银行云溪支行',0) RETURNING id`).Scan(&bank)
		_ = d.QueryRow(ctx, `INSERT INTO units (kind, code, name, created_at) VALUES ('bank','B2','农业银行云溪支行',0) RETURNING id`).Scan(&other)
		token := func(name string, role auth.Role, areaID, unit int64) string {
			u, err := auth.CreateUser(ctx, d, auth.NewUser{Username: name, Role: role, AreaID: areaID, UnitID: unit, Password: "x"})
			if err != nil {
				t.Fatal(err)
			}
			tok, _, err := auth.CreateToken(ctx, d, u.ID, "t", time.Now())
			if err != nil {
				t.Fatal(err)
			}
			return tok
		}
		inv := token("inv", auth.RoleInvestigator, st.ID, 0)
		bankTok := token("bank", auth.RolePartner, root.ID, bank)
		otherTok := token("abc", auth.RolePartner, root.ID, other)
		now := db.Millis(time.Now())
		var caseID int64
		if err := d.QueryRow(ctx, `INSERT INTO cases (case_no, area_id, station_id, fraud_type, reported_at, loss_fen, created_at, updated_at)
			VALUES ('AJ-1',?,?,'police',?,2000000,?,?) RETURNING id`, st.ID, st.ID, now, now, now).Scan(&caseID); err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(server.New(web.Config{DB: d, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}).Handler())
		defer srv.Close()
		call := func(method, path, tok, body string, out any) int {
			req, _ := http.NewRequest(method, srv.URL+path, bytes.NewBufferString(body))
			req.Header.Set("Authorization", "Bearer "+tok)
			if body != "" {
				req.Header.Set("Content-Type", "application/json")
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			if out != nil {
				_ = json.NewDecoder(resp.Body).Decode(out)
			}
			return resp.StatusCode
		}
		const account = "6222021001000000001"
		caseReqs := "/api/v1/cases/" + strconv.FormatInt(caseID, 10) + "/requests"
		if st := call("POST", caseReqs, inv, `{"kind":"freeze","unit_id":`+strconv.FormatInt(bank, 10)+`,"account":"`+account+`","amount_fen":1500000,"reason":"涉案账户"}`, nil); st != 201 {
			t.Fatalf("freeze request: %d", st)
		}
		clock := time.Now()
		balances := map[string]int64{account: 1234567} // the account holds less than asked
		b := &sim.SimBank{BaseURL: srv.URL, Token: bankTok, Delay: 5 * time.Second, Now: func() time.Time { return clock },
			Balance: func(a string) int64 { return balances[a] }}
		abc := &sim.SimBank{BaseURL: srv.URL, Token: otherTok}
		if n, err := abc.Step(ctx); err != nil || n != 0 {
			t.Fatalf("another bank answered: %d %v", n, err)
		}
		if n, err := b.Step(ctx); err != nil || n != 0 {
			t.Fatalf("answered before the delay: %d %v", n, err)
		}
		clock = clock.Add(6 * time.Second)
		if n, err := b.Step(ctx); err != nil || n != 1 {
			t.Fatalf("simulated bank: %d %v", n, err)
		}
		var got struct {
			Requests []struct {
				Status    string `json:"status"`
				ResultFen int64  `json:"result_fen"`
				Result    string `json:"result"`
			} `json:"requests"`
		}
		if st := call("GET", caseReqs, inv, "", &got); st != 200 || len(got.Requests) != 1 {
			t.Fatalf("case requests: %d %+v", st, got)
		}
		r := got.Requests[0]
		if r.Status != "confirmed" || r.ResultFen != 1234567 || r.Result == "" {
			t.Fatalf("the case shows %+v", r)
		}
		if n, err := b.Step(ctx); err != nil || n != 0 {
			t.Fatalf("answered twice: %d %v", n, err)
		}
	})
}

func TestGeneratedBalance(t *testing.T) {
	a, b := sim.GeneratedBalance("6222021001000000001"), sim.GeneratedBalance("6222021001000000002")
	if a != sim.GeneratedBalance("6222021001000000001") || a == b || a < 100_000 || a >= 30_000_000 {
		t.Fatalf("balances %d %d", a, b)
	}
}
