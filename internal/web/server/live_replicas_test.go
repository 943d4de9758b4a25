package server

import (
	"context"
	"io"
	"log/slog"
	"reflect"
	"testing"
	"time"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/db/dbtest"
	"github.com/fanzha/fanzha/internal/web"
)

// A warning published on one replica reaches the duty boards of another on
// the same PostgreSQL database, once, and a replica does not hear its own
// notice back.
func TestLiveBoardAcrossReplicas(t *testing.T) {
	d := dbtest.Postgres(t)
	d2, err := db.Open(context.Background(), d.DSN, "")
	if err != nil {
		t.Fatal(err)
	}
	defer d2.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel() // stops the listeners before the pools close
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	a := New(web.Config{DB: d, Log: quiet})
	b := New(web.Config{DB: d2, Log: quiet})
	for _, s := range []*web.Server{a, b} {
		ready := make(chan struct{})
		go s.ListenReplicas(ctx, ready)
		<-ready
	}
	subA := a.Hub.Subscribe(area.Node{})
	subB := b.Hub.Subscribe(area.Node{})
	a.Publish([]int64{41, 42})
	select {
	case ids := <-subB.C:
		if !reflect.DeepEqual(ids, []int64{41, 42}) {
			t.Fatalf("replica B heard %v", ids)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("replica B's boards never heard of the warnings published on A")
	}
	if ids := <-subA.C; !reflect.DeepEqual(ids, []int64{41, 42}) { // A's own boards, directly
		t.Fatalf("replica A heard %v", ids)
	}
	b.Publish([]int64{43})
	select {
	case ids := <-subA.C:
		if !reflect.DeepEqual(ids, []int64{43}) {
			t.Fatalf("replica A heard %v", ids)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("replica A never heard of the warning published on B")
	}
	<-subB.C // B's own
	select {
	case ids := <-subA.C:
		t.Fatalf("A heard %v twice or its own notice back", ids)
	case ids := <-subB.C:
		t.Fatalf("B heard %v twice or its own notice back", ids)
	case <-time.After(300 * time.Millisecond):
	}
}
