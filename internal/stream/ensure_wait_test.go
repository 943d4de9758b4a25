package stream

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// Replicas that start with a new cluster wait for it: EnsureStream with
// three replicas, asked while only one of three nodes runs (no JetStream
// leader), retries until the other two join and then creates the stream,
// instead of failing the start of serve.
func TestEnsureStreamWaitsForCluster(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a 3-node NATS cluster")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	ports := freePorts(t, 6)
	var routes []string
	for i := 0; i < 3; i++ {
		routes = append(routes, fmt.Sprintf("nats-route://127.0.0.1:%d", ports[3+i]))
	}
	dir := t.TempDir()
	start := func(i int) {
		n, err := StartClusterNode(NodeOptions{Name: fmt.Sprintf("n%d", i+1), Port: ports[i], ClusterPort: ports[3+i],
			Routes: routes, StoreDir: filepath.Join(dir, fmt.Sprintf("n%d", i+1))})
		if err != nil {
			t.Error(err)
			return
		}
		t.Cleanup(n.Shutdown)
	}
	start(0)
	nc, err := Connect(fmt.Sprintf("nats://127.0.0.1:%d", ports[0]), "test")
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	type result struct {
		st  jetstream.Stream
		err error
	}
	done := make(chan result, 1)
	go func() {
		st, err := EnsureStream(ctx, js, 3, nil)
		done <- result{st, err}
	}()
	select {
	case r := <-done:
		t.Fatalf("EnsureStream returned before the cluster had a quorum: %v", r.err)
	case <-time.After(7 * time.Second): // beyond one JetStream API timeout (5 s)
	}
	start(1)
	start(2)
	r := <-done
	if r.err != nil {
		t.Fatalf("EnsureStream after the cluster formed: %v", r.err)
	}
	info, err := r.st.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if info.Config.Replicas != 3 {
		t.Fatalf("stream replicas %d, want 3", info.Config.Replicas)
	}
}
