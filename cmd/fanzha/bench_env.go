package main

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"

	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/settings"
	"github.com/fanzha/fanzha/internal/web"
	"github.com/fanzha/fanzha/internal/web/server"
)

// benchEnv is what a benchmark that drives the product over HTTP sets up:
// a data folder, the database (SQLite in the folder, or dsn) and the
// settings store serve uses.
type benchEnv struct {
	Dir string
	DB  *db.DB
	St  *settings.Store
	Log *slog.Logger // discards: the benchmark prints its own lines

	cleanup []func()
}

// newBenchEnv opens the benchmark's database. With dir empty the folder is
// a new temporary one named after prefix and removed by Close; otherwise
// dir is created if needed and kept (a database there is reused).
func newBenchEnv(ctx context.Context, dsn, dir, prefix string) (*benchEnv, error) {
	e := &benchEnv{Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	if dir == "" {
		tmp, err := os.MkdirTemp("", prefix)
		if err != nil {
			return nil, err
		}
		dir = tmp
		e.cleanup = append(e.cleanup, func() { os.RemoveAll(tmp) })
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	e.Dir = dir
	d, err := openDB(ctx, dsn, dir, nil)
	if err != nil {
		e.Close()
		return nil, err
	}
	e.DB = d
	e.cleanup = append(e.cleanup, func() { d.Close() })
	if e.St, err = (&workerFlags{}).store(d); err != nil {
		e.Close()
		return nil, err
	}
	return e, nil
}

// Serve serves the database with the handler serve builds, ready, on a
// loopback port and returns its base URL; Close stops it.
func (e *benchEnv) Serve() (string, error) {
	srv := server.New(web.Config{DB: e.DB, Log: e.Log, DataDir: e.Dir, Settings: e.St})
	srv.SetReady(true)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	hs := &http.Server{Handler: srv.Handler()}
	go hs.Serve(ln)
	e.cleanup = append(e.cleanup, func() { hs.Close() })
	return "http://" + ln.Addr().String(), nil
}

// Close stops the server, closes the database and removes a temporary
// folder, in the reverse order of setting up.
func (e *benchEnv) Close() {
	for i := len(e.cleanup) - 1; i >= 0; i-- {
		e.cleanup[i]()
	}
	e.cleanup = nil
}
