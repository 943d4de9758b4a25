// Package web translates HTTP to calls of the domain packages and back: the
// JSON API under /api/v1, the server-rendered Chinese console, health
// endpoints and the middleware every request passes (request IDs, logging,
// recovery, authentication, CSRF, security headers). Handlers stay thin:
// rules, queries and jurisdiction filters live in the domain packages.
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

// Server is the HTTP side of fanzha.
type Server struct {
	db      *db.DB
	log     *slog.Logger
	now     func() time.Time
	secure  bool
	dataDir string
	loc     *time.Location
	limiter *auth.LoginLimiter
	// trustedProxies may report the client address (middleware.go).
	trustedProxies []netip.Prefix
	sessions       auth.SessionPolicy
	ready          atomic.Bool
	// setupDone remembers that the county exists (admin_setup.go).
	setupDone atomic.Bool
	mux       *routeMux
	hub       *hub
	policy    warning.Policy
	// settings is the store of the settings in force (admin_settings.go).
	settings *settings.Store

	intakeMu sync.Mutex
	// rescoreKick asks for a background rescore (intel_refresh.go).
	rescoreOnce sync.Once
	rescoreKick chan struct{}
	intake      *warning.Intake

	tmpl    templates
	jsBuilt bool
}

// New builds a server; call Handler to serve it.
func New(cfg Config) *Server {
	s := &Server{
		db:      cfg.DB,
		log:     cfg.Log,
		now:     cfg.Now,
		secure:  cfg.Secure,
		dataDir: cfg.DataDir,
		loc:     zone.Shanghai,
		// Five failed logins per username from one address, thirty from
		// one address, in 15 minutes (counted in the database).
		limiter:        auth.NewLoginLimiter(5, 30, 15*time.Minute),
		trustedProxies: cfg.TrustedProxies,
		sessions:       cfg.Sessions,
		mux:            newRouteMux(),
		hub:            newHub(),
		policy:         cfg.Policy,
	}
	if s.policy.ContactWithin == nil {
		s.policy = warning.DefaultPolicy()
	}
	if s.sessions.Idle == 0 || s.sessions.Max == 0 {
		s.sessions = auth.DefaultSessionPolicy
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	s.settings = cfg.Settings
	if s.settings == nil && cfg.DB != nil {
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
		s.settings = st
	}
	if s.now == nil {
		s.now = time.Now
	}
	s.routes()
	return s
}

// SetReady marks the server ready (or not) for /readyz: the demo county is
// generated and background workers run.
func (s *Server) SetReady(v bool) { s.ready.Store(v) }

// Handler returns the server's root handler with its middleware.
func (s *Server) Handler() http.Handler {
	return s.withClient(s.withRequestID(s.withLogging(s.withRecover(s.withSecurityHeaders(s.withPrincipal(s.withBodyLimit(s.mux)))))))
}

func (s *Server) routes() {
	m := s.mux
	m.HandleFunc("GET /healthz", s.handleHealthz)
	m.HandleFunc("GET /readyz", s.handleReadyz)

	// API.
	m.HandleFunc("POST /api/v1/login", s.handleAPILogin)
	m.HandleFunc("POST /api/v1/logout", s.handleAPILogout)
	m.HandleFunc("GET /api/v1/me", s.api("", s.handleMe))
	m.HandleFunc("GET /api/v1/areas", s.api(auth.CapAreaRead, s.handleAreas))
	m.HandleFunc("GET /api/v1/areas/{id}", s.api(auth.CapAreaRead, s.handleArea))
	m.HandleFunc("GET /api/v1/users", s.api(auth.CapUserAdmin, s.handleUsers))
	m.HandleFunc("GET /api/v1/audit", s.api(auth.CapAuditRead, s.handleAudit))
	m.HandleFunc("GET /api/v1/audit/export", s.api(auth.CapAuditRead, s.handleAuditExport))
	m.HandleFunc("GET /api/v1/warnings", s.api(auth.CapWarningRead, s.handleWarnings))
	m.HandleFunc("GET /api/v1/warnings/{id}", s.api(auth.CapWarningRead, s.handleWarning))
	m.HandleFunc("POST /api/v1/warnings", s.api(auth.CapWarningWrite, s.handleCreateWarnings))
	m.HandleFunc("POST /api/v1/warnings/import", s.api(auth.CapWarningWrite, s.handleImportWarnings))
	m.HandleFunc("POST /api/v1/warnings/next", s.api(auth.CapWarningWrite, s.handleNextWarning))
	m.HandleFunc("GET /api/v1/warnings/{id}/timeline", s.api(auth.CapWarningRead, s.handleWarningTimeline))
	m.HandleFunc("POST /api/v1/warnings/{id}/contacts", s.api(auth.CapWarningWrite, s.handleWarningContact))
	m.HandleFunc("POST /api/v1/warnings/{id}/outcome", s.api(auth.CapWarningWrite, s.handleWarningOutcome))
	m.HandleFunc("POST /api/v1/warnings/{id}/handover", s.api(auth.CapWarningWrite, s.handleWarningHandover))
	m.HandleFunc("POST /api/v1/warnings/{id}/emergency", s.api(auth.CapWarningWrite, s.handleWarningEmergency))
	m.HandleFunc("POST /api/v1/warnings/{id}/fraud-type", s.api(auth.CapWarningWrite, s.handleWarningFraudType))
	m.HandleFunc("GET /api/v1/board", s.api(auth.CapWarningRead, s.handleBoard))
	m.HandleFunc("GET /api/v1/events", s.api(auth.CapWarningRead, s.handleEvents))
	m.HandleFunc("GET /api/v1/cases", s.api(auth.CapCaseRead, s.handleCases))
	m.HandleFunc("GET /api/v1/cases/{id}", s.api(auth.CapCaseRead, s.handleCase))
	m.HandleFunc("POST /api/v1/cases/{id}/requests", s.api(auth.CapFundsWrite, s.handleCreateCaseRequest))
	m.HandleFunc("GET /api/v1/cases/{id}/requests", s.api(auth.CapCaseRead, s.handleCaseRequests))
	m.HandleFunc("POST /api/v1/cases/{id}/fraud-type", s.api(auth.CapCaseWrite, s.handleCaseFraudType))
	m.HandleFunc("GET /api/v1/partner/requests", s.api(auth.CapPartnerInbox, s.handlePartnerInbox))
	m.HandleFunc("POST /api/v1/partner/requests/{id}/answer", s.api(auth.CapPartnerInbox, s.handlePartnerAnswer))
	s.partnerRoutes() // 联席: webhooks, partner reports, joint tasks, OpenAPI (api_partner_ext.go)
	m.HandleFunc("POST /api/v1/statements/import", s.api(auth.CapFundsWrite, s.handleImportStatements))
	m.HandleFunc("GET /api/v1/statements/mappings", s.api(auth.CapFundsRead, s.handleMappings))
	m.HandleFunc("POST /api/v1/statements/mappings", s.api(auth.CapFundsWrite, s.handleSaveMapping))
	m.HandleFunc("GET /api/v1/figures/overview", s.api(auth.CapFiguresRead, s.handleOverview))
	m.HandleFunc("GET /api/v1/figures/warnings", s.api(auth.CapFiguresRead, s.handleWarningFigures))
	s.traceRoutes()  // cases opened by API, fund trace, requests from the trace: api_trace.go, api_cases.go
	s.freezeRoutes() // 止付/冻结, 返还, funds figures: api_freeze.go
	m.HandleFunc("/api/", s.handleAPINotFound)

	s.consoleRoutes()
	s.preventRoutes() // 宣传防范, 研判通报, 大屏: api_prevent.go
	s.intelRoutes()   // 两卡研判: API and console pages (api_intel.go)
	s.adminRoutes()   // 系统管理: setup, tree, units, people, roster, settings (admin.go)
	m.HandleFunc("POST /warnings/{id}/fraud-type", s.page(auth.CapWarningWrite, s.handleFraudTypeForm))
}

func (s *Server) handleHealthz(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

func (s *Server) handleReadyz(w http.ResponseWriter, r *http.Request) {
	if !s.ready.Load() {
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "starting"})
		return
	}
	if err := s.db.PingContext(r.Context()); err != nil {
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "database unavailable"})
		return
	}
	if done, err := s.setupComplete(r); err != nil {
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "database unavailable"})
		return
	} else if !done {
		// The process serves the setup page: ready, but nothing else yet.
		writeJSON(w, http.StatusOK, map[string]string{"status": "setup_required"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
}

func (s *Server) handleAPINotFound(w http.ResponseWriter, r *http.Request) {
	writeError(w, r, errorf(http.StatusNotFound, "not_found", "没有这个接口：%s %s", r.Method, r.URL.Path))
}
