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
	"github.com/fanzha/fanzha/internal/domain"
)

// SessionTTL is how long a console session lasts at most without signing
// in again: a 12-hour duty shift.
const SessionTTL = 12 * time.Hour

// SessionPolicy bounds console sessions: a session ends after Idle without
// a request and at the latest Max after sign-in.
type SessionPolicy struct {
	Idle time.Duration
	Max  time.Duration
}

// DefaultSessionPolicy ends a session after 30 idle minutes or 12 hours.
var DefaultSessionPolicy = SessionPolicy{Idle: 30 * time.Minute, Max: SessionTTL}

// Session stages: a session is usable only when full; in between, the
// password was right and the second factor is asked (StageTOTP) or a user
// who must have two-factor login enrols (StageEnrol).
const (
	StageFull  = "full"
	StageTOTP  = "totp"
	StageEnrol = "enrol"
)

// Session is a console login.
type Session struct {
	ID        int64
	UserID    int64
	CSRF      string
	Stage     string
	ExpiresAt time.Time
}

// seenEvery is how stale last_seen_at may get before a request writes it:
// hot pages stay free of writes, the idle timeout stays within a minute.
const seenEvery = time.Minute

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

// CreateSession starts a full console session under the default policy and
// returns the cookie value.
func CreateSession(ctx context.Context, q db.Querier, userID int64, ip, userAgent string, now time.Time) (string, Session, error) {
	return DefaultSessionPolicy.Create(ctx, q, userID, StageFull, ip, userAgent, now)
}

// Create starts a console session at a stage and returns the cookie value.
func (pol SessionPolicy) Create(ctx context.Context, q db.Querier, userID int64, stage, ip, userAgent string, now time.Time) (string, Session, error) {
	tok := randomToken(32)
	s := Session{UserID: userID, CSRF: randomToken(24), Stage: stage, ExpiresAt: now.Add(pol.Max)}
	if stage != StageFull {
		// The second step is done in minutes or started again.
		s.ExpiresAt = now.Add(min(pol.Max, 15*time.Minute))
	}
	if len(userAgent) > 300 {
		userAgent = userAgent[:300]
	}
	err := q.QueryRow(ctx, `INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at, ip, user_agent, last_seen_at, stage)
		VALUES (?,?,?,?,?,?,?,?,?) RETURNING id`, hashToken(tok), userID, s.CSRF, db.Millis(now), db.Millis(s.ExpiresAt), ip, userAgent,
		db.Millis(now), stage).Scan(&s.ID)
	if err != nil {
		return "", Session{}, fmt.Errorf("create session: %w", err)
	}
	return tok, s, nil
}

// SessionUser resolves a session cookie to its user and session under the
// default policy.
func SessionUser(ctx context.Context, q db.Querier, tok string, now time.Time) (User, Session, error) {
	return DefaultSessionPolicy.User(ctx, q, tok, now)
}

// User resolves a session cookie to its user and session: a session past
// its absolute expiry or idle longer than pol.Idle is ended. A request
// refreshes the session's idle clock.
func (pol SessionPolicy) User(ctx context.Context, q db.Querier, tok string, now time.Time) (User, Session, error) {
	if tok == "" {
		return User{}, Session{}, domain.ErrUnauthenticated
	}
	var s Session
	var exp, seen int64
	err := q.QueryRow(ctx, `SELECT id, user_id, csrf_token, expires_at, last_seen_at, stage FROM sessions WHERE token_hash = ?`, hashToken(tok)).
		Scan(&s.ID, &s.UserID, &s.CSRF, &exp, &seen, &s.Stage)
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, Session{}, domain.ErrUnauthenticated
	}
	if err != nil {
		return User{}, Session{}, fmt.Errorf("session: %w", err)
	}
	s.ExpiresAt = db.Time(exp)
	lastSeen := db.Time(seen)
	if !now.Before(s.ExpiresAt) || (pol.Idle > 0 && now.Sub(lastSeen) >= pol.Idle) {
		_, _ = q.Exec(ctx, `DELETE FROM sessions WHERE id = ?`, s.ID)
		return User{}, Session{}, domain.ErrUnauthenticated
	}
	if now.Sub(lastSeen) >= seenEvery {
		if _, err := q.Exec(ctx, `UPDATE sessions SET last_seen_at = ? WHERE id = ?`, db.Millis(now), s.ID); err != nil {
			return User{}, Session{}, fmt.Errorf("session: %w", err)
		}
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

// DeleteSessionID ends one session by its id.
func DeleteSessionID(ctx context.Context, q db.Querier, id int64) error {
	_, err := q.Exec(ctx, `DELETE FROM sessions WHERE id = ?`, id)
	return err
}

// EndSessions ends every session of a user but keep (0 keeps none): after a
// password change, only the session that changed it stays signed in.
func EndSessions(ctx context.Context, q db.Querier, userID, keep int64) error {
	if _, err := q.Exec(ctx, `DELETE FROM sessions WHERE user_id = ? AND id <> ?`, userID, keep); err != nil {
		return fmt.Errorf("end sessions of user %d: %w", userID, err)
	}
	return nil
}

// PromoteSession makes a session full once the second step is done.
func PromoteSession(ctx context.Context, q db.Querier, id int64, pol SessionPolicy, now time.Time) error {
	var created int64
	if err := q.QueryRow(ctx, `SELECT created_at FROM sessions WHERE id = ?`, id).Scan(&created); err != nil {
		return fmt.Errorf("session %d: %w", id, err)
	}
	_, err := q.Exec(ctx, `UPDATE sessions SET stage = ?, expires_at = ?, last_seen_at = ? WHERE id = ?`,
		StageFull, db.Millis(db.Time(created).Add(pol.Max)), db.Millis(now), id)
	if err != nil {
		return fmt.Errorf("session %d: %w", id, err)
	}
	return nil
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
