package funds

import (
	"context"
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
	p.Accounts, p.History = as, hs
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
