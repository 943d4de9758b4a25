package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/setup"
	"github.com/fanzha/fanzha/internal/web"
	"github.com/fanzha/fanzha/internal/web/server"
)

func init() {
	register("serve", "run the HTTP server: API, console and background workers", runServe)
}

// serverFlags are the flags shared by serve and demo.
type serverFlags struct {
	addr      string
	data      string
	dsn       string
	logFormat string
	logLevel  string
	secure    bool
	proxies   string
	idle      time.Duration
	maxAge    time.Duration
}

func (f *serverFlags) bind(fs *flag.FlagSet, defaultData string) {
	fs.StringVar(&f.addr, "addr", "127.0.0.1:8080", "address to listen on (host:port)")
	fs.StringVar(&f.data, "data", defaultData, "data directory: the SQLite file and uploads")
	fs.StringVar(&f.dsn, "db", "", "database: empty for SQLite in --data, or a postgres:// URL")
	fs.StringVar(&f.logFormat, "log-format", "text", "log format: text or json")
	fs.StringVar(&f.logLevel, "log-level", "info", "log level: debug, info, warn, error")
	fs.BoolVar(&f.secure, "secure-cookies", false, "mark cookies Secure and send HSTS (set when served over HTTPS)")
	fs.StringVar(&f.proxies, "trusted-proxies", "", "reverse proxies (addresses or CIDR ranges, comma-separated) whose X-Forwarded-For/-Proto are believed; none when empty")
	fs.DurationVar(&f.idle, "session-idle", auth.DefaultSessionPolicy.Idle, "console sessions end after this long without a request")
	fs.DurationVar(&f.maxAge, "session-max", auth.DefaultSessionPolicy.Max, "console sessions end this long after sign-in")
}

// webConfig is the part of web.Config the shared flags give.
func (f *serverFlags) webConfig() (web.Config, error) {
	proxies, err := web.ParseTrustedProxies(f.proxies)
	if err != nil {
		return web.Config{}, fmt.Errorf("%w: --trusted-proxies: %v", errUsage, err)
	}
	if f.idle <= 0 || f.maxAge <= 0 || f.idle > f.maxAge {
		return web.Config{}, fmt.Errorf("%w: --session-idle and --session-max must be positive, idle not above max", errUsage)
	}
	return web.Config{Secure: f.secure, DataDir: f.data, TrustedProxies: proxies,
		Sessions: auth.SessionPolicy{Idle: f.idle, Max: f.maxAge}}, nil
}

func newLogger(format, level string, w io.Writer) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("%w: --log-level %q: use debug, info, warn or error", errUsage, level)
	}
	opts := &slog.HandlerOptions{Level: lv}
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("%w: --log-format %q: use text or json", errUsage, format)
}

// openDB opens and migrates the configured database.
func openDB(ctx context.Context, dsn, data string, log *slog.Logger) (*db.DB, error) {
	d, err := db.Open(ctx, dsn, data)
	if err != nil {
		return nil, err
	}
	res, err := d.Migrate(ctx)
	if err != nil {
		d.Close()
		return nil, err
	}
	if log != nil {
		target := d.DSN
		if d.Dialect == db.Postgres {
			target = db.RedactURL(d.DSN)
		}
		log.Info("database ready", "engine", d.Dialect, "at", target, "schema_version", res.Current, "applied", len(res.Applied))
	}
	return d, nil
}

func runServe(ctx context.Context, args []string) error {
	fs := newFlags("serve")
	var sf serverFlags
	sf.bind(fs, "./data")
	var wf workerFlags
	wf.bind(fs)
	var stf streamFlags
	stf.bind(fs)
	var nf nightlyFlags // backup.go
	nf.bind(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	policy, err := wf.policy()
	if err != nil {
		return err
	}
	if err := nf.check(); err != nil {
		return err
	}
	if err := stf.check(); err != nil {
		return err
	}
	log, err := newLogger(sf.logFormat, sf.logLevel, os.Stderr)
	if err != nil {
		return err
	}
	slog.SetDefault(log)
	d, err := openDB(ctx, sf.dsn, sf.data, log)
	if err != nil {
		return err
	}
	defer d.Close()
	st, err := wf.store(d)
	if err != nil {
		return err
	}
	cfg, err := sf.webConfig()
	if err != nil {
		return err
	}
	cfg.DB, cfg.Log, cfg.Policy, cfg.Settings = d, log, policy, st
	srv := server.New(cfg)
	ln, err := net.Listen("tcp", sf.addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", sf.addr, err)
	}
	if err := startWorkers(ctx, d, srv, wf, displayAddr(ln.Addr().String()), log); err != nil {
		return err
	}
	if err := nf.start(ctx, d, sf.data, log); err != nil {
		return err
	}
	stopStream, err := startStream(ctx, srv, sf.data, stf, log)
	if err != nil {
		return err
	}
	defer stopStream()
	if err := announceSetup(ctx, d, wf.baseURL, displayAddr(ln.Addr().String()), log); err != nil {
		return err
	}
	srv.SetReady(true)
	log.Info("fanzha serving", "url", "http://"+displayAddr(ln.Addr().String()))
	return serveHTTP(ctx, ln, srv.Handler(), log)
}

// serveHTTP serves until ctx ends, then shuts down gracefully: in-flight
// requests get up to 15 seconds to finish.
func serveHTTP(ctx context.Context, ln net.Listener, h http.Handler, log *slog.Logger) error {
	hs := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	log.Info("stopped")
	return nil
}

// displayAddr turns a listen address into one a browser can open.
func displayAddr(a string) string {
	host, port, err := net.SplitHostPort(a)
	if err != nil {
		return a
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	return host + ":" + port
}

// announceSetup logs a one-time setup link when the database has no county
// yet (first start). Each start, and each replica, issues its own token.
func announceSetup(ctx context.Context, d *db.DB, baseURL, addr string, log *slog.Logger) error {
	need, err := setup.Required(ctx, d)
	if err != nil || !need {
		return err
	}
	tok, err := setup.IssueToken(ctx, d, time.Now())
	if errors.Is(err, setup.ErrDone) {
		return nil // another replica finished the setup meanwhile
	}
	if err != nil {
		return err
	}
	base := strings.TrimRight(baseURL, "/")
	if base == "" {
		base = "http://" + addr
	}
	log.Warn("系统尚未初始化 (first start): open the one-time setup link (valid 24 h, once) or run `fanzha setup` on the server",
		"setup_url", base+"/setup?token="+tok)
	return nil
}
