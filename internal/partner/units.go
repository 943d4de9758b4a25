package partner

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/domain"
)

// Member units as the centre manages them: created, edited, retired (and
// reactivated) in the console and the CLI, each with its contacts, its
// webhook (webhooks.go) and its partner users. A retired unit keeps its
// history (requests, reports, tasks) but gets no new requests, and its
// users are disabled. Every change is audited and bumps db.GenUnits.

// UnitKind is one kind of member unit.
type UnitKind struct {
	Code   string `json:"code"`
	Name   string `json:"name"`
	Prefix string `json:"-"` // of generated unit codes
	Legacy bool   `json:"legacy,omitempty"`
}

// UnitKinds lists the kinds of member units; the legacy ones (used by
// existing data) stay valid but are not offered for new units.
var UnitKinds = []UnitKind{
	{"bank", "银行", "B", false},
	{"payment", "支付机构", "P", false},
	{"operator", "运营商", "O", false},
	{"platform", "互联网平台", "N", false},
	{"school", "学校", "S", false},
	{"company", "企业", "C", false},
	{"village", "村/居委会", "V", false},
	{"other", "其他", "M", false},
	{"education", "教育", "E", true},
	{"regulator", "市场监管", "R", true},
	{"township", "乡镇", "T", true},
}

func unitKind(code string) (UnitKind, bool) {
	for _, k := range UnitKinds {
		if k.Code == code {
			return k, true
		}
	}
	return UnitKind{}, false
}

// UnitKindName is the Chinese name of a unit kind.
func UnitKindName(code string) string {
	if k, ok := unitKind(code); ok {
		return k.Name
	}
	return code
}

// UnitInfo is a member unit with what its page shows.
type UnitInfo struct {
	Unit
	KindName   string    `json:"kind_name"`
	ParentName string    `json:"parent_name,omitempty"`
	AreaName   string    `json:"area_name,omitempty"` // of AreaID
	Retired    bool      `json:"retired"`
	RetiredAt  time.Time `json:"retired_at,omitzero"`
	CreatedAt  time.Time `json:"created_at"`
	Users      int       `json:"users"`    // active partner users
	Branches   int       `json:"branches"` // child units
}

// UnitInput creates or edits a unit. On an edit, Code empty keeps the code.
type UnitInput struct {
	Kind     string `json:"kind"`
	Name     string `json:"name"`
	Code     string `json:"code,omitempty"`
	ParentID int64  `json:"parent_id,omitempty"`
	// AreaID is the county (or city, province) the unit serves: requests
	// from a case's fund trace go to the bank's unit serving the case's
	// county (BankUnitOf). 0: bound to no area.
	AreaID int64 `json:"area_id,omitempty"`
}

const selectUnitInfo = `SELECT u.id, COALESCE(u.parent_id, 0), u.kind, u.code, u.name, COALESCE(p.name, ''), u.retired_at, u.created_at,
	(SELECT COUNT(*) FROM users x WHERE x.unit_id = u.id AND x.disabled = 0),
	(SELECT COUNT(*) FROM units c WHERE c.parent_id = u.id),
	COALESCE(u.area_id, 0), COALESCE(ar.name, '')
	FROM units u LEFT JOIN units p ON p.id = u.parent_id LEFT JOIN areas ar ON ar.id = u.area_id`

func scanUnitInfo(sc interface{ Scan(...any) error }) (UnitInfo, error) {
	var u UnitInfo
	var retired sql.NullInt64
	var created int64
	err := sc.Scan(&u.ID, &u.ParentID, &u.Kind, &u.Code, &u.Name, &u.ParentName, &retired, &created, &u.Users, &u.Branches, &u.AreaID, &u.AreaName)
	u.KindName = UnitKindName(u.Kind)
	u.Retired, u.RetiredAt, u.CreatedAt = retired.Valid, db.NullTime(retired), db.Time(created)
	return u, err
}

// UnitFilter selects units for the admin list.
type UnitFilter struct {
	Kind    string
	Retired *bool // nil: both
	Query   string
}

// ListUnits lists member units, active ones first, by kind and name.
func ListUnits(ctx context.Context, q db.Querier, f UnitFilter) ([]UnitInfo, error) {
	query := selectUnitInfo + ` WHERE 1=1`
	var args []any
	if f.Kind != "" {
		query += ` AND u.kind = ?`
		args = append(args, f.Kind)
	}
	if f.Retired != nil {
		if *f.Retired {
			query += ` AND u.retired_at IS NOT NULL`
		} else {
			query += ` AND u.retired_at IS NULL`
		}
	}
	if s := strings.TrimSpace(f.Query); s != "" {
		query += ` AND (u.name LIKE ? OR u.code LIKE ?)`
		args = append(args, "%"+s+"%", "%"+s+"%")
	}
	rows, err := q.Query(ctx, query+` ORDER BY CASE WHEN u.retired_at IS NULL THEN 0 ELSE 1 END, u.kind, u.name, u.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("list units: %w", err)
	}
	defer rows.Close()
	out := []UnitInfo{}
	for rows.Next() {
		u, err := scanUnitInfo(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// GetUnitInfo returns one unit with its page's details.
func GetUnitInfo(ctx context.Context, q db.Querier, id int64) (UnitInfo, error) {
	u, err := scanUnitInfo(q.QueryRow(ctx, selectUnitInfo+` WHERE u.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return u, domain.NotFound("成员单位不存在")
	}
	if err != nil {
		return u, fmt.Errorf("unit %d: %w", id, err)
	}
	return u, nil
}

// UnitByName finds an active unit by its exact name (or its code).
func UnitByName(ctx context.Context, q db.Querier, name string) (UnitInfo, error) {
	name = strings.TrimSpace(name)
	u, err := scanUnitInfo(q.QueryRow(ctx, selectUnitInfo+` WHERE (u.name = ? OR u.code = ?) AND u.retired_at IS NULL ORDER BY u.id LIMIT 1`, name, name))
	if errors.Is(err, sql.ErrNoRows) {
		return u, domain.NotFound("没有名称或代码为“%s”的在用成员单位", name)
	}
	if err != nil {
		return u, fmt.Errorf("unit %q: %w", name, err)
	}
	return u, nil
}

func (in *UnitInput) clean() error {
	in.Kind = strings.TrimSpace(in.Kind)
	in.Name = strings.TrimSpace(in.Name)
	in.Code = strings.TrimSpace(in.Code)
	if _, ok := unitKind(in.Kind); !ok {
		return domain.Invalid("单位类型 %q 无效（bank 银行 / payment 支付机构 / operator 运营商 / platform 互联网平台 / school 学校 / company 企业 / village 村居委会 / other 其他）", in.Kind)
	}
	if in.Name == "" {
		return domain.Invalid("单位名称不能为空")
	}
	if utf8.RuneCountInString(in.Name) > 100 {
		return domain.Invalid("单位名称不能超过 100 个字")
	}
	if len(in.Code) > 40 || strings.ContainsAny(in.Code, " \t/\\?#%") {
		return domain.Invalid("单位代码 %q 无效（不超过 40 个字符，不含空格和 / \\ ? # %%）", in.Code)
	}
	if in.ParentID < 0 {
		return domain.Invalid("上级单位无效")
	}
	if in.AreaID < 0 {
		return domain.Invalid("服务辖区无效")
	}
	return nil
}

// checkUnit checks the name is unique among active units and the parent
// exists, is active and is not the unit itself nor one of its branches.
func checkUnit(ctx context.Context, q db.Querier, id int64, in UnitInput) error {
	var n int
	if err := q.QueryRow(ctx, `SELECT COUNT(*) FROM units WHERE name = ? AND retired_at IS NULL AND id <> ?`, in.Name, id).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return domain.Conflict("已有名为“%s”的在用成员单位", in.Name)
	}
	if in.AreaID != 0 {
		n, err := area.Get(ctx, q, in.AreaID)
		if errors.Is(err, domain.ErrNotFound) || (err == nil && !n.Level.Centre()) {
			return domain.Invalid("服务辖区须是县、市或省一级的辖区节点")
		}
		if err != nil {
			return err
		}
	}
	if in.ParentID == 0 {
		return nil
	}
	if in.ParentID == id {
		return domain.Invalid("上级单位不能是本单位")
	}
	var retired sql.NullInt64
	var grand int64
	err := q.QueryRow(ctx, `SELECT retired_at, COALESCE(parent_id, 0) FROM units WHERE id = ?`, in.ParentID).Scan(&retired, &grand)
	if errors.Is(err, sql.ErrNoRows) {
		return domain.Invalid("上级单位 %d 不存在", in.ParentID)
	}
	if err != nil {
		return err
	}
	if retired.Valid {
		return domain.Invalid("上级单位已停用")
	}
	// Walk up from the parent: the unit must not be among its ancestors.
	for seen := 0; grand != 0 && seen < 64; seen++ {
		if grand == id && id != 0 {
			return domain.Invalid("上级单位不能是本单位的下级")
		}
		if err := q.QueryRow(ctx, `SELECT COALESCE(parent_id, 0) FROM units WHERE id = ?`, grand).Scan(&grand); err != nil {
			return err
		}
	}
	return nil
}

// nextUnitCode generates a free code: the parent's code and a branch
// number for a branch (B01-4), else the kind's prefix and a number (B07).
func nextUnitCode(ctx context.Context, q db.Querier, kind string, parentID int64) (string, error) {
	k, _ := unitKind(kind)
	prefix, width := k.Prefix, 2
	if parentID != 0 {
		var pc string
		if err := q.QueryRow(ctx, `SELECT code FROM units WHERE id = ?`, parentID).Scan(&pc); err != nil {
			return "", err
		}
		prefix, width = pc+"-", 1
	}
	var n int
	if err := q.QueryRow(ctx, `SELECT COUNT(*) FROM units WHERE code LIKE ?`, prefix+"%").Scan(&n); err != nil {
		return "", err
	}
	for i := n + 1; i < n+10000; i++ {
		code := fmt.Sprintf("%s%0*d", prefix, width, i)
		var taken int
		if err := q.QueryRow(ctx, `SELECT COUNT(*) FROM units WHERE code = ?`, code).Scan(&taken); err != nil {
			return "", err
		}
		if taken == 0 {
			return code, nil
		}
	}
	return "", domain.Conflict("无法生成单位代码，请手工填写")
}

// InsertUnit validates and stores a new unit in q's transaction and bumps
// db.GenUnits; the caller audits. CreateUnit is the audited form.
func InsertUnit(ctx context.Context, q db.Querier, in UnitInput, now time.Time) (Unit, error) {
	if err := in.clean(); err != nil {
		return Unit{}, err
	}
	if err := checkUnit(ctx, q, 0, in); err != nil {
		return Unit{}, err
	}
	if in.Code == "" {
		c, err := nextUnitCode(ctx, q, in.Kind, in.ParentID)
		if err != nil {
			return Unit{}, err
		}
		in.Code = c
	} else {
		var n int
		if err := q.QueryRow(ctx, `SELECT COUNT(*) FROM units WHERE code = ?`, in.Code).Scan(&n); err != nil {
			return Unit{}, err
		}
		if n > 0 {
			return Unit{}, domain.Conflict("单位代码 %s 已存在", in.Code)
		}
	}
	u := Unit{ParentID: in.ParentID, Kind: in.Kind, Code: in.Code, Name: in.Name, AreaID: in.AreaID}
	err := q.QueryRow(ctx, `INSERT INTO units (parent_id, kind, code, name, area_id, created_at, updated_at) VALUES (?,?,?,?,?,?,?) RETURNING id`,
		nullable(in.ParentID), in.Kind, in.Code, in.Name, nullable(in.AreaID), db.Millis(now), db.Millis(now)).Scan(&u.ID)
	if err != nil {
		if strings.Contains(err.Error(), "UNIQUE") || strings.Contains(err.Error(), "23505") {
			return Unit{}, domain.Conflict("单位代码 %s 已存在", in.Code)
		}
		return Unit{}, fmt.Errorf("create unit: %w", err)
	}
	return u, db.Bump(ctx, q, db.GenUnits)
}

func auditUnit(ctx context.Context, q db.Querier, who auth.AuditEntry, action string, id int64, now time.Time, detail string) error {
	e := who.With(action, "unit", strconv.FormatInt(id, 10))
	e.At, e.Detail = now, detail
	return auth.Audit(ctx, q, e)
}

// CreateUnit creates a member unit, audited.
func CreateUnit(ctx context.Context, d *db.DB, who auth.AuditEntry, in UnitInput, now time.Time) (Unit, error) {
	var u Unit
	err := d.InTx(ctx, func(tx *db.Tx) error {
		var err error
		if u, err = InsertUnit(ctx, tx, in, now); err != nil {
			return err
		}
		return auditUnit(ctx, tx, who, auth.AuditCreate, u.ID, now, fmt.Sprintf("%s %s %s", u.Kind, u.Code, u.Name))
	})
	return u, err
}

// UpdateUnit edits a unit's kind, name, code and parent, audited.
func UpdateUnit(ctx context.Context, d *db.DB, who auth.AuditEntry, id int64, in UnitInput, now time.Time) (Unit, error) {
	if err := in.clean(); err != nil {
		return Unit{}, err
	}
	var u Unit
	err := d.InTx(ctx, func(tx *db.Tx) error {
		old, err := GetUnitInfo(ctx, tx, id)
		if err != nil {
			return err
		}
		if old.Retired {
			return domain.Conflict("单位已停用，请先恢复再修改")
		}
		if err := checkUnit(ctx, tx, id, in); err != nil {
			return err
		}
		if in.Code == "" {
			in.Code = old.Code
		}
		if in.Code != old.Code {
			var n int
			if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM units WHERE code = ? AND id <> ?`, in.Code, id).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return domain.Conflict("单位代码 %s 已存在", in.Code)
			}
		}
		if _, err := tx.Exec(ctx, `UPDATE units SET kind = ?, name = ?, code = ?, parent_id = ?, area_id = ?, updated_at = ? WHERE id = ?`,
			in.Kind, in.Name, in.Code, nullable(in.ParentID), nullable(in.AreaID), db.Millis(now), id); err != nil {
			return fmt.Errorf("update unit %d: %w", id, err)
		}
		u = Unit{ID: id, ParentID: in.ParentID, Kind: in.Kind, Code: in.Code, Name: in.Name, AreaID: in.AreaID}
		if err := db.Bump(ctx, tx, db.GenUnits); err != nil {
			return err
		}
		return auditUnit(ctx, tx, who, auth.AuditUpdate, id, now, fmt.Sprintf("%s %s %s → %s %s %s parent %d area %d → %d",
			old.Kind, old.Code, old.Name, in.Kind, in.Code, in.Name, in.ParentID, old.AreaID, in.AreaID))
	})
	return u, err
}

// RetireUnit retires a unit and its branches: they get no new requests,
// their users are disabled at once (sessions end, API tokens are revoked)
// and their history stays. It returns how many users were disabled.
func RetireUnit(ctx context.Context, d *db.DB, who auth.AuditEntry, id int64, now time.Time) (int, error) {
	disabled := 0
	err := d.InTx(ctx, func(tx *db.Tx) error {
		u, err := GetUnitInfo(ctx, tx, id)
		if err != nil {
			return err
		}
		if u.Retired {
			return domain.Conflict("单位已停用")
		}
		ids := []int64{id}
		for i := 0; i < len(ids) && i < 10000; i++ {
			rows, err := tx.Query(ctx, `SELECT id FROM units WHERE parent_id = ? AND retired_at IS NULL`, ids[i])
			if err != nil {
				return err
			}
			for rows.Next() {
				var c int64
				if err := rows.Scan(&c); err != nil {
					rows.Close()
					return err
				}
				ids = append(ids, c)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
		}
		for _, uid := range ids {
			if _, err := tx.Exec(ctx, `UPDATE units SET retired_at = ?, updated_at = ? WHERE id = ? AND retired_at IS NULL`, db.Millis(now), db.Millis(now), uid); err != nil {
				return fmt.Errorf("retire unit %d: %w", uid, err)
			}
			n, err := auth.DisableUnitUsers(ctx, tx, who, uid, now)
			if err != nil {
				return err
			}
			disabled += n
		}
		if err := db.Bump(ctx, tx, db.GenUnits); err != nil {
			return err
		}
		return auditUnit(ctx, tx, who, auth.AuditUpdate, id, now, fmt.Sprintf("retire %s %s (%d units, %d users disabled)", u.Code, u.Name, len(ids), disabled))
	})
	return disabled, err
}

// ReactivateUnit takes a retired unit back into use. Its users stay
// disabled until an administrator enables them one by one.
func ReactivateUnit(ctx context.Context, d *db.DB, who auth.AuditEntry, id int64, now time.Time) error {
	return d.InTx(ctx, func(tx *db.Tx) error {
		u, err := GetUnitInfo(ctx, tx, id)
		if err != nil {
			return err
		}
		if !u.Retired {
			return domain.Conflict("单位在用中")
		}
		if err := checkUnit(ctx, tx, id, UnitInput{Name: u.Name, ParentID: u.ParentID}); err != nil {
			if u.ParentID != 0 && errors.Is(err, domain.ErrInvalid) {
				return domain.Conflict("上级单位已停用，请先恢复上级单位")
			}
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE units SET retired_at = NULL, updated_at = ? WHERE id = ?`, db.Millis(now), id); err != nil {
			return fmt.Errorf("reactivate unit %d: %w", id, err)
		}
		if err := db.Bump(ctx, tx, db.GenUnits); err != nil {
			return err
		}
		return auditUnit(ctx, tx, who, auth.AuditUpdate, id, now, "reactivate "+u.Code+" "+u.Name)
	})
}

// ErrUnitRetired is wrapped in the refusal of a request to a retired unit.
var ErrUnitRetired = domain.Conflict("该成员单位已停用，不能再向其发送请求")

// unitAcceptsRequests refuses a request addressed to a retired unit (in the
// transaction that creates or sends it).
func unitAcceptsRequests(ctx context.Context, q db.Querier, unitID int64) error {
	var retired sql.NullInt64
	var name string
	err := q.QueryRow(ctx, `SELECT name, retired_at FROM units WHERE id = ?`, unitID).Scan(&name, &retired)
	if errors.Is(err, sql.ErrNoRows) {
		return domain.Invalid("成员单位 %d 不存在", unitID)
	}
	if err != nil {
		return err
	}
	if retired.Valid {
		return fmt.Errorf("request to %s: %w", name, ErrUnitRetired)
	}
	return nil
}

// Contact is a person to call at a member unit.
type Contact struct {
	ID        int64     `json:"id"`
	UnitID    int64     `json:"unit_id"`
	Name      string    `json:"name"`
	Title     string    `json:"title,omitempty"`
	Phone     string    `json:"phone,omitempty"`
	Note      string    `json:"note,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

// ContactInput adds a contact.
type ContactInput struct {
	Name  string `json:"name"`
	Title string `json:"title"`
	Phone string `json:"phone"`
	Note  string `json:"note"`
}

// Masked returns the contact with its phone masked.
func (c Contact) Masked(m auth.Masker) Contact {
	c.Phone = m.Phone(c.Phone)
	return c
}

// Contacts lists a unit's contacts.
func Contacts(ctx context.Context, q db.Querier, unitID int64) ([]Contact, error) {
	rows, err := q.Query(ctx, `SELECT id, unit_id, name, title, phone, note, created_at FROM unit_contacts WHERE unit_id = ? ORDER BY id`, unitID)
	if err != nil {
		return nil, fmt.Errorf("contacts of unit %d: %w", unitID, err)
	}
	defer rows.Close()
	out := []Contact{}
	for rows.Next() {
		var c Contact
		var created int64
		if err := rows.Scan(&c.ID, &c.UnitID, &c.Name, &c.Title, &c.Phone, &c.Note, &created); err != nil {
			return nil, err
		}
		c.CreatedAt = db.Time(created)
		out = append(out, c)
	}
	return out, rows.Err()
}

// AddContact adds a contact to a unit, audited.
func AddContact(ctx context.Context, d *db.DB, who auth.AuditEntry, unitID int64, in ContactInput, now time.Time) (Contact, error) {
	c := Contact{UnitID: unitID, Name: strings.TrimSpace(in.Name), Title: strings.TrimSpace(in.Title),
		Phone: strings.ReplaceAll(strings.TrimSpace(in.Phone), " ", ""), Note: strings.TrimSpace(in.Note), CreatedAt: now}
	if c.Name == "" {
		return c, domain.Invalid("联系人姓名不能为空")
	}
	if utf8.RuneCountInString(c.Name) > 50 || utf8.RuneCountInString(c.Title) > 50 || utf8.RuneCountInString(c.Note) > 500 {
		return c, domain.Invalid("联系人信息过长")
	}
	if c.Phone != "" && !validPhone(c.Phone) {
		return c, domain.Invalid("电话 %q 无效（手机号或带区号的座机号）", c.Phone)
	}
	err := d.InTx(ctx, func(tx *db.Tx) error {
		if _, err := GetUnitInfo(ctx, tx, unitID); err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, `INSERT INTO unit_contacts (unit_id, name, title, phone, note, created_at) VALUES (?,?,?,?,?,?) RETURNING id`,
			unitID, c.Name, c.Title, c.Phone, c.Note, db.Millis(now)).Scan(&c.ID); err != nil {
			return fmt.Errorf("add contact: %w", err)
		}
		if err := db.Bump(ctx, tx, db.GenUnits); err != nil {
			return err
		}
		e := who.With(auth.AuditCreate, "unit_contact", strconv.FormatInt(c.ID, 10))
		e.At, e.Detail = now, fmt.Sprintf("unit %d %s %s %s", unitID, c.Name, c.Title, auth.MaskPhone(c.Phone))
		return auth.Audit(ctx, tx, e)
	})
	return c, err
}

// DeleteContact removes a contact of a unit, audited.
func DeleteContact(ctx context.Context, d *db.DB, who auth.AuditEntry, unitID, contactID int64, now time.Time) error {
	return d.InTx(ctx, func(tx *db.Tx) error {
		var name string
		err := tx.QueryRow(ctx, `SELECT name FROM unit_contacts WHERE id = ? AND unit_id = ?`, contactID, unitID).Scan(&name)
		if errors.Is(err, sql.ErrNoRows) {
			return domain.NotFound("联系人不存在")
		}
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM unit_contacts WHERE id = ?`, contactID); err != nil {
			return fmt.Errorf("delete contact: %w", err)
		}
		if err := db.Bump(ctx, tx, db.GenUnits); err != nil {
			return err
		}
		e := who.With(auth.AuditDelete, "unit_contact", strconv.FormatInt(contactID, 10))
		e.At, e.Detail = now, fmt.Sprintf("unit %d %s", unitID, name)
		return auth.Audit(ctx, tx, e)
	})
}

// validPhone accepts a mobile number or a landline with area code and an
// optional extension: digits with at most a leading + and dashes.
func validPhone(s string) bool {
	digits := 0
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r == '-':
		case r == '+' && i == 0:
		default:
			return false
		}
	}
	return digits >= 7 && digits <= 20
}

// UnitUsers lists the partner users of a unit (active and disabled).
func UnitUsers(ctx context.Context, q db.Querier, unitID int64) ([]auth.User, error) {
	return auth.ListUsersOfUnit(ctx, q, unitID)
}
