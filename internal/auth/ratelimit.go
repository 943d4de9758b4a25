package auth

import (
	"context"
	"fmt"
	"time"

	"github.com/fanzha/fanzha/internal/db"
)

// LoginLimiter slows down password guessing. Failures are counted per
// client address and per username from that address, in the
// login_failures table, so every replica on one database sees the same
// counts. There is no global lock on a username: an attacker hammering an
// account from one address does not keep its owner out from another.
type LoginLimiter struct {
	// PerIP is the number of failures allowed from one address in Window
	// (any usernames: a spray of names from one place).
	PerIP int
	// PerUserIP is the number of failures allowed for one username from
	// one address in Window.
	PerUserIP int
	Window    time.Duration
}

// NewLoginLimiter allows perUserIP failures for one username from one
// address and perIP failures from one address in window; more are refused
// until the oldest failure leaves the window.
func NewLoginLimiter(perUserIP, perIP int, window time.Duration) *LoginLimiter {
	return &LoginLimiter{PerIP: perIP, PerUserIP: perUserIP, Window: window}
}

// maxKey keeps keys of absurd usernames bounded.
const maxKey = 200

func ipKey(ip string) string { return clip("ip:" + ip) }

func userIPKey(username, ip string) string { return clip("user:" + ip + "|" + username) }

func clip(s string) string {
	if len(s) > maxKey {
		return s[:maxKey]
	}
	return s
}

// Allowed reports whether a login for username from ip may be tried now,
// and if not, how long to wait.
func (l *LoginLimiter) Allowed(ctx context.Context, q db.Querier, now time.Time, username, ip string) (bool, time.Duration, error) {
	for _, c := range []struct {
		key string
		max int
	}{{ipKey(ip), l.PerIP}, {userIPKey(username, ip), l.PerUserIP}} {
		var n int
		var oldest int64
		err := q.QueryRow(ctx, `SELECT COUNT(*), COALESCE(MIN(at), 0) FROM login_failures WHERE key = ? AND at > ?`,
			c.key, db.Millis(now.Add(-l.Window))).Scan(&n, &oldest)
		if err != nil {
			return false, 0, fmt.Errorf("login limiter: %w", err)
		}
		if n >= c.max {
			return false, l.Window - now.Sub(db.Time(oldest)), nil
		}
	}
	return true, 0, nil
}

// Fail records a failed attempt for username from ip and drops failures
// that left the window.
func (l *LoginLimiter) Fail(ctx context.Context, q db.Querier, now time.Time, username, ip string) error {
	if _, err := q.Exec(ctx, `DELETE FROM login_failures WHERE at <= ?`, db.Millis(now.Add(-l.Window))); err != nil {
		return fmt.Errorf("login limiter: %w", err)
	}
	for _, k := range []string{ipKey(ip), userIPKey(username, ip)} {
		if _, err := q.Exec(ctx, `INSERT INTO login_failures (key, at) VALUES (?, ?)`, k, db.Millis(now)); err != nil {
			return fmt.Errorf("login limiter: %w", err)
		}
	}
	return nil
}

// Succeed clears the failures of username from ip after a good login (the
// address's own count stays: it guards against a spray of names).
func (l *LoginLimiter) Succeed(ctx context.Context, q db.Querier, username, ip string) error {
	if _, err := q.Exec(ctx, `DELETE FROM login_failures WHERE key = ?`, userIPKey(username, ip)); err != nil {
		return fmt.Errorf("login limiter: %w", err)
	}
	return nil
}
