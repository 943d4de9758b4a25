package auth_test

import (
	"context"
	"testing"
	"time"

	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/db/dbtest"
)

// A token's last use is written at most once a minute, and a request that
// has nothing to write does not wait for the write lock: on SQLite an
// intake sender's every request used to queue behind the commits.
func TestTokenLastUseWrittenOnlyWhenDue(t *testing.T) {
	d := dbtest.SQLite(t)
	ctx := context.Background()
	c := newCounty(t, d)
	p := c.principal(t, "sender", auth.RoleAdmin, c.root.ID)
	now := time.Date(2026, 12, 6, 2, 0, 0, 0, time.UTC)
	secret, tok, err := auth.CreateToken(ctx, d, p.User.ID, "bank", now)
	if err != nil {
		t.Fatal(err)
	}
	lastUse := func() int64 {
		var v int64
		if err := d.QueryRow(ctx, `SELECT COALESCE(last_used_at, 0) FROM api_tokens WHERE id = ?`, tok.ID).Scan(&v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	if _, err := auth.TokenUser(ctx, d, secret, now); err != nil || lastUse() != db.Millis(now) {
		t.Fatalf("first use: %v, last use %d", err, lastUse())
	}
	// Another writer holds the lock for a second; a use 30 s later has
	// nothing to record and answers at once.
	held, done := make(chan struct{}), make(chan struct{})
	go func() {
		_ = d.InTx(ctx, func(tx *db.Tx) error {
			close(held)
			select {
			case <-done:
			case <-time.After(time.Second):
			}
			return nil
		})
	}()
	<-held
	t0 := time.Now()
	_, err = auth.TokenUser(ctx, d, secret, now.Add(30*time.Second))
	took := time.Since(t0)
	close(done)
	if err != nil || took > 500*time.Millisecond {
		t.Fatalf("use within the minute: %v after %v (waited for the write lock)", err, took)
	}
	if lastUse() != db.Millis(now) {
		t.Fatalf("last use rewritten within the minute: %d", lastUse())
	}
	later := now.Add(2 * time.Minute)
	if _, err := auth.TokenUser(ctx, d, secret, later); err != nil || lastUse() != db.Millis(later) {
		t.Fatalf("use after a minute: %v, last use %d", err, lastUse())
	}
}
