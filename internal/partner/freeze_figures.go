package partner

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"time"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/zone"
)

// Figures of 止付/冻结/返还 for a jurisdiction and a period [From, To):
//
//   - time to first request: for each case reported in the period, from the
//     report to the first stop-payment or freeze request sent to a bank
//     (drafts do not count); time to confirmed freeze: to the first
//     stop-payment or freeze the bank confirmed. Median and p90 over the
//     cases that got one, by the nearest-rank rule (the value at rank
//     ⌈p·n⌉ of the sorted durations), in seconds.
//   - accounts and money stopped / frozen: stop-payments and freezes first
//     confirmed in the period (renewals are not counted again), distinct
//     accounts and the sum of the confirmed amounts.
//   - money returned: returns paid in the period.
//
// Rows are given for the whole jurisdiction, per police station of the case
// and per month (Asia/Shanghai) — of the report for the durations, of the
// confirmation for the amounts frozen, of the payment for the returns.

// FundsFigures are the figures of a jurisdiction and period.
type FundsFigures struct {
	From      time.Time         `json:"from"`
	To        time.Time         `json:"to"`
	AreaID    int64             `json:"area_id"`
	AreaName  string            `json:"area_name"`
	Total     FundsFiguresRow   `json:"total"`
	ByStation []FundsFiguresRow `json:"by_station"`
	ByMonth   []FundsFiguresRow `json:"by_month"`
}

// FundsFiguresRow is one row of the figures.
type FundsFiguresRow struct {
	Key               string `json:"key"`   // station id, month YYYY-MM, or "total"
	Label             string `json:"label"` // station name, month, 合计
	Cases             int64  `json:"cases"` // cases reported
	CasesRequested    int64  `json:"cases_requested"`
	CasesConfirmed    int64  `json:"cases_confirmed"`
	ToRequestMedianS  *int64 `json:"to_request_median_s"`
	ToRequestP90S     *int64 `json:"to_request_p90_s"`
	ToConfirmMedianS  *int64 `json:"to_confirm_median_s"`
	ToConfirmP90S     *int64 `json:"to_confirm_p90_s"`
	StoppedAccounts   int64  `json:"stopped_accounts"`
	StoppedFen        int64  `json:"stopped_fen"`
	FrozenAccounts    int64  `json:"frozen_accounts"`
	FrozenFen         int64  `json:"frozen_fen"`
	ReturnedFen       int64  `json:"returned_fen"`
	toRequest         []int64
	toConfirm         []int64
	stopped, frozenAc map[string]bool
}

// Percentile is the nearest-rank percentile p (0 < p ≤ 100) of values, nil
// when there are none.
func Percentile(values []int64, p int) *int64 {
	if len(values) == 0 {
		return nil
	}
	s := append([]int64(nil), values...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	rank := (p*len(s) + 99) / 100 // ⌈p·n/100⌉
	if rank < 1 {
		rank = 1
	}
	v := s[rank-1]
	return &v
}

// ComputeFundsFigures computes the figures of scope for [from, to).
func ComputeFundsFigures(ctx context.Context, q db.Querier, scope area.Node, from, to time.Time) (FundsFigures, error) {
	out := FundsFigures{From: from, To: to, AreaID: scope.ID, AreaName: scope.FullName}
	total := &FundsFiguresRow{Key: "total", Label: "合计"}
	stations := map[string]*FundsFiguresRow{}
	months := map[string]*FundsFiguresRow{}
	station := func(id int64, name string) *FundsFiguresRow {
		k := fmt.Sprint(id)
		if stations[k] == nil {
			if name == "" {
				name = "（未分派派出所）"
			}
			stations[k] = &FundsFiguresRow{Key: k, Label: name}
		}
		return stations[k]
	}
	month := func(ms int64) *FundsFiguresRow {
		k := db.Time(ms).In(zone.Shanghai).Format("2006-01")
		if months[k] == nil {
			months[k] = &FundsFiguresRow{Key: k, Label: k}
		}
		return months[k]
	}
	cond, arg := area.UnderClause("c.area_id", scope)
	f, t := db.Millis(from), db.Millis(to)

	rows, err := q.Query(ctx, `SELECT COALESCE(c.station_id, 0), COALESCE(st.name, ''), c.reported_at,
		(SELECT MIN(r.sent_at) FROM partner_requests r WHERE r.case_id = c.id AND r.kind IN ('stop_payment', 'freeze') AND r.sent_at IS NOT NULL),
		(SELECT MIN(r.confirmed_at) FROM partner_requests r WHERE r.case_id = c.id AND r.kind IN ('stop_payment', 'freeze') AND r.confirmed_at IS NOT NULL)
		FROM cases c LEFT JOIN areas st ON st.id = c.station_id
		WHERE `+cond+` AND c.reported_at >= ? AND c.reported_at < ?`, arg, f, t)
	if err != nil {
		return out, fmt.Errorf("funds figures: cases: %w", err)
	}
	for rows.Next() {
		var sid, reported int64
		var name string
		var sent, confirmed sql.NullInt64
		if err := rows.Scan(&sid, &name, &reported, &sent, &confirmed); err != nil {
			rows.Close()
			return out, err
		}
		for _, r := range []*FundsFiguresRow{total, station(sid, name), month(reported)} {
			r.Cases++
			if sent.Valid {
				r.CasesRequested++
				r.toRequest = append(r.toRequest, max(0, sent.Int64-reported)/1000)
			}
			if confirmed.Valid {
				r.CasesConfirmed++
				r.toConfirm = append(r.toConfirm, max(0, confirmed.Int64-reported)/1000)
			}
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return out, err
	}

	rows, err = q.Query(ctx, `SELECT r.kind, r.account, r.result_fen, r.confirmed_at, COALESCE(c.station_id, 0), COALESCE(st.name, '')
		FROM partner_requests r JOIN cases c ON c.id = r.case_id LEFT JOIN areas st ON st.id = c.station_id
		WHERE `+cond+` AND r.kind IN ('stop_payment', 'freeze') AND r.prior_id IS NULL AND r.confirmed_at >= ? AND r.confirmed_at < ?`, arg, f, t)
	if err != nil {
		return out, fmt.Errorf("funds figures: freezes: %w", err)
	}
	for rows.Next() {
		var kind, account, name string
		var fen, at, sid int64
		if err := rows.Scan(&kind, &account, &fen, &at, &sid, &name); err != nil {
			rows.Close()
			return out, err
		}
		for _, r := range []*FundsFiguresRow{total, station(sid, name), month(at)} {
			if r.stopped == nil {
				r.stopped, r.frozenAc = map[string]bool{}, map[string]bool{}
			}
			if kind == "stop_payment" {
				r.stopped[account] = true
				r.StoppedFen += fen
			} else {
				r.frozenAc[account] = true
				r.FrozenFen += fen
			}
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return out, err
	}

	rows, err = q.Query(ctx, `SELECT x.amount_fen, x.paid_at, COALESCE(c.station_id, 0), COALESCE(st.name, '')
		FROM return_payments x JOIN return_plans p ON p.id = x.plan_id JOIN cases c ON c.id = p.case_id LEFT JOIN areas st ON st.id = c.station_id
		WHERE `+cond+` AND x.paid_at >= ? AND x.paid_at < ?`, arg, f, t)
	if err != nil {
		return out, fmt.Errorf("funds figures: returns: %w", err)
	}
	for rows.Next() {
		var fen, at, sid int64
		var name string
		if err := rows.Scan(&fen, &at, &sid, &name); err != nil {
			rows.Close()
			return out, err
		}
		for _, r := range []*FundsFiguresRow{total, station(sid, name), month(at)} {
			r.ReturnedFen += fen
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return out, err
	}

	finish := func(r *FundsFiguresRow) FundsFiguresRow {
		r.ToRequestMedianS, r.ToRequestP90S = Percentile(r.toRequest, 50), Percentile(r.toRequest, 90)
		r.ToConfirmMedianS, r.ToConfirmP90S = Percentile(r.toConfirm, 50), Percentile(r.toConfirm, 90)
		r.StoppedAccounts, r.FrozenAccounts = int64(len(r.stopped)), int64(len(r.frozenAc))
		return *r
	}
	out.Total = finish(total)
	out.ByStation, out.ByMonth = []FundsFiguresRow{}, []FundsFiguresRow{}
	for _, r := range stations {
		out.ByStation = append(out.ByStation, finish(r))
	}
	sort.Slice(out.ByStation, func(i, j int) bool { return out.ByStation[i].Label < out.ByStation[j].Label })
	for _, r := range months {
		out.ByMonth = append(out.ByMonth, finish(r))
	}
	sort.Slice(out.ByMonth, func(i, j int) bool { return out.ByMonth[i].Key < out.ByMonth[j].Key })
	return out, nil
}
