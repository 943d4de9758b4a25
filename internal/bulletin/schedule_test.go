package bulletin

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/db/dbtest"
	"github.com/fanzha/fanzha/internal/sim"
	"github.com/fanzha/fanzha/internal/zone"
)

// The daily bulletin waits for the configured hour, is stored once for the
// county and each station, and a scheduler started later (a restart, even
// a day late) generates what is missing and nothing twice.
func TestDailySchedule(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		auth.BcryptCost = 4
		gen := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
		if _, err := sim.Generate(ctx, d, sim.Options{Seed: 2, Now: gen, Scale: 0.02}); err != nil {
			t.Fatal(err)
		}
		if err := SetDailyHour(ctx, d, 7); err != nil {
			t.Fatal(err)
		}
		if err := SetDailyHour(ctx, d, 24); err == nil {
			t.Fatal("hour 24 accepted")
		}
		root, _ := area.Root(ctx, d)
		stations, _ := area.ByLevel(ctx, d, root, area.Station)
		clock := time.Date(2026, 11, 21, 6, 59, 0, 0, zone.Shanghai)
		s := &Scheduler{DB: d, Loc: zone.Shanghai, Log: slog.Default(), Now: func() time.Time { return clock }}
		if n, err := s.Tick(ctx); err != nil || n != 0 {
			t.Fatalf("before the hour: %d %v", n, err)
		}
		clock = time.Date(2026, 11, 21, 7, 0, 0, 0, zone.Shanghai)
		if n, err := s.Tick(ctx); err != nil || n != 1+len(stations) {
			t.Fatalf("at the hour: %d %v", n, err)
		}
		if n, _ := s.Tick(ctx); n != 0 {
			t.Fatalf("second tick stored %d", n)
		}
		restarted := &Scheduler{DB: d, Loc: zone.Shanghai, Log: slog.Default(), Now: func() time.Time { return clock.Add(3 * time.Hour) }}
		if n, _ := restarted.Tick(ctx); n != 0 {
			t.Fatalf("restart the same day stored %d", n)
		}
		// Down over the next hour: the first tick after start catches up.
		late := &Scheduler{DB: d, Loc: zone.Shanghai, Log: slog.Default(), Now: func() time.Time { return time.Date(2026, 11, 22, 15, 0, 0, 0, zone.Shanghai) }}
		if n, _ := late.Tick(ctx); n != 1+len(stations) {
			t.Fatalf("late start stored %d", n)
		}
		var audited int
		_ = d.QueryRow(ctx, `SELECT COUNT(*) FROM audit_log WHERE username = 'scheduler' AND object_type = 'bulletin_run'`).Scan(&audited)
		if audited != 2*(1+len(stations)) {
			t.Fatalf("audit lines %d", audited)
		}
		runs, err := Runs(ctx, d, root, 100)
		if err != nil || len(runs) != 2*(1+len(stations)) {
			t.Fatalf("runs %d %v", len(runs), err)
		}
		if runs[0].From.In(zone.Shanghai).Format("2006-01-02") != "2026-11-21" {
			t.Fatalf("newest run %v", runs[0].From)
		}
	})
}
