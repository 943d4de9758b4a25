package stream

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// The replica count: one on the embedded server, three on an external
// cluster, the flag wins when given, out-of-range values refused by name.
func TestResolveReplicas(t *testing.T) {
	for _, c := range []struct {
		name    string
		flag    int
		url     string
		want    int
		wantErr bool
	}{
		{"embedded default", 0, "", 1, false},
		{"cluster default", 0, "nats://n1:4222,nats://n2:4222,nats://n3:4222", 3, false},
		{"single external URL default", 0, "nats://n1:4222", 3, false},
		{"flag wins over cluster default", 1, "nats://n1:4222", 1, false},
		{"flag wins over embedded default", 3, "", 3, false},
		{"five allowed", 5, "nats://n1:4222", 5, false},
		{"six refused", 6, "nats://n1:4222", 0, true},
		{"negative refused", -1, "", 0, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := ResolveReplicas(c.flag, c.url)
			if c.wantErr {
				if err == nil || !strings.Contains(err.Error(), "--nats-replicas") {
					t.Fatalf("ResolveReplicas(%d, %q) = %d, %v; want an error naming --nats-replicas", c.flag, c.url, got, err)
				}
				return
			}
			if err != nil || got != c.want {
				t.Fatalf("ResolveReplicas(%d, %q) = %d, %v; want %d", c.flag, c.url, got, err, c.want)
			}
		})
	}
}

// On the embedded (single, non-clustered) server the stream is created with
// one replica; asking for three is refused with a message that tells the
// operator which flag to change, and the consumer does not start.
func TestReplicasOnEmbeddedServer(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	emb, err := StartEmbedded(t.TempDir(), 0)
	if err != nil {
		t.Fatal(err)
	}
	defer emb.Shutdown()
	nc, err := Connect(emb.URL(), "test")
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}

	_, err = EnsureStream(ctx, js, 3, nil)
	if err == nil {
		t.Fatal("3 replicas on a single server accepted")
	}
	for _, want := range []string{"--nats-replicas 1", "not a JetStream cluster"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}

	st, err := EnsureStream(ctx, js, 1, nil)
	if err != nil {
		t.Fatalf("1 replica: %v", err)
	}
	info, err := st.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if info.Config.Replicas != 1 {
		t.Fatalf("stream has %d replicas, want 1", info.Config.Replicas)
	}
	// Ensuring again (a restart) keeps the stream and its messages.
	if _, err := js.Publish(ctx, SubjectIn, []byte(`{}`)); err != nil {
		t.Fatal(err)
	}
	st, err = EnsureStream(ctx, js, 1, nil)
	if err != nil {
		t.Fatalf("second ensure: %v", err)
	}
	if info, err = st.Info(ctx); err != nil || info.State.Msgs != 1 {
		t.Fatalf("after second ensure: %v messages, err %v; want 1", info.State.Msgs, err)
	}

	// The existing stream asked to grow to 3 replicas: refused the same way.
	c := &Consumer{JS: js, NC: nc, Replicas: 3}
	err = c.Run(ctx)
	t.Log(err)
	if err == nil || !strings.Contains(err.Error(), "--nats-replicas 1") {
		t.Fatalf("consumer with 3 replicas on a single server: %v; want an error naming --nats-replicas", err)
	}
	if _, err := js.Consumer(ctx, StreamName, ConsumerName); err == nil {
		t.Fatal("consumer created although the stream could not have 3 replicas")
	}
}
