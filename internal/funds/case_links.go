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
)

// RelatedCase is another case whose victims paid into an account this
// case's victims paid into (串并案 candidates). A case outside the caller's
// jurisdiction shows its number and station only (Visible false): enough to
// call its station, nothing about its people.
type RelatedCase struct {
	ID          int64     `json:"id"`
	CaseNo      string    `json:"case_no"`
	StationName string    `json:"station_name"`
	FraudType   string    `json:"fraud_type,omitempty"`
	ReportedAt  time.Time `json:"reported_at,omitzero"`
	LossFen     int64     `json:"loss_fen,omitempty"`
	Accounts    []string  `json:"accounts"` // the shared receiving accounts
	Visible     bool      `json:"visible"`
}

// RelatedCases lists the cases sharing a receiving account with case id,
// most shared accounts first, then newest.
func RelatedCases(ctx context.Context, q db.Querier, scope area.Node, id int64) ([]RelatedCase, error) {
	rows, err := q.Query(ctx, `SELECT DISTINCT c.id, c.case_no, COALESCE(st.name, ''), c.fraud_type, c.reported_at, c.loss_fen, a.path, o.to_account
		FROM case_transfers t
		JOIN case_transfers o ON o.to_account = t.to_account AND o.case_id <> t.case_id
		JOIN cases c ON c.id = o.case_id
		JOIN areas a ON a.id = c.area_id
		LEFT JOIN areas st ON st.id = c.station_id
		WHERE t.case_id = ? AND t.to_account <> ''
		ORDER BY c.id`, id)
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

// Suspect is a suspect of a case.
type Suspect struct {
	ID        int64     `json:"id"`
	CaseID    int64     `json:"case_id"`
	Name      string    `json:"name"`
	IDNumber  string    `json:"id_number,omitempty"`
	Phone     string    `json:"phone,omitempty"`
	Account   string    `json:"account,omitempty"`
	Role      string    `json:"role"`
	RoleName  string    `json:"role_name"`
	Note      string    `json:"note,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

// SuspectRoles are the roles a suspect can have in a case.
var SuspectRoles = []struct{ Code, Name string }{
	{"caller", "实施诈骗（话务/聊天）"}, {"card_holder", "出借/出售银行卡或电话卡"}, {"card_seller", "收购、贩卖两卡"},
	{"money_mule", "转账取现（车手）"}, {"organiser", "组织者"}, {"other", "其他"},
}

// SuspectRoleName is the Chinese label of a suspect role.
func SuspectRoleName(code string) string {
	for _, r := range SuspectRoles {
		if r.Code == code {
			return r.Name
		}
	}
	return code
}

// Masked returns the suspect with numbers masked by m.
func (s Suspect) Masked(m auth.Masker) Suspect {
	s.IDNumber, s.Phone, s.Account, s.Note = m.ID(s.IDNumber), m.Phone(s.Phone), m.Card(s.Account), m.Text(s.Note)
	return s
}

// AddSuspect records a suspect of a case in scope.
func AddSuspect(ctx context.Context, q db.Querier, scope area.Node, userID int64, s Suspect, now time.Time) (int64, error) {
	if _, err := GetCase(ctx, q, scope, s.CaseID); err != nil {
		return 0, err
	}
	s.Name, s.IDNumber, s.Phone = strings.TrimSpace(s.Name), strings.TrimSpace(s.IDNumber), strings.TrimSpace(s.Phone)
	s.Account = strings.ReplaceAll(strings.TrimSpace(s.Account), " ", "")
	if s.Name == "" && s.IDNumber == "" && s.Phone == "" && s.Account == "" {
		return 0, domain.Invalid("请至少填写姓名、身份证号、手机号或账号之一")
	}
	if s.Role == "" {
		s.Role = "other"
	}
	known := false
	for _, r := range SuspectRoles {
		known = known || r.Code == s.Role
	}
	if !known {
		return 0, domain.Invalid("角色 %q 无效", s.Role)
	}
	var uid any
	if userID != 0 {
		uid = userID
	}
	var id int64
	err := q.QueryRow(ctx, `INSERT INTO case_suspects (case_id, name, id_number, phone, account, role, note, created_by, created_at)
		VALUES (?,?,?,?,?,?,?,?,?) RETURNING id`, s.CaseID, s.Name, s.IDNumber, s.Phone, s.Account, s.Role, strings.TrimSpace(s.Note),
		uid, db.Millis(now)).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("add suspect: %w", err)
	}
	return id, nil
}

// Suspects lists a case's suspects (the caller has checked the case is in
// scope).
func Suspects(ctx context.Context, q db.Querier, caseID int64) ([]Suspect, error) {
	rows, err := q.Query(ctx, `SELECT id, case_id, name, id_number, phone, account, role, note, created_at
		FROM case_suspects WHERE case_id = ? ORDER BY id`, caseID)
	if err != nil {
		return nil, fmt.Errorf("suspects of case %d: %w", caseID, err)
	}
	defer rows.Close()
	out := []Suspect{}
	for rows.Next() {
		var s Suspect
		var at int64
		if err := rows.Scan(&s.ID, &s.CaseID, &s.Name, &s.IDNumber, &s.Phone, &s.Account, &s.Role, &s.Note, &at); err != nil {
			return nil, fmt.Errorf("suspects of case %d: %w", caseID, err)
		}
		s.CreatedAt, s.RoleName = db.Time(at), SuspectRoleName(s.Role)
		out = append(out, s)
	}
	return out, rows.Err()
}
