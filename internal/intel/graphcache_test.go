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

// The graph's fingerprint changes on every kind of change to its data —
// a new record, an edit, a delete — made through another connection pool
// to the same database, as another replica would make it.
func TestGraphGenerationSeesAnotherPool(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := buildStoreWorld(t, d)
		other, err := db.Open(ctx, d.DSN, "")
		if err != nil {
			t.Fatal(err)
		}
		defer other.Close()
		ms := db.Millis(time.Now())
		var caseID, victimID, transferID, id int64
		insertVictim := func(dst *int64) error {
			return other.QueryRow(ctx, `INSERT INTO victims (case_id, name, area_id) VALUES (?,?,?) RETURNING id`, caseID, "吴九", w.stA.ID).Scan(dst)
		}
		insertTransfer := func(dst *int64, victim int64, to string) error {
			return other.QueryRow(ctx, `INSERT INTO case_transfers (case_id, victim_id, at, to_account, amount_fen) VALUES (?,?,?,?,?) RETURNING id`,
				caseID, victim, ms, to, 100).Scan(dst)
		}
		// The deleted rows are not the newest of their tables, so only the
		// delete itself can tell.
		steps := []struct {
			name string
			do   func() error
		}{
			{"new case", func() error {
				return other.QueryRow(ctx, `INSERT INTO cases (case_no, area_id, reported_at, created_at, updated_at) VALUES ('G-1',?,?,?,?) RETURNING id`,
					w.stA.ID, ms, ms, ms).Scan(&caseID)
			}},
			{"new victim", func() error { return insertVictim(&victimID) }},
			{"another victim", func() error { return insertVictim(&id) }},
			{"new transfer", func() error { return insertTransfer(&transferID, victimID, "GEN-1") }},
			{"another transfer", func() error { return insertTransfer(&id, id, "GEN-2") }},
			{"edited case", func() error {
				_, err := other.Exec(ctx, `UPDATE cases SET updated_at = ? WHERE id = ?`, ms+1000, caseID)
				return err
			}},
			{"deleted transfer", func() error {
				_, err := other.Exec(ctx, `DELETE FROM case_transfers WHERE id = ?`, transferID)
				return err
			}},
			{"deleted victim", func() error {
				_, err := other.Exec(ctx, `DELETE FROM victims WHERE id = ?`, victimID)
				return err
			}},
		}
		before, err := GraphGeneration(ctx, d)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range steps {
			if err := s.do(); err != nil {
				t.Fatalf("%s: %v", s.name, err)
			}
			after, err := GraphGeneration(ctx, d)
			if err != nil {
				t.Fatal(err)
			}
			if after == before {
				t.Errorf("%s through another pool left the graph generation at %s", s.name, before)
			}
			before = after
		}
	})
}
