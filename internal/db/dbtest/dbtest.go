// Package dbtest gives tests a fresh, migrated database on every engine the
// machine offers: SQLite always, PostgreSQL when FANZHA_TEST_POSTGRES holds a
// server URL. Each PostgreSQL test gets its own schema, dropped afterwards, so
// packages can run in parallel against one server.
package dbtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/fanzha/fanzha/internal/db"
)

// PostgresURL is the server the tests use, or "" when none is configured.
func PostgresURL() string { return os.Getenv("FANZHA_TEST_POSTGRES") }

// Each runs fn once per available engine, as subtests named "sqlite" and
// "postgres".
func Each(t *testing.T, fn func(t *testing.T, d *db.DB)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, SQLite(t)) })
	if PostgresURL() != "" {
		t.Run("postgres", func(t *testing.T) { fn(t, Postgres(t)) })
	}
}

// Engines lists the engines available to this test run.
func Engines() []db.Dialect {
	if PostgresURL() != "" {
		return []db.Dialect{db.SQLite, db.Postgres}
	}
	return []db.Dialect{db.SQLite}
}

// Open returns a fresh migrated database of the given engine.
func Open(t testing.TB, d db.Dialect) *db.DB {
	t.Helper()
	if d == db.Postgres {
		return Postgres(t)
	}
	return SQLite(t)
}

// SQLite returns a fresh migrated SQLite database in a temporary directory.
func SQLite(t testing.TB) *db.DB {
	t.Helper()
	d := Unmigrated(t, db.SQLite)
	if _, err := d.Migrate(context.Background()); err != nil {
		t.Fatalf("migrate sqlite: %v", err)
	}
	return d
}

// Postgres returns a fresh migrated PostgreSQL schema; the test is skipped
// when FANZHA_TEST_POSTGRES is unset.
func Postgres(t testing.TB) *db.DB {
	t.Helper()
	d := Unmigrated(t, db.Postgres)
	if _, err := d.Migrate(context.Background()); err != nil {
		t.Fatalf("migrate postgres: %v", err)
	}
	return d
}

// Unmigrated returns an empty database of the given engine, closed after the
// test: a new SQLite file, or a new PostgreSQL schema (skipped when
// FANZHA_TEST_POSTGRES is unset). Tests of a migration bring it to an older
// version with MigrateTo first.
func Unmigrated(t testing.TB, eng db.Dialect) *db.DB {
	t.Helper()
	ctx := context.Background()
	dsn := filepath.Join(t.TempDir(), "test.db")
	if eng == db.Postgres {
		dsn = EmptyPostgresURL(t)
	}
	d, err := db.Open(ctx, dsn, "")
	if err != nil {
		t.Fatalf("open %s: %v", eng, err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

// EmptyPostgresURL creates a new empty PostgreSQL schema, dropped after the
// test, and returns the server URL with its search_path set to it; the test
// is skipped when FANZHA_TEST_POSTGRES is unset.
func EmptyPostgresURL(t testing.TB) string {
	t.Helper()
	base := PostgresURL()
	if base == "" {
		t.Skip("FANZHA_TEST_POSTGRES not set: PostgreSQL tests skipped")
	}
	ctx := context.Background()
	admin, err := db.Open(ctx, base, "")
	if err != nil {
		t.Fatalf("connect to FANZHA_TEST_POSTGRES: %v", err)
	}
	defer admin.Close()
	var b [6]byte
	_, _ = rand.Read(b[:])
	schema := "t_" + hex.EncodeToString(b[:])
	if _, err := admin.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	// Registered first, so it runs after the handles opened on the schema
	// have been closed by their own cleanups.
	t.Cleanup(func() {
		if a, err := db.Open(context.Background(), base, ""); err == nil {
			_, _ = a.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
			a.Close()
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("parse FANZHA_TEST_POSTGRES: %v", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// Pairs reads a query of two integer columns into a map from the first to
// the second.
func Pairs(t testing.TB, d *db.DB, q string, args ...any) map[int64]int64 {
	t.Helper()
	rows, err := d.Query(context.Background(), q, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[int64]int64{}
	for rows.Next() {
		var k, v int64
		if err := rows.Scan(&k, &v); err != nil {
			t.Fatal(err)
		}
		out[k] = v
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
