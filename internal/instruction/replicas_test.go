package instruction_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/db/dbtest"
	"github.com/fanzha/fanzha/internal/instruction"
	"github.com/fanzha/fanzha/internal/notify"
	"github.com/fanzha/fanzha/internal/testworld"
)

// TestTwoReplicasEscalateInstructionsOnce runs two watchers, each on its
// own connection pool as two fanzha processes would, against one
// PostgreSQL database where 200 feedback deadlines pass at once: each is
// escalated once (one timeline line, one outbox row).
func TestTwoReplicasEscalateInstructionsOnce(t *testing.T) {
	d := dbtest.Postgres(t)
	ctx := context.Background()
	w := newWorld(t, d)
	const n = 200
	lines := []string{header}
	for i := range n {
		lines = append(lines, fmt.Sprintf("R-%d,省,省厅,2026-11-02 09:00,高危,甲,1390000%04d,青石镇李家村,police,,冒充公检法,2026-11-02 12:00", i, i))
	}
	if rep := w.importCSV(t, lines...); rep.Registered != n {
		t.Fatalf("registered %d of %d", rep.Registered, n)
	}
	d2, err := db.Open(ctx, d.DSN, "")
	if err != nil {
		t.Fatal(err)
	}
	defer d2.Close()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) }))
	defer srv.Close()
	targets := func(context.Context) []notify.Target {
		return []notify.Target{{URL: srv.URL, Format: notify.FormatJSON}}
	}
	late := w.Now.Add(3 * time.Hour)
	var wg sync.WaitGroup
	start := make(chan struct{})
	var mu sync.Mutex
	total := 0
	for _, h := range []*db.DB{d, d2} {
		wt := &instruction.Watcher{DB: h, Now: func() time.Time { return late }, TargetSource: targets}
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			for range 5 {
				res, err := wt.Sweep(ctx)
				if err != nil {
					t.Errorf("sweep: %v", err)
					return
				}
				mu.Lock()
				for _, b := range res.Escalated {
					if b.Kind == "feedback" {
						total++
					}
				}
				mu.Unlock()
			}
		}()
	}
	close(start)
	wg.Wait()
	lines2 := testworld.Count(t, d, `SELECT COUNT(*) FROM warning_events WHERE kind = 'escalated' AND detail LIKE '%反馈超时%'`)
	twice := testworld.Count(t, d, `SELECT COUNT(*) FROM (SELECT warning_id FROM warning_events WHERE kind = 'escalated' AND detail LIKE '%反馈超时%'
		GROUP BY warning_id HAVING COUNT(*) > 1) x`)
	rows := testworld.Count(t, d, `SELECT COUNT(*) FROM outbox WHERE kind = 'escalation' AND payload LIKE '%instruction_feedback%'`)
	if total != n || lines2 != n || twice != 0 || rows != n {
		t.Fatalf("escalated %d, timeline lines %d (twice %d), outbox rows %d; want %d, %d, 0, %d", total, lines2, twice, rows, n, n, n)
	}
}
