package warning

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
	"github.com/fanzha/fanzha/internal/notify"
)

// keyCounter is a webhook receiver counting deliveries per Idempotency-Key.
type keyCounter struct {
	mu   sync.Mutex
	keys map[string]int
}

func (k *keyCounter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	k.mu.Lock()
	k.keys[r.Header.Get("Idempotency-Key")]++
	k.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}

// TestTwoReplicasEscalateAndDeliverOnce runs two escalators and two outbox
// senders, each on its own connection pool as two fanzha processes would,
// against one PostgreSQL database where 300 first-contact deadlines pass at
// once: every deadline is escalated once (one event, one outbox row) and
// every outbox row reaches the receiver once.
func TestTwoReplicasEscalateAndDeliverOnce(t *testing.T) {
	d := dbtest.Postgres(t)
	ctx := context.Background()
	c := newTestCounty(t, d)
	const n = 300
	var ins []Input
	for i := range n {
		ins = append(ins, sample(fmt.Sprintf("R-%d", i), fmt.Sprintf("1390000%04d", i), "青石镇李家村"))
	}
	res, err := c.intake.Submit(ctx, ins, SubmitOptions{})
	if err != nil || res.Created != n {
		t.Fatalf("intake: created %d of %d, %v", res.Created, n, err)
	}
	d2, err := db.Open(ctx, d.DSN, "")
	if err != nil {
		t.Fatal(err)
	}
	defer d2.Close()
	recv := &keyCounter{keys: map[string]int{}}
	srv := httptest.NewServer(recv)
	defer srv.Close()
	targets := []notify.Target{{URL: srv.URL, Format: notify.FormatJSON}}
	late := c.now.Add(time.Hour) // every 30-minute deadline has passed
	clock := func() time.Time { return late }

	var wg sync.WaitGroup
	start := make(chan struct{})
	errs := make(chan error, 64)
	for _, h := range []*db.DB{d, d2} {
		esc := &Escalator{DB: h, Now: clock, Targets: targets}
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			for range 5 {
				if _, err := esc.Sweep(ctx); err != nil {
					errs <- err
				}
			}
		}()
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("sweep: %v", err)
	}
	var events, twice, rows int
	if err := d.QueryRow(ctx, `SELECT COUNT(*) FROM warning_events WHERE kind = 'escalated'`).Scan(&events); err != nil {
		t.Fatal(err)
	}
	if err := d.QueryRow(ctx, `SELECT COUNT(*) FROM (SELECT warning_id FROM warning_events WHERE kind = 'escalated'
		GROUP BY warning_id HAVING COUNT(*) > 1) x`).Scan(&twice); err != nil {
		t.Fatal(err)
	}
	if err := d.QueryRow(ctx, `SELECT COUNT(*) FROM outbox WHERE kind = 'escalation'`).Scan(&rows); err != nil {
		t.Fatal(err)
	}
	if events != n || twice != 0 || rows != n {
		t.Fatalf("escalation events %d (warnings escalated twice %d), outbox rows %d; want %d, 0, %d", events, twice, rows, n, n)
	}

	// Two senders deliver the outbox at once.
	start = make(chan struct{})
	var delivered [2]int
	for i, h := range []*db.DB{d, d2} {
		dl := &notify.Deliverer{DB: h, Now: clock}
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			for range 10 {
				k, err := dl.DeliverDue(ctx)
				if err != nil {
					t.Errorf("sender %d: %v", i, err)
					return
				}
				delivered[i] += k
			}
		}()
	}
	close(start)
	wg.Wait()
	var pending int
	if err := d.QueryRow(ctx, `SELECT COUNT(*) FROM outbox WHERE delivered_at IS NULL`).Scan(&pending); err != nil {
		t.Fatal(err)
	}
	recv.mu.Lock()
	defer recv.mu.Unlock()
	dup := 0
	for k, v := range recv.keys {
		if k == "" {
			t.Errorf("%d deliveries without an Idempotency-Key", v)
		}
		if v > 1 {
			dup++
		}
	}
	if pending != 0 || len(recv.keys) != n || dup != 0 || delivered[0]+delivered[1] != n {
		t.Fatalf("pending %d, keys received %d (delivered more than once %d), marked delivered %d+%d; want 0, %d, 0, %d",
			pending, len(recv.keys), dup, delivered[0], delivered[1], n, n)
	}
	t.Logf("senders delivered %d and %d", delivered[0], delivered[1])
}
