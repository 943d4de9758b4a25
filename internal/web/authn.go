package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/domain"
)

// SessionCookie is the console's session cookie: HttpOnly, SameSite=Lax,
// Secure behind HTTPS.
const SessionCookie = "fanzha_session"

// CSRFHeader carries the session's CSRF token on unsafe requests made by the
// console's scripts; forms send it as the field csrf_token.
const CSRFHeader = "X-CSRF-Token"

func PrincipalFrom(ctx context.Context) *auth.Principal {
	p, _ := ctx.Value(KeyPrincipal).(*auth.Principal)
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
		if err != nil && !errors.Is(err, domain.ErrUnauthenticated) {
			// A bad token is an answer, not an anonymous request: the
			// caller meant to authenticate.
			WriteError(w, r, err)
			return
		}
		if p != nil {
			r = r.WithContext(context.WithValue(r.Context(), KeyPrincipal, p))
		}
		next.ServeHTTP(w, r)
	})
}

func (s *Server) resolvePrincipal(r *http.Request) (*auth.Principal, error) {
	ctx := r.Context()
	if h := r.Header.Get("Authorization"); h != "" {
		tok, ok := strings.CutPrefix(h, "Bearer ")
		if !ok {
			return nil, Errorf(http.StatusUnauthorized, "unauthenticated", "Authorization 头格式应为 “Bearer <令牌>”")
		}
		u, err := auth.TokenUser(ctx, s.DB, strings.TrimSpace(tok), s.Now())
		if err != nil {
			if errors.Is(err, auth.ErrTokenExpired) {
				return nil, Errorf(http.StatusUnauthorized, "token_expired", "API 令牌已过期，请用 fanzha user token 或在系统管理中重新生成")
			}
			if errors.Is(err, domain.ErrUnauthenticated) {
				return nil, Errorf(http.StatusUnauthorized, "bad_token", "API 令牌无效或已吊销，请用 fanzha user token 重新生成")
			}
			return nil, err
		}
		return auth.LoadPrincipal(ctx, s.DB, u, "token")
	}
	c, err := r.Cookie(SessionCookie)
	if err != nil || c.Value == "" {
		return nil, domain.ErrUnauthenticated
	}
	u, sess, err := s.Sessions.User(ctx, s.DB, c.Value, s.Now())
	if err != nil {
		return nil, domain.ErrUnauthenticated
	}
	if sess.Stage != auth.StageFull {
		// Password checked, second factor not yet: only the 2FA pages
		// (console/account.go) may use this session.
		return nil, domain.ErrUnauthenticated
	}
	p, err := auth.LoadPrincipal(ctx, s.DB, u, "session")
	if err != nil {
		return nil, err
	}
	p.CSRF = sess.CSRF
	p.SessionID = sess.ID
	return p, nil
}

// APIHandler is the shape of an API handler: it gets the authenticated
// caller and returns an error, which is written as JSON.
type APIHandler func(w http.ResponseWriter, r *http.Request, p *auth.Principal) error

// API wraps an API handler: it requires a caller and the capability (none
// when empty), bounds and reads the body (prepareBody) and, for console
// sessions making unsafe requests, checks the CSRF token.
func (s *Server) API(c auth.Capability, h APIHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		p := PrincipalFrom(r.Context())
		if p == nil {
			WriteError(w, r, domain.ErrUnauthenticated)
			return
		}
		// The capability first: a caller who may not use the route is
		// refused before a byte of the body is read (bodylimit.go).
		if c != "" {
			if err := p.Require(c); err != nil {
				WriteError(w, r, err)
				return
			}
		}
		if err := prepareBody(r); err != nil {
			WriteError(w, r, err)
			return
		}
		if err := CheckCSRF(r, p); err != nil {
			WriteError(w, r, err)
			return
		}
		if err := h(w, r, p); err != nil {
			WriteError(w, r, err)
		}
	}
}

func isUnsafe(method string) bool {
	return method != http.MethodGet && method != http.MethodHead && method != http.MethodOptions
}

// CheckCSRF refuses an unsafe request made with a session cookie unless it
// carries the session's CSRF token: the X-CSRF-Token header, or the form
// field csrf_token of a form body (never the query string). The body is
// read only within the route's limit (the request went through
// prepareBody, or its body is bounded by withBodyLimit). Bearer-token
// requests are not exposed to CSRF: browsers never add the header by
// themselves.
func CheckCSRF(r *http.Request, p *auth.Principal) error {
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
		return Errorf(http.StatusForbidden, "csrf", "表单已过期或来源不明（CSRF 校验失败），请刷新页面后重试")
	}
	return nil
}

// SecondStep is what login answers when the password was right and a
// second factor is still needed: the pending session's cookie is set and
// the browser goes to /login/2fa (console/account.go).
type SecondStep struct{ stage string }

func (e *SecondStep) Error() string { return "second login step: " + e.stage }

// Login checks a username and password under the rate limit, writes the
// audit line, starts a session and sets its cookie. The console form and
// the first-start page use it; a user with two-factor login (or who must
// enrol) gets a pending session and a *secondStep error.
func (s *Server) Login(w http.ResponseWriter, r *http.Request, username, password string) (*auth.Principal, error) {
	return s.SignIn(w, r, username, password, "", false)
}

// SignIn is login for the console (api false) and the JSON login (api
// true: the code of the second factor comes with the password, and there
// is no pending session).
func (s *Server) SignIn(w http.ResponseWriter, r *http.Request, username, password, code string, api bool) (*auth.Principal, error) {
	ctx := r.Context()
	now := s.Now()
	ip := ClientIP(r)
	username = strings.TrimSpace(username)
	if err := s.LoginAllowed(r, username); err != nil {
		return nil, err
	}
	u, err := auth.CheckPassword(ctx, s.DB, username, password)
	if err != nil {
		if errors.Is(err, auth.ErrBadCredentials) || errors.Is(err, auth.ErrDisabled) {
			if ferr := s.LoginFailed(r, username, err.Error()); ferr != nil {
				return nil, ferr
			}
		}
		return nil, err
	}
	stage, err := s.loginStage(ctx, u)
	if err != nil {
		return nil, err
	}
	detail := ""
	switch {
	case stage == auth.StageTOTP && api:
		if strings.TrimSpace(code) == "" {
			return nil, Errorf(http.StatusUnauthorized, "totp_required", "该账号已启用两步验证：请在 totp 字段中提供验证器上的 6 位动态验证码（或一个恢复码）")
		}
		recovery, err := auth.VerifySecondFactor(ctx, s.DB, u.ID, code, now)
		if err != nil {
			if errors.Is(err, auth.ErrBadTOTP) {
				if ferr := s.LoginFailed(r, username, "second factor refused"); ferr != nil {
					return nil, ferr
				}
				return nil, Errorf(http.StatusUnauthorized, "bad_totp", "%s", auth.ErrBadTOTP.Error())
			}
			return nil, err
		}
		detail = SecondFactorDetail(recovery)
	case stage == auth.StageEnrol && api:
		return nil, Errorf(http.StatusForbidden, "totp_enrol_required", "该账号须启用两步验证：请先在控制台登录并完成验证器绑定")
	case stage != auth.StageFull:
		tok, sess, err := s.Sessions.Create(ctx, s.DB, u.ID, stage, ip, r.UserAgent(), now)
		if err != nil {
			return nil, err
		}
		http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: tok, Path: "/", HttpOnly: true, Secure: s.SecureCookies(r),
			SameSite: http.SameSiteLaxMode, Expires: sess.ExpiresAt, MaxAge: int(sess.ExpiresAt.Sub(now) / time.Second)})
		return nil, &SecondStep{stage: stage}
	}
	tok, sess, err := s.Sessions.Create(ctx, s.DB, u.ID, auth.StageFull, ip, r.UserAgent(), now)
	if err != nil {
		return nil, err
	}
	p, err := s.LoginDone(w, r, u, sess, detail)
	if err != nil {
		return nil, err
	}
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: tok, Path: "/", HttpOnly: true, Secure: s.SecureCookies(r),
		SameSite: http.SameSiteLaxMode, Expires: sess.ExpiresAt, MaxAge: int(s.Sessions.Max / time.Second)})
	return p, nil
}

func SecondFactorDetail(recovery bool) string {
	if recovery {
		return "2fa recovery code"
	}
	return "2fa"
}

// LoginAllowed applies the login limiter (per username and address, per
// address) before a password or code is checked.
func (s *Server) LoginAllowed(r *http.Request, username string) error {
	ctx := r.Context()
	now := s.Now()
	ip := ClientIP(r)
	ok, wait, err := s.limiter.Allowed(ctx, s.DB, now, username, ip)
	if err != nil {
		return err
	}
	if !ok {
		_ = auth.Audit(ctx, s.DB, auth.AuditEntry{At: now, Username: username, IP: ip, Action: auth.AuditLoginFailed,
			Detail: "rate limited", RequestID: RequestID(ctx)})
		return Errorf(http.StatusTooManyRequests, "rate_limited", "登录失败次数过多，请 %d 分钟后再试", int(wait.Minutes())+1)
	}
	return nil
}

// LoginFailed counts a failed password or code and audits it.
func (s *Server) LoginFailed(r *http.Request, username, detail string) error {
	ctx := r.Context()
	now := s.Now()
	ip := ClientIP(r)
	if err := s.limiter.Fail(ctx, s.DB, now, username, ip); err != nil {
		return err
	}
	_ = auth.Audit(ctx, s.DB, auth.AuditEntry{At: now, Username: username, IP: ip, Action: auth.AuditLoginFailed,
		Detail: detail, RequestID: RequestID(ctx)})
	return nil
}

// loginStage is where a user whose password was right goes: a second
// factor when enrolled, enrolment when the setting requires it for the
// role, else straight in.
func (s *Server) loginStage(ctx context.Context, u auth.User) (string, error) {
	st, err := auth.TOTPState(ctx, s.DB, u.ID)
	if err != nil {
		return "", err
	}
	if st.Enabled {
		return auth.StageTOTP, nil
	}
	if auth.NeedsTOTP(u.Role) {
		required, err := auth.TOTPRequired(ctx, s.DB)
		if err != nil {
			return "", err
		}
		if required {
			return auth.StageEnrol, nil
		}
	}
	return auth.StageFull, nil
}

// LoginDone finishes a login in a full session: the limiter forgets the
// user's failures from this address and the login is audited.
func (s *Server) LoginDone(w http.ResponseWriter, r *http.Request, u auth.User, sess auth.Session, detail string) (*auth.Principal, error) {
	ctx := r.Context()
	ip := ClientIP(r)
	if err := s.limiter.Succeed(ctx, s.DB, u.Username, ip); err != nil {
		return nil, err
	}
	p, err := auth.LoadPrincipal(ctx, s.DB, u, "session")
	if err != nil {
		return nil, err
	}
	p.CSRF = sess.CSRF
	p.SessionID = sess.ID
	if err := auth.Audit(ctx, s.DB, auth.AuditEntry{At: s.Now(), UserID: u.ID, Username: u.Username, Role: u.Role, IP: ip,
		Action: auth.AuditLogin, Detail: detail, RequestID: RequestID(ctx)}); err != nil {
		return nil, err
	}
	return p, nil
}

// Logout ends the session of the request, if any.
func (s *Server) Logout(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(SessionCookie); err == nil && c.Value != "" {
		_ = auth.DeleteSession(r.Context(), s.DB, c.Value)
		if p := PrincipalFrom(r.Context()); p != nil {
			_ = auth.Audit(r.Context(), s.DB, auth.AuditFor(p, ClientIP(r), RequestID(r.Context())).With(auth.AuditLogout, "", ""))
		}
	}
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: "", Path: "/", HttpOnly: true, Secure: s.SecureCookies(r),
		SameSite: http.SameSiteLaxMode, MaxAge: -1})
}

// Audit writes an audit line for the caller of r.
func (s *Server) Audit(r *http.Request, p *auth.Principal, action, objectType, objectID, detail string) error {
	e := auth.AuditFor(p, ClientIP(r), RequestID(r.Context())).With(action, objectType, objectID)
	e.Detail = detail
	e.At = s.Now()
	if err := auth.Audit(r.Context(), s.DB, e); err != nil {
		return fmt.Errorf("audit %s: %w", action, err)
	}
	return nil
}
