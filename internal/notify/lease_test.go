package notify

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/db/dbtest"
)

// A sender that claimed rows and died holds them only until its lease
// expires; then another sender delivers them with the same Idempotency-Key
// (the outbox row's id).
func TestLeaseOfDeadSenderExpires(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		var mu sync.Mutex
		keys := map[string]int{}
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			keys[r.Header.Get("Idempotency-Key")]++
			mu.Unlock()
		}))
		defer srv.Close()
		t0 := time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC)
		tg := Target{URL: srv.URL, Format: FormatJSON}
		for range 2 {
			if err := Enqueue(ctx, d, []Target{tg}, Message{Kind: "escalation", Title: "t", At: t0}); err != nil {
				t.Fatal(err)
			}
		}
		dead := &Deliverer{DB: d, Now: func() time.Time { return t0 }, Owner: "dead"}
		claimed, err := dead.claim(ctx)
		if err != nil || len(claimed) != 2 {
			t.Fatalf("claimed %d rows (err %v), want 2", len(claimed), err)
		}
		now := t0.Add(DefaultLease / 2)
		other := &Deliverer{DB: d, Now: func() time.Time { return now }, Owner: "other"}
		if n, err := other.DeliverDue(ctx); err != nil || n != 0 {
			t.Fatalf("delivered %d rows under another sender's lease (err %v)", n, err)
		}
		now = t0.Add(DefaultLease + time.Second)
		if n, err := other.DeliverDue(ctx); err != nil || n != 2 {
			t.Fatalf("after the lease expired: delivered %d, err %v; want 2", n, err)
		}
		mu.Lock()
		defer mu.Unlock()
		for _, it := range claimed {
			if k := strconv.FormatInt(it.id, 10); keys[k] != 1 {
				t.Errorf("row %d: received %d times under its key, want 1 (keys %v)", it.id, keys[k], keys)
			}
		}
	})
}

// A sender whose lease lapsed while it was posting does not mark the row:
// the sender that took it over does, and the receiver sees the same
// Idempotency-Key twice, so it can drop the second.
func TestLateSenderDoesNotMarkTakenOverRow(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		var mu sync.Mutex
		var keys []string
		arrived := make(chan struct{})
		release := make(chan struct{})
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			keys = append(keys, r.Header.Get("Idempotency-Key"))
			first := len(keys) == 1
			mu.Unlock()
			if first { // the slow sender's post hangs past its lease
				close(arrived)
				<-release
			}
		}))
		defer srv.Close()
		t0 := time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC)
		if err := Enqueue(ctx, d, []Target{{URL: srv.URL, Format: FormatJSON}}, Message{Kind: "escalation", Title: "t", At: t0}); err != nil {
			t.Fatal(err)
		}
		slow := &Deliverer{DB: d, Now: func() time.Time { return t0 }, Owner: "slow"}
		done := make(chan int)
		go func() {
			n, err := slow.DeliverDue(ctx)
			if err != nil {
				t.Errorf("slow sender: %v", err)
			}
			done <- n
		}()
		<-arrived
		other := &Deliverer{DB: d, Now: func() time.Time { return t0.Add(2 * DefaultLease) }, Owner: "other"}
		if n, err := other.DeliverDue(ctx); err != nil || n != 1 {
			t.Fatalf("taking over: delivered %d, err %v; want 1", n, err)
		}
		close(release)
		if n := <-done; n != 0 {
			t.Fatalf("the slow sender marked %d rows delivered after losing the lease", n)
		}
		var attempts int
		if err := d.QueryRow(ctx, `SELECT attempts FROM outbox WHERE delivered_at IS NOT NULL`).Scan(&attempts); err != nil || attempts != 1 {
			t.Fatalf("delivered row attempts %d (err %v), want 1", attempts, err)
		}
		mu.Lock()
		defer mu.Unlock()
		if len(keys) != 2 || keys[0] == "" || keys[0] != keys[1] {
			t.Fatalf("Idempotency-Keys received %q, want the same key twice", keys)
		}
	})
}
