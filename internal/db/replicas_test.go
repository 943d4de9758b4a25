package db_test

import (
	"context"
	"sync"
	"testing"

	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/db/dbtest"
)

// Three replicas starting together on an empty database migrate it once:
// none fails, and each migration is recorded once.
func TestReplicasMigrateTogether(t *testing.T) {
	dsn := dbtest.EmptyPostgresURL(t)
	ctx := context.Background()
	latest, err := db.LatestVersion()
	if err != nil {
		t.Fatal(err)
	}
	var handles []*db.DB
	for range 3 {
		h, err := db.Open(ctx, dsn, "")
		if err != nil {
			t.Fatal(err)
		}
		defer h.Close()
		handles = append(handles, h)
	}
	var wg sync.WaitGroup
	start := make(chan struct{})
	applied := make([]int, len(handles))
	for i, h := range handles {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			r, err := h.Migrate(ctx)
			if err != nil {
				t.Errorf("replica %d: %v", i, err)
				return
			}
			if r.Current != latest {
				t.Errorf("replica %d: schema version %d, want %d", i, r.Current, latest)
			}
			applied[i] = len(r.Applied)
		}()
	}
	close(start)
	wg.Wait()
	var rows, versions int
	if err := handles[0].QueryRow(ctx, `SELECT COUNT(*), COUNT(DISTINCT version_id) FROM goose_db_version WHERE version_id > 0`).Scan(&rows, &versions); err != nil {
		t.Fatal(err)
	}
	if sum := applied[0] + applied[1] + applied[2]; rows == 0 || rows != versions || sum != versions {
		t.Fatalf("goose_db_version: %d rows for %d versions; migrations applied %v (want each once)", rows, versions, applied)
	}
}
