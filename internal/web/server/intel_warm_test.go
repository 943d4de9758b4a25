package server

import (
	"context"
	"io"
	"log/slog"
	"testing"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/db/dbtest"
	"github.com/fanzha/fanzha/internal/web"
)

// The county's entity graph is built at start (startWorkers calls
// WarmIntelGraph), so the first visit to 两卡研判 does not wait for it; a
// database without a county yet is no error.
func TestWarmIntelGraph(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := New(web.Config{DB: d, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
		if err := s.WarmIntelGraph(ctx); err != nil {
			t.Fatalf("empty database: %v", err)
		}
		root := area.Node{Level: area.County, Code: "W", Name: "暖启县"}
		if err := area.Create(ctx, d, &root); err != nil {
			t.Fatal(err)
		}
		if web.IntelGraphs.Held(s.GraphKey(), root) {
			t.Fatal("graph held before the warm-up")
		}
		if err := s.WarmIntelGraph(ctx); err != nil {
			t.Fatal(err)
		}
		if !web.IntelGraphs.Held(s.GraphKey(), root) {
			t.Fatal("the county's graph is not being built after the warm-up")
		}
		if _, err := web.IntelGraphs.Get(ctx, d, s.GraphKey(), root, s.Now()); err != nil {
			t.Fatal(err)
		}
	})
}
