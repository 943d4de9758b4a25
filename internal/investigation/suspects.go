package investigation

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/domain"
	"github.com/fanzha/fanzha/internal/funds"
)

// Role is a suspect's part in the fraud.
type Role string

// The roles.
const (
	Organiser   Role = "organiser"    // 组织者
	Mule        Role = "mule"         // 取款人/车手
	CardFarmer  Role = "card_farmer"  // 卡农
	ScoreRunner Role = "score_runner" // 跑分
	Traffic     Role = "traffic"      // 引流
	OtherRole   Role = "other"        // 其他
)

// Roles lists the roles in display order.
var Roles = []Role{Organiser, Mule, CardFarmer, ScoreRunner, Traffic, OtherRole}

var roleNames = map[Role]string{Organiser: "组织者", Mule: "取款人/车手", CardFarmer: "卡农", ScoreRunner: "跑分",
	Traffic: "引流", OtherRole: "其他"}

// RoleName is the Chinese name of a suspect's role.
func RoleName(r Role) string {
	if n, ok := roleNames[r]; ok {
		return n
	}
	return string(r)
}

// Suspect is a person suspected in one or more cases.
type Suspect struct {
	ID        int64         `json:"id"`
	Name      string        `json:"name"`
	IDNumber  string        `json:"id_number,omitempty"`
	Phones    []string      `json:"phones"`
	Accounts  []string      `json:"accounts"`
	Role      Role          `json:"role"`
	RoleName  string        `json:"role_name"`
	Note      string        `json:"note,omitempty"`
	CaseIDs   []int64       `json:"case_ids"` // the cases in the reader's scope
	Disposals []Disposition `json:"dispositions"`
	CreatedAt time.Time     `json:"created_at"`
}

// Masked returns the suspect with ID, phone and account numbers masked by
// m, like the other people fanzha shows.
func (s Suspect) Masked(m auth.Masker) Suspect {
	s.IDNumber, s.Note = m.ID(s.IDNumber), m.Text(s.Note)
	s.Phones = mapped(s.Phones, m.Phone)
	s.Accounts = mapped(s.Accounts, m.Card)
	ds := make([]Disposition, len(s.Disposals))
	for i, d := range s.Disposals {
		d.Note = m.Text(d.Note)
		ds[i] = d
	}
	s.Disposals = ds
	return s
}

func mapped(in []string, f func(string) string) []string {
	out := make([]string, len(in))
	for i, v := range in {
		out[i] = f(v)
	}
	return out
}

// SuspectInput is what an officer writes about a suspect.
type SuspectInput struct {
	Name     string   `json:"name"`
	IDNumber string   `json:"id_number,omitempty"`
	Phones   []string `json:"phones,omitempty"`
	Accounts []string `json:"accounts,omitempty"`
	Role     Role     `json:"role"`
	Note     string   `json:"note,omitempty"`
}

func (in *SuspectInput) clean() error {
	in.Name, in.IDNumber, in.Note = strings.TrimSpace(in.Name), strings.ToUpper(strings.TrimSpace(in.IDNumber)), strings.TrimSpace(in.Note)
	in.Phones = cleanNumbers(in.Phones, " -")
	in.Accounts = cleanNumbers(in.Accounts, " ")
	if in.Name == "" && in.IDNumber == "" && len(in.Phones) == 0 && len(in.Accounts) == 0 {
		return domain.Invalid("请至少填写嫌疑人的姓名、身份证号、手机号或账号之一")
	}
	if in.Role == "" {
		in.Role = OtherRole
	}
	if !slices.Contains(Roles, in.Role) {
		return domain.Invalid("嫌疑人角色 %q 无效（组织者、取款人/车手、卡农、跑分、引流、其他）", in.Role)
	}
	if in.IDNumber != "" && !validIDNumber(in.IDNumber) {
		return domain.Invalid("身份证号 %s 应为 18 位（最后一位可为 X）", auth.MaskIDNumber(in.IDNumber))
	}
	for _, p := range in.Phones {
		if len(p) < 5 || len(p) > 20 || strings.Trim(p, "0123456789+") != "" {
			return domain.Invalid("手机号 %s 无效", auth.MaskPhone(p))
		}
	}
	for _, a := range in.Accounts {
		if len(a) < 6 || len(a) > 40 {
			return domain.Invalid("账号 %s 无效", auth.MaskCard(a))
		}
	}
	if len([]rune(in.Name)) > 50 || len([]rune(in.Note)) > 2000 {
		return domain.Invalid("姓名最长 50 字，备注最长 2000 字")
	}
	return nil
}

func cleanNumbers(in []string, strip string) []string {
	var out []string
	for _, v := range in {
		for _, c := range strip {
			v = strings.ReplaceAll(v, string(c), "")
		}
		if v != "" && !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

func validIDNumber(s string) bool {
	if len(s) != 18 {
		return false
	}
	for i, c := range s {
		if (c < '0' || c > '9') && !(i == 17 && c == 'X') {
			return false
		}
	}
	return true
}

// AddSuspect records a new suspect on a case in scope for the caller (who),
// audited, in one transaction; it returns the suspect's id. A person already
// recorded (same ID number) is linked instead of duplicated — LinkSuspect
// does that for a known id.
func AddSuspect(ctx context.Context, d *db.DB, scope area.Node, who auth.AuditEntry, caseID int64, in SuspectInput, now time.Time) (int64, error) {
	return db.InTxValue(ctx, d, func(tx *db.Tx) (int64, error) { return AddSuspectIn(ctx, tx, scope, who, caseID, in, now) })
}

// AddSuspectIn is AddSuspect inside the caller's transaction.
func AddSuspectIn(ctx context.Context, q db.Querier, scope area.Node, who auth.AuditEntry, caseID int64, in SuspectInput, now time.Time) (int64, error) {
	if err := mayWrite(who); err != nil {
		return 0, err
	}
	if _, err := caseIn(ctx, q, scope, caseID); err != nil {
		return 0, err
	}
	if err := in.clean(); err != nil {
		return 0, err
	}
	var id int64
	if in.IDNumber != "" {
		err := q.QueryRow(ctx, `SELECT id FROM suspects WHERE id_number = ? ORDER BY id LIMIT 1`, in.IDNumber).Scan(&id)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return 0, fmt.Errorf("find suspect: %w", err)
		}
	}
	if id == 0 {
		err := q.QueryRow(ctx, `INSERT INTO suspects (name, id_number, role, note, created_by, created_at, updated_at)
			VALUES (?,?,?,?,?,?,?) RETURNING id`, in.Name, in.IDNumber, string(in.Role), in.Note, nullID(who.UserID),
			db.Millis(now), db.Millis(now)).Scan(&id)
		if err != nil {
			return 0, fmt.Errorf("add suspect: %w", err)
		}
		e := who.With(auth.AuditCreate, "case_suspect", strconv.FormatInt(id, 10))
		e.At, e.Detail = now, "case "+strconv.FormatInt(caseID, 10)
		if err := auth.Audit(ctx, q, e); err != nil {
			return 0, err
		}
	}
	if err := addNumbers(ctx, q, id, "phone", in.Phones); err != nil {
		return 0, err
	}
	if err := addNumbers(ctx, q, id, "account", in.Accounts); err != nil {
		return 0, err
	}
	return id, link(ctx, q, who, id, caseID, in.Name, now)
}

func addNumbers(ctx context.Context, q db.Querier, id int64, kind string, nums []string) error {
	for _, n := range nums {
		if _, err := q.Exec(ctx, `INSERT INTO suspect_numbers (suspect_id, kind, number) VALUES (?,?,?) ON CONFLICT DO NOTHING`, id, kind, n); err != nil {
			return fmt.Errorf("suspect %d %s: %w", id, kind, err)
		}
	}
	return nil
}

// LinkSuspect puts a suspect the caller can see on another case in scope
// (a suspect may be on several cases).
func LinkSuspect(ctx context.Context, d *db.DB, scope area.Node, who auth.AuditEntry, suspectID, caseID int64, now time.Time) error {
	return d.InTx(ctx, func(tx *db.Tx) error { return LinkSuspectIn(ctx, tx, scope, who, suspectID, caseID, now) })
}

// LinkSuspectIn is LinkSuspect inside the caller's transaction.
func LinkSuspectIn(ctx context.Context, q db.Querier, scope area.Node, who auth.AuditEntry, suspectID, caseID int64, now time.Time) error {
	if err := mayWrite(who); err != nil {
		return err
	}
	s, err := GetSuspect(ctx, q, scope, suspectID)
	if err != nil {
		return err
	}
	if _, err := caseIn(ctx, q, scope, caseID); err != nil {
		return err
	}
	if slices.Contains(s.CaseIDs, caseID) {
		return domain.Conflict("该嫌疑人已在本案中")
	}
	return link(ctx, q, who, suspectID, caseID, s.Name, now)
}

func link(ctx context.Context, q db.Querier, who auth.AuditEntry, suspectID, caseID int64, name string, now time.Time) error {
	res, err := q.Exec(ctx, `INSERT INTO suspect_cases (suspect_id, case_id, created_by, created_at) VALUES (?,?,?,?) ON CONFLICT DO NOTHING`,
		suspectID, caseID, nullID(who.UserID), db.Millis(now))
	if err != nil {
		return fmt.Errorf("suspect %d on case %d: %w", suspectID, caseID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil
	}
	if name == "" {
		name = "身份待查"
	}
	if err := funds.AddCaseEvent(ctx, q, caseID, now, "suspect", who.UserID, "添加犯罪嫌疑人："+name); err != nil {
		return err
	}
	e := who.With(auth.AuditUpdate, "case", strconv.FormatInt(caseID, 10))
	e.At, e.Detail = now, "suspect "+strconv.FormatInt(suspectID, 10)+" linked"
	return auth.Audit(ctx, q, e)
}

func mayWrite(who auth.AuditEntry) error {
	if !who.Role.Can(auth.CapCaseWrite) {
		return domain.Forbidden("%s无权登记犯罪嫌疑人或处置情况", auth.RoleName(who.Role))
	}
	return nil
}

// suspectVisible is the condition that a suspect (column) is on a case in
// scope.
func suspectVisible(column string, scope area.Node) (string, any) {
	return `EXISTS (SELECT 1 FROM suspect_cases vs JOIN cases vc ON vc.id = vs.case_id JOIN areas va ON va.id = vc.area_id
		WHERE vs.suspect_id = ` + column + ` AND va.path LIKE ?)`, scope.SubtreePattern()
}

// GetSuspect reads a suspect on a case in scope, with the cases and
// dispositions the scope sees; a suspect on no case in scope is not found.
func GetSuspect(ctx context.Context, q db.Querier, scope area.Node, id int64) (Suspect, error) {
	cond, arg := suspectVisible("s.id", scope)
	var s Suspect
	var role string
	var created int64
	err := q.QueryRow(ctx, `SELECT s.id, s.name, s.id_number, s.role, s.note, s.created_at FROM suspects s WHERE s.id = ? AND `+cond, id, arg).
		Scan(&s.ID, &s.Name, &s.IDNumber, &role, &s.Note, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return Suspect{}, fmt.Errorf("suspect %d: %w", id, domain.ErrNotFound)
	}
	if err != nil {
		return Suspect{}, fmt.Errorf("suspect %d: %w", id, err)
	}
	s.Role, s.CreatedAt = Role(role), db.Time(created)
	s.RoleName = RoleName(s.Role)
	list := []Suspect{s}
	if err := fill(ctx, q, scope, list); err != nil {
		return Suspect{}, err
	}
	return list[0], nil
}

// CaseSuspects lists the suspects of a case in scope, with their numbers
// and the dispositions the scope sees.
func CaseSuspects(ctx context.Context, q db.Querier, scope area.Node, caseID int64) ([]Suspect, error) {
	if _, err := caseIn(ctx, q, scope, caseID); err != nil {
		return nil, err
	}
	rows, err := q.Query(ctx, `SELECT s.id, s.name, s.id_number, s.role, s.note, s.created_at
		FROM suspects s JOIN suspect_cases sc ON sc.suspect_id = s.id WHERE sc.case_id = ? ORDER BY s.id`, caseID)
	if err != nil {
		return nil, fmt.Errorf("suspects of case %d: %w", caseID, err)
	}
	out := []Suspect{}
	for rows.Next() {
		var s Suspect
		var role string
		var created int64
		if err := rows.Scan(&s.ID, &s.Name, &s.IDNumber, &role, &s.Note, &created); err != nil {
			rows.Close()
			return nil, fmt.Errorf("suspects of case %d: %w", caseID, err)
		}
		s.Role, s.CreatedAt = Role(role), db.Time(created)
		s.RoleName = RoleName(s.Role)
		out = append(out, s)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, fill(ctx, q, scope, out)
}

// fill reads the numbers, cases in scope and dispositions on cases in scope
// of each suspect.
func fill(ctx context.Context, q db.Querier, scope area.Node, list []Suspect) error {
	cond, arg := area.UnderClause("c.area_id", scope)
	for i := range list {
		s := &list[i]
		s.Phones, s.Accounts, s.CaseIDs, s.Disposals = []string{}, []string{}, []int64{}, []Disposition{}
		rows, err := q.Query(ctx, `SELECT kind, number FROM suspect_numbers WHERE suspect_id = ? ORDER BY id`, s.ID)
		if err != nil {
			return fmt.Errorf("suspect %d numbers: %w", s.ID, err)
		}
		for rows.Next() {
			var kind, n string
			if err := rows.Scan(&kind, &n); err != nil {
				rows.Close()
				return err
			}
			if kind == "phone" {
				s.Phones = append(s.Phones, n)
			} else {
				s.Accounts = append(s.Accounts, n)
			}
		}
		rows.Close()
		rows, err = q.Query(ctx, `SELECT sc.case_id FROM suspect_cases sc JOIN cases c ON c.id = sc.case_id
			WHERE sc.suspect_id = ? AND `+cond+` ORDER BY sc.case_id`, s.ID, arg)
		if err != nil {
			return fmt.Errorf("suspect %d cases: %w", s.ID, err)
		}
		if s.CaseIDs, err = db.Int64s(rows); err != nil {
			return fmt.Errorf("suspect %d cases: %w", s.ID, err)
		}
		if s.Disposals, err = dispositions(ctx, q, `d.suspect_id = ? AND `+cond, s.ID, arg); err != nil {
			return err
		}
	}
	return nil
}
