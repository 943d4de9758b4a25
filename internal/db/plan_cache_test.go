package db_test

import (
	"context"
	"testing"

	"github.com/fanzha/fanzha/internal/db/dbtest"
)

// Statements on PostgreSQL are planned for their values: a subtree's
// `path LIKE ?` is a handful of rows for a village and every row for a
// province, and the generic plan of a prepared statement takes the first
// for both (openPostgres).
func TestPostgresPlansForValues(t *testing.T) {
	if dbtest.PostgresURL() == "" {
		t.Skip("FANZHA_TEST_POSTGRES not set")
	}
	d := dbtest.Postgres(t)
	for i := 0; i < 3; i++ { // on every pooled connection the test gets
		var mode string
		if err := d.QueryRow(context.Background(), `SHOW plan_cache_mode`).Scan(&mode); err != nil {
			t.Fatal(err)
		}
		if mode != "force_custom_plan" {
			t.Fatalf("plan_cache_mode = %q, want force_custom_plan", mode)
		}
	}
}
