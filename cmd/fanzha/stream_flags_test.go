package main

import (
	"errors"
	"os"
	"testing"
)

// --nats-replicas (or FANZHA_NATS_REPLICAS): 1 on the embedded server, 3
// with --nats-url, the flag or variable wins; out of 1..5 is a usage error.
func TestStreamReplicaFlags(t *testing.T) {
	for _, c := range []struct {
		name string
		env  string
		args []string
		want int // 0: usage error
	}{
		{"embedded", "", nil, 1},
		{"external cluster", "", []string{"--nats-url", "nats://n1:4222,nats://n2:4222"}, 3},
		{"flag wins", "", []string{"--nats-url", "nats://n1:4222", "--nats-replicas", "1"}, 1},
		{"environment", "5", []string{"--nats-url", "nats://n1:4222"}, 5},
		{"flag over environment", "5", []string{"--nats-replicas", "2"}, 2},
		{"too many", "", []string{"--nats-replicas", "7"}, 0},
		{"bad environment", "-1", nil, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Setenv("FANZHA_NATS_REPLICAS", c.env)
			if c.env == "" {
				os.Unsetenv("FANZHA_NATS_REPLICAS") // restored by Setenv's cleanup
			}
			fs := newFlags("serve")
			var stf streamFlags
			stf.bind(fs)
			err := parseFlags(fs, c.args)
			if err == nil {
				err = stf.check()
			}
			if c.want == 0 {
				if !errors.Is(err, errUsage) {
					t.Fatalf("%v: %v, want a usage error", c.args, err)
				}
				return
			}
			if err != nil || stf.natsReplicas != c.want {
				t.Fatalf("%v: replicas %d, err %v; want %d", c.args, stf.natsReplicas, err, c.want)
			}
		})
	}
}
