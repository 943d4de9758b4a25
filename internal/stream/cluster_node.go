package stream

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// NodeOptions describe one node of a NATS JetStream cluster run by fanzha
// itself (fanzha nats-node, used by fanzha bench replicas; in production
// the cluster is three nats-server processes, docs/SETUP.md).
type NodeOptions struct {
	Name        string   // server name, unique in the cluster
	Port        int      // client port on 127.0.0.1
	ClusterPort int      // route port on 127.0.0.1
	Routes      []string // nats-route://host:port of every node (its own may be listed)
	StoreDir    string   // JetStream store
}

// StartClusterNode starts a JetStream server that joins the cluster
// "fanzha" over opts.Routes. It returns once the node takes client
// connections; the cluster elects its JetStream leader when a majority of
// nodes runs.
func StartClusterNode(o NodeOptions) (*Embedded, error) {
	if o.Name == "" || o.Port <= 0 || o.ClusterPort <= 0 || len(o.Routes) == 0 || o.StoreDir == "" {
		return nil, errors.New("cluster node: name, port, cluster port, routes and store directory are required")
	}
	opts := &server.Options{
		ServerName: o.Name,
		Host:       "127.0.0.1",
		Port:       o.Port,
		JetStream:  true,
		StoreDir:   o.StoreDir,
		NoSigs:     true,
		NoLog:      true,
		Cluster:    server.ClusterOpts{Name: "fanzha", Host: "127.0.0.1", Port: o.ClusterPort},
		Routes:     server.RoutesFromStr(strings.Join(o.Routes, ",")),
	}
	srv, err := server.NewServer(opts)
	if err != nil {
		return nil, fmt.Errorf("NATS cluster node %s: %w", o.Name, err)
	}
	go srv.Start()
	if !srv.ReadyForConnections(15 * time.Second) {
		srv.Shutdown()
		return nil, fmt.Errorf("NATS cluster node %s did not start within 15 s", o.Name)
	}
	return &Embedded{srv: srv}, nil
}
