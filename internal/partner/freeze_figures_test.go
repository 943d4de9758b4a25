package partner

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/db/dbtest"
	"github.com/fanzha/fanzha/internal/funds"
)

func TestPercentileNearestRank(t *testing.T) {
	cases := []struct {
		in   []int64
		p    int
		want string
	}{
		{nil, 50, "<nil>"}, {[]int64{7}, 50, "7"}, {[]int64{7}, 90, "7"},
		{[]int64{3600, 600, 1800}, 50, "1800"}, {[]int64{3600, 600, 1800}, 90, "3600"},
		{[]int64{10, 20}, 50, "10"}, {[]int64{10, 20}, 90, "20"},
		{[]int64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 90, "9"}, {[]int64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 50, "5"},
	}
	for _, c := range cases {
		got := Percentile(c.in, c.p)
		s := "<nil>"
		if got != nil {
			s = fmt.Sprint(*got)
		}
		if s != c.want {
			t.Errorf("p%d of %v = %s, want %s", c.p, c.in, s, c.want)
		}
	}
}

// The figures against a hand computation (see the comments).
func TestFundsFigures(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newCounty(t, d)
		ctx := context.Background()
		T := t0
		c1 := newCase(t, d, w.stA, T, victim("甲", "a", "A1", 100_000, T))
		c2 := newCase(t, d, w.stA, T.Add(24*time.Hour), victim("乙", "b", "A2", 100_000, T))
		c3 := newCase(t, d, w.stB, T.Add(48*time.Hour), victim("丙", "c", "A3", 100_000, T))
		newCase(t, d, w.stB, T.Add(72*time.Hour), victim("丁", "d", "A4", 100_000, T))
		c5 := newCase(t, d, w.stA, T.AddDate(0, 0, -40), victim("戊", "e", "A5", 100_000, T))
		req := func(c int64, kind, account string, reported time.Time, sent, confirmed time.Duration, fen int64, prior int64) int64 {
			var conf any
			if confirmed > 0 {
				conf = db.Millis(reported.Add(confirmed))
			}
			var pr any
			if prior > 0 {
				pr = prior
			}
			var id int64
			if err := d.QueryRow(ctx, `INSERT INTO partner_requests (kind, unit_id, case_id, account, status, sent_at, confirmed_at, result_fen, prior_id, created_at)
				VALUES (?,?,?,?,?,?,?,?,?,?) RETURNING id`, kind, w.bank, c, account, "confirmed", db.Millis(reported.Add(sent)), conf, fen, pr, db.Millis(reported)).Scan(&id); err != nil {
				t.Fatal(err)
			}
			return id
		}
		// c1: stop-payment sent after 10 min, confirmed after 40 min; a
		// freeze sent after 2 h, confirmed after 5 h.
		req(c1, "stop_payment", "A1", T, 10*time.Minute, 40*time.Minute, 100_000, 0)
		f1 := req(c1, "freeze", "A1", T, 2*time.Hour, 5*time.Hour, 90_000, 0)
		// c2: freeze after 30 min, confirmed after 3 h; its renewal is not
		// counted again.
		f2 := req(c2, "freeze", "A2", T.Add(24*time.Hour), 30*time.Minute, 3*time.Hour, 50_000, 0)
		req(c2, "freeze", "A2", T.Add(24*time.Hour), 4*time.Hour, 5*time.Hour, 50_000, f2)
		// c3: freeze sent after 1 h, never confirmed. c4: nothing.
		req(c3, "freeze", "A3", T.Add(48*time.Hour), time.Hour, 0, 0, 0)
		// c5 was reported before the period; its freeze confirmed in it
		// counts for the money frozen, not for the durations.
		req(c5, "freeze", "A5", T.AddDate(0, 0, -40), 40*24*time.Hour, 40*24*time.Hour+time.Hour, 10_000, 0)
		// A return of 20,000 paid in the period.
		var plan int64
		if err := d.QueryRow(ctx, `INSERT INTO return_plans (case_id, request_id, account, frozen_fen, rule, calc, status, created_at)
			VALUES (?,?,?,?,?,?,?,?) RETURNING id`, c1, f1, "A1", 90_000, "single_victim", "{}", "executed", db.Millis(T)).Scan(&plan); err != nil {
			t.Fatal(err)
		}
		var v1 int64
		_ = d.QueryRow(ctx, `SELECT id FROM victims WHERE case_id = ?`, c1).Scan(&v1)
		if _, err := d.Exec(ctx, `INSERT INTO return_payments (plan_id, victim_id, amount_fen, paid_at, created_at) VALUES (?,?,?,?,?)`,
			plan, v1, 20_000, db.Millis(T.Add(5*24*time.Hour)), db.Millis(T)); err != nil {
			t.Fatal(err)
		}
		from, to := T.Add(-24*time.Hour), T.Add(10*24*time.Hour)
		f, err := ComputeFundsFigures(ctx, d, w.root, from, to)
		if err != nil {
			t.Fatal(err)
		}
		v := func(p *int64) string {
			if p == nil {
				return "-"
			}
			return fmt.Sprint(*p)
		}
		row := func(r FundsFiguresRow) string {
			return fmt.Sprintf("cases=%d req=%d conf=%d toReq=%s/%s toConf=%s/%s stopped=%d/%d frozen=%d/%d returned=%d", r.Cases, r.CasesRequested,
				r.CasesConfirmed, v(r.ToRequestMedianS), v(r.ToRequestP90S), v(r.ToConfirmMedianS), v(r.ToConfirmP90S),
				r.StoppedAccounts, r.StoppedFen, r.FrozenAccounts, r.FrozenFen, r.ReturnedFen)
		}
		// To first request: c1 600 s, c2 1,800 s, c3 3,600 s → median (rank 2)
		// 1,800, p90 (rank 3) 3,600. To confirmation: c1 2,400 s, c2 10,800 s
		// → median (rank 1) 2,400, p90 (rank 2) 10,800. Stopped: A1 100,000.
		// Frozen: A1 90,000 + A2 50,000 + A5 10,000 (the renewal of A2 not
		// again).
		want := map[string]string{
			"total": "cases=4 req=3 conf=2 toReq=1800/3600 toConf=2400/10800 stopped=1/100000 frozen=3/150000 returned=20000",
			"青石派出所": "cases=2 req=2 conf=2 toReq=600/1800 toConf=2400/10800 stopped=1/100000 frozen=3/150000 returned=20000",
			"城关派出所": "cases=2 req=1 conf=0 toReq=3600/3600 toConf=-/- stopped=0/0 frozen=0/0 returned=0",
		}
		if got := row(f.Total); got != want["total"] {
			t.Errorf("total:\n got %s\nwant %s", got, want["total"])
		}
		if len(f.ByStation) != 2 {
			t.Fatalf("stations: %+v", f.ByStation)
		}
		for _, r := range f.ByStation {
			if got := row(r); got != want[r.Label] {
				t.Errorf("%s:\n got %s\nwant %s", r.Label, got, want[r.Label])
			}
		}
		if len(f.ByMonth) != 1 || f.ByMonth[0].Key != "2026-03" || row(f.ByMonth[0]) != want["total"] {
			t.Errorf("months: %+v", f.ByMonth)
		}
		// Restricted to station B, station A's freezes are not there.
		fb, err := ComputeFundsFigures(ctx, d, w.stB, from, to)
		if err != nil {
			t.Fatal(err)
		}
		if got := row(fb.Total); got != want["城关派出所"] {
			t.Errorf("station B scope: %s", got)
		}
	})
}

// newCase opens a case in station st; each victim pays amount into account.
func newCase(t *testing.T, d *db.DB, st area.Node, reported time.Time, victims ...funds.NewVictim) int64 {
	t.Helper()
	id, _, err := funds.CreateCase(context.Background(), d, funds.NewCase{AreaID: st.ID, StationID: st.ID, FraudType: "police", ReportedAt: reported, Victims: victims}, reported)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func victim(name, from, to string, fen int64, at time.Time) funds.NewVictim {
	return funds.NewVictim{Name: name, Transfers: []funds.NewTransfer{{At: at, FromAccount: from, ToAccount: to, AmountFen: fen}}}
}
