package server

import (
	"context"
	"testing"

	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/db/dbtest"
)

// POST /api/v1/warnings with an "instruction" registers it like an
// imported instruction file: one warning answered with its item, a batch
// with the count registered; an unknown level is a 400 and stores nothing.
func TestAPIIntakeRegistersInstruction(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		one := f.do(t, "POST", "/api/v1/warnings", "admin", `{"grade":"high","person":{"name":"王秀英","phone":"13800000401"},
			"instruction":{"level":"省厅","number":"SJ-HTTP-1","issuer":"省反诈中心","feedback_due":"2026-11-03T01:00:00Z"}}`)
		if one.status != 201 || one.json["source"] != "upper" || one.json["source_ref"] != "SJ-HTTP-1" {
			t.Fatalf("one: %d %s", one.status, one.body)
		}
		batch := f.do(t, "POST", "/api/v1/warnings", "admin", `{"warnings":[
			{"person":{"phone":"13800000402"},"instruction":{"level":"bank","number":"YH-HTTP-2"}},
			{"source":"hotline","source_ref":"RX-HTTP-3","person":{"phone":"13800000403"}}]}`)
		if batch.status != 201 || batch.json["registered"] != float64(1) || batch.json["created"] != float64(2) {
			t.Fatalf("batch: %d %s", batch.status, batch.body)
		}
		var level string
		var due int64
		if err := d.QueryRow(ctx, `SELECT level, feedback_due_at FROM instructions WHERE number = 'SJ-HTTP-1'`).Scan(&level, &due); err != nil ||
			level != "province" || db.Time(due).Format("2006-01-02T15:04Z") != "2026-11-03T01:00Z" {
			t.Fatalf("instruction SJ-HTTP-1: %s %v %v", level, db.Time(due), err)
		}
		var n int
		_ = d.QueryRow(ctx, `SELECT COUNT(*) FROM instructions`).Scan(&n)
		if n != 2 {
			t.Fatalf("%d instructions, want 2", n)
		}
		bad := f.do(t, "POST", "/api/v1/warnings", "admin", `{"person":{"phone":"13800000404"},"instruction":{"level":"乡镇","number":"X-4"}}`)
		if bad.status != 400 {
			t.Fatalf("unknown level: %d %s", bad.status, bad.body)
		}
		_ = d.QueryRow(ctx, `SELECT COUNT(*) FROM warnings WHERE person_phone = '13800000404'`).Scan(&n)
		if n != 0 {
			t.Fatalf("a refused request stored %d warnings", n)
		}
	})
}
