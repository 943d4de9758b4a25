package auth

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/domain"
)

// TokenPrefix starts every API token, so a leaked one is easy to recognise
// in logs and code scanners.
const TokenPrefix = "fzt_"

// APIToken describes a stored API token (the secret itself is never stored).
type APIToken struct {
	ID         int64     `json:"id"`
	Prefix     string    `json:"prefix"`
	UserID     int64     `json:"user_id"`
	Name       string    `json:"name"`
	CreatedAt  time.Time `json:"created_at"`
	LastUsedAt time.Time `json:"last_used_at,omitempty"`
	Revoked    bool      `json:"revoked"`
	ExpiresAt  time.Time `json:"expires_at"`
}

// Expired reports whether the token has expired at now.
func (t APIToken) Expired(now time.Time) bool {
	return !t.ExpiresAt.IsZero() && !now.Before(t.ExpiresAt)
}

// DefaultTokenValidity is how long an API token is valid unless set at
// creation; MaxTokenValidity is the longest allowed.
const (
	DefaultTokenValidity = 180 * 24 * time.Hour
	MaxTokenValidity     = 730 * 24 * time.Hour
)

// ErrTokenExpired is the answer for an API token past its expiry.
var ErrTokenExpired = domain.Unauthenticated("API 令牌已过期")

// CreateToken makes a new API token for a user, valid for
// DefaultTokenValidity, and returns the secret, shown once.
func CreateToken(ctx context.Context, q db.Querier, userID int64, name string, now time.Time) (string, APIToken, error) {
	return CreateTokenValid(ctx, q, userID, name, DefaultTokenValidity, now)
}

// CreateTokenValid makes a new API token valid for the given time (between
// a day and MaxTokenValidity) and returns the secret, shown once.
func CreateTokenValid(ctx context.Context, q db.Querier, userID int64, name string, validity time.Duration, now time.Time) (string, APIToken, error) {
	if validity < 24*time.Hour || validity > MaxTokenValidity {
		return "", APIToken{}, domain.Invalid("令牌有效期应在 1 到 %d 天之间", int(MaxTokenValidity/(24*time.Hour)))
	}
	secret := TokenPrefix + randomToken(32)
	t := APIToken{Prefix: secret[:len(TokenPrefix)+6], UserID: userID, Name: name, CreatedAt: now, ExpiresAt: now.Add(validity)}
	err := q.QueryRow(ctx, `INSERT INTO api_tokens (token_hash, prefix, user_id, name, created_at, expires_at) VALUES (?,?,?,?,?,?) RETURNING id`,
		hashToken(secret), t.Prefix, userID, name, db.Millis(now), db.Millis(t.ExpiresAt)).Scan(&t.ID)
	if err != nil {
		return "", APIToken{}, fmt.Errorf("create api token: %w", err)
	}
	return secret, t, nil
}

// TokenUser resolves a bearer token to its user, recording its last use.
func TokenUser(ctx context.Context, q db.Querier, secret string, now time.Time) (User, error) {
	if !strings.HasPrefix(secret, TokenPrefix) {
		return User{}, domain.ErrUnauthenticated
	}
	var id, userID, expires, lastUsed int64
	var revoked sql.NullInt64
	err := q.QueryRow(ctx, `SELECT id, user_id, revoked_at, expires_at, COALESCE(last_used_at, 0) FROM api_tokens WHERE token_hash = ?`,
		hashToken(secret)).Scan(&id, &userID, &revoked, &expires, &lastUsed)
	if errors.Is(err, sql.ErrNoRows) || revoked.Valid {
		return User{}, domain.ErrUnauthenticated
	}
	if err != nil {
		return User{}, fmt.Errorf("api token: %w", err)
	}
	if expires != 0 && !now.Before(db.Time(expires)) {
		return User{}, ErrTokenExpired
	}
	u, err := GetUser(ctx, q, userID)
	if err != nil {
		return User{}, err
	}
	if u.Disabled {
		return User{}, ErrDisabled
	}
	// Last use is recorded at most once a minute per token to keep hot API
	// paths free of writes. The UPDATE is sent only when it is due: on
	// SQLite even an UPDATE that matches no row takes the write lock, and
	// every request of an intake sender waited for it behind the intake's
	// commits (bench ingest: single POST p99 0.4–1.3 s, its block profile
	// mostly this statement and the pool connections it held).
	if lastUsed < db.Millis(now.Add(-time.Minute)) {
		_, _ = q.Exec(ctx, `UPDATE api_tokens SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)`,
			db.Millis(now), id, db.Millis(now.Add(-time.Minute)))
	}
	return u, nil
}

// RevokeToken revokes a token of a user.
func RevokeToken(ctx context.Context, q db.Querier, userID, tokenID int64, now time.Time) error {
	res, err := q.Exec(ctx, `UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND user_id = ? AND revoked_at IS NULL`, db.Millis(now), tokenID, userID)
	if err != nil {
		return fmt.Errorf("revoke token: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("token %d: %w", tokenID, domain.ErrNotFound)
	}
	return nil
}

// ListTokens lists a user's tokens.
func ListTokens(ctx context.Context, q db.Querier, userID int64) ([]APIToken, error) {
	rows, err := q.Query(ctx, `SELECT id, prefix, user_id, name, created_at, last_used_at, revoked_at, expires_at FROM api_tokens WHERE user_id = ? ORDER BY id`, userID)
	if err != nil {
		return nil, fmt.Errorf("list tokens: %w", err)
	}
	defer rows.Close()
	var out []APIToken
	for rows.Next() {
		var t APIToken
		var created, expires int64
		var used, revoked sql.NullInt64
		if err := rows.Scan(&t.ID, &t.Prefix, &t.UserID, &t.Name, &created, &used, &revoked, &expires); err != nil {
			return nil, err
		}
		if expires != 0 {
			t.ExpiresAt = db.Time(expires)
		}
		t.CreatedAt, t.LastUsedAt, t.Revoked = db.Time(created), db.NullTime(used), revoked.Valid
		out = append(out, t)
	}
	return out, rows.Err()
}
