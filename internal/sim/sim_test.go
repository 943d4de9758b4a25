package sim

import (
	"context"
	"crypto/sha256"
	"fmt"
	"testing"
	"time"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/db/dbtest"
	"github.com/fanzha/fanzha/internal/warning"
)

var testNow = time.Date(2026, 11, 20, 6, 0, 0, 0, time.UTC)

func TestGeneratedCounty(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		auth.BcryptCost = 4
		sum, err := Generate(ctx, d, Options{Seed: 1, Now: testNow, Scale: 0.05})
		if err != nil {
			t.Fatal(err)
		}
		if sum.Stations != 9 || sum.Villages < 150 || sum.Officers < 60 {
			t.Fatalf("county: %+v", sum)
		}
		if sum.Inhabitants < 270_000 || sum.Inhabitants > 330_000 {
			t.Fatalf("inhabitants %d, want about 300,000", sum.Inhabitants)
		}
		// Populations add up at every level.
		var bad int
		_ = d.QueryRow(ctx, `SELECT COUNT(*) FROM areas p WHERE p.level <> 'cell' AND p.population <>
			(SELECT COALESCE(SUM(c.population), 0) FROM areas c WHERE c.parent_id = p.id)`).Scan(&bad)
		if bad != 0 {
			t.Fatalf("%d nodes whose population is not the sum of their children", bad)
		}
		// Every demo login works with the demo password.
		if len(sum.Logins) != 8 {
			t.Fatalf("%d demo logins", len(sum.Logins))
		}
		for _, l := range sum.Logins {
			if _, err := auth.CheckPassword(ctx, d, l.Username, DemoPassword); err != nil {
				t.Errorf("demo login %s: %v", l.Username, err)
			}
		}
		// 7×24: every station has a dissuader on duty at any instant.
		root, _ := area.Root(ctx, d)
		stations, _ := area.ByLevel(ctx, d, root, area.Station)
		for h := 0; h < 48; h += 5 {
			at := db.Millis(testNow.Add(-time.Duration(h*7) * time.Hour))
			for _, st := range stations {
				var n int
				_ = d.QueryRow(ctx, `SELECT COUNT(*) FROM duty_shifts WHERE area_id = ? AND duty = 'dissuader' AND starts_at <= ? AND ends_at > ?`,
					st.ID, at, at).Scan(&n)
				if n == 0 {
					t.Fatalf("%s has no dissuader on duty at %v", st.Name, time.UnixMilli(at))
				}
			}
		}
		// Warnings: station consistent with area; ID numbers valid.
		_ = d.QueryRow(ctx, `SELECT COUNT(*) FROM warnings w JOIN areas a ON a.id = w.area_id
			WHERE w.station_id IS NOT NULL AND w.station_id <> a.station_id`).Scan(&bad)
		if bad != 0 {
			t.Fatalf("%d warnings routed to a station other than their area's", bad)
		}
		rows, _ := d.Query(ctx, `SELECT person_id_number FROM warnings LIMIT 300`)
		for rows.Next() {
			var id string
			_ = rows.Scan(&id)
			if err := warning.CheckIDNumber(id); err != nil {
				t.Fatalf("invalid ID number %s", id)
			}
		}
		rows.Close()
		// Victims' transfers add up to their loss and cases to their victims'.
		_ = d.QueryRow(ctx, `SELECT COUNT(*) FROM victims v WHERE v.loss_fen <>
			(SELECT COALESCE(SUM(amount_fen), 0) FROM case_transfers t WHERE t.victim_id = v.id)`).Scan(&bad)
		if bad != 0 {
			t.Fatalf("%d victims whose transfers do not add up to their loss", bad)
		}
		_ = d.QueryRow(ctx, `SELECT COUNT(*) FROM cases c WHERE c.loss_fen <> (SELECT SUM(loss_fen) FROM victims v WHERE v.case_id = c.id)`).Scan(&bad)
		if bad != 0 {
			t.Fatalf("%d cases whose loss is not their victims' sum", bad)
		}
		// Statement balances: each row's balance is the previous plus its amount.
		rows, _ = d.Query(ctx, `SELECT account, amount_fen, balance_fen FROM statement_rows ORDER BY account, at, id`)
		var prevAcct string
		var prevBal int64
		n := 0
		for rows.Next() {
			var a string
			var amt, bal int64
			_ = rows.Scan(&a, &amt, &bal)
			if a == prevAcct && bal != prevBal+amt {
				t.Fatalf("account %s: balance %d after %d + %d", a, bal, prevBal, amt)
			}
			if bal < 0 {
				t.Fatalf("account %s overdrawn: %d", a, bal)
			}
			prevAcct, prevBal = a, bal
			n++
		}
		rows.Close()
		if n == 0 || n != sum.StatementRows {
			t.Fatalf("statement rows %d, summary %d", n, sum.StatementRows)
		}
	})
}

// Same seed, same time: the same county.
func TestGenerateDeterministic(t *testing.T) {
	ctx := context.Background()
	auth.BcryptCost = 4
	digest := func() string {
		d := dbtest.SQLite(t)
		if _, err := Generate(ctx, d, Options{Seed: 42, Now: testNow, Scale: 0.03}); err != nil {
			t.Fatal(err)
		}
		h := sha256.New()
		for _, q := range []string{
			`SELECT code, name, population, elderly FROM areas ORDER BY code`,
			`SELECT source_ref, person_name, person_phone, person_address, grade, fraud_type, amount_fen, COALESCE(assignee_id, 0) FROM warnings ORDER BY id`,
			`SELECT case_no, loss_fen FROM cases ORDER BY id`,
			`SELECT account, at, amount_fen, balance_fen FROM statement_rows ORDER BY id`,
			`SELECT area_id, kind, at, reached FROM prevention_events ORDER BY id`,
		} {
			rows, err := d.Query(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			cols, _ := rows.Columns()
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			for rows.Next() {
				_ = rows.Scan(ptrs...)
				fmt.Fprintln(h, vals...)
			}
			rows.Close()
		}
		return fmt.Sprintf("%x", h.Sum(nil))
	}
	if a, b := digest(), digest(); a != b {
		t.Fatalf("two generations with the same seed differ: %s vs %s", a, b)
	}
}

// The full-size county, as `fanzha demo` makes it: counts at the scale of
// a real busy district, generated fast enough for a one-minute start.
func TestFullScaleCounty(t *testing.T) {
	if testing.Short() {
		t.Skip("full-scale county skipped in -short mode")
	}
	ctx := context.Background()
	auth.BcryptCost = 4
	d := dbtest.SQLite(t)
	sum, err := Generate(ctx, d, Options{Seed: 20261, Now: testNow, Scale: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("full county in %s: %+v", sum.Took, sum)
	check := func(name string, got, lo, hi int) {
		if got < lo || got > hi {
			t.Errorf("%s = %d, want %d–%d", name, got, lo, hi)
		}
	}
	check("warnings", sum.Warnings, 17000, 23000)
	check("fund warnings", sum.FundWarnings, 200, 500)
	check("high-risk warnings", sum.HighWarnings, 3000, 7000)
	check("cases", sum.Cases, 500, 700)
	check("prevention events", sum.PreventionEvents, 8000, 12000)
	var loss int64
	_ = d.QueryRow(ctx, `SELECT SUM(loss_fen) FROM cases`).Scan(&loss)
	if loss < 8_00_000_000 || loss > 40_00_000_000 {
		t.Errorf("year's losses ¥%d, want the order of ¥16 million", loss/100)
	}
	// Stop-payments and freezes answered by the banks, terms that ran out,
	// some still in force; quarterly joint meetings with their tasks.
	count := func(q string) int {
		var n int
		if err := d.QueryRow(ctx, q).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	check("stop-payments", count(`SELECT COUNT(*) FROM partner_requests WHERE kind = 'stop_payment'`), 250, 500)
	check("freezes", count(`SELECT COUNT(*) FROM partner_requests WHERE kind = 'freeze'`), 100, 300)
	check("freezes in force", count(`SELECT COUNT(*) FROM partner_requests WHERE kind = 'freeze' AND status = 'confirmed'`), 20, 150)
	check("lapsed terms", count(`SELECT COUNT(*) FROM partner_requests WHERE status = 'lapsed'`), 200, 600)
	check("frozen more than stopped", count(`SELECT COUNT(*) FROM partner_requests WHERE result_fen > amount_fen`), 0, 0)
	check("joint meetings", count(`SELECT COUNT(*) FROM joint_meetings`), 4, 4)
	check("joint tasks", count(`SELECT COUNT(*) FROM joint_tasks`), 10, 60)
	check("tasks without a unit of the county", count(`SELECT COUNT(*) FROM joint_tasks WHERE unit_id NOT IN (SELECT id FROM units)`), 0, 0)
}
