package auth

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/domain"
)

// Two-factor login (等保 level 3): a time-based one-time code (TOTP, RFC
// 6238, as in any authenticator app) after the password. Required for the
// centre admin and for every role that may unmask personal data, unless the
// setting TOTPRequiredSetting is off; optional for the others. API tokens
// are not affected.

// TOTPRequiredSetting is the settings key (系统设置 → 登录安全) that makes
// two-factor login required for admin and unmasking roles ("true", the
// default while none is stored) or optional for everyone ("false"; the
// demo county stores false).
const TOTPRequiredSetting = "security.totp_required"

// TOTP audit actions.
const (
	AuditTOTPEnrol = "totp_enrol"
	AuditTOTPReset = "totp_reset"
)

// RecoveryCodeCount is how many recovery codes an enrolment gives.
const RecoveryCodeCount = 10

// totpOpts are the parameters every authenticator app understands.
var totpOpts = totp.ValidateOpts{Period: 30, Skew: 1, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}

// ErrBadTOTP is the answer for a wrong, replayed or expired code.
var ErrBadTOTP = domain.Unauthenticated("动态验证码错误或已使用，请输入验证器上当前显示的 6 位数字")

// TOTPRequired reports whether the setting makes two-factor login required
// for admin and unmasking roles.
func TOTPRequired(ctx context.Context, q db.Querier) (bool, error) {
	var v string
	err := q.QueryRow(ctx, `SELECT value FROM settings WHERE key = ?`, TOTPRequiredSetting).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return true, nil
	}
	if err != nil {
		return false, fmt.Errorf("2FA setting: %w", err)
	}
	on, err := strconv.ParseBool(v)
	if err != nil {
		return true, nil
	}
	return on, nil
}

// NeedsTOTP reports whether the role must sign in with a second factor
// when the setting requires it: the centre admin and every role that may
// see unmasked numbers.
func NeedsTOTP(r Role) bool { return r == RoleAdmin || r.Can(CapUnmask) }

// TOTPStatus is a user's two-factor state.
type TOTPStatus struct {
	Enabled      bool
	EnabledAt    time.Time
	RecoveryLeft int
}

// TOTPState returns a user's two-factor state.
func TOTPState(ctx context.Context, q db.Querier, userID int64) (TOTPStatus, error) {
	var st TOTPStatus
	var enabled int64
	var secret string
	if err := q.QueryRow(ctx, `SELECT totp_secret, totp_enabled_at FROM users WHERE id = ?`, userID).Scan(&secret, &enabled); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return st, fmt.Errorf("user %d: %w", userID, domain.ErrNotFound)
		}
		return st, fmt.Errorf("2FA state: %w", err)
	}
	st.Enabled = secret != ""
	if st.Enabled {
		st.EnabledAt = db.Time(enabled)
		if err := q.QueryRow(ctx, `SELECT COUNT(*) FROM recovery_codes WHERE user_id = ? AND used_at = 0`, userID).Scan(&st.RecoveryLeft); err != nil {
			return st, fmt.Errorf("2FA state: %w", err)
		}
	}
	return st, nil
}

// BeginTOTP starts (or continues) an enrolment: a new secret is kept as
// pending until ConfirmTOTP proves the user's app has it. An account with
// 2FA already on is refused (the admin resets it first).
func BeginTOTP(ctx context.Context, q db.Querier, u User, issuer string) (*otp.Key, error) {
	var secret, pending string
	if err := q.QueryRow(ctx, `SELECT totp_secret, totp_pending FROM users WHERE id = ?`, u.ID).Scan(&secret, &pending); err != nil {
		return nil, fmt.Errorf("2FA enrol: %w", err)
	}
	if secret != "" {
		return nil, domain.Conflict("已启用两步验证；如需更换手机，请管理员重置后重新绑定")
	}
	if pending != "" {
		return otp.NewKeyFromURL(pending)
	}
	key, err := totp.Generate(totp.GenerateOpts{Issuer: issuer, AccountName: u.Username, Period: totpOpts.Period,
		Digits: totpOpts.Digits, Algorithm: totpOpts.Algorithm})
	if err != nil {
		return nil, fmt.Errorf("2FA enrol: %w", err)
	}
	if _, err := q.Exec(ctx, `UPDATE users SET totp_pending = ? WHERE id = ?`, key.URL(), u.ID); err != nil {
		return nil, fmt.Errorf("2FA enrol: %w", err)
	}
	return key, nil
}

// matchStep returns the time step a code is valid for around now, or -1.
func matchStep(secret, code string, now time.Time) int64 {
	code = strings.TrimSpace(code)
	if len(code) != 6 {
		return -1
	}
	step := now.Unix() / int64(totpOpts.Period)
	for _, s := range []int64{step, step - 1, step + 1} {
		want, err := totp.GenerateCodeCustom(secret, time.Unix(s*int64(totpOpts.Period), 0), totpOpts)
		if err == nil && subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			return s
		}
	}
	return -1
}

// ConfirmTOTP finishes an enrolment with a code from the user's app: 2FA is
// on, ten recovery codes are made and returned (shown once, stored hashed),
// and the enrolment is audited.
func ConfirmTOTP(ctx context.Context, d *db.DB, who AuditEntry, u User, code string, now time.Time) ([]string, error) {
	var codes []string
	err := d.InTx(ctx, func(tx *db.Tx) error {
		var secret, pending string
		if err := tx.QueryRow(ctx, `SELECT totp_secret, totp_pending FROM users WHERE id = ?`, u.ID).Scan(&secret, &pending); err != nil {
			return fmt.Errorf("2FA confirm: %w", err)
		}
		if secret != "" {
			return domain.Conflict("已启用两步验证")
		}
		key, err := otp.NewKeyFromURL(pending)
		if pending == "" || err != nil {
			return domain.Invalid("请先打开绑定页面扫描二维码")
		}
		step := matchStep(key.Secret(), code, now)
		if step < 0 {
			return domain.Invalid("%s", ErrBadTOTP.Error())
		}
		if _, err := tx.Exec(ctx, `UPDATE users SET totp_secret = ?, totp_pending = '', totp_enabled_at = ?, totp_last_step = ?, updated_at = ? WHERE id = ?`,
			key.Secret(), db.Millis(now), step, db.Millis(now), u.ID); err != nil {
			return fmt.Errorf("2FA confirm: %w", err)
		}
		codes, err = newRecoveryCodes(ctx, tx, u.ID)
		if err != nil {
			return err
		}
		e := who.With(AuditTOTPEnrol, "user", strconv.FormatInt(u.ID, 10))
		e.At, e.Detail = now, u.Username+" two-factor login enabled"
		return Audit(ctx, tx, e)
	})
	return codes, err
}

// recoveryAlphabet has no look-alike characters (0/O, 1/l/I).
const recoveryAlphabet = "23456789abcdefghjkmnpqrstuvwxyz"

func newRecoveryCode() string {
	b := make([]byte, 10)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("crypto/rand: %v", err))
	}
	out := make([]byte, 0, 11)
	for i, c := range b {
		if i == 5 {
			out = append(out, '-')
		}
		out = append(out, recoveryAlphabet[int(c)%len(recoveryAlphabet)])
	}
	return string(out)
}

func normRecovery(code string) string {
	return strings.ToLower(strings.ReplaceAll(strings.TrimSpace(code), " ", ""))
}

// newRecoveryCodes replaces a user's recovery codes with ten new ones.
func newRecoveryCodes(ctx context.Context, q db.Querier, userID int64) ([]string, error) {
	if _, err := q.Exec(ctx, `DELETE FROM recovery_codes WHERE user_id = ?`, userID); err != nil {
		return nil, fmt.Errorf("recovery codes: %w", err)
	}
	codes := make([]string, RecoveryCodeCount)
	for i := range codes {
		codes[i] = newRecoveryCode()
		if _, err := q.Exec(ctx, `INSERT INTO recovery_codes (user_id, code_hash) VALUES (?, ?)`, userID, hashToken(codes[i])); err != nil {
			return nil, fmt.Errorf("recovery codes: %w", err)
		}
	}
	return codes, nil
}

// VerifySecondFactor checks a code at the second login step: a 6-digit
// code from the app (each accepted once: a replayed code is refused) or an
// unused recovery code (then used up).
func VerifySecondFactor(ctx context.Context, q db.Querier, userID int64, code string, now time.Time) (recovery bool, err error) {
	var secret string
	var last int64
	if err := q.QueryRow(ctx, `SELECT totp_secret, totp_last_step FROM users WHERE id = ?`, userID).Scan(&secret, &last); err != nil {
		return false, fmt.Errorf("2FA: %w", err)
	}
	if secret == "" {
		return false, ErrBadTOTP
	}
	if c := normRecovery(code); len(c) == 11 && c[5] == '-' {
		res, err := q.Exec(ctx, `UPDATE recovery_codes SET used_at = ? WHERE user_id = ? AND code_hash = ? AND used_at = 0`,
			db.Millis(now), userID, hashToken(c))
		if err != nil {
			return false, fmt.Errorf("2FA: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 1 {
			return true, nil
		}
		return false, ErrBadTOTP
	}
	step := matchStep(secret, code, now)
	if step < 0 || step <= last {
		return false, ErrBadTOTP
	}
	// Only one request may use a step, on any replica.
	res, err := q.Exec(ctx, `UPDATE users SET totp_last_step = ? WHERE id = ? AND totp_last_step < ?`, step, userID, step)
	if err != nil {
		return false, fmt.Errorf("2FA: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return false, ErrBadTOTP
	}
	return false, nil
}

// ResetTOTP turns a user's two-factor login off (a lost phone): secret and
// recovery codes are removed, the user's sessions end, and the reset is
// audited. The user enrols again at the next login if 2FA is required.
func ResetTOTP(ctx context.Context, d *db.DB, p *Principal, who AuditEntry, id int64, now time.Time) error {
	return d.InTx(ctx, func(tx *db.Tx) error {
		u, err := ManagedUser(ctx, tx, p, id)
		if err != nil {
			return err
		}
		if p.User.ID == 0 || p.User.ID != u.ID {
			if err := mayChange(p, u); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, `UPDATE users SET totp_secret = '', totp_pending = '', totp_enabled_at = 0, totp_last_step = 0, updated_at = ? WHERE id = ?`,
			db.Millis(now), u.ID); err != nil {
			return fmt.Errorf("2FA reset: %w", err)
		}
		if _, err := tx.Exec(ctx, `DELETE FROM recovery_codes WHERE user_id = ?`, u.ID); err != nil {
			return fmt.Errorf("2FA reset: %w", err)
		}
		if err := EndSessions(ctx, tx, u.ID, 0); err != nil {
			return err
		}
		e := who.With(AuditTOTPReset, "user", strconv.FormatInt(u.ID, 10))
		e.At, e.Detail = now, u.Username+" two-factor login reset"
		return Audit(ctx, tx, e)
	})
}

// RenewRecoveryCodes replaces a user's recovery codes after checking a
// current code of their app; the old codes stop working.
func RenewRecoveryCodes(ctx context.Context, d *db.DB, who AuditEntry, u User, code string, now time.Time) ([]string, error) {
	var codes []string
	err := d.InTx(ctx, func(tx *db.Tx) error {
		if c := normRecovery(code); len(c) == 11 && c[5] == '-' {
			return domain.Invalid("请输入验证器上的 6 位动态验证码（不能用恢复码）")
		}
		if _, err := VerifySecondFactor(ctx, tx, u.ID, code, now); err != nil {
			if errors.Is(err, ErrBadTOTP) {
				return domain.Invalid("%s", ErrBadTOTP.Error())
			}
			return err
		}
		var err error
		if codes, err = newRecoveryCodes(ctx, tx, u.ID); err != nil {
			return err
		}
		e := who.With(AuditUpdate, "user", strconv.FormatInt(u.ID, 10))
		e.At, e.Detail = now, u.Username+" new 2fa recovery codes"
		return Audit(ctx, tx, e)
	})
	return codes, err
}

// ChangeOwnPassword lets a signed-in user change their password with the
// current one: the rule applies, the user's other sessions end (the one
// of p stays), and the change is audited.
func ChangeOwnPassword(ctx context.Context, d *db.DB, p *Principal, who AuditEntry, current, pw string, now time.Time) error {
	if _, err := CheckPassword(ctx, d, p.User.Username, current); err != nil {
		if errors.Is(err, ErrBadCredentials) {
			return domain.Invalid("当前密码不正确")
		}
		return err
	}
	if err := CheckPasswordRule(p.User.Username, pw); err != nil {
		return err
	}
	h, err := HashPassword(pw)
	if err != nil {
		return err
	}
	return d.InTx(ctx, func(tx *db.Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?`, h, db.Millis(now), p.User.ID); err != nil {
			return fmt.Errorf("change password: %w", err)
		}
		if err := EndSessions(ctx, tx, p.User.ID, p.SessionID); err != nil {
			return err
		}
		e := who.With(AuditUpdate, "user", strconv.FormatInt(p.User.ID, 10))
		e.At, e.Detail = now, p.User.Username+" password changed (self)"
		return Audit(ctx, tx, e)
	})
}
