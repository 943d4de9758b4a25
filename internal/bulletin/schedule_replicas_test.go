package bulletin

import (
	"context"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/db/dbtest"
	"github.com/fanzha/fanzha/internal/sim"
	"github.com/fanzha/fanzha/internal/zone"
)

// Two replicas' schedulers, each on its own connection pool, tick at the
// daily hour at the same moment on one PostgreSQL database: each bulletin
// is stored and audited once and neither reports an error (the second
// skips while the first holds the job's lock, or finds the runs stored).
func TestTwoSchedulersStoreDailyOnce(t *testing.T) {
	d := dbtest.Postgres(t)
	ctx := context.Background()
	auth.BcryptCost = 4
	if _, err := sim.Generate(ctx, d, sim.Options{Seed: 3, Now: time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC), Scale: 0.02}); err != nil {
		t.Fatal(err)
	}
	root, _ := area.Root(ctx, d)
	stations, _ := area.ByLevel(ctx, d, root, area.Station)
	want := 1 + len(stations)
	d2, err := db.Open(ctx, d.DSN, "")
	if err != nil {
		t.Fatal(err)
	}
	defer d2.Close()
	at := time.Date(2026, 11, 21, 9, 0, 0, 0, zone.Shanghai)
	var stored [2]int
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i, h := range []*db.DB{d, d2} {
		s := &Scheduler{DB: h, Loc: zone.Shanghai, Log: slog.Default(), Now: func() time.Time { return at }}
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			for range 3 {
				n, err := s.Tick(ctx)
				if err != nil {
					t.Errorf("scheduler %d: %v", i, err)
					return
				}
				stored[i] += n
			}
		}()
	}
	close(start)
	wg.Wait()
	var runs, audited int
	if err := d.QueryRow(ctx, `SELECT COUNT(*) FROM bulletin_runs WHERE kind = 'daily'`).Scan(&runs); err != nil {
		t.Fatal(err)
	}
	if err := d.QueryRow(ctx, `SELECT COUNT(*) FROM audit_log WHERE username = 'scheduler' AND object_type = 'bulletin_run'`).Scan(&audited); err != nil {
		t.Fatal(err)
	}
	if stored[0]+stored[1] != want || runs != want || audited != want {
		t.Fatalf("stored %d+%d, runs %d, audit lines %d; want %d", stored[0], stored[1], runs, audited, want)
	}
}
