package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/fanzha/fanzha/internal/db"
)

// SessionTTL is how long a console session lasts without signing in again:
// a 12-hour duty shift.
const SessionTTL = 12 * time.Hour

// Session is a console login.
type Session struct {
	ID        int64
	UserID    int64
	CSRF      string
	ExpiresAt time.Time
}

// randomToken returns n random bytes, base64url-encoded.
func randomToken(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("crypto/rand: %v", err))
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// hashToken is how session and API tokens are stored: a database leak does
// not leak usable tokens.
func hashToken(tok string) string {
	h := sha256.Sum256([]byte(tok))
	return hex.EncodeToString(h[:])
}

// CreateSession starts a console session and returns the cookie value.
func CreateSession(ctx context.Context, q db.Querier, userID int64, ip, userAgent string, now time.Time) (string, Session, error) {
	tok := randomToken(32)
	s := Session{UserID: userID, CSRF: randomToken(24), ExpiresAt: now.Add(SessionTTL)}
	if len(userAgent) > 300 {
		userAgent = userAgent[:300]
	}
	err := q.QueryRow(ctx, `INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at, ip, user_agent)
		VALUES (?,?,?,?,?,?,?) RETURNING id`, hashToken(tok), userID, s.CSRF, db.Millis(now), db.Millis(s.ExpiresAt), ip, userAgent).Scan(&s.ID)
	if err != nil {
		return "", Session{}, fmt.Errorf("create session: %w", err)
	}
	return tok, s, nil
}

// SessionUser resolves a session cookie to its user and session.
func SessionUser(ctx context.Context, q db.Querier, tok string, now time.Time) (User, Session, error) {
	if tok == "" {
		return User{}, Session{}, ErrUnauthenticated
	}
	var s Session
	var exp int64
	err := q.QueryRow(ctx, `SELECT id, user_id, csrf_token, expires_at FROM sessions WHERE token_hash = ?`, hashToken(tok)).
		Scan(&s.ID, &s.UserID, &s.CSRF, &exp)
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, Session{}, ErrUnauthenticated
	}
	if err != nil {
		return User{}, Session{}, fmt.Errorf("session: %w", err)
	}
	s.ExpiresAt = db.Time(exp)
	if !now.Before(s.ExpiresAt) {
		return User{}, Session{}, ErrUnauthenticated
	}
	u, err := GetUser(ctx, q, s.UserID)
	if err != nil {
		return User{}, Session{}, err
	}
	if u.Disabled {
		return User{}, Session{}, ErrDisabled
	}
	return u, s, nil
}

// DeleteSession ends a console session (logout).
func DeleteSession(ctx context.Context, q db.Querier, tok string) error {
	_, err := q.Exec(ctx, `DELETE FROM sessions WHERE token_hash = ?`, hashToken(tok))
	return err
}

// PurgeExpiredSessions removes sessions past their expiry.
func PurgeExpiredSessions(ctx context.Context, q db.Querier, now time.Time) (int64, error) {
	res, err := q.Exec(ctx, `DELETE FROM sessions WHERE expires_at <= ?`, db.Millis(now))
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// CSRFMatch compares a submitted CSRF token with the session's in constant time.
func CSRFMatch(session, submitted string) bool {
	return session != "" && subtle.ConstantTimeCompare([]byte(session), []byte(submitted)) == 1
}
