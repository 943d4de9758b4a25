package funds

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/db"
)

// RelatedCase is another case sharing an account with this one — a
// receiving account of the victims' transfers or a linked account
// (case_accounts) on either side (串并案 candidates). A case outside the caller's
// jurisdiction shows its number and station only (Visible false): enough to
// call its station, nothing about its people.
type RelatedCase struct {
	ID          int64     `json:"id"`
	CaseNo      string    `json:"case_no"`
	StationName string    `json:"station_name"`
	FraudType   string    `json:"fraud_type,omitempty"`
	ReportedAt  time.Time `json:"reported_at,omitzero"`
	LossFen     int64     `json:"loss_fen,omitempty"`
	Accounts    []string  `json:"accounts"` // the shared accounts
	Visible     bool      `json:"visible"`
}

// RelatedCases lists the cases sharing an account (receiving or linked)
// with case id (a case in scope), most shared accounts first, then newest.
func RelatedCases(ctx context.Context, q db.Querier, scope area.Node, id int64) ([]RelatedCase, error) {
	if err := CaseInScope(ctx, q, scope, id); err != nil {
		return nil, err
	}
	// The case's accounts: its transfers' receiving accounts and its linked
	// accounts (case_accounts); another case shares one through either.
	rows, err := q.Query(ctx, `WITH mine AS (
			SELECT to_account AS acct FROM case_transfers WHERE case_id = ? AND to_account <> ''
			UNION SELECT account FROM case_accounts WHERE case_id = ?),
		theirs AS (
			SELECT case_id, to_account AS acct FROM case_transfers WHERE to_account IN (SELECT acct FROM mine)
			UNION SELECT case_id, account FROM case_accounts WHERE account IN (SELECT acct FROM mine))
		SELECT DISTINCT c.id, c.case_no, COALESCE(st.name, ''), c.fraud_type, c.reported_at, c.loss_fen, a.path, th.acct
		FROM theirs th
		JOIN cases c ON c.id = th.case_id
		JOIN areas a ON a.id = c.area_id
		LEFT JOIN areas st ON st.id = c.station_id
		WHERE th.case_id <> ?
		ORDER BY c.id, th.acct`, id, id, id)
	if err != nil {
		return nil, fmt.Errorf("related cases of %d: %w", id, err)
	}
	defer rows.Close()
	var out []RelatedCase
	idx := map[int64]int{}
	for rows.Next() {
		var r RelatedCase
		var at int64
		var path, acct string
		if err := rows.Scan(&r.ID, &r.CaseNo, &r.StationName, &r.FraudType, &at, &r.LossFen, &path, &acct); err != nil {
			return nil, fmt.Errorf("related cases of %d: %w", id, err)
		}
		if k, ok := idx[r.ID]; ok {
			out[k].Accounts = append(out[k].Accounts, acct)
			continue
		}
		r.ReportedAt = db.Time(at)
		r.Visible = strings.HasPrefix(path, scope.Path)
		if !r.Visible {
			r.FraudType, r.ReportedAt, r.LossFen = "", time.Time{}, 0
		}
		r.Accounts = []string{acct}
		idx[r.ID] = len(out)
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// Most shared accounts first, then the newest case.
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && (len(out[j].Accounts) > len(out[j-1].Accounts) ||
			len(out[j].Accounts) == len(out[j-1].Accounts) && out[j].ID > out[j-1].ID); j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out, nil
}

// Masked returns the related case with card numbers masked by m.
func (r RelatedCase) Masked(m auth.Masker) RelatedCase {
	as := make([]string, len(r.Accounts))
	for i, a := range r.Accounts {
		as[i] = m.Card(a)
	}
	r.Accounts = as
	return r
}

// Links are what connects a case to others: the cases sharing a receiving
// account. The suspects are investigation's (investigation.CaseSuspects),
// one model for every door.
type Links struct {
	Related []RelatedCase `json:"related"`
}

// CaseLinks reads the links of a case in scope, masked by m; a case
// outside the scope is not found.
func CaseLinks(ctx context.Context, q db.Querier, scope area.Node, caseID int64, m auth.Masker) (Links, error) {
	related, err := RelatedCases(ctx, q, scope, caseID)
	if err != nil {
		return Links{}, err
	}
	l := Links{Related: make([]RelatedCase, 0, len(related))}
	for _, r := range related {
		l.Related = append(l.Related, r.Masked(m))
	}
	return l, nil
}
