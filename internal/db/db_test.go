package db_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/db/dbtest"
	"github.com/fanzha/fanzha/internal/zone"
)

func TestRebind(t *testing.T) {
	d := &db.DB{Dialect: db.Postgres}
	cases := []struct{ in, want string }{
		{"SELECT 1", "SELECT 1"},
		{"SELECT * FROM t WHERE a = ? AND b = ?", "SELECT * FROM t WHERE a = $1 AND b = $2"},
		{"SELECT '?' , ?", "SELECT '?' , $1"},
		{"INSERT INTO t VALUES (?,?,?)", "INSERT INTO t VALUES ($1,$2,$3)"},
	}
	for _, c := range cases {
		if got := d.Rebind(c.in); got != c.want {
			t.Errorf("Rebind(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	s := &db.DB{Dialect: db.SQLite}
	if got := s.Rebind("a = ?"); got != "a = ?" {
		t.Errorf("sqlite rebind changed query: %q", got)
	}
}

func TestRedactURL(t *testing.T) {
	got := db.RedactURL("postgres://fanzha:secret@127.0.0.1:5432/fz?sslmode=disable")
	if got != "postgres://fanzha:***@127.0.0.1:5432/fz?sslmode=disable" {
		t.Errorf("password not hidden: %s", got)
	}
}

func TestMigrateIsIdempotentAndAuditIsAppendOnly(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		res, err := d.Migrate(ctx)
		if err != nil {
			t.Fatalf("second migrate: %v", err)
		}
		if len(res.Applied) != 0 || res.Current < 1 {
			t.Fatalf("second migrate applied %v, version %d", res.Applied, res.Current)
		}
		if _, err := d.Exec(ctx, "INSERT INTO audit_log (at, action) VALUES (?, ?)", db.Millis(time.Now()), "login"); err != nil {
			t.Fatalf("insert audit: %v", err)
		}
		if _, err := d.Exec(ctx, "UPDATE audit_log SET action = 'x'"); err == nil {
			t.Fatal("audit_log accepted an UPDATE")
		}
		if _, err := d.Exec(ctx, "DELETE FROM audit_log"); err == nil {
			t.Fatal("audit_log accepted a DELETE")
		}
		var n int
		if err := d.QueryRow(ctx, "SELECT COUNT(*) FROM audit_log").Scan(&n); err != nil || n != 1 {
			t.Fatalf("audit rows = %d, %v; want 1", n, err)
		}
	})
}

func TestInTxRollsBack(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		boom := errors.New("boom")
		err := d.InTx(ctx, func(tx *db.Tx) error {
			if _, err := tx.Exec(ctx, "INSERT INTO settings (key, value) VALUES (?, ?)", "k", "v"); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("InTx error = %v", err)
		}
		var n int
		_ = d.QueryRow(ctx, "SELECT COUNT(*) FROM settings").Scan(&n)
		if n != 0 {
			t.Fatalf("rolled-back insert is visible: %d rows", n)
		}
		// RETURNING works on both engines.
		var id int64
		if err := d.QueryRow(ctx, "INSERT INTO units (kind, code, name, created_at) VALUES (?,?,?,?) RETURNING id",
			"bank", "B1", "测试银行", db.Millis(time.Now())).Scan(&id); err != nil || id == 0 {
			t.Fatalf("insert returning: id=%d err=%v", id, err)
		}
	})
}

func TestTimeRoundTrip(t *testing.T) {
	now := time.Date(2026, 3, 1, 8, 30, 0, 123e6, zone.Shanghai)
	if got := db.Time(db.Millis(now)); !got.Equal(now) || got.Location() != time.UTC {
		t.Fatalf("round trip %v -> %v", now, got)
	}
	if db.Millis(time.Time{}) != 0 || !db.Time(0).IsZero() {
		t.Fatal("zero time not stored as 0")
	}
}
