package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"strings"

	"github.com/fanzha/fanzha/internal/stream"
)

func init() {
	register("nats-node", "internal: one node of a NATS JetStream cluster on 127.0.0.1 (fanzha bench replicas)", runNATSNode)
}

// runNATSNode runs one cluster node until the process is stopped: fanzha
// bench replicas starts three of them as separate processes so that one can
// be killed. Production clusters are nats-server processes (docs/SETUP.md).
func runNATSNode(ctx context.Context, args []string) error {
	fs := newFlags("nats-node")
	var o stream.NodeOptions
	fs.StringVar(&o.Name, "name", "", "server name, unique in the cluster (n1, n2, n3)")
	fs.IntVar(&o.Port, "port", 0, "client port on 127.0.0.1")
	fs.IntVar(&o.ClusterPort, "cluster-port", 0, "route port on 127.0.0.1")
	routes := fs.String("routes", "", "comma-separated nats-route://127.0.0.1:PORT of every node")
	fs.StringVar(&o.StoreDir, "store", "", "JetStream store directory")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	for _, r := range strings.Split(*routes, ",") {
		if r = strings.TrimSpace(r); r != "" {
			o.Routes = append(o.Routes, r)
		}
	}
	if o.Name == "" || o.Port <= 0 || o.ClusterPort <= 0 || len(o.Routes) == 0 || o.StoreDir == "" {
		return fmt.Errorf("%w: --name, --port, --cluster-port, --routes and --store are required", errUsage)
	}
	n, err := stream.StartClusterNode(o)
	if err != nil {
		return err
	}
	slog.New(slog.NewTextHandler(os.Stderr, nil)).Info("NATS cluster node ready", "name", o.Name, "url", n.URL())
	<-ctx.Done()
	n.Shutdown()
	return nil
}
