package funds

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/domain"
	"github.com/fanzha/fanzha/internal/zone"
)

// NewCase is what opening a case needs. A case opens from a report form,
// the API, or a warning whose outcome is 已被骗.
type NewCase struct {
	AreaID         int64
	StationID      int64
	FraudType      string
	ReportedAt     time.Time
	InvestigatorID int64
	Summary        string
	WarningID      int64
	Victims        []NewVictim
}

// NewVictim is a victim of a new case with the transfers they lost.
type NewVictim struct {
	Name       string
	Sex        string
	BirthDate  string
	IDNumber   string
	Phone      string
	Address    string
	AreaID     int64
	Occupation string
	Transfers  []NewTransfer
	// LossFen is used when no transfers are known yet (a report before the
	// bank's records); otherwise the loss is the sum of the transfers.
	LossFen int64
}

// NewTransfer is a losing transfer.
type NewTransfer struct {
	At          time.Time
	FromAccount string
	ToAccount   string
	ToBank      string
	ToName      string
	AmountFen   int64
	Channel     string
}

// CreateCase stores a case with its victims and transfers and returns its
// id and number. The number is YYYY-<id> prefixed by the county's code
// letters: unique, readable on the phone.
func CreateCase(ctx context.Context, q db.Querier, nc NewCase, now time.Time) (int64, string, error) {
	if nc.AreaID == 0 {
		return 0, "", domain.Invalid("案件必须属于一个辖区")
	}
	if nc.ReportedAt.IsZero() {
		nc.ReportedAt = now
	}
	if nc.FraudType == "" {
		// The classifier suggests the type from the narrative; the
		// investigator confirms or corrects it on the case.
		nc.FraudType = SuggestFraudType(nc.Summary)
	}
	var total int64
	for i, v := range nc.Victims {
		if strings.TrimSpace(v.Name) == "" {
			return 0, "", domain.Invalid("第 %d 名受害人缺少姓名", i+1)
		}
		loss := v.LossFen
		if len(v.Transfers) > 0 {
			loss = 0
			for j, t := range v.Transfers {
				if t.AmountFen <= 0 {
					return 0, "", domain.Invalid("受害人 %s 的第 %d 笔转账金额必须为正", v.Name, j+1)
				}
				if strings.TrimSpace(t.ToAccount) == "" {
					return 0, "", domain.Invalid("受害人 %s 的第 %d 笔转账缺少收款账号", v.Name, j+1)
				}
				loss += t.AmountFen
			}
		}
		nc.Victims[i].LossFen = loss
		total += loss
	}
	if nc.InvestigatorID == 0 {
		// A case opened for the station (from a warning's 已被骗) goes to
		// its investigator on duty; none on duty leaves it 未指派.
		var err error
		if nc.InvestigatorID, err = defaultInvestigator(ctx, q, nc.StationID, now); err != nil {
			return 0, "", fmt.Errorf("create case: %w", err)
		}
	}
	ms := db.Millis(now)
	tmpNo := fmt.Sprintf("TMP-%d-%d", ms, nc.WarningID)
	var id int64
	err := q.QueryRow(ctx, `INSERT INTO cases (case_no, area_id, station_id, fraud_type, status, reported_at, investigator_id,
		summary, loss_fen, warning_id, created_at, updated_at) VALUES (?,?,?,?,'open',?,?,?,?,?,?,?) RETURNING id`,
		tmpNo, nc.AreaID, nullID(nc.StationID), nc.FraudType, db.Millis(nc.ReportedAt), nullID(nc.InvestigatorID),
		nc.Summary, total, nullID(nc.WarningID), ms, ms).Scan(&id)
	if err != nil {
		return 0, "", fmt.Errorf("create case: %w", err)
	}
	caseNo := fmt.Sprintf("AJ%s-%06d", nc.ReportedAt.In(zone.Shanghai).Format("2006"), id)
	if _, err := q.Exec(ctx, `UPDATE cases SET case_no = ? WHERE id = ?`, caseNo, id); err != nil {
		return 0, "", fmt.Errorf("number case: %w", err)
	}
	for _, v := range nc.Victims {
		area := v.AreaID
		if area == 0 {
			area = nc.AreaID
		}
		var vid int64
		err := q.QueryRow(ctx, `INSERT INTO victims (case_id, name, sex, birth_date, id_number, phone, address, area_id, occupation, loss_fen)
			VALUES (?,?,?,?,?,?,?,?,?,?) RETURNING id`, id, v.Name, v.Sex, v.BirthDate, v.IDNumber, v.Phone, v.Address, area,
			v.Occupation, v.LossFen).Scan(&vid)
		if err != nil {
			return 0, "", fmt.Errorf("create case victim: %w", err)
		}
		for _, t := range v.Transfers {
			_, err := q.Exec(ctx, `INSERT INTO case_transfers (case_id, victim_id, at, from_account, to_account, to_bank, to_name, amount_fen, channel)
				VALUES (?,?,?,?,?,?,?,?,?)`, id, vid, db.Millis(t.At), t.FromAccount, t.ToAccount, t.ToBank, t.ToName, t.AmountFen, t.Channel)
			if err != nil {
				return 0, "", fmt.Errorf("create case transfer: %w", err)
			}
		}
	}
	return id, caseNo, nil
}

func nullID(v int64) any {
	if v == 0 {
		return nil
	}
	return v
}
