package auth

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/domain"
)

// Managing people: who may create and change which users, where. The centre
// admin (CapUserAdmin) manages everyone. A station head (CapStaffManage
// without CapUserAdmin) manages only officers bound under their own node,
// grants only the station roles and never moves anyone out of the station.
// Nobody disables or demotes themselves or the last active admin. Every
// change is audited and bumps db.GenUsers, so intake stops assigning to a
// disabled officer on the next warning, on every replica.

// MinPasswordLen is the shortest password accepted anywhere.
const MinPasswordLen = 10

// commonPasswords are refused whatever their length.
var commonPasswords = map[string]bool{
	"password123": true, "1234567890": true, "12345678910": true, "qwertyuiop": true, "abc1234567": true,
	"fanzha-demo": true, "admin12345": true, "admin@1234": true, "password1!": true, "a123456789": true,
}

// CheckPasswordRule is the one password rule of fanzha: at least
// MinPasswordLen characters, at least three of the four classes (lower
// case, upper case, digits, other), not the username, not a common one.
func CheckPasswordRule(username, pw string) error {
	if strings.TrimSpace(pw) == "" {
		return domain.Invalid("密码不能为空")
	}
	if utf8.RuneCountInString(pw) < MinPasswordLen {
		return domain.Invalid("密码至少 %d 位", MinPasswordLen)
	}
	if len(pw) > 72 {
		return domain.Invalid("密码不能超过 72 字节")
	}
	var lower, upper, digit, other int
	for _, r := range pw {
		switch {
		case unicode.IsLower(r):
			lower = 1
		case unicode.IsUpper(r):
			upper = 1
		case unicode.IsDigit(r):
			digit = 1
		default:
			other = 1
		}
	}
	if lower+upper+digit+other < 3 {
		return domain.Invalid("密码须包含大写字母、小写字母、数字、符号中的至少三类")
	}
	low := strings.ToLower(pw)
	if u := strings.ToLower(strings.TrimSpace(username)); u != "" && strings.Contains(low, u) {
		return domain.Invalid("密码不能包含用户名")
	}
	if commonPasswords[low] {
		return domain.Invalid("密码过于常见")
	}
	return nil
}

// GeneratePassword returns a random password that passes the rule: 14
// characters from an alphabet without look-alikes, with every class.
func GeneratePassword() string {
	const (
		lower  = "abcdefghijkmnpqrstuvwxyz"
		upper  = "ABCDEFGHJKLMNPQRSTUVWXYZ"
		digits = "23456789"
		// No %: a password is shown on pages and in files, where "%!"
		// reads as a formatting fault (and % as URL escaping).
		sym = "-_.!@#"
	)
	pick := func(set string) byte {
		n, err := rand.Int(rand.Reader, big.NewInt(int64(len(set))))
		if err != nil {
			panic(fmt.Sprintf("crypto/rand: %v", err))
		}
		return set[n.Int64()]
	}
	all := lower + upper + digits + sym
	b := []byte{pick(lower), pick(upper), pick(digits), pick(sym)}
	for len(b) < 14 {
		b = append(b, pick(all))
	}
	for i := len(b) - 1; i > 0; i-- { // shuffle so the classes are not in a fixed place
		n, _ := rand.Int(rand.Reader, big.NewInt(int64(i+1)))
		j := int(n.Int64())
		b[i], b[j] = b[j], b[i]
	}
	// A password is handed out in CSV files that spreadsheets open: one
	// beginning with - or @ would be neutralised there as a formula (a
	// leading apostrophe the person would then type), so it begins with a
	// letter or digit.
	for i := range b {
		if !strings.ContainsRune(sym, rune(b[i])) {
			b[0], b[i] = b[i], b[0]
			break
		}
	}
	return string(b)
}

// generatePasswordFor returns a generated password that passes the rule for
// username (a short username may turn up inside a random one).
func generatePasswordFor(username string) string {
	for {
		if pw := GeneratePassword(); CheckPasswordRule(username, pw) == nil {
			return pw
		}
	}
}

// StationRoles are the roles a station head may grant.
var StationRoles = []Role{RoleDissuader, RoleInvestigator, RoleGrid, RoleStationHead}

// GrantableRoles lists the roles p may give.
func GrantableRoles(p *Principal) []Role {
	switch {
	case p.Can(CapUserAdmin):
		return append([]Role(nil), Roles...)
	case p.Can(CapStaffManage):
		return append([]Role(nil), StationRoles...)
	}
	return nil
}

// MayGrant reports whether p may give role r.
func MayGrant(p *Principal, r Role) bool {
	for _, x := range GrantableRoles(p) {
		if x == r {
			return true
		}
	}
	return false
}

// checkGrant refuses a role or a node p may not give.
func checkGrant(p *Principal, r Role, n area.Node) error {
	if !ValidRole(r) {
		return domain.Invalid("未知角色 %q", r)
	}
	if !MayGrant(p, r) {
		return domain.Forbidden("无权授予“%s”角色", RoleName(r))
	}
	if !p.Sees(n) {
		return domain.Forbidden("不能把人员分配到本辖区（%s）以外", p.Scope.Name)
	}
	if n.Retired {
		return domain.Invalid("辖区“%s”已撤销", n.FullName)
	}
	return nil
}

// ManagedUser returns a user p may manage: out of p's jurisdiction it is
// not found (a station head does not learn of other stations' officers).
func ManagedUser(ctx context.Context, q db.Querier, p *Principal, id int64) (User, error) {
	if !p.Can(CapStaffManage) {
		return User{}, domain.Forbidden("当前角色无权管理人员")
	}
	u, err := GetUser(ctx, q, id)
	if err != nil {
		return User{}, domain.NotFound("用户不存在")
	}
	if p.Can(CapUserAdmin) {
		return u, nil
	}
	n, err := area.Get(ctx, q, u.AreaID)
	if err != nil || !p.Sees(n) {
		return User{}, domain.NotFound("用户不存在")
	}
	return u, nil
}

// mayChange refuses changes to a user whose current role p may not give
// (a station head cannot touch an admin or a duty officer bound to their
// station).
func mayChange(p *Principal, u User) error {
	if !MayGrant(p, u.Role) {
		return domain.Forbidden("无权管理“%s”角色的用户", RoleName(u.Role))
	}
	return nil
}

// UserFilter selects users for the admin list.
type UserFilter struct {
	Role     Role
	AreaID   int64 // a node: users bound under it
	Disabled *bool // nil: both
	UnitID   int64
	Query    string // part of the username or display name
	Limit    int
}

// ListManaged lists the users in p's jurisdiction matching f.
func ListManaged(ctx context.Context, q db.Querier, p *Principal, f UserFilter) ([]User, error) {
	if !p.Can(CapStaffManage) {
		return nil, domain.Forbidden("当前角色无权管理人员")
	}
	root := p.Scope
	if f.AreaID != 0 {
		n, err := area.Get(ctx, q, f.AreaID)
		if err != nil || !p.Sees(n) {
			return nil, domain.NotFound("辖区不存在")
		}
		root = n
	}
	cond, arg := area.UnderClause("area_id", root)
	query := `SELECT ` + userColumns + ` FROM users WHERE ` + cond
	args := []any{arg}
	if f.Role != "" {
		query += ` AND role = ?`
		args = append(args, f.Role)
	}
	if f.Disabled != nil {
		query += ` AND disabled = ?`
		args = append(args, boolInt(*f.Disabled))
	}
	if f.UnitID != 0 {
		query += ` AND unit_id = ?`
		args = append(args, f.UnitID)
	}
	if s := strings.TrimSpace(f.Query); s != "" {
		query += ` AND (username LIKE ? OR display_name LIKE ?)`
		args = append(args, "%"+s+"%", "%"+s+"%")
	}
	query += ` ORDER BY disabled, id`
	if f.Limit > 0 {
		query += ` LIMIT ` + strconv.Itoa(f.Limit)
	}
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	defer rows.Close()
	out := []User{}
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// ListUsersOfUnit lists the partner users of a member unit.
func ListUsersOfUnit(ctx context.Context, q db.Querier, unitID int64) ([]User, error) {
	rows, err := q.Query(ctx, `SELECT `+userColumns+` FROM users WHERE unit_id = ? ORDER BY disabled, id`, unitID)
	if err != nil {
		return nil, fmt.Errorf("users of unit %d: %w", unitID, err)
	}
	defer rows.Close()
	out := []User{}
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func auditUser(ctx context.Context, q db.Querier, who AuditEntry, action string, u User, now time.Time, detail string) error {
	e := who.With(action, "user", strconv.FormatInt(u.ID, 10))
	e.At, e.Detail = now, u.Username
	if detail != "" {
		e.Detail += " " + detail
	}
	return Audit(ctx, q, e)
}

// checkUnitActive refuses a unit that does not exist or is retired.
func checkUnitActive(ctx context.Context, q db.Querier, unitID int64) error {
	var retired sql.NullInt64
	err := q.QueryRow(ctx, `SELECT retired_at FROM units WHERE id = ?`, unitID).Scan(&retired)
	if errors.Is(err, sql.ErrNoRows) {
		return domain.Invalid("成员单位 %d 不存在", unitID)
	}
	if err != nil {
		return err
	}
	if retired.Valid {
		return domain.Invalid("成员单位已停用")
	}
	return nil
}

// normalizePhone strips spaces; an empty phone is fine.
func normalizePhone(s string) (string, error) {
	s = strings.ReplaceAll(strings.TrimSpace(s), " ", "")
	if s == "" {
		return "", nil
	}
	digits := 0
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r == '-', r == '+' && i == 0:
		default:
			return "", domain.Invalid("手机号 %q 无效", s)
		}
	}
	if digits < 7 || digits > 20 {
		return "", domain.Invalid("手机号 %q 无效", s)
	}
	return s, nil
}

func validUsername(s string) error {
	if s == "" {
		return domain.Invalid("用户名不能为空")
	}
	if len(s) > 64 {
		return domain.Invalid("用户名不能超过 64 个字符")
	}
	for _, r := range s {
		if unicode.IsSpace(r) || unicode.IsControl(r) || r == '/' || r == '\\' {
			return domain.Invalid("用户名 %q 不能含空格或斜杠", s)
		}
	}
	return nil
}

// prepareNewUser checks a new user as p would create it, in q's
// transaction: role and node p may give, a password that passes the rule,
// an active unit for partners (who are bound to the county root).
func prepareNewUser(ctx context.Context, q db.Querier, p *Principal, nu *NewUser) error {
	nu.Username = strings.TrimSpace(nu.Username)
	nu.DisplayName = strings.TrimSpace(nu.DisplayName)
	if err := validUsername(nu.Username); err != nil {
		return err
	}
	if !ValidRole(nu.Role) {
		return domain.Invalid("未知角色 %q", nu.Role)
	}
	if nu.Role == RolePartner {
		if nu.UnitID == 0 {
			return domain.Invalid("合作单位用户必须属于一个成员单位")
		}
		if err := checkUnitActive(ctx, q, nu.UnitID); err != nil {
			return err
		}
		// Partner users are bound to the county root: their jurisdiction
		// is their unit, not a node.
		root, err := area.Root(ctx, q)
		if err != nil {
			return err
		}
		nu.AreaID = root.ID
	} else {
		nu.UnitID = 0
	}
	if nu.AreaID == 0 {
		return domain.Invalid("请选择辖区")
	}
	n, err := area.Get(ctx, q, nu.AreaID)
	if err != nil {
		return domain.Invalid("辖区 %d 不存在", nu.AreaID)
	}
	if err := checkGrant(p, nu.Role, n); err != nil {
		return err
	}
	if nu.Phone, err = normalizePhone(nu.Phone); err != nil {
		return err
	}
	if nu.PasswordHash != "" {
		return domain.Invalid("不接受预置的密码散列")
	}
	return CheckPasswordRule(nu.Username, nu.Password)
}

// ManagedCreate creates a user as p, audited; with an empty password and
// generate set, a random one is generated and returned (shown once).
func ManagedCreate(ctx context.Context, d *db.DB, p *Principal, who AuditEntry, nu NewUser, generate bool, now time.Time) (User, string, error) {
	if generate && nu.Password == "" {
		nu.Password = generatePasswordFor(nu.Username)
	}
	var u User
	err := d.InTx(ctx, func(tx *db.Tx) error {
		var err error
		u, err = createManaged(ctx, tx, p, who, nu, now)
		return err
	})
	if err != nil {
		return User{}, "", err
	}
	if !generate {
		return u, "", nil
	}
	return u, nu.Password, nil
}

func createManaged(ctx context.Context, tx db.Querier, p *Principal, who AuditEntry, nu NewUser, now time.Time) (User, error) {
	if err := prepareNewUser(ctx, tx, p, &nu); err != nil {
		return User{}, fmt.Errorf("create user %s: %w", nu.Username, err)
	}
	u, err := CreateUser(ctx, tx, nu)
	if err != nil {
		return User{}, err
	}
	if err := db.Bump(ctx, tx, db.GenUsers); err != nil {
		return User{}, err
	}
	detail := fmt.Sprintf("role %s area %d", u.Role, u.AreaID)
	if u.UnitID != 0 {
		detail += fmt.Sprintf(" unit %d", u.UnitID)
	}
	return u, auditUser(ctx, tx, who, AuditCreate, u, now, detail)
}

// UserUpdate changes a user's details; every field is set as given.
type UserUpdate struct {
	DisplayName string `json:"display_name"`
	Phone       string `json:"phone"`
	Role        Role   `json:"role"`
	AreaID      int64  `json:"area_id"`
	UnitID      int64  `json:"unit_id,omitempty"`
}

// activeAdmins counts enabled admins other than exceptID.
func activeAdmins(ctx context.Context, q db.Querier, exceptID int64) (int, error) {
	var n int
	err := q.QueryRow(ctx, `SELECT COUNT(*) FROM users WHERE role = ? AND disabled = 0 AND id <> ?`, RoleAdmin, exceptID).Scan(&n)
	return n, err
}

func lastAdminGuard(ctx context.Context, q db.Querier, u User, what string) error {
	if u.Role != RoleAdmin || u.Disabled {
		return nil
	}
	n, err := activeAdmins(ctx, q, u.ID)
	if err != nil {
		return err
	}
	if n == 0 {
		return domain.Conflict("%s 是最后一个在用的中心管理员，不能%s", u.Username, what)
	}
	return nil
}

// UpdateManaged changes a user's name, phone, role, node and unit as p.
// Users may edit their own name and phone, never their own role or node.
func UpdateManaged(ctx context.Context, d *db.DB, p *Principal, who AuditEntry, id int64, up UserUpdate, now time.Time) (User, error) {
	var out User
	err := d.InTx(ctx, func(tx *db.Tx) error {
		u, err := ManagedUser(ctx, tx, p, id)
		if err != nil {
			return err
		}
		self := p.User.ID != 0 && p.User.ID == u.ID
		if !self {
			if err := mayChange(p, u); err != nil {
				return err
			}
		}
		up.DisplayName = strings.TrimSpace(up.DisplayName)
		if up.DisplayName == "" {
			up.DisplayName = u.Username
		}
		if utf8.RuneCountInString(up.DisplayName) > 50 {
			return domain.Invalid("姓名不能超过 50 个字")
		}
		if up.Phone, err = normalizePhone(up.Phone); err != nil {
			return err
		}
		if up.Role == "" {
			up.Role = u.Role
		}
		if up.AreaID == 0 {
			up.AreaID = u.AreaID
		}
		if up.Role != RolePartner {
			up.UnitID = 0
		} else {
			if up.UnitID == 0 {
				up.UnitID = u.UnitID
			}
			root, err := area.Root(ctx, tx)
			if err != nil {
				return err
			}
			up.AreaID = root.ID
		}
		changesAccess := up.Role != u.Role || up.AreaID != u.AreaID || up.UnitID != u.UnitID
		if self && changesAccess {
			return domain.Forbidden("不能修改自己的角色、辖区或单位")
		}
		if changesAccess {
			n, err := area.Get(ctx, tx, up.AreaID)
			if err != nil {
				return domain.Invalid("辖区 %d 不存在", up.AreaID)
			}
			if err := checkGrant(p, up.Role, n); err != nil {
				return err
			}
			if up.Role == RolePartner {
				if up.UnitID == 0 {
					return domain.Invalid("合作单位用户必须属于一个成员单位")
				}
				if up.UnitID != u.UnitID {
					if err := checkUnitActive(ctx, tx, up.UnitID); err != nil {
						return err
					}
				}
			}
			if up.Role != RoleAdmin {
				if err := lastAdminGuard(ctx, tx, u, "改为其他角色"); err != nil {
					return err
				}
			}
		}
		if _, err := tx.Exec(ctx, `UPDATE users SET display_name = ?, phone = ?, role = ?, area_id = ?, unit_id = ?, updated_at = ? WHERE id = ?`,
			up.DisplayName, up.Phone, up.Role, up.AreaID, nullableID(up.UnitID), db.Millis(now), id); err != nil {
			return fmt.Errorf("update user %d: %w", id, err)
		}
		if err := db.Bump(ctx, tx, db.GenUsers); err != nil {
			return err
		}
		detail := fmt.Sprintf("name %q phone %s", up.DisplayName, MaskPhone(up.Phone))
		if changesAccess {
			detail += fmt.Sprintf(" role %s→%s area %d→%d unit %d→%d", u.Role, up.Role, u.AreaID, up.AreaID, u.UnitID, up.UnitID)
		}
		if err := auditUser(ctx, tx, who, AuditUpdate, u, now, detail); err != nil {
			return err
		}
		out, err = GetUser(ctx, tx, id)
		return err
	})
	return out, err
}

func nullableID(v int64) any {
	if v == 0 {
		return nil
	}
	return v
}

// endAccess deletes every session and revokes every API token of a user.
func endAccess(ctx context.Context, q db.Querier, userID int64, now time.Time) error {
	if _, err := q.Exec(ctx, `DELETE FROM sessions WHERE user_id = ?`, userID); err != nil {
		return fmt.Errorf("end sessions of user %d: %w", userID, err)
	}
	if _, err := q.Exec(ctx, `UPDATE api_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL`, db.Millis(now), userID); err != nil {
		return fmt.Errorf("revoke tokens of user %d: %w", userID, err)
	}
	return nil
}

func disable(ctx context.Context, q db.Querier, userID int64, now time.Time) error {
	if _, err := q.Exec(ctx, `UPDATE users SET disabled = 1, disabled_at = ?, updated_at = ? WHERE id = ?`, db.Millis(now), db.Millis(now), userID); err != nil {
		return fmt.Errorf("disable user %d: %w", userID, err)
	}
	return endAccess(ctx, q, userID, now)
}

// DisableManaged disables a user as p: their sessions end and their API
// tokens are revoked at once; intake stops assigning to them.
func DisableManaged(ctx context.Context, d *db.DB, p *Principal, who AuditEntry, id int64, now time.Time) error {
	return d.InTx(ctx, func(tx *db.Tx) error {
		u, err := ManagedUser(ctx, tx, p, id)
		if err != nil {
			return err
		}
		if p.User.ID != 0 && p.User.ID == u.ID {
			return domain.Forbidden("不能停用自己的账号")
		}
		if err := mayChange(p, u); err != nil {
			return err
		}
		if u.Disabled {
			return domain.Conflict("账号 %s 已停用", u.Username)
		}
		if err := lastAdminGuard(ctx, tx, u, "停用"); err != nil {
			return err
		}
		if err := disable(ctx, tx, u.ID, now); err != nil {
			return err
		}
		if err := db.Bump(ctx, tx, db.GenUsers); err != nil {
			return err
		}
		return auditUser(ctx, tx, who, AuditUpdate, u, now, "disable")
	})
}

// EnableManaged enables a disabled user as p. A partner of a retired unit
// stays disabled until the unit is back in use. Revoked tokens stay revoked.
func EnableManaged(ctx context.Context, d *db.DB, p *Principal, who AuditEntry, id int64, now time.Time) error {
	return d.InTx(ctx, func(tx *db.Tx) error {
		u, err := ManagedUser(ctx, tx, p, id)
		if err != nil {
			return err
		}
		if err := mayChange(p, u); err != nil {
			return err
		}
		if !u.Disabled {
			return domain.Conflict("账号 %s 在用中", u.Username)
		}
		if u.UnitID != 0 {
			if err := checkUnitActive(ctx, tx, u.UnitID); err != nil {
				return fmt.Errorf("%w（请先恢复该单位）", err)
			}
		}
		if n, err := area.Get(ctx, tx, u.AreaID); err == nil && n.Retired {
			return domain.Conflict("辖区“%s”已撤销，请先把账号调整到在用的辖区", n.FullName)
		}
		if _, err := tx.Exec(ctx, `UPDATE users SET disabled = 0, disabled_at = NULL, updated_at = ? WHERE id = ?`, db.Millis(now), u.ID); err != nil {
			return fmt.Errorf("enable user %d: %w", u.ID, err)
		}
		if err := db.Bump(ctx, tx, db.GenUsers); err != nil {
			return err
		}
		return auditUser(ctx, tx, who, AuditUpdate, u, now, "enable")
	})
}

// DisableUnitUsers disables every active user of a member unit (when the
// unit is retired), in q's transaction, auditing each; it returns how many.
func DisableUnitUsers(ctx context.Context, q db.Querier, who AuditEntry, unitID int64, now time.Time) (int, error) {
	rows, err := q.Query(ctx, `SELECT `+userColumns+` FROM users WHERE unit_id = ? AND disabled = 0`, unitID)
	if err != nil {
		return 0, fmt.Errorf("users of unit %d: %w", unitID, err)
	}
	var users []User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			rows.Close()
			return 0, err
		}
		users = append(users, u)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	for _, u := range users {
		if err := disable(ctx, q, u.ID, now); err != nil {
			return 0, err
		}
		if err := auditUser(ctx, q, who, AuditUpdate, u, now, fmt.Sprintf("disable (unit %d retired)", unitID)); err != nil {
			return 0, err
		}
	}
	if len(users) > 0 {
		if err := db.Bump(ctx, q, db.GenUsers); err != nil {
			return 0, err
		}
	}
	return len(users), nil
}

// ResetPassword sets a user's password as p: the one given (checked by the
// rule), or with an empty pw a generated one, returned to be shown once.
// The user's sessions end (they sign in with the new password), except the
// session of a user changing their own.
func ResetPassword(ctx context.Context, d *db.DB, p *Principal, who AuditEntry, id int64, pw string, now time.Time) (string, error) {
	generated := ""
	if pw == "" {
		var username string
		if err := d.QueryRow(ctx, `SELECT username FROM users WHERE id = ?`, id).Scan(&username); err != nil && !errors.Is(err, sql.ErrNoRows) {
			return "", err
		}
		pw = generatePasswordFor(username)
		generated = pw
	}
	err := d.InTx(ctx, func(tx *db.Tx) error {
		u, err := ManagedUser(ctx, tx, p, id)
		if err != nil {
			return err
		}
		self := p.User.ID != 0 && p.User.ID == u.ID
		if !self {
			if err := mayChange(p, u); err != nil {
				return err
			}
		}
		if err := CheckPasswordRule(u.Username, pw); err != nil {
			return err
		}
		h, err := HashPassword(pw)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?`, h, db.Millis(now), u.ID); err != nil {
			return fmt.Errorf("reset password: %w", err)
		}
		// Every session of the user ends; one changing their own password
		// stays signed in in the session that did it.
		keep := int64(0)
		if self {
			keep = p.SessionID
		}
		if err := EndSessions(ctx, tx, u.ID, keep); err != nil {
			return err
		}
		how := "password reset (typed)"
		if generated != "" {
			how = "password reset (generated)"
		}
		return auditUser(ctx, tx, who, AuditUpdate, u, now, how)
	})
	if err != nil {
		return "", err
	}
	return generated, nil
}

// ManagedTokens lists the API tokens of a user p manages.
func ManagedTokens(ctx context.Context, q db.Querier, p *Principal, id int64) ([]APIToken, error) {
	if _, err := ManagedUser(ctx, q, p, id); err != nil {
		return nil, err
	}
	out, err := ListTokens(ctx, q, id)
	if out == nil {
		out = []APIToken{}
	}
	return out, err
}

// CreateManagedToken creates an API token for a user p manages, valid for
// DefaultTokenValidity, and returns the secret (shown once).
func CreateManagedToken(ctx context.Context, d *db.DB, p *Principal, who AuditEntry, id int64, label string, now time.Time) (string, APIToken, error) {
	return CreateManagedTokenValid(ctx, d, p, who, id, label, DefaultTokenValidity, now)
}

// CreateManagedTokenValid is CreateManagedToken with the token's validity
// (zero: DefaultTokenValidity).
func CreateManagedTokenValid(ctx context.Context, d *db.DB, p *Principal, who AuditEntry, id int64, label string, validity time.Duration, now time.Time) (string, APIToken, error) {
	if validity == 0 {
		validity = DefaultTokenValidity
	}
	label = strings.TrimSpace(label)
	if label == "" {
		return "", APIToken{}, domain.Invalid("请填写令牌用途（标签）")
	}
	if utf8.RuneCountInString(label) > 60 {
		return "", APIToken{}, domain.Invalid("标签不能超过 60 个字")
	}
	var secret string
	var tok APIToken
	err := d.InTx(ctx, func(tx *db.Tx) error {
		u, err := ManagedUser(ctx, tx, p, id)
		if err != nil {
			return err
		}
		if p.User.ID == 0 || p.User.ID != u.ID {
			if err := mayChange(p, u); err != nil {
				return err
			}
		}
		if u.Disabled {
			return domain.Conflict("账号 %s 已停用", u.Username)
		}
		secret, tok, err = CreateTokenValid(ctx, tx, u.ID, label, validity, now)
		if err != nil {
			return err
		}
		e := who.With(AuditToken, "user", strconv.FormatInt(u.ID, 10))
		e.At, e.Detail = now, fmt.Sprintf("%s token %s… label %s expires %s", u.Username, tok.Prefix, label, tok.ExpiresAt.UTC().Format("2006-01-02"))
		return Audit(ctx, tx, e)
	})
	return secret, tok, err
}

// RevokeManagedToken revokes an API token of a user p manages.
func RevokeManagedToken(ctx context.Context, d *db.DB, p *Principal, who AuditEntry, userID, tokenID int64, now time.Time) error {
	return d.InTx(ctx, func(tx *db.Tx) error {
		u, err := ManagedUser(ctx, tx, p, userID)
		if err != nil {
			return err
		}
		if p.User.ID == 0 || p.User.ID != u.ID {
			if err := mayChange(p, u); err != nil {
				return err
			}
		}
		if err := RevokeToken(ctx, tx, u.ID, tokenID, now); errors.Is(err, domain.ErrNotFound) {
			return domain.NotFound("令牌不存在或已撤销").With(err)
		} else if err != nil {
			return err
		}
		e := who.With(AuditUpdate, "api_token", strconv.FormatInt(tokenID, 10))
		e.At, e.Detail = now, u.Username+" revoke"
		return Audit(ctx, tx, e)
	})
}

// CLIPrincipal is the principal of the command line: the operator of the
// server, acting as the centre admin over the whole tree (User.ID 0, so the
// self rules do not apply; the last-admin rule does).
func CLIPrincipal(ctx context.Context, q db.Querier) (*Principal, error) {
	root, err := area.Root(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("county root: %w（请先运行 fanzha setup 建立县级辖区）", err)
	}
	return &Principal{User: User{Username: "cli", Role: RoleAdmin, AreaID: root.ID}, Scope: root, Via: "cli"}, nil
}
