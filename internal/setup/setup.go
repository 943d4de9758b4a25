// Package setup is the first start of a centre: on a database with no county
// it creates, in one transaction, the county (the root of the jurisdiction
// tree) and the first administrator bound to it. Two doors call Run: the
// one-time setup link that `fanzha serve` prints (web) and `fanzha setup`
// (command line). Once the county exists the path is closed for good: every
// setup link is void and a second Run fails with ErrDone, changing nothing.
//
// A setup link carries a random token; only its SHA-256 is stored, with an
// expiry (TokenTTL). A token is good once. Each replica that starts on an
// empty database issues its own token, so every log shows a working link.
package setup

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
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

// TokenTTL is how long a setup link stays valid.
const TokenTTL = 24 * time.Hour

// ErrDone is returned when the centre is already set up.
var ErrDone = domain.Conflict("系统已完成初始化")

// ErrBadToken is returned for a setup link that is unknown, used or expired.
var ErrBadToken = domain.Forbidden("初始化链接无效、已使用或已过期：请重新启动服务获取新的链接，或在服务器上运行 fanzha setup")

// Required reports whether the database has no county yet.
func Required(ctx context.Context, q db.Querier) (bool, error) {
	_, err := area.Root(ctx, q)
	if errors.Is(err, area.ErrNotFound) {
		return true, nil
	}
	if err != nil {
		return false, err
	}
	return false, nil
}

// IssueToken stores a new setup token (valid for TokenTTL from now) and
// returns it. It fails with ErrDone when the county exists.
func IssueToken(ctx context.Context, d *db.DB, now time.Time) (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("setup token: %w", err)
	}
	tok := base64.RawURLEncoding.EncodeToString(b[:])
	err := d.InTx(ctx, func(tx *db.Tx) error {
		need, err := Required(ctx, tx)
		if err != nil {
			return err
		}
		if !need {
			return ErrDone
		}
		_, err = tx.Exec(ctx, `INSERT INTO setup_tokens (token_hash, created_at, expires_at) VALUES (?,?,?)`,
			hashToken(tok), db.Millis(now), db.Millis(now.Add(TokenTTL)))
		if err != nil {
			return fmt.Errorf("store setup token: %w", err)
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	return tok, nil
}

// CheckToken tells whether tok is a valid setup token at now, without
// using it up: ErrDone once the county exists, ErrBadToken for an unknown,
// used or expired token.
func CheckToken(ctx context.Context, q db.Querier, tok string, now time.Time) error {
	need, err := Required(ctx, q)
	if err != nil {
		return err
	}
	if !need {
		return ErrDone
	}
	if tok == "" {
		return ErrBadToken
	}
	var n int
	err = q.QueryRow(ctx, `SELECT COUNT(*) FROM setup_tokens WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?`,
		hashToken(tok), db.Millis(now)).Scan(&n)
	if err != nil {
		return fmt.Errorf("check setup token: %w", err)
	}
	if n == 0 {
		return ErrBadToken
	}
	return nil
}

func hashToken(tok string) string {
	h := sha256.Sum256([]byte(tok))
	return hex.EncodeToString(h[:])
}

// Params is what the first start needs.
type Params struct {
	// Level is the root's level: area.County (the default) for a county's
	// centre, area.Province for a province's, whose cities and counties
	// are then added by import or in 辖区管理. For a province CountyCode
	// and CountyName are the province's (430000, 湖南省).
	Level         area.Level
	CountyCode    string // 6-digit administrative division code (县级行政区划代码)
	CountyName    string // e.g. 云溪县, 城关区, 临江市, 科右前旗
	AdminUsername string
	AdminName     string // display name; the username when empty
	Password      string
	Password2     string // the repetition from a form; ignored when empty (command line)
}

// Options say which door runs the setup.
type Options struct {
	// Token is the setup link's token (web); it is used up in the same
	// transaction. Empty for the command line, which needs no token (it
	// runs on the server with access to the database).
	Token string
	Now   time.Time // time.Now when zero
	// Audit is who runs the setup (IP, request id, "cli:…"); the username
	// defaults to the new administrator's.
	Audit auth.AuditEntry
}

// Result is what the setup created.
type Result struct {
	County area.Node
	Admin  auth.User
}

// provinces are the first two digits of valid administrative codes.
var provinces = map[string]bool{
	"11": true, "12": true, "13": true, "14": true, "15": true,
	"21": true, "22": true, "23": true,
	"31": true, "32": true, "33": true, "34": true, "35": true, "36": true, "37": true,
	"41": true, "42": true, "43": true, "44": true, "45": true, "46": true,
	"50": true, "51": true, "52": true, "53": true, "54": true,
	"61": true, "62": true, "63": true, "64": true, "65": true,
	"71": true, "81": true, "82": true,
}

// ValidateCountyCode checks a 6-digit county-level administrative code: six
// digits, a province that exists, and not a province or prefecture code
// (those end in 00).
func ValidateCountyCode(code string) error {
	if len(code) != 6 {
		return domain.Invalid("县级行政区划代码应为 6 位数字，如 430102")
	}
	for _, c := range code {
		if c < '0' || c > '9' {
			return domain.Invalid("县级行政区划代码应为 6 位数字，如 430102")
		}
	}
	if !provinces[code[:2]] {
		return domain.Invalid("行政区划代码 %s 的前两位 %s 不是省级代码", code, code[:2])
	}
	if code[4:] == "00" {
		return domain.Invalid("%s 是省级或地级代码，请填写县（区、市、旗）级代码（末两位不为 00）", code)
	}
	return nil
}

// countySuffixes are the endings of county-level names, longest first.
var countySuffixes = []string{"自治县", "自治旗", "县", "区", "市", "旗"}

// CountyKind returns the kind of a county-level unit from its name's
// suffix (县, 区, 市, 旗; 自治县 and 自治旗 count as 县 and 旗) and the name
// without the suffix, or an error when the name has none of them.
func CountyKind(name string) (kind, stem string, err error) {
	for _, s := range countySuffixes {
		if strings.HasSuffix(name, s) && utf8.RuneCountInString(name) > utf8.RuneCountInString(s) {
			kind = s
			if strings.HasPrefix(s, "自治") {
				kind = strings.TrimPrefix(s, "自治")
			}
			return kind, strings.TrimSuffix(name, s), nil
		}
	}
	return "", "", domain.Invalid("县级单位名称应以 县、区、市 或 旗 结尾，如 云溪县")
}

// ValidateProvinceCode checks a province's 6-digit code: a province that
// exists, ending in 0000.
func ValidateProvinceCode(code string) error {
	if len(code) != 6 || strings.Trim(code, "0123456789") != "" {
		return domain.Invalid("省级行政区划代码应为 6 位数字，如 430000")
	}
	if !provinces[code[:2]] {
		return domain.Invalid("行政区划代码 %s 的前两位 %s 不是省级代码", code, code[:2])
	}
	if code[2:] != "0000" {
		return domain.Invalid("%s 不是省级代码（省级代码末四位为 0000）", code)
	}
	return nil
}

// provinceSuffixes are the endings of province-level names.
var provinceSuffixes = []string{"自治区", "省", "市"}

// ProvinceKind returns the kind of a province-level unit from its name's
// suffix (省, 自治区, 市 for a municipality), or an error.
func ProvinceKind(name string) (string, error) {
	for _, s := range provinceSuffixes {
		if strings.HasSuffix(name, s) && utf8.RuneCountInString(name) > utf8.RuneCountInString(s) {
			return s, nil
		}
	}
	return "", domain.Invalid("省级单位名称应以 省、自治区 或 市 结尾，如 湖南省")
}

// Validate checks the parameters and returns them trimmed.
func (p Params) Validate() (Params, error) {
	p.CountyCode = strings.TrimSpace(p.CountyCode)
	p.CountyName = strings.TrimSpace(p.CountyName)
	p.AdminUsername = strings.TrimSpace(p.AdminUsername)
	p.AdminName = strings.TrimSpace(p.AdminName)
	switch p.Level {
	case "", area.County:
		p.Level = area.County
		if err := ValidateCountyCode(p.CountyCode); err != nil {
			return p, err
		}
		if p.CountyName == "" {
			return p, domain.Invalid("请填写县（区、市、旗）名称")
		}
		if _, _, err := CountyKind(p.CountyName); err != nil {
			return p, err
		}
	case area.Province:
		if err := ValidateProvinceCode(p.CountyCode); err != nil {
			return p, err
		}
		if p.CountyName == "" {
			return p, domain.Invalid("请填写省（自治区、直辖市）名称")
		}
		if _, err := ProvinceKind(p.CountyName); err != nil {
			return p, err
		}
	default:
		return p, domain.Invalid("系统初始化只能从县（中心）或省开始")
	}
	if utf8.RuneCountInString(p.CountyName) > 32 {
		return p, domain.Invalid("名称过长（最多 32 个字）")
	}
	if p.AdminUsername == "" {
		return p, domain.Invalid("请填写管理员用户名")
	}
	if len(p.AdminUsername) > 64 || strings.ContainsAny(p.AdminUsername, " \t\r\n") {
		return p, domain.Invalid("用户名不能含空白，最长 64 个字符")
	}
	if utf8.RuneCountInString(p.AdminName) > 32 {
		return p, domain.Invalid("姓名过长（最多 32 个字）")
	}
	if p.Password == "" {
		return p, domain.Invalid("请设置管理员密码（系统没有默认密码）")
	}
	if p.Password2 != "" && p.Password2 != p.Password {
		return p, domain.Invalid("两次输入的密码不一致")
	}
	if err := auth.CheckPasswordRule(p.AdminUsername, p.Password); err != nil {
		return p, err
	}
	return p, nil
}

// Run creates the county (or the province) and the first administrator in
// one transaction,
// with their audit lines; with a token it uses the token up, and every
// other token is voided. Of two concurrent runs exactly one succeeds: the
// transaction first inserts the one row of setup_done, so the other fails
// on its primary key (ErrDone). The password rule is the one auth applies
// to every password (auth.SetPassword).
func Run(ctx context.Context, d *db.DB, p Params, o Options) (Result, error) {
	p, err := p.Validate()
	if err != nil {
		return Result{}, err
	}
	now := o.Now
	if now.IsZero() {
		now = time.Now()
	}
	now = now.UTC()
	kind, stem, _ := CountyKind(p.CountyName)
	if p.Level == area.Province {
		kind, _ = ProvinceKind(p.CountyName)
		stem = strings.TrimSuffix(p.CountyName, kind)
	}
	var res Result
	err = d.InTx(ctx, func(tx *db.Tx) error {
		need, err := Required(ctx, tx)
		if err != nil {
			return err
		}
		if !need {
			return ErrDone
		}
		if _, err := tx.Exec(ctx, `INSERT INTO setup_done (id, done_at, county_id, admin_user) VALUES (1, ?, 0, ?)`,
			db.Millis(now), p.AdminUsername); err != nil {
			if isUniqueViolation(err) {
				return ErrDone
			}
			return fmt.Errorf("setup: %w", err)
		}
		if o.Token != "" {
			r, err := tx.Exec(ctx, `UPDATE setup_tokens SET used_at = ? WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?`,
				db.Millis(now), hashToken(o.Token), db.Millis(now))
			if err != nil {
				return fmt.Errorf("setup: use token: %w", err)
			}
			if n, _ := r.RowsAffected(); n != 1 {
				return ErrBadToken
			}
		}
		// Every other link is void from now on.
		if _, err := tx.Exec(ctx, `UPDATE setup_tokens SET used_at = ? WHERE used_at IS NULL`, db.Millis(now)); err != nil {
			return fmt.Errorf("setup: void tokens: %w", err)
		}
		county := area.Node{Level: p.Level, Kind: kind, Code: p.CountyCode, Name: p.CountyName, FullName: p.CountyName}
		if stem != "" && utf8.RuneCountInString(stem) >= 2 {
			county.Aliases = stem
		}
		if err := area.Create(ctx, tx, &county); err != nil {
			return err
		}
		admin, err := auth.CreateUser(ctx, tx, auth.NewUser{Username: p.AdminUsername, DisplayName: p.AdminName,
			Role: auth.RoleAdmin, AreaID: county.ID})
		if err != nil {
			return err
		}
		if err := auth.SetPassword(ctx, tx, admin.ID, p.Password); err != nil {
			return err
		}
		if err := db.Bump(ctx, tx, db.GenUsers); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE setup_done SET county_id = ? WHERE id = 1`, county.ID); err != nil {
			return fmt.Errorf("setup: %w", err)
		}
		e := o.Audit
		e.At = now
		if e.Username == "" {
			e.Username = admin.Username
			e.UserID = admin.ID
			e.Role = admin.Role
		}
		door := "命令行"
		if o.Token != "" {
			door = "初始化链接"
		}
		ea := e.With(auth.AuditCreate, "area", strconv.FormatInt(county.ID, 10))
		ea.Detail = fmt.Sprintf("系统初始化（%s）：创建 %s（%s）", door, county.Name, county.Code)
		if err := auth.Audit(ctx, tx, ea); err != nil {
			return err
		}
		eu := e.With(auth.AuditCreate, "user", admin.Username)
		eu.Detail = fmt.Sprintf("系统初始化（%s）：创建管理员 %s", door, admin.Username)
		if err := auth.Audit(ctx, tx, eu); err != nil {
			return err
		}
		res = Result{County: county, Admin: admin}
		return nil
	})
	if err != nil {
		return Result{}, err
	}
	return res, nil
}

func isUniqueViolation(err error) bool {
	s := err.Error()
	return strings.Contains(s, "UNIQUE constraint") || strings.Contains(s, "23505") || strings.Contains(s, "duplicate key") ||
		strings.Contains(s, "PRIMARY KEY")
}
