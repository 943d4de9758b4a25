// Package funds is 侦办-冻结-返还: cases with their victims, losing
// transfers and timeline, bank statements, the trace engine and the
// proportional return of frozen money. The stop-payment and freeze requests
// themselves, and their figures, are partner's (they live in
// partner_requests).
package funds

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/domain"
)

// Case is a fraud case (案件).
type Case struct {
	ID               int64      `json:"id"`
	CaseNo           string     `json:"case_no"`
	AreaID           int64      `json:"area_id"`
	AreaName         string     `json:"area_name"`
	StationID        int64      `json:"station_id,omitempty"`
	StationName      string     `json:"station_name,omitempty"`
	FraudType        string     `json:"fraud_type"`
	Status           string     `json:"status"`
	ReportedAt       time.Time  `json:"reported_at"`
	InvestigatorID   int64      `json:"investigator_id,omitempty"`
	InvestigatorName string     `json:"investigator_name,omitempty"`
	Summary          string     `json:"summary"`
	LossFen          int64      `json:"loss_fen"`
	WarningID        int64      `json:"warning_id,omitempty"`
	Victims          []Victim   `json:"victims,omitempty"`
	Transfers        []Transfer `json:"transfers,omitempty"`
}

// Victim is a person who lost money in a case.
type Victim struct {
	ID         int64  `json:"id"`
	CaseID     int64  `json:"case_id"`
	Name       string `json:"name"`
	Sex        string `json:"sex"`
	BirthDate  string `json:"birth_date,omitempty"` // YYYY-MM-DD; empty in masked views
	BirthYear  int    `json:"birth_year,omitempty"` // what masked views give instead (see auth.MaskIDNumber)
	IDNumber   string `json:"id_number"`
	Phone      string `json:"phone"`
	Address    string `json:"address"`
	AreaID     int64  `json:"area_id"`
	Occupation string `json:"occupation"`
	LossFen    int64  `json:"loss_fen"`
}

// Transfer is a victim's losing transfer: where a trace starts.
type Transfer struct {
	ID          int64     `json:"id"`
	VictimID    int64     `json:"victim_id"`
	At          time.Time `json:"at"`
	FromAccount string    `json:"from_account"`
	ToAccount   string    `json:"to_account"`
	ToBank      string    `json:"to_bank"`
	ToName      string    `json:"to_name"`
	AmountFen   int64     `json:"amount_fen"`
	Channel     string    `json:"channel"`
	// StatementRowID is the bank statement row the transfer is matched to
	// (0: not matched).
	StatementRowID int64 `json:"statement_row_id,omitempty"`
}

// Masked returns the case with personal numbers masked by m.
func (c Case) Masked(m auth.Masker) Case {
	vs := make([]Victim, len(c.Victims))
	for i, v := range c.Victims {
		v.IDNumber, v.Phone = m.ID(v.IDNumber), m.Phone(v.Phone)
		v.BirthYear, v.BirthDate = auth.BirthYear(v.BirthDate), m.Birth(v.BirthDate)
		vs[i] = v
	}
	ts := make([]Transfer, len(c.Transfers))
	for i, t := range c.Transfers {
		t.FromAccount, t.ToAccount = m.Card(t.FromAccount), m.Card(t.ToAccount)
		ts[i] = t
	}
	c.Victims, c.Transfers, c.Summary = vs, ts, m.Text(c.Summary)
	if len(vs) == 0 {
		c.Victims = nil
	}
	if len(ts) == 0 {
		c.Transfers = nil
	}
	return c
}

const selectCase = `SELECT c.id, c.case_no, c.area_id, a.full_name, COALESCE(c.station_id, 0), COALESCE(st.name, ''),
	c.fraud_type, c.status, c.reported_at, COALESCE(c.investigator_id, 0), COALESCE(u.display_name, ''),
	c.summary, c.loss_fen, COALESCE(c.warning_id, 0)
	FROM cases c
	JOIN areas a ON a.id = c.area_id
	LEFT JOIN areas st ON st.id = c.station_id
	LEFT JOIN users u ON u.id = c.investigator_id`

func scanCase(sc interface{ Scan(...any) error }) (Case, error) {
	var c Case
	var reported int64
	err := sc.Scan(&c.ID, &c.CaseNo, &c.AreaID, &c.AreaName, &c.StationID, &c.StationName,
		&c.FraudType, &c.Status, &reported, &c.InvestigatorID, &c.InvestigatorName, &c.Summary, &c.LossFen, &c.WarningID)
	c.ReportedAt = db.Time(reported)
	return c, err
}

// GetCase returns a case in scope with its victims and transfers; a case
// outside the scope is not found.
func GetCase(ctx context.Context, q db.Querier, scope area.Node, id int64) (Case, error) {
	cond, arg := area.UnderClause("c.area_id", scope)
	c, err := scanCase(q.QueryRow(ctx, selectCase+` WHERE c.id = ? AND `+cond, id, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return Case{}, fmt.Errorf("case %d: %w", id, domain.ErrNotFound)
	}
	if err != nil {
		return Case{}, fmt.Errorf("case %d: %w", id, err)
	}
	rows, err := q.Query(ctx, `SELECT id, case_id, name, sex, birth_date, id_number, phone, address, area_id, occupation, loss_fen
		FROM victims WHERE case_id = ? ORDER BY id`, id)
	if err != nil {
		return Case{}, fmt.Errorf("case %d victims: %w", id, err)
	}
	for rows.Next() {
		var v Victim
		if err := rows.Scan(&v.ID, &v.CaseID, &v.Name, &v.Sex, &v.BirthDate, &v.IDNumber, &v.Phone, &v.Address, &v.AreaID, &v.Occupation, &v.LossFen); err != nil {
			rows.Close()
			return Case{}, err
		}
		c.Victims = append(c.Victims, v)
	}
	rows.Close()
	rows, err = q.Query(ctx, `SELECT id, victim_id, at, from_account, to_account, to_bank, to_name, amount_fen, channel, COALESCE(statement_row_id, 0)
		FROM case_transfers WHERE case_id = ? ORDER BY at, id`, id)
	if err != nil {
		return Case{}, fmt.Errorf("case %d transfers: %w", id, err)
	}
	defer rows.Close()
	for rows.Next() {
		var t Transfer
		var at int64
		if err := rows.Scan(&t.ID, &t.VictimID, &at, &t.FromAccount, &t.ToAccount, &t.ToBank, &t.ToName, &t.AmountFen, &t.Channel, &t.StatementRowID); err != nil {
			return Case{}, err
		}
		t.At = db.Time(at)
		c.Transfers = append(c.Transfers, t)
	}
	return c, rows.Err()
}

// CaseFilter selects cases for a list.
type CaseFilter struct {
	Status    string
	FraudType string
	From, To  time.Time
	// Investigator: a user id (我的案件 with the caller's), or -1 for the
	// cases nobody is assigned to (未指派); 0 for all.
	Investigator int64
	BeforeID     int64
	Limit        int
}

// ListCases returns cases in scope, newest first, without victims.
func ListCases(ctx context.Context, q db.Querier, scope area.Node, f CaseFilter) ([]Case, error) {
	var where db.Where
	where.And(area.UnderClause("c.area_id", scope)).
		AndIf(f.Status != "", "c.status = ?", f.Status).
		AndIf(f.FraudType != "", "c.fraud_type = ?", f.FraudType).
		Between("c.reported_at", f.From, f.To).
		AndIf(f.Investigator > 0, "c.investigator_id = ?", f.Investigator).
		AndIf(f.Investigator < 0, "c.investigator_id IS NULL").
		AndIf(f.BeforeID > 0, "c.id < ?", f.BeforeID)
	page := db.Page{Limit: f.Limit}.Clamp(100, 500)
	rows, err := q.Query(ctx, selectCase+` WHERE `+where.String()+` ORDER BY c.id DESC`+page.SQL(), where.Args()...)
	if err != nil {
		return nil, fmt.Errorf("list cases: %w", err)
	}
	defer rows.Close()
	out := []Case{}
	for rows.Next() {
		c, err := scanCase(rows)
		if err != nil {
			return nil, fmt.Errorf("list cases: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// ReceivingAccounts lists the accounts the victims paid into, each once, in
// the order of the transfers: the console's request form names them by
// position, so a masked page can still send a request about the full
// number.
func (c Case) ReceivingAccounts() []string {
	var out []string
	seen := map[string]bool{}
	for _, t := range c.Transfers {
		if !seen[t.ToAccount] {
			seen[t.ToAccount] = true
			out = append(out, t.ToAccount)
		}
	}
	return out
}
