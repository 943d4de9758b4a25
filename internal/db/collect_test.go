package db_test

import (
	"context"
	"errors"
	"testing"

	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/db/dbtest"
	"github.com/fanzha/fanzha/internal/domain"
)

func TestInTxValueAndAll(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		// A committed value is returned and its rows are stored.
		n, err := db.InTxValue(ctx, d, func(tx *db.Tx) (int, error) {
			for _, name := range []string{"collect-a", "collect-b", "collect-c"} {
				if _, err := tx.Exec(ctx, `INSERT INTO generations (name, n) VALUES (?, 7)`, name); err != nil {
					return 0, err
				}
			}
			return 3, nil
		})
		if err != nil || n != 3 {
			t.Fatalf("InTxValue = %d, %v", n, err)
		}
		// A failed transaction leaves nothing and returns fn's value (an
		// import's report of bad rows) with the error.
		n, err = db.InTxValue(ctx, d, func(tx *db.Tx) (int, error) {
			if _, err := tx.Exec(ctx, `INSERT INTO generations (name, n) VALUES ('collect-d', 1)`); err != nil {
				return 0, err
			}
			return 9, domain.Invalid("不行")
		})
		if n != 9 || !errors.Is(err, domain.ErrInvalid) {
			t.Fatalf("failed InTxValue = %d, %v; want 9 and the error", n, err)
		}
		scan := func(sc db.Scanner) (string, error) {
			var s string
			var k int64
			err := sc.Scan(&s, &k)
			return s, err
		}
		got, err := db.All(ctx, d, scan, `SELECT name, n FROM generations WHERE name LIKE 'collect-%' ORDER BY name`)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 3 || got[0] != "collect-a" || got[2] != "collect-c" {
			t.Fatalf("All = %v, want collect-a..c (collect-d rolled back)", got)
		}
		none, err := db.All(ctx, d, scan, `SELECT name, n FROM generations WHERE name = ?`, "nobody")
		if err != nil || none == nil || len(none) != 0 {
			t.Fatalf("empty All = %v, %v", none, err)
		}
		// A scan error names the row.
		_, err = db.All(ctx, d, func(sc db.Scanner) (string, error) {
			var s string
			return s, sc.Scan(&s)
		}, `SELECT name, n FROM generations WHERE name LIKE 'collect-%'`)
		if err == nil {
			t.Fatal("scan of two columns into one: no error")
		}
	})
}
