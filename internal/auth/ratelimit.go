package auth

import (
	"sync"
	"time"
)

// LoginLimiter limits failed login attempts per key (the client address and
// the username are checked separately), so a password cannot be guessed
// quickly from one address nor against one account from many.
type LoginLimiter struct {
	mu       sync.Mutex
	max      int
	window   time.Duration
	failures map[string][]time.Time
}

// NewLoginLimiter allows max failures per key in window; more are refused
// until the oldest failure leaves the window.
func NewLoginLimiter(max int, window time.Duration) *LoginLimiter {
	return &LoginLimiter{max: max, window: window, failures: map[string][]time.Time{}}
}

func (l *LoginLimiter) prune(key string, now time.Time) []time.Time {
	fs := l.failures[key]
	i := 0
	for i < len(fs) && now.Sub(fs[i]) >= l.window {
		i++
	}
	fs = fs[i:]
	if len(fs) == 0 {
		delete(l.failures, key)
		return nil
	}
	l.failures[key] = fs
	return fs
}

// Allowed reports whether a login for these keys may be tried now, and if
// not, how long to wait.
func (l *LoginLimiter) Allowed(now time.Time, keys ...string) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, k := range keys {
		fs := l.prune(k, now)
		if len(fs) >= l.max {
			return false, l.window - now.Sub(fs[0])
		}
	}
	return true, 0
}

// Fail records a failed attempt for the keys.
func (l *LoginLimiter) Fail(now time.Time, keys ...string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, k := range keys {
		l.failures[k] = append(l.prune(k, now), now)
	}
	// Keep memory bounded under a spray of random usernames.
	if len(l.failures) > 100000 {
		for k := range l.failures {
			l.prune(k, now)
		}
	}
}

// Succeed clears the failures of the username key after a good login.
func (l *LoginLimiter) Succeed(keys ...string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, k := range keys {
		delete(l.failures, k)
	}
}
