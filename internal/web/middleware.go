package web

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"runtime/debug"
	"strings"
	"time"
)

type ctxKey int

const (
	keyRequestID ctxKey = iota
	KeyPrincipal
	keyClient
)

func RequestID(ctx context.Context) string {
	s, _ := ctx.Value(keyRequestID).(string)
	return s
}

func newRequestID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// withRequestID gives every request an ID (or keeps a sane one sent by a
// proxy), returned in X-Request-ID and written in logs and error bodies.
func (s *Server) withRequestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rid := r.Header.Get("X-Request-ID")
		if rid == "" || len(rid) > 64 || strings.ContainsAny(rid, " \t\r\n") {
			rid = newRequestID()
		}
		w.Header().Set("X-Request-ID", rid)
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), keyRequestID, rid)))
	})
}

type statusRecorder struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (r *statusRecorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	n, err := r.ResponseWriter.Write(b)
	r.bytes += n
	return n, err
}

// Flush lets server-sent events through the recorder.
func (r *statusRecorder) Flush() {
	if f, ok := r.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap lets http.ResponseController reach the real writer.
func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

func (s *Server) withLogging(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		if r.URL.Path == "/healthz" || r.URL.Path == "/readyz" || strings.HasPrefix(r.URL.Path, "/static/") {
			return
		}
		lvl := slog.LevelInfo
		if rec.status >= 500 {
			lvl = slog.LevelError
		}
		attrs := []any{"method", r.Method, "path", r.URL.Path, "status", rec.status, "bytes", rec.bytes,
			"ms", time.Since(start).Milliseconds(), "request_id", RequestID(r.Context()), "ip", ClientIP(r)}
		if p := PrincipalFrom(r.Context()); p != nil {
			attrs = append(attrs, "user", p.User.Username)
		}
		s.Log.Log(r.Context(), lvl, "http", attrs...)
	})
}

func (s *Server) withRecover(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.Log.Error("panic", "value", fmt.Sprint(v), "stack", string(debug.Stack()), "request_id", RequestID(r.Context()))
				WriteError(w, r, fmt.Errorf("panic: %v", v))
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// withSecurityHeaders forbids framing and sniffing and limits scripts to the
// binary's own: the console loads nothing from the internet.
func (s *Server) withSecurityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		if s.secure || isHTTPS(r) {
			// Served over HTTPS: browsers must not fall back to plain HTTP.
			h.Set("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
		}
		h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; form-action 'self'")
		next.ServeHTTP(w, r)
	})
}

// ParseTrustedProxies parses the --trusted-proxies list: addresses or
// CIDR ranges separated by commas or spaces (e.g. "127.0.0.1/32,10.0.0.0/8").
// An empty list trusts no proxy: X-Forwarded-For and X-Forwarded-Proto are
// then ignored.
func ParseTrustedProxies(list string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.FieldsFunc(list, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' || r == '\n' }) {
		if strings.Contains(f, "/") {
			p, err := netip.ParsePrefix(f)
			if err != nil {
				return nil, fmt.Errorf("trusted proxies: %q is not an address or CIDR range", f)
			}
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(f)
		if err != nil {
			return nil, fmt.Errorf("trusted proxies: %q is not an address or CIDR range", f)
		}
		a = a.Unmap()
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}

func trusted(proxies []netip.Prefix, a netip.Addr) bool {
	a = a.Unmap()
	for _, p := range proxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// peerAddr is the address of the TCP peer of a request.
func peerAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	return host
}

// ResolveClient finds the client address and scheme of a request. Only a
// peer inside the trusted proxies may speak for the client: X-Forwarded-For
// is then read from the right (the entries its proxies appended) and the
// first address that is not itself a trusted proxy is the client. What a
// client writes at the left of the header is never believed.
func ResolveClient(proxies []netip.Prefix, r *http.Request) (ip string, https bool) {
	ip = peerAddr(r)
	https = r.TLS != nil
	peer, err := netip.ParseAddr(ip)
	if err != nil || !trusted(proxies, peer) {
		return ip, https
	}
	if proto := lastListValue(r.Header.Values("X-Forwarded-Proto")); proto != "" {
		https = strings.EqualFold(proto, "https")
	}
	var hops []string
	for _, v := range r.Header.Values("X-Forwarded-For") {
		hops = append(hops, strings.Split(v, ",")...)
	}
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			// A garbled entry: nothing to its left can be trusted.
			return ip, https
		}
		ip = a.Unmap().String()
		if !trusted(proxies, a) {
			return ip, https
		}
	}
	return ip, https
}

func lastListValue(vs []string) string {
	if len(vs) == 0 {
		return ""
	}
	parts := strings.Split(vs[len(vs)-1], ",")
	return strings.TrimSpace(parts[len(parts)-1])
}

type clientInfo struct {
	ip    string
	https bool
}

// withClient resolves the client address and scheme once per request (see
// resolveClient) for the logs, the audit log and the login limiter.
func (s *Server) withClient(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ip, https := ResolveClient(s.trustedProxies, r)
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), keyClient, clientInfo{ip: ip, https: https})))
	})
}

// ClientIP is the address a request came from, for the audit log and the
// login limiter: the TCP peer, or what trusted proxies report (withClient).
func ClientIP(r *http.Request) string {
	if c, ok := r.Context().Value(keyClient).(clientInfo); ok {
		return c.ip
	}
	return peerAddr(r)
}

// isHTTPS reports whether the client reached us over HTTPS (directly or
// through a trusted proxy that says so).
func isHTTPS(r *http.Request) bool {
	if c, ok := r.Context().Value(keyClient).(clientInfo); ok {
		return c.https
	}
	return r.TLS != nil
}

// SecureCookies reports whether cookies set on r are marked Secure: always
// with --secure-cookies, and whenever the request came over HTTPS.
func (s *Server) SecureCookies(r *http.Request) bool { return s.secure || isHTTPS(r) }
