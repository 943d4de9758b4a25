package auth

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/domain"
)

// The sign-in errors of the domain family (auth's other refusals are made
// with domain's constructors; a caller who is not signed in is
// domain.ErrUnauthenticated).
var (
	ErrBadCredentials = domain.Unauthenticated("用户名或密码错误").WithCode("bad_credentials")
	ErrDisabled       = domain.Forbidden("账号已停用，请联系中心管理员").WithCode("disabled")
)

// User is a person who signs in to fanzha.
type User struct {
	ID          int64     `json:"id"`
	Username    string    `json:"username"`
	DisplayName string    `json:"display_name"`
	Role        Role      `json:"role"`
	AreaID      int64     `json:"area_id"`
	UnitID      int64     `json:"unit_id,omitempty"`
	Phone       string    `json:"phone,omitempty"`
	Disabled    bool      `json:"disabled"`
	CreatedAt   time.Time `json:"created_at"`
}

// BcryptCost is the work factor of password hashes; tests and the demo
// generator lower it to stay fast.
var BcryptCost = bcrypt.DefaultCost

// HashPassword hashes a password for storage.
func HashPassword(pw string) (string, error) {
	h, err := bcrypt.GenerateFromPassword([]byte(pw), BcryptCost)
	if err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	return string(h), nil
}

// NewUser is what CreateUser needs.
type NewUser struct {
	Username     string
	DisplayName  string
	Role         Role
	AreaID       int64
	UnitID       int64
	Phone        string
	Password     string // hashed before storage; empty means no console login
	PasswordHash string // a precomputed hash (the demo generator reuses one)
}

// CreateUser stores a user.
func CreateUser(ctx context.Context, q db.Querier, nu NewUser) (User, error) {
	nu.Username = strings.TrimSpace(nu.Username)
	if nu.Username == "" {
		return User{}, domain.Invalid("用户名不能为空")
	}
	if !ValidRole(nu.Role) {
		return User{}, domain.Invalid("未知角色 %q", nu.Role)
	}
	if nu.Role == RolePartner && nu.UnitID == 0 {
		return User{}, domain.Invalid("合作单位用户必须属于一个成员单位")
	}
	if _, err := area.Get(ctx, q, nu.AreaID); err != nil {
		return User{}, fmt.Errorf("create user %s: %w", nu.Username, err)
	}
	hash := nu.PasswordHash
	if hash == "" && nu.Password != "" {
		h, err := HashPassword(nu.Password)
		if err != nil {
			return User{}, err
		}
		hash = h
	}
	if nu.DisplayName == "" {
		nu.DisplayName = nu.Username
	}
	now := time.Now().UTC()
	var unit any
	if nu.UnitID != 0 {
		unit = nu.UnitID
	}
	var id int64
	err := q.QueryRow(ctx, `INSERT INTO users (username, display_name, role, area_id, unit_id, phone, password_hash, created_at, updated_at)
		VALUES (?,?,?,?,?,?,?,?,?) RETURNING id`,
		nu.Username, nu.DisplayName, nu.Role, nu.AreaID, unit, nu.Phone, hash, db.Millis(now), db.Millis(now)).Scan(&id)
	if err != nil {
		if isUniqueViolation(err) {
			return User{}, domain.Conflict("用户名已存在")
		}
		return User{}, fmt.Errorf("create user %s: %w", nu.Username, err)
	}
	return User{ID: id, Username: nu.Username, DisplayName: nu.DisplayName, Role: nu.Role, AreaID: nu.AreaID,
		UnitID: nu.UnitID, Phone: nu.Phone, CreatedAt: now.Truncate(time.Millisecond)}, nil
}

func isUniqueViolation(err error) bool {
	s := err.Error()
	return strings.Contains(s, "UNIQUE constraint") || strings.Contains(s, "23505") || strings.Contains(s, "duplicate key")
}

const userColumns = `id, username, display_name, role, area_id, COALESCE(unit_id, 0), phone, disabled, created_at`

func scanUser(sc interface{ Scan(...any) error }) (User, error) {
	var u User
	var disabled int
	var created int64
	err := sc.Scan(&u.ID, &u.Username, &u.DisplayName, &u.Role, &u.AreaID, &u.UnitID, &u.Phone, &disabled, &created)
	u.Disabled = disabled != 0
	u.CreatedAt = db.Time(created)
	return u, err
}

// GetUser returns a user by id.
func GetUser(ctx context.Context, q db.Querier, id int64) (User, error) {
	u, err := scanUser(q.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, fmt.Errorf("user %d: %w", id, domain.ErrNotFound)
	}
	return u, err
}

// GetUserByName returns a user by username.
func GetUserByName(ctx context.Context, q db.Querier, name string) (User, error) {
	u, err := scanUser(q.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE username = ?`, strings.TrimSpace(name)))
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, fmt.Errorf("user %q: %w", name, domain.ErrNotFound)
	}
	return u, err
}

// ListUsers returns the users bound to nodes under root, optionally of one role.
func ListUsers(ctx context.Context, q db.Querier, root area.Node, role Role) ([]User, error) {
	cond, arg := area.UnderClause("area_id", root)
	query := `SELECT ` + userColumns + ` FROM users WHERE ` + cond
	args := []any{arg}
	if role != "" {
		query += ` AND role = ?`
		args = append(args, role)
	}
	rows, err := q.Query(ctx, query+` ORDER BY id`, args...)
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	defer rows.Close()
	var out []User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// SetPassword replaces a user's password.
func SetPassword(ctx context.Context, q db.Querier, userID int64, pw string) error {
	var username string
	if err := q.QueryRow(ctx, `SELECT username FROM users WHERE id = ?`, userID).Scan(&username); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("set password for user %d: %w", userID, domain.ErrNotFound)
		}
		return fmt.Errorf("set password: %w", err)
	}
	if err := CheckPasswordRule(username, pw); err != nil {
		return fmt.Errorf("set password: %w", err)
	}
	h, err := HashPassword(pw)
	if err != nil {
		return err
	}
	res, err := q.Exec(ctx, `UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?`, h, db.Millis(time.Now()), userID)
	if err != nil {
		return fmt.Errorf("set password: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("set password for user %d: %w", userID, domain.ErrNotFound)
	}
	// A new password ends the sessions signed in with the old one.
	return EndSessions(ctx, q, userID, 0)
}

// CheckPassword verifies a username and password and returns the user.
// The same error is returned for an unknown user and a wrong password so a
// caller cannot probe for user names.
func CheckPassword(ctx context.Context, q db.Querier, username, pw string) (User, error) {
	var hash string
	u, err := scanUserWithHash(q.QueryRow(ctx, `SELECT `+userColumns+`, password_hash FROM users WHERE username = ?`, strings.TrimSpace(username)), &hash)
	if errors.Is(err, sql.ErrNoRows) {
		// Spend the same time as a real check.
		_ = bcrypt.CompareHashAndPassword(dummyHash(), []byte(pw))
		return User{}, ErrBadCredentials
	}
	if err != nil {
		return User{}, fmt.Errorf("check password: %w", err)
	}
	if hash == "" || bcrypt.CompareHashAndPassword([]byte(hash), []byte(pw)) != nil {
		return User{}, ErrBadCredentials
	}
	if u.Disabled {
		return User{}, ErrDisabled
	}
	return u, nil
}

// dummyHash is a hash compared against when the user is unknown, so the
// answer takes as long as for a known user.
var dummyHash = sync.OnceValue(func() []byte {
	h, _ := bcrypt.GenerateFromPassword([]byte("fanzha-no-such-user"), BcryptCost)
	return h
})

func scanUserWithHash(sc interface{ Scan(...any) error }, hash *string) (User, error) {
	var u User
	var disabled int
	var created int64
	err := sc.Scan(&u.ID, &u.Username, &u.DisplayName, &u.Role, &u.AreaID, &u.UnitID, &u.Phone, &disabled, &created, hash)
	u.Disabled = disabled != 0
	u.CreatedAt = db.Time(created)
	return u, err
}
