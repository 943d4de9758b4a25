package warning

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/db/dbtest"
)

// A large batch is stored in chunks: a person warned in the first and in
// the last chunk still has one open warning, and a single warning sent
// while the batch is being stored is committed between two chunks, not
// after the whole batch.
func TestLargeBatchInChunks(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		c := newTestCounty(t, d)
		const n = 3*batchChunk + 10
		var ins []Input
		for i := range n {
			ins = append(ins, sample(fmt.Sprintf("K-%d", i), fmt.Sprintf("1396%07d", i), "青石镇李家村"))
		}
		ins[n-1].Person.Phone = ins[0].Person.Phone

		var mu sync.Mutex
		var sizes []int
		single := make(chan error, 1)
		c.intake.OnCommit = func(s CommitStats) {
			mu.Lock()
			sizes = append(sizes, s.Warnings)
			first := len(sizes) == 1
			mu.Unlock()
			if first {
				go func() {
					_, err := c.intake.Submit(ctx, []Input{sample("K-single", "13970000000", "城关街道新华社区")}, SubmitOptions{})
					single <- err
				}()
				time.Sleep(20 * time.Millisecond) // the single warning is waiting now
			}
		}
		res, err := c.intake.Submit(ctx, ins, SubmitOptions{})
		if err != nil || res.Created != n-1 || res.Merged != 1 || !res.Stored {
			t.Fatalf("batch: created %d merged %d stored %v: %v", res.Created, res.Merged, res.Stored, err)
		}
		if it := res.Items[n-1]; it.MergedInto != res.Items[0].ID {
			t.Fatalf("last warning of the batch %+v, want merged into the first %d", it, res.Items[0].ID)
		}
		if err := <-single; err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		defer mu.Unlock()
		at := -1
		for i, s := range sizes {
			if s == 1 {
				at = i
			}
			if s > batchChunk {
				t.Fatalf("a commit of %d warnings (chunks %v)", s, sizes)
			}
		}
		if at < 0 || at >= len(sizes)-1 {
			t.Fatalf("commits %v: the single warning was stored after the whole batch", sizes)
		}
	})
}
