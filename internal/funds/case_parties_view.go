package funds

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/domain"
	"github.com/fanzha/fanzha/internal/zone"
)

// Parties is a case's parties as the case page and the API show them: its
// victims and losing transfers, linked accounts, what changed since its
// trace was last looked at and the history of changes after the report.
type Parties struct {
	CaseID       int64         `json:"case_id"`
	LossFen      int64         `json:"loss_fen"`
	Victims      []Victim      `json:"victims"`
	Transfers    []Transfer    `json:"transfers"`
	Accounts     []CaseAccount `json:"accounts"`
	TraceChanges TraceChanges  `json:"trace_changes"`
	History      []PartyChange `json:"history"`
	// MatchCandidates are statement rows a transfer could be matched to
	// (MatchCandidates, the newest 50).
	MatchCandidates []StatementRowRef `json:"match_candidates"`
}

// CaseParties reads the parties of a case in scope.
func CaseParties(ctx context.Context, q db.Querier, scope area.Node, caseID int64) (Parties, error) {
	c, err := GetCase(ctx, q, scope, caseID)
	if err != nil {
		return Parties{}, err
	}
	p := Parties{CaseID: c.ID, LossFen: c.LossFen, Victims: c.Victims, Transfers: c.Transfers}
	if p.Accounts, err = CaseAccounts(ctx, q, scope, caseID); err != nil {
		return Parties{}, err
	}
	if p.TraceChanges, err = TraceChangesOf(ctx, q, caseID); err != nil {
		return Parties{}, err
	}
	if p.History, err = PartyChanges(ctx, q, scope, caseID); err != nil {
		return Parties{}, err
	}
	if p.MatchCandidates, err = MatchCandidates(ctx, q, scope, caseID, 50); err != nil {
		return Parties{}, err
	}
	if p.Victims == nil {
		p.Victims = []Victim{}
	}
	if p.Transfers == nil {
		p.Transfers = []Transfer{}
	}
	return p, nil
}

// Masked returns the parties with numbers masked by m.
func (p Parties) Masked(m auth.Masker) Parties {
	c := Case{Victims: p.Victims, Transfers: p.Transfers}.Masked(m)
	p.Victims, p.Transfers = c.Victims, c.Transfers
	if p.Victims == nil {
		p.Victims = []Victim{}
	}
	if p.Transfers == nil {
		p.Transfers = []Transfer{}
	}
	as := make([]CaseAccount, len(p.Accounts))
	for i, a := range p.Accounts {
		as[i] = a.Masked(m)
	}
	hs := make([]PartyChange, len(p.History))
	for i, h := range p.History {
		hs[i] = h.Masked(m)
	}
	rs := make([]StatementRowRef, len(p.MatchCandidates))
	for i, r := range p.MatchCandidates {
		rs[i] = r.Masked(m)
	}
	p.Accounts, p.History, p.MatchCandidates = as, hs, rs
	return p
}

// ParseTransferTime reads a transfer's time as people and programs write
// it: RFC 3339 (with its zone), or Beijing time as 2006-01-02 15:04[:05]
// or the browser's 2006-01-02T15:04. Empty is nil.
func ParseTransferTime(v string) (*time.Time, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return nil, nil
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return &t, nil
	}
	for _, layout := range []string{"2006-01-02 15:04:05", "2006-01-02 15:04", "2006-01-02T15:04:05", "2006-01-02T15:04"} {
		if t, err := time.ParseInLocation(layout, v, zone.Shanghai); err == nil {
			return &t, nil
		}
	}
	return nil, domain.Refuse("bad_time", "转账时间：%q 应为时间，如 2026-11-20 18:00（北京时间）", v).With(ErrTransferTime)
}

// MatchCandidates lists the statement rows a transfer of a case in scope
// could be matched to: money into one of its receiving accounts or out of
// one of its victims' accounts, not matched yet, newest first (at most
// limit).
func MatchCandidates(ctx context.Context, q db.Querier, scope area.Node, caseID int64, limit int) ([]StatementRowRef, error) {
	if err := CaseInScope(ctx, q, scope, caseID); err != nil {
		return nil, err
	}
	rows, err := q.Query(ctx, `SELECT r.id, r.account, r.at, r.amount_fen, r.counter_account, r.summary FROM statement_rows r
		WHERE ((r.amount_fen > 0 AND r.account IN (SELECT to_account FROM case_transfers WHERE case_id = ?))
		    OR (r.amount_fen < 0 AND r.account IN (SELECT from_account FROM case_transfers WHERE case_id = ? AND from_account <> '')))
		  AND NOT EXISTS (SELECT 1 FROM case_transfers m WHERE m.statement_row_id = r.id)
		ORDER BY r.at DESC, r.id DESC LIMIT ?`, caseID, caseID, limit)
	if err != nil {
		return nil, fmt.Errorf("match candidates of case %d: %w", caseID, err)
	}
	defer rows.Close()
	out := []StatementRowRef{}
	for rows.Next() {
		var r StatementRowRef
		var at int64
		if err := rows.Scan(&r.ID, &r.Account, &at, &r.AmountFen, &r.Counter, &r.Summary); err != nil {
			return nil, fmt.Errorf("match candidates of case %d: %w", caseID, err)
		}
		r.At = db.Time(at)
		out = append(out, r)
	}
	return out, rows.Err()
}

// Masked returns the row with its accounts masked by m.
func (r StatementRowRef) Masked(m auth.Masker) StatementRowRef {
	r.Account, r.Counter, r.Summary = m.Card(r.Account), m.Card(r.Counter), m.Text(r.Summary)
	return r
}
