package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/fanzha/fanzha/internal/auth"
)

// SessionCookie is the console's session cookie: HttpOnly, SameSite=Lax,
// Secure behind HTTPS.
const SessionCookie = "fanzha_session"

// CSRFHeader carries the session's CSRF token on unsafe requests made by the
// console's scripts; forms send it as the field csrf_token.
const CSRFHeader = "X-CSRF-Token"

func principalFrom(ctx context.Context) *auth.Principal {
	p, _ := ctx.Value(keyPrincipal).(*auth.Principal)
	return p
}

// withPrincipal resolves the caller from a bearer token or the session
// cookie. A request with neither goes on anonymous; handlers that need a
// caller refuse it.
func (s *Server) withPrincipal(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/static/") || r.URL.Path == "/healthz" || r.URL.Path == "/readyz" {
			next.ServeHTTP(w, r)
			return
		}
		p, err := s.resolvePrincipal(r)
		if err != nil && !errors.Is(err, auth.ErrUnauthenticated) {
			// A bad token is an answer, not an anonymous request: the
			// caller meant to authenticate.
			writeError(w, r, err)
			return
		}
		if p != nil {
			r = r.WithContext(context.WithValue(r.Context(), keyPrincipal, p))
		}
		next.ServeHTTP(w, r)
	})
}

func (s *Server) resolvePrincipal(r *http.Request) (*auth.Principal, error) {
	ctx := r.Context()
	if h := r.Header.Get("Authorization"); h != "" {
		tok, ok := strings.CutPrefix(h, "Bearer ")
		if !ok {
			return nil, errorf(http.StatusUnauthorized, "unauthenticated", "Authorization 头格式应为 “Bearer <令牌>”")
		}
		u, err := auth.TokenUser(ctx, s.db, strings.TrimSpace(tok), s.now())
		if err != nil {
			if errors.Is(err, auth.ErrUnauthenticated) {
				return nil, errorf(http.StatusUnauthorized, "bad_token", "API 令牌无效或已吊销，请用 fanzha user token 重新生成")
			}
			return nil, err
		}
		return auth.LoadPrincipal(ctx, s.db, u, "token")
	}
	c, err := r.Cookie(SessionCookie)
	if err != nil || c.Value == "" {
		return nil, auth.ErrUnauthenticated
	}
	u, sess, err := auth.SessionUser(ctx, s.db, c.Value, s.now())
	if err != nil {
		return nil, auth.ErrUnauthenticated
	}
	p, err := auth.LoadPrincipal(ctx, s.db, u, "session")
	if err != nil {
		return nil, err
	}
	p.CSRF = sess.CSRF
	return p, nil
}

// apiHandler is the shape of an API handler: it gets the authenticated
// caller and returns an error, which is written as JSON.
type apiHandler func(w http.ResponseWriter, r *http.Request, p *auth.Principal) error

// api wraps an API handler: it requires a caller and the capability (none
// when empty), bounds and reads the body (prepareBody) and, for console
// sessions making unsafe requests, checks the CSRF token.
func (s *Server) api(c auth.Capability, h apiHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		p := principalFrom(r.Context())
		if p == nil {
			writeError(w, r, auth.ErrUnauthenticated)
			return
		}
		// The capability first: a caller who may not use the route is
		// refused before a byte of the body is read (bodylimit.go).
		if c != "" {
			if err := p.Require(c); err != nil {
				writeError(w, r, err)
				return
			}
		}
		if err := prepareBody(r); err != nil {
			writeError(w, r, err)
			return
		}
		if err := checkCSRF(r, p); err != nil {
			writeError(w, r, err)
			return
		}
		if err := h(w, r, p); err != nil {
			writeError(w, r, err)
		}
	}
}

func isUnsafe(method string) bool {
	return method != http.MethodGet && method != http.MethodHead && method != http.MethodOptions
}

// checkCSRF refuses an unsafe request made with a session cookie unless it
// carries the session's CSRF token: the X-CSRF-Token header, or the form
// field csrf_token of a form body (never the query string). The body is
// read only within the route's limit (the request went through
// prepareBody, or its body is bounded by withBodyLimit). Bearer-token
// requests are not exposed to CSRF: browsers never add the header by
// themselves.
func checkCSRF(r *http.Request, p *auth.Principal) error {
	if p.Via != "session" || !isUnsafe(r.Method) {
		return nil
	}
	tok := r.Header.Get(CSRFHeader)
	if tok == "" {
		ct := r.Header.Get("Content-Type")
		if strings.HasPrefix(ct, "application/x-www-form-urlencoded") || strings.HasPrefix(ct, "multipart/form-data") {
			if err := prepareBody(r); err != nil {
				return err
			}
			tok = r.PostFormValue("csrf_token")
		}
	}
	if !auth.CSRFMatch(p.CSRF, tok) {
		return errorf(http.StatusForbidden, "csrf", "表单已过期或来源不明（CSRF 校验失败），请刷新页面后重试")
	}
	return nil
}

// login checks a username and password under the rate limit, writes the
// audit line, starts a session and sets its cookie. Both the console form
// and the JSON login use it.
func (s *Server) login(w http.ResponseWriter, r *http.Request, username, password string) (*auth.Principal, error) {
	ctx := r.Context()
	now := s.now()
	ip := clientIP(r)
	username = strings.TrimSpace(username)
	keys := []string{"ip:" + ip, "user:" + username}
	if ok, wait := s.limiter.Allowed(now, keys...); !ok {
		_ = auth.Audit(ctx, s.db, auth.AuditEntry{At: now, Username: username, IP: ip, Action: auth.AuditLoginFailed,
			Detail: "rate limited", RequestID: requestID(ctx)})
		return nil, errorf(http.StatusTooManyRequests, "rate_limited", "登录失败次数过多，请 %d 分钟后再试", int(wait.Minutes())+1)
	}
	u, err := auth.CheckPassword(ctx, s.db, username, password)
	if err != nil {
		if errors.Is(err, auth.ErrBadCredentials) || errors.Is(err, auth.ErrDisabled) {
			s.limiter.Fail(now, keys...)
			_ = auth.Audit(ctx, s.db, auth.AuditEntry{At: now, Username: username, IP: ip, Action: auth.AuditLoginFailed,
				Detail: err.Error(), RequestID: requestID(ctx)})
		}
		return nil, err
	}
	s.limiter.Succeed("user:" + username)
	tok, sess, err := auth.CreateSession(ctx, s.db, u.ID, ip, r.UserAgent(), now)
	if err != nil {
		return nil, err
	}
	p, err := auth.LoadPrincipal(ctx, s.db, u, "session")
	if err != nil {
		return nil, err
	}
	p.CSRF = sess.CSRF
	if err := auth.Audit(ctx, s.db, auth.AuditEntry{At: now, UserID: u.ID, Username: u.Username, Role: u.Role, IP: ip,
		Action: auth.AuditLogin, RequestID: requestID(ctx)}); err != nil {
		return nil, err
	}
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: tok, Path: "/", HttpOnly: true, Secure: s.secure,
		SameSite: http.SameSiteLaxMode, Expires: sess.ExpiresAt, MaxAge: int(auth.SessionTTL / time.Second)})
	return p, nil
}

// logout ends the session of the request, if any.
func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(SessionCookie); err == nil && c.Value != "" {
		_ = auth.DeleteSession(r.Context(), s.db, c.Value)
		if p := principalFrom(r.Context()); p != nil {
			_ = auth.Audit(r.Context(), s.db, auth.AuditFor(p, clientIP(r), requestID(r.Context())).With(auth.AuditLogout, "", ""))
		}
	}
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: "", Path: "/", HttpOnly: true, Secure: s.secure,
		SameSite: http.SameSiteLaxMode, MaxAge: -1})
}

type loginRequest struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

type loginResponse struct {
	User      meResponse `json:"user"`
	CSRFToken string     `json:"csrf_token"`
}

func (s *Server) handleAPILogin(w http.ResponseWriter, r *http.Request) {
	// Requiring a JSON body keeps cross-site form posts out: a browser
	// cannot send application/json cross-origin without a preflight.
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		writeError(w, r, errorf(http.StatusUnsupportedMediaType, "content_type", "登录请求须为 application/json"))
		return
	}
	var req loginRequest
	if err := decodeJSON(r, &req, 1<<12); err != nil {
		writeError(w, r, err)
		return
	}
	p, err := s.login(w, r, req.Username, req.Password)
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, loginResponse{User: s.me(p), CSRFToken: p.CSRF})
}

func (s *Server) handleAPILogout(w http.ResponseWriter, r *http.Request) {
	p := principalFrom(r.Context())
	if p != nil {
		if err := checkCSRF(r, p); err != nil {
			writeError(w, r, err)
			return
		}
	}
	s.logout(w, r)
	writeJSON(w, http.StatusOK, map[string]string{"status": "logged out"})
}

// audit writes an audit line for the caller of r.
func (s *Server) audit(r *http.Request, p *auth.Principal, action, objectType, objectID, detail string) error {
	e := auth.AuditFor(p, clientIP(r), requestID(r.Context())).With(action, objectType, objectID)
	e.Detail = detail
	e.At = s.now()
	if err := auth.Audit(r.Context(), s.db, e); err != nil {
		return fmt.Errorf("audit %s: %w", action, err)
	}
	return nil
}
