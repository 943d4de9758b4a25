package partner

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/db/dbtest"
	"github.com/fanzha/fanzha/internal/notify"
)

// Two freeze watchers, each on its own connection pool as two fanzha
// processes would, sweep one PostgreSQL database where 60 freezes come due
// for their reminder and then lapse at the same moment: each reminder and
// each lapse is recorded, notified and audited once, and neither watcher
// reports an error.
func TestTwoFreezeWatchersRemindAndLapseOnce(t *testing.T) {
	d := dbtest.Postgres(t)
	ctx := context.Background()
	w := newWorld(t, d)
	const n = 60
	var exp time.Time
	for range n {
		id := w.request(t, "freeze", false, t0)
		if err := Confirm(ctx, d, w.stA, w.inv, id, 200_000, "文书-1", t0); err != nil {
			t.Fatal(err)
		}
		_, _, exp = w.status(t, id)
	}
	d2, err := db.Open(ctx, d.DSN, "")
	if err != nil {
		t.Fatal(err)
	}
	defer d2.Close()
	targets := []notify.Target{{URL: "http://robot.example/hook", Format: notify.FormatJSON}}
	count := func(q string, args ...any) int {
		t.Helper()
		var k int
		if err := d.QueryRow(ctx, q, args...).Scan(&k); err != nil {
			t.Fatal(err)
		}
		return k
	}
	both := func(at time.Time) [2]SweepResult {
		var out [2]SweepResult
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i, h := range []*db.DB{d, d2} {
			fw := &FreezeWatch{DB: h, Log: quiet, Targets: targets, Now: func() time.Time { return at }}
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				for range 3 {
					res, err := fw.Sweep(ctx)
					if err != nil {
						t.Errorf("watcher %d: %v", i, err)
						return
					}
					out[i].Lapsed = append(out[i].Lapsed, res.Lapsed...)
					out[i].Reminded = append(out[i].Reminded, res.Reminded...)
				}
			}()
		}
		close(start)
		wg.Wait()
		return out
	}
	// All the reminders one day before (the 7-day one is recorded as passed).
	r := both(exp.Add(-24*time.Hour + time.Minute))
	if got := len(r[0].Reminded) + len(r[1].Reminded); got != n {
		t.Errorf("reminded %d+%d, want %d in all", len(r[0].Reminded), len(r[1].Reminded), n)
	}
	if ev, ob := count(`SELECT COUNT(*) FROM case_events WHERE kind = 'freeze_reminder'`),
		count(`SELECT COUNT(*) FROM outbox WHERE kind = 'freeze_reminder'`); ev != n || ob != n {
		t.Errorf("reminder events %d, outbox rows %d; want %d each", ev, ob, n)
	}
	// All lapse at once.
	r = both(exp.Add(time.Second))
	if got := len(r[0].Lapsed) + len(r[1].Lapsed); got != n {
		t.Errorf("lapsed %d+%d, want %d in all", len(r[0].Lapsed), len(r[1].Lapsed), n)
	}
	ev := count(`SELECT COUNT(*) FROM case_events WHERE kind = 'freeze_lapsed'`)
	ob := count(`SELECT COUNT(*) FROM outbox WHERE kind = 'freeze_lapsed'`)
	au := count(`SELECT COUNT(*) FROM audit_log WHERE username = 'system' AND object_type = 'partner_request' AND detail LIKE 'lapsed at %'`)
	st := count(`SELECT COUNT(*) FROM partner_requests WHERE status = 'lapsed'`)
	if ev != n || ob != n || au != n || st != n {
		t.Fatalf("lapse events %d, outbox rows %d, audit entries %d, lapsed requests %d; want %d each", ev, ob, au, st, n)
	}
}
