package stream

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go/jetstream"
)

// freePorts picks n free loopback ports.
func freePorts(t *testing.T, n int) []int {
	t.Helper()
	var ports []int
	var ls []net.Listener
	for i := 0; i < n; i++ {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	for _, l := range ls {
		l.Close()
	}
	return ports
}

// startCluster runs a 3-node JetStream cluster in this process.
func startCluster(t *testing.T) ([]*server.Server, string) {
	t.Helper()
	ports := freePorts(t, 3)
	var routes []string
	for _, p := range ports {
		routes = append(routes, fmt.Sprintf("nats-route://127.0.0.1:%d", p))
	}
	dir := t.TempDir()
	var srvs []*server.Server
	var urls []string
	for i, p := range ports {
		opts := &server.Options{
			ServerName: fmt.Sprintf("n%d", i+1),
			Host:       "127.0.0.1",
			Port:       server.RANDOM_PORT,
			JetStream:  true,
			StoreDir:   filepath.Join(dir, fmt.Sprintf("n%d", i+1)),
			NoSigs:     true,
			NoLog:      true,
			Cluster:    server.ClusterOpts{Name: "fanzha", Host: "127.0.0.1", Port: p},
			Routes:     server.RoutesFromStr(strings.Join(routes, ",")),
		}
		s, err := server.NewServer(opts)
		if err != nil {
			t.Fatal(err)
		}
		go s.Start()
		if !s.ReadyForConnections(10 * time.Second) {
			t.Fatal("cluster node did not start")
		}
		t.Cleanup(func() { s.Shutdown(); s.WaitForShutdown() })
		srvs = append(srvs, s)
		urls = append(urls, s.ClientURL())
	}
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if srvs[0].JetStreamIsLeader() || srvs[1].JetStreamIsLeader() || srvs[2].JetStreamIsLeader() {
			return srvs, strings.Join(urls, ",")
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatal("no JetStream meta leader within 20 s")
	return nil, ""
}

// On a 3-node cluster a stream created with one replica is raised to three
// at the next start (and the change logged), the consumer follows, and the
// acknowledged messages survive the loss of the stream leader's node.
func TestReplicasOnCluster(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a 3-node NATS cluster")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	srvs, url := startCluster(t)
	nc, err := Connect(url, "test")
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	ensure := func(n int, log *slog.Logger) jetstream.Stream {
		t.Helper()
		var last error
		for i := 0; i < 50; i++ { // the cluster may still be settling
			st, err := EnsureStream(ctx, js, n, log)
			if err == nil {
				return st
			}
			last = err
			time.Sleep(200 * time.Millisecond)
		}
		t.Fatalf("ensure stream with %d replicas: %v", n, last)
		return nil
	}
	ensure(1, nil)
	for i := 0; i < 100; i++ {
		if _, err := js.Publish(ctx, SubjectIn, []byte(fmt.Sprintf(`{"n":%d}`, i))); err != nil {
			t.Fatal(err)
		}
	}
	var logs bytes.Buffer
	st := ensure(3, slog.New(slog.NewTextHandler(&logs, nil)))
	if !strings.Contains(logs.String(), "warning stream replicas changed") || !strings.Contains(logs.String(), "from=1 to=3") {
		t.Fatalf("replica change not logged: %q", logs.String())
	}
	info, err := st.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if info.Config.Replicas != 3 || info.State.Msgs != 100 {
		t.Fatalf("stream: %d replicas, %d messages; want 3, 100", info.Config.Replicas, info.State.Msgs)
	}
	var cons jetstream.Consumer
	for i := 0; i < 50; i++ { // the stream's new peers may still be catching up
		if cons, err = st.CreateOrUpdateConsumer(ctx, jetstream.ConsumerConfig{Durable: ConsumerName, AckPolicy: jetstream.AckExplicitPolicy, Replicas: 3}); err == nil {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if err != nil {
		t.Fatal(err)
	}
	if ci, err := cons.Info(ctx); err != nil || ci.Config.Replicas != 3 {
		t.Fatalf("consumer replicas: %v, %v; want 3", ci, err)
	}

	// Lose the stream leader's node: the others take over with every message.
	var leader string
	deadline := time.Now().Add(20 * time.Second)
	for leader == "" && time.Now().Before(deadline) {
		if info, err = st.Info(ctx); err == nil && info.Cluster != nil && len(info.Cluster.Replicas) == 2 &&
			info.Cluster.Replicas[0].Current && info.Cluster.Replicas[1].Current {
			leader = info.Cluster.Leader
		} else {
			time.Sleep(200 * time.Millisecond)
		}
	}
	if leader == "" {
		t.Fatalf("stream never had a leader and two current followers: %+v", info.Cluster)
	}
	for i := 0; i < 100; i++ { // and the followers hold every message
		if _, err := js.Publish(ctx, SubjectIn, []byte(`{}`)); err != nil {
			t.Fatal(err)
		}
	}
	for _, s := range srvs {
		if s.Name() == leader {
			s.Shutdown()
			s.WaitForShutdown()
		}
	}
	deadline = time.Now().Add(30 * time.Second)
	var msgs uint64
	var last error
	for time.Now().Before(deadline) {
		cctx, ccancel := context.WithTimeout(ctx, 2*time.Second)
		in, err := st.Info(cctx)
		ccancel()
		if err == nil && in.Cluster != nil && in.Cluster.Leader != "" && in.Cluster.Leader != leader {
			msgs = in.State.Msgs
			break
		}
		if err != nil {
			last = fmt.Errorf("%v (conn %v %s)", err, nc.Status(), nc.ConnectedUrl())
		} else {
			last = fmt.Errorf("cluster %+v", in.Cluster)
		}
		time.Sleep(200 * time.Millisecond)
	}
	if msgs != 200 {
		t.Fatalf("after losing node %s: %d messages on the new leader, want 200 (last: %v)", leader, msgs, last)
	}
}
