package intel

import (
	"context"
	"testing"
	"time"

	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/db/dbtest"
)

// The cache keeps a graph while the data's generation holds, and after a
// change (made by anyone: here straight in the database, as another
// replica would) serves the graph in hand once and has the new one ready
// soon after.
func TestGraphCacheFollowsGeneration(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := buildStoreWorld(t, d)
		var c GraphCache
		now := time.Now()
		g1, err := c.Get(ctx, d, "k", w.root, now)
		if err != nil {
			t.Fatal(err)
		}
		if g2, _ := c.Get(ctx, d, "k", w.root, now); g2 != g1 {
			t.Fatal("the graph was rebuilt although nothing changed")
		}
		ms := db.Millis(now)
		var id, vid int64
		_ = d.QueryRow(ctx, `INSERT INTO cases (case_no, area_id, reported_at, created_at, updated_at) VALUES ('A-77',?,?,?,?) RETURNING id`,
			w.stA.ID, ms, ms, ms).Scan(&id)
		_ = d.QueryRow(ctx, `INSERT INTO victims (case_id, name, area_id) VALUES (?,?,?) RETURNING id`, id, "周八", w.stA.ID).Scan(&vid)
		if _, err := d.Exec(ctx, `INSERT INTO case_transfers (case_id, victim_id, at, to_account, amount_fen) VALUES (?,?,?,?,?)`, id, vid, ms, "NEW-1", 100); err != nil {
			t.Fatal(err)
		}
		if g, _ := c.Get(ctx, d, "k", w.root, now); g != g1 {
			t.Fatal("the first read after a change should get the graph in hand while the new one is built")
		}
		deadline := time.Now().Add(10 * time.Second)
		for {
			g, err := c.Get(ctx, d, "k", w.root, now)
			if err != nil {
				t.Fatal(err)
			}
			if _, ok := g.Find(TCard, "NEW-1"); ok {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("the new data never reached the cached graph")
			}
			time.Sleep(20 * time.Millisecond)
		}
	})
}
