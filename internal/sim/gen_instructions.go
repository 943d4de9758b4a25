package sim

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/instruction"
	"github.com/fanzha/fanzha/internal/zone"
)

// instructionPrefix gives each level's instruction numbers their look.
var instructionPrefix = map[instruction.Level]string{instruction.Ministry: "公反诈指", instruction.Province: "省反诈指", instruction.City: "市反诈指",
	instruction.County: "县反诈指", instruction.Bank: "银预警", instruction.Operator: "运预警"}

// genInstructions makes the county's warnings (c.root's subtree, so it runs
// once per county of a province) of the last 60 days from upper
// centres, banks and operators instructions of every level, signed when
// assigned, reported back some hours after their outcome (most of them; the
// newest and a few late ones still await feedback), and gives a few
// successful dissuasions of fund and high-risk warnings a later case of the
// same person (劝阻后被骗), which the seeds' success rates otherwise hide,
// and imports the towns' monthly APP registrations (genRegistrations).
func genInstructions(ctx context.Context, tx *db.Tx, rng *rand.Rand, c *county, now time.Time) (int, error) {
	type row struct {
		id, received int64
		source       string
		assignee     sql.NullInt64
		outcomeAt    sql.NullInt64
	}
	in, arg := area.UnderClause("area_id", c.root)
	rows, err := tx.Query(ctx, `SELECT id, received_at, source, assignee_id, outcome_at FROM warnings
		WHERE source IN ('upper', 'bank', 'operator') AND status <> 'merged' AND received_at >= ? AND `+in+` ORDER BY id`,
		db.Millis(now.Add(-60*24*time.Hour)), arg)
	if err != nil {
		return 0, err
	}
	var ws []row
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.id, &r.received, &r.source, &r.assignee, &r.outcomeAt); err != nil {
			rows.Close()
			return 0, err
		}
		ws = append(ws, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	duty := int64(0)
	if len(c.centreDuty) > 0 {
		duty = c.centreDuty[0].ID
	}
	var report []int64 // warnings whose instruction is reported back
	reportAt := map[int64]time.Time{}
	for _, w := range ws {
		lv := instruction.Bank
		switch w.source {
		case "operator":
			lv = instruction.Operator
		case "upper":
			lv = []instruction.Level{instruction.Ministry, instruction.Province, instruction.Province, instruction.City, instruction.City,
				instruction.City, instruction.County, instruction.County}[rng.IntN(8)]
		}
		rec := db.Time(w.received)
		dl := instruction.DefaultDeadlines[lv]
		var signedAt, signedBy any
		mode := ""
		if w.assignee.Valid {
			signedAt, signedBy, mode = db.Millis(rec.Add(time.Duration(1+rng.IntN(8))*time.Minute)), w.assignee.Int64, "auto"
		}
		number := fmt.Sprintf("%s%s%07d", instructionPrefix[lv], rec.In(zone.Shanghai).Format("20060102"), w.id)
		if _, err := tx.Exec(ctx, `INSERT INTO instructions (warning_id, level, number, issuer, received_at, sign_due_at, feedback_due_at,
			signed_at, signed_by, sign_mode, created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)`, w.id, string(lv), number, issuerName(lv),
			w.received, db.Millis(rec.Add(dl.Sign)), db.Millis(rec.Add(dl.Feedback)), signedAt, signedBy, mode, w.received); err != nil {
			return 0, fmt.Errorf("instruction of warning %d: %w", w.id, err)
		}
		if w.outcomeAt.Valid && rng.IntN(12) != 0 {
			at := db.Time(w.outcomeAt.Int64).Add(time.Duration(30+rng.IntN(8*60)) * time.Minute)
			if at.Before(now) {
				report = append(report, w.id)
				reportAt[w.id] = at
			}
		}
	}
	if len(report) > 0 {
		all, err := instruction.Reports(ctx, tx, c.root, now.Add(-61*24*time.Hour), now.Add(time.Hour))
		if err != nil {
			return 0, err
		}
		for _, r := range all {
			at, ok := reportAt[r.WarningID]
			if !ok {
				continue
			}
			if _, err := instruction.RecordTx(ctx, tx, []instruction.Report{r}, "file", duty, at); err != nil {
				return 0, err
			}
		}
	}
	if err := genRelapses(ctx, tx, rng, c, now); err != nil {
		return 0, err
	}
	return len(ws), genRegistrations(ctx, tx, rng, c, now)
}

// genRegistrations imports, for every town of the county, the 国家反诈中心
// APP registrations of the last twelve months and the current one, as the
// monthly Excel would (app_registrations, the league's app_per_10k): each
// town has its own level, between about 2,200 and 4,600 per 10,000
// inhabitants a month against the default bounds 2000/3000/4000, so the
// league shows every colour instead of an all-red column.
func genRegistrations(ctx context.Context, tx *db.Tx, rng *rand.Rand, c *county, now time.Time) error {
	in, arg := area.UnderClause("id", c.root)
	rows, err := tx.Query(ctx, `SELECT id, population FROM areas WHERE level = 'town' AND `+in+` ORDER BY id`, arg)
	if err != nil {
		return err
	}
	type town struct{ id, pop int64 }
	var towns []town
	for rows.Next() {
		var t town
		if err := rows.Scan(&t.id, &t.pop); err != nil {
			rows.Close()
			return err
		}
		towns = append(towns, t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	local := now.In(zone.Shanghai)
	first := time.Date(local.Year(), local.Month(), 1, 0, 0, 0, 0, zone.Shanghai)
	for _, t := range towns {
		level := int64(2200 + rng.IntN(2400)) // per 10,000 a month
		for m := 12; m >= 0; m-- {
			month := first.AddDate(0, -m, 0).Format("2006-01")
			per := level + int64(rng.IntN(601)) - 300
			if _, err := tx.Exec(ctx, `INSERT INTO app_registrations (area_id, month, count, imported_at) VALUES (?,?,?,?)`,
				t.id, month, t.pop*per/10000, db.Millis(now)); err != nil {
				return fmt.Errorf("app registrations of town %d: %w", t.id, err)
			}
		}
	}
	return nil
}

func issuerName(l instruction.Level) string {
	switch l {
	case instruction.Ministry:
		return "公安部刑侦局反诈中心"
	case instruction.Province:
		return "省公安厅反诈中心"
	case instruction.City:
		return "市公安局反诈中心"
	case instruction.County:
		return "县公安局反诈中心"
	case instruction.Bank:
		return "合作银行风控部"
	}
	return "通信运营商安全中心"
}

// genRelapses writes, for about one in twenty-five successful dissuasions of
// fund and high-risk warnings in the last 90 days, a case of the same person
// reported 3–25 days later.
func genRelapses(ctx context.Context, tx *db.Tx, rng *rand.Rand, c *county, now time.Time) error {
	in, arg := area.UnderClause("area_id", c.root)
	type w struct {
		id, area, station, outcomeAt, amount   int64
		name, phone, idn, birth, sex, addr, ft string
	}
	rows, err := tx.Query(ctx, `SELECT id, area_id, COALESCE(station_id, 0), outcome_at, amount_fen, person_name, person_phone,
		person_id_number, person_birth, person_sex, person_address, fraud_type FROM warnings
		WHERE outcome = 'dissuaded' AND status = 'closed' AND grade IN ('fund', 'high') AND outcome_at >= ? AND outcome_at < ? AND `+in+` ORDER BY id`,
		db.Millis(now.Add(-90*24*time.Hour)), db.Millis(now.Add(-3*24*time.Hour)), arg)
	if err != nil {
		return err
	}
	var ws []w
	for rows.Next() {
		var x w
		if err := rows.Scan(&x.id, &x.area, &x.station, &x.outcomeAt, &x.amount, &x.name, &x.phone, &x.idn, &x.birth, &x.sex, &x.addr, &x.ft); err != nil {
			rows.Close()
			return err
		}
		ws = append(ws, x)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, x := range ws {
		if rng.IntN(25) != 0 {
			continue
		}
		at := db.Time(x.outcomeAt).Add(time.Duration(3*24+rng.IntN(22*24)) * time.Hour)
		if !at.Before(now) {
			continue
		}
		loss := x.amount
		if loss <= 0 {
			loss = int64(20000 + rng.IntN(300000))
		}
		st := any(nil)
		if x.station != 0 {
			st = x.station
		}
		var caseID int64
		if err := tx.QueryRow(ctx, `INSERT INTO cases (case_no, area_id, station_id, fraud_type, status, reported_at, summary, loss_fen, created_at, updated_at)
			VALUES (?,?,?,?,?,?,?,?,?,?) RETURNING id`, fmt.Sprintf("AJ%s-%08d", at.In(zone.Shanghai).Format("2006"), 90000000+x.id), x.area, st, x.ft,
			"open", db.Millis(at), "劝阻后再次被骗：对方换了说法，当事人背着家人转账。", loss,
			db.Millis(at), db.Millis(at)).Scan(&caseID); err != nil {
			return fmt.Errorf("relapse case of warning %d: %w", x.id, err)
		}
		var vid int64
		if err := tx.QueryRow(ctx, `INSERT INTO victims (case_id, name, sex, birth_date, id_number, phone, address, area_id, loss_fen)
			VALUES (?,?,?,?,?,?,?,?,?) RETURNING id`, caseID, x.name, x.sex, x.birth, x.idn, x.phone, x.addr, x.area, loss).Scan(&vid); err != nil {
			return fmt.Errorf("relapse victim of warning %d: %w", x.id, err)
		}
		to := rng.IntN(len(banks))
		if _, err := tx.Exec(ctx, `INSERT INTO case_transfers (case_id, victim_id, at, from_account, to_account, to_bank, to_name, amount_fen, channel)
			VALUES (?,?,?,?,?,?,?,?,?)`, caseID, vid, db.Millis(at.Add(-2*time.Hour)), cardNumber(rng, rng.IntN(len(banks))), cardNumber(rng, to),
			banks[to].Name, "", loss, "mobile_banking"); err != nil {
			return fmt.Errorf("relapse transfer of warning %d: %w", x.id, err)
		}
	}
	return nil
}
