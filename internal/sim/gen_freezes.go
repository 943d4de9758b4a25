package sim

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/money"
	"github.com/fanzha/fanzha/internal/partner"
)

// genFreezes writes the stop-payments and freezes of the year's cases as
// the centre would have sent them and the banks answered: most cases get an
// emergency stop-payment of the account the victim paid into within an
// hour or two of the report, half of those a freeze within days. A recent
// case's money is often still there; an older one was usually moved before
// the report. Terms run out (stop-payments after 48 hours, freezes after six
// months) and some freezes were released. The freeze lifecycle and terms
// are described in docs/FREEZE.md.
func genFreezes(ctx context.Context, tx *db.Tx, rng *rand.Rand, c *county, now time.Time) (int, error) {
	banks := map[string]int64{} // bank → its member unit (0: none)
	mine := map[int64]bool{}    // the county's own member units
	for _, u := range c.units {
		mine[u.id] = true
	}
	rows, err := tx.Query(ctx, `SELECT id, name FROM units WHERE kind = 'bank' AND parent_id IS NULL ORDER BY id`)
	if err != nil {
		return 0, err
	}
	var units []struct {
		id   int64
		name string
	}
	for rows.Next() {
		var u struct {
			id   int64
			name string
		}
		if err := rows.Scan(&u.id, &u.name); err != nil {
			rows.Close()
			return 0, err
		}
		if mine[u.id] {
			units = append(units, u)
		}
	}
	rows.Close()
	unitOf := func(bank string) int64 {
		if id, ok := banks[bank]; ok {
			return id
		}
		banks[bank] = 0
		for _, u := range units {
			if partner.IsUnitOfBank(u.name, bank) {
				banks[bank] = u.id
				break
			}
		}
		return banks[bank]
	}

	type victimPay struct {
		caseID, investigator int64
		reported             int64
		to, bank             string
		amount               int64
	}
	inCounty, inArg := area.UnderClause("c.area_id", c.root)
	rows, err = tx.Query(ctx, `SELECT c.id, COALESCE(c.investigator_id, 0), c.reported_at, t.to_account, t.to_bank, t.amount_fen
		FROM cases c JOIN case_transfers t ON t.case_id = c.id WHERE `+inCounty+` ORDER BY c.id, t.at, t.id`, inArg)
	if err != nil {
		return 0, err
	}
	var pays []victimPay
	seen := map[int64]bool{}
	for rows.Next() {
		var p victimPay
		if err := rows.Scan(&p.caseID, &p.investigator, &p.reported, &p.to, &p.bank, &p.amount); err != nil {
			rows.Close()
			return 0, err
		}
		if !seen[p.caseID] { // the first receiving account of each case
			seen[p.caseID] = true
			pays = append(pays, p)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}

	ins, err := tx.Prepare(ctx, `INSERT INTO partner_requests (kind, unit_id, case_id, account, amount_fen, reason, status, due_at,
		created_by, created_at, answered_at, result, result_fen, sent_at, confirmed_at, bank_ref, term_starts_at, expires_at, ended_at, prior_id)
		VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,NULL)`)
	if err != nil {
		return 0, err
	}
	defer ins.Close()
	nowMs := db.Millis(now)
	n := 0
	write := func(kind string, p victimPay, unit, created, answered, frozen int64, term time.Duration, released bool) error {
		var uid any
		if p.investigator != 0 {
			uid = p.investigator
		}
		within := time.Hour
		if kind == "freeze" {
			within = 24 * time.Hour
		}
		ref := fmt.Sprintf("%s-%d-%04d", map[string]string{"stop_payment": "ZF", "freeze": "DJ"}[kind], time.UnixMilli(created).Year(), rng.IntN(10000))
		status, result := "confirmed", fmt.Sprintf("已%s %s 元", map[string]string{"stop_payment": "止付", "freeze": "冻结"}[kind], money.FormatYuan(frozen))
		if frozen == 0 {
			result = "账户余额为 0，已执行但无资金可控"
		}
		expires := answered + term.Milliseconds()
		var ended any
		switch {
		case released:
			status = "released"
			ended = answered + int64(30+rng.IntN(120))*24*3600_000
		case expires <= nowMs:
			status, ended = "lapsed", expires
		}
		_, err := ins.ExecContext(ctx, kind, unit, p.caseID, p.to, p.amount, "涉案账户，请依法"+map[string]string{"stop_payment": "紧急止付", "freeze": "冻结"}[kind],
			status, created+within.Milliseconds(), uid, created, answered, result, frozen, created, answered, ref, answered, expires, ended)
		n++
		return err
	}
	for _, p := range pays {
		unit := unitOf(p.bank)
		if unit == 0 || rng.IntN(10) >= 7 {
			continue
		}
		age := now.Sub(time.UnixMilli(p.reported))
		created := p.reported + int64(10+rng.IntN(110))*60_000
		answered := created + int64(5+rng.IntN(55))*60_000
		if answered >= nowMs {
			continue
		}
		// What the bank could still stop: recent money is often still there.
		share := int64(rng.IntN(31))
		if age < 14*24*time.Hour {
			share = int64(30 + rng.IntN(71))
		}
		frozen := p.amount * share / 100 / 100 * 100 // whole yuan
		if err := write("stop_payment", p, unit, created, answered, frozen, 48*time.Hour, false); err != nil {
			return n, err
		}
		if frozen == 0 || rng.IntN(2) == 0 {
			continue
		}
		fc := answered + int64(2+rng.IntN(70))*3600_000
		fa := fc + int64(1+rng.IntN(20))*3600_000
		if fa >= nowMs {
			continue
		}
		if err := write("freeze", p, unit, fc, fa, frozen, 182*24*time.Hour, rng.IntN(6) == 0); err != nil {
			return n, err
		}
	}
	return n, nil
}
