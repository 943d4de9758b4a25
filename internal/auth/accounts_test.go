package auth_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/db/dbtest"
	"github.com/fanzha/fanzha/internal/domain"
)

// TestTokenExpiry: tokens carry an expiry (180 days unless set); an expired
// token is refused; the validity is bounded.
func TestTokenExpiry(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		c := newCounty(t, d)
		ctx := context.Background()
		now := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
		u := c.principal(t, "bankbot", auth.RoleAnalyst, c.root.ID).User
		secret, tok, err := auth.CreateManagedTokenValid(ctx, d, c.admin, who(c.admin), u.ID, "脚本", 7*24*time.Hour, now)
		if err != nil {
			t.Fatal(err)
		}
		if !tok.ExpiresAt.Equal(now.Add(7 * 24 * time.Hour)) {
			t.Errorf("expires at %v", tok.ExpiresAt)
		}
		if _, err := auth.TokenUser(ctx, d, secret, now.Add(6*24*time.Hour)); err != nil {
			t.Fatalf("token within its validity: %v", err)
		}
		if _, err := auth.TokenUser(ctx, d, secret, now.Add(7*24*time.Hour)); !errors.Is(err, auth.ErrTokenExpired) || !errors.Is(err, domain.ErrUnauthenticated) {
			t.Errorf("expired token: %v", err)
		}
		_, def, err := auth.CreateManagedToken(ctx, d, c.admin, who(c.admin), u.ID, "默认", now)
		if err != nil || !def.ExpiresAt.Equal(now.Add(auth.DefaultTokenValidity)) {
			t.Errorf("default validity: %v %v", def.ExpiresAt, err)
		}
		if _, _, err := auth.CreateManagedTokenValid(ctx, d, c.admin, who(c.admin), u.ID, "永久", 10*365*24*time.Hour, now); !errors.Is(err, domain.ErrInvalid) {
			t.Errorf("ten-year token: %v", err)
		}
		toks, err := auth.ListTokens(ctx, d, u.ID)
		if err != nil || len(toks) != 2 || toks[0].ExpiresAt.IsZero() || !toks[0].Expired(now.Add(8*24*time.Hour)) {
			t.Errorf("tokens: %+v %v", toks, err)
		}
	})
}

// TestSessionIdleAndMax: a console session ends after the idle time without
// a request, each request refreshes it, and it ends at the absolute limit
// however busy.
func TestSessionIdleAndMax(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		c := newCounty(t, d)
		ctx := context.Background()
		pol := auth.SessionPolicy{Idle: 30 * time.Minute, Max: 12 * time.Hour}
		t0 := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
		tok, _, err := pol.Create(ctx, d, c.head.User.ID, auth.StageFull, "", "", t0)
		if err != nil {
			t.Fatal(err)
		}
		// Busy: a request every 25 minutes keeps it alive until 12 hours.
		at := t0
		for at = t0.Add(25 * time.Minute); at.Before(t0.Add(12 * time.Hour)); at = at.Add(25 * time.Minute) {
			if _, _, err := pol.User(ctx, d, tok, at); err != nil {
				t.Fatalf("busy session at +%v: %v", at.Sub(t0), err)
			}
		}
		if _, _, err := pol.User(ctx, d, tok, t0.Add(12*time.Hour)); err == nil {
			t.Error("session alive past its 12 hours")
		}
		// Idle: 31 minutes without a request ends it.
		tok2, _, err := pol.Create(ctx, d, c.head.User.ID, auth.StageFull, "", "", t0)
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := pol.User(ctx, d, tok2, t0.Add(10*time.Minute)); err != nil {
			t.Fatal(err)
		}
		if _, _, err := pol.User(ctx, d, tok2, t0.Add(41*time.Minute)); err == nil {
			t.Error("session alive after 31 idle minutes")
		}
		if _, _, err := pol.User(ctx, d, tok2, t0.Add(42*time.Minute)); err == nil {
			t.Error("an idle session came back")
		}
	})
}

// TestPasswordChangeEndsSessions: a password reset ends every session of
// the user; a user changing their own keeps only the session that did it.
func TestPasswordChangeEndsSessions(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		c := newCounty(t, d)
		ctx := context.Background()
		now := time.Now()
		mine, s1, _ := auth.CreateSession(ctx, d, c.admin.User.ID, "", "", now)
		other, _, _ := auth.CreateSession(ctx, d, c.admin.User.ID, "", "", now)
		self := *c.admin
		self.SessionID = s1.ID
		if _, err := auth.ResetPassword(ctx, d, &self, who(&self), self.User.ID, "Another-pw-2026", now); err != nil {
			t.Fatal(err)
		}
		if _, _, err := auth.SessionUser(ctx, d, mine, now); err != nil {
			t.Errorf("the session that changed the password ended: %v", err)
		}
		if _, _, err := auth.SessionUser(ctx, d, other, now); err == nil {
			t.Error("another session of the user survived the password change")
		}
		h1, _, _ := auth.CreateSession(ctx, d, c.head.User.ID, "", "", now)
		if _, err := auth.ResetPassword(ctx, d, &self, who(&self), c.head.User.ID, "", now); err != nil {
			t.Fatal(err)
		}
		if _, _, err := auth.SessionUser(ctx, d, h1, now); err == nil {
			t.Error("the head's session survived a reset by the admin")
		}
		h2, _, _ := auth.CreateSession(ctx, d, c.head.User.ID, "", "", now)
		if err := auth.SetPassword(ctx, d, c.head.User.ID, "Third-pw-2026!"); err != nil {
			t.Fatal(err)
		}
		if _, _, err := auth.SessionUser(ctx, d, h2, now); err == nil {
			t.Error("a session survived SetPassword")
		}
	})
}
