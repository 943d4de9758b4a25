// Package web is the core of fanzha's HTTP side: the Server with the
// dependencies its doors share (exported fields), the middleware every
// request passes (request IDs, logging, recovery, client address, security
// headers, body limits), authentication, sessions and CSRF, the one error
// mapping (errors.go), rendering of the console's templates (render.go,
// templates/ with the partials of templates/common, static/), the recorded
// router (routes.go), the live event hub, request helpers, and the helpers
// both doors call (one file per domain: cases.go, intel.go …). The doors
// are web/api (the JSON API under /api/v1) and web/console (the pages);
// web/server assembles them. Handlers stay thin: rules, queries and
// jurisdiction filters live in the domain packages.
package web

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/settings"
	"github.com/fanzha/fanzha/internal/warning"
	"github.com/fanzha/fanzha/internal/zone"
)

// Config is what a Server needs.
type Config struct {
	DB     *db.DB
	Log    *slog.Logger
	Now    func() time.Time // the clock; time.Now when nil (tests pin it)
	Secure bool             // mark cookies Secure (behind HTTPS)
	// DataDir holds uploads and generated files.
	DataDir string
	// Policy holds the warning deadlines; DefaultPolicy when zero. Used only
	// when Settings is nil: with Settings, the policy in force is read there.
	Policy warning.Policy
	// Settings are the settings edited in 系统设置 (deadlines, score points,
	// terms, webhooks, bulletin) with the start-up flags as overrides; nil
	// builds a store without overrides.
	Settings *settings.Store
	// TrustedProxies are the reverse proxies whose X-Forwarded-For and
	// X-Forwarded-Proto are believed (--trusted-proxies); none when empty.
	TrustedProxies []netip.Prefix
	// Sessions are the console session lifetimes; auth.DefaultSessionPolicy
	// when zero.
	Sessions auth.SessionPolicy
}

// Server is the HTTP side of fanzha: the core the doors (web/api,
// web/console) are mounted on. Its exported fields are what the doors
// share.
type Server struct {
	DB  *db.DB
	Log *slog.Logger
	Now func() time.Time // the clock
	// Loc is Asia/Shanghai, the zone of the dates people read and type.
	Loc     *time.Location
	secure  bool
	dataDir string
	limiter *auth.LoginLimiter
	// trustedProxies may report the client address (middleware.go).
	trustedProxies []netip.Prefix
	// Sessions are the console session lifetimes.
	Sessions auth.SessionPolicy
	ready    atomic.Bool
	// SetupDone remembers that the county exists (setup.go).
	SetupDone atomic.Bool
	// Mux is the router; it records every pattern registered (routes.go).
	Mux *routeMux
	// Hub is the live event hub of the duty boards (live.go).
	Hub    *hub
	policy warning.Policy
	// Figures holds the warnings of closed days for the figures pages
	// (warning.FigureCache; exact across replicas by its generation).
	Figures *warning.FigureCache
	// SettingsStore is the store of the settings in force (console/admin_settings.go).
	SettingsStore *settings.Store

	intakeMu sync.Mutex
	// rescoreKick asks for a background rescore (intel_refresh.go).
	rescoreOnce sync.Once
	rescoreKick chan struct{}
	intake      *warning.Intake

	// Tmpl holds the console's parsed templates (LoadTemplates), set when
	// the console is mounted.
	Tmpl templates
	// JSBuilt: the binary embeds the console's script bundle (static.go).
	JSBuilt bool
}

// New builds a server; call Handler to serve it.
func New(cfg Config) *Server {
	s := &Server{
		DB:      cfg.DB,
		Log:     cfg.Log,
		Now:     cfg.Now,
		secure:  cfg.Secure,
		dataDir: cfg.DataDir,
		Loc:     zone.Shanghai,
		// Five failed logins per username from one address, thirty from
		// one address, in 15 minutes (counted in the database).
		limiter:        auth.NewLoginLimiter(5, 30, 15*time.Minute),
		trustedProxies: cfg.TrustedProxies,
		Sessions:       cfg.Sessions,
		Mux:            newRouteMux(),
		Hub:            newHub(),
		policy:         cfg.Policy,
		Figures:        warning.NewFigureCache(zone.Shanghai),
	}
	if s.policy.ContactWithin == nil {
		s.policy = warning.DefaultPolicy()
	}
	if s.Sessions.Idle == 0 || s.Sessions.Max == 0 {
		s.Sessions = auth.DefaultSessionPolicy
	}
	if s.Log == nil {
		s.Log = slog.Default()
	}
	s.SettingsStore = cfg.Settings
	if s.SettingsStore == nil && cfg.DB != nil {
		// Without a store, the deadlines given in Config act as the
		// --deadlines flag would.
		var o settings.Overrides
		if cfg.Policy.ContactWithin != nil {
			o.Deadlines = settings.DeadlinesFlag(cfg.Policy)
		}
		st, err := settings.New(cfg.DB, o, cfg.Now)
		if err != nil {
			panic(fmt.Sprintf("settings: %v", err))
		}
		s.SettingsStore = st
	}
	if s.Now == nil {
		s.Now = time.Now
	}
	s.routes()
	return s
}

// SetReady marks the server ready (or not) for /readyz: the demo county is
// generated and background workers run.
func (s *Server) SetReady(v bool) { s.ready.Store(v) }

// Handler returns the server's root handler with its middleware.
func (s *Server) Handler() http.Handler {
	return s.withClient(s.withRequestID(s.withLogging(s.withRecover(s.withSecurityHeaders(s.withPrincipal(s.withBodyLimit(s.Mux)))))))
}

func (s *Server) routes() {
	m := s.Mux
	m.HandleFunc("GET /healthz", s.handleHealthz)
	m.HandleFunc("GET /readyz", s.handleReadyz)
}

func (s *Server) handleHealthz(w http.ResponseWriter, r *http.Request) {
	WriteJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

func (s *Server) handleReadyz(w http.ResponseWriter, r *http.Request) {
	if !s.ready.Load() {
		WriteJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "starting"})
		return
	}
	if err := s.DB.PingContext(r.Context()); err != nil {
		WriteJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "database unavailable"})
		return
	}
	if done, err := s.SetupComplete(r); err != nil {
		WriteJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "database unavailable"})
		return
	} else if !done {
		// The process serves the setup page: ready, but nothing else yet.
		WriteJSON(w, http.StatusOK, map[string]string{"status": "setup_required"})
		return
	}
	WriteJSON(w, http.StatusOK, map[string]string{"status": "ready"})
}

func (s *Server) HandleAPINotFound(w http.ResponseWriter, r *http.Request) {
	WriteError(w, r, Errorf(http.StatusNotFound, "not_found", "没有这个接口：%s %s", r.Method, r.URL.Path))
}
