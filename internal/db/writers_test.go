package db_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/db/dbtest"
)

// Many transactions of one process at once on SQLite: each waits for its
// turn in the process (not in SQLite's sleeping busy wait), all commit, and
// a caller whose context ends while waiting gets its error.
func TestInTxTakesTurns(t *testing.T) {
	d := dbtest.SQLite(t)
	ctx := context.Background()
	if _, err := d.Exec(ctx, `INSERT INTO generations (name, n) VALUES ('turns', 0)`); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 40)
	for range 40 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- d.InTx(ctx, func(tx *db.Tx) error {
				var n int
				if err := tx.QueryRow(ctx, `SELECT n FROM generations WHERE name = 'turns'`).Scan(&n); err != nil {
					return err
				}
				time.Sleep(time.Millisecond)
				_, err := tx.Exec(ctx, `UPDATE generations SET n = ? WHERE name = 'turns'`, n+1)
				return err
			})
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	var n int
	if err := d.QueryRow(ctx, `SELECT n FROM generations WHERE name = 'turns'`).Scan(&n); err != nil || n != 40 {
		t.Fatalf("counter %d, want 40 (%v)", n, err)
	}

	// A transaction holds the turn; another caller gives up with its context.
	held, done := make(chan struct{}), make(chan struct{})
	go func() {
		_ = d.InTx(ctx, func(tx *db.Tx) error {
			close(held)
			<-done
			return nil
		})
	}()
	<-held
	cctx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	err := d.InTx(cctx, func(tx *db.Tx) error { return nil })
	close(done)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("waiting caller's context ended: got %v", err)
	}
}

// A large write-ahead log, fully copied by the background checkpoint, is
// started over (RESTART) rather than left to grow to wal_autocheckpoint,
// where every COMMIT would checkpoint.
func TestCheckpointsRestartLargeLog(t *testing.T) {
	d := dbtest.SQLite(t)
	ctx := context.Background()
	if _, err := d.Exec(ctx, `CREATE TABLE ballast (b BLOB)`); err != nil {
		t.Fatal(err)
	}
	// About 10,000 pages of log.
	if _, err := d.Exec(ctx, `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10000)
		INSERT INTO ballast SELECT randomblob(3900) FROM n`); err != nil {
		t.Fatal(err)
	}
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	seen := make(chan db.Checkpoint, 16)
	go d.RunCheckpointsObserved(cctx, 20*time.Millisecond, func(c db.Checkpoint) {
		select {
		case seen <- c:
		default:
		}
	})
	first := <-seen
	if first.Err != nil || first.LogPages < 8192 || !first.Restarted {
		t.Fatalf("first checkpoint %+v: want the %d-page log copied and restarted", first, first.LogPages)
	}
	if _, err := d.Exec(ctx, `INSERT INTO ballast VALUES (x'00')`); err != nil {
		t.Fatal(err)
	}
	// Checkpoints queued before the write still show the old log; one
	// after it shows the log started over with the one write in it.
	deadline := time.After(5 * time.Second)
	for {
		select {
		case c := <-seen:
			if c.Err != nil {
				t.Fatal(c.Err)
			}
			if c.LogPages > 0 && c.LogPages < 100 {
				return
			}
		case <-deadline:
			t.Fatal("the log did not start over after the restart and a small write")
		}
	}
}
